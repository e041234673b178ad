//! Privileged services.

use crate::findings::{Severity, Stride};
use crate::manifest::compose::ServiceView;
use crate::rules::manifest::*;

pub static PRIVILEGED: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-001",
        benchmark: Benchmark::Shipshape,
        title: "Service runs privileged",
        rationale: "",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        refs: &[cis_docker("5.5")],
        remediation:
            "Remove `privileged: true`; add only the capabilities or devices the service needs.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(privileged),
};

fn privileged(svc: &ServiceView, s: &mut Sink) {
    if let Some(e) = svc.entry("privileged") {
        if e.value.as_bool() == Some(true) {
            s.at_key(
                e,
                format!(
                    "{} runs privileged: every capability and all host devices",
                    svc.label()
                ),
            );
        }
    }
}
