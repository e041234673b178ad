//! A throwaway second dockerd for the `harden` tests. It has its own socket,
//! data root, exec root, pid file and `--config-file` in a temp directory,
//! runs without iptables on a bridge the harness creates, and is stopped
//! (with its bridge, mounts, audit rules and directories removed) when the
//! value is dropped, even when the test panics. It never touches the
//! machine's own daemon, and never uses `--bridge none` (which would delete
//! the host's docker0).

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Every throwaway directory starts with this, so tests can tell their
/// audit rules from the machine's.
pub const PREFIX: &str = "/tmp/shipshape-tw-";

pub struct Throwaway {
    pub dir: PathBuf,
    pub bridge: String,
    child: Option<Child>,
    args: Vec<String>,
}

fn sh(cmd: &str, args: &[&str]) -> Output {
    Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd}: {e}"))
}

fn sh_ok(cmd: &str, args: &[&str]) -> String {
    let o = sh(cmd, args);
    assert!(
        o.status.success(),
        "{cmd} {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn sha256(p: &Path) -> String {
    let o = sh_ok("sha256sum", &[p.to_str().unwrap()]);
    o.split_whitespace().next().unwrap().to_string()
}

/// `auditctl -l`, by absolute path.
pub fn audit_rules() -> Vec<String> {
    let ctl = ["/sbin/auditctl", "/usr/sbin/auditctl"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("auditctl is missing: run scripts/setup.sh (installs auditd)");
    let out = sh_ok(ctl, &["-l"]);
    out.lines()
        .filter(|l| !l.trim().is_empty() && l.trim() != "No rules")
        .map(str::to_string)
        .collect()
}

/// The machine's rules: everything not belonging to a throwaway daemon.
pub fn machine_rules() -> Vec<String> {
    audit_rules()
        .into_iter()
        .filter(|l| !l.contains(PREFIX))
        .collect()
}

impl Throwaway {
    /// Start a daemon whose `--config-file` holds `daemon_json`.
    pub fn start(daemon_json: &str, extra: &[&str]) -> Throwaway {
        let n = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
            ^ (std::process::id() << 8);
        let id = format!("{:08x}", n);
        let dir = PathBuf::from(format!("{PREFIX}{id}"));
        fs::create_dir_all(dir.join("data")).unwrap();
        fs::create_dir_all(dir.join("exec")).unwrap();
        fs::write(dir.join("daemon.json"), daemon_json).unwrap();
        let bridge = format!("ssw{}", &id[..8]);
        let net = (n % 200) + 20;
        let mut tw = Throwaway {
            dir: dir.clone(),
            bridge: bridge.clone(),
            child: None,
            args: Vec::new(),
        };
        sh_ok("ip", &["link", "add", &bridge, "type", "bridge"]);
        sh_ok(
            "ip",
            &["addr", "add", &format!("10.233.{net}.1/24"), "dev", &bridge],
        );
        sh_ok("ip", &["link", "set", &bridge, "up"]);
        let d = |s: &str| dir.join(s).display().to_string();
        tw.args = vec![
            "-H".into(),
            format!("unix://{}", d("docker.sock")),
            "--data-root".into(),
            d("data"),
            "--exec-root".into(),
            d("exec"),
            "--pidfile".into(),
            d("docker.pid"),
            "--config-file".into(),
            d("daemon.json"),
            "--iptables=false".into(),
            "--ip6tables=false".into(),
            "--storage-driver".into(),
            "vfs".into(),
            "--bridge".into(),
            bridge,
        ];
        tw.args.extend(extra.iter().map(|s| s.to_string()));
        tw.spawn();
        tw
    }

    pub fn docker_host(&self) -> String {
        format!("unix://{}", self.dir.join("docker.sock").display())
    }

    pub fn config(&self) -> PathBuf {
        self.dir.join("daemon.json")
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("dockerd.log")).unwrap_or_default()
    }

    fn spawn(&mut self) {
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("dockerd.log"))
            .unwrap();
        let child = Command::new("dockerd")
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("cannot start dockerd");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(c) = self.child.as_mut() {
                if let Ok(Some(st)) = c.try_wait() {
                    self.child = None;
                    panic!("the throwaway dockerd exited ({st}):\n{}", self.log());
                }
            }
            let o = Command::new("docker")
                .args([
                    "-H",
                    &self.docker_host(),
                    "version",
                    "--format",
                    "{{.Server.Version}}",
                ])
                .output();
            if o.is_ok_and(|o| o.status.success()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the throwaway dockerd did not answer within 60 s:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).unwrap_or(0)
    }

    /// Stop the daemon (TERM, then KILL after 30 s) and wait for it.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            unsafe_kill(c.id(), "TERM");
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Ok(Some(_)) = c.try_wait() {
                    break;
                }
                if Instant::now() > deadline {
                    let _ = c.kill();
                    let _ = c.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    /// What `harden apply --restart` asks for on a daemon systemd does not
    /// manage: stop it and start it again with the same command line.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// `GET /info` through the docker CLI.
    pub fn info(&self) -> serde_json::Value {
        let o = sh_ok(
            "docker",
            &["-H", &self.docker_host(), "info", "--format", "{{json .}}"],
        );
        serde_json::from_str(&o).expect("docker info JSON")
    }

    /// Run shipshape against this daemon.
    pub fn shipshape(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_shipshape"));
        c.args(args).env("DOCKER_HOST", self.docker_host());
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("run shipshape")
    }

    /// The audit rules loaded for this daemon's paths.
    pub fn my_rules(&self) -> Vec<String> {
        let d = self.dir.display().to_string();
        audit_rules()
            .into_iter()
            .filter(|l| l.contains(&d))
            .collect()
    }
}

fn unsafe_kill(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .output();
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        self.stop();
        // Audit rules left for our paths (a failed test) go too.
        let d = self.dir.display().to_string();
        if let Some(ctl) = ["/sbin/auditctl", "/usr/sbin/auditctl"]
            .into_iter()
            .find(|p| Path::new(p).exists())
        {
            for l in audit_rules().iter().filter(|l| l.contains(&d)) {
                if let Some(rest) = l.strip_prefix("-w ") {
                    let args: Vec<&str> = std::iter::once("-W")
                        .chain(rest.split_whitespace())
                        .collect();
                    let _ = Command::new(ctl).args(&args).output();
                }
            }
        }
        // dockerd leaves its data root bind-mounted; unmount deepest first.
        let mut mounts: Vec<String> = fs::read_to_string("/proc/mounts")
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
            .filter(|m| m.starts_with(&d))
            .collect();
        mounts.sort_by_key(|m| std::cmp::Reverse(m.len()));
        for m in mounts {
            let _ = Command::new("umount").args(["-l", &m]).output();
        }
        let _ = Command::new("ip")
            .args(["link", "del", &self.bridge])
            .output();
        let _ = fs::remove_dir_all(&self.dir);
    }
}
