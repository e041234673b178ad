//! Stat every file the CIS Kubernetes checks (sections 1–4) look at, and
//! list the directories they walk. Owners are resolved against the audited
//! root's `/etc/passwd` and `/etc/group` (by [`HostFs`]).
//!
//! What is stat'ed, when any component was found:
//! - every path a component's settings name (a value starting with `/`:
//!   `--client-ca-file`, `--kubeconfig`, the etcd `data-dir`, …), its config
//!   files and drop-ins, and its static pod manifest;
//! - the static pod dirs, PKI dirs (recursively) and CNI dirs, listed in
//!   [`KubeFacts::dirs`] with every entry stat'ed;
//! - the kubeadm kubeconfigs (`admin.conf`, `super-admin.conf`,
//!   `scheduler.conf`, `controller-manager.conf`, `kubelet.conf`,
//!   `proxy.conf`), the four kubeadm manifests, `/var/lib/kubelet/config.yaml`
//!   and the kubelet systemd unit with its drop-ins (`10-kubeadm.conf`, in
//!   both `/etc/systemd/system` and `/usr/lib/systemd/system`), whether
//!   present or not, so that a check can tell "missing" from "not looked at";
//! - for k3s and RKE2, their config files, `server/tls`, `server/cred`,
//!   agent kubeconfigs, kubelet defaults drop-in, CNI dir and systemd units,
//!   present or not (the candidates of the checks' `profiles.yaml`).

use super::{static_pod_dirs, KUBEADM_MANIFESTS};
use crate::collect::hostfs::HostFs;
use crate::collect::systemd;
use crate::snapshot::kubernetes::{FoundBy, KubeFacts, Profile};
use crate::snapshot::{FileFact, Probe};

const KUBEADM_FILES: &[&str] = &[
    "/etc/kubernetes/admin.conf",
    "/etc/kubernetes/super-admin.conf",
    "/etc/kubernetes/scheduler.conf",
    "/etc/kubernetes/controller-manager.conf",
    "/etc/kubernetes/kubelet.conf",
    "/etc/kubernetes/proxy.conf",
    "/etc/kubernetes/pki",
    "/var/lib/kubelet/config.yaml",
    "/var/lib/kubelet/kubeconfig",
    "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
    "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
];

const MANIFESTS: &[&str] = &[
    "kube-apiserver.yaml",
    "kube-controller-manager.yaml",
    "kube-scheduler.yaml",
    "etcd.yaml",
];

/// Directories walked (listed, every entry stat'ed), with their depth.
const WALKED: &[(&str, usize)] = &[
    ("/etc/kubernetes/pki", 3),
    ("/etc/cni/net.d", 1),
    ("/var/lib/cni/networks", 2),
];

/// Fill `facts.files` and `facts.dirs`. Does nothing when no component was
/// found: a node without Kubernetes needs no Kubernetes file facts.
pub fn collect(fs: &HostFs, facts: &mut KubeFacts, rke2: bool) {
    if facts.components.is_empty() {
        return;
    }
    let mut paths: Vec<String> = KUBEADM_FILES.iter().map(|s| s.to_string()).collect();
    paths.extend(MANIFESTS.iter().map(|m| format!("{KUBEADM_MANIFESTS}/{m}")));
    let mut walked: Vec<(String, usize)> =
        WALKED.iter().map(|(d, n)| (d.to_string(), *n)).collect();
    for d in static_pod_dirs(fs, facts, rke2) {
        walked.push((d, 1));
    }
    for c in &facts.components {
        paths.extend(c.config_files.iter().cloned());
        if let FoundBy::StaticPod { path } = &c.found_by {
            paths.push(path.clone());
        }
        for (k, s) in &c.settings {
            if looks_like_path(&s.value) {
                paths.push(s.value.clone());
            }
            if k == "config-dir" && s.value.starts_with('/') {
                walked.push((s.value.clone(), 1));
            }
        }
    }
    let unit = systemd::find_unit(fs, "kubelet.service");
    paths.extend(unit.fragment.clone());
    paths.extend(unit.drop_ins.clone());
    match facts.profile {
        Some(Profile::K3s) => distro_paths("k3s", &mut paths, &mut walked),
        Some(Profile::Rke2) => distro_paths("rke2", &mut paths, &mut walked),
        _ => {}
    }
    for (dir, depth) in walked {
        walk(fs, facts, &dir, depth, &mut paths);
    }
    paths.sort();
    paths.dedup();
    for p in paths {
        let fact = fs.stat(&p);
        facts.files.insert(p, fact);
    }
    stat_inside_pods(fs, facts);
}

/// A path a pod process's settings name (kube-proxy's kubeconfig is a
/// ConfigMap mounted in its pod) that is missing on the host is stat'ed
/// inside the process's mount namespace and recorded under its own name,
/// as its `--config` is read ([`super::configfile::read_for`]).
fn stat_inside_pods(fs: &HostFs, facts: &mut KubeFacts) {
    let mut found = Vec::new();
    for c in &facts.components {
        let FoundBy::Process {
            pid,
            embedded_in: None,
            ..
        } = &c.found_by
        else {
            continue;
        };
        let named = c.settings.values().map(|s| &s.value);
        for p in named.chain(c.config_files.iter()) {
            if looks_like_path(p) && matches!(facts.files.get(p), Some(FileFact::Missing)) {
                if let f @ (FileFact::Present(_) | FileFact::Error { .. }) =
                    fs.stat_in_process(*pid, p)
                {
                    found.push((p.clone(), f));
                }
            }
        }
    }
    facts.files.extend(found);
}

fn distro_paths(name: &str, paths: &mut Vec<String>, walked: &mut Vec<(String, usize)>) {
    let data = format!("/var/lib/rancher/{name}");
    paths.push(format!("/etc/rancher/{name}/config.yaml"));
    paths.push(format!("/etc/rancher/{name}/{name}.yaml"));
    paths.push(format!("{data}/server/db/etcd"));
    paths.push(format!(
        "{data}/agent/etc/kubelet.conf.d/00-{name}-defaults.conf"
    ));
    // The units that start the server and agent (they hold the kubelet's
    // flags), wherever the installer put them.
    for unit in [
        format!("{name}.service"),
        format!("{name}-server.service"),
        format!("{name}-agent.service"),
    ] {
        for dir in [
            "/etc/systemd/system",
            "/usr/lib/systemd/system",
            "/usr/local/lib/systemd/system",
        ] {
            paths.push(format!("{dir}/{unit}"));
        }
    }
    walked.push((format!("{data}/agent/etc/cni/net.d"), 1));
    for f in [
        "kubelet.kubeconfig",
        "kubeproxy.kubeconfig",
        "client-ca.crt",
    ] {
        paths.push(format!("{data}/agent/{f}"));
    }
    walked.push((format!("{data}/server/tls"), 2));
    walked.push((format!("{data}/server/cred"), 1));
    walked.push((format!("{data}/agent/etc/kubelet.conf.d"), 1));
}

/// A setting value that names one absolute path (not a URL or a list).
fn looks_like_path(v: &str) -> bool {
    v.starts_with('/') && !v.contains(',') && !v.contains(' ') && v.len() < 4096
}

/// List `dir` into `facts.dirs` and queue every entry (recursively to
/// `depth`) for stat. A missing dir is only stat'ed (as missing).
fn walk(fs: &HostFs, facts: &mut KubeFacts, dir: &str, depth: usize, paths: &mut Vec<String>) {
    paths.push(dir.to_string());
    if depth == 0 || facts.dirs.contains_key(dir) {
        return;
    }
    match fs.list_dir(dir) {
        Ok(names) => {
            for n in &names {
                let p = format!("{}/{n}", dir.trim_end_matches('/'));
                if fs.is_dir(&p) {
                    walk(fs, facts, &p, depth - 1, paths);
                }
                paths.push(p);
            }
            facts.dirs.insert(dir.to_string(), Probe::Ok(names));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            let reason = format!("cannot list {dir}: {e}");
            facts.dirs.insert(dir.to_string(), Probe::Error(reason));
        }
    }
}
