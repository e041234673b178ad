//! Memory, PIDs and CPU limits.

use super::at_service;
use crate::findings::{Severity, Stride};
use crate::scan::compose::ServiceView;
use crate::scan::rule::*;

fn has_limit(svc: &ServiceView, keys: &[&str], deploy_key: &str) -> bool {
    keys.iter().any(|k| {
        svc.get(k)
            .is_some_and(|v| !v.is_null() && v.scalar_text().is_some_and(|t| t != "0" && t != "-1"))
    }) || svc
        .path_entry(&["deploy", "resources", "limits", deploy_key])
        .is_some()
}

pub static MEMORY: Rule = Rule {
    id: "COMPOSE-011",
    title: "Service has no memory limit",
    domain: Domain::Compose,
    severity: Severity::Medium,
    stride: &[Stride::DenialOfService],
    refs: &[cis_docker("5.11")],
    remediation: "Set `mem_limit` (or `deploy.resources.limits.memory`).",
    check: Check::Service(|svc, s| {
        if !has_limit(svc, &["mem_limit"], "memory") {
            at_service(svc, s, format!("{} has no memory limit", svc.label()));
        }
    }),
};

pub static PIDS: Rule = Rule {
    id: "COMPOSE-012",
    title: "Service has no PIDs limit",
    domain: Domain::Compose,
    severity: Severity::Low,
    stride: &[Stride::DenialOfService],
    refs: &[cis_docker("5.29")],
    remediation: "Set `pids_limit` (or `deploy.resources.limits.pids`) to stop fork bombs.",
    check: Check::Service(|svc, s| {
        if !has_limit(svc, &["pids_limit"], "pids") {
            at_service(svc, s, format!("{} has no PIDs limit", svc.label()));
        }
    }),
};

pub static CPU: Rule = Rule {
    id: "COMPOSE-021",
    title: "Service has no CPU limit or shares",
    domain: Domain::Compose,
    severity: Severity::Low,
    stride: &[Stride::DenialOfService],
    refs: &[cis_docker("5.12")],
    remediation: "Set `cpus` (or `cpu_shares`, or `deploy.resources.limits.cpus`).",
    check: Check::Service(|svc, s| {
        if !has_limit(svc, &["cpus", "cpu_shares", "cpu_quota"], "cpus") {
            at_service(svc, s, format!("{} has no CPU limit", svc.label()));
        }
    }),
};
