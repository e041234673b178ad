//! Find Kubernetes processes in `<root>/proc`: by argv[0]'s basename, then by
//! `comm` (cut to 15 characters by the kernel), never by `exe` alone and
//! never by a substring of the command line.

use crate::collect::hostfs::HostFs;
use crate::collect::procs::split_cmdline;
use crate::snapshot::kubernetes::ComponentKind;
use std::path::Path;

/// A process that looks like a Kubernetes component or distribution.
#[derive(Debug, Clone)]
pub struct KubeProc {
    pub pid: u32,
    pub argv: Vec<String>,
    pub comm: String,
    /// The working directory as a path on the audited host.
    pub cwd: Option<String>,
    pub what: What,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Component(ComponentKind),
    /// `k3s server|agent`.
    K3s {
        server: bool,
    },
    /// `rke2 server|agent`.
    Rke2 {
        server: bool,
    },
}

/// What a process is, from argv[0]'s basename first and `comm` second.
pub fn classify(argv: &[String], comm: &str) -> Option<What> {
    let base = argv
        .first()
        .map(|a| a.rsplit('/').next().unwrap_or(a))
        .unwrap_or("");
    let sub = argv.get(1).map(String::as_str);
    by_name(base, sub).or_else(|| by_comm(comm, sub))
}

fn by_name(base: &str, sub: Option<&str>) -> Option<What> {
    if let Some(k) = ComponentKind::ALL.iter().find(|k| k.binary() == base) {
        return Some(What::Component(*k));
    }
    match (base, sub) {
        ("k3s", Some("server")) => Some(What::K3s { server: true }),
        ("k3s", Some("agent")) => Some(What::K3s { server: false }),
        ("rke2", Some("server")) => Some(What::Rke2 { server: true }),
        ("rke2", Some("agent")) => Some(What::Rke2 { server: false }),
        _ => None,
    }
}

/// `comm` is the executable's file name cut to 15 bytes (`kube-controller`);
/// k3s renames itself `k3s-server` / `k3s-agent`.
fn by_comm(comm: &str, sub: Option<&str>) -> Option<What> {
    if comm.is_empty() {
        return None;
    }
    if let Some(k) = ComponentKind::ALL.iter().find(|k| {
        let b = k.binary();
        comm == &b[..b.len().min(15)]
    }) {
        return Some(What::Component(*k));
    }
    match comm {
        "k3s-server" => Some(What::K3s { server: true }),
        "k3s-agent" => Some(What::K3s { server: false }),
        "k3s" | "rke2" => by_name(comm, sub),
        _ => None,
    }
}

/// Every Kubernetes-looking process in `<root>/proc`, lowest pid first.
/// `only` restricts discovery to a set of pids (see
/// [`super::PIDS_ENV`]). `None` when `<root>/proc` cannot be listed.
pub fn scan(fs: &HostFs, only: Option<&[u32]>) -> Option<Vec<KubeProc>> {
    let proc_dir = fs.root.join("proc");
    let rd = std::fs::read_dir(&proc_dir).ok()?;
    let mut pids: Vec<u32> = rd
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse().ok()))
        .filter(|p| only.is_none_or(|o| o.contains(p)))
        .collect();
    pids.sort_unstable();
    let mut out = Vec::new();
    for pid in pids {
        let dir = proc_dir.join(pid.to_string());
        let Ok(raw) = std::fs::read(dir.join("cmdline")) else {
            continue;
        };
        let argv = super::flags::normalise_argv(split_cmdline(&raw));
        let comm = std::fs::read_to_string(dir.join("comm"))
            .map(|c| c.trim_end_matches('\n').to_string())
            .unwrap_or_default();
        if argv.is_empty() {
            continue; // kernel threads
        }
        let Some(what) = classify(&argv, &comm) else {
            continue;
        };
        let cwd = std::fs::read_link(dir.join("cwd"))
            .ok()
            .map(|p| host_path(fs, &p));
        out.push(KubeProc {
            pid,
            argv,
            comm,
            cwd,
            what,
        });
    }
    Some(out)
}

/// A path as the scanner sees it, turned back into a path on the audited
/// host: with `--root R`, a process whose files live under `R` (a chroot, or
/// a test tree) shows `R/...` through `/proc`, which is `/...` on that host.
pub fn host_path(fs: &HostFs, p: &Path) -> String {
    let s = p.to_string_lossy().to_string();
    if fs.is_host_root() {
        return s;
    }
    let root = std::fs::canonicalize(&fs.root).unwrap_or_else(|_| fs.root.clone());
    match p.strip_prefix(&root) {
        Ok(rest) => format!("/{}", rest.to_string_lossy()),
        Err(_) => s,
    }
}

/// `/proc/PID/environ` as `NAME=value` pairs.
pub fn environ(fs: &HostFs, pid: u32) -> Result<Vec<(String, String)>, String> {
    let p = fs.root.join("proc").join(pid.to_string()).join("environ");
    let raw = std::fs::read(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
    Ok(split_cmdline(&raw)
        .into_iter()
        .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.into(), v.into())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn names_and_cut_comms() {
        use ComponentKind::*;
        let c = |argv: &[&str], comm: &str| classify(&v(argv), comm);
        assert_eq!(
            c(&["/usr/bin/kube-apiserver", "--x"], "kube-apiserver"),
            Some(What::Component(KubeApiserver))
        );
        // argv[0] rewritten: the 15-character comm still names it.
        assert_eq!(
            c(&["cm", "--x"], "kube-controller"),
            Some(What::Component(KubeControllerManager))
        );
        assert_eq!(
            c(&["/usr/local/bin/k3s", "server"], "k3s-server"),
            Some(What::K3s { server: true })
        );
        assert_eq!(
            c(&["rke2", "agent"], "rke2"),
            Some(What::Rke2 { server: false })
        );
        // Substrings never match.
        assert_eq!(c(&["etcdctl", "get"], "etcdctl"), None);
        assert_eq!(c(&["vim", "/etc/kubernetes/kubelet.conf"], "vim"), None);
        assert_eq!(c(&["k3s", "kubectl"], "k3s"), None);
    }
}
