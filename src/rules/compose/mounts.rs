//! Bind mounts of the Docker socket and sensitive host paths.

use crate::findings::{Severity, Stride};
use crate::knowledge::host_paths::{self, Sensitive};
use crate::knowledge::sockets::{self, Exposure};
use crate::manifest::compose::ServiceView;
use crate::manifest::yaml::Node;
use crate::rules::manifest::*;

/// A bind mount of a service, short (`/src:/dst:ro`) or long syntax.
struct Bind<'a> {
    /// The host path.
    source: String,
    /// What a finding highlights: the short-syntax item or the long
    /// syntax's `source` value.
    at: &'a Node,
    read_only: bool,
    /// Mount options (short syntax) or `bind.propagation` (long syntax).
    propagation: String,
}

fn binds<'a>(svc: &ServiceView<'a>) -> Vec<Bind<'a>> {
    let mut out = Vec::new();
    for v in svc.items("volumes") {
        if let Some(short) = v.as_str() {
            let mut parts = short.splitn(3, ':');
            let (Some(src), Some(_dst)) = (parts.next(), parts.next()) else {
                continue;
            };
            let opts = parts.next().unwrap_or("");
            if src.starts_with('/') || src.starts_with('~') || src.starts_with('.') {
                out.push(Bind {
                    source: src.to_string(),
                    at: v,
                    read_only: opts.split(',').any(|o| o == "ro"),
                    propagation: opts.to_string(),
                });
            }
        } else if v.get_str("type") == Some("bind")
            || v.get_str("source").is_some_and(|s| s.starts_with('/'))
        {
            let Some(e) = v.entry("source") else { continue };
            out.push(Bind {
                source: e.value.as_str().unwrap_or("").to_string(),
                at: &e.value,
                read_only: v.get("read_only").and_then(Node::as_bool) == Some(true),
                propagation: v
                    .path(&["bind", "propagation"])
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string(),
            });
        }
    }
    out
}

/// CIS 5.32: the bind exposes a runtime socket (the socket itself, or a
/// directory that holds one).
fn socket_binds<'a>(svc: &ServiceView<'a>) -> impl Iterator<Item = (Bind<'a>, Exposure)> {
    binds(svc)
        .into_iter()
        .filter_map(|b| sockets::exposure(&b.source, &[]).map(|x| (b, x)))
}

/// CIS 5.6: the bind is of a sensitive host path.
fn sensitive_binds<'a>(svc: &ServiceView<'a>) -> impl Iterator<Item = (Bind<'a>, Sensitive)> {
    binds(svc)
        .into_iter()
        .filter_map(|b| host_paths::sensitive(&b.source).map(|x| (b, x)))
}

fn read_only_note(b: &Bind) -> &'static str {
    if b.read_only {
        " (read-only, still readable)"
    } else {
        ""
    }
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
        for (b, how) in socket_binds(svc) {
            let what = match how {
                Exposure::Socket => "",
                Exposure::Directory => ", a directory holding the runtime socket",
            };
            s.at_value(b.at, format!("{} mounts {}{what}: control of the runtime is control of the host", svc.label(), b.source));
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
        for (b, hit) in sensitive_binds(svc) {
            // Writable /, /etc, /proc and /root are COMPOSE-034 (critical).
            if !b.read_only && host_paths::takeover_if_writable(&b.source) {
                continue;
            }
            s.at_value(b.at, format!("{} mounts {}: {}{}", svc.label(), b.source, hit.why, read_only_note(&b)));
        }
    }),
};

pub static WRITABLE_TAKEOVER: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-034",
        benchmark: Benchmark::Shipshape,
        title: "Service mounts /, /etc, /proc or /root writable",
        rationale:
            "A writable mount of the host's root filesystem, /etc, /proc or root's home lets \
            the service add users, cron jobs, SSH keys or kernel settings on the host, or replace \
            programs the host runs as root. That is a direct path from the container to the host, \
            not a mere widening of what it can read.",
        severity: Severity::Critical,
        stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
        refs: &[cis_docker("5.6"), cwe("668")],
        remediation: "Remove the mount, or mount only the specific file needed, read-only (`:ro`).",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        for (b, hit) in sensitive_binds(svc) {
            if !b.read_only && host_paths::takeover_if_writable(&b.source) {
                s.at_value(
                    b.at,
                    format!("{} mounts {} writable: {}", svc.label(), b.source, hit.why),
                );
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
        for b in binds(svc) {
            if b.propagation.split(',').any(|o| o == "shared" || o == "rshared") {
                s.at_value(b.at, format!("{} mounts {} with shared propagation", svc.label(), b.source));
            }
        }
    }),
};
