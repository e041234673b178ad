//! The one registry: every rule of every family, in catalogue order.
//!
//! The CIS Docker host checks (`rules/docker`) and the manifest rules
//! (`rules/{kubernetes,dockerfile,compose}` plus the engine's own rules
//! below) are different kinds of rule — one evaluates a host snapshot, the
//! other a parsed file — but they share [`RuleMeta`], and this module lists
//! both, so `shipshape rules`, SARIF `rules[]` and the catalogue tests read
//! one list.

use super::docker::{self, Check};
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
        rationale:
            "A suppression naming a rule that does not exist, often a typo or a renamed id, \
            silences nothing, so the finding it was meant for still appears, or worse, the \
            author believes a risk is handled when it is not. Reporting it lets the comment be \
            fixed or removed.",
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

/// A manifest rule by id (any case).
pub fn find(id: &str) -> Option<&'static Rule> {
    manifest_rules().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// Any rule of any family, by its metadata.
pub enum AnyRule {
    Host(&'static Check),
    Manifest(&'static Rule),
}

impl AnyRule {
    pub fn meta(&self) -> &'static RuleMeta {
        match self {
            AnyRule::Host(c) => &c.meta,
            AnyRule::Manifest(r) => &r.meta,
        }
    }

    /// The family, as `shipshape rules` groups it.
    pub fn family(&self) -> &'static str {
        match self {
            AnyRule::Host(_) => "docker",
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

/// Every rule of every family: the Docker host checks, then the manifest
/// rules.
pub fn all() -> impl Iterator<Item = AnyRule> {
    docker::checks()
        .iter()
        .map(AnyRule::Host)
        .chain(manifest_rules().map(AnyRule::Manifest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique_across_every_family() {
        let ids: Vec<&str> = all().map(|r| r.meta().id).collect();
        let set: BTreeSet<&str> = ids.iter().copied().collect();
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

    #[test]
    fn benchmark_checks_carry_their_benchmark() {
        for r in all() {
            let m = r.meta();
            match r {
                AnyRule::Host(_) => assert_eq!(m.benchmark, Benchmark::CisDocker, "{}", m.id),
                AnyRule::Manifest(_) => assert_eq!(m.benchmark, Benchmark::Shipshape, "{}", m.id),
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
