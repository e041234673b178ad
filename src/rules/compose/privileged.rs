//! Privileged services.

use crate::findings::{Severity, Stride};
use crate::manifest::compose::ServiceView;
use crate::rules::manifest::*;

pub static PRIVILEGED: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-001",
        benchmark: Benchmark::Shipshape,
        title: "Service runs privileged",
        rationale: "privileged: true gives the service every capability, every host device and no \
            seccomp or AppArmor confinement, so root inside it can mount the host's disk or load \
            kernel modules and take over the host. Granting only the capabilities or devices the \
            service needs keeps its container isolation.",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        refs: &[cis_docker("5.5"), cwe("250")],
        remediation:
            "Remove `privileged: true`; add only the capabilities or devices the service needs.",
        fix: Fix::ManifestSet {
            path: "privileged",
            value: "false",
        },
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
