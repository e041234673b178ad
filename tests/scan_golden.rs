//! Golden tests of every `shipshape scan` output format, run through the
//! binary on `tests/fixtures/scan/golden` (which also exercises config
//! discovery, excludes, .gitignore, hidden files and all three suppression
//! kinds). The expected outputs are insta snapshots in
//! `tests/snapshots/`: review a change with `cargo insta review` (or
//! `INSTA_UPDATE=always`); with `CI=true` a difference only fails.

use std::path::Path;
use std::process::Command;

const INPUT: &str = "tests/fixtures/scan/golden";

fn run(format: &str) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", INPUT, "--color", "never", "--format", format])
        .env_remove("NO_COLOR")
        .output()
        .expect("run shipshape");
    (
        String::from_utf8(out.stdout).expect("utf-8 output"),
        out.status.code().unwrap_or(-1),
    )
}

/// Run `format` and compare it with the snapshot `name`.
fn check(format: &str, name: &str) -> String {
    let (got, code) = run(format);
    assert_eq!(
        code, 1,
        "findings at or above the default --fail-on low exit 1"
    );
    insta::assert_snapshot!(name, got);
    got
}

#[test]
fn text_output_matches_golden() {
    let out = check("text", "report.txt");
    assert!(out.contains("--> tests/fixtures/scan/golden/k8s/web.yaml:31:15"));
    assert!(!out.contains("vendor/"), "excluded by shipshape.toml");
    let ignored = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(INPUT)
        .join("ignored-by-git.yaml");
    assert!(
        ignored.is_file(),
        "the .gitignore'd fixture must exist (git add -f)"
    );
    assert!(!out.contains("ignored-by-git"), "ignored by .gitignore");
    assert!(out.contains(".hidden/pod.yaml"), "hidden files are scanned");
}

#[test]
fn json_output_matches_golden_and_lists_suppressions_with_reasons() {
    let out = check("json", "report.json");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["suppressed"], 3);
    let reasons: Vec<&str> = v["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["suppression"]["reason"].as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"limits come from the namespace LimitRange"));
    // Config severity override applied, disabled rules absent.
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["rule_id"] != "K8S-019" && f["rule_id"] != "DF-011"));
}

#[test]
fn sarif_output_matches_golden() {
    check("sarif", "report.sarif");
}

#[test]
fn junit_output_matches_golden() {
    let out = check("junit", "report.junit.xml");
    assert!(out.starts_with("<?xml"));
    assert_eq!(
        out.matches("<testsuite ").count(),
        out.matches("</testsuite>").count()
    );
}
