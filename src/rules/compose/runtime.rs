//! Read-only root filesystem, devices, restart policy.

use super::at_service;
use crate::findings::{Severity, Stride};
use crate::scan::rule::*;

pub static READ_ONLY: Rule = Rule {
    id: "COMPOSE-013",
    title: "Service root filesystem is writable (no read_only: true)",
    domain: Domain::Compose,
    severity: Severity::Low,
    stride: &[Stride::Tampering],
    refs: &[cis_docker("5.13")],
    remediation: "Set `read_only: true` and mount `tmpfs` or volumes where the service writes.",
    check: Check::Service(|svc, s| match svc.entry("read_only") {
        Some(e) if e.value.as_bool() == Some(true) => {}
        Some(e) => s.report(
            e.key_pos,
            e.key.len(),
            format!("{} sets read_only to false", svc.label()),
        ),
        None => at_service(
            svc,
            s,
            format!("{} has a writable root filesystem", svc.label()),
        ),
    }),
};

pub static DEVICES: Rule = Rule {
    id: "COMPOSE-016",
    title: "Service is given host devices",
    domain: Domain::Compose,
    severity: Severity::Medium,
    stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
    refs: &[cis_docker("5.18")],
    remediation:
        "Remove `devices` entries the service does not need; prefer read-only (`:r`) access.",
    check: Check::Service(|svc, s| {
        for d in svc.items("devices") {
            let text = d
                .as_str()
                .map(str::to_string)
                .or_else(|| d.get_str("source").map(str::to_string))
                .unwrap_or_default();
            s.report(
                d.pos,
                text.len(),
                format!("{} gets host device {text}", svc.label()),
            );
        }
    }),
};

pub static RESTART: Rule = Rule {
    id: "COMPOSE-018",
    title: "Restart policy restarts forever",
    domain: Domain::Compose,
    severity: Severity::Low,
    stride: &[Stride::DenialOfService],
    refs: &[cis_docker("5.15")],
    remediation: "Use `restart: on-failure:5` (or `deploy.restart_policy` with `max_attempts: 5`).",
    check: Check::Service(|svc, s| {
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
            s.report(
                e.value.pos,
                v.len(),
                format!(
                    "{} restarts with policy {v}, which can hide crash loops",
                    svc.label()
                ),
            );
        }
    }),
};
