//! Bad input never stops a scan: every problem file gets a clear error (with
//! line and column where there is one) and the other files are still scanned.

use shipshape::scan::{scan, ScanOptions};
use std::path::Path;
use std::process::Command;

const GOOD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: good, namespace: prod}\nspec:\n  hostPID: true\n  containers: [{name: a, image: a:1}]\n";

fn write(dir: &Path, name: &str, text: &[u8]) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn only_k8s_007(dir: &Path) -> shipshape::scan::ScanReport {
    scan(&ScanOptions {
        paths: vec![dir.to_path_buf()],
        only: vec!["K8S-007".into()],
        ..Default::default()
    })
    .unwrap()
}

fn error_for<'a>(r: &'a shipshape::scan::ScanReport, file: &str) -> &'a shipshape::scan::FileError {
    r.errors
        .iter()
        .find(|e| e.file.ends_with(file))
        .unwrap_or_else(|| panic!("no error for {file}: {:?}", r.errors))
}

fn assert_good_file_scanned(r: &shipshape::scan::ScanReport) {
    assert!(
        r.findings
            .iter()
            .any(|f| f.file.ends_with("good.yaml") && f.rule_id == "K8S-007"),
        "the good file must still be scanned: {:?}",
        r.findings
    );
}

#[test]
fn invalid_yaml_reports_line_and_column() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.yaml", GOOD.as_bytes());
    write(
        d.path(),
        "bad.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n",
    );
    let r = only_k8s_007(d.path());
    let e = error_for(&r, "bad.yaml");
    assert!(e.message.starts_with("invalid YAML"), "{e:?}");
    assert_eq!(e.line, Some(4));
    assert!(e.column.is_some());
    assert!(e.render().contains("bad.yaml:4:"), "{}", e.render());
    assert_good_file_scanned(&r);
}

#[test]
fn second_document_error_points_into_that_document() {
    let d = tempfile::tempdir().unwrap();
    let text = format!("{GOOD}---\napiVersion: v1\nkind: Pod\nspec: {{a: 1\n");
    write(d.path(), "multi.yaml", text.as_bytes());
    write(d.path(), "good.yaml", GOOD.as_bytes());
    let r = only_k8s_007(d.path());
    let e = error_for(&r, "multi.yaml");
    assert!(e.line.unwrap() >= 8, "{e:?}");
    assert_good_file_scanned(&r);
}

#[test]
fn binary_and_non_utf8_files_are_refused() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.yaml", GOOD.as_bytes());
    write(
        d.path(),
        "blob.yaml",
        &[0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 3],
    );
    write(
        d.path(),
        "latin1.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: caf\xe9}\n",
    );
    let r = only_k8s_007(d.path());
    assert!(error_for(&r, "blob.yaml").message.contains("binary"));
    let e = error_for(&r, "latin1.yaml");
    assert!(
        e.message.contains("not UTF-8") && e.message.contains("line 3"),
        "{e:?}"
    );
    assert_good_file_scanned(&r);
}

#[test]
fn oversized_file_is_skipped_without_reading_it() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.yaml", GOOD.as_bytes());
    // A sparse 100 MB file: cheap to create, far over the 64 MiB default.
    let f = std::fs::File::create(d.path().join("huge.yaml")).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let start = std::time::Instant::now();
    let r = only_k8s_007(d.path());
    assert!(start.elapsed().as_secs() < 5);
    let e = error_for(&r, "huge.yaml");
    assert!(
        e.message.contains("104857600 bytes") && e.message.contains("limit"),
        "{e:?}"
    );
    assert_good_file_scanned(&r);
}

#[cfg(unix)]
#[test]
fn unreadable_dangling_and_special_files_are_reported() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.yaml", GOOD.as_bytes());
    symlink(
        d.path().join("missing.yaml"),
        d.path().join("dangling.yaml"),
    )
    .unwrap();
    let fifo = d.path().join("pipe.yaml");
    let made_fifo = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    write(d.path(), "secret.yaml", GOOD.as_bytes());
    std::fs::set_permissions(
        d.path().join("secret.yaml"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let r = only_k8s_007(d.path());
    let e = error_for(&r, "dangling.yaml");
    assert!(!e.message.is_empty(), "{e:?}");
    if made_fifo {
        assert!(error_for(&r, "pipe.yaml")
            .message
            .contains("not a regular file"));
    }
    // root can read a 0000 file; everyone else must get a permission error.
    let can_read = std::fs::read(d.path().join("secret.yaml")).is_ok();
    if !can_read {
        assert!(error_for(&r, "secret.yaml").message.contains("ermission"));
    } else {
        assert!(r.findings.iter().any(|f| f.file.ends_with("secret.yaml")));
    }
    assert_good_file_scanned(&r);
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_and_do_not_hang() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.yaml", GOOD.as_bytes());
    std::fs::create_dir(d.path().join("sub")).unwrap();
    symlink("..", d.path().join("sub/up")).unwrap();
    symlink("self.yaml", d.path().join("self.yaml")).unwrap();
    let r = only_k8s_007(d.path());
    let dir_loop = r
        .errors
        .iter()
        .find(|e| e.file.ends_with("sub/up"))
        .unwrap_or_else(|| panic!("{:?}", r.errors));
    assert!(dir_loop.message.contains("loop"), "{dir_loop:?}");
    let file_loop = error_for(&r, "self.yaml");
    assert!(!file_loop.message.is_empty());
    assert_good_file_scanned(&r);
    // The good file is scanned exactly once despite the loop.
    assert_eq!(
        r.findings
            .iter()
            .filter(|f| f.file.ends_with("good.yaml"))
            .count(),
        1
    );
}

#[test]
fn cli_exit_code_is_1_for_bad_files_unless_errors_are_ignored() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "bad.yaml",
        b"apiVersion: v1\nkind: Pod\nspec: [\n",
    );
    write(
        d.path(),
        "ok.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: prod}\ndata: {}\n",
    );
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_shipshape"))
            .arg("scan")
            .arg(d.path())
            .args(["--no-config"])
            .args(extra)
            .output()
            .unwrap()
    };
    // A file that could not be parsed fails the run (exit 1, never 2),
    // with the reason; --ignore-errors restores exit 0.
    let out = run(&[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("bad.yaml:3:") && stdout.contains("invalid YAML"),
        "{stdout}"
    );
    assert_eq!(run(&["--strict"]).status.code(), Some(1));
    let ignored = run(&["--ignore-errors"]);
    assert_eq!(ignored.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ignored.stdout).contains("bad.yaml:3:"));
    let json = run(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["errors"][0]["line"], 3);
    assert!(String::from_utf8_lossy(&json.stderr).contains("bad.yaml:3:"));
}

/// Every prefix of every golden and fixture input (cut at each character)
/// scans without panicking: truncated files are a common kind of bad input.
#[test]
fn truncated_inputs_never_panic() {
    use shipshape::scan::walk::classify;
    use shipshape::scan::{scan_text, Settings};
    let settings = Settings::new(&ScanOptions::default()).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan");
    let mut stack = vec![root];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let Some(kind) = classify(&p) else { continue };
            if p.file_name()
                .is_some_and(|n| n == "sarif-schema-2.1.0.json")
            {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            files += 1;
            let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(3).collect();
            for cut in cuts {
                let r = scan_text("t", p.parent(), kind, &text[..cut], &settings);
                // Either parsed, or an error with a position inside the text.
                for e in &r.errors {
                    if let Some(l) = e.line {
                        assert!(
                            l as usize <= text[..cut].lines().count() + 1,
                            "{p:?} cut {cut}: {e:?}"
                        );
                    }
                }
            }
        }
    }
    assert!(files > 150, "only {files} inputs");
}
