//! What `harden` does to running things: load and remove audit rules with
//! auditctl (by absolute path), reload the daemon with SIGHUP and confirm
//! the reload through the Engine API, restart it through systemd.

use crate::collect::engine_client::Client;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// auditctl, by absolute path (never whatever `PATH` finds first).
pub fn auditctl() -> Option<PathBuf> {
    ["/sbin/auditctl", "/usr/sbin/auditctl"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

fn run(prog: &Path, args: &[&str]) -> Result<String, String> {
    let o = Command::new(prog)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", prog.display()))?;
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).to_string())
    } else {
        Err(format!(
            "{} {} failed: {}",
            prog.display(),
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        ))
    }
}

/// The kernel's audit `enabled` flag: 2 means the rules are immutable
/// until reboot.
pub fn audit_enabled(auditctl: &Path) -> Result<u32, String> {
    let out = run(auditctl, &["-s"])?;
    out.lines()
        .find_map(|l| l.strip_prefix("enabled "))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("{} -s did not report 'enabled'", auditctl.display()))
}

fn same(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Paths watched by the kernel's loaded rules.
pub fn loaded_watches(auditctl: &Path) -> Result<Vec<String>, String> {
    let out = run(auditctl, &["-l"])?;
    Ok(crate::collect::audit::parse_rules(&out)
        .into_iter()
        .map(|r| r.path)
        .collect())
}

pub fn is_loaded(loaded: &[String], path: &str) -> bool {
    loaded.iter().any(|l| same(l, path))
}

/// Load `-w PATH -p rwxa -k docker`.
pub fn load_watch(auditctl: &Path, path: &str) -> Result<(), String> {
    run(auditctl, &["-w", path, "-p", "rwxa", "-k", "docker"]).map(|_| ())
}

/// Remove the watch `load_watch` added.
pub fn unload_watch(auditctl: &Path, path: &str) -> Result<(), String> {
    run(auditctl, &["-W", path, "-p", "rwxa", "-k", "docker"]).map(|_| ())
}

/// Whether process `pid` holds the listening unix socket at `socket`: the
/// proof that the daemon harden would reload (and whose config file it
/// would edit) is the one at the other end of the API socket.
pub fn serves_socket(pid: u32, socket: &Path) -> bool {
    let want = crate::snapshot::daemon::normalize_run(&socket.display().to_string());
    let Ok(unix) = std::fs::read_to_string("/proc/net/unix") else {
        return false;
    };
    let inodes: Vec<String> = unix
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let path = f.get(7)?;
            (f.get(3) == Some(&"00010000") && crate::snapshot::daemon::normalize_run(path) == want)
                .then(|| format!("socket:[{}]", f[6]))
        })
        .collect();
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten().any(|fd| {
        std::fs::read_link(fd.path())
            .map(|t| inodes.iter().any(|i| t.as_os_str() == i.as_str()))
            .unwrap_or(false)
    })
}

/// Send SIGHUP to the daemon.
pub fn sighup(pid: u32) -> Result<(), String> {
    let pid = i32::try_from(pid).map_err(|_| format!("bad pid {pid}"))?;
    // SAFETY: kill(2) with a positive pid and a valid signal number has no
    // memory-safety preconditions.
    let r = unsafe { libc::kill(pid, libc::SIGHUP) };
    if r == 0 {
        Ok(())
    } else {
        Err(format!(
            "cannot send SIGHUP to dockerd (pid {pid}): {}",
            std::io::Error::last_os_error()
        ))
    }
}

pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Wait for the daemon's `reload` event after `since` (unix seconds) and
/// return its attributes (the configuration the daemon now runs with).
/// A reload that fails (e.g. a flag conflict) emits no event, so this times
/// out with an error instead of reporting success.
pub fn confirm_reload(socket: &Path, since: f64, timeout: Duration) -> Result<Value, String> {
    let client = Client::new(socket, Duration::from_secs(5));
    let deadline = Instant::now() + timeout;
    let filters = "%7B%22type%22%3A%5B%22daemon%22%5D%2C%22event%22%3A%5B%22reload%22%5D%7D";
    let since_nanos = (since * 1e9) as i128;
    loop {
        let until = unix_now();
        let path = format!(
            "/events?since={}&until={:.3}&filters={filters}",
            since.floor() as i64 - 1,
            until
        );
        let mut conn = client.connect().map_err(|e| e.0)?;
        let body = conn.get(&path).map_err(|e| e.0)?.body;
        let text = String::from_utf8_lossy(&body);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(ev) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let t = ev["timeNano"].as_i64().unwrap_or(0) as i128;
            if t >= since_nanos - 1_000_000 {
                return Ok(ev["Actor"]["Attributes"].clone());
            }
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "the daemon at {} did not report a reload within {:.0}s; its log says why \
                 (a reload that fails leaves the old configuration running)",
                socket.display(),
                timeout.as_secs_f64()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `GET /info` as JSON.
pub fn info(socket: &Path) -> Result<Value, String> {
    let client = Client::new(socket, Duration::from_secs(5));
    let mut conn = client.connect().map_err(|e| e.0)?;
    conn.get_json::<Value>("/info").map_err(|e| e.0)
}

/// Whether systemd runs this daemon as `docker.service`.
pub fn systemd_unit_of(pid: u32) -> Option<String> {
    let init = std::fs::read_to_string("/proc/1/comm").ok()?;
    if init.trim() != "systemd" {
        return None;
    }
    let cg = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    cg.lines()
        .filter_map(|l| l.rsplit('/').next())
        .find(|u| u.ends_with(".service"))
        .map(str::to_string)
}

/// `systemctl restart UNIT`, then wait until the API answers again.
pub fn systemd_restart(unit: &str, socket: &Path, timeout: Duration) -> Result<(), String> {
    run(Path::new("/usr/bin/systemctl"), &["restart", unit])
        .or_else(|_| run(Path::new("/bin/systemctl"), &["restart", unit]))?;
    wait_for_api(socket, timeout)
}

pub fn wait_for_api(socket: &Path, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        if info(socket).is_ok() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "the daemon at {} did not answer within {:.0}s of the restart",
                socket.display(),
                timeout.as_secs_f64()
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Quote one word for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
