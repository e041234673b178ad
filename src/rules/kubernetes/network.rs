//! NetworkPolicies that allow everything and Services exposed outside.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::Object;
use crate::manifest::yaml::Node;
use crate::rules::manifest::*;

pub static ALLOW_ALL: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-052",
        benchmark: Benchmark::Shipshape,
        title: "NetworkPolicy allows all traffic",
        rationale: "A NetworkPolicy rule with no peers or ports allows all traffic in that direction, so \
            the policy protects nothing, and a compromised pod can reach, or be reached from, \
            every other workload. Listing the allowed peers and ports on top of a default deny \
            keeps traffic to the paths the application really needs.",
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure, Stride::Spoofing],
        refs: &[cis_k8s("5.3.2"), nsa("Network separation and hardening: network policies")],
        remediation: "List the peers (podSelector, namespaceSelector, ipBlock) and ports each rule allows; start from default deny.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(allow_all),
};

fn open_peer(peer: &Node) -> bool {
    let cidr = peer.path(&["ipBlock", "cidr"]).and_then(Node::as_str);
    let except = peer.path(&["ipBlock", "except"]).is_some();
    matches!(cidr, Some("0.0.0.0/0") | Some("::/0")) && !except
}

fn allow_all(o: &Object, s: &mut Sink) {
    if o.kind != "NetworkPolicy" {
        return;
    }
    for (dir, peers_key) in [("ingress", "from"), ("egress", "to")] {
        let Some(rules) = o.node.path(&["spec", dir]) else {
            continue;
        };
        for rule in rules.as_seq() {
            let peers = rule.get(peers_key);
            let ports = rule.get("ports");
            let empty =
                rule.as_map().is_some_and(|m| m.is_empty()) || (peers.is_none() && ports.is_none());
            if empty {
                s.at_value(
                    rule,
                    format!(
                        "{} has an empty {dir} rule, which allows all {dir} traffic",
                        o.label()
                    ),
                );
                continue;
            }
            for p in peers.map(Node::as_seq).unwrap_or(&[]) {
                if open_peer(p) {
                    s.at_value(
                        p,
                        format!("{} allows {dir} traffic from/to any address", o.label()),
                    );
                }
            }
        }
    }
}

pub static EXPOSED_SERVICE: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-053",
        benchmark: Benchmark::Shipshape,
        title: "Service is exposed outside the cluster (NodePort or LoadBalancer)",
        rationale: "NodePort and LoadBalancer Services are reachable from outside the cluster, often \
            from the internet, on every node or through a cloud load balancer. Services meant \
            for internal use then face external attackers without an authenticating proxy in \
            front. ClusterIP behind a controlled ingress, or restricted source ranges, narrows \
            who can connect.",
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure, Stride::DenialOfService],
        refs: &[nsa("Network separation and hardening: network policies"), cwe("668")],
        remediation: "Use a ClusterIP Service behind an Ingress or gateway with authentication; if external exposure is needed, restrict `loadBalancerSourceRanges`.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(exposed),
};

fn exposed(o: &Object, s: &mut Sink) {
    if o.kind != "Service" {
        return;
    }
    if let Some(e) = o.node.path_entry(&["spec", "type"]) {
        if let Some(t @ ("NodePort" | "LoadBalancer")) = e.value.as_str() {
            if t == "LoadBalancer" && o.node.path(&["spec", "loadBalancerSourceRanges"]).is_some() {
                return;
            }
            s.at_node_text(
                &e.value,
                t,
                format!(
                    "{} is of type {t}, reachable from outside the cluster",
                    o.label()
                ),
            );
        }
    }
}
