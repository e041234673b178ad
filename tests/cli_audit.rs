//! CLI behaviour that needs no containers: the catalogue, selectors, help.

mod support;

use support::*;

#[test]
fn rules_lists_the_whole_catalogue_and_documents_one_check() {
    let out = shipshape(&["rules"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let host = text
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .count();
    assert_eq!(host, support::cis_check_count());
    let scan = text
        .lines()
        .filter(|l| l.starts_with("K8S-") || l.starts_with("DF-") || l.starts_with("COMPOSE-"))
        .count();
    assert!(scan >= 80, "{scan} scan rules listed");
    let k8s = shipshape(&["rules", "k8s"]);
    assert!(String::from_utf8_lossy(&k8s.stdout)
        .lines()
        .all(|l| l.starts_with("K8S-")));
    let one = shipshape(&["rules", "5.32"]);
    let doc = String::from_utf8_lossy(&one.stdout);
    assert!(
        doc.contains("5.32")
            && doc.contains("Remediation:")
            && doc.contains("Elevation of privilege"),
        "{doc}"
    );
    let bad = shipshape(&["rules", "9.9"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn unknown_check_selectors_are_errors_not_empty_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = shipshape_in(dir.path(), &[], &["audit", "-c", "5.99"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no check matches '5.99'"));
}

#[test]
fn sections_select_and_skip() {
    let dir = tempfile::tempdir().unwrap();
    let host = format!("unix://{}/none.sock", dir.path().display());
    let out = shipshape_in(
        dir.path(),
        &[("DOCKER_HOST", &host)],
        &["audit", "-f", "json", "-c", "3", "-e", "3.7,3.8"],
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 22);
    assert!(ids.iter().all(|i| i.starts_with("3.")) && !ids.contains(&"3.7"));
}

#[test]
fn a_corrupt_snapshot_is_reported_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.json");
    std::fs::write(&p, "{\n  \"schema\": 1,\n  oops\n}").unwrap();
    let out = shipshape_in(
        dir.path(),
        &[],
        &["audit", "--snapshot", p.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.json:3:3"), "{err}");
}

#[test]
fn terminal_output_has_no_colour_when_piped_and_ends_with_the_score() {
    let dir = tempfile::tempdir().unwrap();
    let host = format!("unix://{}/none.sock", dir.path().display());
    let out = shipshape_in(dir.path(), &[("DOCKER_HOST", &host)], &["audit", "-c", "3"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\x1b'));
    assert!(text.contains("3 Docker daemon configuration files"));
    assert!(text
        .trim_end()
        .lines()
        .last()
        .unwrap()
        .starts_with("Score:"));
}

#[test]
fn fail_on_sets_the_severity_threshold_for_exit_code_1() {
    // On a fake root with a world-writable daemon.json, 3.18 (high) FAILs.
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("etc/docker")).unwrap();
    let f = root.path().join("etc/docker/daemon.json");
    std::fs::write(&f, "{}").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o666)).unwrap();
    let r = root.path().to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = |sev: &str| {
        shipshape_in(
            dir.path(),
            &[],
            &["audit", "--root", r, "-c", "3.18", "--fail-on", sev],
        )
        .status
        .code()
    };
    assert_eq!(run("high"), Some(1));
    assert_eq!(run("critical"), Some(0));
}
