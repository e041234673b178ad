//! The Kubernetes node in the threat model: components, boundaries and
//! flows from `snapshot.kubernetes`, and CIS Kubernetes findings as
//! evidence keyed by (benchmark, id).
//!
//! The node is a kubeadm v1.32 control-plane node written out by hand as
//! the collector records it (static pod manifests, kubelet config file,
//! kube-proxy DaemonSet process), with the findings the CIS Kubernetes 1.12
//! checks give for it: some PASS, some FAIL, the manual ones WARN.

mod threat_support;

use shipshape::findings::{Benchmark, Evidence, Finding, Outcome, Severity, Target};
use shipshape::snapshot::host::{FileFact, FileStat};
use shipshape::snapshot::kubernetes::{
    ComponentKind as K, FoundBy, KubeComponent, KubeFacts, Origin, Profile, Setting,
};
use shipshape::threat::model::{BoundaryKind, ComponentKind, SystemModel};
use shipshape::threat::render::{self, ThreatFormat};
use shipshape::threat::{analyze, build, Analysis, Library, Status};
use std::collections::BTreeMap;

const MANIFESTS: &str = "/etc/kubernetes/manifests";
const NODE_IP: &str = "192.168.56.10";

fn settings(pairs: &[(&str, &str)], origin: &Origin) -> BTreeMap<String, Setting> {
    pairs
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                Setting {
                    value: v.to_string(),
                    origin: origin.clone(),
                },
            )
        })
        .collect()
}

fn static_pod(kind: K, pairs: &[(&str, &str)]) -> KubeComponent {
    let path = format!("{MANIFESTS}/{}.yaml", kind.binary());
    KubeComponent {
        kind,
        found_by: FoundBy::StaticPod { path: path.clone() },
        settings: settings(pairs, &Origin::Manifest { path }),
        config_files: Vec::new(),
        errors: Vec::new(),
    }
}

fn process(
    kind: K,
    pid: u32,
    argv: &[&str],
    pairs: &[(&str, &str)],
    config: &str,
) -> KubeComponent {
    let origin = Origin::ConfigFile {
        path: config.to_string(),
        line: None,
    };
    KubeComponent {
        kind,
        found_by: FoundBy::Process {
            pid,
            argv: argv.iter().map(|s| s.to_string()).collect(),
            comm: kind.binary().chars().take(15).collect(),
            cwd: Some("/".into()),
            embedded_in: None,
        },
        settings: settings(pairs, &origin),
        config_files: vec![config.to_string()],
        errors: Vec::new(),
    }
}

fn file(mode: u32, uid: u32, gid: u32) -> FileFact {
    FileFact::Present(FileStat {
        kind: "file".into(),
        uid,
        gid,
        user: Some(if uid == 0 { "root" } else { "etcd" }.into()),
        group: Some(if gid == 0 { "root" } else { "etcd" }.into()),
        mode,
    })
}

fn apiserver(etcd_tls: bool) -> KubeComponent {
    let mut flags = vec![
        ("advertise-address", NODE_IP),
        ("allow-privileged", "true"),
        ("authorization-mode", "Node,RBAC"),
        ("client-ca-file", "/etc/kubernetes/pki/ca.crt"),
        ("enable-admission-plugins", "NodeRestriction"),
        ("enable-bootstrap-token-auth", "true"),
        (
            "kubelet-client-certificate",
            "/etc/kubernetes/pki/apiserver-kubelet-client.crt",
        ),
        (
            "kubelet-client-key",
            "/etc/kubernetes/pki/apiserver-kubelet-client.key",
        ),
        ("secure-port", "6443"),
        (
            "service-account-issuer",
            "https://kubernetes.default.svc.cluster.local",
        ),
        ("service-account-key-file", "/etc/kubernetes/pki/sa.pub"),
        (
            "service-account-signing-key-file",
            "/etc/kubernetes/pki/sa.key",
        ),
        ("service-cluster-ip-range", "10.96.0.0/12"),
        ("tls-cert-file", "/etc/kubernetes/pki/apiserver.crt"),
        ("tls-private-key-file", "/etc/kubernetes/pki/apiserver.key"),
    ];
    if etcd_tls {
        flags.extend([
            ("etcd-cafile", "/etc/kubernetes/pki/etcd/ca.crt"),
            (
                "etcd-certfile",
                "/etc/kubernetes/pki/apiserver-etcd-client.crt",
            ),
            (
                "etcd-keyfile",
                "/etc/kubernetes/pki/apiserver-etcd-client.key",
            ),
            ("etcd-servers", "https://127.0.0.1:2379"),
        ]);
    } else {
        flags.push(("etcd-servers", "http://127.0.0.1:2379"));
    }
    static_pod(K::KubeApiserver, &flags)
}

fn etcd(tls: bool) -> KubeComponent {
    let mut flags = vec![
        ("data-dir", "/var/lib/etcd"),
        ("name", "cp-1"),
        ("snapshot-count", "10000"),
    ];
    if tls {
        flags.extend([
            ("advertise-client-urls", "https://192.168.56.10:2379"),
            ("cert-file", "/etc/kubernetes/pki/etcd/server.crt"),
            ("client-cert-auth", "true"),
            ("key-file", "/etc/kubernetes/pki/etcd/server.key"),
            (
                "listen-client-urls",
                "https://127.0.0.1:2379,https://192.168.56.10:2379",
            ),
            ("listen-metrics-urls", "http://127.0.0.1:2381"),
            ("listen-peer-urls", "https://192.168.56.10:2380"),
            ("peer-cert-file", "/etc/kubernetes/pki/etcd/peer.crt"),
            ("peer-client-cert-auth", "true"),
            ("peer-key-file", "/etc/kubernetes/pki/etcd/peer.key"),
            ("peer-trusted-ca-file", "/etc/kubernetes/pki/etcd/ca.crt"),
            ("trusted-ca-file", "/etc/kubernetes/pki/etcd/ca.crt"),
        ]);
    } else {
        flags.push(("listen-client-urls", "http://127.0.0.1:2379"));
    }
    static_pod(K::Etcd, &flags)
}

/// A kubeadm v1.32 control-plane node. `etcd_tls: false` strips the etcd
/// TLS flags from both ends (an etcd reached over plain HTTP).
fn kubeadm_node(etcd_tls: bool) -> KubeFacts {
    let cm = static_pod(
        K::KubeControllerManager,
        &[
            ("allocate-node-cidrs", "true"),
            (
                "authentication-kubeconfig",
                "/etc/kubernetes/controller-manager.conf",
            ),
            (
                "authorization-kubeconfig",
                "/etc/kubernetes/controller-manager.conf",
            ),
            ("bind-address", "127.0.0.1"),
            ("client-ca-file", "/etc/kubernetes/pki/ca.crt"),
            ("cluster-signing-cert-file", "/etc/kubernetes/pki/ca.crt"),
            ("cluster-signing-key-file", "/etc/kubernetes/pki/ca.key"),
            ("controllers", "*,bootstrapsigner,tokencleaner"),
            ("kubeconfig", "/etc/kubernetes/controller-manager.conf"),
            ("leader-elect", "true"),
            ("root-ca-file", "/etc/kubernetes/pki/ca.crt"),
            (
                "service-account-private-key-file",
                "/etc/kubernetes/pki/sa.key",
            ),
            ("use-service-account-credentials", "true"),
        ],
    );
    let scheduler = static_pod(
        K::KubeScheduler,
        &[
            (
                "authentication-kubeconfig",
                "/etc/kubernetes/scheduler.conf",
            ),
            ("authorization-kubeconfig", "/etc/kubernetes/scheduler.conf"),
            ("bind-address", "127.0.0.1"),
            ("kubeconfig", "/etc/kubernetes/scheduler.conf"),
            ("leader-elect", "true"),
        ],
    );
    let kubelet = process(
        K::Kubelet,
        812,
        &[
            "/usr/bin/kubelet",
            "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
            "--kubeconfig=/etc/kubernetes/kubelet.conf",
            "--config=/var/lib/kubelet/config.yaml",
            "--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock",
        ],
        &[
            ("authentication.anonymous.enabled", "false"),
            ("authentication.webhook.enabled", "true"),
            (
                "authentication.x509.clientCAFile",
                "/etc/kubernetes/pki/ca.crt",
            ),
            ("authorization.mode", "Webhook"),
            ("cgroupDriver", "systemd"),
            ("config", "/var/lib/kubelet/config.yaml"),
            ("kubeconfig", "/etc/kubernetes/kubelet.conf"),
            ("rotateCertificates", "true"),
            ("staticPodPath", MANIFESTS),
        ],
        "/var/lib/kubelet/config.yaml",
    );
    let proxy = process(
        K::KubeProxy,
        1404,
        &[
            "/usr/local/bin/kube-proxy",
            "--config=/var/lib/kube-proxy/config.conf",
            "--hostname-override=cp-1",
        ],
        &[
            (
                "clientConnection.kubeconfig",
                "/var/lib/kube-proxy/kubeconfig.conf",
            ),
            ("mode", "iptables"),
        ],
        "/var/lib/kube-proxy/config.conf",
    );
    let mut files = BTreeMap::new();
    for (name, mode) in [
        ("kube-apiserver", 0o600),
        ("kube-controller-manager", 0o600),
        // Hand-edited: readable by everyone (CIS 1.1.5 fails).
        ("kube-scheduler", 0o644),
        ("etcd", 0o600),
    ] {
        files.insert(format!("{MANIFESTS}/{name}.yaml"), file(mode, 0, 0));
    }
    files.insert("/var/lib/etcd".into(), file(0o700, 0, 0));
    for conf in ["kubelet", "scheduler", "controller-manager"] {
        files.insert(format!("/etc/kubernetes/{conf}.conf"), file(0o600, 0, 0));
    }
    let mut dirs = BTreeMap::new();
    dirs.insert(
        MANIFESTS.to_string(),
        shipshape::snapshot::Probe::Ok(vec![
            "etcd.yaml".into(),
            "kube-apiserver.yaml".into(),
            "kube-controller-manager.yaml".into(),
            "kube-scheduler.yaml".into(),
        ]),
    );
    KubeFacts {
        profile: Some(Profile::Kubeadm),
        components: vec![
            apiserver(etcd_tls),
            cm,
            scheduler,
            etcd(etcd_tls),
            kubelet,
            proxy,
        ],
        files,
        dirs,
        errors: Vec::new(),
    }
}

fn kfinding(id: &'static str, outcome: Outcome, automated: bool, target: Target) -> Finding {
    Finding {
        id,
        benchmark: Benchmark::CisKubernetes,
        section: "1",
        title: "node check",
        automated,
        severity: Severity::High,
        stride: &[],
        outcome,
        message: format!("kubernetes {id}: {}", outcome.label()),
        remediation: "Apply the benchmark's remediation for this check.",
        evidence: vec![Evidence::new(target, outcome, "observed", "expected")],
    }
}

fn manifest(name: &str) -> Target {
    Target::File {
        path: format!("{MANIFESTS}/{name}.yaml"),
    }
}

/// What the CIS Kubernetes 1.12 checks give for `kubeadm_node(true)`.
fn kubeadm_findings() -> Vec<Finding> {
    use Outcome::{Fail, Pass, Warn};
    let host = || Target::Host;
    let mut f = Vec::new();
    for (id, o, name) in [
        ("1.1.1", Pass, "kube-apiserver"),
        ("1.1.2", Pass, "kube-apiserver"),
        ("1.1.3", Pass, "kube-controller-manager"),
        ("1.1.4", Pass, "kube-controller-manager"),
        ("1.1.5", Fail, "kube-scheduler"),
        ("1.1.6", Pass, "kube-scheduler"),
        ("1.1.7", Pass, "etcd"),
        ("1.1.8", Pass, "etcd"),
    ] {
        f.push(kfinding(id, o, true, manifest(name)));
    }
    let data_dir = || Target::File {
        path: "/var/lib/etcd".into(),
    };
    f.push(kfinding("1.1.11", Pass, true, data_dir()));
    // kubeadm leaves the data directory owned by root, not etcd.
    f.push(kfinding("1.1.12", Fail, true, data_dir()));
    for id in [
        "1.1.13", "1.1.14", "1.1.15", "1.1.16", "1.1.17", "1.1.18", "4.1.1", "4.1.2", "4.1.5",
        "4.1.6", "4.1.9", "4.1.10",
    ] {
        f.push(kfinding(id, Pass, true, host()));
    }
    // Manual in CIS 1.12: a person reviews them.
    for id in ["1.2.1", "1.2.27", "1.2.28", "4.2.9", "4.2.13"] {
        f.push(kfinding(id, Warn, false, host()));
    }
    for id in ["4.1.3", "4.1.4", "2.7", "4.2.4", "4.2.5", "4.2.7"] {
        f.push(kfinding(id, Pass, false, host()));
    }
    for id in [
        "1.2.2", "1.2.4", "1.2.6", "1.2.7", "1.2.8", "1.2.23", "1.2.24", "1.2.25", "1.2.26",
        "1.3.3", "1.3.4", "1.3.5", "1.3.7", "1.4.2", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6",
        "4.2.1", "4.2.2", "4.2.3", "4.2.10", "4.3.1",
    ] {
        f.push(kfinding(id, Pass, true, host()));
    }
    for id in ["1.2.5", "1.2.15", "1.2.16", "1.3.2", "1.4.1"] {
        f.push(kfinding(id, Fail, true, host()));
    }
    f
}

fn node_model(kube: KubeFacts) -> SystemModel {
    let mut snap = threat_support::snapshot("snapshot-risky.json");
    snap.kubernetes = kube;
    let mut m = build::from_snapshot(&snap);
    m.fill_defaults();
    m
}

fn status<'a>(a: &'a Analysis<'_>, id: &str) -> (Status, Vec<&'a str>) {
    let i = a.instances.iter().find(|i| i.id == id).unwrap_or_else(|| {
        let ids: Vec<&str> = a
            .instances
            .iter()
            .filter(|i| i.id.starts_with("k8s."))
            .map(|i| i.id.as_str())
            .collect();
        panic!(
            "no instance {id}; Kubernetes instances:\n{}",
            ids.join("\n")
        )
    });
    (
        i.status,
        i.evidence
            .iter()
            .filter(|e| e.outcome != Outcome::Pass || i.status == Status::Mitigated)
            .map(|e| e.check.as_str())
            .collect(),
    )
}

#[test]
fn a_kubeadm_control_plane_node_becomes_components_boundaries_and_flows() {
    let m = node_model(kubeadm_node(true));
    for id in [
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "etcd",
        "kubelet",
        "kube-proxy",
        "static-pod:kube-apiserver",
        "static-pod:kube-controller-manager",
        "static-pod:kube-scheduler",
        "static-pod:etcd",
        "pods",
        "network-clients",
    ] {
        assert!(m.component(id).is_some(), "no component {id}");
    }
    let boundary_of = |id: &str| {
        let b = m.component(id).unwrap().boundary.clone().unwrap();
        m.boundary(&b).unwrap().kind
    };
    assert_eq!(boundary_of("kube-apiserver"), BoundaryKind::ControlPlane);
    assert_eq!(boundary_of("etcd"), BoundaryKind::ControlPlane);
    assert_eq!(boundary_of("static-pod:etcd"), BoundaryKind::ControlPlane);
    assert_eq!(boundary_of("kubelet"), BoundaryKind::WorkerNode);
    assert_eq!(boundary_of("kube-proxy"), BoundaryKind::WorkerNode);
    assert_eq!(boundary_of("pods"), BoundaryKind::ClusterNetwork);
    assert_eq!(boundary_of("network-clients"), BoundaryKind::Internet);
    // The control plane sits inside the node, the node inside the host.
    assert_eq!(
        m.boundary("control-plane").unwrap().parent.as_deref(),
        Some("k8s-node")
    );
    assert_eq!(
        m.boundary("k8s-node").unwrap().parent.as_deref(),
        Some("host")
    );
    assert_eq!(
        m.component("static-pod:kube-scheduler").unwrap().kind,
        ComponentKind::StaticPodManifest
    );

    let flow = |id: &str| {
        m.flows
            .iter()
            .find(|f| f.id == id)
            .unwrap_or_else(|| panic!("no flow {id}"))
    };
    for from in [
        "kubelet",
        "kube-scheduler",
        "kube-controller-manager",
        "kube-proxy",
    ] {
        let f = flow(&format!("{from}->kube-apiserver"));
        assert_eq!((f.encrypted, f.port), (Some(true), Some(6443)), "{from}");
    }
    // kubeadm: https etcd URLs, a client certificate, client-cert-auth on.
    let e = flow("kube-apiserver->etcd");
    assert_eq!((e.encrypted, e.authenticated), (Some(true), Some(true)));
    assert_eq!(e.facts["mtls"].to_string(), "true");
    assert_eq!(e.port, Some(2379));
    // kubeadm sets the kubelet client certificate, not the kubelet CA.
    let k = flow("kube-apiserver->kubelet");
    assert_eq!(k.authenticated, Some(false));
    assert_eq!(k.facts["client_cert"].to_string(), "true");
    assert_eq!(k.facts["server_verified"].to_string(), "false");
    // Bound beyond the node: the API server (no --bind-address), etcd on the
    // node IP, the kubelet on all interfaces. The scheduler and controller
    // manager are on 127.0.0.1; the kubelet read-only port is off.
    let outside: Vec<&str> = m
        .flows
        .iter()
        .filter(|f| f.from == "network-clients")
        .map(|f| f.id.as_str())
        .collect();
    let mut want = vec![
        "network-clients->kube-apiserver:6443",
        "network-clients->etcd:2379",
        "network-clients->kubelet:10250",
    ];
    want.sort();
    let mut got: Vec<&str> = outside
        .into_iter()
        .filter(|id| !id.contains("container:") && !id.contains("docker"))
        .collect();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(
        flow("network-clients->etcd:2379").facts["bind"].to_string(),
        NODE_IP
    );
    assert_eq!(
        flow("network-clients->kube-apiserver:6443").authenticated,
        Some(false),
        "anonymous auth is on by default"
    );
    // Manifests feed their component through a local (hidden) edge.
    assert_eq!(
        flow("static-pod:etcd->etcd").protocol.as_deref(),
        Some("local")
    );
}

#[test]
fn an_etcd_without_tls_gives_a_plaintext_unauthenticated_link() {
    let m = node_model(kubeadm_node(false));
    let e = m
        .flows
        .iter()
        .find(|f| f.id == "kube-apiserver->etcd")
        .unwrap();
    assert_eq!((e.encrypted, e.authenticated), (Some(false), Some(false)));
    assert_eq!(e.protocol.as_deref(), Some("http"));
    assert_eq!(e.facts["mtls"].to_string(), "false");
    // etcd on loopback only: no way in from outside.
    assert!(!m
        .flows
        .iter()
        .any(|f| f.id.starts_with("network-clients->etcd")));

    let lib = Library::builtin();
    let mut findings = kubeadm_findings();
    for f in &mut findings {
        if matches!(f.id, "1.2.23" | "1.2.26" | "2.1" | "2.2" | "2.4" | "2.5") {
            f.outcome = Outcome::Fail;
            f.evidence[0].outcome = Outcome::Fail;
        }
    }
    let a = analyze(&m, &lib, &findings, &[], 0);
    let (s, ev) = status(
        &a,
        "k8s.apiserver.etcd-link@kube-apiserver@kube-apiserver->etcd",
    );
    assert_eq!(s, Status::OpenConfirmed);
    for c in [
        "kubernetes:1.2.23",
        "kubernetes:1.2.26",
        "kubernetes:2.1",
        "kubernetes:2.2",
        "fact:etcd_mtls",
    ] {
        assert!(ev.contains(&c), "{c} missing from {ev:?}");
    }
    let (s, ev) = status(
        &a,
        "k8s.control-plane.plaintext-flow@etcd@kube-apiserver->etcd",
    );
    assert_eq!(s, Status::OpenConfirmed);
    assert!(ev.contains(&"kubernetes:2.1"), "{ev:?}");
    let (s, _) = status(&a, "k8s.etcd.self-signed-certs@etcd");
    assert_eq!(s, Status::OpenConfirmed);
}

/// (instance, status, evidence ids that must be listed)
const EXPECTED: &[(&str, Status, &[&str])] = &[
    // API server: anonymous auth is on (kubeadm leaves the default);
    // 1.2.1 is manual, the observed setting confirms it.
    (
        "k8s.apiserver.anonymous-access@kube-apiserver",
        Status::OpenConfirmed,
        &["fact:anonymous_auth", "kubernetes:1.2.1"],
    ),
    (
        "k8s.apiserver.exposed-console@kube-apiserver",
        Status::OpenConfirmed,
        &["fact:anonymous_auth"],
    ),
    (
        "k8s.apiserver.internet-exposure@kube-apiserver@network-clients->kube-apiserver:6443",
        Status::OpenConfirmed,
        &["fact:listens_beyond_node"],
    ),
    // Controller manager: per-controller credentials, signing key, root CA.
    (
        "k8s.controller-manager.service-account-scope@kube-controller-manager",
        Status::Mitigated,
        &[
            "kubernetes:1.3.3",
            "kubernetes:1.3.4",
            "kubernetes:1.3.5",
            "fact:use_service_account_credentials",
        ],
    ),
    // etcd: data dir owned by root (1.1.12), pod spec fine (1.1.7/1.1.8).
    (
        "k8s.etcd.tampering@etcd",
        Status::OpenConfirmed,
        &["kubernetes:1.1.12", "fact:data_dir_not_etcd_owned"],
    ),
    (
        "k8s.etcd.data-disclosure@etcd",
        Status::OpenConfirmed,
        &["fact:secrets_encrypted"],
    ),
    (
        "k8s.etcd.self-signed-certs@etcd",
        Status::Mitigated,
        &[
            "kubernetes:2.1",
            "kubernetes:2.2",
            "kubernetes:2.3",
            "kubernetes:2.4",
            "kubernetes:2.5",
            "kubernetes:2.6",
            "kubernetes:2.7",
        ],
    ),
    (
        "k8s.etcd.direct-access@etcd",
        Status::Mitigated,
        &["kubernetes:2.2", "kubernetes:2.5", "fact:client_cert_auth"],
    ),
    (
        "k8s.etcd.unexpected-client@etcd@network-clients->etcd:2379",
        Status::Mitigated,
        &["kubernetes:2.2"],
    ),
    (
        "k8s.apiserver.etcd-link@kube-apiserver@kube-apiserver->etcd",
        Status::Mitigated,
        &["kubernetes:1.2.23", "kubernetes:1.2.26", "fact:etcd_mtls"],
    ),
    // Scheduler: profiling on (1.4.1 fails), bound to loopback.
    (
        "k8s.scheduler.profiling-and-exposure@kube-scheduler",
        Status::OpenConfirmed,
        &["kubernetes:1.4.1", "fact:profiling"],
    ),
    // Kubelet: TLS client auth, anonymous off, no hostname override.
    (
        "k8s.kubelet.repudiation@kubelet",
        Status::Mitigated,
        &[
            "kubernetes:4.2.1",
            "kubernetes:4.2.3",
            "kubernetes:4.2.7",
            "fact:hostname_override",
        ],
    ),
    (
        "k8s.kubelet.unauthenticated-api@kubelet",
        Status::Mitigated,
        &[
            "kubernetes:4.2.1",
            "kubernetes:4.2.2",
            "kubernetes:4.2.3",
            "kubernetes:4.2.4",
        ],
    ),
    (
        "k8s.apiserver.kubelet-link@kube-apiserver@kube-apiserver->kubelet",
        Status::OpenConfirmed,
        &["kubernetes:1.2.5", "fact:kubelet_ca"],
    ),
    // kube-proxy kubeconfig.
    (
        "k8s.kube-proxy.kubeconfig-disclosure@kube-proxy",
        Status::Mitigated,
        &["kubernetes:4.1.3", "kubernetes:4.1.4", "kubernetes:4.3.1"],
    ),
    // Static pod manifests: the scheduler's is 0644 (1.1.5 fails).
    (
        "k8s.static-pod.manifest-disclosure@static-pod:kube-scheduler",
        Status::OpenConfirmed,
        &["kubernetes:1.1.5", "fact:readable_by_others"],
    ),
    (
        "k8s.static-pod.manifest-tampering@static-pod:kube-scheduler",
        Status::Mitigated,
        &["kubernetes:1.1.6", "fact:writable_by_others"],
    ),
    (
        "k8s.static-pod.manifest-disclosure@static-pod:etcd",
        Status::Mitigated,
        &["kubernetes:1.1.7"],
    ),
    (
        "k8s.static-pod.manifest-tampering@static-pod:kube-apiserver",
        Status::Mitigated,
        &["kubernetes:1.1.2"],
    ),
    (
        "k8s.control-plane.manifest-tampering@kube-apiserver",
        Status::Mitigated,
        &["kubernetes:1.1.1", "kubernetes:1.1.2", "kubernetes:1.1.13"],
    ),
    (
        "k8s.control-plane.manifest-tampering@kube-scheduler",
        Status::OpenConfirmed,
        &["kubernetes:1.1.5"],
    ),
];

#[test]
fn every_listed_kubernetes_threat_is_confirmed_or_mitigated_with_its_evidence() {
    let m = node_model(kubeadm_node(true));
    let lib = Library::builtin();
    let a = analyze(&m, &lib, &kubeadm_findings(), &[], 0);
    let mut wrong = Vec::new();
    for (id, want, ev) in EXPECTED {
        let (got, have) = status(&a, id);
        if got != *want {
            wrong.push(format!("{id}: {} (want {})", got.name(), want.name()));
        }
        for e in *ev {
            if !have.contains(e) {
                wrong.push(format!("{id}: evidence {e} missing ({have:?})"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // No threat named in the issue is left open and unverified.
    for i in &a.instances {
        let t = a.threat(i);
        if EXPECTED
            .iter()
            .any(|(id, _, _)| id.starts_with(&format!("{}@", t.id)))
        {
            assert_ne!(i.status, Status::OpenUnverified, "{}", i.id);
        }
    }
}

#[test]
fn a_check_counts_only_for_its_own_component() {
    let m = node_model(kubeadm_node(true));
    let lib = Library::builtin();
    let a = analyze(&m, &lib, &kubeadm_findings(), &[], 0);
    let checks = |id: &str| -> Vec<String> {
        a.instances
            .iter()
            .find(|i| i.id == id)
            .unwrap()
            .evidence
            .iter()
            .map(|e| e.check.clone())
            .collect()
    };
    // The scheduler's manifest check (1.1.5) is not the API server's.
    let api = checks("k8s.control-plane.manifest-tampering@kube-apiserver");
    assert!(api.contains(&"kubernetes:1.1.1".to_string()));
    assert!(!api.contains(&"kubernetes:1.1.5".to_string()), "{api:?}");
    assert!(!api.contains(&"kubernetes:1.1.15".to_string()), "{api:?}");
    // The etcd manifest counts for etcd's manifest, not the API server's.
    let etcd_manifest = checks("k8s.static-pod.manifest-tampering@static-pod:etcd");
    assert!(etcd_manifest.contains(&"kubernetes:1.1.8".to_string()));
    assert!(!etcd_manifest.contains(&"kubernetes:1.1.2".to_string()));
    // Profiling: 1.2.15 on the API server, 1.3.2 on the controller manager.
    let cm = checks("k8s.control-plane.debug-endpoints@kube-controller-manager");
    assert!(cm.contains(&"kubernetes:1.3.2".to_string()));
    assert!(!cm.contains(&"kubernetes:1.2.15".to_string()));
}

#[test]
fn kubernetes_and_docker_findings_with_the_same_id_stay_apart() {
    let m = node_model(kubeadm_node(true));
    let lib = Library::builtin();
    let mut findings = kubeadm_findings();
    // CIS Docker 2.2 (a daemon setting) fails; CIS Kubernetes 2.2 passes.
    let mut docker = threat_support::finding("2.2", "docker check", Outcome::Fail, vec![]);
    docker.evidence = vec![Evidence::new(Target::Daemon, Outcome::Fail, "x", "y")];
    findings.push(docker);
    let a = analyze(&m, &lib, &findings, &[], 0);
    let (s, ev) = status(&a, "k8s.etcd.direct-access@etcd");
    assert_eq!(s, Status::Mitigated);
    assert!(ev.contains(&"kubernetes:2.2"));
    assert!(!ev.contains(&"2.2"), "the Docker finding leaked in: {ev:?}");
    // Without the Kubernetes findings the Docker 2.2 is not read either.
    let only_docker: Vec<Finding> = findings
        .into_iter()
        .filter(|f| f.benchmark != Benchmark::CisKubernetes)
        .collect();
    let a = analyze(&m, &lib, &only_docker, &[], 0);
    let i = a
        .instances
        .iter()
        .find(|i| i.id == "k8s.etcd.direct-access@etcd")
        .unwrap();
    assert!(i.evidence.iter().all(|e| !e.check.contains("2.2")));
    // The observed setting still decides it.
    assert_eq!(i.status, Status::Mitigated);
}

#[test]
fn a_node_without_kubernetes_adds_nothing() {
    let mut snap = threat_support::snapshot("snapshot-risky.json");
    let plain = build::from_snapshot(&snap);
    snap.kubernetes = KubeFacts::default();
    let empty = build::from_snapshot(&snap);
    let ids =
        |m: &SystemModel| -> Vec<String> { m.components.iter().map(|c| c.id.clone()).collect() };
    assert_eq!(ids(&plain), ids(&empty));
    assert_eq!(plain.flows.len(), empty.flows.len());
    assert!(empty.boundary("k8s-node").is_none() && empty.boundary("control-plane").is_none());
    let lib = Library::builtin();
    let a = analyze(&empty, &lib, &kubeadm_findings(), &[], 0);
    assert!(
        a.instances.iter().all(|i| !i.id.starts_with("k8s.")),
        "Kubernetes threats on a host without Kubernetes"
    );
}

#[test]
fn a_worker_node_has_no_control_plane() {
    let mut kube = kubeadm_node(true);
    kube.components
        .retain(|c| matches!(c.kind, K::Kubelet | K::KubeProxy));
    let m = node_model(kube);
    assert!(m.boundary("control-plane").is_none());
    assert!(m.component("kubelet").is_some() && m.component("kube-apiserver").is_none());
    assert!(!m.components.iter().any(|c| c.id.starts_with("static-pod:")));
    // The API server runs elsewhere: no flow is invented to it.
    assert!(!m.flows.iter().any(|f| f.to == "kube-apiserver"));
}

#[test]
fn a_flags_only_kubelet_with_the_read_only_port_is_confirmed_unauthenticated() {
    let mut kube = kubeadm_node(true);
    let k = kube
        .components
        .iter_mut()
        .find(|c| c.kind == K::Kubelet)
        .unwrap();
    // No config file: the flag defaults apply (anonymous on, AlwaysAllow,
    // read-only port 10255).
    k.settings.clear();
    k.config_files.clear();
    let m = node_model(kube);
    let ro = m
        .flows
        .iter()
        .find(|f| f.id == "network-clients->kubelet:10255")
        .expect("read-only port flow");
    assert_eq!((ro.encrypted, ro.authenticated), (Some(false), Some(false)));
    let lib = Library::builtin();
    let a = analyze(&m, &lib, &[], &[], 0);
    let i = a
        .instances
        .iter()
        .find(|i| i.id == "k8s.kubelet.unauthenticated-api@kubelet")
        .unwrap();
    assert_eq!(i.status, Status::OpenConfirmed);
    assert_eq!(i.severity, Severity::Critical, "AlwaysAllow is a takeover");
    let plain = a.instances.iter().find(|i| {
        i.id == "k8s.control-plane.plaintext-flow@kubelet@network-clients->kubelet:10255"
    });
    assert!(plain.is_some(), "the read-only port is a plain-text flow");
}

#[test]
fn every_renderer_shows_the_node() {
    let m = node_model(kubeadm_node(true));
    let lib = Library::builtin();
    let a = analyze(&m, &lib, &kubeadm_findings(), &[], 0);
    let md = render::render(&a, ThreatFormat::Markdown);
    for s in [
        "kubernetes:1.1.12",
        "static pod manifest",
        "API server (kube-apiserver)",
    ] {
        assert!(md.contains(s), "markdown lacks {s}");
    }
    let dot = render::render(&a, ThreatFormat::Dot);
    for s in [
        "Control plane",
        "Pod network",
        "Kubernetes node",
        "etcd (cluster state)",
    ] {
        assert!(dot.contains(s), "dot lacks {s}");
    }
    // Static pod edges are local: hidden unless asked for.
    assert!(
        !dot.contains("static pod spec"),
        "local edges drawn by default"
    );
    let mermaid = render::render(&a, ThreatFormat::Mermaid);
    assert!(mermaid.contains("Control plane") && mermaid.contains("kube-proxy"));
    let json: serde_json::Value =
        serde_json::from_str(&render::render(&a, ThreatFormat::Json)).unwrap();
    let kinds: Vec<&str> = json["model"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"static-pod-manifest") && kinds.contains(&"etcd"));
    let schema: serde_json::Value =
        serde_json::from_str(shipshape::threat::render::json::JSON_SCHEMA).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn shipshape_threats_on_a_snapshot_of_the_node_decides_the_kubernetes_threats() {
    let mut snap = threat_support::snapshot("snapshot-risky.json");
    snap.kubernetes = kubeadm_node(true);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("node.json");
    std::fs::write(&path, serde_json::to_string(&snap).unwrap()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args([
            "threats",
            "--snapshot",
            path.to_str().unwrap(),
            "-f",
            "json",
        ])
        .args(["--fail-on", "none"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let status = |id: &str| -> String {
        doc["threats"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap_or_else(|| panic!("no {id}"))["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Without node checks in this run, the observed settings decide.
    assert_eq!(
        status("k8s.apiserver.anonymous-access@kube-apiserver"),
        "open-confirmed"
    );
    assert_eq!(
        status("k8s.controller-manager.service-account-scope@kube-controller-manager"),
        "mitigated"
    );
    assert_eq!(
        status("k8s.apiserver.etcd-link@kube-apiserver@kube-apiserver->etcd"),
        "mitigated"
    );
    assert_eq!(
        status("k8s.static-pod.manifest-disclosure@static-pod:kube-scheduler"),
        "open-confirmed"
    );
    assert_eq!(status("k8s.kubelet.repudiation@kubelet"), "mitigated");
    // kubeadm leaves /var/lib/etcd owned by root.
    assert_eq!(status("k8s.etcd.tampering@etcd"), "open-confirmed");
    assert_eq!(
        status("k8s.control-plane.manifest-tampering@kube-apiserver"),
        "mitigated"
    );
    // Component kubeconfigs at 0600 root:root; no audit log.
    assert_eq!(
        status("k8s.component.credential-abuse@kube-scheduler"),
        "mitigated"
    );
    assert_eq!(
        status("k8s.component.credential-abuse@kubelet"),
        "mitigated"
    );
    assert_eq!(
        status("k8s.cluster.no-audit@kube-apiserver"),
        "open-confirmed"
    );
}
