//! k3s and RKE2, and the profile (distribution) of a node.
//!
//! **k3s** runs every component inside one `k3s server` (or `k3s agent`)
//! process, and rewrites its own title, so `/proc/PID/cmdline` often shows
//! only `/usr/local/bin/k3s server`. The settings of each embedded component
//! are therefore assembled, lowest precedence first, from:
//! 1. the arguments k3s itself passes to the component (the [`fixed`] table,
//!    recorded with [`Origin::Default`]: they are k3s's built-in values);
//! 2. `/etc/rancher/k3s/config.yaml`, then `config.yaml.d/*.yaml` in name
//!    order (`kube-apiserver-arg`, `kubelet-arg`, … entries `name=value`);
//! 3. the k3s systemd unit's `ExecStart` arguments, when argv lost them;
//! 4. the process's own argv, when it still has them.
//!
//! The kubelet additionally reads its drop-in dir
//! `<data-dir>/agent/etc/kubelet.conf.d` (k3s passes `--config-dir`; this is
//! kube-bench #1973), and embedded etcd its config file
//! `<data-dir>/server/db/etcd/config`.
//!
//! **RKE2** runs the kubelet as a process and the control plane as static
//! pods under `/var/lib/rancher/rke2/agent/pod-manifests`, so generic
//! discovery finds it; only the profile and the paths differ.

use super::discover::{KubeProc, What};
use super::flags::{self, Flag};
use crate::collect::hostfs::HostFs;
use crate::collect::systemd;
use crate::manifest::yaml;
use crate::snapshot::kubernetes::*;
use std::collections::BTreeMap;

pub const K3S_CONFIG: &str = "/etc/rancher/k3s/config.yaml";
pub const K3S_DATA: &str = "/var/lib/rancher/k3s";

/// One k3s option (`kubelet-arg`, `data-dir`) and where it was set.
#[derive(Debug, Clone)]
struct Opt {
    name: String,
    value: String,
    origin: Origin,
}

/// Add the components embedded in a k3s process that are not already
/// visible as their own processes.
pub fn k3s(fs: &HostFs, p: &KubeProc, server: bool, facts: &mut KubeFacts) {
    let mut errors = Vec::new();
    let opts = k3s_options(fs, p, server, &mut errors);
    let last = |n: &str| {
        opts.iter()
            .rev()
            .find(|o| o.name == n)
            .map(|o| o.value.as_str())
    };
    let truthy = |n: &str| last(n).is_some_and(|v| v == "true");
    let data = last("data-dir").unwrap_or(K3S_DATA).to_string();
    let mut kinds = vec![ComponentKind::Kubelet];
    if !truthy("disable-kube-proxy") {
        kinds.push(ComponentKind::KubeProxy);
    }
    if server {
        for (k, off) in [
            (ComponentKind::KubeApiserver, "disable-apiserver"),
            (
                ComponentKind::KubeControllerManager,
                "disable-controller-manager",
            ),
            (ComponentKind::KubeScheduler, "disable-scheduler"),
        ] {
            if !truthy(off) {
                kinds.push(k);
            }
        }
        let etcd = truthy("cluster-init") || fs.is_dir(&format!("{data}/server/db/etcd"));
        if etcd && !truthy("disable-etcd") && last("datastore-endpoint").is_none() {
            kinds.push(ComponentKind::Etcd);
        }
    }
    facts.errors.extend(errors);
    for kind in kinds {
        if facts.component(kind).is_some() {
            continue;
        }
        facts.components.push(k3s_component(
            fs,
            p,
            kind,
            &opts,
            &data,
            truthy("cluster-init"),
        ));
    }
}

fn k3s_component(
    fs: &HostFs,
    p: &KubeProc,
    kind: ComponentKind,
    opts: &[Opt],
    data: &str,
    etcd: bool,
) -> KubeComponent {
    let mut argv = p.argv.clone();
    crate::redact::redact_argv(&mut argv);
    let mut comp = KubeComponent {
        kind,
        found_by: FoundBy::Process {
            pid: p.pid,
            argv,
            comm: p.comm.clone(),
            cwd: p.cwd.clone(),
            embedded_in: Some("k3s".into()),
        },
        settings: BTreeMap::new(),
        config_files: Vec::new(),
        errors: Vec::new(),
    };
    let prefix = format!("{}-arg", kind.binary());
    let mut all: Vec<(Flag, Origin)> = fixed(fs, kind, data, etcd)
        .into_iter()
        .map(|f| (f, Origin::Default))
        .collect();
    for o in opts
        .iter()
        .filter(|o| o.name == prefix || (kind == ComponentKind::Etcd && o.name == "etcd-arg"))
    {
        let (n, v) = o.value.split_once('=').unwrap_or((&o.value, "true"));
        let f = Flag {
            name: n.trim_start_matches('-').to_string(),
            value: v.to_string(),
        };
        all.push((f, o.origin.clone()));
    }
    let flag_list: Vec<Flag> = all.iter().map(|(f, _)| f.clone()).collect();
    if kind == ComponentKind::Kubelet {
        let origins: BTreeMap<String, Origin> = all
            .iter()
            .map(|(f, o)| (f.name.clone(), o.clone()))
            .collect();
        let origin_of = |n: &str| origins.get(n).cloned().unwrap_or(Origin::Flag);
        super::kubelet::build(fs, &mut comp, &flag_list, p.cwd.as_deref(), &origin_of);
    } else {
        for (f, o) in all {
            super::kubelet::set(&mut comp, &f.name, &f.value, o);
        }
        if kind == ComponentKind::Etcd {
            let cfg = format!("{data}/server/db/etcd/config");
            if fs.exists(&cfg) {
                super::kubelet::set(&mut comp, "config-file", &cfg, Origin::Default);
                super::components::etcd_config_file(fs, &mut comp, &cfg);
            }
        }
    }
    comp
}

/// The arguments k3s (v1.32) passes to each embedded component that the
/// CIS checks look at, with k3s's paths under `data`.
fn fixed(fs: &HostFs, kind: ComponentKind, data: &str, etcd: bool) -> Vec<Flag> {
    let tls = format!("{data}/server/tls");
    let pairs: Vec<(&str, String)> = match kind {
        ComponentKind::KubeApiserver => apiserver_fixed(data, etcd),
        ComponentKind::KubeControllerManager => vec![
            ("bind-address", "127.0.0.1".into()),
            (
                "kubeconfig",
                format!("{data}/server/cred/controller.kubeconfig"),
            ),
            ("profiling", "false".into()),
            ("root-ca-file", format!("{tls}/server-ca.crt")),
            ("secure-port", "10257".into()),
            (
                "service-account-private-key-file",
                format!("{tls}/service.current.key"),
            ),
            ("use-service-account-credentials", "true".into()),
        ],
        ComponentKind::KubeScheduler => vec![
            ("bind-address", "127.0.0.1".into()),
            (
                "kubeconfig",
                format!("{data}/server/cred/scheduler.kubeconfig"),
            ),
            ("profiling", "false".into()),
            ("secure-port", "10259".into()),
        ],
        ComponentKind::Etcd => vec![("data-dir", format!("{data}/server/db/etcd"))],
        ComponentKind::KubeProxy => vec![
            ("healthz-bind-address", "127.0.0.1".into()),
            ("kubeconfig", format!("{data}/agent/kubeproxy.kubeconfig")),
        ],
        ComponentKind::Kubelet => kubelet_fixed(fs, data),
    };
    pairs
        .into_iter()
        .map(|(n, v)| Flag {
            name: n.into(),
            value: v,
        })
        .collect()
}

/// What k3s passes to its embedded kube-apiserver.
fn apiserver_fixed(data: &str, etcd: bool) -> Vec<(&'static str, String)> {
    let tls = format!("{data}/server/tls");
    let mut v = vec![
        ("anonymous-auth", "false".into()),
        ("authorization-mode", "Node,RBAC".into()),
        ("bind-address", "127.0.0.1".into()),
        ("client-ca-file", format!("{tls}/client-ca.crt")),
        ("enable-admission-plugins", "NodeRestriction".into()),
        (
            "kubelet-certificate-authority",
            format!("{tls}/server-ca.crt"),
        ),
        (
            "kubelet-client-certificate",
            format!("{tls}/client-kube-apiserver.crt"),
        ),
        (
            "kubelet-client-key",
            format!("{tls}/client-kube-apiserver.key"),
        ),
        ("profiling", "false".into()),
        ("secure-port", "6444".into()),
        ("service-account-key-file", format!("{tls}/service.key")),
        ("service-account-lookup", "true".into()),
        ("tls-cert-file", format!("{tls}/serving-kube-apiserver.crt")),
        (
            "tls-private-key-file",
            format!("{tls}/serving-kube-apiserver.key"),
        ),
    ];
    if etcd {
        v.push(("etcd-cafile", format!("{tls}/etcd/server-ca.crt")));
        v.push(("etcd-certfile", format!("{tls}/etcd/client.crt")));
        v.push(("etcd-keyfile", format!("{tls}/etcd/client.key")));
        v.push(("etcd-servers", "https://127.0.0.1:2379".into()));
    } else {
        v.push(("etcd-servers", format!("unix://{data}/server/kine.sock")));
    }
    v
}

/// Newer k3s writes the kubelet's settings to a drop-in dir and passes
/// `--config-dir`; older ones pass them as flags.
fn kubelet_fixed(fs: &HostFs, data: &str) -> Vec<(&'static str, String)> {
    let agent = format!("{data}/agent");
    let dropins = format!("{agent}/etc/kubelet.conf.d");
    let mut v = vec![
        ("kubeconfig", format!("{agent}/kubelet.kubeconfig")),
        ("pod-manifest-path", format!("{agent}/pod-manifests")),
    ];
    if fs.is_dir(&dropins) {
        v.push(("config-dir", dropins));
    } else {
        v.extend([
            ("anonymous-auth", "false".to_string()),
            ("authentication-token-webhook", "true".into()),
            ("authorization-mode", "Webhook".into()),
            ("client-ca-file", format!("{agent}/client-ca.crt")),
            ("read-only-port", "0".into()),
            ("tls-cert-file", format!("{agent}/serving-kubelet.crt")),
            (
                "tls-private-key-file",
                format!("{agent}/serving-kubelet.key"),
            ),
        ]);
    }
    v
}

/// k3s options from config.yaml (+ .d), the unit's ExecStart and argv.
fn k3s_options(fs: &HostFs, p: &KubeProc, server: bool, errors: &mut Vec<String>) -> Vec<Opt> {
    let mut opts = Vec::new();
    let argv_flags = flags::parse(p.argv.get(2..).unwrap_or_default());
    let config = argv_flags
        .iter()
        .rev()
        .find(|f| f.name == "config" || f.name == "c")
        .map(|f| f.value.clone())
        .unwrap_or_else(|| K3S_CONFIG.to_string());
    let mut files = vec![config.clone()];
    if let Ok(names) = fs.list_dir(&format!("{config}.d")) {
        files.extend(
            names
                .into_iter()
                .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
                .map(|n| format!("{config}.d/{n}")),
        );
    }
    for f in files {
        match fs.read_to_string(&f) {
            Ok(text) => config_options(&f, &text, &mut opts, errors),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => errors.push(format!("{f}: cannot read: {e}")),
        }
    }
    let from_argv = !argv_flags.is_empty();
    let unit_flags = if from_argv {
        Vec::new()
    } else {
        unit_options(
            fs,
            if server {
                "k3s.service"
            } else {
                "k3s-agent.service"
            },
        )
    };
    opts.extend(unit_flags);
    opts.extend(argv_flags.into_iter().map(|f| Opt {
        name: f.name,
        value: f.value,
        origin: Origin::Flag,
    }));
    opts
}

fn config_options(path: &str, text: &str, opts: &mut Vec<Opt>, errors: &mut Vec<String>) {
    let docs = match yaml::parse_documents(text) {
        Ok(d) => d,
        Err(e) => {
            let (l, c) = e.pos.map(|p| (p.line, p.col)).unwrap_or((1, 1));
            errors.push(format!(
                "{path}:{l}:{c}: expected k3s config YAML: {}",
                e.message
            ));
            return;
        }
    };
    let Some(map) = docs.first().and_then(|d| d.as_map()) else {
        return;
    };
    for e in map {
        let origin = Origin::ConfigFile {
            path: path.to_string(),
            line: Some(e.key_pos.line),
        };
        let values: Vec<String> = match e.value.as_map() {
            Some(_) => vec![super::configfile::render(&e.value)],
            None if !e.value.as_seq().is_empty() => e
                .value
                .as_seq()
                .iter()
                .filter_map(|n| n.scalar_text())
                .collect(),
            None => e.value.scalar_text().into_iter().collect(),
        };
        for value in values {
            opts.push(Opt {
                name: e.key.clone(),
                value,
                origin: origin.clone(),
            });
        }
    }
}

fn unit_options(fs: &HostFs, unit: &str) -> Vec<Opt> {
    let u = systemd::find_unit(fs, unit);
    let Some(cmd) = u.exec_start.last() else {
        return Vec::new();
    };
    let src = u
        .drop_ins
        .last()
        .or(u.fragment.as_ref())
        .cloned()
        .unwrap_or_default();
    let words = systemd::split_command(cmd);
    flags::parse(words.get(1..).unwrap_or_default())
        .into_iter()
        .map(|f| Opt {
            name: f.name,
            value: f.value,
            origin: Origin::ConfigFile {
                path: src.clone(),
                line: None,
            },
        })
        .collect()
}

/// The distribution, from what was found: a k3s or RKE2 process, else RKE2
/// or k3s paths in what the components were started with, else kubeadm.
pub fn profile(_fs: &HostFs, facts: &KubeFacts, distro: Option<What>) -> Option<Profile> {
    match distro {
        Some(What::K3s { .. }) => return Some(Profile::K3s),
        Some(What::Rke2 { .. }) => return Some(Profile::Rke2),
        _ => {}
    }
    if facts.components.is_empty() {
        return None;
    }
    let mentions = |needle: &str| {
        facts.components.iter().any(|c| {
            let source = match &c.found_by {
                FoundBy::Process { argv, .. } => argv.join(" "),
                FoundBy::StaticPod { path } => path.clone(),
            };
            source.contains(needle) || c.settings.values().any(|s| s.value.contains(needle))
        })
    };
    if mentions("/rancher/rke2") {
        Some(Profile::Rke2)
    } else if mentions("/rancher/k3s") {
        Some(Profile::K3s)
    } else {
        Some(Profile::Kubeadm)
    }
}
