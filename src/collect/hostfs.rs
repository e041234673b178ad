//! Read the audited host's filesystem, which may be mounted somewhere other
//! than `/` (`--root`). Symlinks are resolved inside that root, so an
//! absolute link on the host never escapes to the scanner's own files, and
//! user and group names come from the root's own `/etc/passwd` and
//! `/etc/group`, not from the scanner's NSS.

use crate::snapshot::{FileFact, FileStat};
use std::collections::HashMap;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Component, Path, PathBuf};

pub struct HostFs {
    pub root: PathBuf,
    users: HashMap<u32, String>,
    groups: HashMap<u32, String>,
}

/// One `/etc/group` entry.
#[derive(Debug, Clone)]
pub struct GroupEntry {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

/// One `/etc/passwd` entry.
#[derive(Debug, Clone)]
pub struct PasswdEntry {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

impl HostFs {
    pub fn new(root: &Path) -> Self {
        let mut fs = HostFs {
            root: root.to_path_buf(),
            users: HashMap::new(),
            groups: HashMap::new(),
        };
        if let Ok(p) = fs.passwd() {
            fs.users = p.into_iter().map(|e| (e.uid, e.name)).collect();
        }
        if let Ok(g) = fs.group() {
            fs.groups = g.into_iter().map(|e| (e.gid, e.name)).collect();
        }
        fs
    }

    pub fn is_host_root(&self) -> bool {
        self.root == Path::new("/")
    }

    /// The real path of host path `p` under the root, following symlinks
    /// (re-rooted) except for the last component when `follow_last` is false.
    pub fn resolve(&self, p: &str, follow_last: bool) -> PathBuf {
        let mut parts: Vec<String> = Vec::new();
        let mut pending: Vec<String> = split(p).into_iter().rev().collect();
        let mut hops = 0;
        while let Some(comp) = pending.pop() {
            if comp == ".." {
                parts.pop();
                continue;
            }
            let mut candidate = parts.clone();
            candidate.push(comp.clone());
            let is_last = pending.is_empty();
            let real = self.join(&candidate);
            if (follow_last || !is_last) && hops < 40 {
                if let Ok(target) = std::fs::read_link(&real) {
                    hops += 1;
                    let t = target.to_string_lossy().to_string();
                    if t.starts_with('/') {
                        parts.clear();
                    }
                    for c in split(&t).into_iter().rev() {
                        pending.push(c);
                    }
                    continue;
                }
            }
            parts.push(comp);
        }
        self.join(&parts)
    }

    fn join(&self, parts: &[String]) -> PathBuf {
        let mut pb = self.root.clone();
        for c in parts {
            pb.push(c);
        }
        pb
    }

    pub fn read_to_string(&self, p: &str) -> io::Result<String> {
        std::fs::read_to_string(self.resolve(p, true))
    }

    pub fn exists(&self, p: &str) -> bool {
        self.resolve(p, true).exists()
    }

    pub fn is_dir(&self, p: &str) -> bool {
        self.resolve(p, true).is_dir()
    }

    /// Names in a host directory, sorted.
    pub fn list_dir(&self, p: &str) -> io::Result<Vec<String>> {
        let mut v: Vec<String> = std::fs::read_dir(self.resolve(p, true))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        Ok(v)
    }

    /// Owner, group and mode of the file a host path names (following
    /// links, as the daemon and systemd would).
    pub fn stat(&self, p: &str) -> FileFact {
        self.stat_real(&self.resolve(p, true))
    }

    /// [`stat`](Self::stat) of a path as process `pid` sees it, through
    /// `<root>/proc/PID/root` (the kernel follows that link into the
    /// process's mount namespace: a file mounted in a pod). Owners are
    /// still named from the audited root's `/etc/passwd` and `/etc/group`.
    pub fn stat_in_process(&self, pid: u32, p: &str) -> FileFact {
        let real = self
            .root
            .join("proc")
            .join(pid.to_string())
            .join("root")
            .join(p.trim_start_matches('/'));
        self.stat_real(&real)
    }

    fn stat_real(&self, real: &Path) -> FileFact {
        match std::fs::metadata(real) {
            Ok(m) => {
                let ft = m.file_type();
                let kind = if ft.is_dir() {
                    "dir"
                } else if ft.is_file() {
                    "file"
                } else if ft.is_socket() {
                    "socket"
                } else if ft.is_symlink() {
                    "symlink"
                } else {
                    "other"
                };
                FileFact::Present(FileStat {
                    kind: kind.to_string(),
                    uid: m.uid(),
                    gid: m.gid(),
                    user: self.users.get(&m.uid()).cloned(),
                    group: self.groups.get(&m.gid()).cloned(),
                    mode: m.mode() & 0o7777,
                })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => FileFact::Missing,
            Err(e) => FileFact::Error {
                reason: format!("cannot stat {}: {e}", real.display()),
            },
        }
    }

    pub fn passwd(&self) -> io::Result<Vec<PasswdEntry>> {
        Ok(self
            .read_to_string("/etc/passwd")?
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                Some(PasswdEntry {
                    name: f.first()?.to_string(),
                    uid: f.get(2)?.parse().ok()?,
                    gid: f.get(3)?.parse().ok()?,
                })
            })
            .collect())
    }

    pub fn group(&self) -> io::Result<Vec<GroupEntry>> {
        Ok(self
            .read_to_string("/etc/group")?
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                Some(GroupEntry {
                    name: f.first()?.to_string(),
                    gid: f.get(2)?.parse().ok()?,
                    members: f
                        .get(3)
                        .map(|m| {
                            m.split(',')
                                .map(str::trim)
                                .filter(|s| !s.is_empty())
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default(),
                })
            })
            .collect())
    }
}

fn split(p: &str) -> Vec<String> {
    Path::new(p)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().to_string()),
            Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_links_stay_inside_the_root() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir_all(root.join("usr/bin")).unwrap();
        std::fs::write(root.join("usr/bin/runc"), "x").unwrap();
        std::os::unix::fs::symlink("/usr/bin", root.join("bin")).unwrap();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::write(
            root.join("etc/passwd"),
            "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/h:/bin/sh\n",
        )
        .unwrap();
        std::fs::write(
            root.join("etc/group"),
            "root:x:0:\ndocker:x:999:alice,bob\n",
        )
        .unwrap();
        let fs = HostFs::new(root);
        assert_eq!(fs.resolve("/bin/runc", true), root.join("usr/bin/runc"));
        assert!(fs.exists("/bin/runc"));
        match fs.stat("/bin/runc") {
            FileFact::Present(s) => assert_eq!(s.kind, "file"),
            other => panic!("{other:?}"),
        }
        assert_eq!(fs.stat("/nope"), FileFact::Missing);
        let g = fs.group().unwrap();
        assert_eq!(g[1].members, vec!["alice", "bob"]);
    }
}
