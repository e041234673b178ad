//! Baselines and `shipshape diff` on scanned files: identities never merge
//! findings of different files (Checkov #7647) and never depend on line
//! numbers; `--new-only` gates on new results only; a wrong or malformed
//! baseline is an error naming the file, line and column.

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

fn scan_json(dir: &Path, out: &str, extra: &[&str]) -> (Value, Option<i32>) {
    let mut args = vec!["scan", "k8s", "-f", "json", "-o", out, "--no-ignore"];
    args.extend(extra);
    let o = shipshape_in(dir, &[], &args);
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = serde_json::from_str(&std::fs::read_to_string(dir.join(out)).unwrap()).unwrap();
    (v, o.status.code())
}

fn new_results(v: &Value) -> Vec<&Value> {
    v["fingerprints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["baseline_state"] == "new")
        .collect()
}

#[test]
fn the_same_rule_in_two_files_is_two_results_and_a_copy_is_new() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "k8s/a/app.yaml", DEPLOYMENT);
    let (base, _) = scan_json(d.path(), "base.json", &[]);
    let privileged: Vec<&Value> = base["fingerprints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "shipshape:K8S-001")
        .collect();
    assert_eq!(privileged.len(), 1, "{:#}", base["fingerprints"]);

    // The same manifest in a second file: every finding there is new, and
    // nothing in the first file changes.
    write(d.path(), "k8s/b/app.yaml", DEPLOYMENT);
    let (after, code) = scan_json(
        d.path(),
        "after.json",
        &["--baseline", "base.json", "--new-only", "--fail-on", "low"],
    );
    let new = new_results(&after);
    let per_file = base["fingerprints"].as_array().unwrap().len();
    assert_eq!(new.len(), per_file, "{new:#?}");
    assert!(new.iter().all(|f| f["target"]["path"] == "k8s/b/app.yaml"));
    assert_eq!(after["baseline"]["unchanged"], per_file);
    assert_eq!(after["baseline"]["fixed"], 0);
    assert_eq!(code, Some(1), "new findings trip --new-only");
    let fps: std::collections::BTreeSet<&str> = after["fingerprints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(
        fps.len(),
        2 * per_file,
        "no two results share a fingerprint"
    );
}

#[test]
fn moving_a_finding_down_the_file_keeps_its_identity() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "k8s/app.yaml", DEPLOYMENT);
    let (_, _) = scan_json(d.path(), "base.json", &[]);
    write(
        d.path(),
        "k8s/app.yaml",
        &format!("# a comment\n# another\n\n{DEPLOYMENT}"),
    );
    let (after, code) = scan_json(
        d.path(),
        "after.json",
        &["--baseline", "base.json", "--new-only"],
    );
    assert!(
        new_results(&after).is_empty(),
        "{:#}",
        after["fingerprints"]
    );
    assert!(after["findings"].as_array().unwrap().len() > 1);
    assert_eq!(code, Some(0), "findings exist but none is new");

    // SARIF carries the same identity and the state.
    let o = shipshape_in(
        d.path(),
        &[],
        &[
            "scan",
            "k8s",
            "-f",
            "sarif",
            "--no-ignore",
            "--baseline",
            "base.json",
        ],
    );
    let sarif: Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        assert_eq!(r["baselineState"], "unchanged", "{r:#}");
        assert!(r["partialFingerprints"]["shipshape/v1"].is_string());
    }
}

#[test]
fn diff_reports_new_and_fixed_between_two_scans() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "k8s/a.yaml", DEPLOYMENT);
    scan_json(d.path(), "one.json", &[]);
    std::fs::remove_file(d.path().join("k8s/a.yaml")).unwrap();
    write(d.path(), "k8s/b.yaml", DEPLOYMENT);
    let (two, _) = scan_json(d.path(), "two.json", &[]);
    let n = two["fingerprints"].as_array().unwrap().len();
    let o = shipshape_in(d.path(), &[], &["diff", "one.json", "two.json"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains(&format!("scan: {n} new, {n} fixed, 0 unchanged")),
        "{text}"
    );
    assert!(
        text.contains("+ new") && text.contains("k8s/b.yaml"),
        "{text}"
    );
    assert!(
        text.contains("- fixed") && text.contains("k8s/a.yaml"),
        "{text}"
    );
    let o = shipshape_in(
        d.path(),
        &[],
        &[
            "diff",
            "one.json",
            "two.json",
            "--fail-on-new",
            "-f",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["kind"], "scan");
    assert_eq!(v["new_results"].as_array().unwrap().len(), n);
}

#[test]
fn a_malformed_or_foreign_baseline_names_file_line_and_column() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "k8s/a.yaml", DEPLOYMENT);
    write(d.path(), "bad.json", "{\n  \"findings\": [1,\n}\n");
    let o = shipshape_in(d.path(), &[], &["scan", "k8s", "--baseline", "bad.json"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.json:3:1: not a JSON report"), "{err}");

    write(
        d.path(),
        "threats.json",
        "{\"schema\": \"shipshape.threats\", \"threats\": []}",
    );
    let o = shipshape_in(
        d.path(),
        &[],
        &["scan", "k8s", "--baseline", "threats.json"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("threats.json:1:1: this is a `threats` report; --baseline for `scan`"),
        "{err}"
    );

    write(
        d.path(),
        "fp.json",
        "{\"summary\": {\"files\": {}}, \"findings\": [],\n\"fingerprints\": [{\"fingerprint\": 3}]}",
    );
    let o = shipshape_in(d.path(), &[], &["diff", "fp.json", "fp.json"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("fp.json:2:"), "{err}");
    assert!(err.contains("malformed \"fingerprints\""), "{err}");
}
