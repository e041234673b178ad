//! Audit rules: loaded (`auditctl -l`) and on disk (`/etc/audit/audit.rules`,
//! `/etc/audit/rules.d/*.rules`), parsed into what they watch.

use super::hostfs::HostFs;
use crate::snapshot::{AuditFacts, AuditRule, AuditRuleFile, Probe};

/// Parse audit rules text (auditctl syntax, one rule per line).
pub fn parse_rules(text: &str) -> Vec<AuditRule> {
    let mut out = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let toks: Vec<&str> = line.split_whitespace().collect();
        let mut kind = None;
        let mut path = None;
        let mut recursive = false;
        let mut perms = String::new();
        let mut key = String::new();
        let mut never = false;
        let mut i = 0;
        while i < toks.len() {
            let t = toks[i];
            let next = toks.get(i + 1).copied();
            match t {
                "-w" => {
                    kind = Some("watch");
                    path = next.map(str::to_string);
                    // A directory watch covers the tree below it.
                    recursive = true;
                    i += 1;
                }
                "-a" | "-A" => {
                    kind = Some("syscall");
                    if next.is_some_and(|n| n.split(',').any(|p| p == "never")) {
                        never = true;
                    }
                    i += 1;
                }
                "-p" => {
                    perms = next.unwrap_or("").to_string();
                    i += 1;
                }
                "-k" => {
                    key = next.unwrap_or("").to_string();
                    i += 1;
                }
                "-F" => {
                    if let Some((f, v)) = next.and_then(|n| n.split_once('=')) {
                        match f {
                            "path" => {
                                path = Some(v.to_string());
                                recursive = false;
                            }
                            "dir" => {
                                path = Some(v.to_string());
                                recursive = true;
                            }
                            "perm" => perms = v.to_string(),
                            "key" => key = v.to_string(),
                            _ => {}
                        }
                    }
                    i += 1;
                }
                _ => {}
            }
            i += 1;
        }
        if never {
            continue;
        }
        if let (Some(kind), Some(path)) = (kind, path) {
            out.push(AuditRule {
                kind: kind.to_string(),
                path: path.trim_end_matches('/').to_string(),
                recursive,
                perms,
                key,
                text: line.to_string(),
                line: idx + 1,
            });
        }
    }
    out
}

/// Where `auditctl` may be installed; the first that exists is run.
pub const AUDITCTL_PATHS: &[&str] = &[
    "/usr/sbin/auditctl",
    "/sbin/auditctl",
    "/usr/bin/auditctl",
    "/bin/auditctl",
];

/// Collect loaded and on-disk rules.
pub fn collect(fs: &HostFs) -> AuditFacts {
    let loaded = if fs.is_host_root() {
        // Run by absolute path from the system directories only, with an
        // empty environment: never whatever `auditctl` comes first on $PATH.
        let exe = AUDITCTL_PATHS
            .iter()
            .find(|p| std::path::Path::new(p).is_file());
        match exe.map(|exe| {
            std::process::Command::new(exe)
                .arg("-l")
                .env_clear()
                .env("LC_ALL", "C")
                .output()
        }) {
            None => None,
            Some(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => None,
            Some(Err(e)) => Some(Probe::Error(format!("cannot run auditctl -l: {e}"))),
            Some(Ok(o)) if o.status.success() => {
                let text = String::from_utf8_lossy(&o.stdout);
                Some(Probe::Ok(parse_rules(&text)))
            }
            Some(Ok(o)) => Some(Probe::Error(format!(
                "auditctl -l failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ))),
        }
    } else {
        // The kernel's rules belong to the host we run on, not to --root.
        None
    };
    let mut files = Vec::new();
    let mut paths = vec!["/etc/audit/audit.rules".to_string()];
    if let Ok(names) = fs.list_dir("/etc/audit/rules.d") {
        paths.extend(
            names
                .into_iter()
                .filter(|n| n.ends_with(".rules"))
                .map(|n| format!("/etc/audit/rules.d/{n}")),
        );
    }
    for p in paths {
        match fs.read_to_string(&p) {
            Ok(t) => files.push(AuditRuleFile {
                path: p,
                rules: Probe::Ok(parse_rules(&t)),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => files.push(AuditRuleFile {
                path: p.clone(),
                rules: Probe::Error(format!("cannot read {p}: {e}")),
            }),
        }
    }
    AuditFacts { loaded, files }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watches_and_syscall_rules() {
        let r = parse_rules(
            "# comment\n-w /usr/bin/dockerd -p rwxa -k docker\n\
             -a always,exit -F arch=b64 -S all -F path=/usr/bin/runc -F perm=rwxa -F key=docker\n\
             -a always,exit -F dir=/etc/docker -F perm=wa -k docker\n\
             -a never,exit -F path=/usr/bin/containerd\n-D\n-b 8192\n",
        );
        assert_eq!(r.len(), 3);
        assert_eq!(
            (r[0].kind.as_str(), r[0].path.as_str(), r[0].line),
            ("watch", "/usr/bin/dockerd", 2)
        );
        assert_eq!(
            (r[1].path.as_str(), r[1].recursive, r[1].key.as_str()),
            ("/usr/bin/runc", false, "docker")
        );
        assert!(r[2].recursive);
    }
}
