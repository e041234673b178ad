//! The one list of every scan rule, and the engine's own rules.

use super::rule::{Check, Domain, Rule};
use crate::findings::{Severity, Stride};

pub static SUPPRESSION_WITHOUT_REASON: Rule = Rule {
    id: "SHIPSHAPE-001",
    title: "Suppression without a reason",
    domain: Domain::Engine,
    severity: Severity::Medium,
    stride: &[Stride::Repudiation],
    refs: &[],
    remediation: "Write why the finding is accepted after the rule id, e.g. \
`# shipshape:ignore K8S-001 node agent needs host devices`. Until then the suppression is not applied.",
    check: Check::Engine,
};

pub static SUPPRESSION_UNKNOWN_RULE: Rule = Rule {
    id: "SHIPSHAPE-002",
    title: "Suppression names an unknown rule",
    domain: Domain::Engine,
    severity: Severity::Low,
    stride: &[Stride::Repudiation],
    refs: &[],
    remediation:
        "Fix the rule id (see `docs/scan.md` for the catalogue) or remove the suppression.",
    check: Check::Engine,
};

static ENGINE_RULES: &[&Rule] = &[&SUPPRESSION_WITHOUT_REASON, &SUPPRESSION_UNKNOWN_RULE];

/// Every rule, in catalogue order.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    crate::rules::kubernetes::RULES
        .iter()
        .chain(crate::rules::dockerfile::RULES)
        .chain(crate::rules::compose::RULES)
        .chain(ENGINE_RULES)
        .copied()
}

pub fn find(id: &str) -> Option<&'static Rule> {
    all().find(|r| r.id.eq_ignore_ascii_case(id))
}
