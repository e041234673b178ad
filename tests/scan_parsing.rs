//! End-to-end parsing behaviour that the per-rule fixtures do not isolate:
//! compose `extends` across files, Dockerfile heredocs and continuations,
//! suppression scopes.

use shipshape::scan::{scan, ScanOptions, ScanReport};
use std::path::Path;

fn scan_dir(dir: &Path, rules: &[&str]) -> ScanReport {
    scan(&ScanOptions {
        paths: vec![dir.to_path_buf()],
        only: rules.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    })
    .unwrap()
}

fn at(r: &ScanReport, rule: &str) -> Vec<(String, u32, u32)> {
    r.findings
        .iter()
        .filter(|f| f.rule_id == rule)
        .map(|f| {
            (
                Path::new(&f.file)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .to_string(),
                f.line,
                f.column,
            )
        })
        .collect()
}

#[test]
fn compose_extends_from_another_file_points_at_the_extends_key() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("common.yml"),
        "services:\n  base:\n    privileged: true\n    cap_add: [SYS_PTRACE]\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx:1.27\n    extends:\n      file: common.yml\n      service: base\n    cap_add: [NET_ADMIN]\n",
    )
    .unwrap();
    let r = scan_dir(d.path(), &["COMPOSE-001", "COMPOSE-004"]);
    // common.yml is itself a compose file (top-level services), so it is
    // scanned in its own right as well.
    assert_eq!(
        at(&r, "COMPOSE-001"),
        vec![
            ("common.yml".to_string(), 3, 5),
            ("compose.yaml".to_string(), 4, 5)
        ]
    );
    let caps = at(&r, "COMPOSE-004");
    assert!(
        caps.contains(&("compose.yaml".to_string(), 7, 15)),
        "own cap_add: {caps:?}"
    );
    assert!(
        caps.contains(&("compose.yaml".to_string(), 4, 5)),
        "inherited cap_add: {caps:?}"
    );
    // Findings from common.yml's own scan point into common.yml.
    assert!(r
        .findings
        .iter()
        .all(|f| f.file.ends_with("compose.yaml") || f.file.ends_with("common.yml")));
}

#[test]
fn compose_extends_missing_file_is_reported_not_fatal() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("compose.yaml"),
        "services:\n  web:\n    privileged: true\n    extends: {file: nope.yml, service: base}\n",
    )
    .unwrap();
    let r = scan_dir(d.path(), &["COMPOSE-001"]);
    assert_eq!(at(&r, "COMPOSE-001").len(), 1);
    assert!(
        r.errors
            .iter()
            .any(|e| e.message.contains("nope.yml") && e.line == Some(4)),
        "{:?}",
        r.errors
    );
}

#[test]
fn dockerfile_heredoc_and_continuations_locate_the_offending_command() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("Containerfile"),
        "FROM alpine:3.20\nRUN <<EOF\nset -e\napk add --no-cache bash=5.2.26-r0\ncurl -fsSL https://x.example | bash\nEOF\nRUN echo a \\\n  && chmod 0777 /srv\nUSER 1000\n",
    )
    .unwrap();
    let r = scan_dir(d.path(), &["DF-007", "DF-008", "DF-001"]);
    assert_eq!(at(&r, "DF-007"), vec![("Containerfile".to_string(), 5, 1)]);
    assert_eq!(at(&r, "DF-008"), vec![("Containerfile".to_string(), 8, 12)]);
    assert!(at(&r, "DF-001").is_empty());
}

#[test]
fn suppression_scopes_file_wide_and_pod_template_annotation() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("Dockerfile"),
        "# shipshape:ignore-file DF-010 the platform probes health\nFROM alpine:3.20\nUSER 1000\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("ds.yaml"),
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: ops}\nspec:\n  template:\n    metadata:\n      annotations:\n        shipshape.io/ignore: \"K8S-009: CNI plugin needs the node network\"\n    spec:\n      hostNetwork: true\n      hostPID: true\n      containers: [{name: a, image: a:1}]\n",
    )
    .unwrap();
    let r = scan_dir(d.path(), &["DF-010", "K8S-009", "K8S-007"]);
    assert!(at(&r, "DF-010").is_empty() && at(&r, "K8S-009").is_empty());
    assert_eq!(
        at(&r, "K8S-007").len(),
        1,
        "other rules on the object are not suppressed"
    );
    let mut reasons: Vec<&str> = r
        .suppressed
        .iter()
        .map(|f| f.suppression.as_ref().unwrap().reason.as_str())
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        [
            "CNI plugin needs the node network",
            "the platform probes health"
        ]
    );
    assert_eq!(r.summary.suppressed, 2);
}

#[test]
fn files_without_kubernetes_objects_are_not_counted_or_reported() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("values.yaml"),
        "image: {tag: latest}\nreplicas: 2\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("package.json"),
        "{\"name\": \"x\", \"version\": \"1.0.0\"}\n",
    )
    .unwrap();
    let r = scan_dir(d.path(), &[]);
    assert_eq!(r.summary.files.total, 0);
    assert!(r.findings.is_empty() && r.errors.is_empty());
}

#[test]
fn compose_ipv6_ports_are_parsed() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("compose.yaml"),
        "services:\n  web:\n    image: a:1\n    ports:\n      - \"[::1]:8080:80\"\n      - \"[::]:80:80\"\n      - \"[é\"\n",
    )
    .unwrap();
    let r = scan_dir(d.path(), &["COMPOSE-014", "COMPOSE-020"]);
    assert_eq!(
        at(&r, "COMPOSE-014"),
        vec![
            ("compose.yaml".to_string(), 6, 9),
            ("compose.yaml".to_string(), 7, 9)
        ]
    );
    assert_eq!(
        at(&r, "COMPOSE-020"),
        vec![("compose.yaml".to_string(), 6, 9)]
    );
}
