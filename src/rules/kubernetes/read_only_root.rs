//! Writable root filesystems.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::PodView;
use crate::rules::manifest::*;

pub static READ_ONLY_ROOT: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-015",
        benchmark: Benchmark::Shipshape,
        title: "Container root filesystem is writable",
        rationale: "A writable root filesystem lets an intruder download tools, patch binaries or plant \
            persistence inside the running container. A read-only root filesystem makes those \
            writes fail, and the directories the application really needs become explicit \
            emptyDir mounts that are easy to review.",
        severity: Severity::Low,
        stride: &[Stride::Tampering],
        refs: &[nsa("Pod security: immutable container file systems")],
        remediation: "Set `securityContext.readOnlyRootFilesystem: true` and mount emptyDir volumes where the application writes.",
        fix: Fix::ManifestSet {
            path: "securityContext.readOnlyRootFilesystem",
            value: "true",
        },
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(ro),
};

fn ro(p: &PodView, s: &mut Sink) {
    // Linux-only setting: Windows pods ignore it.
    if super::is_windows(p) {
        return;
    }
    for c in &p.containers {
        match c.sc_entry(&["readOnlyRootFilesystem"]) {
            Some(e) if e.value.as_bool() == Some(true) => {}
            Some(e) => s.at_key(e, format!("{} has a writable root filesystem", c.label())),
            None => s.at_text(
                c.pos,
                "name",
                format!("{} does not set readOnlyRootFilesystem: true", c.label()),
            ),
        }
    }
}
