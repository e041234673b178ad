//! `harden`: the I/O side of remediation. It takes the plan `remediate/`
//! builds, turns it into exact edits for this host ([`prepare`]), shows them
//! ([`render`]), and applies them as a journaled transaction that
//! [`rollback`] can undo byte for byte.
//!
//! Order of an apply: collect and audit → plan → prepare and validate →
//! confirm → journal the originals → write files atomically, fix modes and
//! owners, load audit rules → SIGHUP and confirm the reload through the API
//! → (with `--restart`) restart → re-audit. Any failure after the first
//! write rolls back what was done, and the journal lets `rollback` finish
//! the job after a crash.

pub mod diff;
pub mod files;
pub mod host;
pub mod journal;
pub mod prepare;
pub mod render;

use crate::collect::{self, engine_client::Endpoint, CollectOptions};
use crate::findings::{Finding, Outcome};
use crate::remediate::{self, PlanOptions};
use crate::rules::{self, EvalOptions};
use crate::snapshot::Snapshot;
use files::real_path;
use journal::{Journal, LoadedRule, Status};
use prepare::Prepared;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const DEFAULT_STATE_DIR: &str = "/var/lib/shipshape";

/// Everything a harden command needs to know.
#[derive(Debug, Clone)]
pub struct Options {
    pub collect: CollectOptions,
    pub root: PathBuf,
    pub state_dir: PathBuf,
    pub rules_file: String,
    pub force: bool,
    pub restart: bool,
    pub dry_run: bool,
    pub only: Vec<String>,
    pub exclude: Vec<String>,
    /// How long to wait for the daemon to confirm a reload or come back.
    pub wait: Duration,
}

/// The result of a command: text and JSON views and the exit code.
pub struct Run {
    pub text: String,
    pub json: Value,
    pub code: i32,
    /// Why the command failed (printed on stderr).
    pub error: Option<String>,
}

impl Run {
    fn fail(text: String, msg: &str) -> Run {
        Run {
            text,
            json: json!({"status": "error", "error": msg}),
            code: 2,
            error: Some(msg.to_string()),
        }
    }
}

/// Audit the selected checks, plan, and prepare.
pub struct Planned {
    pub snap: Snapshot,
    pub findings: Vec<Finding>,
    pub prepared: Prepared,
    pub elapsed: Duration,
}

pub fn plan(opts: &Options, include_restart: bool) -> Result<Planned, String> {
    let t = Instant::now();
    let checks = rules::select(rules::docker::checks(), &opts.only, &opts.exclude)?;
    let snap = collect::collect(&opts.collect);
    let findings = rules::evaluate(&snap, &EvalOptions::default(), &checks).findings;
    let mut plan = remediate::plan(
        &snap,
        &findings,
        &PlanOptions {
            rules_file: opts.rules_file.clone(),
            force: opts.force,
        },
    );
    guard_daemon(&snap, opts, &mut plan);
    let prepared = prepare::prepare(&snap, &plan, opts, include_restart);
    Ok(Planned {
        snap,
        findings,
        prepared,
        elapsed: t.elapsed(),
    })
}

/// Refuse daemon.json changes unless the dockerd whose command line named
/// that file is provably the one serving our API socket: editing another
/// daemon's config (or signalling it) must never happen by mistake.
fn guard_daemon(snap: &Snapshot, opts: &Options, plan: &mut remediate::Plan) {
    if opts.root != Path::new("/") {
        return;
    }
    let sock = socket(opts);
    let ok = daemon_pid(snap).is_some_and(|pid| host::serves_socket(pid, &sock));
    if ok {
        return;
    }
    let why = match daemon_pid(snap) {
        Some(pid) => format!(
            "refused: dockerd pid {pid} does not hold the API socket {}, so its daemon.json may belong to another daemon",
            sock.display()
        ),
        None => format!("refused: no dockerd process serves {}, so the daemon.json in effect is unknown", sock.display()),
    };
    let (daemon, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut plan.actions)
        .into_iter()
        .partition(|a| matches!(a.change, remediate::Change::DaemonJson { .. }));
    plan.actions = rest;
    for a in daemon {
        plan.skipped.push(remediate::Skipped {
            check: a.check,
            reason: why.clone(),
        });
    }
}

/// `harden plan`.
pub fn run_plan(opts: &Options) -> Run {
    match plan(opts, true) {
        Err(e) => Run::fail(String::new(), &e),
        Ok(p) => {
            let mut text = render::text(&p.prepared, "harden plan");
            text.push_str(&format!(
                "\nplanned in {} ms; apply with `shipshape harden apply` (live class) or `--restart` (adds restart class)\n",
                p.elapsed.as_millis()
            ));
            let mut j = render::json(&p.prepared);
            j["plan_ms"] = json!(p.elapsed.as_millis() as u64);
            Run {
                text,
                json: j,
                code: 0,
                error: None,
            }
        }
    }
}

fn socket(opts: &Options) -> PathBuf {
    Endpoint::from_docker_host(opts.collect.docker_host.as_deref())
        .map(|e| e.socket)
        .unwrap_or_else(|_| PathBuf::from("/var/run/docker.sock"))
}

fn daemon_pid(snap: &Snapshot) -> Option<u32> {
    snap.daemon
        .process
        .ok()
        .and_then(|p| p.as_ref())
        .map(|p| p.pid)
}

/// Fault injection for tests: fail after N writes (debug builds only).
fn fault_after(done: usize) -> Result<(), String> {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("SHIPSHAPE_FAULT_AFTER_WRITES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        if done >= n {
            return Err(format!(
                "injected fault after {done} write(s) (SHIPSHAPE_FAULT_AFTER_WRITES)"
            ));
        }
    }
    let _ = done;
    Ok(())
}

/// Make the prepared changes, journaling each one first.
fn do_writes(
    j: &mut Journal,
    p: &Prepared,
    root: &Path,
    log: &mut Vec<String>,
) -> Result<(), String> {
    let mut done = 0;
    let io = |e: std::io::Error, what: &str| format!("{what}: {e}");
    for e in &p.edits {
        let real = real_path(root, &e.path);
        files::atomic_write(&real, e.new.as_bytes(), 0o644)
            .map_err(|x| io(x, &format!("cannot write {}", e.path)))?;
        if let Some(f) = j.files.iter_mut().find(|f| f.path == e.path) {
            f.touched = true;
            f.after_sha256 = Some(files::sha256_hex(e.new.as_bytes()));
        }
        j.save().map_err(|x| io(x, "cannot update the journal"))?;
        log.push(format!("wrote {}", e.path));
        done += 1;
        fault_after(done)?;
    }
    for m in &p.meta {
        let real = real_path(root, &m.path);
        if let Some((u, g)) = m.owner {
            std::os::unix::fs::chown(&real, Some(u), Some(g))
                .map_err(|x| io(x, &format!("cannot chown {}", m.path)))?;
        }
        if let Some(mode) = m.mode {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&real, std::fs::Permissions::from_mode(mode))
                .map_err(|x| io(x, &format!("cannot chmod {}", m.path)))?;
        }
        if let Some(f) = j.files.iter_mut().find(|f| f.path == m.path) {
            f.touched = true;
        }
        j.save().map_err(|x| io(x, "cannot update the journal"))?;
        log.push(remediate::escape(&m.action.change.summary()));
        done += 1;
        fault_after(done)?;
    }
    if !p.loads.is_empty() {
        let ctl = host::auditctl().ok_or("auditctl disappeared")?;
        for l in &p.loads {
            // Journal first: a crash right after loading still gets undone.
            j.audit_rules.push(LoadedRule {
                path: l.path.clone(),
                line: l.line.clone(),
            });
            j.save().map_err(|x| io(x, "cannot update the journal"))?;
            host::load_watch(&ctl, &l.path)?;
            log.push(format!(
                "loaded audit rule `{}`",
                remediate::escape(&l.line)
            ));
            done += 1;
            fault_after(done)?;
        }
    }
    Ok(())
}

/// SIGHUP the daemon and wait for its reload event; check the live keys.
fn reload(
    pid: Option<u32>,
    sock: &Path,
    keys: &[(String, Value)],
    wait: Duration,
) -> Result<String, String> {
    let pid = pid.ok_or("the dockerd process is unknown, so it cannot be sent SIGHUP")?;
    if !host::serves_socket(pid, sock) {
        return Err(format!(
            "dockerd pid {pid} does not hold {}; not sending SIGHUP to a daemon that may be another one",
            sock.display()
        ));
    }
    let t = Instant::now();
    let since = host::unix_now();
    host::sighup(pid)?;
    let attrs = host::confirm_reload(sock, since, wait)?;
    let mut mismatched = Vec::new();
    for (k, v) in keys {
        let want = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let Some(got) = attrs.get(k).and_then(|g| g.as_str()) {
            if got != want && v.is_boolean() {
                mismatched.push(format!("{k}={got} (wanted {want})"));
            }
        }
    }
    if !mismatched.is_empty() {
        return Err(format!(
            "the daemon reloaded but reports {}",
            mismatched.join(", ")
        ));
    }
    let mut confirmed = format!(
        "dockerd (pid {pid}) reloaded in {} ms",
        t.elapsed().as_millis()
    );
    if keys.iter().any(|(k, _)| k == "live-restore") {
        let info = host::info(sock)?;
        confirmed.push_str(&format!(
            "; GET /info LiveRestoreEnabled={}",
            info["LiveRestoreEnabled"]
        ));
    }
    Ok(confirmed)
}

/// How to restart a daemon systemd does not manage.
fn manual_restart(snap: &Snapshot) -> String {
    match snap.daemon.process.ok().and_then(|p| p.as_ref()) {
        Some(p) => format!(
            "kill -TERM {pid}; wait until it has exited; then start it again as before: {}",
            p.argv
                .iter()
                .map(|a| host::shell_quote(a))
                .collect::<Vec<_>>()
                .join(" "),
            pid = p.pid
        ),
        None => "restart dockerd the way it is normally started".into(),
    }
}

fn before_after(
    before: &[Finding],
    after: &[Finding],
    checks: &[String],
    held: &[String],
    pending: &[String],
) -> (String, Value) {
    let mut t = String::from("\nre-audit:\n");
    let mut rows = Vec::new();
    for c in checks.iter().chain(held) {
        let b = before.iter().find(|f| f.id == c).map(|f| f.outcome);
        let a = after.iter().find(|f| f.id == c).map(|f| f.outcome);
        let label = |o: Option<Outcome>| o.map(|o| o.label()).unwrap_or("?");
        let note = if held.contains(c) {
            "  (held: needs --restart)"
        } else if pending.contains(c) {
            "  (in daemon.json; the running daemon uses it after a restart)"
        } else {
            ""
        };
        t.push_str(&format!(
            "    {c:<7} {:<5} -> {}{note}\n",
            label(b),
            label(a)
        ));
        rows.push(
            json!({"check": c, "before": label(b), "after": label(a), "held": held.contains(c), "restart_pending": pending.contains(c)}),
        );
    }
    (t, Value::Array(rows))
}

impl Run {
    fn done(text: String, json: Value, code: i32) -> Run {
        Run {
            text,
            json,
            code,
            error: None,
        }
    }
}

/// Create the transaction: the originals of every file it will touch,
/// saved before the first change. On error nothing has changed.
fn begin(opts: &Options, p: &Prepared, snap: &Snapshot) -> Result<Journal, String> {
    let root_s = opts.root.display().to_string();
    let mut j = Journal::create(&opts.state_dir, &root_s, p.checks()).map_err(|e| {
        format!(
            "cannot create a transaction under {}: {e}",
            opts.state_dir.display()
        )
    })?;
    let paths = p.edits.iter().map(|e| &e.path);
    for path in paths.chain(p.meta.iter().map(|m| &m.path)) {
        if let Err(e) = j.keep(&opts.root, path) {
            let _ = std::fs::remove_dir_all(&j.dir);
            return Err(format!(
                "cannot record the original of {path}: {e}; nothing was changed"
            ));
        }
    }
    j.daemon_json = p
        .edits
        .iter()
        .find(|e| e.json.is_some())
        .map(|e| e.path.clone());
    j.daemon_pid = daemon_pid(snap);
    j.restart_keys = p.restart_keys.iter().map(|(k, _)| k.clone()).collect();
    if let Err(e) = j.save() {
        let _ = std::fs::remove_dir_all(&j.dir);
        return Err(format!(
            "cannot write the journal: {e}; nothing was changed"
        ));
    }
    Ok(j)
}

/// Writes, then the reload that makes live daemon.json keys take effect.
fn write_and_reload(
    j: &mut Journal,
    p: &Prepared,
    opts: &Options,
    snap: &Snapshot,
    log: &mut Vec<String>,
) -> Result<u64, String> {
    let t = Instant::now();
    do_writes(j, p, &opts.root, log)?;
    let writes_ms = t.elapsed().as_millis() as u64;
    if p.live_keys.is_empty() {
        return Ok(writes_ms);
    }
    if opts.root != Path::new("/") {
        log.push(format!(
            "with --root, reload the daemon on that host: kill -HUP {}",
            daemon_pid(snap)
                .map(|p| p.to_string())
                .unwrap_or("<pid>".into())
        ));
        return Ok(writes_ms);
    }
    let msg = reload(daemon_pid(snap), &socket(opts), &p.live_keys, opts.wait)
        .map_err(|e| format!("reload not confirmed: {e}"))?;
    log.push(msg);
    Ok(writes_ms)
}

/// Restart for restart-class keys: systemd when it manages the daemon,
/// otherwise the command to run. Returns whether the daemon restarted.
fn restart_step(
    opts: &Options,
    p: &Prepared,
    snap: &Snapshot,
    j: &mut Journal,
    log: &mut Vec<String>,
) -> bool {
    if !opts.restart || p.restart_keys.is_empty() {
        return false;
    }
    let unit = daemon_pid(snap)
        .and_then(host::systemd_unit_of)
        .filter(|_| opts.root == Path::new("/"));
    match unit {
        Some(u) => {
            match host::systemd_restart(&u, &socket(opts), opts.wait.max(Duration::from_secs(30))) {
                Ok(()) => {
                    log.push(format!("restarted {u} through systemd"));
                    true
                }
                Err(e) => {
                    log.push(format!("restart through systemd failed: {e}"));
                    false
                }
            }
        }
        None => {
            let cmd = manual_restart(snap);
            let keys: Vec<&str> = p.restart_keys.iter().map(|(k, _)| k.as_str()).collect();
            log.push(format!(
                "dockerd is not managed by systemd; restart it to apply {}: {cmd}",
                keys.join(", ")
            ));
            j.notes.push(format!("restart pending: {cmd}"));
            false
        }
    }
}

/// Audit the same checks again; before and after per check.
fn reaudit(
    opts: &Options,
    before: &[Finding],
    p: &Prepared,
    restarted: bool,
) -> (String, Value, bool) {
    let checks =
        rules::select(rules::docker::checks(), &opts.only, &opts.exclude).unwrap_or_default();
    let after_snap = collect::collect(&opts.collect);
    let after = rules::evaluate(&after_snap, &EvalOptions::default(), &checks).findings;
    let held: Vec<String> = p.held.iter().map(|a| a.check.clone()).collect();
    let pending: Vec<String> = if restarted {
        Vec::new()
    } else {
        p.apply
            .iter()
            .filter(|a| a.effect == remediate::Effect::Restart)
            .map(|a| a.check.clone())
            .collect()
    };
    let (text, rows) = before_after(before, &after, &p.checks(), &held, &pending);
    (text, rows, !pending.is_empty())
}

/// Undo a failed apply and say what happened.
fn fail_and_undo(mut j: Journal, opts: &Options, mut text: String, out: Value, e: &str) -> Run {
    let mut rlog = Vec::new();
    let r = undo(&mut j, opts, &mut rlog);
    for l in &rlog {
        text.push_str(&format!("    rollback: {}\n", remediate::escape(l)));
    }
    let _ = j.finish(Status::Failed);
    let mut run = match r {
        Ok(()) => Run::fail(
            text,
            &format!("{e}; everything it had changed was rolled back (transaction {})", j.id),
        ),
        Err(re) => Run::fail(
            text,
            &format!(
                "{e}; the rollback failed too ({re}); finish it with `shipshape harden rollback {}`",
                j.id
            ),
        ),
    };
    let mut out = out;
    out["status"] = json!("failed");
    out["error"] = run.json["error"].clone();
    run.json = out;
    run
}

/// `harden apply`.
pub fn run_apply(opts: &Options, confirm: &mut dyn FnMut(&str) -> bool) -> Run {
    let Planned {
        snap,
        findings,
        prepared: p,
        elapsed,
    } = match plan(opts, opts.restart) {
        Ok(p) => p,
        Err(e) => return Run::fail(String::new(), &e),
    };
    let mut text = render::text(&p, "harden apply");
    let mut out = render::json(&p);
    out["plan_ms"] = json!(elapsed.as_millis() as u64);
    let stop = if p.is_noop() {
        Some(("nothing-to-do", "Nothing to change: the host already has every change this plan can make. No transaction was recorded.", 0))
    } else if opts.dry_run {
        Some(("dry-run", "dry run: nothing was written.", 0))
    } else if !confirm(&format!("Apply {} change(s) to this host?", p.apply.len())) {
        Some(("cancelled", "cancelled: nothing was written.", 1))
    } else {
        None
    };
    if let Some((status, msg, code)) = stop {
        text.push_str(&format!("\n{msg}\n"));
        out["status"] = json!(status);
        return Run::done(text, out, code);
    }
    let mut j = match begin(opts, &p, &snap) {
        Ok(j) => j,
        Err(e) => return Run::fail(text, &e),
    };
    text.push_str(&format!(
        "\ntransaction {} (journal {})\n",
        j.id,
        j.dir.display()
    ));
    out["transaction"] = json!(j.id);
    let t = Instant::now();
    let mut log = Vec::new();
    let result = write_and_reload(&mut j, &p, opts, &snap, &mut log);
    let total_ms = t.elapsed().as_millis() as u64;
    for l in &log {
        text.push_str(&format!("    {}\n", remediate::escape(l)));
    }
    let apply_ms = match result {
        Ok(ms) => ms,
        Err(e) => return fail_and_undo(j, opts, text, out, &e),
    };
    let mut rlog = Vec::new();
    let restarted = restart_step(opts, &p, &snap, &mut j, &mut rlog);
    let _ = j.finish(Status::Applied);
    for l in &rlog {
        text.push_str(&format!("    {}\n", remediate::escape(l)));
    }
    log.extend(rlog);
    text.push_str(&format!(
        "applied in {apply_ms} ms, {total_ms} ms with the reload (plan {} ms)\n",
        elapsed.as_millis()
    ));
    let (t2, rows, pending) = reaudit(opts, &findings, &p, restarted);
    text.push_str(&t2);
    out["restart_pending"] = json!(pending);
    out["status"] = json!("applied");
    out["log"] = json!(log);
    out["apply_ms"] = json!(apply_ms);
    out["apply_with_reload_ms"] = json!(total_ms);
    out["reaudit"] = rows;
    Run::done(text, out, 0)
}

/// Remove the audit rules the transaction loaded (only those still loaded).
fn unload_rules(j: &Journal, log: &mut Vec<String>, errors: &mut Vec<String>) {
    if j.audit_rules.is_empty() {
        return;
    }
    let Some(ctl) = host::auditctl() else {
        errors.push("auditctl is not installed, so loaded rules cannot be removed".to_string());
        return;
    };
    let loaded = host::loaded_watches(&ctl).unwrap_or_default();
    for r in j.audit_rules.iter().rev() {
        if !host::is_loaded(&loaded, &r.path) {
            continue;
        }
        match host::unload_watch(&ctl, &r.path) {
            Ok(()) => log.push(format!(
                "removed audit rule `{}`",
                remediate::escape(&r.line)
            )),
            Err(e) => errors.push(e),
        }
    }
}

/// Put one file back: exact bytes (checked against the recorded sha256),
/// mode and owner; or remove it when shipshape created it.
fn restore_file(j: &Journal, e: &journal::FileEntry, real: &Path) -> Result<String, String> {
    if !e.before.exists {
        files::remove(real).map_err(|x| x.to_string())?;
    } else if e.backup.is_some() {
        let b = j
            .backup_bytes(e)
            .map_err(|x| format!("cannot read the saved copy: {x}"))?;
        if files::sha256_hex(&b) != e.before.sha256 {
            return Err("the saved copy does not match its recorded sha256".to_string());
        }
        files::restore(real, &b, &e.before).map_err(|x| x.to_string())?;
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::os::unix::fs::chown(real, Some(e.before.uid), Some(e.before.gid))
            .and_then(|_| {
                std::fs::set_permissions(real, std::fs::Permissions::from_mode(e.before.mode))
            })
            .map_err(|x| x.to_string())?;
    }
    let (after, _) = files::state(real).map_err(|x| x.to_string())?;
    if after != e.before {
        return Err("it does not match its recorded state after restoring".into());
    }
    let path = remediate::escape(&e.path);
    Ok(if !e.before.exists {
        format!("removed {path} (shipshape created it)")
    } else {
        let sha = if e.before.sha256.is_empty() {
            String::new()
        } else {
            format!(", sha256 {}", &e.before.sha256[..16])
        };
        format!(
            "restored {path} (mode {:04o}, owner {}:{}{sha})",
            e.before.mode, e.before.uid, e.before.gid
        )
    })
}

/// Restore what a transaction changed: audit rules out of the kernel,
/// files back to their exact bytes, modes and owners, then a reload.
fn undo(j: &mut Journal, opts: &Options, log: &mut Vec<String>) -> Result<(), String> {
    let root = PathBuf::from(&j.root);
    let host_root = root == Path::new("/");
    let mut errors = Vec::new();
    unload_rules(j, log, &mut errors);
    let mut daemon_json_restored = false;
    for e in j.files.clone().iter().rev() {
        let real = real_path(&root, &e.path);
        match files::state(&real) {
            Ok((now, _)) if now == e.before => continue,
            Ok(_) => {}
            Err(x) => {
                errors.push(format!("cannot stat {}: {x}", e.path));
                continue;
            }
        }
        let is_daemon_json = j.daemon_json.as_deref() == Some(e.path.as_str());
        if is_daemon_json && host_root {
            if let Err(x) = reset_reloaded_keys(j, e, opts, log) {
                errors.push(x);
            }
        }
        match restore_file(j, e, &real) {
            Ok(msg) => {
                log.push(msg);
                daemon_json_restored |= is_daemon_json;
            }
            Err(x) => errors.push(format!("cannot restore {}: {x}", e.path)),
        }
    }
    if daemon_json_restored && !host_root {
        log.push("with --root, reload the daemon on that host (kill -HUP)".into());
    } else if daemon_json_restored {
        let snap = collect::collect(&opts.collect);
        match reload(daemon_pid(&snap), &socket(opts), &[], opts.wait) {
            Ok(m) => log.push(m),
            Err(e) => errors.push(format!("reload after restoring daemon.json: {e}")),
        }
        if !j.restart_keys.is_empty() {
            log.push(format!(
                "a daemon restart is needed to drop {}",
                j.restart_keys.join(", ")
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// The built-in value of a reloadable key, which the daemon keeps using
/// after a reload of a file that no longer sets it.
fn reload_default(key: &str) -> Option<Value> {
    Some(match key {
        "live-restore" | "debug" => Value::Bool(false),
        "labels"
        | "insecure-registries"
        | "registry-mirrors"
        | "allow-nondistributable-artifacts" => json!([]),
        _ => return None,
    })
}

/// A SIGHUP only applies keys the file sets, so removing a key we added
/// would leave its value live. Before restoring the original bytes, reload
/// once with such keys set to the daemon's defaults.
fn reset_reloaded_keys(
    j: &Journal,
    e: &journal::FileEntry,
    opts: &Options,
    log: &mut Vec<String>,
) -> Result<(), String> {
    let real = real_path(Path::new(&j.root), &e.path);
    let parse = |b: &[u8]| -> serde_json::Map<String, Value> {
        match serde_json::from_slice::<Value>(b) {
            Ok(Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        }
    };
    let current = parse(&std::fs::read(&real).unwrap_or_default());
    let original = parse(&j.backup_bytes(e).unwrap_or_default());
    let mut interim = original.clone();
    let mut reset = Vec::new();
    for k in current
        .keys()
        .filter(|k| !original.contains_key(*k) && remediate::is_reloadable(k))
    {
        match reload_default(k) {
            Some(v) => {
                interim.insert(k.clone(), v.clone());
                reset.push((k.clone(), v));
            }
            None => log.push(format!("\"{k}\" keeps its value until the daemon restarts")),
        }
    }
    if reset.is_empty() {
        return Ok(());
    }
    let text = serde_json::to_string_pretty(&Value::Object(interim)).unwrap_or_default() + "\n";
    files::atomic_write(&real, text.as_bytes(), e.before.mode)
        .map_err(|x| format!("cannot write {}: {x}", e.path))?;
    let snap = collect::collect(&opts.collect);
    let msg = reload(daemon_pid(&snap), &socket(opts), &reset, opts.wait)?;
    log.push(format!(
        "reset {} to the daemon's default ({msg})",
        reset
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Ok(())
}

/// What a rollback of `j` will do, as text.
fn describe_rollback(j: &Journal) -> String {
    let mut text = format!(
        "transaction {} ({}, started {}), checks {}\n",
        j.id,
        j.status.label(),
        j.started_at,
        j.checks.join(", ")
    );
    for f in &j.files {
        let path = remediate::escape(&f.path);
        let line = match (f.before.exists, f.before.sha256.is_empty()) {
            (false, _) => format!("    remove {path} (it did not exist before)\n"),
            (true, sha_empty) => format!(
                "    restore {path} to {} (mode {:04o}, owner {}:{})\n",
                if sha_empty {
                    "its mode and owner".to_string()
                } else {
                    format!("sha256 {}", f.before.sha256)
                },
                f.before.mode,
                f.before.uid,
                f.before.gid
            ),
        };
        text.push_str(&line);
    }
    for r in &j.audit_rules {
        text.push_str(&format!(
            "    remove audit rule `{}`\n",
            remediate::escape(&r.line)
        ));
    }
    text
}

/// `harden rollback [TXN]`.
pub fn run_rollback(
    opts: &Options,
    txn: Option<&str>,
    confirm: &mut dyn FnMut(&str) -> bool,
) -> Run {
    let mut j = match journal::find(&opts.state_dir, txn) {
        Ok(j) => j,
        Err(e) => return Run::fail(String::new(), &e),
    };
    if let Some(newer) = journal::blocking_newer(&opts.state_dir, &j) {
        return Run::fail(
            String::new(),
            &format!(
                "transaction {newer} is newer, still applied and changed the same files or rules; roll it back first (`shipshape harden rollback {newer}`)"
            ),
        );
    }
    let mut text = describe_rollback(&j);
    let mut out = json!({"transaction": j.id, "files": j.files, "audit_rules": j.audit_rules});
    let stop = if j.status == Status::RolledBack && txn.is_some() {
        Some(("nothing-to-do", "already rolled back; nothing to do", 0))
    } else if opts.dry_run {
        Some(("dry-run", "dry run: nothing was changed.", 0))
    } else if !confirm(&format!("Roll back transaction {}?", j.id)) {
        Some(("cancelled", "cancelled.", 1))
    } else {
        None
    };
    if let Some((status, msg, code)) = stop {
        text.push_str(&format!("{msg}\n"));
        out["status"] = json!(status);
        return Run::done(text, out, code);
    }
    let mut log = Vec::new();
    let r = undo(&mut j, opts, &mut log);
    for l in &log {
        text.push_str(&format!("    {}\n", remediate::escape(l)));
    }
    out["log"] = json!(log);
    match r {
        Ok(()) => {
            let _ = j.finish(Status::RolledBack);
            text.push_str(&format!("rolled back {}\n", j.id));
            out["status"] = json!("rolled-back");
            Run::done(text, out, 0)
        }
        Err(e) => {
            let _ = j.save();
            Run::fail(
                text,
                &format!("rollback incomplete: {e}; run it again once the cause is fixed"),
            )
        }
    }
}

/// `harden history`.
pub fn run_history(opts: &Options) -> Run {
    let all = journal::list(&opts.state_dir);
    let mut text = String::new();
    let mut rows = Vec::new();
    if all.is_empty() {
        text.push_str(&format!(
            "no transactions under {}\n",
            journal::transactions_dir(&opts.state_dir).display()
        ));
    }
    for j in &all {
        match j {
            Ok(j) => {
                text.push_str(&format!(
                    "{}  {:<22} {}  checks {}  files {}  audit rules {}\n",
                    j.id,
                    j.status.label(),
                    j.started_at,
                    j.checks.join(","),
                    j.files
                        .iter()
                        .map(|f| remediate::escape(&f.path))
                        .collect::<Vec<_>>()
                        .join(","),
                    j.audit_rules.len()
                ));
                for n in &j.notes {
                    text.push_str(&format!("    note: {}\n", remediate::escape(n)));
                }
                rows.push(json!({"id": j.id, "status": j.status, "started_at": j.started_at, "finished_at": j.finished_at, "checks": j.checks, "files": j.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(), "audit_rules": j.audit_rules, "notes": j.notes}));
            }
            Err(e) => {
                text.push_str(&format!("ERROR {e}\n"));
                rows.push(json!({"error": e}));
            }
        }
    }
    Run {
        text,
        json: Value::Array(rows),
        code: 0,
        error: None,
    }
}
