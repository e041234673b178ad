//! One ignore file for scan rules, audit checks and threats: ignored
//! results are counted and listed (never dropped), expired entries raise
//! their result again with a note, entries that match nothing are stale,
//! and a missing reason is an error at file:line:column.

mod support;

use serde_json::Value;
use std::path::Path;
use support::shipshape_in;

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            privileged: true
";

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let o = shipshape_in(dir, &[], args);
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn has_rule(list: &Value, rule: &str) -> bool {
    list.as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule_id"] == rule)
}

fn privileged_entry(expires: &str) -> String {
    format!(
        "ignore:\n  - id: shipshape:K8S-001\n    scope: {{path: \"k8s/legacy/*\", kind: Deployment, name: web}}\n    reason: legacy app, replaced in Q3\n    owner: team-web\n    expires: {expires}\n  - id: K8S-099*\n    reason: nothing matches this\n"
    )
}

#[test]
fn an_active_entry_ignores_and_lists_the_finding_in_every_output() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "k8s/legacy/app.yaml", DEPLOYMENT);
    write(d.path(), "k8s/new/app.yaml", DEPLOYMENT);
    write(
        d.path(),
        ".shipshape-ignore.yaml",
        &privileged_entry("2999-12-31"),
    );
    let v = json(d.path(), &["scan", "k8s", "-f", "json"]);
    // Only the legacy file's finding is ignored; it moved to `suppressed`.
    let in_legacy = |f: &Value| f["file"] == "k8s/legacy/app.yaml" && f["rule_id"] == "K8S-001";
    assert!(!v["findings"].as_array().unwrap().iter().any(in_legacy));
    let sup: Vec<&Value> = v["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| in_legacy(f))
        .collect();
    assert_eq!(sup.len(), 1);
    assert_eq!(sup[0]["suppression"]["via"], "ignore_file");
    assert_eq!(
        sup[0]["suppression"]["reason"],
        "legacy app, replaced in Q3"
    );
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["file"] == "k8s/new/app.yaml" && f["rule_id"] == "K8S-001"));
    assert_eq!(v["ignore"]["count"], 1);
    assert_eq!(v["ignore"]["ignored"][0]["owner"], "team-web");
    assert_eq!(
        v["ignore"]["ignored"][0]["entry"],
        ".shipshape-ignore.yaml:2:5"
    );
    // The entry that matched nothing is stale, in JSON and in the text.
    assert_eq!(v["ignore"]["stale"][0]["id"], "K8S-099*");
    let o = shipshape_in(d.path(), &[], &["scan", "k8s"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("Ignored results: 1"), "{text}");
    assert!(
        text.contains(
            "warning: stale ignore entry at .shipshape-ignore.yaml:7:5: 'K8S-099*' matched nothing"
        ),
        "{text}"
    );
    // SARIF: an external suppression with the reason.
    let s = json(d.path(), &["scan", "k8s", "-f", "sarif"]);
    let sup: Vec<&Value> = s["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(sup.len(), 1, "{sup:#?}");
    assert_eq!(sup[0]["suppressions"][0]["kind"], "external");
    assert_eq!(
        sup[0]["suppressions"][0]["justification"],
        "legacy app, replaced in Q3"
    );
    // --no-ignore reads nothing.
    let v = json(d.path(), &["scan", "k8s", "-f", "json", "--no-ignore"]);
    assert!(v["findings"].as_array().unwrap().iter().any(in_legacy));
    assert!(v.get("ignore").is_none());
}

#[test]
fn an_expired_entry_raises_its_finding_again_with_a_note() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "k8s/legacy/app.yaml", DEPLOYMENT);
    write(
        d.path(),
        ".shipshape-ignore.yaml",
        &privileged_entry("2020-01-31"),
    );
    let v = json(d.path(), &["scan", "k8s", "-f", "json"]);
    assert!(has_rule(&v["findings"], "K8S-001"), "raised again");
    assert!(!has_rule(&v["suppressed"], "K8S-001"));
    assert_eq!(v["ignore"]["count"], 0);
    let exp = &v["ignore"]["expired"][0];
    assert_eq!(exp["rule"], "shipshape:K8S-001");
    assert_eq!(exp["expires"], "2020-01-31");
    let o = shipshape_in(d.path(), &[], &["scan", "k8s", "--fail-on", "critical"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("expired: ignore entry at .shipshape-ignore.yaml:2:5 (shipshape:K8S-001) expired on 2020-01-31"),
        "{text}"
    );
    assert_eq!(o.status.code(), Some(1), "the raised finding gates again");
    // JSON on stdout: the note goes to stderr as a warning too.
    let o = shipshape_in(d.path(), &[], &["scan", "k8s", "-f", "json"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("expired on 2020-01-31"));
}

#[test]
fn bad_entries_are_errors_at_file_line_and_column() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "k8s/app.yaml", DEPLOYMENT);
    write(
        d.path(),
        "ig.yaml",
        "ignore:\n  - id: K8S-001\n    reason: ok\n  - id: K8S-002\n    owner: bob\n",
    );
    let o = shipshape_in(d.path(), &[], &["scan", "k8s", "--ignore-file", "ig.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("ig.yaml:4:5: ignore entry 'K8S-002' has no reason"),
        "{err}"
    );

    write(
        d.path(),
        "ig.yaml",
        "ignore:\n  - id: K8S-001\n    reason: ok\n    scope: {contianer: web}\n",
    );
    let o = shipshape_in(d.path(), &[], &["audit", "--ignore-file", "ig.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("ig.yaml:4:"), "{err}");
    assert!(err.contains("contianer"), "{err}");
}

#[test]
fn the_ignore_section_of_shipshape_toml_is_read_with_the_scan_config() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "k8s/app.yaml", DEPLOYMENT);
    write(
        d.path(),
        "shipshape.toml",
        "[scan]\nexclude = [\"vendor/**\"]\n\n[[ignore]]\nid = \"K8S-001\"\nreason = \"accepted for the demo\"\nexpires = 2999-01-01\nscope = { path = \"k8s/*\" }\n\n[[ignore]]\nid = \"K8S-002\"\n",
    );
    let o = shipshape_in(d.path(), &[], &["scan", "k8s"]);
    assert_eq!(o.status.code(), Some(2), "the second entry has no reason");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("shipshape.toml:10:1: ignore entry 'K8S-002' has no reason"),
        "{err}"
    );
    write(
        d.path(),
        "shipshape.toml",
        "[scan]\nexclude = [\"vendor/**\"]\n\n[[ignore]]\nid = \"K8S-001\"\nreason = \"accepted for the demo\"\nexpires = 2999-01-01\nscope = { path = \"k8s/*\" }\n",
    );
    let v = json(d.path(), &["scan", "k8s", "-f", "json"]);
    assert!(has_rule(&v["suppressed"], "K8S-001"));
    assert_eq!(v["ignore"]["files"][0], "shipshape.toml");
    assert_eq!(v["ignore"]["ignored"][0]["entry"], "shipshape.toml:4:1");
}

#[test]
fn threats_are_ignored_by_id_and_component() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "k8s/app.yaml", DEPLOYMENT);
    let args = [
        "threats",
        "--no-host",
        "--scan",
        "k8s",
        "-f",
        "json",
        "--no-ignore",
    ];
    let v = json(d.path(), &args);
    let open = v["fingerprints"].as_array().unwrap();
    assert!(!open.is_empty(), "the scan gives open threats");
    let rule = open[0]["rule"].as_str().unwrap().to_string();
    let component = open[0]["target"]["component"].as_str().unwrap().to_string();
    let instance = open[0]["target"]["name"].as_str().unwrap().to_string();
    let entry = |expires: &str| {
        format!("ignore:\n  - id: \"{rule}\"\n    scope: {{component: \"{component}\"}}\n    reason: tracked in JIRA-1\n    expires: {expires}\n")
    };
    let args = ["threats", "--no-host", "--scan", "k8s", "-f", "json"];
    write(d.path(), ".shipshape-ignore.yaml", &entry("2999-01-01"));
    let v = json(d.path(), &args);
    let t = v["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == instance.as_str())
        .unwrap();
    assert_eq!(t["status"], "accepted", "{t:#}");
    assert_eq!(v["ignore"]["count"], 1);

    write(d.path(), ".shipshape-ignore.yaml", &entry("2001-01-01"));
    let v = json(d.path(), &args);
    let t = v["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == instance.as_str())
        .unwrap();
    assert_ne!(t["status"], "accepted");
    let why = t["explanation"].to_string();
    assert!(why.contains("expired on 2001-01-01; raised again"), "{why}");
}
