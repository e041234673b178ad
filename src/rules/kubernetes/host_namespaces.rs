//! Sharing the host's PID, IPC and network namespaces.

use crate::findings::{Severity, Stride};
use crate::scan::k8s::PodView;
use crate::scan::rule::*;

fn host_flag(p: &PodView, s: &mut Sink, key: &str, what: &str) {
    if let Some(e) = p.field(key) {
        if e.value.as_bool() == Some(true) {
            s.report(
                e.key_pos,
                e.key.len(),
                format!("{} shares the host's {what}", p.object_label()),
            );
        }
    }
}

pub static HOST_PID: Rule = Rule {
    id: "K8S-007",
    title: "Pod shares the host PID namespace (hostPID)",
    domain: Domain::Kubernetes,
    severity: Severity::High,
    stride: &[Stride::ElevationOfPrivilege, Stride::InformationDisclosure],
    refs: &[
        cis_k8s("5.2.3"),
        pss_baseline("Host Namespaces"),
        nsa("Pod security: hardening container environments"),
    ],
    remediation: "Remove `hostPID: true`.",
    check: Check::Pod(|p, s| {
        host_flag(
            p,
            s,
            "hostPID",
            "process namespace: it can see and signal every process on the node",
        )
    }),
};

pub static HOST_IPC: Rule = Rule {
    id: "K8S-008",
    title: "Pod shares the host IPC namespace (hostIPC)",
    domain: Domain::Kubernetes,
    severity: Severity::High,
    stride: &[Stride::InformationDisclosure, Stride::Tampering],
    refs: &[
        cis_k8s("5.2.4"),
        pss_baseline("Host Namespaces"),
        nsa("Pod security: hardening container environments"),
    ],
    remediation: "Remove `hostIPC: true`.",
    check: Check::Pod(|p, s| {
        host_flag(
            p,
            s,
            "hostIPC",
            "IPC namespace (shared memory of host processes)",
        )
    }),
};

pub static HOST_NETWORK: Rule = Rule {
    id: "K8S-009",
    title: "Pod uses the host network (hostNetwork)",
    domain: Domain::Kubernetes,
    severity: Severity::High,
    stride: &[Stride::Spoofing, Stride::InformationDisclosure],
    refs: &[
        cis_k8s("5.2.5"),
        pss_baseline("Host Namespaces"),
        nsa("Network separation and hardening"),
    ],
    remediation: "Remove `hostNetwork: true` and expose the workload through a Service.",
    check: Check::Pod(|p, s| {
        host_flag(
            p,
            s,
            "hostNetwork",
            "network namespace: it bypasses NetworkPolicies and reaches node-local services",
        )
    }),
};
