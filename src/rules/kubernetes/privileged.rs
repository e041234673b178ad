//! Privileged containers and privilege escalation.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::PodView;
use crate::rules::manifest::*;

pub static PRIVILEGED: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-001",
        benchmark: Benchmark::Shipshape,
        title: "Container runs privileged",
        rationale: "A privileged container has every capability and sees all of the node's devices, with \
            no seccomp or AppArmor confinement, so root in it can mount the node's disk or load \
            kernel modules and own the node and every pod on it. Without the flag the container \
            keeps the runtime's isolation and only the rights granted explicitly.",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        refs: &[
        cis_k8s("5.2.2"),
        pss_baseline("Privileged Containers"),
        nsa("Pod security: non-root and unprivileged containers"),
        cwe("250"),
    ],
        remediation: "Remove `securityContext.privileged: true`; grant only the specific capabilities or devices the workload needs.",
        fix: Fix::ManifestSet {
            path: "securityContext.privileged",
            value: "false",
        },
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
        rationale:
            "When privilege escalation is allowed, a process in the container can gain rights by \
            executing setuid binaries or files with capabilities, turning a foothold as an \
            ordinary user into root inside the container. Setting allowPrivilegeEscalation to \
            false sets no_new_privs, so children can never hold more rights than their parent.",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[
            cis_k8s("5.2.6"),
            pss_restricted("Privilege Escalation"),
            nsa("Pod security: non-root and unprivileged containers"),
            cwe("269"),
        ],
        remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container.",
        fix: Fix::ManifestSet {
            path: "securityContext.allowPrivilegeEscalation",
            value: "false",
        },
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(escalation),
};

fn escalation(p: &PodView, s: &mut Sink) {
    // Linux-only setting: Windows pods ignore it.
    if super::is_windows(p) {
        return;
    }
    for c in &p.containers {
        match c.sc_entry(&["allowPrivilegeEscalation"]) {
            Some(e) if e.value.as_bool() == Some(false) => {}
            Some(e) => s.at_key(e, format!("{} sets allowPrivilegeEscalation to true, so setuid binaries can raise its privileges", c.label())),
            None => s.at_text(c.pos, "name", format!("{} does not set allowPrivilegeEscalation: false (it defaults to true)", c.label())),
        }
    }
}
