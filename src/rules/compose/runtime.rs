//! Read-only root filesystem, devices, restart policy.

use super::at_service;
use crate::findings::{Severity, Stride};
use crate::manifest::yaml::Node;
use crate::rules::manifest::*;

pub static READ_ONLY: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-013",
        benchmark: Benchmark::Shipshape,
        title: "Service root filesystem is writable (no read_only: true)",
        rationale:
            "A writable root filesystem lets an attacker who gets into the service drop tools, \
            modify binaries or plant persistence for the container's lifetime. read_only: true \
            makes those writes fail, and the places the service really writes become explicit \
            tmpfs or volume mounts.",
        severity: Severity::Low,
        stride: &[Stride::Tampering],
        refs: &[cis_docker("5.13")],
        remediation: "Set `read_only: true` and mount `tmpfs` or volumes where the service writes.",
        fix: Fix::ManifestSet {
            path: "read_only",
            value: "true",
        },
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| match svc.entry("read_only") {
        Some(e) if is_true(&e.value) => {}
        Some(e) => s.at_key(e, format!("{} sets read_only to false", svc.label())),
        None => at_service(
            svc,
            s,
            format!("{} has a writable root filesystem", svc.label()),
        ),
    }),
};

pub static DEVICES: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-016",
        benchmark: Benchmark::Shipshape,
        title: "Service is given host devices",
        rationale:
            "Host devices give the service direct access to hardware or kernel drivers, such as \
            raw disks or terminals, outside normal file permissions. A compromised service with \
            a disk device can read or alter the host's data. Passing only devices it really \
            needs, read-only where possible, limits that.",
        severity: Severity::Medium,
        stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
        refs: &[cis_docker("5.18"), cwe("668")],
        remediation:
            "Remove `devices` entries the service does not need; prefer read-only (`:r`) access.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        for d in svc.items("devices") {
            let text = d
                .as_str()
                .map(str::to_string)
                .or_else(|| d.get_str("source").map(str::to_string))
                .unwrap_or_default();
            // Raw memory and disks are COMPOSE-032 (critical).
            if crate::knowledge::devices::takeover(&text).is_some() {
                continue;
            }
            s.at_node_text(d, &text, format!("{} gets host device {text}", svc.label()));
        }
    }),
};

pub static RESTART: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-018",
        benchmark: Benchmark::Shipshape,
        title: "Restart policy restarts forever",
        rationale:
            "A service that restarts forever hides a crash loop and burns CPU, logs and disk on \
            every attempt, while an attacker who can trigger the crash gets unlimited retries at \
            an exploit. Capping on-failure retries stops the loop and leaves a failed service \
            that monitoring can see.",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        refs: &[cis_docker("5.15"), cwe("400")],
        remediation:
            "Use `restart: on-failure:5` (or `deploy.restart_policy` with `max_attempts: 5`).",
        fix: Fix::ManifestSet {
            path: "restart",
            value: "on-failure:5",
        },
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        let Some(e) = svc.entry("restart") else {
            return;
        };
        let v = e.value.scalar_text().unwrap_or_default();
        let bad = match v.as_str() {
            "always" | "unless-stopped" => true,
            other => other
                .strip_prefix("on-failure:")
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| n > 5),
        };
        if bad {
            s.at_node_text(
                &e.value,
                &v,
                format!(
                    "{} restarts with policy {v}, which can hide crash loops",
                    svc.label()
                ),
            );
        }
    }),
};

pub static CGROUP_PARENT: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-023",
        benchmark: Benchmark::Shipshape,
        title: "Service sets a custom cgroup parent",
        rationale: "cgroup_parent moves the service into another cgroup, where it may escape the \
            resource limits applied to its peers or compete with host services placed there. \
            Unless that placement was chosen and reviewed, leaving the default keeps Docker's \
            resource accounting and limits predictable.",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService, Stride::ElevationOfPrivilege],
        refs: &[cis_docker("5.25")],
        remediation: "Remove `cgroup_parent` unless the service must run under a specific, reviewed cgroup; the default keeps Docker's resource accounting.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        let text = |v: &Node| v.scalar_text().unwrap_or_default();
        s.key_if(svc.entry("cgroup_parent"), |v| !text(v).is_empty(), |v| {
            format!("{} runs under cgroup parent {}", svc.label(), text(v))
        });
    }),
};

pub static HEALTHCHECK_DISABLED: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-024",
        benchmark: Benchmark::Shipshape,
        title: "Service health check is disabled",
        rationale: "Disabling the health check means Docker only sees whether the process exists, so a \
            hung or broken service keeps running and receiving traffic unnoticed, including one \
            wedged on purpose by an attacker. A working probe exposes the real state to Docker \
            and to monitoring.",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        refs: &[cis_docker("5.27")],
        remediation: "Remove `healthcheck: {disable: true}` (or `test: [\"NONE\"]`) and define a probe so unhealthy containers are noticed.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        let Some(h) = svc.entry("healthcheck") else { return };
        if s.key_if(h.value.entry("disable"), is_true, |_| format!("{} disables its health check", svc.label())) {
            return;
        }
        if let Some(t) = h.value.entry("test") {
            let none = match t.value.as_str() {
                Some(x) => x.trim() == "NONE",
                None => t.value.as_seq().first().and_then(|n| n.as_str()) == Some("NONE"),
            };
            if none {
                s.at_key(t, format!("{} disables its health check (test: NONE)", svc.label()));
            }
        }
    }),
};

pub static DEFAULT_BRIDGE: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-025",
        benchmark: Benchmark::Shipshape,
        title: "Service uses Docker's default bridge network",
        rationale: "On Docker's default bridge every container can reach every other by IP, with no \
            name-based separation, so a compromised service can probe unrelated workloads on the \
            same host. The project's own network, or a dedicated one, connects only the services \
            that belong together.",
        severity: Severity::Low,
        stride: &[Stride::Spoofing, Stride::InformationDisclosure],
        refs: &[cis_docker("5.30"), cwe("668")],
        remediation: "Remove `network_mode: bridge` so compose attaches the service to the project's own network, or declare a dedicated network.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        s.key_if(svc.entry("network_mode"), |v| v.as_str() == Some("bridge"), |_| {
            format!("{} shares the default docker0 bridge with every other container on the host", svc.label())
        });
    }),
};

pub static ROOT_USER: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-026",
        benchmark: Benchmark::Shipshape,
        title: "Service explicitly runs as root",
        rationale: "user: root, or uid 0, overrides any non-root user the image set, so the service runs \
            with root's rights over its files and mounts and a shorter path to the host if it is \
            compromised. Running as a dedicated non-root uid limits a compromise to what that \
            user owns.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_docker("4.1"), cwe("250")],
        remediation: "Set `user:` to a non-root UID (e.g. `user: \"10001:10001\"`) or remove it and set USER in the image.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        let text = |v: &Node| v.scalar_text().unwrap_or_default();
        let root = |v: &Node| matches!(text(v).split(':').next(), Some("root" | "0"));
        s.key_if(svc.entry("user"), root, |v| format!("{} runs as {}", svc.label(), text(v)));
    }),
};

pub static RAW_DEVICE: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-032",
        benchmark: Benchmark::Shipshape,
        title: "Service is given raw host memory or a raw disk device",
        rationale:
            "A device such as /dev/mem or a host disk like /dev/sda gives the container the \
            host's physical memory or the raw blocks under its filesystems. Every file permission, \
            mount option and namespace is bypassed: the container can read secrets and rewrite \
            binaries the host will run, which is a direct path to taking the host over.",
        severity: Severity::Critical,
        stride: &[
            Stride::Tampering,
            Stride::InformationDisclosure,
            Stride::ElevationOfPrivilege,
        ],
        refs: &[cis_docker("5.18"), cwe("668")],
        remediation:
            "Remove the device; mount the specific files or volumes the service needs instead.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        for d in svc.items("devices") {
            let text = d
                .as_str()
                .map(str::to_string)
                .or_else(|| d.get_str("source").map(str::to_string))
                .unwrap_or_default();
            if let Some(why) = crate::knowledge::devices::takeover(&text) {
                s.at_node_text(
                    d,
                    &text,
                    format!("{} gets host device {text}: {why}", svc.label()),
                );
            }
        }
    }),
};
