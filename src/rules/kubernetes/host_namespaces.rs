//! Sharing the host's PID, IPC and network namespaces.

use crate::findings::{Severity, Stride};
use crate::rules::manifest::*;

pub static HOST_PID: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-007",
        benchmark: Benchmark::Shipshape,
        title: "Pod shares the host PID namespace (hostPID)",
        rationale: "",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege, Stride::InformationDisclosure],
        refs: &[
            cis_k8s("5.2.3"),
            pss_baseline("Host Namespaces"),
            nsa("Pod security: hardening container environments"),
        ],
        remediation: "Remove `hostPID: true`.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(|p, s| {
        host_namespace(
            s,
            p.field("hostPID"),
            is_true,
            &p.object_label(),
            "process namespace: it can see and signal every process on the node",
        )
    }),
};

pub static HOST_IPC: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-008",
        benchmark: Benchmark::Shipshape,
        title: "Pod shares the host IPC namespace (hostIPC)",
        rationale: "",
        severity: Severity::High,
        stride: &[Stride::InformationDisclosure, Stride::Tampering],
        refs: &[
            cis_k8s("5.2.4"),
            pss_baseline("Host Namespaces"),
            nsa("Pod security: hardening container environments"),
        ],
        remediation: "Remove `hostIPC: true`.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(|p, s| {
        host_namespace(
            s,
            p.field("hostIPC"),
            is_true,
            &p.object_label(),
            "IPC namespace (shared memory of host processes)",
        )
    }),
};

pub static HOST_NETWORK: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-009",
        benchmark: Benchmark::Shipshape,
        title: "Pod uses the host network (hostNetwork)",
        rationale: "",
        severity: Severity::High,
        stride: &[Stride::Spoofing, Stride::InformationDisclosure],
        refs: &[
            cis_k8s("5.2.5"),
            pss_baseline("Host Namespaces"),
            nsa("Network separation and hardening"),
        ],
        remediation: "Remove `hostNetwork: true` and expose the workload through a Service.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(|p, s| {
        host_namespace(
            s,
            p.field("hostNetwork"),
            is_true,
            &p.object_label(),
            "network namespace: it bypasses NetworkPolicies and reaches node-local services",
        )
    }),
};
