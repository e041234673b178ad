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
        rationale: "Mounting a runtime socket, the node's root, /etc, /proc, /var/run, /root or SSH \
            directories gives the pod control over the node: it can start containers through the \
            runtime, read credentials, change host configuration or plant keys, without needing \
            any exploit. Keeping these paths out of pods removes that direct route to node \
            takeover.",
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
        cwe("668"),
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
        rationale: "Any hostPath volume couples the pod to one node's filesystem and lets it read, or \
            with write access change, files outside the container. Even harmless-looking paths \
            can be symlinked or reused to reach sensitive data. Volumes managed by Kubernetes, \
            such as emptyDir, PVCs or CSI, keep the pod inside its own storage.",
        severity: Severity::Low,
        stride: &[Stride::Tampering, Stride::InformationDisclosure],
        refs: &[cis_k8s("5.2.11"), pss_baseline("HostPath Volumes"), cwe("668")],
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
