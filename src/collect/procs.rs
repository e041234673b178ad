//! `/proc`: the daemon process that owns the socket, processes inside each
//! container, shipshape's own container, and listening TCP sockets.

use super::hostfs::HostFs;
use crate::snapshot::{DaemonProcess, Listener, ProcessInfo};
use std::collections::HashMap;
use std::path::PathBuf;

/// One process from `/proc/<pid>/stat`.
#[derive(Debug, Clone)]
struct Proc {
    ppid: i64,
    comm: String,
}

/// A one-time scan of the host's process table.
pub struct ProcTable {
    proc_dir: PathBuf,
    procs: HashMap<i64, Proc>,
    children: HashMap<i64, Vec<i64>>,
}

impl ProcTable {
    /// Scan `<root>/proc`. Returns `None` when it is not mounted there.
    pub fn scan(fs: &HostFs) -> Option<ProcTable> {
        let proc_dir = fs.root.join("proc");
        let rd = std::fs::read_dir(&proc_dir).ok()?;
        let mut procs = HashMap::new();
        for e in rd.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i64>().ok()) else {
                continue;
            };
            if let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) {
                if let Some(p) = parse_stat(&stat) {
                    procs.insert(pid, p);
                }
            }
        }
        if procs.is_empty() {
            return None;
        }
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for (pid, p) in &procs {
            children.entry(p.ppid).or_default().push(*pid);
        }
        Some(ProcTable {
            proc_dir,
            procs,
            children,
        })
    }

    /// The processes of a container: its init (`State.Pid`) and every
    /// descendant. `None` when that pid is not the container's process in
    /// our view of `/proc` (another pid namespace), so the caller falls back
    /// to the Engine API.
    pub fn container_processes(
        &self,
        init_pid: i64,
        container_id: &str,
    ) -> Option<Vec<ProcessInfo>> {
        if init_pid <= 0 || !self.procs.contains_key(&init_pid) {
            return None;
        }
        // Guard against a pid that means something else here: when the
        // cgroup path names containers, it must name this one.
        if let Ok(cg) =
            std::fs::read_to_string(self.proc_dir.join(init_pid.to_string()).join("cgroup"))
        {
            let names_some_container = cg.contains("docker") || cg.contains("containerd");
            if names_some_container && !cg.contains(container_id) {
                return None;
            }
        }
        let mut out = Vec::new();
        let mut stack = vec![init_pid];
        while let Some(pid) = stack.pop() {
            if let Some(p) = self.procs.get(&pid) {
                let args = std::fs::read(self.proc_dir.join(pid.to_string()).join("cmdline"))
                    .map(|b| {
                        b.split(|c| *c == 0)
                            .filter(|s| !s.is_empty())
                            .map(|s| String::from_utf8_lossy(s).to_string())
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default();
                out.push(ProcessInfo {
                    pid,
                    comm: p.comm.clone(),
                    args,
                });
            }
            if let Some(kids) = self.children.get(&pid) {
                stack.extend(kids);
            }
        }
        out.sort_by_key(|p| p.pid);
        Some(out)
    }

    pub fn pids_named(&self, comm: &str) -> Vec<i64> {
        let mut v: Vec<i64> = self
            .procs
            .iter()
            .filter(|(_, p)| p.comm == comm)
            .map(|(pid, _)| *pid)
            .collect();
        v.sort();
        v
    }

    fn describe(&self, pid: i64, found_by: &str) -> Option<DaemonProcess> {
        let dir = self.proc_dir.join(pid.to_string());
        let mut argv = split_cmdline(&std::fs::read(dir.join("cmdline")).ok()?);
        crate::redact::redact_argv(&mut argv);
        let exe = std::fs::read_link(dir.join("exe"))
            .map(|p| {
                p.to_string_lossy()
                    .trim_end_matches(" (deleted)")
                    .to_string()
            })
            .unwrap_or_else(|_| argv.first().cloned().unwrap_or_default());
        let uid = std::fs::read_to_string(dir.join("status"))
            .ok()
            .and_then(|s| status_uid(&s))
            .unwrap_or(u32::MAX);
        Some(DaemonProcess {
            pid: pid as u32,
            exe,
            argv,
            uid,
            found_by: found_by.to_string(),
        })
    }

    /// The dockerd behind `socket` (the one shipshape talks to): its owner
    /// decides first, because with several daemons (a second one on
    /// `DOCKER_HOST`) the owner of the default socket is another daemon.
    /// Only when nobody owns it are the other `candidates` tried.
    pub fn find_daemon_for(
        &self,
        fs: &HostFs,
        socket: &str,
        candidates: &[String],
    ) -> Result<Option<DaemonProcess>, String> {
        match self.find_daemon(fs, &[socket.to_string()]) {
            Ok(Some(p)) if p.found_by == "owner of the listening socket" => Ok(Some(p)),
            _ => self.find_daemon(fs, candidates),
        }
    }

    /// Find the dockerd serving `sockets`: the process holding a listening
    /// unix socket bound to one of those paths, else the pid file, else the
    /// only process whose executable name is exactly `dockerd`. Never a
    /// substring match on command lines.
    pub fn find_daemon(
        &self,
        fs: &HostFs,
        sockets: &[String],
    ) -> Result<Option<DaemonProcess>, String> {
        let norm: Vec<String> = sockets
            .iter()
            .map(|s| crate::snapshot::daemon::normalize_run(s))
            .collect();
        if let Ok(unix) = std::fs::read_to_string(self.proc_dir.join("net/unix")) {
            let inodes: Vec<String> = unix
                .lines()
                .skip(1)
                .filter_map(|l| {
                    let f: Vec<&str> = l.split_whitespace().collect();
                    // Num RefCount Protocol Flags Type St Inode Path
                    let path = f.get(7)?;
                    let listening = f.get(3).is_some_and(|fl| *fl == "00010000");
                    (listening && norm.contains(&crate::snapshot::daemon::normalize_run(path)))
                        .then(|| f[6].to_string())
                })
                .collect();
            if !inodes.is_empty() {
                let wanted: Vec<String> = inodes.iter().map(|i| format!("socket:[{i}]")).collect();
                let holds = |pid: i64| -> bool {
                    let Ok(fds) = std::fs::read_dir(self.proc_dir.join(pid.to_string()).join("fd"))
                    else {
                        return false;
                    };
                    fds.flatten().any(|fd| {
                        std::fs::read_link(fd.path())
                            .map(|t| wanted.iter().any(|w| t.as_os_str() == w.as_str()))
                            .unwrap_or(false)
                    })
                };
                // Processes named dockerd are the likely owners: look at their
                // fds first, and walk every process only when none holds it
                // (rootlesskit, renamed binaries). systemd holds the socket too
                // under socket activation, so it is never preferred.
                let dockerds: Vec<i64> = self
                    .procs
                    .iter()
                    .filter(|(_, p)| p.comm.starts_with("dockerd"))
                    .map(|(pid, _)| *pid)
                    .collect();
                let pick = dockerds
                    .iter()
                    .copied()
                    .filter(|p| holds(*p))
                    .min()
                    .or_else(|| {
                        let mut others: Vec<i64> = self
                            .procs
                            .keys()
                            .copied()
                            .filter(|p| *p != 1 && !dockerds.contains(p))
                            .collect();
                        others.sort();
                        others.into_iter().find(|p| holds(*p))
                    });
                if let Some(pid) = pick {
                    return Ok(self.describe(pid, "owner of the listening socket"));
                }
            }
        }
        if let Ok(pidtxt) = fs.read_to_string("/var/run/docker.pid") {
            if let Ok(pid) = pidtxt.trim().parse::<i64>() {
                if self
                    .procs
                    .get(&pid)
                    .is_some_and(|p| p.comm.starts_with("dockerd"))
                {
                    return Ok(self.describe(pid, "/var/run/docker.pid"));
                }
            }
        }
        let named = self.pids_named("dockerd");
        match named.len() {
            0 => Ok(None),
            1 => Ok(self.describe(named[0], "only process named dockerd")),
            n => Err(format!(
                "{n} dockerd processes run ({named:?}) and none could be tied to the socket; \
                 run shipshape as root so it can read /proc/<pid>/fd"
            )),
        }
    }
}

/// `/proc/<pid>/cmdline`: NUL-separated arguments, empty ones dropped.
pub fn split_cmdline(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|c| *c == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).to_string())
        .collect()
}

/// The real uid from `/proc/<pid>/status` (`Uid:\treal\teffective…`).
pub fn status_uid(text: &str) -> Option<u32> {
    text.lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|u| u.parse().ok()))
}

/// `/proc/<pid>/stat`: the parent pid and `comm`, if the line parses.
pub fn stat_parent(s: &str) -> Option<(i64, String)> {
    parse_stat(s).map(|p| (p.ppid, p.comm))
}

fn parse_stat(s: &str) -> Option<Proc> {
    // pid (comm) state ppid ...; comm may contain spaces and parentheses.
    let open = s.find('(')?;
    let close = s.rfind(')')?;
    // Malformed (a `)` before the first `(`): not a stat line.
    if close < open {
        return None;
    }
    let comm = s[open + 1..close].to_string();
    let rest: Vec<&str> = s[close + 1..].split_whitespace().collect();
    Some(Proc {
        ppid: rest.get(1)?.parse().ok()?,
        comm,
    })
}

/// The id of the container shipshape runs in, if any, from its own cgroup
/// and mount table.
pub fn own_container_id() -> Option<String> {
    std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|t| container_id_in(&t))
        .or_else(|| {
            std::fs::read_to_string("/proc/self/mountinfo")
                .ok()
                .and_then(|t| container_id_in(&t))
        })
}

/// A 64-hex container id following `docker/`, `docker-` or
/// `docker/containers/` in cgroup or mountinfo text.
pub fn container_id_in(text: &str) -> Option<String> {
    for line in text.lines() {
        let mut s = line;
        while let Some(i) = s.find("docker") {
            let tail = &s[i + 6..];
            let tail = tail.trim_start_matches(['/', '-']);
            let tail = tail.strip_prefix("containers/").unwrap_or(tail);
            let id: String = tail.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
            if id.len() == 64 {
                return Some(id);
            }
            s = &s[i + 6..];
        }
    }
    None
}

/// Listening TCP sockets from `<root>/proc/net/tcp` and `tcp6`.
pub fn listeners(fs: &HostFs) -> Result<Vec<Listener>, String> {
    let mut out = Vec::new();
    let mut any = false;
    for (file, proto) in [("tcp", "tcp"), ("tcp6", "tcp6")] {
        let path = fs.root.join("proc/net").join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        any = true;
        for l in text.lines().skip(1) {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.get(3) != Some(&"0A") {
                continue;
            }
            let Some((addr, port)) = f.get(1).and_then(|a| a.split_once(':')) else {
                continue;
            };
            let Ok(port) = u16::from_str_radix(port, 16) else {
                continue;
            };
            out.push(Listener {
                proto: proto.to_string(),
                address: decode_addr(addr),
                port,
            });
        }
    }
    if !any {
        return Err(format!("no {}/proc/net/tcp to read", fs.root.display()));
    }
    out.sort_by(|a, b| (a.port, &a.address).cmp(&(b.port, &b.address)));
    out.dedup();
    Ok(out)
}

/// Kernel hex address (little-endian 32-bit words) to text.
fn decode_addr(hex: &str) -> String {
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
        .collect();
    let mut fixed = Vec::with_capacity(bytes.len());
    for w in bytes.chunks(4) {
        fixed.extend(w.iter().rev());
    }
    match fixed.len() {
        4 => std::net::Ipv4Addr::new(fixed[0], fixed[1], fixed[2], fixed[3]).to_string(),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(&fixed);
            std::net::Ipv6Addr::from(a).to_string()
        }
        _ => hex.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake `/proc` under a temporary root.
    fn fake_proc(procs: &[(i64, &str, &str, &[&str])], unix: &str) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let proc_dir = d.path().join("proc");
        std::fs::create_dir_all(proc_dir.join("net")).unwrap();
        std::fs::write(proc_dir.join("net/unix"), unix).unwrap();
        for (pid, comm, cmdline, fds) in procs {
            let pd = proc_dir.join(pid.to_string());
            std::fs::create_dir_all(pd.join("fd")).unwrap();
            std::fs::write(pd.join("stat"), format!("{pid} ({comm}) S 1 {pid} {pid} 0")).unwrap();
            std::fs::write(pd.join("cmdline"), cmdline.replace(' ', "\0")).unwrap();
            std::fs::write(pd.join("status"), "Name:\tx\nUid:\t0\t0\t0\t0\n").unwrap();
            for (i, target) in fds.iter().enumerate() {
                std::os::unix::fs::symlink(target, pd.join("fd").join((i + 3).to_string()))
                    .unwrap();
            }
        }
        d
    }

    #[test]
    fn the_daemon_is_the_process_holding_the_listening_socket() {
        let unix = "Num RefCount Protocol Flags Type St Inode Path\n\
                    0000: 00000002 00000000 00010000 0001 01 555 /run/docker.sock\n\
                    0000: 00000003 00000000 00000000 0001 03 556 /run/docker.sock\n";
        let d = fake_proc(
            &[
                (1, "systemd", "/sbin/init", &["socket:[555]"]),
                (
                    50,
                    "dockerd",
                    "/usr/bin/dockerd -H fd:// --icc=false",
                    &["socket:[555]", "/dev/null"],
                ),
                // `pgrep -f dockerd` would pick this newer process.
                (
                    90,
                    "vim",
                    "vim /etc/systemd/system/dockerd.conf",
                    &["socket:[556]"],
                ),
            ],
            unix,
        );
        let fs = HostFs::new(d.path());
        let t = ProcTable::scan(&fs).unwrap();
        let p = t
            .find_daemon(&fs, &["/var/run/docker.sock".into()])
            .unwrap()
            .unwrap();
        assert_eq!(p.pid, 50);
        assert_eq!(p.found_by, "owner of the listening socket");
        assert_eq!(
            p.argv,
            vec!["/usr/bin/dockerd", "-H", "fd://", "--icc=false"]
        );
    }

    #[test]
    fn a_second_daemon_on_docker_host_is_not_mistaken_for_the_default_one() {
        let unix = "Num RefCount Protocol Flags Type St Inode Path\n\
                    0000: 00000002 00000000 00010000 0001 01 555 /run/docker.sock\n\
                    0000: 00000002 00000000 00010000 0001 01 777 /tmp/tw/docker.sock\n";
        let d = fake_proc(
            &[
                (50, "dockerd", "/usr/sbin/dockerd", &["socket:[555]"]),
                (
                    700,
                    "dockerd",
                    "dockerd -H unix:///tmp/tw/docker.sock --config-file /tmp/tw/daemon.json",
                    &["socket:[777]"],
                ),
            ],
            unix,
        );
        let fs = HostFs::new(d.path());
        let t = ProcTable::scan(&fs).unwrap();
        let both = vec![
            "/tmp/tw/docker.sock".to_string(),
            "/var/run/docker.sock".to_string(),
        ];
        // Asked about both sockets at once, the lowest pid wins: the wrong one.
        assert_eq!(t.find_daemon(&fs, &both).unwrap().unwrap().pid, 50);
        let p = t
            .find_daemon_for(&fs, "/tmp/tw/docker.sock", &both)
            .unwrap()
            .unwrap();
        assert_eq!(p.pid, 700);
        let p = t
            .find_daemon_for(&fs, "/var/run/docker.sock", &both)
            .unwrap()
            .unwrap();
        assert_eq!(p.pid, 50);
        // Nobody owns the socket: the other candidates are tried.
        let p = t
            .find_daemon_for(&fs, "/tmp/gone.sock", &both)
            .unwrap()
            .unwrap();
        assert_eq!(p.found_by, "owner of the listening socket");
    }

    #[test]
    fn without_a_socket_owner_an_exact_name_is_needed() {
        let d = fake_proc(
            &[(90, "vim", "vim dockerd.json", &[])],
            "Num RefCount Protocol Flags Type St Inode Path\n",
        );
        let fs = HostFs::new(d.path());
        let t = ProcTable::scan(&fs).unwrap();
        assert_eq!(
            t.find_daemon(&fs, &["/var/run/docker.sock".into()])
                .unwrap(),
            None
        );
    }

    #[test]
    fn stat_comm_with_spaces_and_parens() {
        let p = parse_stat("42 (my (odd) proc) S 7 42 42 0").unwrap();
        assert_eq!(p.comm, "my (odd) proc");
        assert_eq!(p.ppid, 7);
    }

    #[test]
    fn own_container_id_from_cgroup_v1_v2_and_mountinfo() {
        let id = "3f6a042a4370117b2c304022d161361359bc12eac10b04cfa26b015db23c1234";
        assert_eq!(
            container_id_in(&format!("12:pids:/docker/{id}\n")).as_deref(),
            Some(id)
        );
        assert_eq!(
            container_id_in(&format!("0::/system.slice/docker-{id}.scope\n")).as_deref(),
            Some(id)
        );
        let mi = format!("812 790 254:0 /var/lib/docker/containers/{id}/hostname /etc/hostname rw - ext4 /dev/vda rw");
        assert_eq!(container_id_in(&mi).as_deref(), Some(id));
        assert_eq!(
            container_id_in("0::/init.scope\n1:name=systemd:/user.slice"),
            None
        );
    }

    #[test]
    fn kernel_addresses_decode() {
        assert_eq!(decode_addr("0100007F"), "127.0.0.1");
        assert_eq!(decode_addr("00000000"), "0.0.0.0");
        assert_eq!(decode_addr("00000000000000000000000000000000"), "::");
    }
}
