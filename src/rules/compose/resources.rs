//! Memory, PIDs and CPU limits.

use super::at_service;
use crate::findings::{Severity, Stride};
use crate::manifest::compose::ServiceView;
use crate::rules::manifest::*;

fn has_limit(svc: &ServiceView, keys: &[&str], deploy_key: &str) -> bool {
    keys.iter().any(|k| {
        svc.get(k)
            .is_some_and(|v| !v.is_null() && v.scalar_text().is_some_and(|t| t != "0" && t != "-1"))
    }) || svc
        .path_entry(&["deploy", "resources", "limits", deploy_key])
        .is_some()
}

pub static MEMORY: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-011",
        benchmark: Benchmark::Shipshape,
        title: "Service has no memory limit",
        rationale:
            "A service without a memory limit can consume all of the host's memory, and the \
            kernel's out-of-memory killer may then stop other services or the Docker daemon \
            instead. A leak or an allocation attack thus becomes a host outage. A limit keeps \
            the failure inside the one container.",
        severity: Severity::Medium,
        stride: &[Stride::DenialOfService],
        refs: &[cis_docker("5.11"), cwe("770")],
        remediation: "Set `mem_limit` (or `deploy.resources.limits.memory`).",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        if !has_limit(svc, &["mem_limit"], "memory") {
            at_service(svc, s, format!("{} has no memory limit", svc.label()));
        }
    }),
};

pub static PIDS: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-012",
        benchmark: Benchmark::Shipshape,
        title: "Service has no PIDs limit",
        rationale:
            "Without a PIDs limit, a fork bomb or runaway process spawner in the service can \
            exhaust the host's process table, so nothing else on the host can start processes. A \
            limit on the number of processes keeps that failure inside the container.",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        refs: &[cis_docker("5.29"), cwe("770")],
        remediation: "Set `pids_limit` (or `deploy.resources.limits.pids`) to stop fork bombs.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        if !has_limit(svc, &["pids_limit"], "pids") {
            at_service(svc, s, format!("{} has no PIDs limit", svc.label()));
        }
    }),
};

pub static CPU: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-021",
        benchmark: Benchmark::Shipshape,
        title: "Service has no CPU limit or shares",
        rationale:
            "A service with no CPU limit or shares can take every core, by bug or abuse, and \
            starve the other services and the host's own processes. A CPU quota or relative \
            shares keep one busy service from making the rest of the host unresponsive.",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        refs: &[cis_docker("5.12"), cwe("770")],
        remediation: "Set `cpus` (or `cpu_shares`, or `deploy.resources.limits.cpus`).",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        if !has_limit(svc, &["cpus", "cpu_shares", "cpu_quota"], "cpus") {
            at_service(svc, s, format!("{} has no CPU limit", svc.label()));
        }
    }),
};
