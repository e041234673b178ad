//! What dockerd 20.10 accepts in daemon.json: every key with its JSON type,
//! and which keys the daemon reloads on SIGHUP (dockerd's "configuration
//! reload behavior"; everything else needs a restart).

/// The JSON type a key takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Bool,
    Str,
    Int,
    StrList,
    Object,
    /// A list of objects (`default-address-pools`).
    ObjList,
}

impl KeyType {
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Bool => "a boolean",
            KeyType::Str => "a string",
            KeyType::Int => "an integer",
            KeyType::StrList => "a list of strings",
            KeyType::Object => "an object",
            KeyType::ObjList => "a list of objects",
        }
    }

    pub fn accepts(self, v: &serde_json::Value) -> bool {
        use serde_json::Value as V;
        match self {
            KeyType::Bool => v.is_boolean(),
            KeyType::Str => v.is_string(),
            KeyType::Int => v.is_i64() || v.is_u64(),
            KeyType::StrList => v
                .as_array()
                .is_some_and(|a| a.iter().all(|x| matches!(x, V::String(_)))),
            KeyType::Object => v.is_object(),
            KeyType::ObjList => v
                .as_array()
                .is_some_and(|a| a.iter().all(|x| x.is_object())),
        }
    }
}

use KeyType::*;

const KEYS: &[(&str, KeyType)] = &[
    ("allow-nondistributable-artifacts", StrList),
    ("api-cors-header", Str),
    ("authorization-plugins", StrList),
    ("bip", Str),
    ("bridge", Str),
    ("builder", Object),
    ("cgroup-parent", Str),
    ("cluster-advertise", Str),
    ("cluster-store", Str),
    ("cluster-store-opts", Object),
    ("containerd", Str),
    ("containerd-namespace", Str),
    ("containerd-plugins-namespace", Str),
    ("cpu-rt-period", Int),
    ("cpu-rt-runtime", Int),
    ("cri-containerd", Bool),
    ("data-root", Str),
    ("debug", Bool),
    ("default-address-pools", ObjList),
    ("default-cgroupns-mode", Str),
    ("default-gateway", Str),
    ("default-gateway-v6", Str),
    ("default-ipc-mode", Str),
    ("default-runtime", Str),
    ("default-shm-size", Str),
    ("default-ulimits", Object),
    ("dns", StrList),
    ("dns-opts", StrList),
    ("dns-search", StrList),
    ("exec-opts", StrList),
    ("exec-root", Str),
    ("experimental", Bool),
    ("features", Object),
    ("fixed-cidr", Str),
    ("fixed-cidr-v6", Str),
    ("group", Str),
    ("hosts", StrList),
    ("icc", Bool),
    ("init", Bool),
    ("init-path", Str),
    ("insecure-registries", StrList),
    ("ip", Str),
    ("ip-forward", Bool),
    ("ip-masq", Bool),
    ("ip6tables", Bool),
    ("iptables", Bool),
    ("ipv6", Bool),
    ("labels", StrList),
    ("live-restore", Bool),
    ("log-driver", Str),
    ("log-format", Str),
    ("log-level", Str),
    ("log-opts", Object),
    ("max-concurrent-downloads", Int),
    ("max-concurrent-uploads", Int),
    ("max-download-attempts", Int),
    ("metrics-addr", Str),
    ("mtu", Int),
    ("network-control-plane-mtu", Int),
    ("network-diagnostic-port", Int),
    ("no-new-privileges", Bool),
    ("node-generic-resources", StrList),
    ("oom-score-adjust", Int),
    ("pidfile", Str),
    ("raw-logs", Bool),
    ("registry-mirrors", StrList),
    ("rootless", Bool),
    ("runtimes", Object),
    ("seccomp-profile", Str),
    ("selinux-enabled", Bool),
    ("shutdown-timeout", Int),
    ("storage-driver", Str),
    ("storage-opts", StrList),
    ("swarm-default-advertise-addr", Str),
    ("tls", Bool),
    ("tlscacert", Str),
    ("tlscert", Str),
    ("tlskey", Str),
    ("tlsverify", Bool),
    ("userland-proxy", Bool),
    ("userland-proxy-path", Str),
    ("userns-remap", Str),
];

const RELOADABLE: &[&str] = &[
    "debug",
    "labels",
    "live-restore",
    "max-concurrent-downloads",
    "max-concurrent-uploads",
    "max-download-attempts",
    "default-runtime",
    "runtimes",
    "authorization-plugins",
    "allow-nondistributable-artifacts",
    "insecure-registries",
    "registry-mirrors",
    "shutdown-timeout",
    "features",
    "network-diagnostic-port",
];

/// The type of a daemon.json key, or `None` for a key dockerd does not know.
pub fn key_type(key: &str) -> Option<KeyType> {
    KEYS.iter().find(|(k, _)| *k == key).map(|(_, t)| *t)
}

/// Whether the daemon applies a change of `key` on SIGHUP.
pub fn is_reloadable(key: &str) -> bool {
    RELOADABLE.contains(&key)
}
