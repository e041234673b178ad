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
        benchmark: shipshape::findings::Benchmark::CisDocker,
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

/// One container of a generated fleet: its name and what sets it apart.
pub fn fleet_container(i: usize, name: &str, kind: &str) -> serde_json::Value {
    use serde_json::json;
    let mut host_config = json!({"NetworkMode": "bridge", "RestartPolicy": {"Name": "no"}});
    let mut config = json!({"User": "", "Image": "pause:latest"});
    let mut mounts = json!([]);
    let mut apparmor = "docker-default";
    match kind {
        "hardened" => {
            config["User"] = json!("1000:1000");
            host_config = json!({
                "NetworkMode": "bridge", "CapDrop": ["ALL"], "ReadonlyRootfs": true,
                "SecurityOpt": ["no-new-privileges:true"], "Memory": 67108864,
                "PidsLimit": 64, "NanoCpus": 500000000, "CpuShares": 512,
                "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3}
            });
        }
        "socket" => {
            mounts = json!([{"Type": "bind", "Source": "/var/run/docker.sock",
                "Destination": "/var/run/docker.sock", "Mode": "", "RW": true,
                "Propagation": "rprivate"}]);
        }
        "sys-admin" => host_config["CapAdd"] = json!(["SYS_ADMIN"]),
        "seccomp" => {
            host_config["SecurityOpt"] = json!(["seccomp=unconfined", "apparmor=unconfined"]);
            apparmor = "unconfined";
        }
        _ => {}
    }
    json!({
        "Id": format!("{:02x}{}", i + 1, "c".repeat(62)),
        "Name": format!("/{name}"),
        "Image": format!("sha256:{}", "e".repeat(64)),
        "AppArmorProfile": apparmor,
        "State": {"Status": "running", "Running": true, "Pid": 1000 + i},
        "Config": config,
        "HostConfig": host_config,
        "Mounts": mounts,
        "NetworkSettings": {"Ports": null}
    })
}

/// A Docker host with default settings (local socket only, no TLS listener)
/// running `containers` (name, kind) from one locally built image. Kinds:
/// `hardened`, `socket` (mounts docker.sock), `sys-admin`, `seccomp`
/// (seccomp and AppArmor unconfined), anything else = plain defaults.
pub fn fleet_snapshot(containers: &[(String, &str)]) -> Snapshot {
    use serde_json::json;
    let list: Vec<serde_json::Value> = containers
        .iter()
        .enumerate()
        .map(|(i, (n, k))| fleet_container(i, n, k))
        .collect();
    let doc = json!({
        "schema": 1, "tool": "shipshape", "tool_version": "0.1.0",
        "collected_at": "2026-12-01T00:00:00.000Z", "root": "/",
        "host": {"hostname": "fleet-01", "os": "Debian GNU/Linux 12 (bookworm)",
            "mounts": {"ok": []}, "files": {}, "units": {"ok": []},
            "audit": {"loaded": null, "files": []},
            "docker_group": {"ok": {"gid": 999, "members": []}},
            "content_trust": [], "listeners": {"ok": []}, "binaries": {}},
        "daemon": {"socket": "/var/run/docker.sock", "process": {"ok": null},
            "flags": [{"name": "host", "value": "fd://"}],
            "flags_source": "/proc/812/cmdline", "config_file": "/etc/docker/daemon.json",
            "config": {"state": "parsed", "settings": {}}},
        "engine": {"ok": {"endpoint": "unix:///var/run/docker.sock", "api_version": "1.47",
            "version": {"Version": "27.3.1", "ApiVersion": "1.47", "Os": "linux", "Arch": "amd64"},
            "info": {"ID": "ABCD", "Name": "fleet-01", "ServerVersion": "27.3.1",
                "SecurityOptions": ["name=apparmor", "name=seccomp,profile=builtin"]},
            "networks": [],
            "containers": list,
            "images": [{"Id": format!("sha256:{}", "e".repeat(64)),
                "RepoTags": ["pause:latest"], "RepoDigests": [], "Config": {"User": ""}}]}},
        "self_container": null, "collect_micros": 0
    });
    serde_json::from_value(doc).unwrap_or_else(|e| panic!("fleet snapshot: {e}"))
}

/// The 10-container host of issue 10: one hardened, one mounting
/// docker.sock, one with SYS_ADMIN, one with seccomp unconfined, six defaults.
pub fn fleet10() -> Vec<(String, &'static str)> {
    let mut v: Vec<(String, &str)> = vec![
        ("hardened".into(), "hardened"),
        ("sock".into(), "socket"),
        ("sys-admin".into(), "sys-admin"),
        ("seccomp-off".into(), "seccomp"),
    ];
    v.extend((1..=6).map(|i| (format!("default-{i}"), "default")));
    v
}

/// 30 containers: the four special ones, two more socket mounts, 24 defaults.
pub fn fleet30() -> Vec<(String, &'static str)> {
    let mut v = fleet10();
    v.push(("sock-2".into(), "socket"));
    v.push(("sock-3".into(), "socket"));
    v.extend((7..=24).map(|i| (format!("default-{i}"), "default")));
    v
}

/// The findings the real CIS Docker checks give for a snapshot.
pub fn real_findings(snap: &Snapshot) -> Vec<Finding> {
    use shipshape::rules::{self, EvalOptions};
    let checks: Vec<_> = rules::docker::checks().iter().collect();
    rules::evaluate(snap, &EvalOptions::default(), &checks).findings
}
