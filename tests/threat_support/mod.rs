//! Helpers shared by the threat-model tests.
#![allow(dead_code)]

use shipshape::findings::{Evidence, Finding, Outcome, Severity, Target};
use shipshape::snapshot::Snapshot;
use std::path::PathBuf;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/threat")
        .join(name)
}

pub fn root(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub fn snapshot(name: &str) -> Snapshot {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not a Snapshot: {e}"))
}

/// A finding as the rules engine would produce it for check `id`.
pub fn finding(
    id: &'static str,
    title: &'static str,
    outcome: Outcome,
    evidence: Vec<Evidence>,
) -> Finding {
    Finding {
        id,
        section: "5",
        title,
        automated: true,
        severity: Severity::High,
        stride: &[],
        outcome,
        message: format!("{title}: {}", outcome.label()),
        remediation: "Apply the benchmark's remediation for this check.",
        evidence,
    }
}

pub fn container(id: &str, name: &str) -> Target {
    Target::Container {
        id: id.to_string(),
        name: name.to_string(),
    }
}

pub fn ev(target: Target, outcome: Outcome, observed: &str) -> Evidence {
    Evidence::new(target, outcome, observed, "")
}

pub const CI_RUNNER_ID: &str = "1111111111111111111111111111111111111111111111111111111111111111";
pub const WEB_ID: &str = "2222222222222222222222222222222222222222222222222222222222222222";

/// The findings the CIS checks give for `snapshot-risky.json`, written out
/// by hand from the fixture's facts (ci-runner: privileged, docker.sock
/// mounted, root, no memory limit; web: user app, 256 MiB limit, port 8080
/// on every interface; daemon on tcp://0.0.0.0:2375 without TLS).
pub fn risky_findings() -> Vec<Finding> {
    use Outcome::*;
    vec![
        finding(
            "2.7",
            "Ensure TLS authentication for Docker daemon is configured",
            Fail,
            vec![ev(
                Target::Daemon,
                Fail,
                "listening on tcp://0.0.0.0:2375 without TLS",
            )
            .with_source("/proc/812/cmdline")],
        ),
        finding(
            "5.5",
            "Ensure that privileged containers are not used",
            Fail,
            vec![ev(
                container(CI_RUNNER_ID, "ci-runner"),
                Fail,
                "HostConfig.Privileged=true",
            )],
        ),
        finding(
            "5.10",
            "Ensure that the host's network namespace is not shared",
            Pass,
            vec![],
        ),
        finding(
            "5.32",
            "Ensure that the Docker socket is not mounted inside any containers",
            Fail,
            vec![ev(
                container(CI_RUNNER_ID, "ci-runner"),
                Fail,
                "mounts /var/run/docker.sock at /var/run/docker.sock (rw)",
            )],
        ),
        finding(
            "4.1",
            "Ensure that a user for the container has been created",
            Warn,
            vec![ev(
                container(CI_RUNNER_ID, "ci-runner"),
                Warn,
                "Config.User is empty (root)",
            )],
        ),
        finding(
            "5.11",
            "Ensure that the memory usage for containers is limited",
            Fail,
            vec![
                ev(
                    container(CI_RUNNER_ID, "ci-runner"),
                    Fail,
                    "HostConfig.Memory=0",
                ),
                ev(
                    container(WEB_ID, "web"),
                    Pass,
                    "HostConfig.Memory=268435456",
                ),
            ],
        ),
        finding(
            "5.14",
            "Ensure that incoming container traffic is bound to a specific host interface",
            Fail,
            vec![ev(
                container(WEB_ID, "web"),
                Fail,
                "80/tcp published on 0.0.0.0:8080",
            )],
        ),
        finding(
            "4.5",
            "Ensure Content trust for Docker is Enabled",
            Pass,
            vec![ev(Target::Host, Pass, "DOCKER_CONTENT_TRUST=1").with_source("/etc/environment:3")],
        ),
        finding(
            "1.1.3",
            "Ensure auditing is configured for the Docker daemon",
            Warn,
            vec![ev(
                Target::File {
                    path: "/usr/bin/dockerd".into(),
                },
                Warn,
                "no audit rule for /usr/bin/dockerd",
            )],
        ),
    ]
}
