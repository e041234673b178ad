//! The one registry: every rule of every family, in catalogue order.
//!
//! The CIS Docker host checks (`rules/docker`) and the manifest rules
//! (`rules/{kubernetes,dockerfile,compose}` plus the engine's own rules
//! below) are different kinds of rule — one evaluates a host snapshot, the
//! other a parsed file — but they share [`RuleMeta`], and this module lists
//! both, so `shipshape rules`, SARIF `rules[]` and the catalogue tests read
//! one list.

use super::docker::{self, Check};
use super::kubernetes_node::{self, KubeCheck};
use super::manifest::{Domain, Rule, RuleMeta, Subject};
use super::meta::{Benchmark, Fix};
use crate::findings::{Severity, Stride};

pub static SUPPRESSION_WITHOUT_REASON: Rule = Rule {
    meta: RuleMeta {
        id: "SHIPSHAPE-001",
        benchmark: Benchmark::Shipshape,
        title: "Suppression without a reason",
        rationale: "A suppression hides a finding from every later report, so the reason is the only \
            record of who accepted the risk and why. Without it, reviewers cannot tell a \
            deliberate, justified exception from a way to silence an inconvenient check. \
            Requiring a reason keeps each accepted risk accountable and revisitable.",
        severity: Severity::Medium,
        stride: &[Stride::Repudiation],
        refs: &[],
        remediation: "Write why the finding is accepted after the rule id, e.g. \
`# shipshape:ignore K8S-001 node agent needs host devices`. Until then the suppression is not applied.",
        fix: Fix::Manual,
    },
    domain: Domain::Engine,
    subject: Subject::Engine,
};

pub static SUPPRESSION_UNKNOWN_RULE: Rule = Rule {
    meta: RuleMeta {
        id: "SHIPSHAPE-002",
        benchmark: Benchmark::Shipshape,
        title: "Suppression names an unknown rule",
        rationale: "A suppression that names a rule which does not exist, usually a typo or a \
            renamed id, silences nothing. The finding it was meant for keeps appearing, or \
            its author wrongly believes the risk is handled. Reporting it gets the comment \
            corrected or removed instead of lingering as misleading documentation.",
        severity: Severity::Low,
        stride: &[Stride::Repudiation],
        refs: &[],
        remediation:
            "Fix the rule id (see `docs/scan.md` for the catalogue) or remove the suppression.",
        fix: Fix::Manual,
    },
    domain: Domain::Engine,
    subject: Subject::Engine,
};

static ENGINE_RULES: &[&Rule] = &[&SUPPRESSION_WITHOUT_REASON, &SUPPRESSION_UNKNOWN_RULE];

/// Every manifest rule (including the engine's own), in catalogue order.
pub fn manifest_rules() -> impl Iterator<Item = &'static Rule> {
    super::kubernetes::RULES
        .iter()
        .chain(super::dockerfile::RULES)
        .chain(super::compose::RULES)
        .chain(ENGINE_RULES)
        .copied()
}

/// A manifest rule by id (any case). Reports look a rule up for every
/// finding, so ids are indexed once; an id in another case than the
/// catalogue's (a user's `k8s-001`) falls back to the scan.
pub fn find(id: &str) -> Option<&'static Rule> {
    static INDEX: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static Rule>> =
        std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| manifest_rules().map(|r| (r.id, r)).collect());
    index
        .get(id)
        .copied()
        .or_else(|| manifest_rules().find(|r| r.id.eq_ignore_ascii_case(id)))
}

/// Any rule of any family, by its metadata.
pub enum AnyRule {
    Host(&'static Check),
    Manifest(&'static Rule),
    /// A CIS Kubernetes node check (sections 1–4).
    Kube(&'static KubeCheck),
}

impl AnyRule {
    pub fn meta(&self) -> &'static RuleMeta {
        match self {
            AnyRule::Host(c) => &c.meta,
            AnyRule::Manifest(r) => &r.meta,
            AnyRule::Kube(c) => &c.meta,
        }
    }

    /// The family, as `shipshape rules` groups it.
    pub fn family(&self) -> &'static str {
        match self {
            AnyRule::Host(_) => "docker",
            AnyRule::Kube(_) => "k8s-node",
            AnyRule::Manifest(r) => match r.domain {
                Domain::Kubernetes => "kubernetes",
                Domain::Dockerfile => "dockerfile",
                Domain::Compose => "compose",
                Domain::Engine => "engine",
            },
        }
    }

    /// `automated` or `manual` for benchmark checks; the inspected kind for
    /// manifest rules.
    pub fn kind(&self) -> &'static str {
        match self {
            AnyRule::Host(c) if c.automated => "automated",
            AnyRule::Host(_) => "manual",
            AnyRule::Kube(c) if c.automated => "automated",
            AnyRule::Kube(_) => "manual",
            AnyRule::Manifest(r) => match r.subject {
                Subject::Pod(_) => "pod spec",
                Subject::Object(_) => "object",
                Subject::Dockerfile(_) => "dockerfile",
                Subject::Service(_) => "service",
                Subject::Engine => "engine",
            },
        }
    }
}

/// Every rule of every family: the Docker host checks, the CIS Kubernetes
/// node checks, then the manifest rules.
pub fn all() -> impl Iterator<Item = AnyRule> {
    docker::checks()
        .iter()
        .map(AnyRule::Host)
        .chain(kubernetes_node::checks().iter().map(AnyRule::Kube))
        .chain(manifest_rules().map(AnyRule::Manifest))
}

/// Whether a selector names a rule: `5.5`, `K8S-001`, a section, or a
/// benchmark-qualified id (`docker:1.1.1`, `kubernetes:1.1.1`).
pub fn selects(r: &AnyRule, selector: &str) -> bool {
    let m = r.meta();
    match selector.split_once(':') {
        Some((b, id)) => b.trim().eq_ignore_ascii_case(m.benchmark.slug()) && m.matches(id),
        None => m.matches(selector),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique_within_each_benchmark() {
        let ids: Vec<(Benchmark, &str)> =
            all().map(|r| (r.meta().benchmark, r.meta().id)).collect();
        let set: BTreeSet<(Benchmark, &str)> = ids.iter().copied().collect();
        assert_eq!(ids.len(), set.len(), "duplicate rule ids");
    }

    #[test]
    fn every_rule_is_documented() {
        let mut gaps = Vec::new();
        for r in all() {
            let m = r.meta();
            let checks = [
                (m.title.len() > 10, "a title"),
                (!m.title.starts_with("Ensure"), "a title in our own words"),
                (m.remediation.len() > 20, "a remediation"),
                (
                    m.rationale.trim().len() >= 80,
                    "a rationale of at least 80 characters",
                ),
                (!m.stride.is_empty(), "STRIDE categories"),
            ];
            for (ok, what) in checks {
                if !ok {
                    gaps.push(format!("{} lacks {what}", m.id));
                }
            }
        }
        assert!(gaps.is_empty(), "{}", gaps.join("\n"));
    }

    /// Keys dockerd accepts in daemon.json (Engine 20.10 and later, from
    /// `dockerd --help` and the daemon reference). A fix naming anything
    /// else would make dockerd refuse to start.
    const DAEMON_JSON_KEYS: &[&str] = &[
        "allow-nondistributable-artifacts",
        "authorization-plugins",
        "bip",
        "bridge",
        "cgroup-parent",
        "data-root",
        "debug",
        "default-address-pools",
        "default-cgroupns-mode",
        "default-ipc-mode",
        "default-runtime",
        "default-shm-size",
        "default-ulimits",
        "dns",
        "dns-opts",
        "dns-search",
        "exec-opts",
        "exec-root",
        "experimental",
        "features",
        "fixed-cidr",
        "fixed-cidr-v6",
        "group",
        "hosts",
        "icc",
        "init",
        "init-path",
        "insecure-registries",
        "ip",
        "ip-forward",
        "ip-masq",
        "ip6tables",
        "iptables",
        "ipv6",
        "labels",
        "live-restore",
        "log-driver",
        "log-level",
        "log-opts",
        "max-concurrent-downloads",
        "max-concurrent-uploads",
        "max-download-attempts",
        "mtu",
        "no-new-privileges",
        "pidfile",
        "raw-logs",
        "registry-mirrors",
        "runtimes",
        "seccomp-profile",
        "selinux-enabled",
        "shutdown-timeout",
        "storage-driver",
        "storage-opts",
        "swarm-default-advertise-addr",
        "tls",
        "tlscacert",
        "tlscert",
        "tlskey",
        "tlsverify",
        "userland-proxy",
        "userland-proxy-path",
        "userns-remap",
    ];

    #[test]
    fn daemon_json_fixes_name_real_keys_with_json_values() {
        let mut seen = 0;
        for r in all() {
            let m = r.meta();
            if let Fix::DaemonJson { key, value } = m.fix {
                seen += 1;
                assert!(
                    DAEMON_JSON_KEYS.contains(&key),
                    "{}: {key} is not a daemon.json key",
                    m.id
                );
                let parsed: serde_json::Value = serde_json::from_str(value)
                    .unwrap_or_else(|e| panic!("{}: {value} is not JSON: {e}", m.id));
                assert!(!parsed.is_null(), "{}: null would unset {key}", m.id);
                assert_eq!(
                    m.section(),
                    "2",
                    "{}: daemon.json fix outside section 2",
                    m.id
                );
            }
        }
        // icc, log-level, iptables, insecure-registries, default-ulimits,
        // userns-remap, no-new-privileges, live-restore, userland-proxy,
        // experimental.
        assert_eq!(seen, 10);
        // Each daemon.json value is the one the check expects.
        let fix = |id: &str| {
            all()
                .find(|r| r.meta().id == id)
                .map(|r| r.meta().fix)
                .unwrap()
        };
        assert_eq!(
            fix("2.2"),
            Fix::DaemonJson {
                key: "icc",
                value: "false"
            }
        );
        assert_eq!(
            fix("2.9"),
            Fix::DaemonJson {
                key: "userns-remap",
                value: "\"default\""
            }
        );
        assert_eq!(
            fix("2.13"),
            Fix::Manual,
            "a log destination cannot be guessed"
        );
    }

    #[test]
    fn audit_watch_is_the_fix_of_exactly_1_1_3_to_1_1_18() {
        let watched: Vec<&str> = all()
            .filter(|r| r.meta().fix == Fix::AuditWatch)
            .map(|r| r.meta().id)
            .collect();
        let expected: Vec<String> = (3..=18).map(|n| format!("1.1.{n}")).collect();
        assert_eq!(watched, expected);
    }

    #[test]
    fn fixes_fit_their_family() {
        for r in all() {
            let m = r.meta();
            let ok = match (&r, m.fix) {
                (_, Fix::Manual) => true,
                (AnyRule::Manifest(_), Fix::ManifestSet { path, value }) => {
                    !path.is_empty() && !value.is_empty()
                }
                (AnyRule::Manifest(_), _) => false,
                (AnyRule::Host(_), Fix::ManifestSet { .. }) => false,
                (AnyRule::Host(_), Fix::FileMode { max }) => m.section() == "3" && max <= 0o777,
                (AnyRule::Host(_), Fix::FileOwner { owner }) => {
                    m.section() == "3" && owner.starts_with("root:")
                }
                (AnyRule::Host(_), Fix::Environment { name, .. }) => {
                    m.id == "4.5" && name == "DOCKER_CONTENT_TRUST"
                }
                (AnyRule::Host(_), Fix::RunOption { flag }) => {
                    matches!(m.section(), "4" | "5") && flag.starts_with("--")
                }
                (AnyRule::Host(_), Fix::AuditWatch | Fix::DaemonJson { .. }) => true,
                (AnyRule::Kube(_), Fix::FileMode { max }) => {
                    matches!(m.section(), "1" | "4") && max <= 0o777
                }
                (AnyRule::Kube(_), Fix::FileOwner { owner }) => owner.contains(':'),
                (AnyRule::Kube(_), _) => false,
            };
            assert!(ok, "{}: {:?} does not fit the rule", m.id, m.fix);
        }
    }

    #[test]
    fn benchmark_checks_carry_their_benchmark() {
        for r in all() {
            let m = r.meta();
            match r {
                AnyRule::Host(_) => assert_eq!(m.benchmark, Benchmark::CisDocker, "{}", m.id),
                AnyRule::Manifest(_) => assert_eq!(m.benchmark, Benchmark::Shipshape, "{}", m.id),
                AnyRule::Kube(_) => assert_eq!(m.benchmark, Benchmark::CisKubernetes, "{}", m.id),
            }
        }
    }

    /// The catalogue is a reviewed artifact: any change to ids, titles,
    /// severities or families shows up as a snapshot diff.
    #[test]
    fn catalogue() {
        let lines: Vec<String> = all()
            .map(|r| {
                let m = r.meta();
                format!(
                    "{:<14} {:<10} {:<10} {:<8} {}",
                    m.id,
                    r.family(),
                    r.kind(),
                    m.severity,
                    m.title
                )
            })
            .collect();
        insta::assert_snapshot!(lines.join("\n"));
    }
}
