//! Remediation: from the audit's findings and the snapshot, a [`Plan`] of
//! concrete, host-specific [`Action`]s, as data. Pure: nothing here reads or
//! writes the host. `report/` prints the actions next to failing checks, and
//! `harden/` applies them.
//!
//! Every action names its check, its [`Effect`] (whether it works without a
//! daemon restart) and a sentence that explains it. Paths are the ones the
//! snapshot resolved: the dockerd binary the process runs, the daemon's
//! `--config-file`, its DockerRootDir, the unit files systemd loads.

mod daemon_keys;

pub use daemon_keys::{is_reloadable, key_type, KeyType};

use crate::findings::{Finding, Outcome, Target};
use crate::rules::meta::Fix;
use crate::snapshot::daemon::flag_names;
use crate::snapshot::{DaemonConfigFile, FileFact, Snapshot};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where shipshape writes its audit rules unless told otherwise.
pub const DEFAULT_RULES_FILE: &str = "/etc/audit/rules.d/90-shipshape-docker.rules";
/// The file that sets content trust for every login (4.5).
pub const ENVIRONMENT_FILE: &str = "/etc/environment";

/// When a change takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// Without a restart: file modes and owners, audit rules loaded into the
    /// kernel, daemon.json keys the daemon reloads on SIGHUP.
    Live,
    /// Needs a daemon restart.
    Restart,
    /// Not safe for a tool; the action lists the steps.
    Manual,
}

impl Effect {
    pub fn label(self) -> &'static str {
        match self {
            Effect::Live => "live",
            Effect::Restart => "restart",
            Effect::Manual => "manual",
        }
    }
}

/// One concrete change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// An audit watch: `line` goes into `file`, and is loaded into the kernel.
    AuditRule {
        file: String,
        path: String,
        line: String,
        /// A rule for the path is already on disk (`file:line`) but not loaded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on_disk: Option<String>,
    },
    /// Set a daemon.json key.
    DaemonJson {
        file: String,
        key: String,
        value: Value,
        /// The value the user had set (only with `--force`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        old: Option<Value>,
    },
    Chmod {
        path: String,
        from: u32,
        to: u32,
    },
    Chown {
        path: String,
        uid: u32,
        gid: u32,
        /// `user:group` we change it to.
        owner: String,
        from_uid: u32,
        from_gid: u32,
    },
    /// Set `name=value` in an environment file, replacing `old_line` (1-based)
    /// when the variable is already assigned there.
    EnvLine {
        file: String,
        name: String,
        value: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        old_line: Option<usize>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        old_value: Option<String>,
    },
    /// Exact steps for a human.
    Manual {
        steps: Vec<String>,
    },
}

impl Change {
    /// One line: what the change does, with the real path or key.
    pub fn summary(&self) -> String {
        match self {
            Change::AuditRule { line, file, .. } => format!("add `{line}` to {file} and load it"),
            Change::DaemonJson {
                file,
                key,
                value,
                old,
            } => match old {
                Some(o) => format!("set \"{key}\": {value} in {file} (was {o})"),
                None => format!("set \"{key}\": {value} in {file}"),
            },
            Change::Chmod { path, from, to } => {
                format!("chmod {:04o} {path} (was {:04o})", to, from)
            }
            Change::Chown {
                path,
                owner,
                from_uid,
                from_gid,
                ..
            } => format!("chown {owner} {path} (was {from_uid}:{from_gid})"),
            Change::EnvLine {
                file,
                name,
                value,
                old_value,
                ..
            } => match old_value {
                Some(o) => format!("set {name}={value} in {file} (was {o})"),
                None => format!("add {name}={value} to {file}"),
            },
            Change::Manual { steps } => steps.first().cloned().unwrap_or_default(),
        }
    }

    /// The host file the change writes, if it writes one.
    pub fn file(&self) -> Option<&str> {
        match self {
            Change::AuditRule { file, .. }
            | Change::DaemonJson { file, .. }
            | Change::EnvLine { file, .. } => Some(file),
            Change::Chmod { path, .. } | Change::Chown { path, .. } => Some(path),
            Change::Manual { .. } => None,
        }
    }
}

/// A change for one check, with its effect class and explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub check: String,
    pub effect: Effect,
    pub change: Change,
    pub text: String,
}

/// A failing check the plan does not change, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    pub check: String,
    pub reason: String,
}

/// The remediation plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub actions: Vec<Action>,
    /// Failing checks left alone: the user's own value (no `--force`), a
    /// conflicting command-line flag, unreadable data.
    pub skipped: Vec<Skipped>,
    /// Running containers a daemon restart would stop (live-restore off).
    pub restart_stops: Vec<String>,
    /// Whether live-restore is on now, or turned on by a live action first.
    pub live_restore_after_live: bool,
}

impl Plan {
    pub fn for_check<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Action> + 'a {
        self.actions.iter().filter(move |a| a.check == id)
    }

    pub fn count(&self, effect: Effect) -> usize {
        self.actions.iter().filter(|a| a.effect == effect).count()
    }
}

/// How to build a plan.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// The rules.d file the audit rules go into.
    pub rules_file: String,
    /// Change keys and lines the user set to another value (the old value
    /// is recorded and shown).
    pub force: bool,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            rules_file: DEFAULT_RULES_FILE.to_string(),
            force: false,
        }
    }
}

/// Build the plan for the failing automated checks among `findings`.
pub fn plan(snap: &Snapshot, findings: &[Finding], opts: &PlanOptions) -> Plan {
    let mut p = Plan::default();
    for f in findings
        .iter()
        .filter(|f| f.automated && f.outcome == Outcome::Fail)
    {
        let audit_rule_check =
            f.id.strip_prefix("1.1.")
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| (3..=18).contains(&n));
        if audit_rule_check {
            audit_rules(snap, f, opts, &mut p);
        } else if f.section == "2" {
            daemon_setting(snap, f, opts, &mut p);
        } else if f.section == "3" {
            file_perms(snap, f, &mut p);
        } else if f.id == "4.5" {
            content_trust(snap, opts, &mut p);
        }
    }
    let eng = snap.engine.ok();
    let live_restore_now = eng.is_some_and(|e| e.info.live_restore_enabled);
    let live_restore_planned = p.actions.iter().any(|a| {
        a.effect == Effect::Live
            && matches!(&a.change, Change::DaemonJson { key, value, .. } if key == "live-restore" && value == &Value::Bool(true))
    });
    p.live_restore_after_live = live_restore_now || live_restore_planned;
    if p.count(Effect::Restart) > 0 && !p.live_restore_after_live {
        if let Some(e) = eng {
            p.restart_stops = e
                .containers
                .iter()
                .filter(|c| c.state.running)
                .map(|c| c.short_name().to_string())
                .collect();
        }
    }
    p
}

fn audit_rules(snap: &Snapshot, f: &Finding, opts: &PlanOptions, p: &mut Plan) {
    for e in f.offenders() {
        let Target::File { path } = &e.target else {
            continue;
        };
        let on_disk = snap.host.audit.files.iter().find_map(|file| {
            file.rules.ok().and_then(|rules| {
                rules
                    .iter()
                    .find(|r| crate::rules::docker::rule_covers(r, path))
                    .map(|r| format!("{}:{}", file.path, r.line))
            })
        });
        let line = format!("-w {path} -p rwxa -k docker");
        let text = match &on_disk {
            Some(src) => format!(
                "A rule for {path} is on disk ({src}) but not in the kernel; shipshape loads \
                 `{line}` with auditctl and keeps it in {}.",
                opts.rules_file
            ),
            None => format!(
                "Records every read, write, execute and attribute change of {path} under key \
                 `docker`. Written to {} (loaded at boot by augenrules) and loaded now with auditctl.",
                opts.rules_file
            ),
        };
        p.actions.push(Action {
            check: f.id.to_string(),
            effect: Effect::Live,
            change: Change::AuditRule {
                file: opts.rules_file.clone(),
                path: path.clone(),
                line,
                on_disk,
            },
            text,
        });
    }
}

/// The fix a check declares in its metadata ([`crate::rules::meta::Fix`]):
/// the remediation stage takes keys, values, modes and owners from there, so
/// the catalogue and the plan cannot disagree.
fn declared_fix(id: &str) -> Option<Fix> {
    crate::rules::docker::checks()
        .iter()
        .find(|c| c.meta.id == id)
        .map(|c| c.meta.fix)
}

/// What a daemon.json change does, per check, for the plan's explanation.
/// Checks whose declared key is not here (userns-remap, default-ulimits)
/// are not applied automatically: they need a person (see `manual_steps`).
fn setting_effect(id: &str) -> Option<&'static str> {
    Some(match id {
        "2.2" => "Containers on the default bridge can no longer reach each other; user-defined networks still work.",
        "2.3" => "The daemon logs at level info: events are kept without debug noise.",
        "2.4" => "Docker manages iptables again, keeping the firewall consistent with container networking.",
        "2.5" => "No registry is contacted without TLS verification.",
        "2.14" => "New containers cannot gain privileges through setuid or file capabilities.",
        "2.15" => "Containers keep running while the daemon restarts or upgrades.",
        "2.16" => "Published ports are handled by iptables rules rather than a docker-proxy process per port.",
        "2.18" => "Experimental features are switched off.",
        _ => return None,
    })
}

/// What section 2 wants: key, value, and a sentence.
fn wanted_setting(snap: &Snapshot, id: &str) -> Option<(&'static str, Value, &'static str)> {
    let effect = setting_effect(id)?;
    let Some(Fix::DaemonJson { key, value }) = declared_fix(id) else {
        return None;
    };
    // debug=true overrides the level; turning it off is reloadable.
    if key == "log-level" && snap.daemon.bool_setting("debug", false).is_ok_and(|v| v.0) {
        return Some((
            "debug",
            Value::Bool(false),
            "Debug logging is turned off so the daemon logs at level info.",
        ));
    }
    Some((key, serde_json::from_str(value).ok()?, effect))
}

fn manual_steps(snap: &Snapshot, id: &str) -> Option<Vec<String>> {
    let cfg = &snap.daemon.config_file;
    let root = snap.docker_root_dir();
    Some(match id {
        "2.6" => vec![
            format!("Export or push the images you need; the storage driver change hides everything under {root}."),
            format!("Set \"storage-driver\": \"overlay2\" in {cfg} and restart the daemon."),
            "Pull or load the images again and re-create the containers.".into(),
        ],
        "2.7" => vec![
            "Create a CA, a server certificate for this host and client certificates (e.g. with openssl).".into(),
            "Install them as root:root, mode 0444 for certificates and 0400 for the key.".into(),
            format!("Set \"tlsverify\": true, \"tlscacert\", \"tlscert\" and \"tlskey\" in {cfg} (or drop the tcp:// host), then restart the daemon."),
        ],
        "2.9" => vec![
            "Check that /etc/subuid and /etc/subgid give the remap user (dockremap for \"default\") a range of 65536 ids.".into(),
            format!("Export the images you need: with remapping the daemon uses a new directory below {root}, so existing images and containers seem to vanish."),
            format!("Set \"userns-remap\": \"default\" in {cfg} and restart the daemon; containers that need --privileged or --net=host then need --userns=host."),
        ],
        "2.12" => vec![
            "Install and enable an authorization plugin (e.g. as a managed plugin).".into(),
            format!("List it in \"authorization-plugins\" in {cfg} and restart the daemon."),
        ],
        "2.13" => vec![
            "Choose a central log service and its driver (syslog, fluentd, gelf, journald with forwarding…).".into(),
            format!("Set \"log-driver\" and its \"log-opts\" in {cfg} and restart the daemon; existing containers keep their driver until re-created."),
        ],
        _ => return None,
    })
}

fn daemon_setting(snap: &Snapshot, f: &Finding, opts: &PlanOptions, p: &mut Plan) {
    let cfg = snap.daemon.config_file.clone();
    if let Some(steps) = manual_steps(snap, f.id) {
        // userns-remap is only safe for a tool on a host with nothing to lose.
        let empty_host = snap
            .engine
            .ok()
            .is_some_and(|e| e.images.is_empty() && e.containers.is_empty());
        if f.id == "2.9" && empty_host {
            push_key(
                snap,
                f.id,
                ("userns-remap", Value::String("default".into()), "Root in a container maps to an unprivileged range on the host (no images or containers exist that would vanish)."),
                opts,
                p,
            );
            return;
        }
        p.actions.push(Action {
            check: f.id.to_string(),
            effect: Effect::Manual,
            text: format!("Not safe to automate: {}", f.title),
            change: Change::Manual { steps },
        });
        return;
    }
    match wanted_setting(snap, f.id) {
        Some(w) => push_key(snap, f.id, w, opts, p),
        None => p.skipped.push(Skipped {
            check: f.id.to_string(),
            reason: format!(
                "no automatic change for this check; see `shipshape rules {}` ({cfg})",
                f.id
            ),
        }),
    }
}

/// The daemon flag that sets `key`, if its command line has one.
pub fn conflicting_flag(snap: &Snapshot, key: &str) -> Option<String> {
    let names = flag_names(key);
    snap.daemon
        .flags
        .iter()
        .find(|fl| fl.name == key || names.contains(&fl.name.as_str()))
        .map(|fl| match &fl.value {
            Some(v) => format!("--{}={v}", fl.name),
            None => format!("--{}", fl.name),
        })
}

/// Why `key` cannot be set in daemon.json (a flag sets it, the file is
/// unreadable, a dependency dockerd enforces), else the current settings.
fn key_blocker<'a>(
    snap: &'a Snapshot,
    key: &str,
) -> Result<Option<&'a std::collections::BTreeMap<String, Value>>, String> {
    let cfg = &snap.daemon.config_file;
    if let Some(flag) = conflicting_flag(snap, key) {
        return Err(format!(
            "refused: the daemon's command line sets {flag} ({}); setting \"{key}\" in {cfg} too would stop dockerd from starting. Change the flag instead.",
            snap.daemon.flags_source
        ));
    }
    // dockerd refuses to start with icc=false when it may not use iptables.
    if key == "icc"
        && snap
            .daemon
            .bool_setting("iptables", true)
            .is_ok_and(|v| !v.0)
    {
        return Err("refused: \"icc\": false needs iptables, and iptables is off; dockerd would refuse to start".into());
    }
    match &snap.daemon.config {
        DaemonConfigFile::Missing => Ok(None),
        DaemonConfigFile::Parsed { settings } => Ok(Some(settings)),
        DaemonConfigFile::Invalid {
            line,
            column,
            message,
        } => Err(format!(
            "{cfg}:{line}:{column}: not valid JSON ({message}); fix it first"
        )),
        DaemonConfigFile::Unreadable { reason } => Err(format!("{cfg}: cannot read ({reason})")),
    }
}

fn push_key(
    snap: &Snapshot,
    id: &str,
    (key, value, why): (&'static str, Value, &'static str),
    opts: &PlanOptions,
    p: &mut Plan,
) {
    let cfg = snap.daemon.config_file.clone();
    let settings = match key_blocker(snap, key) {
        Err(reason) => {
            p.skipped.push(Skipped {
                check: id.to_string(),
                reason,
            });
            return;
        }
        Ok(s) => s,
    };
    let old = settings.and_then(|s| s.get(key)).cloned();
    if let Some(o) = &old {
        if o == &value {
            // The file already says so; the daemon has not picked it up.
            p.skipped.push(Skipped {
                check: id.to_string(),
                reason: format!("\"{key}\": {o} is already in {cfg}; the daemon needs a reload or restart to use it"),
            });
            return;
        }
        if !opts.force {
            p.skipped.push(Skipped {
                check: id.to_string(),
                reason: format!("you set \"{key}\": {o} in {cfg}; shipshape keeps your value (use --force to set {value})"),
            });
            return;
        }
    }
    let effect = if is_reloadable(key) {
        Effect::Live
    } else {
        Effect::Restart
    };
    let when = match effect {
        Effect::Live => "The daemon reloads it on SIGHUP.",
        _ => "Takes effect when the daemon restarts.",
    };
    p.actions.push(Action {
        check: id.to_string(),
        effect,
        change: Change::DaemonJson {
            file: cfg,
            key: key.to_string(),
            value,
            old,
        },
        text: format!("{why} {when}"),
    });
}

/// The mode or owner a section 3 check wants.
enum Want {
    Mode(u32),
    RootRoot,
    RootDocker,
}

fn want_for(id: &str) -> Option<Want> {
    match declared_fix(id)? {
        Fix::FileMode { max } => Some(Want::Mode(max)),
        Fix::FileOwner { owner: "root:root" } => Some(Want::RootRoot),
        Fix::FileOwner {
            owner: "root:docker",
        } => Some(Want::RootDocker),
        _ => None,
    }
}

fn file_perms(snap: &Snapshot, f: &Finding, p: &mut Plan) {
    let Some(want) = want_for(f.id) else {
        return;
    };
    let docker_gid = snap
        .host
        .docker_group
        .ok()
        .and_then(|g| g.as_ref())
        .map(|g| g.gid);
    for e in f.offenders().filter(|e| e.outcome == Outcome::Fail) {
        let Target::File { path } = &e.target else {
            continue;
        };
        let Some(FileFact::Present(st)) = snap.host.files.get(path) else {
            p.skipped.push(Skipped {
                check: f.id.to_string(),
                reason: format!("{path} was not stat'ed in this snapshot"),
            });
            continue;
        };
        let socket_note = if st.kind == "socket" {
            " The daemon (or systemd's docker.socket) re-creates the socket on restart; set SocketMode/SocketGroup in the socket unit to keep it."
        } else {
            ""
        };
        let (change, text) = match want {
            Want::Mode(max) => {
                let max = if f.id == "3.8" && path.ends_with(".key") {
                    0o400
                } else {
                    max
                };
                // Keep setuid/setgid/sticky; take away what `max` does not allow.
                let to = (st.mode & 0o7000) | max;
                (
                    Change::Chmod {
                        path: path.clone(),
                        from: st.mode,
                        to,
                    },
                    format!("Removes write (and wider) access that lets other users change {path}.{socket_note}"),
                )
            }
            Want::RootRoot | Want::RootDocker => {
                let (gid, group) = match want {
                    Want::RootDocker if st.gid == 0 => (0, "root".to_string()),
                    Want::RootDocker => match docker_gid {
                        Some(g) => (g, "docker".to_string()),
                        None => (0, "root".to_string()),
                    },
                    _ => (0, "root".to_string()),
                };
                (
                    Change::Chown {
                        path: path.clone(),
                        uid: 0,
                        gid,
                        owner: format!("root:{group}"),
                        from_uid: st.uid,
                        from_gid: st.gid,
                    },
                    format!("Only root (and the {group} group) may own {path}, so no other account can rewrite it.{socket_note}"),
                )
            }
        };
        p.actions.push(Action {
            check: f.id.to_string(),
            effect: Effect::Live,
            change,
            text,
        });
    }
}

fn content_trust(snap: &Snapshot, opts: &PlanOptions, p: &mut Plan) {
    let last = snap.host.content_trust.last();
    let (old_line, old_value) = match last {
        None => (None, None),
        Some(s) if s.file == ENVIRONMENT_FILE => {
            if !opts.force {
                p.skipped.push(Skipped {
                    check: "4.5".into(),
                    reason: format!(
                        "you set DOCKER_CONTENT_TRUST={} in {}:{}; shipshape keeps your value (use --force to set 1)",
                        s.value, s.file, s.line
                    ),
                });
                return;
            }
            (Some(s.line), Some(s.value.clone()))
        }
        Some(s) => {
            p.actions.push(Action {
                check: "4.5".into(),
                effect: Effect::Manual,
                change: Change::Manual {
                    steps: vec![
                        format!(
                            "Change DOCKER_CONTENT_TRUST={} to DOCKER_CONTENT_TRUST=1 in {}:{}.",
                            s.value, s.file, s.line
                        ),
                        "Log in again (or source the file) so shells pick it up.".into(),
                    ],
                },
                text: format!(
                    "Content trust is switched off in {}, which shipshape does not edit.",
                    s.file
                ),
            });
            return;
        }
    };
    p.actions.push(Action {
        check: "4.5".into(),
        effect: Effect::Live,
        change: Change::EnvLine {
            file: ENVIRONMENT_FILE.into(),
            name: "DOCKER_CONTENT_TRUST".into(),
            value: "1".into(),
            old_line,
            old_value,
        },
        text: "docker pull, push and run then require signed images for every user; takes effect at the next login.".into(),
    });
}

#[cfg(test)]
mod tests;

/// Make host data safe for a terminal: control characters (including ESC,
/// CR and newlines inside a value) are shown as `\u{..}` escapes.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            o.push_str(&c.escape_unicode().to_string());
        } else {
            o.push(c);
        }
    }
    o
}
