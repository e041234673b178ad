//! Resource requests and limits.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::{ContainerKind, PodView};
use crate::rules::manifest::*;

pub static LIMITS: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-016",
        benchmark: Benchmark::Shipshape,
        title: "Container has no CPU or memory limit",
        rationale:
            "A container without limits can take all of a node's memory or CPU. A leak, a load \
            spike or a deliberate exhaustion attack then degrades or evicts every other pod on \
            that node and can destabilise the kubelet. Limits keep one workload's failure to \
            itself.",
        severity: Severity::Medium,
        stride: &[Stride::DenialOfService],
        refs: &[
            nsa("Network separation and hardening: resource policies"),
            cwe("770"),
        ],
        remediation:
            "Set `resources.limits.memory` and `resources.limits.cpu` (or a namespace LimitRange).",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(|p, s| check(p, s, "limits")),
};

pub static REQUESTS: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-017",
        benchmark: Benchmark::Shipshape,
        title: "Container has no CPU or memory request",
        rationale: "Without requests the scheduler assumes the container needs nothing, so it can pack \
            pods onto a node that cannot actually run them, and under pressure those pods are \
            evicted first. Requests that reflect real use let the scheduler place workloads \
            where they fit and keep them running.",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        refs: &[nsa("Network separation and hardening: resource policies")],
        remediation: "Set `resources.requests.memory` and `resources.requests.cpu` so the scheduler can place the pod safely.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(|p, s| check(p, s, "requests")),
};

fn check(p: &PodView, s: &mut Sink, which: &str) {
    for c in &p.containers {
        if c.kind == ContainerKind::Ephemeral {
            continue; // ephemeral containers cannot have resources
        }
        let section = c.node.path_entry(&["resources", which]);
        let missing: Vec<&str> = ["cpu", "memory"]
            .into_iter()
            .filter(|k| {
                section
                    .and_then(|e| e.value.get(k))
                    .is_none_or(|v| v.is_null())
            })
            .collect();
        if missing.is_empty() {
            continue;
        }
        let message = format!("{} has no {} {which}", c.label(), missing.join(" or "));
        match section {
            Some(e) => s.at_key(e, message),
            None => s.at_text(c.pos, "name", message),
        }
    }
}
