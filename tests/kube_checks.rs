//! CIS Kubernetes node checks, evaluated on KubeFacts fixtures: every check
//! has a fixture that fires and one that does not, with exact outcomes,
//! and the catalogue holds every 1.12 id of sections 1–4.

use shipshape::findings::{Benchmark, Finding, Outcome};
use shipshape::rules::kubernetes_node::fixtures::*;
use shipshape::rules::kubernetes_node::{checks, evaluate, KubeCheck};
use shipshape::snapshot::kubernetes::ComponentKind::*;
use shipshape::snapshot::kubernetes::KubeFacts;
use shipshape::snapshot::FileFact;
use Outcome::*;

fn run(f: &KubeFacts, id: &str) -> Finding {
    let c: Vec<&KubeCheck> = checks().iter().filter(|c| c.meta.id == id).collect();
    assert_eq!(c.len(), 1, "no check {id}");
    evaluate(f, &c).remove(0)
}

/// Checks with nothing to evaluate, or whose data cannot be read from
/// facts: WARN on a compliant node too.
const REVIEW_ONLY: &[&str] = &["1.2.20", "1.2.28", "3.1.1", "3.1.2", "3.1.3", "3.2.2"];

type Mutation = fn(&mut KubeFacts);

const MP: &str = "/etc/kubernetes/manifests/";

/// (id, what makes it fire, outcome then).
fn firing() -> Vec<(&'static str, Mutation, Outcome)> {
    vec![
        (
            "1.1.1",
            |f| chmod(f, &format!("{MP}kube-apiserver.yaml"), 0o644),
            Fail,
        ),
        (
            "1.1.2",
            |f| chown(f, &format!("{MP}kube-apiserver.yaml"), "alice", "root"),
            Fail,
        ),
        (
            "1.1.3",
            |f| chmod(f, &format!("{MP}kube-controller-manager.yaml"), 0o640),
            Fail,
        ),
        (
            "1.1.4",
            |f| {
                chown(
                    f,
                    &format!("{MP}kube-controller-manager.yaml"),
                    "root",
                    "alice",
                )
            },
            Fail,
        ),
        (
            "1.1.5",
            |f| chmod(f, &format!("{MP}kube-scheduler.yaml"), 0o666),
            Fail,
        ),
        (
            "1.1.6",
            |f| chown(f, &format!("{MP}kube-scheduler.yaml"), "alice", "alice"),
            Fail,
        ),
        (
            "1.1.7",
            |f| chmod(f, &format!("{MP}etcd.yaml"), 0o604),
            Fail,
        ),
        (
            "1.1.8",
            |f| chown(f, &format!("{MP}etcd.yaml"), "etcd", "etcd"),
            Fail,
        ),
        (
            "1.1.9",
            |f| chmod(f, "/etc/cni/net.d/10-calico.conflist", 0o644),
            Warn,
        ),
        (
            "1.1.10",
            |f| chown(f, "/etc/cni/net.d/10-calico.conflist", "alice", "root"),
            Warn,
        ),
        ("1.1.11", |f| chmod(f, "/var/lib/etcd", 0o755), Fail),
        (
            "1.1.12",
            |f| chown(f, "/var/lib/etcd", "root", "root"),
            Fail,
        ),
        (
            "1.1.13",
            |f| chmod(f, "/etc/kubernetes/super-admin.conf", 0o644),
            Fail,
        ),
        (
            "1.1.14",
            |f| chown(f, "/etc/kubernetes/admin.conf", "alice", "root"),
            Fail,
        ),
        (
            "1.1.15",
            |f| chmod(f, "/etc/kubernetes/scheduler.conf", 0o644),
            Fail,
        ),
        (
            "1.1.16",
            |f| chown(f, "/etc/kubernetes/scheduler.conf", "alice", "root"),
            Fail,
        ),
        (
            "1.1.17",
            |f| chmod(f, "/etc/kubernetes/controller-manager.conf", 0o644),
            Fail,
        ),
        (
            "1.1.18",
            |f| {
                chown(
                    f,
                    "/etc/kubernetes/controller-manager.conf",
                    "alice",
                    "root",
                )
            },
            Fail,
        ),
        (
            "1.1.19",
            |f| chown(f, "/etc/kubernetes/pki/etcd/ca.key", "alice", "root"),
            Fail,
        ),
        (
            "1.1.20",
            |f| chmod(f, "/etc/kubernetes/pki/ca.crt", 0o666),
            Warn,
        ),
        (
            "1.1.21",
            |f| chmod(f, "/etc/kubernetes/pki/etcd/ca.key", 0o640),
            Warn,
        ),
        (
            "1.2.1",
            |f| set(f, KubeApiserver, "anonymous-auth", "true"),
            Warn,
        ),
        (
            "1.2.2",
            |f| set(f, KubeApiserver, "token-auth-file", "/etc/tokens.csv"),
            Fail,
        ),
        (
            "1.2.3",
            |f| {
                set(
                    f,
                    KubeApiserver,
                    "enable-admission-plugins",
                    "NodeRestriction",
                )
            },
            Warn,
        ),
        (
            "1.2.4",
            |f| unset(f, KubeApiserver, "kubelet-client-key"),
            Fail,
        ),
        (
            "1.2.5",
            |f| unset(f, KubeApiserver, "kubelet-certificate-authority"),
            Fail,
        ),
        (
            "1.2.6",
            |f| set(f, KubeApiserver, "authorization-mode", "AlwaysAllow"),
            Fail,
        ),
        (
            "1.2.7",
            |f| set(f, KubeApiserver, "authorization-mode", "RBAC"),
            Fail,
        ),
        (
            "1.2.8",
            |f| set(f, KubeApiserver, "authorization-mode", "Node,ABAC"),
            Fail,
        ),
        (
            "1.2.9",
            |f| unset(f, KubeApiserver, "enable-admission-plugins"),
            Warn,
        ),
        (
            "1.2.10",
            |f| {
                set(
                    f,
                    KubeApiserver,
                    "enable-admission-plugins",
                    "NodeRestriction,AlwaysAdmit",
                )
            },
            Fail,
        ),
        (
            "1.2.11",
            |f| {
                set(
                    f,
                    KubeApiserver,
                    "enable-admission-plugins",
                    "NodeRestriction",
                )
            },
            Warn,
        ),
        (
            "1.2.12",
            |f| {
                set(
                    f,
                    KubeApiserver,
                    "disable-admission-plugins",
                    "ServiceAccount",
                )
            },
            Fail,
        ),
        (
            "1.2.13",
            |f| {
                set(
                    f,
                    KubeApiserver,
                    "disable-admission-plugins",
                    "NamespaceLifecycle",
                )
            },
            Fail,
        ),
        (
            "1.2.14",
            |f| {
                set(
                    f,
                    KubeApiserver,
                    "enable-admission-plugins",
                    "EventRateLimit",
                )
            },
            Fail,
        ),
        ("1.2.15", |f| unset(f, KubeApiserver, "profiling"), Fail),
        (
            "1.2.16",
            |f| unset(f, KubeApiserver, "audit-log-path"),
            Fail,
        ),
        (
            "1.2.17",
            |f| set(f, KubeApiserver, "audit-log-maxage", "7"),
            Fail,
        ),
        (
            "1.2.18",
            |f| set(f, KubeApiserver, "audit-log-maxbackup", "3"),
            Fail,
        ),
        (
            "1.2.19",
            |f| set(f, KubeApiserver, "audit-log-maxsize", "ten"),
            Fail,
        ),
        (
            "1.2.20",
            |f| drop_component(f, KubeApiserver),
            NotApplicable,
        ),
        (
            "1.2.21",
            |f| set(f, KubeApiserver, "service-account-lookup", "false"),
            Fail,
        ),
        (
            "1.2.22",
            |f| unset(f, KubeApiserver, "service-account-key-file"),
            Fail,
        ),
        ("1.2.23", |f| unset(f, KubeApiserver, "etcd-certfile"), Fail),
        (
            "1.2.24",
            |f| unset(f, KubeApiserver, "tls-private-key-file"),
            Fail,
        ),
        (
            "1.2.25",
            |f| unset(f, KubeApiserver, "client-ca-file"),
            Fail,
        ),
        ("1.2.26", |f| unset(f, KubeApiserver, "etcd-cafile"), Fail),
        (
            "1.2.27",
            |f| unset(f, KubeApiserver, "encryption-provider-config"),
            Warn,
        ),
        (
            "1.2.28",
            |f| unset(f, KubeApiserver, "encryption-provider-config"),
            Warn,
        ),
        (
            "1.2.29",
            |f| {
                set(
                    f,
                    KubeApiserver,
                    "tls-cipher-suites",
                    "TLS_RSA_WITH_AES_128_CBC_SHA",
                )
            },
            Warn,
        ),
        (
            "1.2.30",
            |f| unset(f, KubeApiserver, "service-account-extend-token-expiration"),
            Fail,
        ),
        (
            "1.3.1",
            |f| unset(f, KubeControllerManager, "terminated-pod-gc-threshold"),
            Warn,
        ),
        (
            "1.3.2",
            |f| set(f, KubeControllerManager, "profiling", "true"),
            Fail,
        ),
        (
            "1.3.3",
            |f| {
                set(
                    f,
                    KubeControllerManager,
                    "use-service-account-credentials",
                    "false",
                )
            },
            Fail,
        ),
        (
            "1.3.4",
            |f| unset(f, KubeControllerManager, "service-account-private-key-file"),
            Fail,
        ),
        (
            "1.3.5",
            |f| unset(f, KubeControllerManager, "root-ca-file"),
            Fail,
        ),
        (
            "1.3.6",
            |f| {
                set(
                    f,
                    KubeControllerManager,
                    "feature-gates",
                    "Foo=true,RotateKubeletServerCertificate=false",
                )
            },
            Fail,
        ),
        (
            "1.3.7",
            |f| set(f, KubeControllerManager, "bind-address", "0.0.0.0"),
            Fail,
        ),
        ("1.4.1", |f| unset(f, KubeScheduler, "profiling"), Fail),
        ("1.4.2", |f| unset(f, KubeScheduler, "bind-address"), Fail),
        ("2.1", |f| unset(f, Etcd, "key-file"), Fail),
        ("2.2", |f| set(f, Etcd, "client-cert-auth", "false"), Fail),
        ("2.3", |f| set(f, Etcd, "auto-tls", "true"), Fail),
        ("2.4", |f| unset(f, Etcd, "peer-cert-file"), Fail),
        ("2.5", |f| unset(f, Etcd, "peer-client-cert-auth"), Fail),
        ("2.6", |f| set(f, Etcd, "peer-auto-tls", "TRUE"), Fail),
        (
            "2.7",
            |f| set(f, Etcd, "trusted-ca-file", "/etc/kubernetes/pki/ca.crt"),
            Warn,
        ),
        ("3.1.1", |f| drop_component(f, KubeApiserver), NotApplicable),
        ("3.1.2", |f| drop_component(f, KubeApiserver), NotApplicable),
        ("3.1.3", |f| drop_component(f, KubeApiserver), NotApplicable),
        (
            "3.2.1",
            |f| unset(f, KubeApiserver, "audit-policy-file"),
            Warn,
        ),
        ("3.2.2", |f| drop_component(f, KubeApiserver), NotApplicable),
        (
            "4.1.1",
            |f| {
                chmod(
                    f,
                    "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
                    0o644,
                )
            },
            Fail,
        ),
        (
            "4.1.2",
            |f| {
                chown(
                    f,
                    "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
                    "alice",
                    "root",
                )
            },
            Fail,
        ),
        (
            "4.1.3",
            |f| chmod(f, "/var/lib/kube-proxy/kubeconfig.conf", 0o644),
            Warn,
        ),
        (
            "4.1.4",
            |f| chown(f, "/var/lib/kube-proxy/kubeconfig.conf", "alice", "alice"),
            Warn,
        ),
        (
            "4.1.5",
            |f| chmod(f, "/etc/kubernetes/kubelet.conf", 0o644),
            Fail,
        ),
        (
            "4.1.6",
            |f| chown(f, "/etc/kubernetes/kubelet.conf", "root", "alice"),
            Fail,
        ),
        (
            "4.1.7",
            |f| chmod(f, "/etc/kubernetes/pki/ca.crt", 0o664),
            Warn,
        ),
        (
            "4.1.8",
            |f| chown(f, "/etc/kubernetes/pki/ca.crt", "alice", "root"),
            Warn,
        ),
        (
            "4.1.9",
            |f| chmod(f, "/var/lib/kubelet/config.yaml", 0o644),
            Fail,
        ),
        (
            "4.1.10",
            |f| chown(f, "/var/lib/kubelet/config.yaml", "alice", "root"),
            Fail,
        ),
        (
            "4.2.1",
            |f| set(f, Kubelet, "authentication.anonymous.enabled", "true"),
            Fail,
        ),
        (
            "4.2.2",
            |f| set(f, Kubelet, "authorization.mode", "AlwaysAllow"),
            Fail,
        ),
        (
            "4.2.3",
            |f| unset(f, Kubelet, "authentication.x509.clientCAFile"),
            Fail,
        ),
        ("4.2.4", |f| set(f, Kubelet, "readOnlyPort", "10255"), Warn),
        (
            "4.2.5",
            |f| set(f, Kubelet, "streamingConnectionIdleTimeout", "0s"),
            Warn,
        ),
        (
            "4.2.6",
            |f| set(f, Kubelet, "makeIPTablesUtilChains", "false"),
            Fail,
        ),
        (
            "4.2.7",
            |f| set(f, Kubelet, "hostname-override", "other"),
            Warn,
        ),
        ("4.2.8", |f| set(f, Kubelet, "eventRecordQPS", "-1"), Warn),
        (
            "4.2.9",
            |f| {
                unset(f, Kubelet, "serverTLSBootstrap");
            },
            Warn,
        ),
        (
            "4.2.10",
            |f| set(f, Kubelet, "rotateCertificates", "false"),
            Fail,
        ),
        (
            "4.2.11",
            |f| {
                set(
                    f,
                    Kubelet,
                    "featureGates.RotateKubeletServerCertificate",
                    "false",
                )
            },
            Warn,
        ),
        (
            "4.2.12",
            |f| {
                set(
                    f,
                    Kubelet,
                    "tlsCipherSuites",
                    "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
                )
            },
            Warn,
        ),
        ("4.2.13", |f| unset(f, Kubelet, "podPidsLimit"), Warn),
        (
            "4.2.14",
            |f| set(f, Kubelet, "seccompDefault", "false"),
            Warn,
        ),
        (
            "4.3.1",
            |f| set(f, KubeProxy, "metricsBindAddress", "0.0.0.0:10249"),
            Fail,
        ),
    ]
}

#[test]
fn every_check_passes_on_the_compliant_node_and_fires_on_its_variant() {
    let table = firing();
    let ids: Vec<&str> = checks().iter().map(|c| c.meta.id).collect();
    let tabled: Vec<&str> = table.iter().map(|(id, ..)| *id).collect();
    assert_eq!(ids, tabled, "the table lists every check, in order");
    let good = compliant();
    let mut wrong = Vec::new();
    for (id, mutate, want) in table {
        let ok_want = if REVIEW_ONLY.contains(&id) {
            Warn
        } else {
            Pass
        };
        let f = run(&good, id);
        if f.outcome != ok_want {
            wrong.push(format!("{id} compliant: {} — {}", f.outcome, f.message));
        }
        let mut bad = compliant();
        mutate(&mut bad);
        let f = run(&bad, id);
        if f.outcome != want {
            wrong.push(format!(
                "{id} variant: {} (want {want}) — {}",
                f.outcome, f.message
            ));
        }
        assert_eq!(f.benchmark, Benchmark::CisKubernetes);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn catalogue_holds_every_1_12_id_per_section() {
    let count = |s: &str| checks().iter().filter(|c| c.meta.section() == s).count();
    assert_eq!(
        [count("1"), count("2"), count("3"), count("4")],
        [60, 7, 5, 25]
    );
    assert_eq!(checks().len(), 97);
    let groups = |g: &str| {
        checks()
            .iter()
            .filter(|c| c.meta.id.starts_with(&format!("{g}.")))
            .count()
    };
    assert_eq!(
        [groups("1.1"), groups("1.2"), groups("1.3"), groups("1.4")],
        [21, 30, 7, 2]
    );
    assert_eq!([groups("3.1"), groups("3.2")], [3, 2]);
    assert_eq!([groups("4.1"), groups("4.2"), groups("4.3")], [10, 14, 1]);
}

#[test]
fn a_worker_has_control_plane_checks_not_applicable() {
    let f = worker();
    let all: Vec<&KubeCheck> = checks().iter().collect();
    for finding in evaluate(&f, &all) {
        let s = finding.section;
        let want_na =
            matches!(s, "2" | "3") || (s == "1" && finding.id != "1.1.9" && finding.id != "1.1.10");
        if want_na {
            assert_eq!(
                finding.outcome, NotApplicable,
                "{} {}",
                finding.id, finding.message
            );
        } else {
            assert_ne!(
                finding.outcome, NotApplicable,
                "{} {}",
                finding.id, finding.message
            );
        }
    }
}

#[test]
fn empty_facts_make_every_check_not_applicable() {
    let all: Vec<&KubeCheck> = checks().iter().collect();
    for f in evaluate(&KubeFacts::default(), &all) {
        assert_eq!(f.outcome, NotApplicable, "{}", f.id);
    }
}

#[test]
fn unreadable_file_is_an_error_with_the_reason() {
    let mut f = compliant();
    set_file(
        &mut f,
        "/etc/kubernetes/manifests/kube-apiserver.yaml",
        FileFact::Error {
            reason: "permission denied".into(),
        },
    );
    let r = run(&f, "1.1.1");
    assert_eq!(r.outcome, Error);
    assert!(r.message.contains("permission denied"), "{}", r.message);
}

#[test]
fn file_named_by_a_flag_but_missing_fails() {
    let mut f = compliant();
    set_file(&mut f, "/etc/kubernetes/kubelet.conf", FileFact::Missing);
    let r = run(&f, "4.1.5");
    assert_eq!(r.outcome, Fail, "{}", r.message);
    assert!(r.message.contains("kubeconfig"), "{}", r.message);
}

#[test]
fn unread_config_makes_an_unset_kubelet_key_an_error() {
    let mut f = compliant();
    unset(&mut f, Kubelet, "authentication.anonymous.enabled");
    component_mut(&mut f, Kubelet)
        .errors
        .push("/var/lib/kubelet/config.yaml:4:3: mapping values are not allowed here".into());
    let r = run(&f, "4.2.1");
    assert_eq!(r.outcome, Error, "{}", r.message);
    assert!(r.message.contains("config.yaml:4:3"), "{}", r.message);
}

#[test]
fn evidence_names_the_value_its_origin_and_the_expectation() {
    let mut f = compliant();
    set(&mut f, KubeApiserver, "profiling", "true");
    let r = run(&f, "1.2.15");
    let e = &r.evidence[0];
    assert_eq!(e.observed, "profiling=true (command-line flag)");
    assert_eq!(e.expected, "false");
    let r = run(&compliant(), "4.2.4");
    assert_eq!(
        r.evidence[0].observed,
        "readOnlyPort=0 (/var/lib/kubelet/config.yaml:12)"
    );
}

// Regressions for kube-bench's known wrong results, at the evaluation level.

/// kube-bench: a missing file FAILs. Here a file absent because its
/// component does not run is N/A.
#[test]
fn kube_bench_regression_missing_file_of_absent_component_is_not_applicable() {
    let f = worker();
    for id in ["1.1.1", "1.1.7", "1.1.13", "1.1.15", "1.1.19"] {
        let r = run(&f, id);
        assert_eq!(r.outcome, NotApplicable, "{id}: {}", r.message);
    }
    // And a kubelet without kube-proxy: the proxy kubeconfig checks are N/A.
    let mut f = compliant();
    drop_component(&mut f, KubeProxy);
    assert_eq!(run(&f, "4.1.3").outcome, NotApplicable);
}

/// kube-bench #1242/#1364: a kubelet configured by flags alone (no config
/// file) gave false results. The collector maps flags onto config keys.
#[test]
fn kube_bench_regression_flags_only_kubelet_is_evaluated() {
    use shipshape::snapshot::kubernetes::Origin;
    let mut f = compliant();
    let k = component_mut(&mut f, Kubelet);
    k.config_files.clear();
    k.settings.clear();
    for (key, v) in [
        ("kubeconfig", "/etc/kubernetes/kubelet.conf"),
        ("authentication.anonymous.enabled", "false"),
        ("authorization.mode", "Webhook"),
        (
            "authentication.x509.clientCAFile",
            "/etc/kubernetes/pki/ca.crt",
        ),
        ("readOnlyPort", "0"),
    ] {
        k.settings.insert(key.into(), setting(v, Origin::Flag));
    }
    set_file(&mut f, "/var/lib/kubelet/config.yaml", FileFact::Missing);
    assert_eq!(run(&f, "4.2.1").outcome, Pass);
    assert_eq!(run(&f, "4.2.2").outcome, Pass);
    assert_eq!(run(&f, "4.2.3").outcome, Pass);
    assert_eq!(run(&f, "4.2.4").outcome, Pass);
    let r = run(&f, "4.2.1");
    assert!(
        r.evidence[0].observed.contains("command-line flag"),
        "{:?}",
        r.evidence
    );
    // No config file in use: its permission checks do not apply.
    assert_eq!(run(&f, "4.1.9").outcome, NotApplicable);
    // Without a config file the kubelet's authorization default is AlwaysAllow.
    unset(&mut f, Kubelet, "authorization.mode");
    assert_eq!(run(&f, "4.2.2").outcome, Fail);
}

/// kube-bench #1973: drop-in directories were ignored. The effective value
/// (the drop-in's, which wins over the config file) is what is judged.
#[test]
fn kube_bench_regression_drop_in_value_wins_over_config_file() {
    use shipshape::snapshot::kubernetes::Origin;
    let mut f = compliant();
    let dropin = "/etc/kubernetes/kubelet.conf.d/50-hardening.conf";
    set_from(
        &mut f,
        Kubelet,
        "authentication.anonymous.enabled",
        "true",
        Origin::DropIn {
            path: dropin.into(),
            line: Some(4),
        },
    );
    let r = run(&f, "4.2.1");
    assert_eq!(r.outcome, Fail);
    assert!(r.message.contains(&format!("{dropin}:4")), "{}", r.message);
    // And a drop-in that fixes a bad config-file value passes.
    set_from(
        &mut f,
        Kubelet,
        "readOnlyPort",
        "0",
        Origin::DropIn {
            path: dropin.into(),
            line: Some(5),
        },
    );
    assert_eq!(run(&f, "4.2.4").outcome, Pass);
}

/// etcd settings given as ETCD_* variables count like flags.
#[test]
fn kube_bench_regression_etcd_setting_from_env_is_accepted() {
    use shipshape::snapshot::kubernetes::Origin;
    let mut f = compliant();
    for (key, var, v) in [
        ("client-cert-auth", "ETCD_CLIENT_CERT_AUTH", "true"),
        (
            "peer-client-cert-auth",
            "ETCD_PEER_CLIENT_CERT_AUTH",
            "true",
        ),
        (
            "cert-file",
            "ETCD_CERT_FILE",
            "/etc/kubernetes/pki/etcd/server.crt",
        ),
    ] {
        set_from(&mut f, Etcd, key, v, Origin::Env { var: var.into() });
    }
    let r = run(&f, "2.2");
    assert_eq!(r.outcome, Pass);
    assert_eq!(
        r.evidence[0].observed,
        "client-cert-auth=true (environment ETCD_CLIENT_CERT_AUTH)"
    );
    assert_eq!(run(&f, "2.5").outcome, Pass);
    assert_eq!(run(&f, "2.1").outcome, Pass);
    set_from(
        &mut f,
        Etcd,
        "auto-tls",
        "true",
        Origin::Env {
            var: "ETCD_AUTO_TLS".into(),
        },
    );
    assert_eq!(run(&f, "2.3").outcome, Fail);
}

#[test]
fn k3s_and_rke2_profiles_pick_their_paths() {
    use shipshape::snapshot::kubernetes::Profile;
    let mut f = compliant();
    f.profile = Some(Profile::K3s);
    f.files.insert(
        "/var/lib/rancher/k3s/server/cred/admin.kubeconfig".into(),
        stat("file", 0o644, "root", "root"),
    );
    // k3s has no separate pod spec files.
    assert_eq!(run(&f, "1.1.1").outcome, NotApplicable);
    assert_eq!(run(&f, "1.1.13").outcome, Fail);
    f.profile = Some(Profile::Rke2);
    f.files.insert(
        "/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml".into(),
        stat("file", 0o600, "root", "root"),
    );
    assert_eq!(run(&f, "1.1.1").outcome, Pass);
    let r = run(&f, "1.1.1");
    assert!(
        r.evidence[0].target.label().contains("rke2"),
        "{:?}",
        r.evidence
    );
}

#[test]
fn override_file_changes_and_adds_checks_and_reports_positions() {
    use shipshape::rules::kubernetes_node::checks_with_override;
    let text = "checks:\n  - id: \"1.2.17\"\n    test: {setting: {component: kube-apiserver, keys: [audit-log-maxage], op: gte, values: [\"90\"]}}\n  - id: \"4.9.1\"\n    title: Kubelet config directory is mode 700 or stricter\n    automated: true\n    severity: medium\n    stride: [T]\n    rationale: A site rule of our own, added by the override file, to show that new data checks are evaluated like the built-in ones.\n    remediation: Run chmod 700 on the directory.\n    test: {file: {component: kubelet, var: kubelet_config, mode: \"700\"}}\n";
    let all = checks_with_override("site.yaml", text).unwrap();
    assert_eq!(all.len(), 98);
    let pick: Vec<&KubeCheck> = all
        .iter()
        .filter(|c| c.meta.id == "1.2.17" || c.meta.id == "4.9.1")
        .collect();
    let out = evaluate(&compliant(), &pick);
    assert_eq!(
        out[0].outcome, Fail,
        "30 days no longer enough: {}",
        out[0].message
    );
    assert_eq!(out[1].outcome, Pass);
    let bad = "checks:\n  - id: \"1.2.17\"\n    test: {setting: {component: kube-apiserver, keys: [x], op: greater, values: [\"1\"]}}\n";
    let e = checks_with_override("site.yaml", bad).unwrap_err();
    assert!(e.starts_with("site.yaml:3:"), "{e}");
    let unknown = "checks:\n  - id: \"1.2.17\"\n    titel: typo\n";
    let e = checks_with_override("site.yaml", unknown).unwrap_err();
    assert!(e.starts_with("site.yaml:3:5"), "{e}");
    let e = checks_with_override("site.yaml", "checks:\n  - id: \"9.1\"\n").unwrap_err();
    assert!(e.contains("9.1"), "{e}");
}

#[test]
fn directories_not_listed_are_errors_and_missing_ones_not_applicable() {
    let mut f = compliant();
    f.dirs.remove("/etc/kubernetes/pki");
    let r = run(&f, "1.1.19");
    assert_eq!(r.outcome, Error, "{}", r.message);
    assert!(r.message.contains("did not list"), "{}", r.message);
    let mut f = compliant();
    f.dirs.remove("/etc/cni/net.d");
    set_file(&mut f, "/etc/cni/net.d", FileFact::Missing);
    assert_eq!(run(&f, "1.1.9").outcome, NotApplicable);
    let mut f = compliant();
    f.dirs.insert(
        "/etc/kubernetes/pki/etcd".into(),
        shipshape::snapshot::Probe::Error("permission denied".into()),
    );
    let r = run(&f, "1.1.21");
    assert_eq!(r.outcome, Error, "{}", r.message);
}

/// Facts only partly filled (components found, nothing else recorded):
/// no check passes on data it does not have, and none panics.
#[test]
fn partially_filled_facts_never_pass_unseen_files() {
    let mut f = compliant();
    f.files.clear();
    f.dirs.clear();
    for c in &mut f.components {
        c.settings.clear();
        c.config_files.clear();
    }
    let all: Vec<&KubeCheck> = checks().iter().collect();
    for r in evaluate(&f, &all) {
        if matches!(
            r.id,
            "1.1.1" | "1.1.19" | "1.1.21" | "4.1.1" | "4.1.9" | "1.1.13"
        ) {
            assert_eq!(r.outcome, Error, "{} {}", r.id, r.message);
        }
        assert!(!r.message.is_empty(), "{} says why", r.id);
    }
}
