//! 7.x: swarm configuration. Every check is N/A when swarm is off: a
//! feature that is not in use earns no score.

use super::*;
use crate::findings::Severity;
use crate::rules::Scope;
use crate::snapshot::Engine;

pub(super) static CHECKS: &[Check] = &[
    Check {
        meta: RuleMeta::cis_docker("7.1", "The swarm has an odd number of managers, at most seven", Severity::Medium, &[D], "Run 3, 5 or 7 managers (docker node promote/demote) so the raft quorum tolerates failures without split votes.")
            .rationale(
                "Swarm managers keep the cluster state with raft, which needs a strict majority \
                to make any change. An even number of managers adds no fault tolerance over \
                one fewer, and very large groups slow consensus. Three, five or seven managers \
                let the cluster survive the loss of one, two or three without losing the \
                ability to schedule or recover.",
            )
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Swarm,
        eval: managers,
    },
    Check {
        meta: RuleMeta::cis_docker("7.2", "Swarm services listen on a specific interface", Severity::Medium, &[I, S], "Initialise or join with --listen-addr and --advertise-addr set to the management interface, not 0.0.0.0.")
            .rationale(
                "A swarm listening on all interfaces exposes its management and cluster ports, \
                used to join nodes and reach the managers' API, on public or untrusted \
                networks as well. An attacker there can probe or attack the control plane \
                directly. Binding to the management interface keeps cluster traffic on the \
                network meant for it.",
            )
            .refs(&[cwe("1327")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Swarm,
        eval: listen_addr,
    },
    Check {
        meta: RuleMeta::cis_docker("7.3", "Overlay networks are encrypted", Severity::Medium, &[I, T], "Create overlay networks with --opt encrypted (recreate existing ones, including ingress, with encryption).")
            .rationale(
                "Overlay networks carry container-to-container traffic between hosts, by \
                default in clear VXLAN packets. Anyone able to capture traffic on the \
                underlying network can read or inject application data, credentials included. \
                Encrypted overlays protect that traffic with IPsec between the nodes.",
            )
            .refs(&[cwe("319")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Swarm,
        eval: overlay_encryption,
    },
    Check {
        meta: RuleMeta::cis_docker("7.4", "Swarm secrets hold the services' secrets", Severity::Medium, &[I], "Store credentials as swarm secrets (docker secret create) and mount them into services, not as environment variables.")
            .rationale(
                "Credentials in environment variables or images show up in docker inspect, \
                process listings, logs and crash reports, and go wherever the service \
                definition is copied. Swarm secrets are stored encrypted in the raft log, \
                delivered only to the services granted them, and appear as in-memory files, so \
                far fewer people and tools can see them.",
            )
            .refs(&[cwe("526")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Swarm,
        eval: secrets,
    },
    Check {
        meta: RuleMeta::cis_docker("7.5", "Swarm managers auto-lock", Severity::Medium, &[I, T], "docker swarm update --autolock=true, and keep the unlock key offline.")
            .rationale(
                "A manager's raft data, which includes every swarm secret and the cluster's \
                keys, is encrypted with a key that by default sits on the same disk. Someone \
                who obtains the disk or a backup can therefore decrypt everything. Autolock \
                keeps that key out of the node, so a restarted manager needs the unlock key \
                before it exposes anything.",
            )
            .refs(&[cwe("311")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Swarm,
        eval: autolock,
    },
    Check {
        meta: RuleMeta::cis_docker("7.6", "The swarm unlock key is rotated", Severity::Low, &[I], "Rotate the unlock key on a schedule: docker swarm unlock-key --rotate.")
            .rationale(
                "The unlock key protects the managers' encrypted raft data. A key that never \
                changes keeps working for anyone who once copied it, such as a former operator \
                or a leaked note, and any future theft of a disk is then enough. Rotating it \
                on a schedule limits how long a leaked key remains useful.",
            )
            .refs(&[cwe("324")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Swarm,
        eval: unlock_rotation,
    },
    Check {
        meta: RuleMeta::cis_docker("7.7", "Node certificates are rotated as needed", Severity::Low, &[S], "Set a node certificate lifetime that fits your policy: docker swarm update --cert-expiry DURATION.")
            .rationale(
                "Node certificates authenticate every swarm node to the others. Long lifetimes \
                mean a stolen node certificate, or one from a decommissioned node, stays valid \
                for a long time. A lifetime matched to your policy keeps the window short in \
                which a stolen identity can be used to join or talk to the swarm.",
            )
            .refs(&[cwe("324")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Swarm,
        eval: node_certs,
    },
    Check {
        meta: RuleMeta::cis_docker("7.8", "The swarm CA certificate is rotated as needed", Severity::Low, &[S], "Rotate the root CA periodically: docker swarm ca --rotate.")
            .rationale(
                "The swarm root CA signs every node's certificate, so if its key is compromised \
                an attacker can issue identities the whole cluster trusts. Rotating the CA on \
                a schedule, and at once after a suspected leak, replaces the trust anchor and \
                invalidates identities minted with the old key.",
            )
            .refs(&[cwe("324")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Swarm,
        eval: ca_rotation,
    },
    Check {
        meta: RuleMeta::cis_docker("7.9", "Management traffic is separated from data traffic", Severity::Low, &[I, D], "Use --data-path-addr to carry container traffic on a different interface from the management plane.")
            .rationale(
                "When container traffic and swarm management traffic share one interface, a \
                flood of application traffic can starve the control plane, and anyone who can \
                observe data traffic is also on the management network. A separate data-path \
                address keeps the two apart for capacity and for access control.",
            )
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Swarm,
        eval: plane_separation,
    },
];

/// The engine when swarm is active, else the N/A verdict.
fn active<'a>(cx: &'a Context) -> Result<&'a Engine, Verdict> {
    let eng = engine(cx);
    if eng.info.swarm.is_active() {
        Ok(eng)
    } else {
        Err(Verdict::not_applicable("swarm mode is not enabled"))
    }
}

/// As [`active`], and the node must be a manager to see cluster state.
fn manager<'a>(cx: &'a Context) -> Result<&'a Engine, Verdict> {
    let eng = active(cx)?;
    if eng.info.swarm.control_available {
        Ok(eng)
    } else {
        Err(Verdict::error("this node is a swarm worker; cluster settings are only visible on a manager, so audit a manager"))
    }
}

fn managers(cx: &Context) -> Verdict {
    let eng = match manager(cx) {
        Ok(e) => e,
        Err(v) => return v,
    };
    let n = eng.info.swarm.managers;
    let ok = n % 2 == 1 && n <= 7;
    let outcome = if ok { Outcome::Pass } else { Outcome::Fail };
    Verdict::new(outcome, format!("{n} managers")).with(Evidence::new(
        Target::Swarm,
        outcome,
        format!("Managers={n}"),
        "1, 3, 5 or 7",
    ))
}

fn listen_addr(cx: &Context) -> Verdict {
    if let Err(v) = manager(cx) {
        return v;
    }
    let listeners = match cx.snap.host.listeners.as_result() {
        Ok(l) => l,
        Err(e) => return Verdict::error(e.to_string()),
    };
    let l: Vec<_> = listeners.iter().filter(|l| l.port == 2377).collect();
    if l.is_empty() {
        return Verdict::error("no listener on port 2377 is visible from this network namespace");
    }
    summarise(
        l.iter()
            .map(|l| {
                let wild = l.address == "0.0.0.0" || l.address == "::";
                Evidence::new(
                    Target::Swarm,
                    if wild { Outcome::Fail } else { Outcome::Pass },
                    format!("{} {}:2377", l.proto, l.address),
                    "a specific address",
                )
            })
            .collect(),
        "listener",
    )
}

fn overlay_encryption(cx: &Context) -> Verdict {
    let eng = engine(cx);
    let overlays: Vec<_> = eng
        .networks
        .iter()
        .filter(|n| n.driver == "overlay")
        .collect();
    if overlays.is_empty() {
        return Verdict::not_applicable("no overlay networks");
    }
    summarise(
        overlays
            .iter()
            .map(|n| {
                let target = Target::Network {
                    id: n.id.chars().take(12).collect(),
                    name: n.name.clone(),
                };
                if n.options.contains_key("encrypted") {
                    Evidence::new(target, Outcome::Pass, "encrypted", "")
                } else if n.ingress || n.name == "ingress" {
                    Evidence::new(
                        target,
                        Outcome::Warn,
                        "the ingress network is not encrypted (carries published-port traffic)",
                        "encrypted",
                    )
                } else {
                    Evidence::new(target, Outcome::Fail, "not encrypted", "--opt encrypted")
                }
            })
            .collect(),
        "overlay network",
    )
}

fn secrets(cx: &Context) -> Verdict {
    let eng = match manager(cx) {
        Ok(e) => e,
        Err(v) => return v,
    };
    match eng.swarm_secrets {
        Some(n) if n > 0 => Verdict::pass(format!("{n} swarm secrets are in use")),
        Some(_) => {
            manual("no swarm secrets exist; confirm services get credentials another safe way")
        }
        None => Verdict::error("swarm secrets were not collected"),
    }
}

fn autolock(cx: &Context) -> Verdict {
    let eng = match manager(cx) {
        Ok(e) => e,
        Err(v) => return v,
    };
    match &eng.swarm {
        None => Verdict::error("the swarm specification was not collected"),
        Some(s) if s.spec.encryption_config.auto_lock_managers => {
            Verdict::pass("managers auto-lock")
        }
        Some(_) => Verdict::fail("managers do not auto-lock: raft keys sit unencrypted on disk")
            .with(Evidence::new(
                Target::Swarm,
                Outcome::Fail,
                "AutoLockManagers=false",
                "true",
            )),
    }
}

fn unlock_rotation(cx: &Context) -> Verdict {
    match manager(cx) {
        Err(v) => v,
        Ok(_) => manual("confirm the unlock key is rotated on a schedule"),
    }
}

fn node_certs(cx: &Context) -> Verdict {
    let eng = match manager(cx) {
        Ok(e) => e,
        Err(v) => return v,
    };
    let days = eng
        .swarm
        .as_ref()
        .map(|s| s.spec.ca_config.node_cert_expiry / 86_400_000_000_000);
    manual(&format!(
        "node certificates live {}; confirm that fits your rotation policy",
        days.map(|d| format!("{d} days"))
            .unwrap_or_else(|| "an unknown time".into())
    ))
}

fn ca_rotation(cx: &Context) -> Verdict {
    match manager(cx) {
        Err(v) => v,
        Ok(_) => manual("confirm the swarm root CA is rotated periodically"),
    }
}

fn plane_separation(cx: &Context) -> Verdict {
    match active(cx) {
        Err(v) => v,
        Ok(e) => manual(&format!(
            "management address is {}; confirm data traffic uses a separate --data-path-addr",
            e.info.swarm.node_addr
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::snapshot::{Listener, Network, Probe, SwarmSpecInfo};

    fn swarm_manager(managers: u64) -> crate::snapshot::Snapshot {
        let mut s = hardened();
        let e = engine_mut(&mut s);
        e.info.swarm.local_node_state = "active".into();
        e.info.swarm.control_available = true;
        e.info.swarm.managers = managers;
        e.info.swarm.nodes = 3;
        e.swarm = Some(SwarmSpecInfo::default());
        e.swarm_secrets = Some(0);
        s
    }

    #[test]
    fn everything_is_not_applicable_without_swarm() {
        let s = hardened();
        for id in [
            "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "7.7", "7.8", "7.9",
        ] {
            expect(id, &s, Outcome::NotApplicable);
        }
    }

    #[test]
    fn manager_count_listen_address_and_autolock() {
        let mut s = swarm_manager(3);
        expect("7.1", &s, Outcome::Pass);
        engine_mut(&mut s).info.swarm.managers = 2;
        expect("7.1", &s, Outcome::Fail);
        s.host.listeners = Probe::Ok(vec![Listener {
            proto: "tcp6".into(),
            address: "::".into(),
            port: 2377,
        }]);
        expect("7.2", &s, Outcome::Fail);
        s.host.listeners = Probe::Ok(vec![Listener {
            proto: "tcp".into(),
            address: "10.0.0.5".into(),
            port: 2377,
        }]);
        expect("7.2", &s, Outcome::Pass);
        expect("7.5", &s, Outcome::Fail);
        engine_mut(&mut s)
            .swarm
            .as_mut()
            .unwrap()
            .spec
            .encryption_config
            .auto_lock_managers = true;
        expect("7.5", &s, Outcome::Pass);
        expect("7.4", &s, Outcome::Warn);
        engine_mut(&mut s).swarm_secrets = Some(2);
        expect("7.4", &s, Outcome::Pass);
        engine_mut(&mut s).info.swarm.control_available = false;
        expect("7.1", &s, Outcome::Error);
    }

    #[test]
    fn overlay_networks() {
        let mut s = swarm_manager(1);
        engine_mut(&mut s).networks.push(Network {
            name: "ingress".into(),
            driver: "overlay".into(),
            ingress: true,
            ..Default::default()
        });
        expect("7.3", &s, Outcome::Warn);
        engine_mut(&mut s).networks.push(Network {
            name: "backend".into(),
            driver: "overlay".into(),
            ..Default::default()
        });
        expect("7.3", &s, Outcome::Fail);
        engine_mut(&mut s).networks[2]
            .options
            .insert("encrypted".into(), "".into());
        expect("7.3", &s, Outcome::Warn);
    }
}
