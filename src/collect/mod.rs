//! Collectors: all I/O lives here. They fill a [`Snapshot`] once per run;
//! whatever cannot be read is recorded as an error inside the snapshot, so
//! the rules can say ERROR instead of guessing.
//!
//! Nothing here writes to the host. The only process spawned is
//! `auditctl -l` (when installed), which only lists rules; it is run by its
//! absolute path from the system directories with an empty environment,
//! never looked up through `$PATH`.

pub mod audit;

pub mod daemon;
pub mod engine;
pub mod engine_client;
pub mod host;
pub mod hostfs;
pub mod kubernetes;
pub mod procs;
pub mod systemd;

use crate::snapshot::*;
use engine_client::{Client, Endpoint};
use hostfs::HostFs;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What to collect and how long to wait.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// The audited host's filesystem root.
    pub root: PathBuf,
    /// `DOCKER_HOST`, when set.
    pub docker_host: Option<String>,
    /// Collect created and stopped containers too.
    pub all: bool,
    /// Bound on every Engine API request, whole (connect, headers, body).
    pub timeout: Duration,
    /// Bound on the whole collection's Engine API work.
    pub deadline: Option<Duration>,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            root: PathBuf::from("/"),
            docker_host: std::env::var("DOCKER_HOST").ok().filter(|s| !s.is_empty()),
            all: false,
            timeout: Duration::from_secs(5),
            deadline: None,
        }
    }
}

/// Collect everything into a snapshot. Never fails as a whole.
pub fn collect(opts: &CollectOptions) -> Snapshot {
    let started = Instant::now();
    let collected_at = crate::util::clock::now_rfc3339();
    let fs = HostFs::new(&opts.root);
    let endpoint = Endpoint::from_docker_host(opts.docker_host.as_deref());
    let socket = match &endpoint {
        Ok(e) => e.socket.display().to_string(),
        Err(_) => "/var/run/docker.sock".to_string(),
    };
    let self_container = procs::own_container_id();
    let proc_table = procs::ProcTable::scan(&fs);
    // Only trust our /proc view of container pids when we share the host's
    // pid namespace, i.e. we run directly on the audited host.
    let container_procs = if fs.is_host_root() && self_container.is_none() {
        proc_table.as_ref()
    } else {
        None
    };

    std::thread::scope(|s| {
        let engine_thread = s.spawn(|| match &endpoint {
            Ok(ep) => {
                let mut client = Client::new(&ep.socket, opts.timeout);
                client.deadline = opts.deadline.map(|d| started + d);
                Probe::from_result(engine::read_engine(&mut client, opts.all, container_procs))
            }
            Err(e) => Probe::Error(e.clone()),
        });

        let units: Vec<SystemdUnit> = ["docker.service", "docker.socket", "containerd.service"]
            .iter()
            .map(|u| systemd::find_unit(&fs, u))
            .collect();
        let socket_listen: Vec<String> = units
            .iter()
            .filter(|u| u.name == "docker.socket")
            .flat_map(|u| u.listen_stream.clone())
            .collect();
        let daemon = daemon_facts(&fs, proc_table.as_ref(), &socket, &units, &socket_listen);
        let mut host = HostFacts {
            hostname: host::hostname(&fs),
            os: host::os_name(&fs),
            mounts: Probe::from_result(host::mounts(&fs)),
            files: BTreeMap::new(),
            units: Probe::Ok(units.clone()),
            audit: audit::collect(&fs),
            docker_group: Probe::from_result(host::docker_group(&fs, "docker")),
            content_trust: host::content_trust(&fs),
            scanner_content_trust: std::env::var("DOCKER_CONTENT_TRUST").ok(),
            listeners: Probe::from_result(procs::listeners(&fs)),
            binaries: BTreeMap::new(),
            containerd_socket: None,
            binary_targets: BTreeMap::new(),
            containerd_config: None,
            init: None,
        };
        let daemon_pid = daemon.process.ok().and_then(|p| p.as_ref()).map(|p| p.pid);
        // dockerd finds runc and the shims on its own PATH: look there
        // first, then in the usual directories.
        let daemon_path = daemon_pid.and_then(|pid| host::process_path_env(&fs, pid));
        for b in host::BINARIES {
            let found = if *b == "dockerd" {
                daemon
                    .process
                    .ok()
                    .and_then(|p| p.as_ref())
                    .map(|p| p.exe.clone())
                    .filter(|e| e.starts_with('/'))
                    .or_else(|| host::find_binary(&fs, b))
            } else {
                host::find_binary_on(&fs, b, daemon_path.as_deref())
            };
            if let Some(p) = &found {
                if let Some(t) = host::link_target(&fs, p) {
                    host.binary_targets.insert(p.clone(), t);
                }
            }
            host.binaries.insert(b.to_string(), found);
        }
        host.containerd_config = proc_table
            .as_ref()
            .and_then(|t| host::containerd_config(&fs, t));
        host.init = Some(host::init_facts(&fs, daemon_pid));
        let containerd_flag = daemon
            .flags
            .iter()
            .find(|f| f.name == "containerd")
            .and_then(|f| f.value.clone());
        host.containerd_socket = containerd_flag
            .into_iter()
            .chain([
                "/run/containerd/containerd.sock".to_string(),
                "/var/run/docker/containerd/containerd.sock".to_string(),
            ])
            .find(|p| fs.exists(p));

        let kubernetes = kubernetes::collect(&fs);
        let engine = engine_thread
            .join()
            .unwrap_or_else(|_| Probe::Error("engine reader panicked".into()));
        let root_dir = crate::snapshot::daemon::docker_root_dir(engine.ok(), &daemon);
        for p in paths_to_stat(&fs, &daemon, &host, &units, &socket_listen, &root_dir) {
            let fact = fs.stat(&p);
            host.files.insert(p, fact);
        }

        Snapshot {
            schema: SNAPSHOT_SCHEMA,
            tool: "shipshape".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            collected_at,
            root: opts.root.display().to_string(),
            host,
            daemon,
            engine,
            self_container,
            collect_micros: started.elapsed().as_micros() as u64,
            kubernetes,
        }
    })
}

/// Only what the Kubernetes node audit reads (`audit --target kubernetes`):
/// the host's name and OS and the Kubernetes components. No Engine API
/// request, no `auditctl`, no Docker files: a node without Docker is not
/// slowed down or warned about by a daemon nobody asked to audit.
pub fn collect_kubernetes(opts: &CollectOptions) -> Snapshot {
    let started = Instant::now();
    let collected_at = crate::util::clock::now_rfc3339();
    let fs = HostFs::new(&opts.root);
    let not_collected = "not collected: only the Kubernetes components were audited";
    let host = HostFacts {
        hostname: host::hostname(&fs),
        os: host::os_name(&fs),
        mounts: Probe::Error(not_collected.into()),
        units: Probe::Error(not_collected.into()),
        docker_group: Probe::Error(not_collected.into()),
        listeners: Probe::Error(not_collected.into()),
        ..Default::default()
    };
    let daemon = DaemonFacts {
        socket: String::new(),
        process: Probe::Error(not_collected.into()),
        flags: Vec::new(),
        flags_source: String::new(),
        config_file: String::new(),
        config: DaemonConfigFile::Unreadable {
            reason: not_collected.into(),
        },
    };
    let kubernetes = kubernetes::collect(&fs);
    Snapshot {
        schema: SNAPSHOT_SCHEMA,
        tool: "shipshape".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        collected_at,
        root: opts.root.display().to_string(),
        host,
        daemon,
        engine: Probe::Error(not_collected.into()),
        self_container: procs::own_container_id(),
        collect_micros: started.elapsed().as_micros() as u64,
        kubernetes,
    }
}

fn daemon_facts(
    fs: &HostFs,
    table: Option<&procs::ProcTable>,
    socket: &str,
    units: &[SystemdUnit],
    socket_listen: &[String],
) -> DaemonFacts {
    let mut candidates = vec![socket.to_string(), "/var/run/docker.sock".to_string()];
    candidates.extend(socket_listen.iter().filter(|l| l.starts_with('/')).cloned());
    let process = match table {
        Some(t) => Probe::from_result(t.find_daemon_for(fs, socket, &candidates)),
        None => Probe::Error(format!(
            "{}/proc is not readable, so the dockerd process is unknown",
            fs.root.display()
        )),
    };
    let (flags, flags_source) = match process.ok().and_then(|p| p.as_ref()) {
        Some(p) => (
            daemon::parse_flags(p.argv.get(1..).unwrap_or_default()),
            format!("/proc/{}/cmdline", p.pid),
        ),
        None => {
            // Not running (or not visible): read what systemd would start.
            let unit = units.iter().find(|u| u.name == "docker.service");
            match unit.and_then(|u| u.exec_start.last().map(|c| (u, c))) {
                Some((u, cmd)) => {
                    let words = systemd::split_command(cmd);
                    let src = u
                        .drop_ins
                        .last()
                        .or(u.fragment.as_ref())
                        .cloned()
                        .unwrap_or_default();
                    (
                        daemon::parse_flags(words.get(1..).unwrap_or_default()),
                        format!("ExecStart in {src}"),
                    )
                }
                None => (Vec::new(), String::new()),
            }
        }
    };
    let config_file = flags
        .iter()
        .rev()
        .find(|f| f.name == "config-file")
        .and_then(|f| f.value.clone())
        .unwrap_or_else(|| "/etc/docker/daemon.json".to_string());
    let config = daemon::read_config(fs, &config_file);
    DaemonFacts {
        socket: socket.to_string(),
        process,
        flags,
        flags_source,
        config_file,
        config,
    }
}

/// Every path a check needs owner, group and mode (or existence) of.
fn paths_to_stat(
    fs: &HostFs,
    daemon: &DaemonFacts,
    host: &HostFacts,
    units: &[SystemdUnit],
    socket_listen: &[String],
    root_dir: &str,
) -> Vec<String> {
    let mut paths: Vec<String> = [
        "/etc/docker",
        "/etc/default/docker",
        "/etc/sysconfig/docker",
        "/etc/containerd/config.toml",
        "/run/containerd",
        "/etc/docker/certs.d",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    paths.push(daemon.config_file.clone());
    paths.push(root_dir.to_string());
    paths.extend(walk(fs, "/etc/docker/certs.d", 3));
    if let Ok(Some(tls)) = daemon.tls_paths() {
        paths.extend(tls);
    }
    paths.extend(daemon.unix_socket_paths(socket_listen));
    paths.extend(host.containerd_socket.clone());
    for u in units {
        paths.extend(u.fragment.clone());
        paths.extend(u.drop_ins.clone());
    }
    paths.extend(host.binaries.values().flatten().cloned());
    paths.extend(host.containerd_config.clone());
    paths.sort();
    paths.dedup();
    paths
}

/// Files and directories below `dir`, to `depth` levels.
fn walk(fs: &HostFs, dir: &str, depth: usize) -> Vec<String> {
    let mut out = Vec::new();
    if depth == 0 {
        return out;
    }
    if let Ok(names) = fs.list_dir(dir) {
        for n in names {
            let p = format!("{}/{n}", dir.trim_end_matches('/'));
            if fs.is_dir(&p) {
                out.extend(walk(fs, &p, depth - 1));
            }
            out.push(p);
        }
    }
    out
}
