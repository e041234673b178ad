//! Sharing the host's PID, IPC and network namespaces.

use crate::findings::{Severity, Stride};
use crate::rules::manifest::*;

pub static HOST_PID: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-007",
        benchmark: Benchmark::Shipshape,
        title: "Pod shares the host PID namespace (hostPID)",
        rationale:
            "With hostPID the pod sees every process on the node, including their command lines \
            and environment, and can signal them, or with ptrace rights attach to them. Secrets \
            of other pods and of node services leak, and host processes become targets. The \
            pod's own PID namespace hides all of that.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege, Stride::InformationDisclosure],
        refs: &[
            cis_k8s("5.2.3"),
            pss_baseline("Host Namespaces"),
            nsa("Pod security: hardening container environments"),
            cwe("668"),
        ],
        remediation: "Remove `hostPID: true`.",
        fix: Fix::ManifestSet {
            path: "hostPID",
            value: "false",
        },
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
        rationale:
            "With hostIPC the pod joins the node's shared memory and message queues, so it can \
            read or corrupt data exchanged by host processes and other pods using them. Its own \
            IPC namespace keeps that communication out of reach.",
        severity: Severity::High,
        stride: &[Stride::InformationDisclosure, Stride::Tampering],
        refs: &[
            cis_k8s("5.2.4"),
            pss_baseline("Host Namespaces"),
            nsa("Pod security: hardening container environments"),
            cwe("668"),
        ],
        remediation: "Remove `hostIPC: true`.",
        fix: Fix::ManifestSet {
            path: "hostIPC",
            value: "false",
        },
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
        rationale:
            "With hostNetwork the pod uses the node's interfaces directly: it can reach services \
            bound to the node's localhost such as the kubelet, bind any node port, bypass \
            NetworkPolicies and observe node traffic. A pod network namespace with a Service in \
            front keeps it inside the cluster's network controls.",
        severity: Severity::High,
        stride: &[Stride::Spoofing, Stride::InformationDisclosure],
        refs: &[
            cis_k8s("5.2.5"),
            pss_baseline("Host Namespaces"),
            nsa("Network separation and hardening"),
            cwe("668"),
        ],
        remediation: "Remove `hostNetwork: true` and expose the workload through a Service.",
        fix: Fix::ManifestSet {
            path: "hostNetwork",
            value: "false",
        },
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
