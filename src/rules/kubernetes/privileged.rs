//! Privileged containers and privilege escalation.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::PodView;
use crate::rules::manifest::*;

pub static PRIVILEGED: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-001",
        benchmark: Benchmark::Shipshape,
        title: "Container runs privileged",
        rationale: "",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        refs: &[
        cis_k8s("5.2.2"),
        pss_baseline("Privileged Containers"),
        nsa("Pod security: non-root and unprivileged containers"),
    ],
        remediation: "Remove `securityContext.privileged: true`; grant only the specific capabilities or devices the workload needs.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(privileged),
};

fn privileged(p: &PodView, s: &mut Sink) {
    for c in &p.containers {
        s.key_if(c.sc_entry(&["privileged"]), is_true, |_| {
            format!(
                "{} runs privileged: it has every capability and full access to host devices",
                c.label()
            )
        });
    }
}

pub static PRIVILEGE_ESCALATION: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-002",
        benchmark: Benchmark::Shipshape,
        title: "Container may gain more privileges than its parent (allowPrivilegeEscalation)",
        rationale: "",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[
            cis_k8s("5.2.6"),
            pss_restricted("Privilege Escalation"),
            nsa("Pod security: non-root and unprivileged containers"),
        ],
        remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(escalation),
};

fn escalation(p: &PodView, s: &mut Sink) {
    for c in &p.containers {
        match c.sc_entry(&["allowPrivilegeEscalation"]) {
            Some(e) if e.value.as_bool() == Some(false) => {}
            Some(e) => s.at_key(e, format!("{} sets allowPrivilegeEscalation to true, so setuid binaries can raise its privileges", c.label())),
            None => s.at_text(c.pos, "name", format!("{} does not set allowPrivilegeEscalation: false (it defaults to true)", c.label())),
        }
    }
}
