//! One intent, one verdict: the same configuration fed through the Docker
//! audit check and through the compose and Kubernetes rules that cover the
//! same CIS Docker recommendation must agree on whether it is a finding.
//! They read the same shared knowledge (`knowledge/`), and this table keeps
//! it that way.
//!
//! "A finding" is FAIL or WARN for the audit and at least one hit of the
//! matching rules for a manifest. Kubernetes rules cite the CIS Kubernetes
//! benchmark, so the rows name the Kubernetes rules that carry the same
//! intent.

use super::walk::FileKind;
use super::{scan_text, ScanOptions, Settings};
use crate::findings::Outcome;
use crate::rules::docker::fixtures::{hardened, run, web};
use crate::rules::manifest::{Domain, Standard};
use crate::rules::registry;
use crate::snapshot::{Container, Mount};

/// One configuration, written three ways.
struct Case {
    /// The CIS Docker id of the audit check (and of the compose rules).
    cis: &'static str,
    /// What the row configures, for failure messages.
    what: &'static str,
    /// Change to the hardened fixture's first container.
    audit: fn(&mut Container),
    /// Lines under the compose service (4 spaces deep).
    compose: &'static str,
    /// The Kubernetes pod spec (2 spaces deep), if Kubernetes can say it.
    k8s: Option<&'static str>,
    /// The Kubernetes rules with the same intent.
    k8s_rules: &'static [&'static str],
    finding: bool,
}

fn bind(c: &mut Container, src: &str, rw: bool) {
    c.mounts = vec![Mount {
        kind: "bind".into(),
        source: src.into(),
        destination: "/mnt".into(),
        rw,
        ..Default::default()
    }];
}

const CAPS: &[&str] = &["K8S-005", "K8S-006", "K8S-072"];
const HOST_PATH: &[&str] = &["K8S-010"];

/// A pod whose one container carries `sc` as its securityContext.
macro_rules! pod_sc {
    ($sc:literal) => {
        concat!(
            "  containers:\n    - name: web\n      image: app:1.0\n      securityContext:\n",
            $sc
        )
    };
}

/// A pod with one hostPath volume.
macro_rules! pod_host_path {
    ($path:literal) => {
        concat!(
            "  containers:\n    - name: web\n      image: app:1.0\n",
            "  volumes:\n    - name: v\n      hostPath:\n        path: ",
            $path,
            "\n"
        )
    };
}

/// A pod with one pod-level setting.
macro_rules! pod_field {
    ($field:literal) => {
        concat!(
            "  ",
            $field,
            "\n  containers:\n    - name: web\n      image: app:1.0\n"
        )
    };
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    // 5.4 capabilities.
    Case { cis: "5.4", what: "drop ALL, add nothing", audit: |_| {}, compose: "    cap_drop: [ALL]\n", k8s: Some(pod_sc!("        capabilities: {drop: [ALL]}\n")), k8s_rules: CAPS, finding: false },
    Case { cis: "5.4", what: "add NET_ADMIN", audit: |c| c.host_config.cap_add = vec!["NET_ADMIN".into()], compose: "    cap_drop: [ALL]\n    cap_add: [NET_ADMIN]\n", k8s: Some(pod_sc!("        capabilities: {drop: [ALL], add: [NET_ADMIN]}\n")), k8s_rules: CAPS, finding: true },
    Case { cis: "5.4", what: "add cap_sys_admin in lower case", audit: |c| c.host_config.cap_add = vec!["cap_sys_admin".into()], compose: "    cap_drop: [ALL]\n    cap_add: [cap_sys_admin]\n", k8s: Some(pod_sc!("        capabilities: {drop: [ALL], add: [cap_sys_admin]}\n")), k8s_rules: CAPS, finding: true },
    Case { cis: "5.4", what: "add back a default capability", audit: |c| c.host_config.cap_add = vec!["CHOWN".into()], compose: "    cap_drop: [ALL]\n    cap_add: [CHOWN]\n", k8s: Some(pod_sc!("        capabilities: {drop: [ALL], add: [CHOWN]}\n")), k8s_rules: CAPS, finding: true },
    Case { cis: "5.4", what: "add back NET_BIND_SERVICE", audit: |c| c.host_config.cap_add = vec!["CAP_NET_BIND_SERVICE".into()], compose: "    cap_drop: [ALL]\n    cap_add: [CAP_NET_BIND_SERVICE]\n", k8s: Some(pod_sc!("        capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}\n")), k8s_rules: CAPS, finding: false },
    Case { cis: "5.4", what: "drop nothing", audit: |c| c.host_config.cap_drop.clear(), compose: "    read_only: true\n", k8s: Some(pod_sc!("        readOnlyRootFilesystem: true\n")), k8s_rules: CAPS, finding: true },
    // CIS Kubernetes 5.2.8 accepts dropping NET_RAW alone; CIS Docker 5.4 asks for ALL.
    Case { cis: "5.4", what: "drop NET_RAW but not ALL", audit: |c| c.host_config.cap_drop = vec!["NET_RAW".into()], compose: "    cap_drop: [NET_RAW]\n", k8s: None, k8s_rules: CAPS, finding: true },
    // 5.6 sensitive host paths.
    Case { cis: "5.6", what: "/root writable", audit: |c| bind(c, "/root", true), compose: "    volumes: [\"/root:/mnt\"]\n", k8s: Some(pod_host_path!("/root")), k8s_rules: HOST_PATH, finding: true },
    Case { cis: "5.6", what: "/etc read-only", audit: |c| bind(c, "/etc", false), compose: "    volumes: [\"/etc:/mnt:ro\"]\n", k8s: Some(pod_host_path!("/etc")), k8s_rules: HOST_PATH, finding: true },
    Case { cis: "5.6", what: "/var/lib/docker", audit: |c| bind(c, "/var/lib/docker/", true), compose: "    volumes: [\"/var/lib/docker/:/mnt\"]\n", k8s: Some(pod_host_path!("/var/lib/docker/")), k8s_rules: HOST_PATH, finding: true },
    Case { cis: "5.6", what: "the host root", audit: |c| bind(c, "/", false), compose: "    volumes: [\"/:/mnt:ro\"]\n", k8s: Some(pod_host_path!("/")), k8s_rules: HOST_PATH, finding: true },
    Case { cis: "5.6", what: "/usr/lib below /usr", audit: |c| bind(c, "/usr/lib", true), compose: "    volumes: [\"/usr/lib:/mnt\"]\n", k8s: Some(pod_host_path!("/usr/lib")), k8s_rules: HOST_PATH, finding: true },
    Case { cis: "5.6", what: "/etcd-data is not /etc", audit: |c| bind(c, "/etcd-data", true), compose: "    volumes: [\"/etcd-data:/mnt\"]\n", k8s: Some(pod_host_path!("/etcd-data")), k8s_rules: HOST_PATH, finding: false },
    Case { cis: "5.6", what: "an application directory", audit: |c| bind(c, "/srv/app", true), compose: "    volumes: [\"/srv/app:/mnt\"]\n", k8s: Some(pod_host_path!("/srv/app")), k8s_rules: HOST_PATH, finding: false },
    // 5.32 runtime sockets.
    Case { cis: "5.32", what: "docker.sock under /var/run", audit: |c| bind(c, "/var/run/docker.sock", false), compose: "    volumes: [\"/var/run/docker.sock:/var/run/docker.sock\"]\n", k8s: Some(pod_host_path!("/var/run/docker.sock")), k8s_rules: HOST_PATH, finding: true },
    Case { cis: "5.32", what: "containerd.sock", audit: |c| bind(c, "/run/containerd/containerd.sock", false), compose: "    volumes: [\"/run/containerd/containerd.sock:/c.sock\"]\n", k8s: Some(pod_host_path!("/run/containerd/containerd.sock")), k8s_rules: HOST_PATH, finding: true },
    Case { cis: "5.32", what: "the CRI-O socket", audit: |c| bind(c, "/var/run/crio/crio.sock", false), compose: "    volumes: [\"/var/run/crio/crio.sock:/c.sock\"]\n", k8s: Some(pod_host_path!("/var/run/crio/crio.sock")), k8s_rules: HOST_PATH, finding: true },
    Case { cis: "5.32", what: "the Podman socket", audit: |c| bind(c, "/run/podman/podman.sock", false), compose: "    volumes: [\"/run/podman/podman.sock:/p.sock\"]\n", k8s: Some(pod_host_path!("/run/podman/podman.sock")), k8s_rules: HOST_PATH, finding: true },
    Case { cis: "5.32", what: "/var/run, which holds the socket", audit: |c| bind(c, "/var/run", false), compose: "    volumes: [\"/var/run:/host-run\"]\n", k8s: Some(pod_host_path!("/var/run")), k8s_rules: HOST_PATH, finding: true },
    Case { cis: "5.32", what: "an application socket", audit: |c| bind(c, "/srv/app/app.sock", true), compose: "    volumes: [\"/srv/app/app.sock:/app.sock\"]\n", k8s: Some(pod_host_path!("/srv/app/app.sock")), k8s_rules: HOST_PATH, finding: false },
    // 5.10, 5.16, 5.17 host namespaces.
    Case { cis: "5.10", what: "host network", audit: |c| c.host_config.network_mode = "host".into(), compose: "    network_mode: host\n", k8s: Some(pod_field!("hostNetwork: true")), k8s_rules: &["K8S-009"], finding: true },
    Case { cis: "5.10", what: "own network", audit: |_| {}, compose: "    networks: [app]\n", k8s: Some(pod_field!("hostNetwork: false")), k8s_rules: &["K8S-009"], finding: false },
    Case { cis: "5.16", what: "host PID namespace", audit: |c| c.host_config.pid_mode = "host".into(), compose: "    pid: host\n", k8s: Some(pod_field!("hostPID: true")), k8s_rules: &["K8S-007"], finding: true },
    Case { cis: "5.16", what: "own PID namespace", audit: |_| {}, compose: "    init: true\n", k8s: Some(pod_field!("hostPID: false")), k8s_rules: &["K8S-007"], finding: false },
    Case { cis: "5.17", what: "host IPC namespace", audit: |c| c.host_config.ipc_mode = "host".into(), compose: "    ipc: host\n", k8s: Some(pod_field!("hostIPC: true")), k8s_rules: &["K8S-008"], finding: true },
    Case { cis: "5.17", what: "shareable IPC", audit: |c| c.host_config.ipc_mode = "shareable".into(), compose: "    ipc: shareable\n", k8s: Some(pod_field!("hostIPC: false")), k8s_rules: &["K8S-008"], finding: false },
];

/// The compose rules that cite CIS Docker `cis`.
fn compose_rules(cis: &str) -> Vec<&'static str> {
    registry::manifest_rules()
        .filter(|r| r.domain == Domain::Compose)
        .filter(|r| {
            r.refs
                .iter()
                .any(|x| x.standard == Standard::CisDocker && x.id == cis)
        })
        .map(|r| r.id)
        .collect()
}

/// Ids of the findings `rules` raise on `text`.
fn fired(kind: FileKind, text: &str, rules: &[&str]) -> Vec<String> {
    let settings = Settings::new(&ScanOptions::default()).unwrap();
    let r = scan_text("t.yaml", None, kind, text, &settings);
    assert!(r.errors.is_empty(), "{text}\n{:?}", r.errors);
    r.findings
        .iter()
        .filter(|f| rules.contains(&f.rule_id))
        .map(|f| format!("{} {}", f.rule_id, f.message))
        .collect()
}

#[test]
fn audit_compose_and_kubernetes_agree_on_each_intent() {
    let mut disagreements = Vec::new();
    for case in CASES {
        let mut snap = hardened();
        (case.audit)(web(&mut snap));
        let f = run(case.cis, &snap);
        assert!(
            !matches!(f.outcome, Outcome::Error | Outcome::NotApplicable),
            "{}: {:?}",
            case.cis,
            f
        );
        let audit = matches!(f.outcome, Outcome::Fail | Outcome::Warn);
        let mut verdicts = vec![("audit", audit, format!("{:?} {}", f.outcome, f.message))];

        let rules = compose_rules(case.cis);
        assert!(!rules.is_empty(), "no compose rule cites CIS {}", case.cis);
        let text = format!("services:\n  web:\n    image: app:1.0\n{}", case.compose);
        let hits = fired(FileKind::Compose, &text, &rules);
        verdicts.push(("compose", !hits.is_empty(), hits.join("; ")));

        if let Some(spec) = case.k8s {
            let text = format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: prod\nspec:\n{spec}"
            );
            let hits = fired(FileKind::Kubernetes, &text, case.k8s_rules);
            verdicts.push(("kubernetes", !hits.is_empty(), hits.join("; ")));
        }
        for (family, got, detail) in verdicts {
            if got != case.finding {
                disagreements.push(format!(
                    "CIS {} {}: {family} says {} ({detail})",
                    case.cis,
                    case.what,
                    if got { "finding" } else { "fine" }
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "the families disagree:\n{}",
        disagreements.join("\n")
    );
}

#[test]
fn every_cis_id_in_the_table_has_an_audit_check_and_compose_rules() {
    for cis in ["5.4", "5.6", "5.32", "5.10", "5.16", "5.17"] {
        assert!(CASES.iter().any(|c| c.cis == cis && c.finding), "{cis}");
        assert!(CASES.iter().any(|c| c.cis == cis && !c.finding), "{cis}");
        assert!(!compose_rules(cis).is_empty(), "{cis}");
        // The audit check exists (run panics on an unknown id).
        run(cis, &hardened());
    }
}
