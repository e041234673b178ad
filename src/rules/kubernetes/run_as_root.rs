//! Containers running as root.

use crate::findings::{Severity, Stride};
use crate::scan::k8s::PodView;
use crate::scan::rule::*;

pub static RUN_AS_NON_ROOT: Rule = Rule {
    id: "K8S-003",
    title: "Container is not required to run as a non-root user",
    domain: Domain::Kubernetes,
    severity: Severity::Medium,
    stride: &[Stride::ElevationOfPrivilege],
    refs: &[cis_k8s("5.2.7"), pss_restricted("Running as Non-root"), nsa("Pod security: non-root and unprivileged containers")],
    remediation: "Set `securityContext.runAsNonRoot: true` (pod or container level) and a non-zero `runAsUser`.",
    check: Check::Pod(non_root),
};

fn non_root(p: &PodView, s: &mut Sink) {
    for c in &p.containers {
        let uid_nonzero = p
            .effective(c, &["runAsUser"])
            .and_then(|e| e.value.as_i64())
            .is_some_and(|u| u > 0);
        match p.effective(c, &["runAsNonRoot"]) {
            Some(e) if e.value.as_bool() == Some(true) => {}
            Some(e) => s.report(
                e.key_pos,
                e.key.len(),
                format!("{} sets runAsNonRoot to false", c.label()),
            ),
            None if uid_nonzero => {}
            None => s.report(
                c.pos,
                4,
                format!(
                    "{} does not set runAsNonRoot: true, so it runs as root if the image does",
                    c.label()
                ),
            ),
        }
    }
}

pub static RUN_AS_UID_0: Rule = Rule {
    id: "K8S-004",
    title: "Container runs as UID 0 (runAsUser: 0)",
    domain: Domain::Kubernetes,
    severity: Severity::High,
    stride: &[Stride::ElevationOfPrivilege],
    refs: &[
        cis_k8s("5.2.7"),
        pss_restricted("Running as Non-root user"),
        nsa("Pod security: non-root and unprivileged containers"),
    ],
    remediation: "Set `runAsUser` to a non-zero UID that owns only what the process needs.",
    check: Check::Pod(uid0),
};

fn uid0(p: &PodView, s: &mut Sink) {
    if let Some(e) = p.pod_sc_entry(&["runAsUser"]) {
        // The pod-level UID matters only for containers that do not set their own.
        let inherited = p
            .containers
            .iter()
            .any(|c| c.sc_entry(&["runAsUser"]).is_none());
        if e.value.as_i64() == Some(0) && inherited {
            s.report(
                e.key_pos,
                e.key.len(),
                format!(
                    "{} runs every container as root (runAsUser: 0)",
                    p.object_label()
                ),
            );
        }
    }
    for c in &p.containers {
        if let Some(e) = c.sc_entry(&["runAsUser"]) {
            if e.value.as_i64() == Some(0) {
                s.report(
                    e.key_pos,
                    e.key.len(),
                    format!("{} runs as root (runAsUser: 0)", c.label()),
                );
            }
        }
    }
}
