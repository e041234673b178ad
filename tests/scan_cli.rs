//! `shipshape scan` command line: flags, exit codes, output files, config.

use std::path::Path;
use std::process::{Command, Output};

fn shipshape(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .output()
        .unwrap()
}

/// A directory with one high (K8S-007) and one low (K8S-026) finding source.
fn sample() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n  containers: [{name: a, image: a:1}]\n",
    )
    .unwrap();
    d
}

#[test]
fn help_documents_every_flag() {
    let out = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(["scan", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--format",
        "--output",
        "--fail-on",
        "--config",
        "--no-config",
        "--rule",
        "--disable",
        "--max-file-size",
        "--no-follow-symlinks",
        "--jobs",
        "--color",
        "--strict",
        "text",
        "json",
        "sarif",
        "junit",
        "shipshape:ignore",
        "shipshape.io/ignore",
        "Exit codes",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
}

#[test]
fn fail_on_sets_the_exit_code() {
    let d = sample();
    let code = |a: &[&str]| shipshape(d.path(), a).status.code();
    let base = ["--rule", "K8S-007", "--rule", "K8S-026", "."];
    assert_eq!(code(&base), Some(1), "default threshold is low");
    assert_eq!(code(&[&base[..], &["--fail-on", "high"]].concat()), Some(1));
    assert_eq!(
        code(&[&base[..], &["--fail-on", "critical"]].concat()),
        Some(0)
    );
    assert_eq!(code(&[&base[..], &["--fail-on", "none"]].concat()), Some(0));
    assert_eq!(
        code(&["--rule", "K8S-026", "--fail-on", "medium", "."]),
        Some(0)
    );
}

#[test]
fn output_file_receives_the_report() {
    let d = sample();
    let out = shipshape(
        d.path(),
        &["--format", "json", "--output", "report.json", "."],
    );
    assert!(out.stdout.is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("report.json")).unwrap())
            .unwrap();
    assert!(v["summary"]["findings"].as_u64().unwrap() > 0);
    assert_eq!(v["schema_version"], "1");
}

#[test]
fn tool_failures_exit_2() {
    let d = sample();
    assert_eq!(
        shipshape(d.path(), &["no/such/path"]).status.code(),
        Some(2)
    );
    assert_eq!(
        shipshape(d.path(), &["--rule", "K8S-999", "."])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        shipshape(d.path(), &["--disable", "nope", "."])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        shipshape(d.path(), &["--format", "yaml", "."])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        shipshape(
            d.path(),
            &["--output", "/nonexistent-dir/x/report.txt", "."]
        )
        .status
        .code(),
        Some(2)
    );
    std::fs::write(
        d.path().join("bad.toml"),
        "[scan]\ndisabel = [\"K8S-001\"]\n",
    )
    .unwrap();
    let out = shipshape(d.path(), &["--config", "bad.toml", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("disabel"));
    std::fs::write(
        d.path().join("bad2.toml"),
        "[scan]\ndisable = [\"K8S-999\"]\n",
    )
    .unwrap();
    let out = shipshape(d.path(), &["--config", "bad2.toml", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("K8S-999"));
}

#[test]
fn config_is_discovered_in_the_scanned_directory() {
    let d = sample();
    std::fs::write(
        d.path().join("shipshape.toml"),
        "[audit]\nwhatever = 1\n\n[scan]\ndisable = [\"K8S-007\"]\n[scan.severity]\nK8S-026 = \"critical\"\n",
    )
    .unwrap();
    let out = shipshape(d.path(), &["--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert!(
        f.iter().all(|x| x["rule_id"] != "K8S-007"),
        "disabled by config"
    );
    let ns = f
        .iter()
        .find(|x| x["rule_id"] == "K8S-026")
        .expect("K8S-026 fires");
    assert_eq!(ns["severity"], "critical", "severity overridden by config");
    // --no-config ignores it.
    let out = shipshape(d.path(), &["--format", "json", "--no-config", "."]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["rule_id"] == "K8S-007"));
}

#[test]
fn explicit_files_with_unusual_names_are_sniffed() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("build.docker"),
        "FROM alpine:3.20\nRUN curl -s https://x | sh\n",
    )
    .unwrap();
    let out = shipshape(
        d.path(),
        &[
            "--format",
            "json",
            "--no-config",
            "--rule",
            "DF-007",
            "build.docker",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["rule_id"], "DF-007");
    assert_eq!(v["findings"][0]["line"], 2);
}

#[test]
fn no_path_scans_the_current_directory_and_colour_is_opt_in_off_a_terminal() {
    let d = sample();
    let plain = shipshape(d.path(), &["--rule", "K8S-007"]);
    let text = String::from_utf8_lossy(&plain.stdout);
    assert!(text.contains("pod.yaml:5:3"), "{text}");
    assert!(
        !text.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    let coloured = shipshape(d.path(), &["--rule", "K8S-007", "--color", "always"]);
    // anstyle writes bold and the colour as two sequences.
    assert!(String::from_utf8_lossy(&coloured.stdout).contains("\x1b[1m\x1b[31mhigh[K8S-007]"));
}
