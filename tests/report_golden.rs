//! Hermetic goldens of every `shipshape audit` output format, from the
//! fixture snapshot `tests/fixtures/threat/snapshot-risky.json` (no daemon,
//! no host), plus the shared SARIF and JUnit writers as `threats` uses them.
//! The tool version and timestamps are redacted so a release or a new
//! fixture date does not churn the files. Review changes with
//! `cargo insta review` (or `INSTA_UPDATE=always` and `git diff`).
//!
//! Beside each golden, the output is checked structurally: SARIF against the
//! official 2.1.0 schema, JUnit with an XML parser.

mod support;

use std::process::Command;

const SNAPSHOT: &str = "tests/fixtures/threat/snapshot-risky.json";

fn shipshape(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run shipshape");
    (
        String::from_utf8(out.stdout).expect("utf-8 output"),
        out.status.code().unwrap_or(-1),
    )
}

fn audit(format: &str) -> String {
    let (out, code) = shipshape(&["audit", "--snapshot", SNAPSHOT, "-f", format]);
    assert_eq!(code, 1, "the risky fixture has FAILs at or above low");
    out
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    let version = regex_escape(env!("CARGO_PKG_VERSION"));
    s.add_filter(&format!(r"shipshape {version}\b"), "shipshape [VERSION]");
    s.add_filter(
        &format!(r#""version": "{version}""#),
        r#""version": "[VERSION]""#,
    );
    s.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[TIMESTAMP]");
    s.add_filter(r#""(start|end)": \d+"#, r#""$1": "[EPOCH]""#);
    s
}

fn regex_escape(s: &str) -> String {
    s.replace('.', r"\.")
}

fn assert_valid_sarif(doc: &str) {
    let doc: serde_json::Value = serde_json::from_str(doc).expect("SARIF is JSON");
    let validator = jsonschema::validator_for(&support::sarif_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// (testcases, failures) after checking the counts agree with the elements.
fn parse_junit(xml: &str) -> (usize, usize) {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let root = doc.root_element();
    let count = |tag: &str| root.descendants().filter(|n| n.has_tag_name(tag)).count();
    let attr = |name: &str| root.attribute(name).unwrap().parse::<usize>().unwrap();
    assert_eq!(count("testcase"), attr("tests"));
    assert_eq!(count("failure"), attr("failures"));
    assert_eq!(count("error"), attr("errors"));
    assert_eq!(count("skipped"), attr("skipped"));
    (count("testcase"), count("failure"))
}

#[test]
fn audit_text() {
    let out = audit("text");
    assert!(!out.contains('\x1b'), "no colour off a terminal");
    assert!(out.contains("[FAIL]"));
    settings().bind(|| insta::assert_snapshot!("audit_text", out));
}

#[test]
fn audit_text_in_colour() {
    let (out, _) = shipshape(&["audit", "--snapshot", SNAPSHOT, "--color", "always"]);
    assert!(out.contains("\x1b[1m\x1b[31m[FAIL]"), "{out}");
    let (plain, _) = shipshape(&["audit", "--snapshot", SNAPSHOT, "--no-color"]);
    assert!(
        !plain.contains('\x1b'),
        "the hidden --no-color alias still works"
    );
    let (plain, _) = shipshape(&["audit", "--snapshot", SNAPSHOT, "--color", "never"]);
    assert!(!plain.contains('\x1b'));
}

#[test]
fn audit_json() {
    let out = audit("json");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema_version"], "1");
    settings().bind(|| insta::assert_snapshot!("audit_json", out));
}

#[test]
fn audit_sarif() {
    let out = audit("sarif");
    assert_valid_sarif(&out);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in run["results"].as_array().unwrap() {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
    settings().bind(|| insta::assert_snapshot!("audit_sarif", out));
}

#[test]
fn audit_junit() {
    let out = audit("junit");
    let (cases, failures) = parse_junit(&out);
    assert_eq!(cases, 117, "one case per check");
    assert!(failures > 0);
    settings().bind(|| insta::assert_snapshot!("audit_junit", out));
}

#[test]
fn audit_docker_bench_json() {
    let out = audit("docker-bench-json");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["checks"], 117);
    settings().bind(|| insta::assert_snapshot!("audit_docker_bench_json", out));
}

#[test]
fn threats_sarif_and_junit_come_from_the_shared_writers() {
    let args = ["threats", "--snapshot", SNAPSHOT, "--fail-on", "none", "-f"];
    let (sarif, code) = shipshape(&[&args[..], &["sarif"]].concat());
    assert_eq!(code, 0, "--fail-on none never exits 1");
    assert_valid_sarif(&sarif);
    let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.iter().any(|r| r["kind"] == "fail"),
        "confirmed threats fail"
    );
    assert!(
        results.iter().any(|r| r["kind"] == "review"),
        "unverified ones need review"
    );
    let (junit, _) = shipshape(&[&args[..], &["junit"]].concat());
    let (cases, _) = parse_junit(&junit);
    let (json, _) = shipshape(&[&args[..], &["json"]].concat());
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        cases,
        json["threats"].as_array().unwrap().len(),
        "one case per instance"
    );
    settings().bind(|| {
        insta::assert_snapshot!("threats_sarif", sarif);
        insta::assert_snapshot!("threats_junit", junit);
    });
}
