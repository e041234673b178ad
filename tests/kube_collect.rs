//! Kubernetes discovery and collection on test-made node trees, with
//! stand-in processes for the components that cannot be installed here.
//! Each kube-bench wrong result named in issue 11 has a regression test.

mod kube_support;

use kube_support::*;
use shipshape::collect::hostfs::HostFs;
use shipshape::collect::kubernetes::collect_with;
use shipshape::snapshot::kubernetes::*;
use shipshape::snapshot::FileFact;

fn facts(t: &Tree, procs: &[&StandIn]) -> KubeFacts {
    let pids: Vec<u32> = procs.iter().map(|p| p.pid()).collect();
    collect_with(&HostFs::new(&t.root), Some(&pids))
}

fn comp(f: &KubeFacts, k: ComponentKind) -> &KubeComponent {
    f.component(k)
        .unwrap_or_else(|| panic!("{k:?} not found in {:#?}", f.components))
}

fn origin<'a>(c: &'a KubeComponent, key: &str) -> &'a Origin {
    &c.settings
        .get(key)
        .unwrap_or_else(|| panic!("{key} not set: {:#?}", c.settings))
        .origin
}

fn stat(f: &KubeFacts, p: &str) -> shipshape::snapshot::FileStat {
    match f.files.get(p) {
        Some(FileFact::Present(s)) => s.clone(),
        other => panic!("{p}: {other:?}"),
    }
}

fn bin_dir(t: &Tree) -> std::path::PathBuf {
    t.scratch().join("bin")
}

fn start(t: &Tree, name: &str, argv: &[String]) -> StandIn {
    StandIn::start(&bin_dir(t), name, argv, None)
}

#[test]
fn a_mounted_kubeadm_root_is_read_from_its_static_pods() {
    require_root();
    let t = kubeadm(&NodeOptions::default());
    let f = facts(&t, &[]);
    assert_eq!(f.profile, Some(Profile::Kubeadm));
    let kinds: Vec<ComponentKind> = f.components.iter().map(|c| c.kind).collect();
    use ComponentKind::*;
    assert_eq!(
        kinds,
        vec![KubeApiserver, KubeControllerManager, KubeScheduler, Etcd]
    );
    let api = comp(&f, KubeApiserver);
    assert_eq!(
        api.found_by,
        FoundBy::StaticPod {
            path: "/etc/kubernetes/manifests/kube-apiserver.yaml".into()
        }
    );
    assert_eq!(api.get("authorization-mode"), Some("Node,RBAC"));
    assert_eq!(api.get("anonymous-auth"), None);
    assert_eq!(
        origin(api, "authorization-mode"),
        &Origin::Manifest {
            path: "/etc/kubernetes/manifests/kube-apiserver.yaml".into()
        }
    );
    // The etcd data dir is the one etcd is told to use, stat'ed as it is.
    let etcd = comp(&f, Etcd);
    assert_eq!(etcd.get("data-dir"), Some("/var/lib/etcd"));
    let d = stat(&f, "/var/lib/etcd");
    assert_eq!((d.mode, d.user.as_deref()), (0o700, Some("root")));
    let m = stat(&f, "/etc/kubernetes/manifests/etcd.yaml");
    assert_eq!((m.mode, m.uid, m.gid), (0o600, 0, 0));
    let key = stat(&f, "/etc/kubernetes/pki/etcd/server.key");
    assert_eq!(key.mode, 0o600);
    let crt = stat(&f, "/etc/kubernetes/pki/apiserver.crt");
    assert_eq!(crt.mode, 0o644);
    let pki = f.dirs["/etc/kubernetes/pki"].ok().unwrap();
    assert!(pki.contains(&"etcd".to_string()) && pki.contains(&"sa.key".to_string()));
    for k in KUBEADM_KUBECONFIGS {
        assert_eq!(stat(&f, &format!("/etc/kubernetes/{k}")).mode, 0o600);
    }
    assert_eq!(
        stat(
            &f,
            "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"
        )
        .mode,
        0o644
    );
    assert_eq!(
        f.files["/etc/systemd/system/kubelet.service.d/10-kubeadm.conf"],
        FileFact::Missing
    );
    assert_eq!(f.files["/etc/kubernetes/proxy.conf"], FileFact::Missing);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
}

#[test]
fn owners_come_from_the_audited_roots_passwd() {
    require_root();
    let t = kubeadm(&NodeOptions::hardened());
    let f = facts(&t, &[]);
    let d = stat(&f, "/var/lib/etcd");
    assert_eq!(d.uid, ETCD_UID);
    assert_eq!(d.user.as_deref(), Some("etcd"));
    assert_eq!(d.group.as_deref(), Some("etcd"));
}

#[test]
fn the_process_wins_over_its_manifest() {
    require_root();
    let t = kubeadm(&NodeOptions::default());
    t.link_proc();
    let mut argv = apiserver_cmd(&NodeOptions::default());
    argv[0] = "/usr/local/bin/kube-apiserver".into();
    argv.push("--anonymous-auth=true".into());
    argv.push("--profiling=true".into());
    let api = start(&t, "kube-apiserver", &argv);
    let f = facts(&t, &[&api]);
    let c = comp(&f, ComponentKind::KubeApiserver);
    match &c.found_by {
        FoundBy::Process {
            pid, comm, argv, ..
        } => {
            assert_eq!(*pid, api.pid());
            assert_eq!(comm, "kube-apiserver");
            assert_eq!(argv[0], "/usr/local/bin/kube-apiserver");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(c.get("anonymous-auth"), Some("true"));
    assert_eq!(origin(c, "profiling"), &Origin::Flag);
    // The others are still read from their manifests.
    assert!(matches!(
        comp(&f, ComponentKind::KubeScheduler).found_by,
        FoundBy::StaticPod { .. }
    ));
}

#[test]
fn components_are_found_by_their_cut_comm_not_by_grep() {
    require_root();
    let t = kubeadm(&NodeOptions::default());
    t.link_proc();
    // argv[0] says nothing; comm is the file name cut to 15 characters.
    let mut argv = controller_manager_cmd(&NodeOptions::default());
    argv[0] = "cm".into();
    argv.push("--profiling=true".into());
    let cm = start(&t, "kube-controller-manager", &argv);
    // A process that merely mentions a component is not one.
    let noise = StandIn::start(
        &bin_dir(&t),
        "vim",
        &[
            "vim".into(),
            "/etc/kubernetes/manifests/kube-scheduler.yaml".into(),
        ],
        None,
    );
    let f = facts(&t, &[&cm, &noise]);
    let c = comp(&f, ComponentKind::KubeControllerManager);
    match &c.found_by {
        FoundBy::Process { comm, .. } => assert_eq!(comm, "kube-controller"),
        other => panic!("{other:?}"),
    }
    assert_eq!(c.get("profiling"), Some("true"));
    assert!(matches!(
        comp(&f, ComponentKind::KubeScheduler).found_by,
        FoundBy::StaticPod { .. }
    ));
}

#[test]
fn kubelet_precedence_defaults_file_dropins_flags() {
    require_root();
    let t = kubeadm(&NodeOptions::default());
    t.link_proc();
    t.write(
        "/var/lib/kubelet/config.conf.d/10-a.conf",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
         readOnlyPort: 10255\ntlsCipherSuites: [A, B, C]\nfeatureGates:\n  X: true\n",
        0o600,
    );
    t.write(
        "/var/lib/kubelet/config.conf.d/20-b.conf",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
         tlsCipherSuites: [D]\nfeatureGates:\n  Y: false\n",
        0o600,
    );
    t.write(
        "/var/lib/kubelet/config.conf.d/30-ignored.yaml",
        "readOnlyPort: 1\n",
        0o600,
    );
    let mut argv = kubelet_cmd(&NodeOptions::default());
    argv.push("--event-qps=0".into());
    argv.push("--hostname-override=node-a".into());
    argv.push("--feature-gates=RotateKubeletServerCertificate=false".into());
    let k = start(&t, "kubelet", &argv);
    let f = facts(&t, &[&k]);
    let c = comp(&f, ComponentKind::Kubelet);
    assert_eq!(
        c.config_files,
        vec![
            "/var/lib/kubelet/config.yaml",
            "/var/lib/kubelet/config.conf.d/10-a.conf",
            "/var/lib/kubelet/config.conf.d/20-b.conf",
            "/var/lib/kubelet/config.conf.d/50-node.conf",
        ]
    );
    // Default.
    assert_eq!(c.get("makeIPTablesUtilChains"), Some("true"));
    // kubeadm's `streamingConnectionIdleTimeout: 0s` means the default.
    assert_eq!(c.get("streamingConnectionIdleTimeout"), Some("4h0m0s"));
    assert_eq!(
        origin(c, "streamingConnectionIdleTimeout"),
        &Origin::Default
    );
    assert_eq!(origin(c, "makeIPTablesUtilChains"), &Origin::Default);
    // Config file, with its line.
    assert_eq!(c.get("authentication.anonymous.enabled"), Some("false"));
    assert_eq!(
        origin(c, "authentication.anonymous.enabled"),
        &Origin::ConfigFile {
            path: "/var/lib/kubelet/config.yaml".into(),
            line: Some(4)
        }
    );
    // Drop-ins: structs merged, lists replaced, later files win.
    assert_eq!(c.get("readOnlyPort"), Some("10255"));
    assert_eq!(c.get("tlsCipherSuites"), Some("D"));
    assert_eq!(c.get("featureGates.X"), Some("true"));
    assert_eq!(c.get("featureGates.Y"), Some("false"));
    assert_eq!(
        origin(c, "readOnlyPort"),
        &Origin::DropIn {
            path: "/var/lib/kubelet/config.conf.d/10-a.conf".into(),
            line: Some(3)
        }
    );
    // Flags win, under the config key when there is one.
    assert_eq!(c.get("eventRecordQPS"), Some("0"));
    assert_eq!(origin(c, "eventRecordQPS"), &Origin::Flag);
    assert_eq!(c.get("hostname-override"), Some("node-a"));
    assert_eq!(
        c.get("featureGates.RotateKubeletServerCertificate"),
        Some("false")
    );
    assert_eq!(c.get("kubeconfig"), Some("/etc/kubernetes/kubelet.conf"));
    assert_eq!(c.get("staticPodPath"), Some("/etc/kubernetes/manifests"));
    // Files the kubelet names are stat'ed.
    assert_eq!(stat(&f, "/var/lib/kubelet/config.yaml").mode, 0o644);
    assert_eq!(stat(&f, "/etc/kubernetes/pki/ca.crt").mode, 0o644);
    assert_eq!(stat(&f, "/var/lib/kubelet/config.conf.d").kind, "dir");
    assert!(c.errors.is_empty(), "{:?}", c.errors);
}

/// kube-bench #1973: settings in the kubelet's `--config-dir` were ignored.
#[test]
fn regression_1973_kubelet_dropin_dir_is_honoured() {
    require_root();
    let t = kubeadm(&NodeOptions::hardened());
    t.link_proc();
    let k = start(&t, "kubelet", &kubelet_cmd(&NodeOptions::default()));
    let f = facts(&t, &[&k]);
    let c = comp(&f, ComponentKind::Kubelet);
    let dropin = "/var/lib/kubelet/config.conf.d/50-node.conf";
    assert_eq!(c.get("protectKernelDefaults"), Some("true"));
    assert_eq!(
        origin(c, "protectKernelDefaults"),
        &Origin::DropIn {
            path: dropin.into(),
            line: Some(3)
        }
    );
    assert_eq!(
        c.get("tlsCertFile"),
        Some("/var/lib/kubelet/pki/kubelet.crt")
    );
    assert_eq!(stat(&f, dropin).mode, 0o600);
}

/// kube-bench #1256: a relative `--config` was not found.
#[test]
fn regression_1256_relative_config_resolves_against_cwd() {
    require_root();
    let t = kubeadm(&NodeOptions::default());
    t.link_proc();
    t.write(
        "/var/lib/kubelet/kubelet_conf.json",
        r#"{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","readOnlyPort":0,"authentication":{"x509":{"clientCAFile":"pki/ca.crt"}}}"#,
        0o600,
    );
    let argv: Vec<String> = [
        "kubelet",
        "--config=kubelet_conf.json",
        "--kubeconfig=kubelet.conf",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let k = StandIn::start(
        &bin_dir(&t),
        "kubelet",
        &argv,
        Some(&t.path("/var/lib/kubelet")),
    );
    let f = facts(&t, &[&k]);
    let c = comp(&f, ComponentKind::Kubelet);
    match &c.found_by {
        FoundBy::Process { cwd, .. } => assert_eq!(cwd.as_deref(), Some("/var/lib/kubelet")),
        other => panic!("{other:?}"),
    }
    assert_eq!(c.config_files, vec!["/var/lib/kubelet/kubelet_conf.json"]);
    assert_eq!(c.get("config"), Some("/var/lib/kubelet/kubelet_conf.json"));
    assert_eq!(c.get("kubeconfig"), Some("/var/lib/kubelet/kubelet.conf"));
    // Paths inside a config file are relative to the file.
    assert_eq!(
        c.get("authentication.x509.clientCAFile"),
        Some("/var/lib/kubelet/pki/ca.crt")
    );
    assert_eq!(c.get("readOnlyPort"), Some("0"));
    assert!(matches!(
        origin(c, "readOnlyPort"),
        Origin::ConfigFile { .. }
    ));
    assert_eq!(stat(&f, "/var/lib/kubelet/kubelet_conf.json").mode, 0o600);
}

/// kube-bench #1242 / #1364: a kubelet configured by flags alone.
#[test]
fn regression_1242_kubelet_by_flags_alone() {
    require_root();
    let t = kubeadm(&NodeOptions::default());
    t.link_proc();
    let argv: Vec<String> = [
        "/usr/bin/kubelet",
        "--kubeconfig=/etc/kubernetes/kubelet.conf",
        "--anonymous-auth=false",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let k = start(&t, "kubelet", &argv);
    let f = facts(&t, &[&k]);
    let c = comp(&f, ComponentKind::Kubelet);
    assert!(c.config_files.is_empty());
    assert_eq!(c.get("authentication.anonymous.enabled"), Some("false"));
    assert_eq!(origin(c, "authentication.anonymous.enabled"), &Origin::Flag);
    assert_eq!(
        c.get("authentication.x509.clientCAFile"),
        Some("/etc/kubernetes/pki/ca.crt")
    );
    // Without a config file the kubelet keeps its legacy flag defaults.
    assert_eq!(c.get("authorization.mode"), Some("AlwaysAllow"));
    assert_eq!(c.get("readOnlyPort"), Some("10255"));
    assert_eq!(origin(c, "readOnlyPort"), &Origin::Default);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
}

#[test]
fn a_malformed_kubelet_config_is_an_error_with_position_and_the_rest_is_kept() {
    require_root();
    let t = kubeadm(&NodeOptions::default());
    t.link_proc();
    t.write(
        "/var/lib/kubelet/config.conf.d/60-broken.conf",
        "kind: KubeletConfiguration\nreadOnlyPort: [1,\n",
        0o600,
    );
    let k = start(&t, "kubelet", &kubelet_cmd(&NodeOptions::default()));
    let f = facts(&t, &[&k]);
    let c = comp(&f, ComponentKind::Kubelet);
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    let e = &c.errors[0];
    assert!(
        e.starts_with("/var/lib/kubelet/config.conf.d/60-broken.conf:2:15:"),
        "{e}"
    );
    assert!(e.contains("expected YAML or JSON"), "{e}");
    assert_eq!(c.get("maxPods"), Some("150"));
    assert_eq!(c.get("rotateCertificates"), Some("true"));
}

/// kube-bench #2086: k3s was given the generic benchmark.
#[test]
fn regression_2086_k3s_is_detected_and_its_embedded_components_read() {
    require_root();
    let t = k3s(&NodeOptions::default());
    t.link_proc();
    let argv: Vec<String> = K3S_ARGV.iter().map(|s| s.to_string()).collect();
    let p = start(&t, "k3s", &argv);
    let f = facts(&t, &[&p]);
    assert_eq!(f.profile, Some(Profile::K3s));
    use ComponentKind::*;
    let kinds: Vec<ComponentKind> = f.components.iter().map(|c| c.kind).collect();
    // sqlite datastore: no etcd.
    assert_eq!(
        kinds,
        vec![
            KubeApiserver,
            KubeControllerManager,
            KubeScheduler,
            Kubelet,
            KubeProxy
        ]
    );
    for c in &f.components {
        match &c.found_by {
            FoundBy::Process {
                embedded_in, pid, ..
            } => {
                assert_eq!(embedded_in.as_deref(), Some("k3s"));
                assert_eq!(*pid, p.pid());
            }
            other => panic!("{other:?}"),
        }
    }
    let api = comp(&f, KubeApiserver);
    assert_eq!(
        api.get("audit-log-path"),
        Some("/var/lib/rancher/k3s/server/logs/audit.log")
    );
    assert_eq!(
        origin(api, "audit-log-path"),
        &Origin::ConfigFile {
            path: "/etc/rancher/k3s/config.yaml".into(),
            line: Some(4)
        }
    );
    assert_eq!(api.get("profiling"), Some("false"));
    assert_eq!(origin(api, "profiling"), &Origin::Default);
    // The kubelet reads k3s's drop-in dir.
    let k = comp(&f, Kubelet);
    assert_eq!(k.get("authentication.anonymous.enabled"), Some("true"));
    assert!(matches!(
        origin(k, "authentication.anonymous.enabled"),
        Origin::DropIn { .. }
    ));
    assert_eq!(k.get("streamingConnectionIdleTimeout"), Some("5m"));
    assert_eq!(
        stat(&f, "/var/lib/rancher/k3s/server/cred/admin.kubeconfig").mode,
        0o600
    );
    assert_eq!(stat(&f, "/etc/rancher/k3s/config.yaml").mode, 0o600);
    assert_eq!(
        stat(&f, "/var/lib/rancher/k3s/agent/kubelet.kubeconfig").mode,
        0o600
    );
}

/// kube-bench #1813 / #1877: RKE2 was given the wrong benchmark or none.
#[test]
fn regression_1813_rke2_is_detected_with_its_static_pods() {
    require_root();
    let t = rke2(&NodeOptions::default());
    t.link_proc();
    let server = start(&t, "rke2", &["/usr/local/bin/rke2".into(), "server".into()]);
    let kubelet = start(&t, "kubelet", &rke2_kubelet_cmd());
    let f = facts(&t, &[&server, &kubelet]);
    assert_eq!(f.profile, Some(Profile::Rke2));
    let etcd = comp(&f, ComponentKind::Etcd);
    assert_eq!(
        etcd.found_by,
        FoundBy::StaticPod {
            path: "/var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml".into()
        }
    );
    assert_eq!(
        etcd.get("data-dir"),
        Some("/var/lib/rancher/rke2/server/db/etcd")
    );
    assert_eq!(
        origin(etcd, "data-dir"),
        &Origin::Env {
            var: "ETCD_DATA_DIR".into()
        }
    );
    let d = stat(&f, "/var/lib/rancher/rke2/server/db/etcd");
    assert_eq!(d.user.as_deref(), Some("etcd"));
    let k = comp(&f, ComponentKind::Kubelet);
    assert_eq!(k.get("protectKernelDefaults"), Some("true"));
    assert!(f.dirs.contains_key("/var/lib/rancher/rke2/server/tls"));
    // A mounted RKE2 root without processes is still RKE2.
    let f = facts(&t, &[]);
    assert_eq!(f.profile, Some(Profile::Rke2));
}

#[test]
fn etcd_given_a_setting_both_ways_is_an_error() {
    require_root();
    let t = kubeadm(&NodeOptions::default());
    t.write(
        "/etc/kubernetes/manifests/etcd.yaml",
        &static_pod(
            "etcd",
            &etcd_cmd(&NodeOptions::default()),
            &[("ETCD_DATA_DIR", "/elsewhere"), ("ETCD_AUTO_TLS", "false")],
        ),
        0o600,
    );
    let f = facts(&t, &[]);
    let e = comp(&f, ComponentKind::Etcd);
    assert_eq!(e.get("data-dir"), Some("/var/lib/etcd"));
    assert_eq!(e.get("auto-tls"), Some("false"));
    assert_eq!(
        origin(e, "auto-tls"),
        &Origin::Env {
            var: "ETCD_AUTO_TLS".into()
        }
    );
    assert_eq!(e.errors.len(), 1, "{:?}", e.errors);
    assert!(e.errors[0].contains("ETCD_DATA_DIR"), "{:?}", e.errors);
}

#[test]
fn a_node_without_kubernetes_has_no_kubernetes_facts() {
    require_root();
    let t = Tree::new();
    t.link_proc();
    let f = facts(&t, &[]);
    assert_eq!(f, KubeFacts::default());
    assert!(f.is_empty());
}

#[test]
fn a_bad_manifest_is_reported_and_the_others_still_read() {
    require_root();
    let t = kubeadm(&NodeOptions::default());
    t.write(
        "/etc/kubernetes/manifests/kube-scheduler.yaml",
        "apiVersion: v1\nkind: Pod\nspec:\n  containers: [\n",
        0o600,
    );
    let f = facts(&t, &[]);
    assert!(f.component(ComponentKind::KubeScheduler).is_none());
    assert!(f.component(ComponentKind::KubeApiserver).is_some());
    assert_eq!(f.errors.len(), 1, "{:?}", f.errors);
    assert!(
        f.errors[0].starts_with("/etc/kubernetes/manifests/kube-scheduler.yaml:"),
        "{:?}",
        f.errors
    );
}

#[test]
fn facts_survive_a_json_round_trip() {
    require_root();
    let t = kubeadm(&NodeOptions::hardened());
    t.link_proc();
    let k = start(&t, "kubelet", &kubelet_cmd(&NodeOptions::default()));
    let f = facts(&t, &[&k]);
    assert!(f.component(ComponentKind::Kubelet).is_some());
    let json = serde_json::to_string(&f).unwrap();
    let back: KubeFacts = serde_json::from_str(&json).unwrap();
    assert_eq!(back, f);
}

/// kube-proxy runs in a pod: its `--config` is a ConfigMap inside the pod,
/// read through `/proc/PID/root`; flags keep their names, config keys are
/// dotted.
#[test]
fn kube_proxy_config_is_read_inside_its_pod() {
    require_root();
    let t = kubeadm(&NodeOptions::default());
    t.link_proc();
    let pod_root = t.scratch().join("kube-proxy-pod");
    let cfg = pod_root.join("var/lib/kube-proxy/config.conf");
    std::fs::create_dir_all(cfg.parent().unwrap()).unwrap();
    std::fs::write(
        &cfg,
        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n\
         clientConnection:\n  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf\n\
         metricsBindAddress: 0.0.0.0:10249\nmode: iptables\n",
    )
    .unwrap();
    let argv: Vec<String> = [
        "/usr/local/bin/kube-proxy",
        "--config=/var/lib/kube-proxy/config.conf",
        "--hostname-override=node-a",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let p = StandIn::start_chrooted(&pod_root, "kube-proxy", &argv);
    let f = facts(&t, &[&p]);
    let c = comp(&f, ComponentKind::KubeProxy);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(c.get("metricsBindAddress"), Some("0.0.0.0:10249"));
    assert_eq!(
        origin(c, "metricsBindAddress"),
        &Origin::ConfigFile {
            path: "/var/lib/kube-proxy/config.conf".into(),
            line: Some(5)
        }
    );
    assert_eq!(
        c.get("clientConnection.kubeconfig"),
        Some("/var/lib/kube-proxy/kubeconfig.conf")
    );
    assert_eq!(c.get("hostname-override"), Some("node-a"));
    assert_eq!(origin(c, "hostname-override"), &Origin::Flag);
}
