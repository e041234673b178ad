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
    assert_eq!(
        doc["findings"].as_array().unwrap().len(),
        support::cis_check_count()
    );
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

#[test]
fn audit_sarif_is_valid_sarif_2_1_0_with_a_result_per_offender() {
    let mut lab = Lab::new("sarif");
    let img = lab.image("plain", "/app", &[]);
    let c = lab.run("priv", &["--pid", "host"], &img);
    let out = shipshape(&["audit", "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let run = &doc["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        support::cis_check_count()
    );
    let hit = run["results"].as_array().unwrap().iter().find(|r| {
        r["ruleId"] == "5.16" && r["locations"][0]["logicalLocations"][0]["name"] == c.as_str()
    });
    let hit = hit.expect("a 5.16 result for the container");
    assert_eq!(hit["kind"], "fail");
    assert_eq!(hit["level"], "error");
    // File findings point at the file on the audited host.
    assert!(run["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(
            |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|u| u.starts_with("file:///"))
        ));
}

#[test]
fn audit_junit_is_well_formed_with_one_case_per_check() {
    let dir = tempfile::tempdir().unwrap();
    let host = format!("unix://{}/none.sock", dir.path().display());
    let out = shipshape_in(
        dir.path(),
        &[("DOCKER_HOST", &host)],
        &["audit", "--format", "junit"],
    );
    let xml = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed JUnit XML");
    let root = doc.root_element();
    let count = |tag: &str| root.descendants().filter(|n| n.has_tag_name(tag)).count();
    let attr = |name: &str| root.attribute(name).unwrap().parse::<usize>().unwrap();
    assert_eq!(count("testcase"), support::cis_check_count());
    assert_eq!(
        count("failure"),
        attr("failures"),
        "failure elements match the failures attribute"
    );
    assert_eq!(
        count("error"),
        attr("errors"),
        "error elements match the errors attribute"
    );
    assert_eq!(
        count("skipped"),
        attr("skipped"),
        "skipped elements match the skipped attribute"
    );
    // No daemon: the engine checks are errors, not passes.
    assert!(attr("errors") > 30, "{xml}");
}
