//! Nothing skipped in silence: YAML is classified by content, every file
//! the walk picked up and did not scan is listed with the reason, and a
//! folder of compose files under arbitrary names scans like one under
//! compose names.

use std::path::Path;
use std::process::Command;

fn scan(dir: &Path, extra: &[&str]) -> (serde_json::Value, i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .arg("scan")
        .arg(dir)
        .args(["--no-config", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const RISKY: &str = "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n";
const BASE: &str = "services:\n  base:\n    cap_add: [SYS_ADMIN]\n";
const EXTENDING: &str = "services:\n  api:\n    image: api:1\n    extends:\n      file: base.yml\n      service: base\n";

/// (rule, line, column, file name) of every finding.
fn keys(v: &serde_json::Value) -> Vec<(String, u64, u64, String)> {
    let mut k: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                Path::new(f["file"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .to_string(),
            )
        })
        .collect();
    k.sort();
    k
}

#[test]
fn compose_files_under_any_name_give_the_same_findings() {
    let named = tempfile::tempdir().unwrap();
    std::fs::write(named.path().join("compose.yaml"), RISKY).unwrap();
    std::fs::write(named.path().join("docker-compose.base.yml"), BASE).unwrap();
    std::fs::write(
        named.path().join("docker-compose.api.yml"),
        EXTENDING.replace("base.yml", "docker-compose.base.yml"),
    )
    .unwrap();

    let arbitrary = tempfile::tempdir().unwrap();
    std::fs::create_dir(arbitrary.path().join("deploy")).unwrap();
    std::fs::write(arbitrary.path().join("stack.yml"), RISKY).unwrap();
    std::fs::write(arbitrary.path().join("deploy/base.yml"), BASE).unwrap();
    std::fs::write(arbitrary.path().join("deploy/web.yml"), EXTENDING).unwrap();

    let (a, code_a, _) = scan(named.path(), &[]);
    let (b, code_b, _) = scan(arbitrary.path(), &[]);
    assert_eq!(code_a, 1);
    assert_eq!(code_b, 1, "{b:#}");
    assert_eq!(a["summary"]["files"]["compose"], 3);
    assert_eq!(b["summary"]["files"]["compose"], 3, "{b:#}");
    assert_eq!(b["summary"]["unclassified"], 0);
    let strip = |k: Vec<(String, u64, u64, String)>| -> Vec<(String, u64, u64)> {
        let mut v: Vec<_> = k.into_iter().map(|(r, l, c, _)| (r, l, c)).collect();
        v.sort();
        v
    };
    let (ka, kb) = (keys(&a), keys(&b));
    assert!(!ka.is_empty());
    assert_eq!(strip(ka), strip(kb));
    // The privileged docker.sock service is caught under its odd name.
    let rules: Vec<_> = keys(&b)
        .into_iter()
        .filter(|k| k.3 == "stack.yml")
        .collect();
    assert!(rules.len() >= 2, "{rules:?}");
}

#[test]
fn files_not_scanned_are_counted_listed_and_explained() {
    let d = tempfile::tempdir().unwrap();
    let w = |n: &str, t: &str| {
        let p = d.path().join(n);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, t).unwrap();
    };
    w("values.yaml", "replicas: 3\nimage: web\n");
    w(
        "chart/templates/dep.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    w("overlay/kustomization.yaml", "resources:\n  - ../base\n");
    w("package.json", "{\"name\": \"x\"}\n");
    w("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: c:1\n    securityContext: {privileged: true}\n");
    let (v, code, stderr) = scan(d.path(), &[]);
    assert_eq!(code, 1, "the privileged pod fails the run");
    assert_eq!(v["summary"]["files"]["kubernetes"], 1);
    let list = v["summary"]["unclassified_files"].as_array().unwrap();
    let reason = |name: &str| -> String {
        list.iter()
            .find(|u| u["file"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} not listed: {list:?}"))["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(v["summary"]["unclassified"], 4, "{list:?}");
    assert!(reason("values.yaml").contains("not recognised"));
    assert!(reason("package.json").contains("not recognised"));
    assert!(reason("dep.yaml").contains("Helm"));
    assert!(reason("kustomization.yaml").contains("kustomize"));
    assert!(stderr.contains("values.yaml"), "{stderr}");
    // The text summary counts and lists them too.
    let out = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(["scan", "--no-config", "--color", "never"])
        .arg(d.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("4 not scanned"), "{text}");
    assert!(text.contains("not scanned: ") && text.contains("values.yaml"));
}

#[test]
fn a_folder_with_only_recognised_files_lists_nothing() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("stack.yml"), RISKY).unwrap();
    let (v, _, _) = scan(d.path(), &[]);
    assert_eq!(v["summary"]["unclassified"], 0);
    assert_eq!(v["summary"]["unclassified_files"], serde_json::json!([]));
}

#[test]
fn an_extends_cycle_is_an_error_at_file_and_line() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("compose.yaml"),
        "services:\n  a:\n    image: a:1\n    extends: b\n  b:\n    image: b:1\n    extends:\n      service: a\n",
    )
    .unwrap();
    let (v, code, _) = scan(d.path(), &[]);
    let errs = v["errors"].as_array().unwrap();
    let cycle: Vec<_> = errs
        .iter()
        .filter(|e| e["message"].as_str().unwrap().contains("extends cycle"))
        .collect();
    assert_eq!(cycle.len(), 1, "{errs:?}");
    assert!(cycle[0]["file"].as_str().unwrap().ends_with("compose.yaml"));
    assert_eq!(cycle[0]["line"], 7);
    assert!(cycle[0]["message"].as_str().unwrap().contains("a → b → a"));
    assert_eq!(code, 1);
    // Without a cycle: no such error.
    std::fs::write(
        d.path().join("compose.yaml"),
        "services:\n  a:\n    image: a:1\n    extends: b\n  b:\n    image: b:1\n",
    )
    .unwrap();
    let (v, code, _) = scan(d.path(), &["--fail-on", "none"]);
    assert_eq!(v["errors"], serde_json::json!([]));
    assert_eq!(code, 0);
}

#[test]
fn unreadable_input_fails_the_run_unless_ignored() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("broken.yaml"),
        "apiVersion: v1\nkind: Pod\nspec: [\n",
    )
    .unwrap();
    let (v, code, stderr) = scan(d.path(), &[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("broken.yaml:"), "{stderr}");
    assert_eq!(v["summary"]["errors"], 1);
    let (_, code, _) = scan(d.path(), &["--ignore-errors"]);
    assert_eq!(code, 0);
}

#[test]
fn a_large_multi_document_file_is_scanned_document_by_document() {
    // More nodes in the whole file than the per-document limit allows
    // (2,000,000), each document small: every document is scanned.
    let d = tempfile::tempdir().unwrap();
    let mut text = String::new();
    let env: String = (0..120)
        .map(|i| format!("        - {{name: V{i}, value: x}}\n"))
        .collect();
    let docs = 6000;
    for i in 0..docs {
        text.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}, namespace: prod}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: c:1\n        securityContext: {{privileged: true}}\n        env:\n{env}"
        ));
    }
    std::fs::write(d.path().join("big.yaml"), &text).unwrap();
    let (v, _, stderr) = scan(
        d.path(),
        &["--max-file-size", "200000000", "--rule", "K8S-001"],
    );
    assert_eq!(v["summary"]["errors"], 0, "{stderr}");
    let privileged = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "K8S-001")
        .count();
    assert_eq!(privileged, docs);
}
