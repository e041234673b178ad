//! Published ports.

use crate::findings::{Severity, Stride};
use crate::manifest::compose::ServiceView;
use crate::manifest::yaml::Node;
use crate::rules::manifest::*;

/// A published port.
struct Published<'a> {
    /// The host address it binds (empty: every interface).
    ip: String,
    /// The host port (or range) text; empty when Docker picks one.
    host: String,
    /// The `ports` item, which a finding highlights.
    at: &'a Node,
}

fn published<'a>(svc: &ServiceView<'a>) -> Vec<Published<'a>> {
    let mut out = Vec::new();
    for p in svc.items("ports") {
        if let Some(text) = p.scalar_text().filter(|_| p.as_map().is_none()) {
            let spec = text.split('/').next().unwrap_or("");
            // [ip:]host:container, or container only (random host port).
            let bracketed = spec.strip_prefix('[').and_then(|s| s.split_once(']'));
            let (ip, rest) = if let Some((ip, rest)) = bracketed {
                (ip.to_string(), rest.trim_start_matches(':').to_string())
            } else {
                let parts: Vec<&str> = spec.split(':').collect();
                if parts.len() == 3 {
                    (parts[0].to_string(), format!("{}:{}", parts[1], parts[2]))
                } else {
                    (String::new(), spec.to_string())
                }
            };
            let host = match rest.split_once(':') {
                Some((h, _)) => h.to_string(),
                None => String::new(),
            };
            out.push(Published { ip, host, at: p });
        } else if p.as_map().is_some() {
            let ip = p
                .get("host_ip")
                .and_then(|n| n.scalar_text())
                .unwrap_or_default();
            let host = p
                .get("published")
                .and_then(|n| n.scalar_text())
                .unwrap_or_default();
            out.push(Published { ip, host, at: p });
        }
    }
    out
}

pub static ALL_INTERFACES: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-014",
        benchmark: Benchmark::Shipshape,
        title: "Port published on all host interfaces",
        rationale: "A port published without a host address listens on every interface, including public \
            ones, and Docker's NAT rules often bypass the host firewall, so a service meant for \
            local or internal use becomes reachable from anywhere. Binding to a specific address \
            limits who can connect.",
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure, Stride::Spoofing],
        refs: &[cis_docker("5.14"), cwe("1327")],
        remediation: "Bind to a specific address, e.g. `127.0.0.1:8080:80`, or put the service behind a reverse proxy.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        for Published { ip, host, at } in published(svc) {
            if ip.is_empty() || ip == "0.0.0.0" || ip == "::" {
                let port = if host.is_empty() { "a random port".to_string() } else { format!("port {host}") };
                s.at_value(at, format!("{} publishes {port} on every host interface", svc.label()));
            }
        }
    }),
};

pub static PRIVILEGED_PORT: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-020",
        benchmark: Benchmark::Shipshape,
        title: "Privileged host port (below 1024) mapped",
        rationale:
            "Host ports below 1024 are reserved for privileged services and are often trusted as \
            such by clients and firewall rules. Mapping them to a service lets a container claim \
            well-known ports on the host. Using high host ports, with a reverse proxy in front \
            where needed, avoids that.",
        severity: Severity::Low,
        stride: &[Stride::Spoofing],
        refs: &[cis_docker("5.8")],
        remediation:
            "Map to a host port of 1024 or above and terminate well-known ports at a proxy.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        for Published { host, at, .. } in published(svc) {
            let first = host.split('-').next().unwrap_or("");
            if first.parse::<u32>().is_ok_and(|n| n > 0 && n < 1024) {
                s.at_value(
                    at,
                    format!("{} maps privileged host port {host}", svc.label()),
                );
            }
        }
    }),
};
