//! Containers running as root.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::PodView;
use crate::rules::manifest::*;

pub static RUN_AS_NON_ROOT: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-003",
        benchmark: Benchmark::Shipshape,
        title: "Container is not required to run as a non-root user",
        rationale: "Unless runAsNonRoot is set, an image whose default user is root, or that changes \
            later, will run as uid 0, which gives a compromised process root's rights over its \
            volumes and a shorter path out of the container. With runAsNonRoot the kubelet \
            refuses to start the container as root at all.",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_k8s("5.2.7"), pss_restricted("Running as Non-root"), nsa("Pod security: non-root and unprivileged containers"), cwe("250")],
        remediation: "Set `securityContext.runAsNonRoot: true` (pod or container level) and a non-zero `runAsUser`.",
        fix: Fix::ManifestSet {
            path: "securityContext.runAsNonRoot",
            value: "true",
        },
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(non_root),
};

fn non_root(p: &PodView, s: &mut Sink) {
    // Linux-only setting: Windows pods ignore it.
    if super::is_windows(p) {
        return;
    }
    for c in &p.containers {
        let uid_nonzero = p
            .effective(c, &["runAsUser"])
            .and_then(|e| e.value.as_i64())
            .is_some_and(|u| u > 0);
        match p.effective(c, &["runAsNonRoot"]) {
            Some(e) if e.value.as_bool() == Some(true) => {}
            Some(e) => s.at_key(e, format!("{} sets runAsNonRoot to false", c.label())),
            None if uid_nonzero => {}
            None => s.at_text(
                c.pos,
                "name",
                format!(
                    "{} does not set runAsNonRoot: true, so it runs as root if the image does",
                    c.label()
                ),
            ),
        }
    }
}

pub static RUN_AS_UID_0: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-004",
        benchmark: Benchmark::Shipshape,
        title: "Container runs as UID 0 (runAsUser: 0)",
        rationale: "Explicitly running as uid 0 gives the application root's rights inside the \
            container: it can change any file in its filesystem and volumes, use whatever \
            capabilities remain and exploit kernel bugs that only root can reach. A dedicated \
            non-zero uid limits a compromise to what that user owns.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[
            cis_k8s("5.2.7"),
            pss_restricted("Running as Non-root user"),
            nsa("Pod security: non-root and unprivileged containers"),
            cwe("250"),
        ],
        remediation: "Set `runAsUser` to a non-zero UID that owns only what the process needs.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(uid0),
};

fn uid0(p: &PodView, s: &mut Sink) {
    // Linux-only setting: Windows pods ignore it.
    if super::is_windows(p) {
        return;
    }
    if let Some(e) = p.pod_sc_entry(&["runAsUser"]) {
        // The pod-level UID matters only for containers that do not set their own.
        let inherited = p
            .containers
            .iter()
            .any(|c| c.sc_entry(&["runAsUser"]).is_none());
        if e.value.as_i64() == Some(0) && inherited {
            s.at_key(
                e,
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
                s.at_key(e, format!("{} runs as root (runAsUser: 0)", c.label()));
            }
        }
    }
}
