//! Authentication or certificate checks switched off through `environment`,
//! `command` or `entrypoint` (tables in `knowledge::insecure`).

use crate::findings::{Severity, Stride};
use crate::knowledge::insecure::{bad_env, bad_flags, Weakness};
use crate::manifest::compose::ServiceView;
use crate::manifest::yaml::Node;
use crate::rules::manifest::*;

fn settings(svc: &ServiceView, s: &mut Sink, weakness: Weakness) {
    let pick = |k: &str, v: &str| bad_env(k, v).filter(|x| x.weakness == weakness);
    for e in svc.entries("environment") {
        for kv in e.value.as_map().unwrap_or(&[]) {
            let v = kv.value.scalar_text().unwrap_or_default();
            if let Some(set) = pick(&kv.key, &v) {
                s.at_key(kv, format!("{} sets {}: {}", svc.label(), kv.key, set.why));
            }
        }
        for item in e.value.as_seq() {
            let Some((k, v)) = item.as_str().and_then(|t| t.split_once('=')) else {
                continue;
            };
            if let Some(set) = pick(k, v) {
                s.at_node_text(item, k, format!("{} sets {k}: {}", svc.label(), set.why));
            }
        }
    }
    for key in ["entrypoint", "command"] {
        let Some(n) = svc.get(key) else { continue };
        let mut words: Vec<(String, &Node)> = Vec::new();
        match n.as_str() {
            Some(text) => words.extend(text.split_whitespace().map(|w| (w.to_string(), n))),
            None => {
                for item in n.as_seq() {
                    let text = item.scalar_text().unwrap_or_default();
                    if text.contains(char::is_whitespace) {
                        words.extend(text.split_whitespace().map(|w| (w.to_string(), item)));
                    } else {
                        words.push((text, item));
                    }
                }
            }
        }
        let texts: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
        for (i, set) in bad_flags(&texts) {
            if set.weakness == weakness {
                s.at_value(
                    words[i].1,
                    format!("{} {key} passes {}: {}", svc.label(), set.name, set.why),
                );
            }
        }
    }
}

pub static AUTH_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-030",
        benchmark: Benchmark::Shipshape,
        title: "Authentication switched off through the environment or a flag",
        rationale: "Database and dashboard images read switches such as an empty-root-password \
            variable, a trust authentication method or a skip-grant-tables flag that turn their \
            own login off. Any container on the same network, or anyone reaching a published \
            port, then has full access to the data with no credential at all.",
        severity: Severity::Critical,
        stride: &[
            Stride::Spoofing,
            Stride::InformationDisclosure,
            Stride::ElevationOfPrivilege,
        ],
        refs: &[cis_docker("4.10"), cwe("306")],
        remediation: "Remove the switch and give the service a password from compose `secrets:`.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| settings(svc, s, Weakness::AuthOff)),
};

pub static INSECURE: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-031",
        benchmark: Benchmark::Shipshape,
        title: "Known-insecure setting (TLS checks off, insecure API or port)",
        rationale: "Flags and variables such as an insecure dashboard API, self-signed automatic TLS, \
            Redis without protected mode or certificate verification turned off remove the \
            protection of traffic to or from the service. An attacker on the network can read or \
            alter it, or reach an API that was meant to stay private.",
        severity: Severity::High,
        stride: &[Stride::Tampering, Stride::InformationDisclosure, Stride::Spoofing],
        refs: &[cis_docker("5.14"), cwe("295"), cwe("319")],
        remediation: "Remove the flag or variable; serve APIs only over authenticated TLS and trust the right CA instead of switching checks off.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| settings(svc, s, Weakness::Insecure)),
};
