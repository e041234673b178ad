//! Fault injection: a fake Engine API on a temporary unix socket that hangs
//! or answers badly, a missing socket, unsupported DOCKER_HOST schemes and a
//! malformed daemon.json. The real daemon is used everywhere else; this file
//! only exists to produce failures the real one will not.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::*;

/// Serve `respond(path)` for each request on a new socket in `dir`. A
/// `None` response means: read the request and never answer.
fn fake_engine(dir: &Path, respond: fn(&str) -> Option<String>) -> PathBuf {
    let sock = dir.join("fake.sock");
    let listener = UnixListener::bind(&sock).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut writer = stream;
            std::thread::spawn(move || loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                match respond(&path) {
                    Some(r) => {
                        if writer.write_all(r.as_bytes()).is_err() {
                            return;
                        }
                        // Honour what we announced: hang up after this response.
                        if r.contains("Connection: close\r\n") {
                            return;
                        }
                    }
                    None => {
                        std::thread::sleep(Duration::from_secs(30));
                        return;
                    }
                }
            });
            held.push(());
        }
    });
    sock
}

fn ok(body: &str) -> String {
    format!("HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len())
}

fn run_against(sock: &Path, extra: &[&str]) -> (std::process::Output, Duration, serde_json::Value) {
    let cwd = tempfile::tempdir().unwrap();
    let host = format!("unix://{}", sock.display());
    let mut args = vec!["audit", "--format", "json", "--timeout", "0.5"];
    args.extend(extra);
    let t = Instant::now();
    let out = shipshape_in(cwd.path(), &[("DOCKER_HOST", &host)], &args);
    let took = t.elapsed();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out, took, report)
}

fn assert_engine_checks_error_and_host_checks_run(report: &serde_json::Value) {
    assert_eq!(finding(report, "5.5")["outcome"], "ERROR");
    assert_eq!(finding(report, "2.13")["outcome"], "ERROR");
    assert_eq!(finding(report, "4.6")["outcome"], "ERROR");
    // Host and daemon-config checks do not need the Engine API.
    for id in ["3.5", "3.6", "2.2"] {
        assert_ne!(
            finding(report, id)["outcome"],
            "ERROR",
            "{id} must still run: {:#}",
            finding(report, id)
        );
    }
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        support::cis_check_count()
    );
}

#[test]
fn a_hung_daemon_times_out_quickly_with_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let sock = fake_engine(dir.path(), |_| None);
    let (out, took, report) = run_against(&sock, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("did not answer") && err.contains(&sock.display().to_string()),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert_engine_checks_error_and_host_checks_run(&report);
}

#[test]
fn malformed_json_from_the_daemon_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let sock = fake_engine(dir.path(), |path| {
        Some(if path == "/_ping" {
            ok("OK")
        } else {
            ok("{\"Version\": ")
        })
    });
    let (out, _, report) = run_against(&sock, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("malformed JSON"), "{err}");
    assert_engine_checks_error_and_host_checks_run(&report);
}

#[test]
fn broken_chunked_encoding_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let sock = fake_engine(dir.path(), |path| {
        Some(if path == "/_ping" {
            ok("OK")
        } else {
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_string()
        })
    });
    let (out, _, _) = run_against(&sock, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("chunk"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_old_api_version_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let sock = fake_engine(dir.path(), |_| {
        Some("HTTP/1.1 200 OK\r\nApi-Version: 1.12\r\nContent-Length: 2\r\n\r\nOK".to_string())
    });
    let (out, _, _) = run_against(&sock, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("older than the oldest supported"));
}

#[test]
fn a_missing_socket_names_the_socket_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("absent.sock");
    let (out, took, report) = run_against(&sock, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(took < Duration::from_secs(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("absent.sock") && err.contains("Is dockerd running?"),
        "{err}"
    );
    assert_engine_checks_error_and_host_checks_run(&report);
}

#[test]
fn unsupported_docker_host_schemes_say_so() {
    let cwd = tempfile::tempdir().unwrap();
    let out = shipshape_in(
        cwd.path(),
        &[("DOCKER_HOST", "tcp://127.0.0.1:2376")],
        &["audit", "-c", "5.5"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not supported yet"), "{err}");
}

#[test]
fn malformed_daemon_json_errors_its_checks_with_position_and_the_rest_run() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("etc/docker")).unwrap();
    std::fs::write(
        root.path().join("etc/docker/daemon.json"),
        "{\n  \"icc\": false,\n  \"log-level\" \"info\"\n}\n",
    )
    .unwrap();
    std::fs::write(root.path().join("etc/group"), "root:x:0:\ndocker:x:999:\n").unwrap();
    let before = listing(root.path());
    let cwd = tempfile::tempdir().unwrap();
    let out = shipshape_in(
        cwd.path(),
        &[],
        &[
            "audit",
            "--root",
            root.path().to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let icc = finding(&report, "2.2");
    assert_eq!(icc["outcome"], "ERROR");
    assert!(
        icc["message"]
            .as_str()
            .unwrap()
            .contains("/etc/docker/daemon.json:3:15"),
        "{icc:#}"
    );
    // Other checks are evaluated: the file-permission checks read the fake root.
    assert_eq!(finding(&report, "3.17")["outcome"], "PASS");
    assert_eq!(finding(&report, "3.5")["outcome"], "PASS");
    assert_eq!(finding(&report, "1.1.2")["outcome"], "PASS");
    // Nothing was written: not to the audited root, not to the working directory.
    assert_eq!(listing(root.path()), before);
    assert!(listing(cwd.path()).is_empty());
}

fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let m = e.metadata().unwrap();
            out.push(format!(
                "{} {} {:?}",
                p.display(),
                m.len(),
                m.modified().ok()
            ));
            if m.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn permission_denied_on_the_socket_is_explained() {
    require_daemon();
    // Run as nobody, without the docker group: the real socket refuses us.
    // The checkout may sit in a directory nobody cannot enter (mktemp -d is
    // 0700), so run a copy from a world-readable place.
    use std::os::unix::fs::PermissionsExt;
    let cwd = tempfile::tempdir().unwrap();
    std::fs::set_permissions(cwd.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = cwd.path().join("shipshape");
    std::fs::copy(env!("CARGO_BIN_EXE_shipshape"), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .args(["audit", "--format", "json", "--timeout", "2"])
        .current_dir(cwd.path())
        .env_remove("DOCKER_HOST")
        .output()
        .expect("setpriv (util-linux) is needed for this test");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("permission denied") && err.contains("/var/run/docker.sock"),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_engine_checks_error_and_host_checks_run(&report);
}

#[test]
fn a_daemon_that_closes_every_connection_still_gets_a_full_audit() {
    let dir = tempfile::tempdir().unwrap();
    let sock = fake_engine(dir.path(), |path| {
        let body = match path {
            "/_ping" => "OK",
            p if p.ends_with("/version") => r#"{"Version":"27.3.1","ApiVersion":"1.45"}"#,
            p if p.ends_with("/info") => {
                r#"{"ID":"FAKE","ServerVersion":"27.3.1","Driver":"overlay2","LoggingDriver":"json-file","SecurityOptions":["name=seccomp,profile=builtin"],"Swarm":{"LocalNodeState":"inactive"}}"#
            }
            p if p.contains("/containers/json")
                || p.ends_with("/images/json")
                || p.ends_with("/networks") =>
            {
                "[]"
            }
            _ => {
                return Some(
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .into(),
                )
            }
        };
        Some(format!(
            "HTTP/1.1 200 OK\r\nApi-Version: 1.45\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ))
    });
    let (out, _, report) = run_against(&sock, &[]);
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report["host"]["docker_version"], "27.3.1");
    assert_eq!(
        finding(&report, "2.13")["outcome"],
        "FAIL",
        "json-file logging from the fake /info"
    );
}
