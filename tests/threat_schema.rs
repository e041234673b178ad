//! The threats JSON validates against its JSON Schema
//! (`docs/schema/threats.v2.json`, also `shipshape::threat::render::json::JSON_SCHEMA`).

mod threat_support;

use std::process::Command;
use threat_support::{fixture, root};

fn assert_valid(doc: &serde_json::Value, what: &str) {
    let schema: serde_json::Value =
        serde_json::from_str(shipshape::threat::render::json::JSON_SCHEMA).unwrap();
    let v = jsonschema::validator_for(&schema).expect("the schema itself is valid");
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: schema violations:\n{}",
        errors.join("\n")
    );
}

#[test]
fn golden_json_files_match_the_schema() {
    for name in ["seed.json", "risky.json"] {
        let text = std::fs::read_to_string(root("tests/golden/threat").join(name)).unwrap();
        assert_valid(&serde_json::from_str(&text).unwrap(), name);
    }
}

#[test]
fn cli_json_matches_the_schema_and_a_broken_document_does_not() {
    let snap = fixture("snapshot-risky.json");
    let o = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args([
            "threats",
            "--snapshot",
            snap.to_str().unwrap(),
            "-f",
            "json",
            // Open threats exit 1 by default (--fail-on low); this test is about the layout.
            "--fail-on",
            "none",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid(&doc, "CLI output");
    // The schema has teeth: an unknown status is rejected.
    doc["threats"][0]["status"] = serde_json::Value::String("maybe".into());
    let schema: serde_json::Value =
        serde_json::from_str(shipshape::threat::render::json::JSON_SCHEMA).unwrap();
    assert!(!jsonschema::validator_for(&schema).unwrap().is_valid(&doc));
}
