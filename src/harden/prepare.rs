//! Turn a [`Plan`] into the exact edits for this host: new file contents,
//! mode and owner changes, and audit rules to load. It reads the files (so
//! the diff is against what is on disk now), validates the merged
//! daemon.json, and refuses changes that conflict with the daemon's flags.

use super::files::real_path;
use super::host;
use super::Options;
use crate::remediate::{conflicting_flag, key_type, Action, Change, Effect, Plan, Skipped};
use crate::snapshot::Snapshot;
use serde_json::{Map, Value};
use std::os::unix::fs::MetadataExt;

/// A file whose content changes.
#[derive(Debug, Clone)]
pub struct TextEdit {
    pub path: String,
    pub old: Option<String>,
    pub new: String,
    /// For daemon.json: the old and new objects (for the key-level diff).
    pub json: Option<(Map<String, Value>, Map<String, Value>)>,
    /// The actions this edit carries out.
    pub actions: Vec<Action>,
}

/// A mode or owner change.
#[derive(Debug, Clone)]
pub struct MetaEdit {
    pub path: String,
    pub mode: Option<u32>,
    pub owner: Option<(u32, u32)>,
    pub action: Action,
}

/// An audit rule to load into the kernel.
#[derive(Debug, Clone)]
pub struct RuleLoad {
    pub path: String,
    pub line: String,
    pub check: String,
}

#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// Every action that changes something now.
    pub apply: Vec<Action>,
    /// Restart-class actions held back (no `--restart`).
    pub held: Vec<Action>,
    pub manual: Vec<Action>,
    /// Failing checks not changed, with the reason (the plan's and ours).
    pub skipped: Vec<Skipped>,
    pub edits: Vec<TextEdit>,
    pub meta: Vec<MetaEdit>,
    pub loads: Vec<RuleLoad>,
    pub notes: Vec<String>,
    /// daemon.json keys written, by class.
    pub live_keys: Vec<(String, Value)>,
    pub restart_keys: Vec<(String, Value)>,
    pub restart_stops: Vec<String>,
}

impl Prepared {
    /// True when the host already looks the way the plan wants.
    pub fn is_noop(&self) -> bool {
        self.edits.is_empty() && self.meta.is_empty() && self.loads.is_empty()
    }

    pub fn checks(&self) -> Vec<String> {
        let mut v: Vec<String> = self.apply.iter().map(|a| a.check.clone()).collect();
        v.sort_by_key(|c| crate::rules::docker::id_key(c));
        v.dedup();
        v
    }
}

fn read_text(opts: &Options, path: &str) -> Result<Option<String>, String> {
    match std::fs::read(real_path(&opts.root, path)) {
        Ok(b) => String::from_utf8(b)
            .map(Some)
            .map_err(|_| format!("{path} is not UTF-8 text; shipshape does not edit it")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {path}: {e}")),
    }
}

fn refuse(p: &mut Prepared, actions: &[Action], reason: &str) {
    for a in actions {
        p.skipped.push(Skipped {
            check: a.check.clone(),
            reason: reason.to_string(),
        });
    }
}

/// Prepare the plan's actions: live ones always, restart ones when
/// `include_restart` (apply --restart, and plan, which shows everything).
pub fn prepare(snap: &Snapshot, plan: &Plan, opts: &Options, include_restart: bool) -> Prepared {
    let mut p = Prepared {
        skipped: plan.skipped.clone(),
        restart_stops: plan.restart_stops.clone(),
        ..Default::default()
    };
    let mut todo = Vec::new();
    for a in &plan.actions {
        match a.effect {
            Effect::Manual => p.manual.push(a.clone()),
            Effect::Restart if !include_restart => p.held.push(a.clone()),
            _ => todo.push(a.clone()),
        }
    }
    let (json, rest): (Vec<Action>, Vec<Action>) = todo
        .into_iter()
        .partition(|a| matches!(a.change, Change::DaemonJson { .. }));
    prepare_daemon_json(snap, opts, json, &mut p);
    let (rules, rest): (Vec<Action>, Vec<Action>) = rest
        .into_iter()
        .partition(|a| matches!(a.change, Change::AuditRule { .. }));
    prepare_audit_rules(opts, rules, &mut p);
    for a in rest {
        match &a.change {
            Change::EnvLine { .. } => prepare_env(opts, a, &mut p),
            Change::Chmod { .. } | Change::Chown { .. } => prepare_meta(opts, a, &mut p),
            _ => {}
        }
    }
    p.apply
        .sort_by_key(|a| crate::rules::docker::id_key(&a.check));
    p
}

/// Validate a whole daemon.json object: known keys, right types.
pub fn validate_daemon_json(path: &str, m: &Map<String, Value>) -> Result<(), String> {
    for (k, v) in m {
        match key_type(k) {
            None => {
                return Err(format!(
                    "{path}: unknown key \"{}\" (dockerd 20.10 would refuse to start); fix or remove it first",
                    crate::remediate::escape(k)
                ))
            }
            Some(t) if !t.accepts(v) => {
                return Err(format!(
                    "{path}: \"{k}\" must be {}, not {}",
                    t.name(),
                    crate::remediate::escape(&v.to_string())
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

fn prepare_daemon_json(snap: &Snapshot, opts: &Options, actions: Vec<Action>, p: &mut Prepared) {
    if actions.is_empty() {
        return;
    }
    let path = snap.daemon.config_file.clone();
    let old_text = match read_text(opts, &path) {
        Ok(t) => t,
        Err(e) => return refuse(p, &actions, &e),
    };
    let old: Map<String, Value> = match old_text.as_deref() {
        None => Map::new(),
        Some(t) if t.trim().is_empty() => Map::new(),
        Some(t) => match serde_json::from_str::<Value>(t) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return refuse(p, &actions, &format!("{path}: not a JSON object")),
            Err(e) => {
                return refuse(
                    p,
                    &actions,
                    &format!("{path}:{}:{}: not valid JSON ({e})", e.line(), e.column()),
                )
            }
        },
    };
    let mut new = old.clone();
    let mut kept = Vec::new();
    for a in actions {
        let Change::DaemonJson { key, value, .. } = &a.change else {
            continue;
        };
        if let Some(flag) = conflicting_flag(snap, key) {
            p.skipped.push(Skipped {
                check: a.check.clone(),
                reason: format!(
                    "refused: \"{key}\" conflicts with {flag} on the daemon's command line"
                ),
            });
            continue;
        }
        if old.get(key).is_some_and(|o| o != value) && !opts.force {
            p.skipped.push(Skipped {
                check: a.check.clone(),
                reason: format!(
                    "\"{key}\" changed in {path} since the audit; keeping it (use --force)"
                ),
            });
            continue;
        }
        new.insert(key.clone(), value.clone());
        kept.push(a);
    }
    if let Err(e) = validate_daemon_json(&path, &new) {
        return refuse(p, &kept, &format!("refused: {e}"));
    }
    if new == old || kept.is_empty() {
        return;
    }
    for a in &kept {
        if let Change::DaemonJson { key, value, .. } = &a.change {
            if old.get(key) == Some(value) {
                continue;
            }
            let entry = (key.clone(), value.clone());
            match a.effect {
                Effect::Live => p.live_keys.push(entry),
                _ => p.restart_keys.push(entry),
            }
        }
    }
    let text = serde_json::to_string_pretty(&Value::Object(new.clone())).unwrap_or_default() + "\n";
    p.apply.extend(kept.iter().cloned());
    p.edits.push(TextEdit {
        path,
        old: old_text,
        new: text,
        json: Some((old, new)),
        actions: kept,
    });
}

/// Whether rules can be loaded now, and the paths already watched; `None`
/// when the audit actions were refused (immutable rules, auditctl failing).
fn kernel_rules(
    opts: &Options,
    actions: &[Action],
    p: &mut Prepared,
) -> Option<(bool, Vec<String>)> {
    if opts.root != std::path::Path::new("/") {
        p.notes.push(format!(
            "with --root {} the rules are written but not loaded: run `augenrules --load` on that host",
            opts.root.display()
        ));
        return Some((false, Vec::new()));
    }
    let Some(c) = host::auditctl() else {
        p.notes.push(
            "auditctl is not installed (/sbin/auditctl): the rules are written but not loaded; install auditd and run `augenrules --load`".into(),
        );
        return Some((false, Vec::new()));
    };
    let refused = match host::audit_enabled(&c) {
        Ok(2) => Some("refused: the kernel's audit rules are immutable (-e 2); change the rule files and reboot".to_string()),
        Ok(_) => None,
        Err(e) => Some(format!("refused: {e}")),
    };
    if let Some(r) = refused {
        refuse(p, actions, &r);
        return None;
    }
    match host::loaded_watches(&c) {
        Ok(l) => Some((true, l)),
        Err(e) => {
            refuse(p, actions, &format!("refused: {e}"));
            None
        }
    }
}

fn prepare_audit_rules(opts: &Options, actions: Vec<Action>, p: &mut Prepared) {
    if actions.is_empty() {
        return;
    }
    let Some((can_load, loaded)) = kernel_rules(opts, &actions, p) else {
        return;
    };
    let file = opts.rules_file.clone();
    let old = match read_text(opts, &file) {
        Ok(t) => t,
        Err(e) => return refuse(p, &actions, &e),
    };
    let mut new = old.clone().unwrap_or_else(|| {
        "# Written by `shipshape harden`: audit watches for Docker's files and binaries.\n\
         # Loaded at boot by augenrules; remove with `shipshape harden rollback`.\n"
            .to_string()
    });
    let mut file_actions = Vec::new();
    for a in actions {
        let Change::AuditRule {
            path,
            line,
            on_disk,
            ..
        } = &a.change
        else {
            continue;
        };
        let in_file = new.lines().any(|l| l.trim() == line);
        let mut does_something = false;
        if on_disk.is_none() && !in_file {
            if !new.ends_with('\n') {
                new.push('\n');
            }
            new.push_str(line);
            new.push('\n');
            does_something = true;
        }
        if can_load && !host::is_loaded(&loaded, path) {
            p.loads.push(RuleLoad {
                path: path.clone(),
                line: line.clone(),
                check: a.check.clone(),
            });
            does_something = true;
        }
        if does_something {
            p.apply.push(a.clone());
            file_actions.push(a);
        }
    }
    if old.as_deref() != Some(new.as_str()) && !file_actions.is_empty() {
        p.edits.push(TextEdit {
            path: file,
            old,
            new,
            json: None,
            actions: file_actions,
        });
    }
}

fn prepare_env(opts: &Options, a: Action, p: &mut Prepared) {
    let Change::EnvLine {
        file,
        name,
        value,
        old_line,
        ..
    } = &a.change
    else {
        return;
    };
    let old = match read_text(opts, file) {
        Ok(t) => t,
        Err(e) => return refuse(p, std::slice::from_ref(&a), &e),
    };
    let want = format!("{name}={value}");
    let text = old.clone().unwrap_or_default();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    match old_line {
        Some(n) if *n >= 1 && *n <= lines.len() => lines[n - 1] = want.clone(),
        _ => {
            if lines.iter().any(|l| l.trim() == want) {
                return;
            }
            lines.push(want);
        }
    }
    let new = lines.join("\n") + "\n";
    if old.as_deref() == Some(new.as_str()) {
        return;
    }
    p.apply.push(a.clone());
    p.edits.push(TextEdit {
        path: file.clone(),
        old,
        new,
        json: None,
        actions: vec![a],
    });
}

fn prepare_meta(opts: &Options, a: Action, p: &mut Prepared) {
    let (path, mode, owner) = match &a.change {
        Change::Chmod { path, to, .. } => (path.clone(), Some(*to), None),
        Change::Chown { path, uid, gid, .. } => (path.clone(), None, Some((*uid, *gid))),
        _ => return,
    };
    let md = match std::fs::metadata(real_path(&opts.root, &path)) {
        Ok(m) => m,
        Err(e) => {
            return refuse(
                p,
                std::slice::from_ref(&a),
                &format!("cannot stat {path}: {e}"),
            )
        }
    };
    let mode = mode.filter(|m| md.mode() & 0o7777 != *m);
    let owner = owner.filter(|(u, g)| md.uid() != *u || md.gid() != *g);
    if mode.is_none() && owner.is_none() {
        return;
    }
    p.apply.push(a.clone());
    p.meta.push(MetaEdit {
        path,
        mode,
        owner,
        action: a,
    });
}
