//! The CLI surface every subcommand shares (`-f`, `-o`, `--color`,
//! `--quiet`, `--fail-on`), and the generated completions and man page.

use std::process::{Command, Output};

const SUBCOMMANDS: [&str; 7] = [
    "audit",
    "collect",
    "rules",
    "scan",
    "threats",
    "completions",
    "man",
];
const SNAPSHOT: &str = "tests/fixtures/threat/snapshot-risky.json";

fn shipshape(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("run shipshape")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn completions_are_generated_for_every_shell_and_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = shipshape(&["completions", shell]);
        assert!(
            o.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let script = stdout(&o);
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
        assert!(
            script.contains("fail-on"),
            "{shell} completes the shared flags"
        );
    }
    let o = shipshape(&["completions", "tcsh"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn the_man_page_is_roff_and_names_every_subcommand() {
    let o = shipshape(&["man"]);
    assert!(o.status.success());
    let page = stdout(&o);
    assert!(
        page.contains(".TH shipshape 1"),
        "{}",
        &page[..200.min(page.len())]
    );
    for sub in SUBCOMMANDS {
        assert!(page.contains(sub), "man page lacks {sub}");
    }
    let o = shipshape(&["man", "scan"]);
    assert!(stdout(&o).contains(".TH shipshape-scan 1"));
    assert!(
        stdout(&o).contains("fail\\-on"),
        "the page documents the flags"
    );
    let o = shipshape(&["man", "nope"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn man_writes_to_a_file_with_o() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shipshape.1");
    let o = shipshape(&["man", "-o", file.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(o.stdout.is_empty());
    assert!(std::fs::read_to_string(&file).unwrap().starts_with(".ie"));
}

#[test]
fn every_report_command_shares_the_output_flags_with_the_same_defaults() {
    for sub in ["audit", "scan", "threats", "rules", "collect"] {
        let help = stdout(&shipshape(&[sub, "--help"]));
        for flag in ["--output <FILE>", "--color <WHEN>", "--quiet"] {
            assert!(help.contains(flag), "{sub} --help lacks {flag}");
        }
        assert!(help.contains("[default: auto]"), "{sub}: --color default");
        assert!(
            !help.contains("--no-color"),
            "{sub}: --no-color stays hidden"
        );
    }
    for sub in ["audit", "scan", "threats"] {
        let help = stdout(&shipshape(&[sub, "--help"]));
        assert!(help.contains("--format <FORMAT>"), "{sub}");
        assert!(help.contains("--fail-on <SEVERITY>"), "{sub}");
        assert!(
            help.contains("[default: low]"),
            "{sub}: one --fail-on default"
        );
    }
}

#[test]
fn fail_on_gates_audit_the_same_way_as_scan_and_threats() {
    let base = ["audit", "--snapshot", SNAPSHOT, "-q"];
    let code = |extra: &[&str]| shipshape(&[&base[..], extra].concat()).status.code();
    assert_eq!(code(&[]), Some(1), "the fixture FAILs at or above low");
    assert_eq!(code(&["--fail-on", "none"]), Some(0));
    assert_eq!(
        code(&["-c", "1.2.2", "--fail-on", "info"]),
        Some(0),
        "a WARN never fails"
    );
}

#[test]
fn quiet_prints_nothing_but_keeps_the_exit_code_and_the_file() {
    let o = shipshape(&["audit", "--snapshot", SNAPSHOT, "--quiet"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.json");
    let o = shipshape(&[
        "audit",
        "--snapshot",
        SNAPSHOT,
        "-q",
        "-f",
        "json",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("\"findings\""));
}

#[test]
fn colour_is_never_written_to_a_file_or_under_no_color_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.txt");
    shipshape(&[
        "audit",
        "--snapshot",
        SNAPSHOT,
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(!std::fs::read_to_string(&file).unwrap().contains('\x1b'));
    let o = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["audit", "--snapshot", SNAPSHOT])
        .env("NO_COLOR", "1")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(
        !stdout(&o).contains('\x1b'),
        "NO_COLOR wins over CLICOLOR_FORCE"
    );
    let o = shipshape(&["threats", "--snapshot", SNAPSHOT, "--color", "always", "-q"]);
    assert!(o.stdout.is_empty(), "--color is accepted by threats too");
}
