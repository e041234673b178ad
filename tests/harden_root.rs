//! `harden` on a host root mounted elsewhere (`--root`), as the container
//! image runs it: a hermetic temp root, no daemon (DOCKER_HOST points at a
//! socket that does not exist), so nothing outside the temp dir changes.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

fn shipshape(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(args)
        .env("DOCKER_HOST", "unix:///nonexistent/shipshape-test.sock")
        .output()
        .unwrap()
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn plan_apply_and_rollback_under_a_mounted_root() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("host");
    let state = t.path().join("state");
    fs::create_dir_all(root.join("etc/docker")).unwrap();
    fs::set_permissions(root.join("etc/docker"), fs::Permissions::from_mode(0o777)).unwrap();
    let env = root.join("etc/environment");
    fs::write(&env, "LANG=C.UTF-8\nPATH=\"/usr/bin:/bin\"\n").unwrap();
    let env_before = fs::read(&env).unwrap();
    let r = root.to_str().unwrap();
    let s = state.to_str().unwrap();
    let common = ["--root", r, "--state-dir", s, "--only", "2.14,3.6,4.5"];

    let o = shipshape(&[&["harden", "plan"][..], &common].concat());
    let plan = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success(), "{plan}");
    assert!(
        plan.contains("--- a/etc/environment\n+++ b/etc/environment\n@@ -1,2 +1,3 @@\n LANG=C.UTF-8\n PATH=\"/usr/bin:/bin\"\n+DOCKER_CONTENT_TRUST=1\n"),
        "{plan}"
    );
    assert!(plan.contains("+ \"no-new-privileges\": true"), "{plan}");
    assert!(plan.contains("chmod 0755 /etc/docker (was 0777)"), "{plan}");

    // Live class only: the restart-class key waits.
    let o = shipshape(&[&["harden", "apply", "--yes"][..], &common].concat());
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("4.5     FAIL  -> PASS"), "{out}");
    assert!(out.contains("3.6     FAIL  -> PASS"), "{out}");
    assert!(
        out.contains("2.14    FAIL  -> FAIL  (held: needs --restart)"),
        "{out}"
    );
    assert!(fs::read_to_string(&env)
        .unwrap()
        .ends_with("DOCKER_CONTENT_TRUST=1\n"));
    assert_eq!(mode(&root.join("etc/docker")), 0o755);
    assert!(!root.join("etc/docker/daemon.json").exists());

    let o = shipshape(&[&["harden", "apply", "--yes", "--restart"][..], &common].concat());
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success(), "{out}");
    let dj = fs::read_to_string(root.join("etc/docker/daemon.json")).unwrap();
    assert_eq!(dj, "{\n  \"no-new-privileges\": true\n}\n");
    assert_eq!(mode(&root.join("etc/docker/daemon.json")), 0o644);
    assert!(out.contains("restart dockerd"), "{out}");

    // Nothing left to do.
    let o = shipshape(&[&["harden", "apply", "--yes", "--restart"][..], &common].concat());
    assert!(String::from_utf8_lossy(&o.stdout).contains("Nothing to change"));

    // Roll both back, newest first.
    for _ in 0..2 {
        let o = shipshape(&["harden", "rollback", "--yes", "--root", r, "--state-dir", s]);
        assert!(
            o.status.success(),
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(!root.join("etc/docker/daemon.json").exists());
    assert_eq!(fs::read(&env).unwrap(), env_before);
    assert_eq!(mode(&root.join("etc/docker")), 0o777);
    let o = shipshape(&["harden", "history", "--state-dir", s, "-f", "json"]);
    let h: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let st: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["status"].as_str().unwrap())
        .collect();
    assert_eq!(st, vec!["rolled-back", "rolled-back"]);
}

#[test]
fn a_user_value_needs_force_and_a_bad_selector_is_an_error() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("host");
    fs::create_dir_all(root.join("etc/docker")).unwrap();
    fs::write(root.join("etc/environment"), "DOCKER_CONTENT_TRUST=0\n").unwrap();
    fs::write(
        root.join("etc/docker/daemon.json"),
        "{\"no-new-privileges\": false, \"bogus-key\": 1}\n",
    )
    .unwrap();
    let r = root.to_str().unwrap();
    let o = shipshape(&["harden", "plan", "--root", r, "--only", "4.5,2.14"]);
    let plan = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        plan.contains("you set DOCKER_CONTENT_TRUST=0 in /etc/environment:1"),
        "{plan}"
    );
    assert!(
        plan.contains("you set \"no-new-privileges\": false"),
        "{plan}"
    );
    let o = shipshape(&[
        "harden", "plan", "--root", r, "--only", "4.5,2.14", "--force",
    ]);
    let plan = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        plan.contains("-DOCKER_CONTENT_TRUST=0\n+DOCKER_CONTENT_TRUST=1"),
        "{plan}"
    );
    // The merged daemon.json is validated: an unknown key blocks the edit.
    assert!(
        plan.contains("refused: /etc/docker/daemon.json: unknown key \"bogus-key\""),
        "{plan}"
    );
    let o = shipshape(&["harden", "plan", "--root", r, "--only", "9.9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no check matches '9.9'"));
}
