//! `shipshape audit` with Kubernetes facts: targets, qualified selectors,
//! every output format, the kube-bench layout against its schema, and
//! `--checks-file` overrides. Snapshots are built from the kubeadm fixture
//! (with a few deliberate failures) on top of the Docker "risky" fixture.

mod support;

use shipshape::rules::kubernetes_node::fixtures::*;
use shipshape::snapshot::kubernetes::ComponentKind::*;
use support::*;

const RISKY: &str = "tests/fixtures/threat/snapshot-risky.json";
const FIXTURE: &str = "tests/fixtures/kube/snapshot-kubeadm.json";

/// The kubeadm node with three failures: a world-readable admin.conf,
/// profiling on, anonymous kubelet auth.
fn node_snapshot() -> String {
    let mut f = compliant();
    chmod(&mut f, "/etc/kubernetes/admin.conf", 0o644);
    set(&mut f, KubeApiserver, "profiling", "true");
    set(&mut f, Kubelet, "authentication.anonymous.enabled", "true");
    let mut snap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(RISKY).unwrap()).unwrap();
    snap["kubernetes"] = serde_json::to_value(&f).unwrap();
    serde_json::to_string_pretty(&snap).unwrap() + "\n"
}

/// The committed fixture (used by bench/kube-audit.sh) is the one the code
/// builds; `KUBE_FIXTURE_UPDATE=1` rewrites it.
#[test]
fn committed_fixture_is_current() {
    let want = node_snapshot();
    if std::env::var_os("KUBE_FIXTURE_UPDATE").is_some() {
        std::fs::create_dir_all("tests/fixtures/kube").unwrap();
        std::fs::write(FIXTURE, &want).unwrap();
    }
    assert_eq!(std::fs::read_to_string(FIXTURE).unwrap(), want);
}

fn audit(args: &[&str]) -> (String, String, i32) {
    let mut all = vec!["audit", "--snapshot", FIXTURE];
    all.extend_from_slice(args);
    let out = shipshape(&all);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["-f", "json"];
    a.extend_from_slice(args);
    let (out, err, _) = audit(&a);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"))
}

fn validate(schema: &str, doc: &serde_json::Value) {
    let path = format!("{}/docs/schema/{schema}", env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = jsonschema::validator_for(&schema).expect("valid schema");
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn target_kubernetes_audits_the_node_only() {
    let doc = json(&["--target", "kubernetes"]);
    let fs = doc["findings"].as_array().unwrap();
    assert_eq!(fs.len(), 97);
    for f in fs {
        assert_eq!(f["benchmark"], "CIS Kubernetes");
        assert_eq!(f["benchmark_version"], "1.12");
    }
    let outcome = |id: &str| {
        fs.iter().find(|f| f["id"] == id).unwrap()["outcome"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(outcome("1.1.13"), "FAIL");
    assert_eq!(outcome("1.2.15"), "FAIL");
    assert_eq!(outcome("4.2.1"), "FAIL");
    assert_eq!(outcome("1.1.1"), "PASS");
    assert_eq!(doc["benchmarks"][0]["name"], "CIS Kubernetes");
    assert_eq!(doc["kubernetes_profile"], "kubeadm");
    validate("audit-report.v1.json", &doc);
    let (_, _, code) = audit(&["--target", "kubernetes"]);
    assert_eq!(code, 1, "FAILs at or above the default threshold");
}

#[test]
fn default_audits_docker_and_kubernetes_grouped_by_benchmark() {
    let doc = json(&[]);
    let fs = doc["findings"].as_array().unwrap();
    let count = |b: &str| fs.iter().filter(|f| f["benchmark"] == b).count();
    assert_eq!(count("CIS Docker"), cis_check_count());
    assert_eq!(count("CIS Kubernetes"), 97);
    assert!(fs
        .iter()
        .filter(|f| f["benchmark"] == "CIS Docker")
        .all(|f| f["benchmark_version"] == "1.6"));
    validate("audit-report.v1.json", &doc);
    let (text, _, _) = audit(&[]);
    let d = text.find("== CIS Docker 1.6 ==").expect(&text);
    let k = text
        .find("== CIS Kubernetes 1.12 (profile kubeadm) ==")
        .expect(&text);
    assert!(d < k);
    assert!(
        text[k..].contains("\n1 Control plane components\n"),
        "{text}"
    );
    assert!(text[k..].contains("\n4 Worker node\n"));
    assert!(text[k..].contains("\n  1.2 API server\n"), "{text}");
    assert!(text.contains("CIS Kubernetes 1.12: 97 checks:"));
}

#[test]
fn bare_ids_match_every_targeted_benchmark_and_qualified_ids_one() {
    let ids = |args: &[&str]| -> Vec<String> {
        json(args)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{}:{}",
                    f["benchmark"].as_str().unwrap(),
                    f["id"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(
        ids(&["-c", "1.1.1"]),
        ["CIS Docker:1.1.1", "CIS Kubernetes:1.1.1"]
    );
    assert_eq!(ids(&["-c", "kubernetes:1.1.1"]), ["CIS Kubernetes:1.1.1"]);
    assert_eq!(ids(&["-c", "docker:1.1.1"]), ["CIS Docker:1.1.1"]);
    assert_eq!(
        ids(&["-c", "1.1.1", "--target", "kubernetes"]),
        ["CIS Kubernetes:1.1.1"]
    );
    let k = ids(&["-c", "kubernetes:4", "-e", "kubernetes:4.2"]);
    assert_eq!(k.len(), 11, "{k:?}");
    let (_, err, code) = audit(&["-c", "kubernetes:4.9"]);
    assert_eq!(code, 2);
    assert!(err.contains("no check matches 'kubernetes:4.9'"), "{err}");
    // 2.7 exists in both; 6.1 only in Docker, so with --target kubernetes it matches nothing.
    let (_, err, code) = audit(&["--target", "kubernetes", "-c", "6.1"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn kubernetes_only_needs_no_docker_engine() {
    let dir = tempfile::tempdir().unwrap();
    let mut snap: serde_json::Value = serde_json::from_str(&node_snapshot()).unwrap();
    snap["engine"] = serde_json::json!({"error": "cannot connect to unix:///nowhere.sock"});
    let p = dir.path().join("snap.json");
    std::fs::write(&p, snap.to_string()).unwrap();
    let run = |args: &[&str]| {
        let mut a = vec!["audit", "--snapshot", p.to_str().unwrap(), "-f", "json"];
        a.extend_from_slice(args);
        let out = shipshape(&a);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (doc, out.status.code())
    };
    let (doc, code) = run(&["--target", "kubernetes"]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0);
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["outcome"] != "ERROR"));
    // Without --target, an unreachable Engine on a Kubernetes node is not audited.
    let (doc, _) = run(&[]);
    assert_eq!(doc["benchmarks"].as_array().unwrap().len(), 1);
    // Asking for Docker too reports the Engine as unreachable (exit 2).
    let (doc, code) = run(&["--target", "docker", "--target", "kubernetes"]);
    assert_eq!(code, Some(2));
    assert_eq!(doc["errors"].as_array().unwrap().len(), 1);
}

#[test]
fn kube_bench_json_matches_its_schema_and_counts() {
    let (out, err, _) = audit(&["--target", "kubernetes", "-f", "kube-bench-json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e} {err}"));
    validate("kube-bench.v1.json", &doc);
    let controls = doc["Controls"].as_array().unwrap();
    let ids: Vec<&str> = controls.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "3", "4"]);
    let types: Vec<&str> = controls
        .iter()
        .map(|c| c["node_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["master", "etcd", "controlplane", "node"]);
    let results: usize = controls
        .iter()
        .flat_map(|c| c["tests"].as_array().unwrap())
        .map(|g| g["results"].as_array().unwrap().len())
        .sum();
    assert_eq!(results, 97);
    let t = &doc["Totals"];
    let sum: u64 = ["total_pass", "total_fail", "total_warn", "total_info"]
        .iter()
        .map(|k| t[k].as_u64().unwrap())
        .sum();
    assert_eq!(sum, 97);
    assert_eq!(t["total_fail"], 3);
    let groups: Vec<&str> = controls[0]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["section"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["1.1", "1.2", "1.3", "1.4"]);
    let etcd: Vec<&str> = controls[1]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["section"].as_str().unwrap())
        .collect();
    assert_eq!(etcd, ["2"]);
}

#[test]
fn sarif_and_junit_carry_qualified_kubernetes_ids() {
    let (out, _, _) = audit(&["-f", "sarif", "-c", "1.1.13"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rules: Vec<&str> = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["1.1.13", "kubernetes:1.1.13"]);
    let (xml, _, _) = audit(&["-f", "junit", "--target", "kubernetes"]);
    assert_eq!(xml.matches("<testcase").count(), 97);
    assert!(xml.contains("cis-kubernetes-1.12.section-1"), "{xml}");
    assert!(xml.contains("kubernetes:1.1.13"));
}

#[test]
fn docker_bench_json_refuses_a_kubernetes_only_audit() {
    let (_, err, code) = audit(&["--target", "kubernetes", "-f", "docker-bench-json"]);
    assert_eq!(code, 2);
    assert!(err.contains("kube-bench-json"), "{err}");
}

#[test]
fn checks_file_overrides_and_reports_positions() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("site.yaml");
    std::fs::write(&p, "checks:\n  - id: \"1.2.15\"\n    automated: false\n").unwrap();
    let doc = json(&[
        "--target",
        "kubernetes",
        "-c",
        "1.2.15",
        "--checks-file",
        p.to_str().unwrap(),
    ]);
    assert_eq!(
        doc["findings"][0]["outcome"], "WARN",
        "a manual check's failure is a review"
    );
    std::fs::write(&p, "checks:\n  - id: \"1.2.15\"\n    severty: high\n").unwrap();
    let (_, err, code) = audit(&["--checks-file", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("site.yaml:3:5"), "{err}");
}

#[test]
fn rules_lists_kubernetes_checks_qualified_and_documents_one() {
    let out = shipshape(&["rules"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("kubernetes:"))
            .count(),
        97
    );
    let one = shipshape(&["rules", "kubernetes:1.2.1"]);
    let doc = String::from_utf8_lossy(&one.stdout);
    assert!(
        doc.contains("CIS Kubernetes 1.12") && doc.contains("anonymous"),
        "{doc}"
    );
    let both = shipshape(&["rules", "1.1.1"]);
    let doc = String::from_utf8_lossy(&both.stdout);
    assert!(
        doc.contains("CIS Docker 1.6") && doc.contains("CIS Kubernetes 1.12"),
        "{doc}"
    );
    let json = shipshape(&["rules", "kubernetes:4", "-f", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 25);
}

#[test]
fn cluster_objects_evaluate_section_5_through_the_scan_rules() {
    let doc = json(&[
        "--target",
        "kubernetes",
        "--cluster-objects",
        "tests/fixtures/kube/cluster",
        "-c",
        "kubernetes:5.2",
    ]);
    let fs = doc["findings"].as_array().unwrap();
    assert_eq!(fs.len(), 12, "5.2.1-5.2.12");
    let outcome = |id: &str| fs.iter().find(|f| f["id"] == id).unwrap()["outcome"].clone();
    assert_eq!(outcome("5.2.2"), "WARN", "privileged debug-shell");
    assert_eq!(outcome("5.2.3"), "WARN", "hostPID debug-shell");
    assert_eq!(outcome("5.2.4"), "PASS", "no hostIPC");
    let priv_ev = &fs.iter().find(|f| f["id"] == "5.2.2").unwrap()["evidence"];
    assert!(priv_ev.to_string().contains("debug-shell"), "{priv_ev}");
    validate("audit-report.v1.json", &doc);
    let (out, _, _) = audit(&[
        "--target",
        "kubernetes",
        "--cluster-objects",
        "tests/fixtures/kube/cluster",
        "-f",
        "kube-bench-json",
    ]);
    let kb: serde_json::Value = serde_json::from_str(&out).unwrap();
    validate("kube-bench.v1.json", &kb);
    assert_eq!(kb["Controls"][4]["node_type"], "policies");
}

#[test]
fn kube_bench_json_keeps_errors_and_not_applicable_visible() {
    let dir = tempfile::tempdir().unwrap();
    let mut snap: serde_json::Value = serde_json::from_str(&node_snapshot()).unwrap();
    let files = &mut snap["kubernetes"]["files"];
    files["/etc/kubernetes/manifests/kube-apiserver.yaml"] =
        serde_json::json!({"state": "error", "reason": "permission denied"});
    let comps = snap["kubernetes"]["components"].as_array_mut().unwrap();
    comps.retain(|c| c["kind"] != "kube-proxy");
    let p = dir.path().join("snap.json");
    std::fs::write(&p, snap.to_string()).unwrap();
    let out = shipshape(&[
        "audit",
        "--snapshot",
        p.to_str().unwrap(),
        "--target",
        "kubernetes",
        "-f",
        "kube-bench-json",
        "-c",
        "1.1.1,4.3.1",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    validate("kube-bench.v1.json", &doc);
    let results: Vec<&serde_json::Value> = doc["Controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["tests"].as_array().unwrap())
        .flat_map(|g| g["results"].as_array().unwrap())
        .collect();
    let r111 = results
        .iter()
        .find(|r| r["test_number"] == "1.1.1")
        .unwrap();
    assert_eq!(
        r111["status"], "WARN",
        "an unevaluated check never looks clean"
    );
    assert!(
        r111["reason"]
            .as_str()
            .unwrap()
            .contains("permission denied"),
        "{r111}"
    );
    let r431 = results
        .iter()
        .find(|r| r["test_number"] == "4.3.1")
        .unwrap();
    assert_eq!(r431["status"], "INFO");
    assert!(
        r431["reason"]
            .as_str()
            .unwrap()
            .starts_with("not applicable: kube-proxy"),
        "{r431}"
    );
}
