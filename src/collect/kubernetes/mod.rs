//! Discover the Kubernetes components a node runs and read their effective
//! configuration, with the origin of every value, into
//! [`KubeFacts`](crate::snapshot::kubernetes::KubeFacts). I/O only: the CIS
//! checks read the facts, never the host.
//!
//! Order of discovery:
//! 1. **Processes** in `<root>/proc`, matched by argv[0]'s basename, then by
//!    `comm` (cut to 15 characters: `kube-controller`); never by `exe` alone
//!    or a substring of the command line. The lowest pid of a kind wins.
//! 2. **k3s / RKE2.** `k3s server|agent` embeds the components in one
//!    process; their settings come from k3s's own fixed arguments, its argv,
//!    `/etc/rancher/k3s/config.yaml` (+ `config.yaml.d/`) and, for the
//!    kubelet, its drop-in dir (see [`distro`]). RKE2 runs real processes
//!    and static pods, so it is found like kubeadm; only its paths differ.
//! 3. **Static pod manifests** under the kubelet's `staticPodPath` (or
//!    `/etc/kubernetes/manifests` and RKE2's `pod-manifests` when no kubelet
//!    is visible), for components whose process is not visible. A process
//!    always wins over its manifest.
//!
//! Test knob: when the environment variable [`PIDS_ENV`]
//! (`SHIPSHAPE_KUBE_PIDS`) holds a comma-separated list of pids, process
//! discovery looks at those pids only. Tests start stand-in processes named
//! `kube-apiserver` and so on; the knob keeps parallel tests (and other
//! helpers' tests on the same machine) from seeing each other's stand-ins.
//! It only narrows what is read, never adds to it.

pub mod components;
pub mod configfile;
pub mod discover;
pub mod distro;
pub mod files;
pub mod flags;
pub mod kubelet;
pub mod staticpod;

use crate::collect::hostfs::HostFs;
use crate::snapshot::kubernetes::{ComponentKind, FoundBy, KubeComponent, KubeFacts, Origin};
use discover::{KubeProc, What};

/// Environment variable restricting process discovery to a set of pids
/// (comma-separated); for tests, see the module docs.
pub const PIDS_ENV: &str = "SHIPSHAPE_KUBE_PIDS";

/// Where kubeadm puts static pod manifests.
pub const KUBEADM_MANIFESTS: &str = "/etc/kubernetes/manifests";
/// Where RKE2 puts them.
pub const RKE2_MANIFESTS: &str = "/var/lib/rancher/rke2/agent/pod-manifests";

/// Collect, honouring [`PIDS_ENV`].
pub fn collect(fs: &HostFs) -> KubeFacts {
    let only: Option<Vec<u32>> = std::env::var(PIDS_ENV)
        .ok()
        .map(|s| s.split(',').filter_map(|p| p.trim().parse().ok()).collect());
    collect_with(fs, only.as_deref())
}

/// Collect, looking only at the pids in `only` when given.
pub fn collect_with(fs: &HostFs, only: Option<&[u32]>) -> KubeFacts {
    let mut facts = KubeFacts::default();
    let procs = discover::scan(fs, only).unwrap_or_default();
    for p in &procs {
        if let What::Component(kind) = p.what {
            if facts.component(kind).is_none() {
                facts.components.push(from_process(fs, p, kind));
            }
        }
    }
    let distro_proc = procs
        .iter()
        .find(|p| matches!(p.what, What::K3s { .. } | What::Rke2 { .. }));
    if let Some(
        p @ KubeProc {
            what: What::K3s { server },
            ..
        },
    ) = distro_proc
    {
        distro::k3s(fs, p, *server, &mut facts);
    }
    let rke2 = matches!(distro_proc.map(|p| p.what), Some(What::Rke2 { .. }));
    for dir in static_pod_dirs(fs, &facts, rke2) {
        let pods = staticpod::read_dir(fs, &dir, &mut facts.errors);
        for pod in pods {
            if pod.kind != ComponentKind::Kubelet && facts.component(pod.kind).is_none() {
                facts.components.push(from_static_pod(fs, &pod));
            }
        }
    }
    facts.components.sort_by_key(|c| c.kind);
    facts.profile = distro::profile(fs, &facts, distro_proc.map(|p| p.what));
    files::collect(fs, &mut facts, rke2);
    facts
}

fn from_process(fs: &HostFs, p: &KubeProc, kind: ComponentKind) -> KubeComponent {
    let mut argv = p.argv.clone();
    crate::redact::redact_argv(&mut argv);
    let mut comp = KubeComponent {
        kind,
        found_by: FoundBy::Process {
            pid: p.pid,
            argv,
            comm: p.comm.clone(),
            cwd: p.cwd.clone(),
            embedded_in: None,
        },
        settings: Default::default(),
        config_files: Vec::new(),
        errors: Vec::new(),
    };
    let flags = flags::parse(p.argv.get(1..).unwrap_or_default());
    let env = (kind == ComponentKind::Etcd).then(|| discover::environ(fs, p.pid));
    components::build(fs, &mut comp, &flags, env, p.cwd.as_deref(), Origin::Flag);
    comp
}

fn from_static_pod(fs: &HostFs, pod: &staticpod::StaticPod) -> KubeComponent {
    let mut argv = pod.argv.clone();
    crate::redact::redact_argv(&mut argv);
    let mut comp = KubeComponent {
        kind: pod.kind,
        found_by: FoundBy::StaticPod {
            path: pod.path.clone(),
        },
        settings: Default::default(),
        config_files: Vec::new(),
        errors: Vec::new(),
    };
    let flags = flags::parse(pod.argv.get(1..).unwrap_or_default());
    let env = (pod.kind == ComponentKind::Etcd).then(|| Ok(pod.env.clone()));
    let origin = Origin::Manifest {
        path: pod.path.clone(),
    };
    components::build(fs, &mut comp, &flags, env, None, origin);
    comp
}

/// The kubelet's `staticPodPath` when it is known; otherwise the usual
/// places (kubeadm's, and RKE2's), the kubeadm kubelet config's
/// `staticPodPath` first.
pub fn static_pod_dirs(fs: &HostFs, facts: &KubeFacts, rke2: bool) -> Vec<String> {
    if let Some(k) = facts.component(ComponentKind::Kubelet) {
        return k
            .get("staticPodPath")
            .map(str::to_string)
            .into_iter()
            .collect();
    }
    let mut dirs = Vec::new();
    if let Ok(keys) = configfile::read(fs, "/var/lib/kubelet/config.yaml", None) {
        dirs.extend(
            keys.into_iter()
                .find(|k| k.key == "staticPodPath")
                .map(|k| k.value),
        );
    }
    let usual = if rke2 {
        [RKE2_MANIFESTS, KUBEADM_MANIFESTS]
    } else {
        [KUBEADM_MANIFESTS, RKE2_MANIFESTS]
    };
    for d in usual {
        if !dirs.iter().any(|x| x == d) {
            dirs.push(d.to_string());
        }
    }
    dirs
}
