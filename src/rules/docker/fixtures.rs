//! Snapshot fixtures for the per-check unit tests. [`hardened`] is a host
//! on which every automated check passes; each test changes one thing and
//! asserts the verdict moves.

use crate::findings::{Finding, Outcome};
use crate::rules::{evaluate, EvalOptions};
use crate::snapshot::*;
use std::collections::BTreeMap;

pub fn stat(kind: &str, uid: u32, gid: u32, mode: u32) -> FileFact {
    FileFact::Present(FileStat {
        kind: kind.into(),
        uid,
        gid,
        user: Some(if uid == 0 {
            "root".into()
        } else {
            format!("u{uid}")
        }),
        group: Some(match gid {
            0 => "root".into(),
            999 => "docker".into(),
            g => format!("g{g}"),
        }),
        mode,
    })
}

/// A container that passes every container check.
pub fn good_container(name: &str) -> Container {
    let mut c = Container {
        id: format!(
            "{:0<64}",
            name.bytes().map(|b| format!("{b:x}")).collect::<String>()
        ),
        name: format!("/{name}"),
        image: "sha256:aaaa".into(),
        app_armor_profile: "docker-default".into(),
        ..Default::default()
    };
    c.id.truncate(64);
    c.state.status = "running".into();
    c.state.running = true;
    c.state.pid = 4242;
    c.state.health = Some(Health {
        status: "healthy".into(),
        failing_streak: 0,
    });
    c.config.user = "10001".into();
    c.config.image = "app:1.0".into();
    c.config.healthcheck = Some(HealthConfig {
        test: vec!["CMD".into(), "/app".into(), "health".into()],
    });
    let h = &mut c.host_config;
    h.cap_drop = vec!["ALL".into()];
    h.network_mode = "appnet".into();
    h.memory = 256 << 20;
    h.nano_cpus = 500_000_000;
    h.pids_limit = Some(100);
    h.readonly_rootfs = true;
    h.security_opt = vec!["no-new-privileges:true".into()];
    h.restart_policy = RestartPolicy {
        name: "on-failure".into(),
        maximum_retry_count: 5,
    };
    c.network_settings
        .networks
        .insert("appnet".into(), EndpointSettings::default());
    c.processes = Some(Probe::Ok(vec![ProcessInfo {
        pid: 4242,
        comm: "app".into(),
        args: "/app".into(),
    }]));
    c
}

pub fn good_image(tag: &str) -> Image {
    Image {
        id: format!("sha256:{:0<64}", tag.len()),
        repo_tags: vec![tag.into()],
        config: ImageConfig {
            user: "10001".into(),
            healthcheck: Some(HealthConfig {
                test: vec!["CMD".into(), "/app".into(), "health".into()],
            }),
            ..Default::default()
        },
        history: Some(Probe::Ok(vec![
            HistoryEntry {
                created_by: "COPY app /app # buildkit".into(),
                ..Default::default()
            },
            HistoryEntry {
                created_by:
                    "RUN /bin/sh -c apt-get update && apt-get install -y ca-certificates # buildkit"
                        .into(),
                ..Default::default()
            },
        ])),
        ..Default::default()
    }
}

/// A host on which every automated check passes.
pub fn hardened() -> Snapshot {
    let mut files = BTreeMap::new();
    let root_file = |m| stat("file", 0, 0, m);
    for (p, f) in [
        ("/etc/docker", stat("dir", 0, 0, 0o755)),
        ("/etc/docker/daemon.json", root_file(0o644)),
        ("/etc/default/docker", root_file(0o644)),
        ("/etc/sysconfig/docker", FileFact::Missing),
        ("/etc/containerd/config.toml", root_file(0o644)),
        ("/run/containerd", stat("dir", 0, 0, 0o711)),
        ("/etc/docker/certs.d", stat("dir", 0, 0, 0o755)),
        ("/etc/docker/certs.d/reg:5000", stat("dir", 0, 0, 0o755)),
        ("/etc/docker/certs.d/reg:5000/ca.crt", root_file(0o444)),
        ("/var/lib/docker", stat("dir", 0, 0, 0o710)),
        ("/etc/docker/tls/ca.pem", root_file(0o444)),
        ("/etc/docker/tls/cert.pem", root_file(0o444)),
        ("/etc/docker/tls/key.pem", root_file(0o400)),
        ("/var/run/docker.sock", stat("socket", 0, 999, 0o660)),
        (
            "/run/containerd/containerd.sock",
            stat("socket", 0, 0, 0o660),
        ),
        ("/lib/systemd/system/docker.service", root_file(0o644)),
        ("/lib/systemd/system/docker.socket", root_file(0o644)),
        ("/usr/bin/dockerd", root_file(0o755)),
        ("/usr/bin/containerd", root_file(0o755)),
        ("/usr/bin/containerd-shim-runc-v2", root_file(0o755)),
        ("/usr/bin/runc", root_file(0o755)),
    ] {
        files.insert(p.to_string(), f);
    }
    let audited = [
        "/usr/bin/dockerd",
        "/run/containerd",
        "/var/lib/docker",
        "/etc/docker",
        "/lib/systemd/system/docker.service",
        "/run/containerd/containerd.sock",
        "/lib/systemd/system/docker.socket",
        "/etc/default/docker",
        "/etc/containerd/config.toml",
        "/usr/bin/containerd",
        "/usr/bin/containerd-shim-runc-v2",
        "/usr/bin/runc",
    ];
    let rules: Vec<AuditRule> = audited
        .iter()
        .enumerate()
        .map(|(i, p)| AuditRule {
            kind: "watch".into(),
            path: p.to_string(),
            recursive: true,
            perms: "rwxa".into(),
            key: "docker".into(),
            text: format!("-w {p} -p rwxa -k docker"),
            line: i + 1,
        })
        .collect();
    let mut binaries = BTreeMap::new();
    for (b, p) in [
        ("dockerd", Some("/usr/bin/dockerd")),
        ("containerd", Some("/usr/bin/containerd")),
        ("containerd-shim", None),
        ("containerd-shim-runc-v1", None),
        (
            "containerd-shim-runc-v2",
            Some("/usr/bin/containerd-shim-runc-v2"),
        ),
        ("runc", Some("/usr/bin/runc")),
    ] {
        binaries.insert(b.to_string(), p.map(str::to_string));
    }
    let settings: BTreeMap<String, serde_json::Value> = serde_json::from_str(
        r#"{"icc": false, "log-level": "info", "userns-remap": "default",
            "authorization-plugins": ["authz"], "no-new-privileges": true,
            "live-restore": true, "userland-proxy": false,
            "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}},
            "hosts": ["unix:///var/run/docker.sock", "tcp://10.0.0.5:2376"],
            "tlsverify": true, "tlscacert": "/etc/docker/tls/ca.pem",
            "tlscert": "/etc/docker/tls/cert.pem", "tlskey": "/etc/docker/tls/key.pem",
            "log-driver": "syslog"}"#,
    )
    .unwrap();
    let engine = Engine {
        endpoint: "unix:///var/run/docker.sock".into(),
        api_version: "1.45".into(),
        version: Version {
            version: "27.3.1".into(),
            api_version: "1.47".into(),
            ..Default::default()
        },
        info: Info {
            id: "TEST".into(),
            server_version: "27.3.1".into(),
            driver: "overlay2".into(),
            logging_driver: "syslog".into(),
            docker_root_dir: "/var/lib/docker".into(),
            security_options: vec![
                "name=apparmor".into(),
                "name=seccomp,profile=builtin".into(),
                "name=userns".into(),
            ],
            live_restore_enabled: true,
            swarm: SwarmInfo {
                local_node_state: "inactive".into(),
                ..Default::default()
            },
            registry_config: RegistryConfig {
                insecure_registry_cidrs: vec!["127.0.0.0/8".into()],
                ..Default::default()
            },
            plugins: Plugins {
                authorization: vec!["authz".into()],
                ..Default::default()
            },
            ..Default::default()
        },
        containers: vec![good_container("web")],
        images: vec![good_image("app:1.0")],
        networks: vec![Network {
            name: "bridge".into(),
            id: "b1".into(),
            driver: "bridge".into(),
            options: [(
                "com.docker.network.bridge.name".to_string(),
                "docker0".to_string(),
            )]
            .into(),
            ..Default::default()
        }],
        swarm: None,
        swarm_secrets: None,
        all_containers: false,
    };
    Snapshot {
        schema: SNAPSHOT_SCHEMA,
        tool: "shipshape".into(),
        tool_version: "test".into(),
        collected_at: "2026-01-01T00:00:00.000Z".into(),
        root: "/".into(),
        host: HostFacts {
            hostname: "node1".into(),
            os: "Test Linux".into(),
            mounts: Probe::Ok(vec![
                MountPoint {
                    mount_point: "/".into(),
                    device: "254:0".into(),
                    fs_type: "ext4".into(),
                    source: "/dev/vda".into(),
                    options: "rw".into(),
                },
                MountPoint {
                    mount_point: "/var/lib/docker".into(),
                    device: "254:16".into(),
                    fs_type: "xfs".into(),
                    source: "/dev/vdb".into(),
                    options: "rw".into(),
                },
            ]),
            files,
            units: Probe::Ok(vec![
                SystemdUnit {
                    name: "docker.service".into(),
                    fragment: Some("/lib/systemd/system/docker.service".into()),
                    drop_ins: vec![],
                    exec_start: vec!["/usr/bin/dockerd".into()],
                    listen_stream: vec![],
                    errors: vec![],
                },
                SystemdUnit {
                    name: "docker.socket".into(),
                    fragment: Some("/lib/systemd/system/docker.socket".into()),
                    drop_ins: vec![],
                    exec_start: vec![],
                    listen_stream: vec!["/run/docker.sock".into()],
                    errors: vec![],
                },
            ]),
            audit: AuditFacts {
                loaded: Some(Probe::Ok(rules.clone())),
                files: vec![AuditRuleFile {
                    path: "/etc/audit/rules.d/docker.rules".into(),
                    rules: Probe::Ok(rules),
                }],
            },
            docker_group: Probe::Ok(Some(GroupMembers {
                gid: 999,
                members: vec![],
            })),
            content_trust: vec![EnvSetting {
                file: "/etc/environment".into(),
                line: 3,
                value: "1".into(),
            }],
            scanner_content_trust: None,
            listeners: Probe::Ok(vec![]),
            binaries,
            containerd_socket: Some("/run/containerd/containerd.sock".into()),
            binary_targets: Default::default(),
            containerd_config: None,
            init: None,
        },
        daemon: DaemonFacts {
            socket: "/var/run/docker.sock".into(),
            process: Probe::Ok(Some(DaemonProcess {
                pid: 100,
                exe: "/usr/bin/dockerd".into(),
                argv: vec!["/usr/bin/dockerd".into()],
                uid: 0,
                found_by: "test".into(),
            })),
            flags: vec![],
            flags_source: "/proc/100/cmdline".into(),
            config_file: "/etc/docker/daemon.json".into(),
            config: DaemonConfigFile::Parsed { settings },
        },
        engine: Probe::Ok(engine),
        self_container: None,
        collect_micros: 0,
        kubernetes: Default::default(),
    }
}

pub fn engine_mut(s: &mut Snapshot) -> &mut Engine {
    match &mut s.engine {
        Probe::Ok(e) => e,
        Probe::Error(_) => panic!("fixture engine is an error"),
    }
}

/// The first container of the fixture, to modify.
pub fn web(s: &mut Snapshot) -> &mut Container {
    &mut engine_mut(s).containers[0]
}

pub fn settings_mut(s: &mut Snapshot) -> &mut BTreeMap<String, serde_json::Value> {
    match &mut s.daemon.config {
        DaemonConfigFile::Parsed { settings } => settings,
        _ => panic!("fixture daemon.json is not parsed"),
    }
}

pub fn run(id: &str, snap: &Snapshot) -> Finding {
    run_with(id, snap, &EvalOptions::default())
}

pub fn run_with(id: &str, snap: &Snapshot, opts: &EvalOptions) -> Finding {
    let check = super::checks()
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"));
    evaluate(snap, opts, &[check]).findings.remove(0)
}

/// Assert a check's outcome, showing the finding when it differs.
#[track_caller]
pub fn expect(id: &str, snap: &Snapshot, outcome: Outcome) -> Finding {
    let f = run(id, snap);
    assert_eq!(f.outcome, outcome, "{id}: {} {:#?}", f.message, f.evidence);
    f
}

#[test]
fn the_hardened_fixture_passes_every_automated_check() {
    let snap = hardened();
    for c in super::checks()
        .iter()
        .filter(|c| c.automated && c.scope != crate::rules::Scope::Manual)
    {
        let f = run(c.id, &snap);
        assert!(
            matches!(
                f.outcome,
                Outcome::Pass | Outcome::NotApplicable | Outcome::Info
            ),
            "{} {}: {} {:?} {:#?}",
            c.id,
            c.title,
            f.outcome,
            f.message,
            f.evidence
        );
    }
}

#[test]
fn an_unreachable_engine_makes_engine_checks_error_and_host_checks_still_run() {
    let mut snap = hardened();
    snap.engine = Probe::Error("cannot reach the Docker daemon at unix:///x.sock".into());
    super::ENGINE_FALLBACKS.with(|n| n.set(0));
    for c in super::checks() {
        let f = run(c.id, &snap);
        match c.scope {
            crate::rules::Scope::Engine
            | crate::rules::Scope::Container
            | crate::rules::Scope::Image
            | crate::rules::Scope::Swarm => {
                assert_eq!(f.outcome, Outcome::Error, "{} should be ERROR", c.id);
                assert!(f.message.contains("cannot reach"), "{}", f.message);
            }
            crate::rules::Scope::Host | crate::rules::Scope::DaemonConfig => {
                assert_ne!(
                    f.outcome,
                    Outcome::Error,
                    "{} should not need the engine: {}",
                    c.id,
                    f.message
                )
            }
            _ => {}
        }
    }
    // No check outside the Engine scopes read the Engine (it would have
    // judged an empty one instead of saying ERROR).
    assert_eq!(super::ENGINE_FALLBACKS.with(|n| n.get()), 0);
}

#[test]
fn shipshape_s_own_container_and_excluded_names_are_left_out_and_listed() {
    let mut s = hardened();
    let mut me = good_container("shipshape");
    me.host_config.privileged = true;
    let my_id = me.id.clone();
    engine_mut(&mut s).containers.push(me);
    let mut other = good_container("ci-runner-1");
    other.host_config.privileged = true;
    engine_mut(&mut s).containers.push(other);
    expect("5.5", &s, Outcome::Fail);
    s.self_container = Some(my_id);
    let opts = EvalOptions {
        exclude_containers: vec!["ci-runner-*".into()],
        ..Default::default()
    };
    let f = run_with("5.5", &s, &opts);
    assert_eq!(f.outcome, Outcome::Pass, "{:#?}", f.evidence);
    let cx = crate::rules::Context::new(&s, &opts);
    let names: Vec<&str> = cx.excluded.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec!["shipshape", "ci-runner-1"]);
    assert!(cx.excluded[0].1.contains("own container"));
}

#[test]
fn a_container_named_nil_is_audited_like_any_other() {
    // docker-bench-security filters names through `grep -v nil` by accident.
    let mut s = hardened();
    let mut c = good_container("nil-worker");
    c.host_config.privileged = true;
    engine_mut(&mut s).containers.push(c);
    let f = expect("5.5", &s, Outcome::Fail);
    assert_eq!(f.offenders().next().unwrap().target.label(), "nil-worker");
}
