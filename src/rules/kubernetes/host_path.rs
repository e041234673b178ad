//! hostPath volumes.

use crate::findings::{Severity, Stride};
use crate::knowledge::host_paths;
use crate::knowledge::sockets::{self, Exposure};
use crate::manifest::k8s::PodView;
use crate::manifest::yaml::{Entry, Node};
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
    subject: Subject::Pod(sensitive),
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
    subject: Subject::Pod(any),
};

/// The pod's hostPath volumes: (volume name, the `path` entry, the path).
fn host_path_volumes<'a>(p: &PodView<'a>) -> Vec<(&'a str, &'a Entry, &'a str)> {
    let vols = p.spec.get("volumes").map(Node::as_seq).unwrap_or(&[]);
    vols.iter()
        .filter_map(|v| {
            let e = v.path_entry(&["hostPath", "path"])?;
            let path = e.value.as_str()?;
            Some((v.get_str("name").unwrap_or(""), e, path))
        })
        .collect()
}

/// Why a host path is sensitive: a runtime socket (CIS Docker 5.32) or a
/// sensitive directory (5.6), from the knowledge every family shares.
fn why_sensitive(path: &str) -> Option<&'static str> {
    if sockets::exposure(path, &[]) == Some(Exposure::Socket) {
        return Some("the container runtime socket, which gives full control of the host");
    }
    host_paths::sensitive(path).map(|h| h.why)
}

fn sensitive(p: &PodView, s: &mut Sink) {
    for (name, e, path) in host_path_volumes(p) {
        if let Some(why) = why_sensitive(path) {
            let owner = p.object_label();
            s.at_value(
                &e.value,
                format!("volume \"{name}\" of {owner} mounts {path}: {why}"),
            );
        }
    }
}

fn any(p: &PodView, s: &mut Sink) {
    for (name, e, path) in host_path_volumes(p) {
        if why_sensitive(path).is_none() {
            let owner = p.object_label();
            s.at_value(
                &e.value,
                format!("volume \"{name}\" of {owner} mounts host path {path}"),
            );
        }
    }
}
