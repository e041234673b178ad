//! Evaluation: match the library against the model, link benchmark findings
//! as evidence, rate risk and decide each instance's status.

use super::library::{
    AppliesTo, EvidenceRole, FactMatch, FlowCondition, Impact, Library, Likelihood, Threat,
};
use super::model::{Component, Fact, Flow, ModelIndex, SystemModel};
use crate::findings::{Evidence, Finding, Outcome, Severity, Stride, Target};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Where a threat instance stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A failing benchmark check shows the weakness is present.
    OpenConfirmed,
    /// The threat applies; no evidence either way.
    OpenUnverified,
    /// Every evaluated evidence check passed.
    Mitigated,
    /// Waived in the model file.
    Accepted,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::OpenConfirmed => "open-confirmed",
            Status::OpenUnverified => "open-unverified",
            Status::Mitigated => "mitigated",
            Status::Accepted => "accepted",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Status::OpenConfirmed => "open, confirmed",
            Status::OpenUnverified => "open, unverified",
            Status::Mitigated => "mitigated",
            Status::Accepted => "accepted",
        }
    }
    pub fn is_open(self) -> bool {
        matches!(self, Status::OpenConfirmed | Status::OpenUnverified)
    }
}

/// A waiver from the model file: instances whose id matches `pattern`
/// (`*` and `?` wildcards) are accepted until `expires` (inclusive).
#[derive(Debug, Clone, Serialize)]
pub struct Waiver {
    pub pattern: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Days since 1970-01-01 of `expires`.
    #[serde(skip)]
    pub expires_day: Option<i64>,
    /// `file:line:column` of the waiver.
    pub at: String,
}

/// Risk rating: likelihood × impact → severity.
pub fn severity(l: Likelihood, i: Impact) -> Severity {
    match l.weight() * i.weight() {
        0..=2 => Severity::Low,
        3..=4 => Severity::Medium,
        5..=8 => Severity::High,
        _ => Severity::Critical,
    }
}

/// One target named by a finding's evidence.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceTarget {
    pub kind: &'static str,
    pub name: String,
    pub outcome: Outcome,
    pub observed: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub expected: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// One benchmark check as evidence for one instance.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceItem {
    pub check: String,
    pub title: String,
    pub role: EvidenceRole,
    /// The outcome for this instance's component (not the check overall).
    pub outcome: Outcome,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<EvidenceTarget>,
    pub remediation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppliedWaiver {
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    pub at: String,
}

/// A threat applied to one component (and possibly one flow).
#[derive(Debug, Clone)]
pub struct Instance {
    /// `threat@component[@flow]`, stable across runs.
    pub id: String,
    pub threat: usize,
    pub component: usize,
    pub flow: Option<usize>,
    pub likelihood: Likelihood,
    pub impact: Impact,
    pub severity: Severity,
    pub status: Status,
    pub evidence: Vec<EvidenceItem>,
    /// Why the rating and status are what they are.
    pub explanation: Vec<String>,
    pub waiver: Option<AppliedWaiver>,
}

/// The evaluated threat model: borrowed model and library, owned instances.
pub struct Analysis<'a> {
    pub model: &'a SystemModel,
    pub library: &'a Library,
    pub instances: Vec<Instance>,
    /// Non-fatal problems (waivers that match nothing, expired waivers).
    pub warnings: Vec<String>,
    /// Whether benchmark findings were available at all.
    pub has_findings: bool,
}

impl<'a> Analysis<'a> {
    pub fn threat(&self, i: &Instance) -> &'a Threat {
        &self.library.threats[i.threat]
    }
    pub fn component(&self, i: &Instance) -> &'a Component {
        &self.model.components[i.component]
    }
    pub fn flow(&self, i: &Instance) -> Option<&'a Flow> {
        i.flow.map(|f| &self.model.flows[f])
    }

    /// The highest severity of an open instance on each component.
    pub fn highest_open(&self) -> Vec<Option<Severity>> {
        let mut out = vec![None; self.model.components.len()];
        for i in self.instances.iter().filter(|i| i.status.is_open()) {
            let slot: &mut Option<Severity> = &mut out[i.component];
            *slot = Some(slot.map_or(i.severity, |s| s.max(i.severity)));
        }
        out
    }

    /// Whether an open instance at or above `sev` exists.
    pub fn has_open_at_least(&self, sev: Severity) -> bool {
        self.instances
            .iter()
            .any(|i| i.status.is_open() && i.severity >= sev)
    }

    pub fn count_by_status(&self) -> BTreeMap<Status, usize> {
        let mut m = BTreeMap::new();
        for i in &self.instances {
            *m.entry(i.status).or_insert(0) += 1;
        }
        m
    }

    pub fn stride_of(&self, i: &Instance) -> &'a [Stride] {
        &self.threat(i).stride
    }
}

fn facts_match(want: &BTreeMap<String, FactMatch>, have: &BTreeMap<String, Fact>) -> bool {
    want.iter().all(|(k, m)| m.matches(have.get(k)))
}

fn bool_fact(b: Option<bool>) -> Option<Fact> {
    b.map(Fact::Bool)
}

fn flow_matches(
    c: &FlowCondition,
    model: &SystemModel,
    ix: &ModelIndex<'_>,
    f: &Flow,
) -> Option<(usize, usize)> {
    let from = *ix.components.get(f.from.as_str())?;
    let to = *ix.components.get(f.to.as_str())?;
    let (fk, tk) = (model.components[from].kind, model.components[to].kind);
    if !c.from.is_empty() && !c.from.contains(&fk) {
        return None;
    }
    if !c.to.is_empty() && !c.to.contains(&tk) {
        return None;
    }
    if let Some(p) = &c.crosses {
        if !p.matches(model.crossing(ix, f)) {
            return None;
        }
    }
    if let Some(m) = &c.encrypted {
        if !m.matches(bool_fact(f.encrypted).as_ref()) {
            return None;
        }
    }
    if let Some(m) = &c.authenticated {
        if !m.matches(bool_fact(f.authenticated).as_ref()) {
            return None;
        }
    }
    if let Some(m) = &c.protocol {
        if !m.matches(f.protocol.clone().map(Fact::Str).as_ref()) {
            return None;
        }
    }
    if !facts_match(&c.facts, &f.facts) {
        return None;
    }
    Some((from, to))
}

fn component_matches(a: &AppliesTo, c: &Component) -> bool {
    a.kinds.contains(&c.kind) && facts_match(&a.facts, &c.facts)
}

/// Whether a finding's target names one of the instance's snapshot objects.
fn target_matches(t: &Target, keys: &[&Target]) -> bool {
    keys.iter().any(|k| match (t, k) {
        (
            Target::Container { id, name },
            Target::Container {
                id: kid,
                name: kname,
            },
        )
        | (
            Target::Image { id, name },
            Target::Image {
                id: kid,
                name: kname,
            },
        ) => {
            // Ids may be full or short, with or without `sha256:`.
            let (a, b) = (bare_id(id), bare_id(kid));
            (!a.is_empty() && !b.is_empty() && (a.starts_with(b) || b.starts_with(a)))
                || (!name.is_empty() && name == kname)
        }
        (a, b) => a == *b,
    })
}

fn bare_id(id: &str) -> &str {
    id.strip_prefix("sha256:").unwrap_or(id)
}

fn scoped_kind(t: &Target) -> Option<&'static str> {
    match t {
        Target::Container { .. } => Some("container"),
        Target::Image { .. } => Some("image"),
        _ => None,
    }
}

/// The outcome of a finding for the snapshot objects `keys`, and the
/// evidence entries that concern them.
///
/// (See [`is_adverse`] for which outcomes count against a component.)
///
/// A finding about containers (or images) that lists offenders speaks about
/// each of them individually: a component whose container is not among the
/// listed targets passed. Any other finding applies as a whole.
/// Whether an outcome of finding `f` is evidence that a threat is real: a
/// FAIL, or a WARN from an automated check (e.g. default capabilities kept,
/// a read-only sensitive mount). A manual check's WARN only asks a person
/// to look, so it proves nothing either way.
pub fn is_adverse(f: &Finding, outcome: Outcome) -> bool {
    match outcome {
        Outcome::Fail => true,
        Outcome::Warn => f.automated,
        _ => false,
    }
}

pub fn relevant<'f>(f: &'f Finding, keys: &[&Target]) -> (Outcome, Vec<&'f Evidence>) {
    let key_kinds: Vec<&str> = keys.iter().filter_map(|k| scoped_kind(k)).collect();
    let scoped: Vec<&Evidence> = f
        .evidence
        .iter()
        .filter(|e| scoped_kind(&e.target).is_some_and(|k| key_kinds.contains(&k)))
        .collect();
    if scoped.is_empty() {
        return (f.outcome, f.evidence.iter().collect());
    }
    let mine: Vec<&Evidence> = scoped
        .into_iter()
        .filter(|e| target_matches(&e.target, keys))
        .collect();
    if mine.is_empty() {
        let o = match f.outcome {
            Outcome::Fail | Outcome::Warn | Outcome::Pass => Outcome::Pass,
            other => other,
        };
        return (o, Vec::new());
    }
    let o = mine
        .iter()
        .map(|e| e.outcome)
        .fold(Outcome::NotApplicable, Outcome::worst);
    (o, mine)
}

/// Evaluate the library against the model with the given findings and
/// waivers. `today` is days since 1970-01-01 (for waiver expiry).
pub fn analyze<'a>(
    model: &'a SystemModel,
    library: &'a Library,
    findings: &[Finding],
    waivers: &[Waiver],
    today: i64,
) -> Analysis<'a> {
    let ix = model.index();
    let by_id: HashMap<&str, &Finding> = findings.iter().map(|f| (f.id, f)).collect();
    let mut instances = Vec::new();
    let mut waiver_used = vec![false; waivers.len()];
    let mut warnings = Vec::new();

    // Component threats first, per component in model order, then flow threats.
    for (ci, c) in model.components.iter().enumerate() {
        for (ti, t) in library.threats.iter().enumerate() {
            if t.applies_to.flow.is_none() && component_matches(&t.applies_to, c) {
                let id = format!("{}@{}", t.id, c.id);
                let keys: Vec<&Target> = c.targets.iter().collect();
                instances.push(rate(id, ti, t, ci, None, &keys, &by_id));
            }
        }
    }
    for (fi, f) in model.flows.iter().enumerate() {
        for (ti, t) in library.threats.iter().enumerate() {
            let Some(fc) = &t.applies_to.flow else {
                continue;
            };
            if let Some((from, to)) = flow_matches(fc, model, &ix, f) {
                let anchor = match fc.anchor {
                    super::library::Anchor::From => from,
                    super::library::Anchor::To => to,
                };
                let id = format!("{}@{}@{}", t.id, model.components[anchor].id, f.id);
                let keys: Vec<&Target> = model.components[from]
                    .targets
                    .iter()
                    .chain(&model.components[to].targets)
                    .collect();
                instances.push(rate(id, ti, t, anchor, Some(fi), &keys, &by_id));
            }
        }
    }

    instances.sort_by_key(|i| (i.component, i.threat, i.flow));
    for inst in &mut instances {
        for (wi, w) in waivers.iter().enumerate() {
            if !crate::util::wildcard_match(&w.pattern, &inst.id) {
                continue;
            }
            waiver_used[wi] = true;
            if w.expires_day.is_some_and(|d| d < today) {
                inst.explanation.push(format!(
                    "waiver at {} expired on {}; the threat is open again",
                    w.at,
                    w.expires.as_deref().unwrap_or("?")
                ));
                continue;
            }
            inst.explanation
                .push(format!("accepted by the waiver at {}: {}", w.at, w.reason));
            inst.status = Status::Accepted;
            inst.waiver = Some(AppliedWaiver {
                reason: w.reason.clone(),
                expires: w.expires.clone(),
                at: w.at.clone(),
            });
            break;
        }
    }
    for (w, used) in waivers.iter().zip(&waiver_used) {
        if !used {
            warnings.push(format!(
                "{}: waiver '{}' matches no threat instance",
                w.at, w.pattern
            ));
        }
    }

    Analysis {
        model,
        library,
        instances,
        warnings,
        has_findings: !findings.is_empty(),
    }
}

fn rate(
    id: String,
    ti: usize,
    t: &Threat,
    component: usize,
    flow: Option<usize>,
    keys: &[&Target],
    findings: &HashMap<&str, &Finding>,
) -> Instance {
    let mut evidence = Vec::new();
    let (mut confirmed, mut raised) = (false, false);
    let (mut passes_confirm, mut passes_any) = (0, 0);
    let has_confirm = t
        .evidence
        .iter()
        .any(|e| e.role == EvidenceRole::Confirms && findings.contains_key(e.check.as_str()));
    let mut explanation = Vec::new();
    for ec in &t.evidence {
        let Some(f) = findings.get(ec.check.as_str()) else {
            continue;
        };
        let (outcome, evs) = relevant(f, keys);
        // A manual check's WARN only asks for review; it is not evidence.
        let counts_against = is_adverse(f, outcome);
        match outcome {
            _ if counts_against => match ec.role {
                EvidenceRole::Confirms => confirmed = true,
                EvidenceRole::Raises => raised = true,
            },
            Outcome::Pass => {
                passes_any += 1;
                if ec.role == EvidenceRole::Confirms {
                    passes_confirm += 1;
                }
            }
            _ => {}
        }
        evidence.push(EvidenceItem {
            check: f.id.to_string(),
            title: f.title.to_string(),
            role: ec.role,
            outcome,
            message: f.message.clone(),
            targets: evs
                .into_iter()
                .map(|e| EvidenceTarget {
                    kind: e.target.kind(),
                    name: e.target.label(),
                    outcome: e.outcome,
                    observed: e.observed.clone(),
                    expected: e.expected.clone(),
                    source: e.source.clone(),
                })
                .collect(),
            remediation: f.remediation.to_string(),
        });
    }
    let mut likelihood = t.likelihood;
    let failing: Vec<&str> = evidence
        .iter()
        .filter(|e| {
            findings
                .get(e.check.as_str())
                .is_some_and(|f| is_adverse(f, e.outcome))
        })
        .map(|e| e.check.as_str())
        .collect();
    let status = if confirmed {
        likelihood = likelihood.raise();
        if raised {
            likelihood = likelihood.raise();
        }
        explanation.push(format!(
            "confirmed by failing check(s) {}; likelihood raised from {} to {}",
            failing.join(", "),
            t.likelihood.name(),
            likelihood.name()
        ));
        Status::OpenConfirmed
    } else if raised {
        likelihood = likelihood.raise();
        explanation.push(format!(
            "failing supporting check(s) {} raise the likelihood from {} to {}",
            failing.join(", "),
            t.likelihood.name(),
            likelihood.name()
        ));
        Status::OpenUnverified
    } else if (has_confirm && passes_confirm > 0) || (!has_confirm && passes_any > 0) {
        likelihood = Likelihood::Unlikely;
        let passing: Vec<&str> = evidence
            .iter()
            .filter(|e| e.outcome == Outcome::Pass)
            .map(|e| e.check.as_str())
            .collect();
        explanation.push(format!(
            "mitigated: check(s) {} pass and none fail; residual likelihood {}",
            passing.join(", "),
            likelihood.name()
        ));
        Status::Mitigated
    } else {
        explanation.push(if t.evidence.is_empty() {
            "no benchmark check covers this threat; review it by hand".to_string()
        } else {
            "no evaluated evidence; the threat applies by the model alone".to_string()
        });
        Status::OpenUnverified
    };
    Instance {
        id,
        threat: ti,
        component,
        flow,
        likelihood,
        impact: t.impact,
        severity: severity(likelihood, t.impact),
        status,
        evidence,
        explanation,
        waiver: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_matrix_maps_products_to_severities() {
        use Impact::*;
        use Likelihood::*;
        assert_eq!(severity(Unlikely, Low), Severity::Low);
        assert_eq!(severity(Likely, Low), Severity::Low);
        assert_eq!(severity(Unlikely, High), Severity::Medium);
        assert_eq!(severity(Likely, Medium), Severity::Medium);
        assert_eq!(severity(Likely, High), Severity::High);
        assert_eq!(severity(Likely, VeryHigh), Severity::High);
        assert_eq!(severity(VeryLikely, High), Severity::Critical);
        assert_eq!(severity(Frequent, VeryHigh), Severity::Critical);
        assert_eq!(Frequent.raise(), Frequent);
    }

    #[test]
    fn statuses_have_stable_names() {
        assert_eq!(
            serde_json::to_string(&Status::OpenConfirmed).unwrap(),
            "\"open-confirmed\""
        );
        assert!(Status::OpenUnverified.is_open());
        assert!(!Status::Mitigated.is_open() && !Status::Accepted.is_open());
    }
}
