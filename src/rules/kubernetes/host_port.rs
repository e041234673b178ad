//! Host ports.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::PodView;
use crate::rules::manifest::*;

pub static HOST_PORT: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-012",
        benchmark: Benchmark::Shipshape,
        title: "Container binds a host port (hostPort)",
        rationale: "A hostPort binds the container to a port on the node's own address, bypassing \
            Services and often NetworkPolicies, and exposes it to everything that can reach the \
            node. It also pins pods to nodes where that port is free. Exposing the workload \
            through a Service keeps access within the cluster's network model.",
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure, Stride::Spoofing],
        refs: &[
            cis_k8s("5.2.12"),
            pss_baseline("Host Ports"),
            nsa("Network separation and hardening"),
        ],
        remediation: "Remove `hostPort` and publish the port through a Service.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(host_port),
};

fn host_port(p: &PodView, s: &mut Sink) {
    for c in &p.containers {
        for port in c.node.get("ports").map(|n| n.as_seq()).unwrap_or(&[]) {
            if let Some(e) = port.entry("hostPort") {
                if e.value.as_i64().is_some_and(|v| v > 0) {
                    s.at_key(
                        e,
                        format!(
                            "{} binds host port {}",
                            c.label(),
                            e.value.scalar_text().unwrap_or_default()
                        ),
                    );
                }
            }
        }
    }
}
