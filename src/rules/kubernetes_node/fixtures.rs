//! KubeFacts fixtures: a hardened kubeadm v1.32 node running the control
//! plane and a kubelet, laid out as kubeadm lays it out, and helpers to
//! derive variants (a flag changed, a file loosened, a component gone).
//! Used by the unit tests, `tests/kube_checks*.rs` and the bench.

use crate::snapshot::kubernetes::{
    ComponentKind, FoundBy, KubeComponent, KubeFacts, Origin, Profile, Setting,
};
use crate::snapshot::{FileFact, FileStat, Probe};
use ComponentKind::*;

const KUBELET_CONFIG: &str = "/var/lib/kubelet/config.yaml";
const PROXY_CONFIG: &str = "/var/lib/kube-proxy/config.conf";

fn process(kind: ComponentKind, pid: u32, flags: &[(&str, &str)]) -> KubeComponent {
    let mut argv = vec![format!("/usr/local/bin/{}", kind.binary())];
    argv.extend(flags.iter().map(|(k, v)| format!("--{k}={v}")));
    KubeComponent {
        kind,
        found_by: FoundBy::Process {
            pid,
            argv,
            comm: kind.binary().chars().take(15).collect(),
            cwd: Some("/".into()),
            embedded_in: None,
        },
        settings: flags
            .iter()
            .map(|(k, v)| (k.to_string(), setting(v, Origin::Flag)))
            .collect(),
        config_files: Vec::new(),
        errors: Vec::new(),
    }
}

pub fn setting(value: &str, origin: Origin) -> Setting {
    Setting {
        value: value.into(),
        origin,
    }
}

const APISERVER: &[(&str, &str)] = &[
    ("advertise-address", "10.0.0.10"),
    ("allow-privileged", "true"),
    ("anonymous-auth", "false"),
    ("audit-log-maxage", "30"),
    ("audit-log-maxbackup", "10"),
    ("audit-log-maxsize", "100"),
    ("audit-log-path", "/var/log/kubernetes/audit/audit.log"),
    ("audit-policy-file", "/etc/kubernetes/audit-policy.yaml"),
    ("authorization-mode", "Node,RBAC"),
    ("client-ca-file", "/etc/kubernetes/pki/ca.crt"),
    ("enable-admission-plugins", "NodeRestriction,EventRateLimit,AlwaysPullImages,DenyServiceExternalIPs"),
    ("enable-bootstrap-token-auth", "true"),
    ("encryption-provider-config", "/etc/kubernetes/enc/encryption.yaml"),
    ("etcd-cafile", "/etc/kubernetes/pki/etcd/ca.crt"),
    ("etcd-certfile", "/etc/kubernetes/pki/apiserver-etcd-client.crt"),
    ("etcd-keyfile", "/etc/kubernetes/pki/apiserver-etcd-client.key"),
    ("etcd-servers", "https://127.0.0.1:2379"),
    ("kubelet-certificate-authority", "/etc/kubernetes/pki/ca.crt"),
    ("kubelet-client-certificate", "/etc/kubernetes/pki/apiserver-kubelet-client.crt"),
    ("kubelet-client-key", "/etc/kubernetes/pki/apiserver-kubelet-client.key"),
    ("profiling", "false"),
    ("secure-port", "6443"),
    ("service-account-extend-token-expiration", "false"),
    ("service-account-issuer", "https://kubernetes.default.svc.cluster.local"),
    ("service-account-key-file", "/etc/kubernetes/pki/sa.pub"),
    ("service-account-signing-key-file", "/etc/kubernetes/pki/sa.key"),
    ("service-cluster-ip-range", "10.96.0.0/12"),
    ("tls-cert-file", "/etc/kubernetes/pki/apiserver.crt"),
    ("tls-cipher-suites", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
    ("tls-private-key-file", "/etc/kubernetes/pki/apiserver.key"),
];

const CONTROLLER_MANAGER: &[(&str, &str)] = &[
    ("bind-address", "127.0.0.1"),
    ("cluster-signing-cert-file", "/etc/kubernetes/pki/ca.crt"),
    ("cluster-signing-key-file", "/etc/kubernetes/pki/ca.key"),
    ("kubeconfig", "/etc/kubernetes/controller-manager.conf"),
    ("profiling", "false"),
    ("root-ca-file", "/etc/kubernetes/pki/ca.crt"),
    (
        "service-account-private-key-file",
        "/etc/kubernetes/pki/sa.key",
    ),
    ("terminated-pod-gc-threshold", "10"),
    ("use-service-account-credentials", "true"),
];

const SCHEDULER: &[(&str, &str)] = &[
    ("bind-address", "127.0.0.1"),
    ("kubeconfig", "/etc/kubernetes/scheduler.conf"),
    ("profiling", "false"),
];

const ETCD: &[(&str, &str)] = &[
    ("advertise-client-urls", "https://10.0.0.10:2379"),
    ("cert-file", "/etc/kubernetes/pki/etcd/server.crt"),
    ("client-cert-auth", "true"),
    ("data-dir", "/var/lib/etcd"),
    ("key-file", "/etc/kubernetes/pki/etcd/server.key"),
    ("peer-cert-file", "/etc/kubernetes/pki/etcd/peer.crt"),
    ("peer-client-cert-auth", "true"),
    ("peer-key-file", "/etc/kubernetes/pki/etcd/peer.key"),
    ("trusted-ca-file", "/etc/kubernetes/pki/etcd/ca.crt"),
];

/// KubeletConfiguration keys as the collector records them, with the line
/// of each in config.yaml.
const KUBELET_CFG: &[(&str, &str)] = &[
    ("authentication.anonymous.enabled", "false"),
    ("authentication.webhook.enabled", "true"),
    (
        "authentication.x509.clientCAFile",
        "/etc/kubernetes/pki/ca.crt",
    ),
    ("authorization.mode", "Webhook"),
    ("cgroupDriver", "systemd"),
    ("eventRecordQPS", "50"),
    ("featureGates.RotateKubeletServerCertificate", "true"),
    ("makeIPTablesUtilChains", "true"),
    ("podPidsLimit", "4096"),
    ("readOnlyPort", "0"),
    ("rotateCertificates", "true"),
    ("seccompDefault", "true"),
    ("serverTLSBootstrap", "true"),
    ("staticPodPath", "/etc/kubernetes/manifests"),
    ("streamingConnectionIdleTimeout", "5m"),
    (
        "tlsCipherSuites",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    ),
];

fn kubelet() -> KubeComponent {
    let mut k = process(
        Kubelet,
        900,
        &[
            (
                "bootstrap-kubeconfig",
                "/etc/kubernetes/bootstrap-kubelet.conf",
            ),
            ("kubeconfig", "/etc/kubernetes/kubelet.conf"),
            ("config", KUBELET_CONFIG),
            (
                "container-runtime-endpoint",
                "unix:///var/run/containerd/containerd.sock",
            ),
        ],
    );
    for (i, (key, v)) in KUBELET_CFG.iter().enumerate() {
        let origin = Origin::ConfigFile {
            path: KUBELET_CONFIG.into(),
            line: Some(i as u32 + 3),
        };
        k.settings.insert(key.to_string(), setting(v, origin));
    }
    k.config_files.push(KUBELET_CONFIG.into());
    k
}

fn kube_proxy() -> KubeComponent {
    let mut p = process(
        KubeProxy,
        950,
        &[("config", PROXY_CONFIG), ("hostname-override", "node-1")],
    );
    // kubeadm passes --hostname-override to kube-proxy, not to the kubelet.
    let origin = Origin::ConfigFile {
        path: PROXY_CONFIG.into(),
        line: Some(18),
    };
    p.settings.insert(
        "metricsBindAddress".into(),
        setting("127.0.0.1:10249", origin),
    );
    let origin = Origin::ConfigFile {
        path: PROXY_CONFIG.into(),
        line: Some(7),
    };
    p.settings.insert(
        "clientConnection.kubeconfig".into(),
        setting("/var/lib/kube-proxy/kubeconfig.conf", origin),
    );
    p.config_files.push(PROXY_CONFIG.into());
    p
}

pub fn stat(kind: &str, mode: u32, user: &str, group: &str) -> FileFact {
    let id = |n: &str| match n {
        "root" => 0,
        "etcd" => 998,
        _ => 1000,
    };
    FileFact::Present(FileStat {
        kind: kind.into(),
        uid: id(user),
        gid: id(group),
        user: Some(user.into()),
        group: Some(group.into()),
        mode,
    })
}

fn files() -> Vec<(&'static str, FileFact)> {
    let f = |m| stat("file", m, "root", "root");
    let d = |m| stat("dir", m, "root", "root");
    vec![
        ("/etc/kubernetes/manifests/kube-apiserver.yaml", f(0o600)),
        (
            "/etc/kubernetes/manifests/kube-controller-manager.yaml",
            f(0o600),
        ),
        ("/etc/kubernetes/manifests/kube-scheduler.yaml", f(0o600)),
        ("/etc/kubernetes/manifests/etcd.yaml", f(0o600)),
        ("/etc/cni/net.d", d(0o755)),
        ("/etc/cni/net.d/10-calico.conflist", f(0o600)),
        ("/var/lib/etcd", stat("dir", 0o700, "etcd", "etcd")),
        ("/etc/kubernetes/admin.conf", f(0o600)),
        ("/etc/kubernetes/super-admin.conf", f(0o600)),
        ("/etc/kubernetes/scheduler.conf", f(0o600)),
        ("/etc/kubernetes/controller-manager.conf", f(0o600)),
        ("/etc/kubernetes/pki", d(0o755)),
        ("/etc/kubernetes/pki/ca.crt", f(0o644)),
        ("/etc/kubernetes/pki/ca.key", f(0o600)),
        ("/etc/kubernetes/pki/apiserver.crt", f(0o644)),
        ("/etc/kubernetes/pki/apiserver.key", f(0o600)),
        ("/etc/kubernetes/pki/sa.key", f(0o600)),
        ("/etc/kubernetes/pki/sa.pub", f(0o644)),
        ("/etc/kubernetes/pki/etcd", d(0o755)),
        ("/etc/kubernetes/pki/etcd/ca.crt", f(0o644)),
        ("/etc/kubernetes/pki/etcd/ca.key", f(0o600)),
        (
            "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
            f(0o600),
        ),
        (
            "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
            FileFact::Missing,
        ),
        (
            "/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
            FileFact::Missing,
        ),
        ("/var/lib/kube-proxy/kubeconfig.conf", f(0o600)),
        ("/etc/kubernetes/proxy.conf", FileFact::Missing),
        ("/etc/kubernetes/kubelet.conf", f(0o600)),
        (KUBELET_CONFIG, f(0o600)),
    ]
}

fn dirs() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("/etc/cni/net.d", vec!["10-calico.conflist"]),
        (
            "/etc/kubernetes/pki",
            vec![
                "apiserver.crt",
                "apiserver.key",
                "ca.crt",
                "ca.key",
                "etcd",
                "sa.key",
                "sa.pub",
            ],
        ),
        ("/etc/kubernetes/pki/etcd", vec!["ca.crt", "ca.key"]),
    ]
}

/// A hardened kubeadm v1.32 node: control plane, etcd, kubelet and
/// kube-proxy, every automated check passing.
pub fn compliant() -> KubeFacts {
    KubeFacts {
        profile: Some(Profile::Kubeadm),
        components: vec![
            process(KubeApiserver, 100, APISERVER),
            process(KubeControllerManager, 200, CONTROLLER_MANAGER),
            process(KubeScheduler, 300, SCHEDULER),
            process(Etcd, 400, ETCD),
            kubelet(),
            kube_proxy(),
        ],
        files: files()
            .into_iter()
            .map(|(p, f)| (p.to_string(), f))
            .collect(),
        dirs: dirs()
            .into_iter()
            .map(|(d, n)| {
                (
                    d.to_string(),
                    Probe::Ok(n.into_iter().map(String::from).collect()),
                )
            })
            .collect(),
        errors: Vec::new(),
    }
}

/// A worker: kubelet and kube-proxy only; control-plane files absent.
pub fn worker() -> KubeFacts {
    let mut f = compliant();
    for k in [KubeApiserver, KubeControllerManager, KubeScheduler, Etcd] {
        drop_component(&mut f, k);
    }
    f.files
        .retain(|p, _| !p.contains("/manifests/") && !p.contains("/pki") && !p.contains("etcd"));
    for p in [
        "/etc/kubernetes/admin.conf",
        "/etc/kubernetes/super-admin.conf",
        "/etc/kubernetes/scheduler.conf",
        "/etc/kubernetes/controller-manager.conf",
    ] {
        f.files.insert(p.into(), FileFact::Missing);
    }
    f.files.insert(
        "/etc/kubernetes/pki/ca.crt".into(),
        stat("file", 0o644, "root", "root"),
    );
    f.dirs.retain(|d, _| !d.contains("pki"));
    f
}

pub fn component_mut(f: &mut KubeFacts, kind: ComponentKind) -> &mut KubeComponent {
    f.components
        .iter_mut()
        .find(|c| c.kind == kind)
        .unwrap_or_else(|| panic!("fixture has no {kind:?}"))
}

/// Set a key with an explicit origin.
pub fn set_from(f: &mut KubeFacts, kind: ComponentKind, key: &str, value: &str, origin: Origin) {
    component_mut(f, kind)
        .settings
        .insert(key.into(), setting(value, origin));
}

/// Set a key as a command-line flag.
pub fn set(f: &mut KubeFacts, kind: ComponentKind, key: &str, value: &str) {
    set_from(f, kind, key, value, Origin::Flag);
}

pub fn unset(f: &mut KubeFacts, kind: ComponentKind, key: &str) {
    component_mut(f, kind).settings.remove(key);
}

pub fn drop_component(f: &mut KubeFacts, kind: ComponentKind) {
    f.components.retain(|c| c.kind != kind);
}

pub fn chmod(f: &mut KubeFacts, path: &str, mode: u32) {
    match f.files.get_mut(path) {
        Some(FileFact::Present(st)) => st.mode = mode,
        _ => panic!("fixture has no file {path}"),
    }
}

pub fn chown(f: &mut KubeFacts, path: &str, user: &str, group: &str) {
    let kind = match f.files.get(path) {
        Some(FileFact::Present(st)) => st.kind.clone(),
        _ => panic!("fixture has no file {path}"),
    };
    let mode = match f.files.get(path) {
        Some(FileFact::Present(st)) => st.mode,
        _ => 0,
    };
    f.files.insert(path.into(), stat(&kind, mode, user, group));
}

pub fn set_file(f: &mut KubeFacts, path: &str, fact: FileFact) {
    f.files.insert(path.into(), fact);
}
