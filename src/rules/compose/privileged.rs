//! Privileged services.

use crate::findings::{Severity, Stride};
use crate::scan::compose::ServiceView;
use crate::scan::rule::*;

pub static PRIVILEGED: Rule = Rule {
    id: "COMPOSE-001",
    title: "Service runs privileged",
    domain: Domain::Compose,
    severity: Severity::Critical,
    stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
    refs: &[cis_docker("5.5")],
    remediation:
        "Remove `privileged: true`; add only the capabilities or devices the service needs.",
    check: Check::Service(privileged),
};

fn privileged(svc: &ServiceView, s: &mut Sink) {
    if let Some(e) = svc.entry("privileged") {
        if e.value.as_bool() == Some(true) {
            s.report(
                e.key_pos,
                e.key.len(),
                format!(
                    "{} runs privileged: every capability and all host devices",
                    svc.label()
                ),
            );
        }
    }
}
