//! 5.x networking: published ports, bind addresses, host networking and
//! the default bridge.

use super::*;
use crate::findings::Severity;
use crate::rules::Scope;
use crate::snapshot::PublishedPort;

pub(super) static CHECKS: &[Check] = &[
    Check {
        meta: RuleMeta::cis_docker("5.8", "No privileged host ports (below 1024) are published", Severity::Medium, &[E, I], "Publish on host ports 1024 and above (-p 8080:80) and put a proxy in front if port 80/443 is required.")
            .rationale(
                "Ports below 1024 are reserved for privileged services, and clients and other \
                hosts often treat a service there as trusted. Publishing them from containers \
                lets a workload claim well-known service ports on the host, and getting there \
                tends to require extra privileges. Using high host ports, with a proxy in \
                front where needed, avoids both.",
            )
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Container,
        eval: privileged_ports,
    },
    Check {
        meta: RuleMeta::cis_docker("5.9", "Only the ports a container needs are published", Severity::Medium, &[I], "Publish only the ports the service must expose; remove -p/-P mappings that are not needed.")
            .rationale(
                "Every published port is a way into the container from outside the host. Ports \
                that no client needs, such as debug, admin or database ports, let an attacker \
                reach services that were never meant to face the network. Publishing only the \
                ports the service must expose keeps the reachable surface to what is intended.",
            )
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Container,
        eval: needed_ports,
    },
    Check {
        meta: RuleMeta::cis_docker("5.10", "Containers do not share the host's network namespace", Severity::High, &[I, S, E], "Remove --network host; publish the needed ports on a bridge or user-defined network.")
            .rationale(
                "With the host's network namespace the container sees every host interface, can \
                bind any host port, reach services listening only on localhost and, with the \
                right capabilities, sniff or reconfigure host traffic. Its own network \
                namespace confines it to its bridge and to the ports deliberately published.",
            )
            .refs(&[cwe("668")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Container,
        eval: host_network,
    },
    Check {
        meta: RuleMeta::cis_docker("5.14", "Published ports are bound to a specific host address", Severity::Medium, &[I], "Bind published ports to the interface that must serve them, e.g. -p 127.0.0.1:8080:80 or -p 10.0.0.5:443:443, never 0.0.0.0 or [::].")
            .rationale(
                "A port published without a host address listens on every interface, including \
                public ones that a firewall may not cover because Docker's own NAT rules \
                bypass it. A service meant for localhost or an internal network is then \
                reachable from anywhere. Binding to the specific address that should serve it \
                keeps the exposure where it was intended.",
            )
            .refs(&[cwe("1327")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Container,
        eval: bind_address,
    },
    Check {
        meta: RuleMeta::cis_docker("5.30", "Containers are not attached to the default docker0 bridge", Severity::Low, &[I, S], "Attach containers to user-defined networks (docker network create) instead of the default bridge.")
            .rationale(
                "On the default docker0 bridge every container can reach every other by IP, \
                there is no name-based isolation, and icc settings apply to all of them at \
                once. A compromised container can scan and attack unrelated workloads. \
                User-defined networks separate applications from each other and connect only \
                what belongs together.",
            )
            .refs(&[cwe("668")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Container,
        eval: docker0,
    },
];

fn wildcard(ip: &str) -> bool {
    matches!(ip.trim_matches(['[', ']']), "" | "0.0.0.0" | "::")
}

fn port_label(p: &PublishedPort) -> String {
    let ip = if p.host_ip.is_empty() {
        "0.0.0.0"
    } else {
        &p.host_ip
    };
    let ip = if ip.contains(':') {
        format!("[{ip}]")
    } else {
        ip.to_string()
    };
    format!(
        "{ip}:{}->{}",
        p.host_port
            .map(|x| x.to_string())
            .unwrap_or_else(|| "?".into()),
        p.container_port
    )
}

fn privileged_ports(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        let low: Vec<String> = c
            .published_ports()
            .iter()
            .filter(|p| p.host_port.is_some_and(|n| n > 0 && n < 1024))
            .map(port_label)
            .collect();
        if low.is_empty() {
            obs(Outcome::Pass, "no host port below 1024", "")
        } else {
            obs(Outcome::Fail, low.join(", "), "host ports >= 1024")
        }
    })
}

fn needed_ports(cx: &Context) -> Verdict {
    let mut v = per_container(cx, |c| {
        let ports: Vec<String> = c.published_ports().iter().map(port_label).collect();
        if ports.is_empty() {
            obs(Outcome::Pass, "no published ports", "")
        } else {
            obs(
                Outcome::Warn,
                format!("publishes {}", ports.join(", ")),
                "only needed ports",
            )
        }
    });
    if v.outcome == Outcome::Warn {
        v.message = format!("manual check: {}", v.message);
    }
    v
}

fn host_network(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        if c.host_config.network_mode == "host" {
            obs(Outcome::Fail, "NetworkMode=host", "a container network")
        } else {
            obs(
                Outcome::Pass,
                format!("NetworkMode={}", c.host_config.network_mode),
                "",
            )
        }
    })
}

fn bind_address(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        if c.host_config.network_mode == "host" {
            return obs(
                Outcome::Warn,
                "NetworkMode=host: the process picks its own bind addresses",
                "explicit bind addresses",
            );
        }
        let ports = c.published_ports();
        let open: Vec<String> = ports
            .iter()
            .filter(|p| wildcard(&p.host_ip))
            .map(port_label)
            .collect();
        if !open.is_empty() {
            obs(
                Outcome::Fail,
                format!("bound to every interface: {}", open.join(", ")),
                "a specific host address",
            )
        } else if ports.is_empty() {
            obs(Outcome::Pass, "no published ports", "")
        } else {
            obs(
                Outcome::Pass,
                ports.iter().map(port_label).collect::<Vec<_>>().join(", "),
                "",
            )
        }
    })
}

fn docker0(cx: &Context) -> Verdict {
    let eng = engine(cx);
    let default_nets: Vec<&str> = eng
        .networks
        .iter()
        .filter(|n| {
            n.options
                .get("com.docker.network.bridge.name")
                .map(String::as_str)
                == Some("docker0")
                || (n.name == "bridge"
                    && n.driver == "bridge"
                    && !n.options.contains_key("com.docker.network.bridge.name"))
        })
        .map(|n| n.name.as_str())
        .collect();
    let mut v = per_container(cx, |c| {
        match c
            .network_settings
            .networks
            .keys()
            .find(|k| default_nets.contains(&k.as_str()))
        {
            // A container that never started (or is stopped) has no
            // endpoint: it is configured for docker0, not attached to it.
            Some(n) if !c.state.running
                && c.network_settings.networks[n].ip_address.is_empty() =>
            {
                obs(
                    Outcome::Warn,
                    format!(
                        "configured for {n} (docker0), no endpoint now (status {}); it attaches when started",
                        if c.state.status.is_empty() { "not running" } else { c.state.status.as_str() }
                    ),
                    "a user-defined network",
                )
            }
            Some(n) => obs(
                Outcome::Warn,
                format!("attached to {n} (docker0)"),
                "a user-defined network",
            ),
            None => {
                let nets: Vec<&str> = c
                    .network_settings
                    .networks
                    .keys()
                    .map(String::as_str)
                    .collect();
                let shown = if nets.is_empty() {
                    c.host_config.network_mode.clone()
                } else {
                    nets.join(", ")
                };
                obs(Outcome::Pass, format!("networks: {shown}"), "")
            }
        }
    });
    if v.outcome == Outcome::Warn {
        v.message = format!("manual check: {}", v.message);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::snapshot::PortBinding;

    fn publish(s: &mut crate::snapshot::Snapshot, ip: &str, port: &str) {
        web(s).network_settings.ports.insert(
            "80/tcp".into(),
            Some(vec![PortBinding {
                host_ip: ip.into(),
                host_port: port.into(),
            }]),
        );
    }

    #[test]
    fn low_ports_fail_and_1024_passes_ipv6_included() {
        let mut s = hardened();
        expect("5.8", &s, Outcome::Pass);
        publish(&mut s, "127.0.0.1", "1024");
        expect("5.8", &s, Outcome::Pass);
        publish(&mut s, "::", "80");
        let f = expect("5.8", &s, Outcome::Fail);
        assert!(f.evidence[0].observed.contains("[::]:80"));
    }

    #[test]
    fn wildcard_binds_fail_on_ipv4_and_ipv6() {
        let mut s = hardened();
        expect("5.14", &s, Outcome::Pass);
        publish(&mut s, "127.0.0.1", "8080");
        expect("5.14", &s, Outcome::Pass);
        publish(&mut s, "0.0.0.0", "8080");
        expect("5.14", &s, Outcome::Fail);
        publish(&mut s, "::", "8080");
        expect("5.14", &s, Outcome::Fail);
        publish(&mut s, "", "8080");
        expect("5.14", &s, Outcome::Fail);
    }

    #[test]
    fn published_ports_need_review_only_when_present() {
        let mut s = hardened();
        expect("5.9", &s, Outcome::Pass);
        publish(&mut s, "127.0.0.1", "8080");
        expect("5.9", &s, Outcome::Warn);
    }

    #[test]
    fn host_network_and_docker0() {
        let mut s = hardened();
        expect("5.10", &s, Outcome::Pass);
        expect("5.30", &s, Outcome::Pass);
        web(&mut s)
            .network_settings
            .networks
            .insert("bridge".into(), Default::default());
        let f = expect("5.30", &s, Outcome::Warn);
        assert!(f
            .evidence
            .iter()
            .any(|e| e.observed.starts_with("attached to bridge")));
        // Created and never started: configured for docker0, not attached.
        web(&mut s).state.running = false;
        web(&mut s).state.status = "created".into();
        let f = expect("5.30", &s, Outcome::Warn);
        assert!(
            f.evidence
                .iter()
                .any(|e| e.observed.contains("no endpoint now (status created)")),
            "{:?}",
            f.evidence
        );
        assert!(!f
            .evidence
            .iter()
            .any(|e| e.observed.starts_with("attached")));
        web(&mut s).state.running = true;
        web(&mut s).host_config.network_mode = "host".into();
        expect("5.10", &s, Outcome::Fail);
        expect("5.14", &s, Outcome::Warn);
    }
}
