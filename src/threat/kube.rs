//! The Kubernetes node part of the system model, built from
//! `snapshot.kubernetes` (what the collector discovered on the node), and
//! what a CIS Kubernetes check is about, for evidence linking.
//!
//! - Components: every discovered kube-apiserver, kube-controller-manager,
//!   kube-scheduler, etcd, kubelet and kube-proxy (ids are the binary
//!   names), and each static pod manifest they run from
//!   (`static-pod:<binary>`, kind `static-pod-manifest`).
//! - Boundaries: `k8s-node` (the node, inside `host`), `control-plane`
//!   (inside the node), `pod-network` (pods on the node) and the existing
//!   `internet` boundary for everything outside the node.
//! - Flows, from what was seen: kubelet, scheduler, controller manager and
//!   kube-proxy → API server; API server → etcd (mTLS or not) and →
//!   kubelet (client certificate, kubelet CA); pods → API server; and a
//!   flow from `network-clients` for every port bound beyond loopback.
//!
//! Facts are the effective settings with the components' built-in defaults
//! applied where discovery recorded none, so a fact link can confirm or
//! mitigate a threat even where the matching CIS check is manual.

use super::build::{ensure_network_clients, HOST_BOUNDARY, NETWORK_CLIENTS};
use super::model::{
    Boundary, BoundaryKind, Component, ComponentKind, Fact, Flow, Origin, SystemModel,
};
use crate::findings::{Benchmark, Finding, Target};
use crate::snapshot::host::FileFact;
use crate::snapshot::kubernetes::{ComponentKind as KubeKind, FoundBy, KubeComponent, KubeFacts};

pub const NODE_BOUNDARY: &str = "k8s-node";
pub const CONTROL_PLANE_BOUNDARY: &str = "control-plane";
pub const POD_NETWORK_BOUNDARY: &str = "pod-network";
/// The pods on the node, as one actor in the pod network.
pub const PODS: &str = "pods";
/// Where kubeadm puts static pod manifests when the kubelet names none.
pub const KUBEADM_MANIFESTS: &str = "/etc/kubernetes/manifests";

/// The model kind of a discovered Kubernetes component.
pub fn model_kind(k: KubeKind) -> ComponentKind {
    match k {
        KubeKind::KubeApiserver => ComponentKind::KubeApiserver,
        KubeKind::KubeControllerManager => ComponentKind::KubeControllerManager,
        KubeKind::KubeScheduler => ComponentKind::KubeScheduler,
        KubeKind::Etcd => ComponentKind::Etcd,
        KubeKind::Kubelet => ComponentKind::Kubelet,
        KubeKind::KubeProxy => ComponentKind::KubeProxy,
    }
}

/// The model id of a discovered component: its binary name.
pub fn component_id(k: KubeKind) -> &'static str {
    k.binary()
}

/// The model id of a component's static pod manifest.
pub fn manifest_id(k: KubeKind) -> String {
    format!("static-pod:{}", k.binary())
}

// ---------------------------------------------------------------- check ids

/// Every CIS Kubernetes Benchmark 1.12 check id, sections 1 to 5, as
/// (prefix, count) runs.
const CIS_KUBERNETES_RUNS: &[(&str, u32)] = &[
    ("1.1.", 21),
    ("1.2.", 30),
    ("1.3.", 7),
    ("1.4.", 2),
    ("2.", 7),
    ("3.1.", 3),
    ("3.2.", 2),
    ("4.1.", 10),
    ("4.2.", 14),
    ("4.3.", 1),
    ("5.1.", 13),
    ("5.2.", 12),
    ("5.3.", 2),
    ("5.4.", 2),
    ("5.5.", 1),
    ("5.6.", 4),
];

/// Whether `id` is a CIS Kubernetes 1.12 check id (sections 1–5).
pub fn is_cis_kubernetes_id(id: &str) -> bool {
    CIS_KUBERNETES_RUNS.iter().any(|(prefix, n)| {
        id.strip_prefix(prefix)
            .and_then(|rest| rest.parse::<u32>().ok())
            .is_some_and(|i| (1..=*n).contains(&i) && !rest_has_zero(id, prefix))
    })
}

fn rest_has_zero(id: &str, prefix: &str) -> bool {
    id[prefix.len()..].starts_with('0')
}

/// The prefix of a benchmark-qualified check in a library link.
pub const QUALIFIER: &str = "kubernetes:";

/// The bare CIS Kubernetes id of a library link (`kubernetes:1.2.1` →
/// `1.2.1`), or `None` for any other link.
pub fn kube_check(link: &str) -> Option<&str> {
    link.strip_prefix(QUALIFIER)
}

/// The key a finding is looked up by from a library link: CIS Kubernetes
/// findings by their qualified id (`kubernetes:1.2.1`), because their ids
/// collide with CIS Docker ones; every other finding by its id as before
/// (`5.32`, `K8S-001`).
pub fn link_key(f: &Finding) -> String {
    match f.benchmark {
        Benchmark::CisKubernetes => f.qualified_id(),
        _ => f.id.to_string(),
    }
}

/// What a node check (sections 1–4) is about: the component, and whether
/// it checks that component's static pod manifest (1.1.1–1.1.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KubeSubject {
    pub of: KubeKind,
    pub manifest: bool,
}

/// The subject of a CIS Kubernetes 1.12 node check; `None` for section 5
/// (cluster policies, evaluated on manifests) and unknown ids.
pub fn check_subject(id: &str) -> Option<KubeSubject> {
    use KubeKind::*;
    if !is_cis_kubernetes_id(id) {
        return None;
    }
    let n = |p: &str| id.strip_prefix(p).and_then(|r| r.parse::<u32>().ok());
    let of = |of| {
        Some(KubeSubject {
            of,
            manifest: false,
        })
    };
    if let Some(i) = n("1.1.") {
        return match i {
            1..=8 => Some(KubeSubject {
                of: [KubeApiserver, KubeControllerManager, KubeScheduler, Etcd]
                    [(i as usize - 1) / 2],
                manifest: true,
            }),
            9 | 10 => of(Kubelet),
            11 | 12 => of(Etcd),
            15 | 16 => of(KubeScheduler),
            17 | 18 => of(KubeControllerManager),
            _ => of(KubeApiserver), // admin.conf, the PKI
        };
    }
    match id.split('.').take(2).collect::<Vec<_>>().as_slice() {
        ["1", "2"] | ["3", _] => of(KubeApiserver),
        ["1", "3"] => of(KubeControllerManager),
        ["1", "4"] => of(KubeScheduler),
        ["2", _] => of(Etcd),
        ["4", "3"] => of(KubeProxy),
        ["4", "1"] if matches!(n("4.1."), Some(3 | 4)) => of(KubeProxy),
        ["4", _] => of(Kubelet),
        _ => None,
    }
}

/// Whether a check with this subject speaks about component `c`: the
/// component itself (its flags, its files, its manifest), or its static pod
/// manifest for a manifest check.
pub fn subject_matches(s: KubeSubject, c: &Component) -> bool {
    if c.kind == model_kind(s.of) {
        return true;
    }
    s.manifest
        && c.kind == ComponentKind::StaticPodManifest
        && c.facts.get("runs") == Some(&Fact::Str(s.of.binary().to_string()))
}

/// Whether a check with this subject can speak about components of `kind`.
pub fn subject_kind_matches(s: KubeSubject, kind: ComponentKind) -> bool {
    kind == model_kind(s.of) || (s.manifest && kind == ComponentKind::StaticPodManifest)
}

// ---------------------------------------------------------------- settings

/// A setting read as a boolean, with the component's default when unset.
fn flag(c: &KubeComponent, key: &str, default: bool) -> bool {
    c.get(key)
        .map(|v| v.trim().eq_ignore_ascii_case("true"))
        .unwrap_or(default)
}

/// Whether a setting is given a non-empty value.
fn given(c: &KubeComponent, key: &str) -> bool {
    c.get(key).is_some_and(|v| !v.trim().is_empty())
}

fn value<'c>(c: &'c KubeComponent, key: &str, default: &'c str) -> &'c str {
    c.get(key).unwrap_or(default)
}

fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.starts_with("127.") || h == "::1" || h == "localhost"
}

/// `https://10.0.0.5:2379` → (`https`, `10.0.0.5`, Some(2379)).
fn parse_url(u: &str) -> (String, String, Option<u16>) {
    let (scheme, rest) = u.split_once("://").unwrap_or(("", u));
    let hostport = rest.split('/').next().unwrap_or(rest);
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') => (h, p.parse().ok()),
        _ => (hostport, None),
    };
    (scheme.to_ascii_lowercase(), host.to_string(), port)
}

fn urls(v: &str) -> Vec<(String, String, Option<u16>)> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(parse_url)
        .collect()
}

/// The read-only port in effect: the setting, else the default of the way
/// the kubelet is configured (10255 with flags alone, 0 with a config
/// file).
fn read_only_port(k: &KubeComponent) -> i64 {
    let default = if k.config_files.is_empty() && !given(k, "config") {
        10255
    } else {
        0
    };
    k.get("readOnlyPort")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Kubelet anonymous auth in effect: false by default with a config file
/// (KubeletConfiguration v1beta1), true with flags alone.
fn kubelet_anonymous(k: &KubeComponent) -> bool {
    let with_config = !k.config_files.is_empty() || given(k, "config");
    flag(k, "authentication.anonymous.enabled", !with_config)
}

fn kubelet_authz(k: &KubeComponent) -> String {
    let with_config = !k.config_files.is_empty() || given(k, "config");
    value(
        k,
        "authorization.mode",
        if with_config {
            "Webhook"
        } else {
            "AlwaysAllow"
        },
    )
    .to_string()
}

// ---------------------------------------------------------------- facts

type Facts = Vec<(&'static str, Fact)>;

fn b(v: bool) -> Fact {
    Fact::Bool(v)
}

fn s(v: &str) -> Fact {
    Fact::Str(v.to_string())
}

fn apiserver_facts(c: &KubeComponent, etcd: Option<&KubeComponent>) -> Facts {
    let bind = value(c, "bind-address", "0.0.0.0");
    let authz = value(c, "authorization-mode", "AlwaysAllow");
    let modes: Vec<&str> = authz.split(',').map(str::trim).collect();
    let etcd_client_cert = given(c, "etcd-certfile") && given(c, "etcd-keyfile");
    let etcd_requires = etcd.map(|e| flag(e, "client-cert-auth", false));
    vec![
        ("anonymous_auth", b(flag(c, "anonymous-auth", true))),
        ("token_auth_file", b(given(c, "token-auth-file"))),
        ("basic_auth_file", b(given(c, "basic-auth-file"))),
        ("authorization_mode", s(authz)),
        (
            "authorization_always_allow",
            b(modes.contains(&"AlwaysAllow")),
        ),
        ("rbac", b(modes.contains(&"RBAC"))),
        ("client_ca", b(given(c, "client-ca-file"))),
        ("tls_cert", b(given(c, "tls-cert-file"))),
        (
            "encryption_at_rest",
            b(given(c, "encryption-provider-config")),
        ),
        ("profiling", b(flag(c, "profiling", true))),
        ("audit_log", b(given(c, "audit-log-path"))),
        ("bind_address", s(bind)),
        ("listens_beyond_node", b(!is_loopback(bind))),
        ("etcd_client_cert", b(etcd_client_cert)),
        ("etcd_ca", b(given(c, "etcd-cafile"))),
        (
            "etcd_mtls",
            b(etcd_client_cert && given(c, "etcd-cafile") && etcd_requires != Some(false)),
        ),
        (
            "kubelet_client_cert",
            b(given(c, "kubelet-client-certificate") && given(c, "kubelet-client-key")),
        ),
        ("kubelet_ca", b(given(c, "kubelet-certificate-authority"))),
    ]
}

fn controller_manager_facts(c: &KubeComponent) -> Facts {
    let bind = value(c, "bind-address", "0.0.0.0");
    vec![
        (
            "use_service_account_credentials",
            b(flag(c, "use-service-account-credentials", false)),
        ),
        (
            "service_account_private_key_file",
            b(given(c, "service-account-private-key-file")),
        ),
        ("root_ca_file", b(given(c, "root-ca-file"))),
        ("profiling", b(flag(c, "profiling", true))),
        ("bind_address", s(bind)),
        ("listens_beyond_node", b(!is_loopback(bind))),
    ]
}

fn scheduler_facts(c: &KubeComponent) -> Facts {
    let bind = value(c, "bind-address", "0.0.0.0");
    vec![
        ("profiling", b(flag(c, "profiling", true))),
        ("bind_address", s(bind)),
        ("listens_beyond_node", b(!is_loopback(bind))),
    ]
}

fn etcd_facts(c: &KubeComponent, apiserver: Option<&KubeComponent>) -> Facts {
    let listen = value(c, "listen-client-urls", "http://localhost:2379");
    let beyond = urls(listen).iter().any(|(_, h, _)| !is_loopback(h));
    let mut f = vec![
        (
            "client_tls",
            b(given(c, "cert-file") && given(c, "key-file")),
        ),
        ("client_cert_auth", b(flag(c, "client-cert-auth", false))),
        ("auto_tls", b(flag(c, "auto-tls", false))),
        (
            "peer_tls",
            b(given(c, "peer-cert-file") && given(c, "peer-key-file")),
        ),
        (
            "peer_client_cert_auth",
            b(flag(c, "peer-client-cert-auth", false)),
        ),
        ("peer_auto_tls", b(flag(c, "peer-auto-tls", false))),
        ("trusted_ca", b(given(c, "trusted-ca-file"))),
        ("listen_client_urls", s(listen)),
        ("listens_beyond_node", b(beyond)),
    ];
    // Encryption at rest is the API server's doing; known only when the
    // API server that writes here runs on the node.
    if let Some(a) = apiserver {
        f.push((
            "secrets_encrypted",
            b(given(a, "encryption-provider-config")),
        ));
    }
    f
}

fn kubelet_facts(c: &KubeComponent) -> Facts {
    let address = value(c, "address", "0.0.0.0");
    let authz = kubelet_authz(c);
    vec![
        ("anonymous_auth", b(kubelet_anonymous(c))),
        (
            "authorization_always_allow",
            b(authz.contains("AlwaysAllow")),
        ),
        ("authorization_mode", Fact::Str(authz)),
        ("client_ca", b(given(c, "authentication.x509.clientCAFile"))),
        ("read_only_port", Fact::Int(read_only_port(c))),
        ("read_only_port_open", b(read_only_port(c) != 0)),
        ("hostname_override", b(given(c, "hostname-override"))),
        (
            "tls_cert",
            b(given(c, "tlsCertFile") && given(c, "tlsPrivateKeyFile")
                || flag(c, "serverTLSBootstrap", false)),
        ),
        (
            "rotate_certificates",
            b(flag(c, "rotateCertificates", true)),
        ),
        ("address", s(address)),
        ("listens_beyond_node", b(!is_loopback(address))),
    ]
}

fn proxy_facts(c: &KubeComponent) -> Facts {
    let metrics = value(c, "metricsBindAddress", "127.0.0.1:10249");
    let host = parse_url(metrics).1;
    let mut f = vec![
        ("metrics_bind_address", s(metrics)),
        ("metrics_beyond_node", b(!is_loopback(&host))),
    ];
    if let Some(k) = c
        .get("kubeconfig")
        .or_else(|| c.get("clientConnection.kubeconfig"))
    {
        f.push(("kubeconfig", s(k)));
    }
    f
}

/// The component's kubeconfig file as CIS wants it (1.1.15–1.1.18,
/// 4.1.3–4.1.6: at most 600, owned by root:root), when discovery stat'ed it.
fn kubeconfig_facts(kube: &KubeFacts, c: &KubeComponent) -> Facts {
    let Some(path) = c
        .get("kubeconfig")
        .or_else(|| c.get("clientConnection.kubeconfig"))
    else {
        return Vec::new();
    };
    let Some(FileFact::Present(st)) = kube.files.get(path) else {
        return Vec::new();
    };
    vec![
        ("kubeconfig_mode", Fact::Str(st.mode_octal())),
        ("kubeconfig_readable_by_others", b(st.mode & 0o044 != 0)),
        ("kubeconfig_writable_by_others", b(st.mode & 0o022 != 0)),
        ("kubeconfig_not_root_owned", b(st.uid != 0 || st.gid != 0)),
    ]
}

fn found_by(c: &KubeComponent) -> Fact {
    match &c.found_by {
        FoundBy::Process { pid, .. } => Fact::Str(format!("process {pid}")),
        FoundBy::StaticPod { path } => Fact::Str(format!("static pod {path}")),
    }
}

// ---------------------------------------------------------------- builder

fn boundary(id: &str, kind: BoundaryKind, name: String, parent: Option<&str>) -> Boundary {
    Boundary {
        id: id.to_string(),
        kind,
        name,
        parent: parent.map(str::to_string),
        origin: Origin::Snapshot,
    }
}

fn title(k: KubeKind) -> &'static str {
    match k {
        KubeKind::KubeApiserver => "API server (kube-apiserver)",
        KubeKind::KubeControllerManager => "Controller manager (kube-controller-manager)",
        KubeKind::KubeScheduler => "Scheduler (kube-scheduler)",
        KubeKind::Etcd => "etcd (cluster state)",
        KubeKind::Kubelet => "kubelet",
        KubeKind::KubeProxy => "kube-proxy",
    }
}

fn is_control_plane(k: KubeKind) -> bool {
    !matches!(k, KubeKind::Kubelet | KubeKind::KubeProxy)
}

/// Add the Kubernetes node: nothing at all when no component was found.
pub fn add_node(m: &mut SystemModel, kube: &KubeFacts, hostname: &str) {
    if kube.is_empty() {
        return;
    }
    let host = if hostname.is_empty() {
        "this node"
    } else {
        hostname
    };
    let parent = m.boundary(HOST_BOUNDARY).map(|_| HOST_BOUNDARY);
    m.add_boundary(boundary(
        NODE_BOUNDARY,
        BoundaryKind::WorkerNode,
        format!("Kubernetes node {host}"),
        parent,
    ));
    if kube.components.iter().any(|c| is_control_plane(c.kind)) {
        m.add_boundary(boundary(
            CONTROL_PLANE_BOUNDARY,
            BoundaryKind::ControlPlane,
            "Control plane".into(),
            Some(NODE_BOUNDARY),
        ));
    }
    for k in KubeKind::ALL {
        if let Some(c) = kube.component(k) {
            add_component(m, kube, c);
        }
    }
    add_internal_flows(m, kube);
    add_exposure_flows(m, kube);
}

fn add_component(m: &mut SystemModel, kube: &KubeFacts, c: &KubeComponent) {
    let api = kube.component(KubeKind::KubeApiserver);
    let facts = match c.kind {
        KubeKind::KubeApiserver => apiserver_facts(c, kube.component(KubeKind::Etcd)),
        KubeKind::KubeControllerManager => controller_manager_facts(c),
        KubeKind::KubeScheduler => scheduler_facts(c),
        KubeKind::Etcd => etcd_facts(c, api),
        KubeKind::Kubelet => kubelet_facts(c),
        KubeKind::KubeProxy => proxy_facts(c),
    };
    let bid = if is_control_plane(c.kind) {
        CONTROL_PLANE_BOUNDARY
    } else {
        NODE_BOUNDARY
    };
    let id = component_id(c.kind);
    let mut comp = Component::new(id, model_kind(c.kind), title(c.kind))
        .in_boundary(bid)
        .fact("found_by", found_by(c));
    for (k, v) in facts {
        comp = comp.fact(k, v);
    }
    for path in &c.config_files {
        comp = comp.target(Target::File { path: path.clone() });
    }
    let files = if c.kind == KubeKind::Etcd {
        data_dir_facts(kube, c)
    } else {
        kubeconfig_facts(kube, c)
    };
    for (k, v) in files {
        comp = comp.fact(k, v);
    }
    let manifest = manifest_path(kube, c);
    if let Some(FileFact::Present(st)) = manifest.as_ref().and_then(|p| kube.files.get(p)) {
        // The manifest's own component carries these too; the component
        // they run gets them for its tampering threats.
        comp = comp
            .fact("manifest_writable_by_others", b(st.mode & 0o022 != 0))
            .fact("manifest_not_root_owned", b(st.uid != 0 || st.gid != 0));
    }
    m.add_component(comp);
    if let Some(path) = manifest {
        add_manifest(m, kube, c.kind, &path);
    }
}

/// etcd's data directory (`--data-dir`, default `/var/lib/etcd`) as CIS
/// 1.1.11/1.1.12 want it: mode 700, owned by etcd.
fn data_dir_facts(kube: &KubeFacts, c: &KubeComponent) -> Facts {
    let dir = value(c, "data-dir", "/var/lib/etcd");
    let mut f = vec![("data_dir", s(dir))];
    if let Some(FileFact::Present(st)) = kube.files.get(dir) {
        f.push(("data_dir_mode", Fact::Str(st.mode_octal())));
        f.push(("data_dir_open_to_others", b(st.mode & 0o077 != 0)));
        if let Some(user) = &st.user {
            f.push(("data_dir_not_etcd_owned", b(user != "etcd")));
        }
    }
    f
}

/// The static pod manifest a component runs from: the one it was found by,
/// else `<staticPodPath>/<binary>.yaml` when discovery saw that file.
fn manifest_path(kube: &KubeFacts, c: &KubeComponent) -> Option<String> {
    if !is_control_plane(c.kind) {
        return None;
    }
    if let FoundBy::StaticPod { path } = &c.found_by {
        return Some(path.clone());
    }
    let configured = kube
        .component(KubeKind::Kubelet)
        .and_then(|k| k.get("staticPodPath"));
    let file = format!("{}.yaml", c.kind.binary());
    configured
        .into_iter()
        .chain([KUBEADM_MANIFESTS])
        .map(|dir| {
            (
                dir.trim_end_matches('/'),
                format!("{}/{file}", dir.trim_end_matches('/')),
            )
        })
        .find(|(dir, p)| {
            matches!(kube.files.get(p), Some(FileFact::Present(_)))
                || kube
                    .dirs
                    .get(*dir)
                    .and_then(|d| d.ok())
                    .is_some_and(|names| names.contains(&file))
        })
        .map(|(_, p)| p)
}

fn add_manifest(m: &mut SystemModel, kube: &KubeFacts, k: KubeKind, path: &str) {
    let id = manifest_id(k);
    let mut c = Component::new(
        id.clone(),
        ComponentKind::StaticPodManifest,
        format!(
            "static pod {}",
            path.rsplit('/')
                .next()
                .filter(|n| !n.is_empty())
                .unwrap_or(path)
        ),
    )
    .in_boundary(CONTROL_PLANE_BOUNDARY)
    .target(Target::File {
        path: path.to_string(),
    })
    .fact("runs", s(k.binary()))
    .fact("path", s(path));
    if let Some(FileFact::Present(st)) = kube.files.get(path) {
        c = c
            .fact("mode", Fact::Str(st.mode_octal()))
            .fact("owner", Fact::Str(st.owner_label()))
            // CIS: at most 600, owned by root:root.
            .fact("writable_by_others", b(st.mode & 0o022 != 0))
            .fact("readable_by_others", b(st.mode & 0o044 != 0))
            .fact("not_root_owned", b(st.uid != 0 || st.gid != 0));
    }
    m.add_component(c);
    let mut f = Flow::new(
        &id,
        component_id(k),
        "static pod spec (the kubelet runs it)",
    );
    f.protocol = Some("local".into());
    m.add_flow(f);
}

/// A flow between two discovered components; nothing when either is absent.
fn internal(
    m: &mut SystemModel,
    kube: &KubeFacts,
    (from, to): (KubeKind, KubeKind),
    label: &str,
    port: Option<u16>,
    protection: (Option<bool>, Option<bool>),
) -> Option<usize> {
    kube.component(from)?;
    kube.component(to)?;
    let mut f = Flow::new(component_id(from), component_id(to), label);
    f.protocol = Some("https".into());
    f.port = port;
    (f.encrypted, f.authenticated) = protection;
    m.add_flow(f);
    Some(m.flows.len() - 1)
}

fn port_of(c: Option<&KubeComponent>, key: &str, default: u16) -> Option<u16> {
    Some(
        c.and_then(|c| c.get(key))
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(default),
    )
}

fn add_internal_flows(m: &mut SystemModel, kube: &KubeFacts) {
    use KubeKind::*;
    let api = kube.component(KubeApiserver);
    let api_port = port_of(api, "secure-port", 6443);
    // The API server's secure port is TLS (the insecure port is gone
    // since 1.20); callers are verified when it has a client CA.
    let api_client_ca = api.is_some_and(|a| given(a, "client-ca-file"));
    for (from, key, label) in [
        (
            Kubelet,
            "kubeconfig",
            "node status, pod specs (kubelet kubeconfig)",
        ),
        (
            KubeScheduler,
            "kubeconfig",
            "watch pods, bind them to nodes",
        ),
        (
            KubeControllerManager,
            "kubeconfig",
            "reconcile objects, sign tokens",
        ),
        (KubeProxy, "kubeconfig", "watch Services and EndpointSlices"),
    ] {
        let has_creds = kube.component(from).is_some_and(|c| {
            given(c, key)
                || given(c, "clientConnection.kubeconfig")
                || given(c, "authentication-kubeconfig")
        });
        let auth = (has_creds && api_client_ca).then_some(true);
        internal(
            m,
            kube,
            (from, KubeApiserver),
            label,
            api_port,
            (Some(true), auth),
        );
    }
    if let Some(a) = api {
        add_etcd_flow(m, kube, a);
        let client_cert = given(a, "kubelet-client-certificate") && given(a, "kubelet-client-key");
        let verified = given(a, "kubelet-certificate-authority");
        let kubelet_port = port_of(kube.component(Kubelet), "port", 10250);
        if let Some(i) = internal(
            m,
            kube,
            (KubeApiserver, Kubelet),
            "exec, logs, port-forward (kubelet API)",
            kubelet_port,
            (Some(true), Some(client_cert && verified)),
        ) {
            let f = &mut m.flows[i];
            f.facts.insert("client_cert".into(), b(client_cert));
            f.facts.insert("server_verified".into(), b(verified));
        }
        add_pods(m, kube, api_port);
    }
}

/// API server → etcd: TLS when every `--etcd-servers` URL is https, mutual
/// when the API server has a client certificate and etcd requires one.
fn add_etcd_flow(m: &mut SystemModel, kube: &KubeFacts, a: &KubeComponent) {
    let servers = urls(value(a, "etcd-servers", ""));
    let tls = !servers.is_empty() && servers.iter().all(|(s, _, _)| s == "https");
    let client_cert = given(a, "etcd-certfile") && given(a, "etcd-keyfile");
    let requires = kube
        .component(KubeKind::Etcd)
        .map(|e| flag(e, "client-cert-auth", false));
    let mtls = tls && client_cert && requires != Some(false);
    let port = servers.first().and_then(|(_, _, p)| *p).or(Some(2379));
    let encrypted = (!servers.is_empty()).then_some(tls);
    if let Some(i) = internal(
        m,
        kube,
        (KubeKind::KubeApiserver, KubeKind::Etcd),
        "cluster state, Secrets (etcd client API)",
        port,
        (encrypted, Some(mtls)),
    ) {
        let f = &mut m.flows[i];
        f.facts.insert("mtls".into(), b(mtls));
        f.facts.insert("client_cert".into(), b(client_cert));
        f.facts
            .insert("server_verified".into(), b(given(a, "etcd-cafile")));
        if !tls {
            f.protocol = Some(
                if servers.is_empty() {
                    "unknown"
                } else {
                    "http"
                }
                .into(),
            );
        }
    }
}

/// The pods on the node, in the pod network, calling the API server with
/// their service-account tokens.
fn add_pods(m: &mut SystemModel, kube: &KubeFacts, api_port: Option<u16>) {
    if kube.component(KubeKind::Kubelet).is_none() {
        return;
    }
    m.add_boundary(boundary(
        POD_NETWORK_BOUNDARY,
        BoundaryKind::ClusterNetwork,
        "Pod network".into(),
        None,
    ));
    m.add_component(
        Component::new(PODS, ComponentKind::ExternalActor, "Pods on this node")
            .in_boundary(POD_NETWORK_BOUNDARY),
    );
    let mut f = Flow::new(
        PODS,
        component_id(KubeKind::KubeApiserver),
        "in-cluster API calls (service-account tokens)",
    );
    f.protocol = Some("https".into());
    f.port = api_port;
    f.encrypted = Some(true);
    m.add_flow(f);
}

/// One way in from outside the node.
fn exposed(m: &mut SystemModel, to: KubeKind, bind: &str, port: Option<u16>, label: &str) -> usize {
    ensure_network_clients(m);
    let p = port.map(|p| p.to_string()).unwrap_or_default();
    let mut f = Flow::new(
        NETWORK_CLIENTS,
        component_id(to),
        format!("{label} on {bind}:{p}"),
    );
    f.id = format!("{NETWORK_CLIENTS}->{}:{p}", component_id(to));
    f.port = port;
    let f = f.fact(
        "bind",
        s(if bind == "0.0.0.0" || bind == "::" {
            "all-interfaces"
        } else {
            bind
        }),
    );
    m.add_flow(f);
    m.flows.len() - 1
}

fn add_exposure_flows(m: &mut SystemModel, kube: &KubeFacts) {
    use KubeKind::*;
    for (k, port_key, default, label) in [
        (KubeApiserver, "secure-port", 6443, "Kubernetes API"),
        (
            KubeControllerManager,
            "secure-port",
            10257,
            "controller manager health and metrics",
        ),
        (
            KubeScheduler,
            "secure-port",
            10259,
            "scheduler health and metrics",
        ),
    ] {
        let Some(c) = kube.component(k) else { continue };
        let bind = value(c, "bind-address", "0.0.0.0");
        if is_loopback(bind) {
            continue;
        }
        let i = exposed(m, k, bind, port_of(Some(c), port_key, default), label);
        let f = &mut m.flows[i];
        f.protocol = Some("https".into());
        f.encrypted = Some(true);
        if k == KubeApiserver {
            f.authenticated = Some(!flag(c, "anonymous-auth", true));
        }
    }
    if let Some(e) = kube.component(Etcd) {
        let cert_auth = flag(e, "client-cert-auth", false);
        let listen = value(e, "listen-client-urls", "http://localhost:2379");
        for (scheme, host, port) in urls(listen) {
            if is_loopback(&host) {
                continue;
            }
            let i = exposed(m, Etcd, &host, port, "etcd client API");
            let f = &mut m.flows[i];
            f.protocol = Some(scheme.clone());
            f.encrypted = Some(scheme == "https");
            f.authenticated = Some(scheme == "https" && cert_auth);
        }
    }
    if let Some(k) = kube.component(Kubelet) {
        add_kubelet_exposure(m, k);
    }
}

fn add_kubelet_exposure(m: &mut SystemModel, k: &KubeComponent) {
    let address = value(k, "address", "0.0.0.0");
    if is_loopback(address) {
        return;
    }
    let i = exposed(
        m,
        KubeKind::Kubelet,
        address,
        port_of(Some(k), "port", 10250),
        "kubelet API",
    );
    let f = &mut m.flows[i];
    f.protocol = Some("https".into());
    f.encrypted = Some(true);
    f.authenticated = Some(!kubelet_anonymous(k));
    let ro = read_only_port(k);
    if let Ok(port) = u16::try_from(ro) {
        if port != 0 {
            let i = exposed(
                m,
                KubeKind::Kubelet,
                address,
                Some(port),
                "kubelet read-only API (no authentication)",
            );
            let f = &mut m.flows[i];
            f.protocol = Some("http".into());
            f.encrypted = Some(false);
            f.authenticated = Some(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_map_to_their_component() {
        let of = |id| check_subject(id).map(|s| (s.of, s.manifest));
        assert_eq!(of("1.1.1"), Some((KubeKind::KubeApiserver, true)));
        assert_eq!(of("1.1.4"), Some((KubeKind::KubeControllerManager, true)));
        assert_eq!(of("1.1.6"), Some((KubeKind::KubeScheduler, true)));
        assert_eq!(of("1.1.8"), Some((KubeKind::Etcd, true)));
        assert_eq!(of("1.1.12"), Some((KubeKind::Etcd, false)));
        assert_eq!(of("1.2.27"), Some((KubeKind::KubeApiserver, false)));
        assert_eq!(of("1.3.3"), Some((KubeKind::KubeControllerManager, false)));
        assert_eq!(of("1.4.2"), Some((KubeKind::KubeScheduler, false)));
        assert_eq!(of("2.7"), Some((KubeKind::Etcd, false)));
        assert_eq!(of("4.1.3"), Some((KubeKind::KubeProxy, false)));
        assert_eq!(of("4.1.5"), Some((KubeKind::Kubelet, false)));
        assert_eq!(of("4.2.7"), Some((KubeKind::Kubelet, false)));
        assert_eq!(of("4.3.1"), Some((KubeKind::KubeProxy, false)));
        assert_eq!(of("5.1.1"), None);
        for bad in ["1.2.31", "2.8", "1.1.0", "4.2.01", "6.1", "1.2"] {
            assert_eq!(of(bad), None, "{bad}");
        }
        assert!(is_cis_kubernetes_id("5.6.4") && !is_cis_kubernetes_id("5.6.5"));
    }

    #[test]
    fn urls_split_into_scheme_host_and_port() {
        assert_eq!(
            parse_url("https://10.0.0.5:2379"),
            ("https".into(), "10.0.0.5".into(), Some(2379))
        );
        assert_eq!(
            parse_url("http://[::1]:2379"),
            ("http".into(), "[::1]".into(), Some(2379))
        );
        assert!(is_loopback("[::1]") && is_loopback("127.0.0.1") && !is_loopback("0.0.0.0"));
    }
}
