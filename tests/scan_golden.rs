//! Golden tests of every `shipshape scan` output format, run through the
//! binary on `tests/fixtures/scan/golden` (which also exercises config
//! discovery, excludes, .gitignore, hidden files and all three suppression
//! kinds). The goldens are insta snapshots in `tests/snapshots/scan_*.snap`;
//! review a change with `cargo insta review` (or `INSTA_UPDATE=always` and
//! `git diff`). The tool version is redacted.

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

fn check(format: &str, name: &str) -> String {
    let (got, code) = run(format);
    assert_eq!(
        code, 1,
        "findings at or above the default --fail-on low exit 1"
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    let version = env!("CARGO_PKG_VERSION").replace('.', r"\.");
    settings.add_filter(
        &format!(r#""version": "{version}""#),
        r#""version": "[VERSION]""#,
    );
    settings.bind(|| insta::assert_snapshot!(name, got));
    got
}

#[test]
fn text_output_matches_golden() {
    let out = check("text", "scan_text");
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
    let out = check("json", "scan_json");
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
    check("sarif", "scan_sarif");
}

#[test]
fn junit_output_matches_golden() {
    let out = check("junit", "scan_junit");
    assert!(out.starts_with("<?xml"));
    assert_eq!(
        out.matches("<testsuite ").count(),
        out.matches("</testsuite>").count()
    );
}
