//! Environment variables and command-line flags that switch a service's
//! authentication or certificate checks off (tables in
//! `knowledge::insecure`).

use crate::findings::{Severity, Stride};
use crate::knowledge::insecure::{bad_env, bad_flags, Weakness};
use crate::manifest::k8s::{Container, PodView};
use crate::manifest::yaml::Node;
use crate::rules::manifest::*;

/// The words of a container's `command` and `args`, each with the item it
/// came from (an item such as `redis-server --protected-mode no` under
/// `sh -c` is split into words).
fn command_words<'a>(c: &Container<'a>) -> Vec<(String, &'a Node)> {
    let mut out = Vec::new();
    for key in ["command", "args"] {
        for item in c.node.get(key).map(Node::as_seq).unwrap_or(&[]) {
            let Some(text) = item.scalar_text() else {
                continue;
            };
            if text.trim().is_empty() || !text.contains(char::is_whitespace) {
                out.push((text, item));
            } else {
                out.extend(text.split_whitespace().map(|w| (w.to_string(), item)));
            }
        }
    }
    out
}

fn settings(p: &PodView, s: &mut Sink, weakness: Weakness) {
    for c in &p.containers {
        for var in c.node.get("env").map(Node::as_seq).unwrap_or(&[]) {
            let (Some(name), Some(v)) = (var.get_str("name"), var.entry("value")) else {
                continue;
            };
            let value = v.value.scalar_text().unwrap_or_default();
            if let Some(set) = bad_env(name, &value).filter(|x| x.weakness == weakness) {
                s.at_key(v, format!("{} sets {name}={value}: {}", c.label(), set.why));
            }
        }
        let words = command_words(c);
        let texts: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
        for (i, set) in bad_flags(&texts) {
            if set.weakness == weakness {
                s.at_value(
                    words[i].1,
                    format!("{} passes {}: {}", c.label(), set.name, set.why),
                );
            }
        }
    }
}

pub static AUTH_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-060",
        benchmark: Benchmark::Shipshape,
        title: "Authentication switched off through the environment or a flag",
        rationale: "Database and dashboard images read switches such as an empty-root-password \
            variable, a trust authentication method or a skip-grant-tables flag that turn their \
            own login off. Anything that can reach the pod over the network, another pod \
            included, then has full access to the data with no credential at all.",
        severity: Severity::Critical,
        stride: &[
            Stride::Spoofing,
            Stride::InformationDisclosure,
            Stride::ElevationOfPrivilege,
        ],
        refs: &[
            nsa("Authentication and authorization: authentication"),
            cwe("306"),
        ],
        remediation: "Remove the switch and give the service a password or token from a Secret.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(|p, s| settings(p, s, Weakness::AuthOff)),
};

pub static INSECURE: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-061",
        benchmark: Benchmark::Shipshape,
        title: "Known-insecure setting (TLS checks off, insecure API or port)",
        rationale: "Flags and variables such as an insecure API switch, self-signed automatic TLS, an \
            unauthenticated read-only port or turning certificate verification off remove the \
            protection of traffic to or from the workload. An attacker on the network can read \
            or alter that traffic, or reach an API that was meant to be private.",
        severity: Severity::High,
        stride: &[Stride::Tampering, Stride::InformationDisclosure, Stride::Spoofing],
        refs: &[nsa("Network separation and hardening"), cwe("295"), cwe("319")],
        remediation: "Remove the flag or variable; use certificates from a trusted CA and serve APIs only over authenticated TLS.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(|p, s| settings(p, s, Weakness::Insecure)),
};
