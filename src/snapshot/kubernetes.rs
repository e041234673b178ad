//! Facts about the Kubernetes components a node runs: which were found, how,
//! and the effective configuration of each with the origin of every value.
//!
//! This is the contract between the Kubernetes collector
//! (`collect::kubernetes`, I/O only) and the CIS Kubernetes checks
//! (`rules::kubernetes_node`, pure). Checks never read the host; everything
//! they need is here, so `shipshape collect` then `audit --snapshot` works for
//! Kubernetes as it does for Docker.
//!
//! Setting keys, so that checks do not need to know where a value came from:
//! - control-plane components, etcd and kube-proxy flags: the flag name
//!   without leading dashes (`anonymous-auth`, `client-cert-auth`). etcd's
//!   `ETCD_CLIENT_CERT_AUTH` is stored under `client-cert-auth` with an
//!   [`Origin::Env`] origin.
//! - kubelet and kube-proxy config-file keys: the dotted path in the
//!   KubeletConfiguration / KubeProxyConfiguration
//!   (`authentication.anonymous.enabled`, `readOnlyPort`). A kubelet flag that
//!   has a config-file equivalent is stored under that dotted path (with an
//!   [`Origin::Flag`] origin), so the later source wins in one place; flags
//!   without one (`hostname-override`, `kubeconfig`, `config`) keep their
//!   flag name.

use super::host::FileFact;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything the Kubernetes collector found on one node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KubeFacts {
    /// The distribution, detected from what was discovered; `None` when no
    /// Kubernetes component was found at all.
    #[serde(default)]
    pub profile: Option<Profile>,
    /// Components found, at most one per kind (the first process wins over a
    /// static pod manifest for the same kind).
    #[serde(default)]
    pub components: Vec<KubeComponent>,
    /// Every file a check looks at, keyed by the path on the audited host
    /// (not prefixed with `--root`). Owners are resolved against the audited
    /// root's `/etc/passwd` and `/etc/group`.
    #[serde(default)]
    pub files: BTreeMap<String, FileFact>,
    /// Directory listings the checks need (PKI dirs, drop-in dirs, static
    /// pod dir): path -> entry names, sorted, or why it could not be listed.
    #[serde(default)]
    pub dirs: BTreeMap<String, super::Probe<Vec<String>>>,
    /// Things discovery could not do, with the reason (an unreadable
    /// `/proc/PID/environ`, a manifest that does not parse). Checks that
    /// depend on them report ERROR; they are also printed as warnings.
    #[serde(default)]
    pub errors: Vec<String>,
}

/// The distribution a node runs; it selects paths and check variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Generic kubeadm layout (`/etc/kubernetes`, `/var/lib/kubelet`).
    Kubeadm,
    /// k3s: one `k3s server`/`k3s agent` process, `/var/lib/rancher/k3s`.
    K3s,
    /// RKE2: `rke2 server`/`rke2 agent`, `/var/lib/rancher/rke2`.
    Rke2,
}

/// The six components the CIS Kubernetes benchmark covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    KubeApiserver,
    KubeControllerManager,
    KubeScheduler,
    Etcd,
    Kubelet,
    KubeProxy,
}

impl ComponentKind {
    pub const ALL: [ComponentKind; 6] = [
        ComponentKind::KubeApiserver,
        ComponentKind::KubeControllerManager,
        ComponentKind::KubeScheduler,
        ComponentKind::Etcd,
        ComponentKind::Kubelet,
        ComponentKind::KubeProxy,
    ];

    /// The binary (and argv[0] basename) of the component.
    pub fn binary(self) -> &'static str {
        match self {
            ComponentKind::KubeApiserver => "kube-apiserver",
            ComponentKind::KubeControllerManager => "kube-controller-manager",
            ComponentKind::KubeScheduler => "kube-scheduler",
            ComponentKind::Etcd => "etcd",
            ComponentKind::Kubelet => "kubelet",
            ComponentKind::KubeProxy => "kube-proxy",
        }
    }
}

/// One discovered component and its effective configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KubeComponent {
    pub kind: ComponentKind,
    pub found_by: FoundBy,
    /// The effective configuration: key -> value with its origin. See the
    /// module docs for how keys are named.
    #[serde(default)]
    pub settings: BTreeMap<String, Setting>,
    /// Configuration files read for this component, in the order they were
    /// applied (the `--config` file, then drop-ins, an etcd env file).
    #[serde(default)]
    pub config_files: Vec<String>,
    /// Problems reading this component's configuration (an unreadable or
    /// malformed config file, with file, line and column when known).
    #[serde(default)]
    pub errors: Vec<String>,
}

impl KubeComponent {
    /// The effective value of a setting, if set anywhere (defaults included).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings.get(key).map(|s| s.value.as_str())
    }
}

/// How a component was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum FoundBy {
    /// A running process, matched by argv[0]'s basename or by `comm`.
    Process {
        pid: u32,
        /// argv as read from `/proc/PID/cmdline`.
        argv: Vec<String>,
        /// `/proc/PID/comm` (at most 15 characters).
        comm: String,
        /// `/proc/PID/cwd`, used to resolve relative paths in flags.
        #[serde(default)]
        cwd: Option<String>,
        /// For k3s/RKE2: the single server binary that embeds the component
        /// (`k3s`, `rke2`), when the component is not its own process.
        #[serde(default)]
        embedded_in: Option<String>,
    },
    /// A static pod manifest under the kubelet's `staticPodPath`, used when
    /// the process is not visible (no hostPID, or a mounted root).
    StaticPod { path: String },
}

/// One effective setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// The value as a string, the way the flag would spell it (`true`,
    /// `0`, `RBAC,Node`). Lists from config files are joined with `,`.
    pub value: String,
    pub origin: Origin,
}

/// Where a setting's value came from; shown in every finding's evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Origin {
    /// The component's built-in default (no source set it).
    Default,
    /// A command-line flag of the running process.
    Flag,
    /// An environment variable (`ETCD_*`) of the process or the manifest.
    Env { var: String },
    /// A config file (`--config`), with the 1-based line of the key.
    ConfigFile {
        path: String,
        #[serde(default)]
        line: Option<u32>,
    },
    /// A `--config-dir` drop-in, with the 1-based line of the key.
    DropIn {
        path: String,
        #[serde(default)]
        line: Option<u32>,
    },
    /// The command or env of a static pod manifest.
    Manifest { path: String },
}

impl Origin {
    /// Short label for evidence: `flag`, `env ETCD_X`, `/path:12`.
    pub fn label(&self) -> String {
        match self {
            Origin::Default => "built-in default".into(),
            Origin::Flag => "command-line flag".into(),
            Origin::Env { var } => format!("environment {var}"),
            Origin::ConfigFile { path, line } | Origin::DropIn { path, line } => match line {
                Some(l) => format!("{path}:{l}"),
                None => path.clone(),
            },
            Origin::Manifest { path } => format!("static pod {path}"),
        }
    }
}

impl KubeFacts {
    pub fn component(&self, kind: ComponentKind) -> Option<&KubeComponent> {
        self.components.iter().find(|c| c.kind == kind)
    }

    /// True when nothing Kubernetes was found on the node.
    pub fn is_empty(&self) -> bool {
        self.components.is_empty()
    }
}
