//! The full live pipeline on this machine's Docker daemon: collect → evaluate
//! → threats. A container that mounts the daemon socket must turn the
//! "escape through the Docker socket" threat into open-confirmed, naming it,
//! and the `threats` command must say so too.
//!
//! Images come from the shared harness (a static binary FROM scratch, no
//! registry); everything is labelled and removed even when an assertion fails.

mod support;

use shipshape::collect::{collect, CollectOptions};
use shipshape::rules::{self, EvalOptions};
use shipshape::threat::build::from_snapshot;
use shipshape::threat::render::{self, ThreatFormat};
use shipshape::threat::{analyze, Library, Status};
use std::time::Duration;
use support::*;

#[test]
fn live_docker_socket_mount_confirms_the_escape_threat() {
    let mut lab = Lab::new("threat");
    let image = lab.image("pause", "/pause", &[]);
    let name = lab.run(
        "sock",
        &["-v", "/var/run/docker.sock:/var/run/docker.sock"],
        &image,
    );

    let snap = collect(&CollectOptions {
        timeout: Duration::from_secs(10),
        ..CollectOptions::default()
    });
    assert!(
        snap.engine.ok().is_some(),
        "engine unreachable: {:?}",
        snap.engine
    );
    let checks: Vec<_> = rules::docker::checks().iter().collect();
    let findings = rules::evaluate(&snap, &EvalOptions::default(), &checks).findings;
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &findings, &[], 0);

    let cid = format!("container:{name}");
    let want = format!("docker.socket.container-escape@{cid}@{cid}->docker-daemon");
    let inst = a
        .instances
        .iter()
        .find(|i| i.id == want)
        .unwrap_or_else(|| panic!("no instance {want}"));
    assert_eq!(
        inst.status,
        Status::OpenConfirmed,
        "{:#?}",
        inst.explanation
    );
    let e = inst
        .evidence
        .iter()
        .find(|e| e.check == "5.32")
        .expect("5.32 linked");
    assert!(
        e.targets
            .iter()
            .any(|t| t.kind == "container" && t.name == name),
        "5.32 evidence does not name {name}: {:#?}",
        e.targets
    );
    let md = render::render(&a, ThreatFormat::Markdown);
    assert!(md.contains(&want));

    // The command does the same end to end, and --fail-on critical trips.
    let out = shipshape(&["threats", "-f", "json", "--fail-on", "critical"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let inst = doc["threats"]
        .as_array()
        .expect("threats")
        .iter()
        .find(|i| i["id"] == want.as_str())
        .unwrap_or_else(|| panic!("no {want} in the JSON"));
    assert_eq!(inst["status"], "open-confirmed", "{inst:#}");
}
