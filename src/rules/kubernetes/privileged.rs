//! Privileged containers and privilege escalation.

use crate::findings::{Severity, Stride};
use crate::scan::k8s::PodView;
use crate::scan::rule::*;

pub static PRIVILEGED: Rule = Rule {
    id: "K8S-001",
    title: "Container runs privileged",
    domain: Domain::Kubernetes,
    severity: Severity::Critical,
    stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
    refs: &[
        cis_k8s("5.2.2"),
        pss_baseline("Privileged Containers"),
        nsa("Pod security: non-root and unprivileged containers"),
    ],
    remediation: "Remove `securityContext.privileged: true`; grant only the specific capabilities or devices the workload needs.",
    check: Check::Pod(privileged),
};

fn privileged(p: &PodView, s: &mut Sink) {
    for c in &p.containers {
        if let Some(e) = c.sc_entry(&["privileged"]) {
            if e.value.as_bool() == Some(true) {
                s.report(e.key_pos, e.key.len(), format!("{} runs privileged: it has every capability and full access to host devices", c.label()));
            }
        }
    }
}

pub static PRIVILEGE_ESCALATION: Rule = Rule {
    id: "K8S-002",
    title: "Container may gain more privileges than its parent (allowPrivilegeEscalation)",
    domain: Domain::Kubernetes,
    severity: Severity::Medium,
    stride: &[Stride::ElevationOfPrivilege],
    refs: &[
        cis_k8s("5.2.6"),
        pss_restricted("Privilege Escalation"),
        nsa("Pod security: non-root and unprivileged containers"),
    ],
    remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container.",
    check: Check::Pod(escalation),
};

fn escalation(p: &PodView, s: &mut Sink) {
    for c in &p.containers {
        match c.sc_entry(&["allowPrivilegeEscalation"]) {
            Some(e) if e.value.as_bool() == Some(false) => {}
            Some(e) => s.report(e.key_pos, e.key.len(), format!("{} sets allowPrivilegeEscalation to true, so setuid binaries can raise its privileges", c.label())),
            None => s.report(c.pos, 4, format!("{} does not set allowPrivilegeEscalation: false (it defaults to true)", c.label())),
        }
    }
}
