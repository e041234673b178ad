//! hostPath volumes.

use crate::findings::{Severity, Stride};
use crate::knowledge::heuristics::sensitive_host_path;
use crate::manifest::k8s::PodView;
use crate::rules::manifest::*;

pub static SENSITIVE: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-010",
        benchmark: Benchmark::Shipshape,
        title: "Pod mounts a sensitive host path (runtime socket, /, /etc, /proc, /var/run, /root, SSH)",
        rationale: "",
        severity: Severity::Critical,
        stride: &[
        Stride::ElevationOfPrivilege,
        Stride::Tampering,
        Stride::InformationDisclosure,
    ],
        refs: &[
        cis_k8s("5.2.11"),
        pss_baseline("HostPath Volumes"),
        nsa("Pod security: hardening container environments"),
    ],
        remediation: "Remove the hostPath volume; use a ConfigMap, Secret, emptyDir or a CSI volume instead.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(|p, s| host_paths(p, s, true)),
};

pub static ANY: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-011",
        benchmark: Benchmark::Shipshape,
        title: "Pod mounts a hostPath volume",
        rationale: "",
        severity: Severity::Low,
        stride: &[Stride::Tampering, Stride::InformationDisclosure],
        refs: &[cis_k8s("5.2.11"), pss_baseline("HostPath Volumes")],
        remediation: "Prefer emptyDir, a PersistentVolumeClaim or a CSI volume; if hostPath is required, mount it read-only.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(|p, s| host_paths(p, s, false)),
};

fn host_paths(p: &PodView, s: &mut Sink, sensitive: bool) {
    let Some(vols) = p.spec.get("volumes") else {
        return;
    };
    for v in vols.as_seq() {
        let Some(e) = v.path_entry(&["hostPath", "path"]) else {
            continue;
        };
        let Some(path) = e.value.as_str() else {
            continue;
        };
        let name = v.get_str("name").unwrap_or("");
        match (sensitive_host_path(path), sensitive) {
            (Some(why), true) => s.report(
                e.value.pos,
                path.len(),
                format!(
                    "volume \"{name}\" of {} mounts {path}: {why}",
                    p.object_label()
                ),
            ),
            (None, false) => s.report(
                e.value.pos,
                path.len(),
                format!(
                    "volume \"{name}\" of {} mounts host path {path}",
                    p.object_label()
                ),
            ),
            _ => {}
        }
    }
}
