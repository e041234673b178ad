//! Bind mounts of the Docker socket and sensitive host paths.

use crate::findings::{Severity, Stride};
use crate::knowledge::heuristics::sensitive_host_path;
use crate::manifest::compose::ServiceView;
use crate::manifest::yaml::{Node, Pos};
use crate::rules::manifest::*;

/// Bind mounts of a service: (host path, position, length, propagation).
fn binds(svc: &ServiceView) -> Vec<(String, Pos, usize, String)> {
    let mut out = Vec::new();
    for v in svc.items("volumes") {
        if let Some(short) = v.as_str() {
            let mut parts = short.splitn(3, ':');
            let (Some(src), Some(_dst)) = (parts.next(), parts.next()) else {
                continue;
            };
            let opts = parts.next().unwrap_or("").to_string();
            if src.starts_with('/') || src.starts_with('~') || src.starts_with('.') {
                out.push((src.to_string(), v.pos, short.len(), opts));
            }
        } else if v.get_str("type") == Some("bind")
            || v.get_str("source").is_some_and(|s| s.starts_with('/'))
        {
            let Some(e) = v.entry("source") else { continue };
            let src = e.value.as_str().unwrap_or("").to_string();
            let prop = v
                .path(&["bind", "propagation"])
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string();
            out.push((src.clone(), e.value.pos, src.len(), prop));
        }
    }
    out
}

fn is_socket(p: &str) -> bool {
    sensitive_host_path(p).is_some_and(|w| w.contains("socket"))
}

pub static DOCKER_SOCKET: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-002",
        benchmark: Benchmark::Shipshape,
        title: "Service mounts the Docker (container runtime) socket",
        rationale: "Mounting the Docker or containerd socket gives the service the runtime's full API, \
            and with it root on the host: one request starts a privileged container that mounts \
            the host's disk. Any attacker who compromises the service inherits that. A filtering \
            socket proxy, or no socket at all, removes that direct path.",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        refs: &[cis_docker("5.32"), cwe("250")],
        remediation: "Do not mount docker.sock; use a socket proxy that allows only the API calls needed, or a rootless alternative.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        for (p, pos, len, _) in binds(svc) {
            if is_socket(&p) {
                s.report(pos, len, format!("{} mounts {p}: control of the runtime is control of the host", svc.label()));
            }
        }
    }),
};

pub static SENSITIVE_MOUNT: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-003",
        benchmark: Benchmark::Shipshape,
        title: "Service mounts a sensitive host directory",
        rationale: "Bind-mounting host system or home directories such as /, /etc, /proc, /sys, /var/run \
            or ~/.ssh gives the service the host's configuration, credentials and kernel \
            interfaces. A compromised service can then read secrets or plant code that the host \
            runs. Mounting only application data, read-only where possible, keeps the host out \
            of reach.",
        severity: Severity::High,
        stride: &[Stride::Tampering, Stride::InformationDisclosure, Stride::ElevationOfPrivilege],
        refs: &[cis_docker("5.6"), cwe("668")],
        remediation: "Mount only application directories, read-only where possible; never /, /etc, /proc, /sys, /var/run or home/SSH directories.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        for (p, pos, len, _) in binds(svc) {
            if is_socket(&p) {
                continue;
            }
            if let Some(why) = sensitive_host_path(&p) {
                s.report(pos, len, format!("{} mounts {p}: {why}", svc.label()));
            }
        }
    }),
};

pub static SHARED_PROPAGATION: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-022",
        benchmark: Benchmark::Shipshape,
        title: "Bind mount uses shared propagation",
        rationale: "Shared or rshared propagation makes mounts created inside the container appear on \
            the host and the other way round, so a process in the service can change the host's \
            mount table, for example by mounting over host paths. The default private \
            propagation keeps the two mount trees apart.",
        severity: Severity::Medium,
        stride: &[Stride::Tampering],
        refs: &[cis_docker("5.20"), cwe("668")],
        remediation: "Use the default private propagation (`rprivate`); shared mounts let the container change the host's mount table.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        for (p, pos, len, opts) in binds(svc) {
            if opts.split(',').any(|o| o == "shared" || o == "rshared") {
                s.report(pos, len, format!("{} mounts {p} with shared propagation", svc.label()));
            }
        }
    }),
};
