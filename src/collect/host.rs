//! Smaller host facts: mounts, the docker group, content-trust settings,
//! well-known binaries, OS name.

use super::hostfs::HostFs;
use crate::snapshot::{EnvSetting, GroupMembers, InitFacts, MountPoint};

/// Directories searched for the Docker and containerd binaries.
pub const BIN_DIRS: &[&str] = &[
    "/usr/bin",
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/bin",
    "/sbin",
    "/usr/libexec/docker",
];

/// Binaries whose audit rules section 1.1 asks for.
pub const BINARIES: &[&str] = &[
    "dockerd",
    "containerd",
    "containerd-shim",
    "containerd-shim-runc-v1",
    "containerd-shim-runc-v2",
    "runc",
];

pub fn find_binary(fs: &HostFs, name: &str) -> Option<String> {
    BIN_DIRS
        .iter()
        .map(|d| format!("{d}/{name}"))
        .find(|p| fs.resolve(p, true).is_file())
}

/// `name` on the daemon's PATH (`PATH=` of its environment) first, then on
/// the usual bin directories.
pub fn find_binary_on(fs: &HostFs, name: &str, path_env: Option<&str>) -> Option<String> {
    path_env
        .into_iter()
        .flat_map(|p| p.split(':'))
        .filter(|d| d.starts_with('/'))
        .map(|d| format!("{}/{name}", d.trim_end_matches('/')))
        .find(|p| fs.resolve(p, true).is_file())
        .or_else(|| find_binary(fs, name))
}

/// `PATH` from `/proc/<pid>/environ` (readable by root only).
pub fn process_path_env(fs: &HostFs, pid: u32) -> Option<String> {
    let env = std::fs::read(fs.root.join(format!("proc/{pid}/environ"))).ok()?;
    env.split(|b| *b == 0)
        .filter_map(|kv| std::str::from_utf8(kv).ok())
        .find_map(|kv| kv.strip_prefix("PATH=").map(str::to_string))
}

/// Where host path `p` leads when it is (or passes through) a symbolic
/// link, as a host path; `None` when it is the file itself.
pub fn link_target(fs: &HostFs, p: &str) -> Option<String> {
    let real = fs.resolve(p, true);
    let rel = real.strip_prefix(&fs.root).ok()?;
    let host = format!("/{}", rel.to_string_lossy());
    (host != p).then_some(host)
}

/// The `--config` (`-c`) the running containerd was started with.
pub fn containerd_config(fs: &HostFs, table: &super::procs::ProcTable) -> Option<String> {
    for pid in table.pids_named("containerd") {
        let Ok(bytes) = std::fs::read(fs.root.join(format!("proc/{pid}/cmdline"))) else {
            continue;
        };
        let argv = super::procs::split_cmdline(&bytes);
        if let Some(c) = config_flag(&argv) {
            return Some(c);
        }
    }
    None
}

/// The value of `--config X`, `--config=X`, `-c X` in an argv.
pub fn config_flag(argv: &[String]) -> Option<String> {
    let mut it = argv.iter().skip(1);
    while let Some(a) = it.next() {
        if let Some(v) = a.strip_prefix("--config=") {
            return Some(v.to_string());
        }
        if a == "--config" || a == "-c" {
            return it.next().cloned();
        }
    }
    None
}

/// Whether systemd is the running init and started dockerd.
pub fn init_facts(fs: &HostFs, dockerd_pid: Option<u32>) -> InitFacts {
    let systemd_running = fs.is_dir("/run/systemd/system");
    let cgroup = dockerd_pid
        .and_then(|pid| std::fs::read_to_string(fs.root.join(format!("proc/{pid}/cgroup"))).ok());
    let dockerd_from_unit = cgroup.as_ref().map(|c| c.contains("docker.service"));
    let source = match (dockerd_pid, &cgroup) {
        (Some(pid), Some(c)) => format!(
            "/run/systemd/system {}, dockerd pid {pid} cgroup {}",
            if systemd_running { "exists" } else { "absent" },
            c.lines().next().unwrap_or("").trim()
        ),
        (Some(pid), None) => format!(
            "/run/systemd/system {}, cgroup of dockerd pid {pid} unreadable",
            if systemd_running { "exists" } else { "absent" }
        ),
        (None, _) => format!(
            "/run/systemd/system {}, no dockerd process visible",
            if systemd_running { "exists" } else { "absent" }
        ),
    };
    InitFacts {
        systemd_running,
        dockerd_from_unit,
        source,
    }
}

/// The mount table: the host's when `/proc` of the root is readable.
pub fn mounts(fs: &HostFs) -> Result<Vec<MountPoint>, String> {
    let candidates = if fs.is_host_root() {
        vec!["/proc/self/mountinfo"]
    } else {
        vec!["/proc/1/mountinfo", "/proc/self/mountinfo"]
    };
    for c in &candidates {
        if let Ok(text) = std::fs::read_to_string(fs.root.join(c.trim_start_matches('/'))) {
            return Ok(parse_mountinfo(&text));
        }
    }
    Err(format!(
        "no mount table: cannot read {}",
        candidates
            .iter()
            .map(|c| fs
                .root
                .join(c.trim_start_matches('/'))
                .display()
                .to_string())
            .collect::<Vec<_>>()
            .join(" or ")
    ))
}

pub fn parse_mountinfo(text: &str) -> Vec<MountPoint> {
    text.lines()
        .filter_map(|l| {
            let (pre, post) = l.split_once(" - ")?;
            let pre: Vec<&str> = pre.split_whitespace().collect();
            let post: Vec<&str> = post.split_whitespace().collect();
            Some(MountPoint {
                mount_point: unescape(pre.get(4)?),
                device: pre.get(2).unwrap_or(&"").to_string(),
                options: pre.get(5).unwrap_or(&"").to_string(),
                fs_type: post.first()?.to_string(),
                source: post.get(1).map(|s| unescape(s)).unwrap_or_default(),
            })
        })
        .collect()
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).to_string()
}

/// Members of the docker group: listed members plus users whose primary
/// group it is. `Ok(None)` when the group does not exist.
pub fn docker_group(fs: &HostFs, name: &str) -> Result<Option<GroupMembers>, String> {
    let groups = fs
        .group()
        .map_err(|e| format!("cannot read {}/etc/group: {e}", fs.root.display()))?;
    let Some(g) = groups.into_iter().find(|g| g.name == name) else {
        return Ok(None);
    };
    let mut members = g.members.clone();
    if let Ok(users) = fs.passwd() {
        for u in users.into_iter().filter(|u| u.gid == g.gid) {
            if !members.contains(&u.name) {
                members.push(u.name);
            }
        }
    }
    members.sort();
    Ok(Some(GroupMembers {
        gid: g.gid,
        members,
    }))
}

/// Every `DOCKER_CONTENT_TRUST=` the host sets for login sessions.
pub fn content_trust(fs: &HostFs) -> Vec<EnvSetting> {
    let mut files = vec![
        "/etc/environment".to_string(),
        "/etc/profile".to_string(),
        "/etc/bash.bashrc".to_string(),
        "/etc/bashrc".to_string(),
    ];
    if let Ok(names) = fs.list_dir("/etc/profile.d") {
        files.extend(
            names
                .into_iter()
                .filter(|n| n.ends_with(".sh"))
                .map(|n| format!("/etc/profile.d/{n}")),
        );
    }
    let mut out = Vec::new();
    for f in files {
        let Ok(text) = fs.read_to_string(&f) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            if let Some(v) = env_assignment(line, "DOCKER_CONTENT_TRUST") {
                out.push(EnvSetting {
                    file: f.clone(),
                    line: i + 1,
                    value: v,
                });
            }
        }
    }
    out
}

/// The value of `NAME=value` or `export NAME=value` on a line (quotes
/// removed), ignoring comments.
pub fn env_assignment(line: &str, name: &str) -> Option<String> {
    let l = line.trim();
    if l.starts_with('#') {
        return None;
    }
    let l = l.strip_prefix("export ").map(str::trim_start).unwrap_or(l);
    let rest = l.strip_prefix(name)?.strip_prefix('=')?;
    let v = rest.split('#').next().unwrap_or("").trim();
    let v = v.split(';').next().unwrap_or("").trim();
    Some(v.trim_matches(|c| c == '"' || c == '\'').to_string())
}

pub fn os_name(fs: &HostFs) -> String {
    ["/etc/os-release", "/usr/lib/os-release"]
        .iter()
        .filter_map(|p| fs.read_to_string(p).ok())
        .flat_map(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .next()
        .unwrap_or_default()
}

pub fn hostname(fs: &HostFs) -> String {
    let from_etc = fs
        .read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_string());
    let from_kernel = || {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|s| s.trim().to_string())
    };
    if fs.is_host_root() {
        from_kernel().or(from_etc)
    } else {
        from_etc
    }
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containerd_config_comes_from_its_command_line() {
        let p = "/var/run/docker/containerd/containerd.toml";
        assert_eq!(
            config_flag(&["containerd".into(), "--config".into(), p.into()]),
            Some(p.to_string())
        );
        assert_eq!(config_flag(&["containerd".into(), "-c=x".into()]), None);
    }

    #[test]
    fn env_assignments() {
        assert_eq!(
            env_assignment("export DOCKER_CONTENT_TRUST=1", "DOCKER_CONTENT_TRUST").as_deref(),
            Some("1")
        );
        assert_eq!(
            env_assignment("DOCKER_CONTENT_TRUST=\"1\" # on", "DOCKER_CONTENT_TRUST").as_deref(),
            Some("1")
        );
        assert_eq!(
            env_assignment("# DOCKER_CONTENT_TRUST=1", "DOCKER_CONTENT_TRUST"),
            None
        );
        assert_eq!(
            env_assignment("DOCKER_CONTENT_TRUST_SERVER=x", "DOCKER_CONTENT_TRUST"),
            None
        );
    }

    #[test]
    fn mountinfo_lines() {
        let m = parse_mountinfo(
            "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n\
             30 22 254:1 / /var/lib/docker rw - xfs /dev/vdb rw\n\
             31 22 0:5 / /mnt/with\\040space rw - tmpfs tmpfs rw\n",
        );
        assert_eq!(m.len(), 3);
        assert_eq!(m[1].mount_point, "/var/lib/docker");
        assert_eq!(m[1].fs_type, "xfs");
        assert_eq!(m[1].device, "254:1");
        assert_eq!(m[2].mount_point, "/mnt/with space");
    }
}
