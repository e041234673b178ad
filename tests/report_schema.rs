//! The JSON report validates against its documented schema, on this host
//! and on a report where the daemon is unreachable.

mod support;

use support::*;

fn validator() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/schema/audit-report.v1.json"
    );
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema itself is valid")
}

fn assert_valid(doc: &serde_json::Value) {
    let v = validator();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
}

#[test]
fn live_report_matches_the_schema() {
    let mut lab = Lab::new("schema");
    let img = lab.image("plain", "/app", &[]);
    lab.run("one", &["-p", "127.0.0.1:0:80"], &img);
    let out = shipshape(&["audit", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&doc);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 117);
    assert!(doc["host"]["docker_version"].is_string());
}

#[test]
fn report_without_a_daemon_matches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let host = format!("unix://{}/none.sock", dir.path().display());
    let out = shipshape_in(
        dir.path(),
        &[("DOCKER_HOST", &host)],
        &["audit", "--format", "json"],
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&doc);
    assert!(doc["host"]["docker_version"].is_null());
    assert_eq!(doc["errors"].as_array().unwrap().len(), 1);
}

#[test]
fn a_broken_report_is_rejected_by_the_schema() {
    // The schema is not vacuous: a wrong outcome label fails validation.
    let out = shipshape_in(
        tempfile::tempdir().unwrap().path(),
        &[("DOCKER_HOST", "unix:///nonexistent/x.sock")],
        &["audit", "--format", "json", "-c", "3.5"],
    );
    let mut doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["findings"][0]["outcome"] = "OK".into();
    assert!(validator().iter_errors(&doc).next().is_some());
}
