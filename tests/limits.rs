//! Validated inputs and real limits: `--root` that is not a host root, a
//! `DOCKER_HOST` path that is not a socket, and a fake Engine API that
//! trickles its answer one byte at a time, which must not hold
//! `audit --timeout 2` for more than a few seconds.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::*;

/// A server that reads each request and answers with a header line every
/// `gap`, forever (a body that never completes).
fn trickling_engine(dir: &Path, gap: Duration) -> PathBuf {
    let sock = dir.join("trickle.sock");
    let listener = UnixListener::bind(&sock).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                if writer.write_all(b"HTTP/1.1 200 OK\r\n").is_err() {
                    return;
                }
                for i in 0..600 {
                    std::thread::sleep(gap);
                    if writer
                        .write_all(format!("X-Slow-{i}: a\r\n").as_bytes())
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    sock
}

#[test]
fn a_trickling_daemon_cannot_hold_the_audit_past_its_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let sock = trickling_engine(dir.path(), Duration::from_millis(300));
    let host = format!("unix://{}", sock.display());
    let t = Instant::now();
    let out = shipshape_in(
        dir.path(),
        &[("DOCKER_HOST", &host)],
        &["audit", "--timeout", "2", "-f", "json"],
    );
    let took = t.elapsed();
    assert!(took < Duration::from_secs(8), "audit took {took:?}");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did not answer"), "{err}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(finding(&report, "5.5")["outcome"], "ERROR");
}

#[test]
fn the_deadline_bounds_the_whole_audit_below_a_long_timeout() {
    // A generous per-request bound; the --deadline ends the audit first.
    let dir = tempfile::tempdir().unwrap();
    let sock = trickling_engine(dir.path(), Duration::from_millis(20));
    let host = format!("unix://{}", sock.display());
    let t = Instant::now();
    let out = shipshape_in(
        dir.path(),
        &[("DOCKER_HOST", &host)],
        &[
            "audit",
            "--timeout",
            "30",
            "--deadline",
            "1.5",
            "-f",
            "json",
        ],
    );
    let took = t.elapsed();
    assert!(took < Duration::from_secs(6), "audit took {took:?}");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("deadline"), "{err}");
}

#[test]
fn root_must_be_an_existing_directory_with_etc() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    std::fs::write(&file, "x").unwrap();
    let cases = [
        ("/nonexistent-shipshape".to_string(), "No such file"),
        (file.display().to_string(), "not a directory"),
        (dir.path().display().to_string(), "no etc/"),
    ];
    for cmd in ["audit", "collect", "threats"] {
        for (root, why) in &cases {
            let out = shipshape(&[cmd, "--root", root]);
            assert_eq!(out.status.code(), Some(2), "{cmd} --root {root}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(why) && err.contains("--root"), "{cmd}: {err}");
            assert!(
                out.stdout.is_empty(),
                "{cmd} --root {root} printed a report"
            );
        }
    }
    // A directory with etc/ is accepted (the engine part is another matter).
    std::fs::create_dir(dir.path().join("etc")).unwrap();
    let missing = format!("unix://{}/none.sock", dir.path().display());
    let out = shipshape_in(
        dir.path(),
        &[("DOCKER_HOST", &missing)],
        &[
            "audit",
            "--root",
            &dir.path().display().to_string(),
            "-c",
            "1.1.1",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("--root"), "{err}");
}

#[test]
fn a_docker_host_that_is_not_a_socket_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain");
    std::fs::write(&file, "x").unwrap();
    for (path, kind) in [
        (file.display().to_string(), "a regular file"),
        (dir.path().display().to_string(), "a directory"),
    ] {
        let host = format!("unix://{path}");
        let out = shipshape_in(
            dir.path(),
            &[("DOCKER_HOST", &host)],
            &["audit", "-c", "5.5"],
        );
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(kind) && err.contains("not a socket"), "{err}");
        assert!(!err.contains("stale socket"), "{err}");
    }
}

/// Every program shipshape runs is named by an absolute path: a tool that
/// runs as root must not pick up whatever comes first on `$PATH`.
#[test]
fn every_program_is_run_by_absolute_path() {
    for p in shipshape::collect::audit::AUDITCTL_PATHS {
        assert!(p.starts_with('/'), "{p}");
    }
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut spawns = 0;
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for (i, l) in text.lines().enumerate() {
                if let Some(at) = l.find("Command::new(") {
                    spawns += 1;
                    let arg = l[at + "Command::new(".len()..].trim_start();
                    assert!(
                        !arg.starts_with('"') || arg.starts_with("\"/"),
                        "{}:{}: a program named without an absolute path: {l}",
                        p.display(),
                        i + 1
                    );
                }
            }
        }
    }
    assert!(
        spawns >= 1,
        "found no process spawn at all; the check is stale"
    );
}

/// `threats -x PATTERN` removes the containers from the model, not only
/// their evidence.
#[test]
fn threats_exclusion_removes_containers_from_the_model() {
    let snap =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/threat/snapshot-risky.json");
    let snap = snap.to_str().unwrap();
    let model = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["threats", "--snapshot", snap, "-f", "json"];
        args.extend(extra);
        let out = shipshape(&args);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let has = |v: &serde_json::Value, needle: &str| v.to_string().contains(needle);
    let all = model(&[]);
    assert!(has(&all, "container:ci-runner"));
    let without = model(&["-x", "ci-*"]);
    assert!(
        !has(&without, "ci-runner"),
        "excluded container still in the model"
    );
    assert!(has(&without, "container:web"), "other containers stay");
}
