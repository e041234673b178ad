//! Resource requests and limits.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::{ContainerKind, PodView};
use crate::rules::manifest::*;

pub static LIMITS: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-016",
        benchmark: Benchmark::Shipshape,
        title: "Container has no CPU or memory limit",
        rationale: "",
        severity: Severity::Medium,
        stride: &[Stride::DenialOfService],
        refs: &[nsa("Network separation and hardening: resource policies")],
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
        rationale: "",
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
