//! `shipshape threats` end to end through the binary (model-file mode, which
//! needs no Docker daemon).

mod threat_support;

use std::process::{Command, Output};
use threat_support::{fixture, root};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .arg("threats")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_explains_sources_formats_statuses_and_exit_codes() {
    let o = run(&["--help"]);
    assert!(o.status.success());
    let h = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "--snapshot",
        "--model",
        "--no-host",
        "--library",
        "--replace-library",
        "--format",
        "--output",
        "--fail-on",
        "markdown",
        "json",
        "dot",
        "mermaid",
        "open-confirmed",
        "open-unverified",
        "mitigated",
        "accepted",
        "threat@component[@flow]",
        "likelihood × impact",
        "Exit codes",
    ] {
        assert!(h.contains(needle), "--help lacks {needle}");
    }
}

#[test]
fn model_only_run_prints_markdown_and_fail_on_gates() {
    let seed = root("examples/seed-model.yaml");
    let seed = seed.to_str().unwrap();
    // Open threats at or above the shared default --fail-on low exit 1.
    let o = run(&["--no-host", "--model", seed]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = run(&["--no-host", "--model", seed, "--fail-on", "none"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = String::from_utf8_lossy(&o.stdout);
    assert!(md.starts_with("# STRIDE threat model: Seed Docker and Kubernetes platform"));
    // Nothing is observed in a model-only run: every threat is on the
    // checklist appendix, none in the observed-threat entries.
    assert!(md.contains("## Appendix: checklist of threats nothing observed"));
    assert!(md.contains("- [ ] API server is reachable from the internet"));
    assert!(md.contains("No observed threat is open."));
    // Every applicable STRIDE cell of every seed component has a threat.
    assert!(md.contains("## STRIDE coverage"));
    assert!(
        !md.contains("| 0 (0)"),
        "an applicable STRIDE category has no threat"
    );
    // The seed model has an internet-exposed API server: a high open threat.
    // Nothing observed a takeover path, so nothing is critical.
    let o = run(&["--no-host", "--model", seed, "--fail-on", "critical"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&[
        "--no-host",
        "--model",
        seed,
        "--fail-on",
        "high",
        "-f",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["threats"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["severity"] == "high"
            && t["status"] == "open-unverified"
            && t["id"]
                .as_str()
                .unwrap()
                .starts_with("k8s.apiserver.internet-exposure")));
}

#[test]
fn waivers_in_the_model_file_clear_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.yaml");
    std::fs::write(
        &model,
        "components:\n  - {id: api, kind: kube-apiserver}\n  - {id: net, kind: external-actor}\nboundaries:\n  - {id: inet, kind: internet}\nflows:\n  - {from: net, to: api, encrypted: true, authenticated: true}\nwaivers:\n  - threat: '*'\n    reason: lab cluster, torn down nightly\n",
    )
    .unwrap();
    let m = model.to_str().unwrap();
    let out = dir.path().join("t.json");
    let o = run(&[
        "--no-host",
        "-m",
        m,
        "--fail-on",
        "low",
        "-f",
        "json",
        "-o",
        out.to_str().unwrap(),
        "--today",
        "2026-11-24",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let threats = v["threats"].as_array().unwrap();
    assert!(!threats.is_empty());
    assert!(threats.iter().all(|t| t["status"] == "accepted"));
    assert_eq!(
        threats[0]["waiver"]["reason"],
        "lab cluster, torn down nightly"
    );
}

#[test]
fn mistakes_exit_2_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("bad.yaml");
    std::fs::write(
        &model,
        "components:\n  - {id: a, kind: app-service}\nflows:\n  - {from: a, to: b}\n",
    )
    .unwrap();
    let o = run(&["--no-host", "-m", model.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("bad.yaml:4:19: flow refers to component 'b', which is not declared"),
        "{e}"
    );

    let lib = dir.path().join("lib.yaml");
    std::fs::write(&lib, "library: x\nversion: '1'\nthreats: []\nbogus: true\n").unwrap();
    let seed = root("examples/seed-model.yaml");
    let o = run(&[
        "--no-host",
        "-m",
        seed.to_str().unwrap(),
        "--library",
        lib.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("lib.yaml:4:1: unknown field `bogus`"),
        "{}",
        stderr(&o)
    );

    // --no-host needs a model file; --replace-library needs a library.
    assert_eq!(run(&["--no-host"]).status.code(), Some(2));
    assert_eq!(
        run(&[
            "--no-host",
            "-m",
            seed.to_str().unwrap(),
            "--replace-library"
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        run(&[
            "--no-host",
            "-m",
            seed.to_str().unwrap(),
            "--today",
            "tomorrow"
        ])
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn replace_library_uses_only_the_given_threats() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.yaml");
    std::fs::write(
        &lib,
        "library: mine\nversion: '0.1'\nthreats:\n  - id: mine.etcd-backup\n    title: etcd backups stored unencrypted\n    surface: etcd\n    stride: [I]\n    applies_to: {kinds: [etcd]}\n    likelihood: likely\n    impact: high\n    risk: r\n    reason: r\n    prevention: [Encrypt backups]\n",
    )
    .unwrap();
    let seed = root("examples/seed-model.yaml");
    let o = run(&[
        "--no-host",
        "-m",
        seed.to_str().unwrap(),
        "--library",
        lib.to_str().unwrap(),
        "--replace-library",
        "-f",
        "json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = v["threats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["mine.etcd-backup@etcd"]);
}

#[test]
fn snapshot_mode_builds_the_model_from_the_fixture() {
    let snap = fixture("snapshot-risky.json");
    let o = run(&["--snapshot", snap.to_str().unwrap(), "-f", "dot"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "open threats fail by default: {}",
        stderr(&o)
    );
    let dot = String::from_utf8_lossy(&o.stdout);
    // web keeps its isolation boundary; the privileged ci-runner is drawn in
    // the host with red boundary-break edges (privileged, docker.sock).
    assert!(dot.contains("container web [container]"));
    assert!(!dot.contains("container ci-runner [container]"));
    assert!(dot.contains("boundary break: privileged"));
    assert!(
        dot.contains("boundary break: Docker socket\\nEngine API via mounted /var/run/docker.sock")
    );
}

#[test]
fn list_library_prints_every_threat() {
    let o = run(&["--list-library"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    let lib = shipshape::threat::Library::builtin();
    assert!(text.starts_with("# shipshape-builtin "));
    for t in &lib.threats {
        assert!(
            text.lines().any(|l| l.starts_with(&t.id)),
            "{} not listed",
            t.id
        );
    }
    assert!(text.contains("flow container -> docker-daemon"));
}

#[test]
fn two_runs_give_identical_json_for_diffing() {
    let snap = fixture("snapshot-risky.json");
    let a = run(&["--snapshot", snap.to_str().unwrap(), "-f", "json"]);
    let b = run(&["--snapshot", snap.to_str().unwrap(), "-f", "json"]);
    assert_eq!(
        a.status.code(),
        Some(1),
        "open threats fail by default: {}",
        stderr(&a)
    );
    assert!(!a.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn diff_compares_two_outputs_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let snap = fixture("snapshot-risky.json");
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    let o = run(&[
        "--snapshot",
        snap.to_str().unwrap(),
        "-f",
        "json",
        "-o",
        old.to_str().unwrap(),
    ]);
    assert!(o.status.code().is_some(), "{}", stderr(&o));
    // The same host with ci-runner excluded: its instances disappear.
    let o = run(&[
        "--snapshot",
        snap.to_str().unwrap(),
        "-x",
        "ci-runner",
        "-f",
        "json",
        "-o",
        new.to_str().unwrap(),
    ]);
    assert!(o.status.code().is_some(), "{}", stderr(&o));
    let o = run(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.lines().next().unwrap().contains("0 added"), "{text}");
    assert!(
        text.contains("- docker.socket.container-escape@container:ci-runner@"),
        "{text}"
    );
    let same = run(&["diff", old.to_str().unwrap(), old.to_str().unwrap()]);
    let t = String::from_utf8_lossy(&same.stdout);
    assert!(t.starts_with("0 added, 0 removed, 0 changed,"), "{t}");
    // A file that is not JSON: exit 2 with its position.
    std::fs::write(dir.path().join("bad.json"), "{\n  oops").unwrap();
    let bad = run(&[
        "diff",
        dir.path().join("bad.json").to_str().unwrap(),
        old.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("bad.json:2:"), "{}", stderr(&bad));
}
