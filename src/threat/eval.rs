//! Evaluation: match the library against the model, link benchmark findings
//! as evidence, rate risk and decide each instance's status.

use super::library::{
    EvidenceCheck, EvidenceRole, FactMatch, FlowCondition, Impact, Library, Likelihood, LinkScope,
    Threat,
};
use super::model::{Component, ComponentKind, Fact, Flow, ModelIndex, Rating, SystemModel};
use crate::findings::{Evidence, Finding, Outcome, Severity, Stride, Target};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Where a threat instance stands. See `docs/threats.md` ("Status") for
/// the rules; every open status keeps the threat on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A confirming check fails (or a risky fact was observed) for this
    /// component.
    OpenConfirmed,
    /// Confirmed for some of the component's targets; others pass.
    PartiallyMitigated,
    /// The threat applies; no check either way.
    OpenUnverified,
    /// Nothing shipshape reads can observe the control yet.
    NotAssessed,
    /// Only manual checks or model-file facts speak to it: a person decides.
    NeedsReview,
    /// Its confirming checks pass for this component.
    Mitigated,
    /// Waived in the model file.
    Accepted,
    /// On a component the model file marks out of scope: listed, not counted.
    OutOfScope,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::OpenConfirmed,
        Status::PartiallyMitigated,
        Status::OpenUnverified,
        Status::NotAssessed,
        Status::NeedsReview,
        Status::Mitigated,
        Status::Accepted,
        Status::OutOfScope,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Status::OpenConfirmed => "open-confirmed",
            Status::PartiallyMitigated => "partially-mitigated",
            Status::OpenUnverified => "open-unverified",
            Status::NotAssessed => "not-assessed",
            Status::NeedsReview => "needs-review",
            Status::Mitigated => "mitigated",
            Status::Accepted => "accepted",
            Status::OutOfScope => "out-of-scope",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Status::OpenConfirmed => "open, confirmed",
            Status::PartiallyMitigated => "partially mitigated",
            Status::OpenUnverified => "open, unverified",
            Status::NotAssessed => "open, not assessed",
            Status::NeedsReview => "needs review",
            Status::Mitigated => "mitigated",
            Status::Accepted => "accepted",
            Status::OutOfScope => "out of scope",
        }
    }
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Status::Mitigated | Status::Accepted | Status::OutOfScope
        )
    }
    /// Confirmed on at least one target.
    pub fn is_confirmed(self) -> bool {
        matches!(self, Status::OpenConfirmed | Status::PartiallyMitigated)
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
    pub tracking: super::modelfile::Tracking,
    pub owner: Option<String>,
    pub ticket: Option<String>,
}

/// The numeric risk score: likelihood × impact, 1–16.
pub fn score(l: Likelihood, i: Impact) -> u8 {
    l.weight() * i.weight()
}

/// The band of a score, before the critical and denial-of-service rules:
/// 1–4 low, 5–8 medium, 9–16 high. Critical is never reached by score
/// alone; see [`rate_severity`].
pub fn severity(l: Likelihood, i: Impact) -> Severity {
    match score(l, i) {
        0..=4 => Severity::Low,
        5..=8 => Severity::Medium,
        _ => Severity::High,
    }
}

/// Severity of one instance. Critical only when a failing link marked
/// `takeover` (a direct path to host or cluster takeover) confirms it;
/// denial of service alone is capped at high; a mitigated threat's residual
/// risk is low.
pub fn rate_severity(
    t: &Threat,
    status: Status,
    l: Likelihood,
    impact: Impact,
    takeover: bool,
) -> Severity {
    if status == Status::Mitigated {
        return Severity::Low;
    }
    let s = if takeover && status.is_confirmed() {
        Severity::Critical
    } else {
        severity(l, impact)
    };
    if t.is_dos_only() {
        s.min(Severity::High)
    } else {
        s
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
    /// Where the evidence came from: `check` (a benchmark or scan rule),
    /// `observed` (a fact seen in a snapshot or manifest), `declared` (a
    /// fact written in the model file) or `deps` (a dependency scan).
    pub source: &'static str,
    /// Why the link exists (from the library).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub why: String,
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
    pub tracking: super::modelfile::Tracking,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
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
    /// likelihood × impact (1–16); the report sorts by it.
    pub score: u8,
    pub severity: Severity,
    pub status: Status,
    /// A failing takeover link confirms this instance.
    pub takeover: bool,
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

/// Whether a finding's target names one of the instance's snapshot objects.
pub(crate) fn target_matches(t: &Target, keys: &[&Target]) -> bool {
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
    let (o, evs, _) = relevant_scoped(f, keys);
    (o, evs)
}

/// Like [`relevant`], and also whether some of the instance's own targets
/// of the scoped kind passed while others failed (partial mitigation).
pub fn relevant_scoped<'f>(f: &'f Finding, keys: &[&Target]) -> (Outcome, Vec<&'f Evidence>, bool) {
    let key_kinds: Vec<&str> = keys.iter().filter_map(|k| scoped_kind(k)).collect();
    let scoped: Vec<&Evidence> = f
        .evidence
        .iter()
        .filter(|e| scoped_kind(&e.target).is_some_and(|k| key_kinds.contains(&k)))
        .collect();
    if scoped.is_empty() {
        // A component that stands for no object cannot be named by a
        // finding about objects: nothing either way.
        let names_objects = f.evidence.iter().any(|e| scoped_kind(&e.target).is_some());
        if keys.is_empty() && names_objects {
            return (Outcome::NotApplicable, Vec::new(), false);
        }
        return (f.outcome, f.evidence.iter().collect(), false);
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
        return (o, Vec::new(), false);
    }
    let o = mine
        .iter()
        .map(|e| e.outcome)
        .fold(Outcome::NotApplicable, Outcome::worst);
    // Keys of the scoped kind that no adverse entry names passed.
    let offenders: Vec<&Evidence> = mine
        .iter()
        .copied()
        .filter(|e| matches!(e.outcome, Outcome::Fail | Outcome::Warn))
        .collect();
    // Only targets of the same sort as an offender can have passed instead
    // (a Deployment, not the Service that exposes it).
    let sort = |t: &Target| match t {
        Target::Container { id, name } if id.starts_with("manifest:") => {
            name.split('/').next().unwrap_or("").to_string()
        }
        other => other.kind().to_string(),
    };
    let sorts: Vec<String> = offenders.iter().map(|e| sort(&e.target)).collect();
    let some_pass = !offenders.is_empty()
        && keys
            .iter()
            .filter(|k| scoped_kind(k).is_some() && sorts.contains(&sort(k)))
            .any(|k| !offenders.iter().any(|e| target_matches(&e.target, &[k])));
    (o, mine, some_pass)
}

/// What kind of object a check is about, from the Docker check registry:
/// `container`, `image`, or `host` (host files, daemon settings, engine
/// state, swarm, manual host checks). `None` for ids outside the Docker
/// benchmark (scan rules, Kubernetes node checks): those are matched by the
/// targets their findings name.
pub fn check_subject(id: &str) -> Option<&'static str> {
    use crate::rules::Scope;
    use std::sync::OnceLock;
    static BY_ID: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    let map = BY_ID.get_or_init(|| {
        crate::rules::docker::checks()
            .iter()
            .map(|c| {
                let subject = match c.scope {
                    Scope::Container => "container",
                    Scope::Image => "image",
                    _ => "host",
                };
                (c.meta.id, subject)
            })
            .collect()
    });
    map.get(id).copied()
}

/// The check subject a component kind is the same kind of target as.
pub fn subject_of(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::Container | ComponentKind::AppService => "container",
        ComponentKind::ServiceAccount => "cluster",
        ComponentKind::ContainerImage | ComponentKind::ImageRegistry => "image",
        ComponentKind::DockerHost
        | ComponentKind::DockerDaemon
        | ComponentKind::DockerClient
        | ComponentKind::ContainerRuntime => "host",
        _ => "cluster",
    }
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
    // CIS Kubernetes ids collide with CIS Docker ones: their findings are
    // keyed `kubernetes:1.2.1`, as library links name them.
    let by_id: HashMap<String, &Finding> = findings
        .iter()
        .map(|f| (super::kube::link_key(f), f))
        .collect();
    let mut instances = match_all(model, library, &by_id);
    mark_out_of_scope(model, &mut instances);
    sort_instances(model, library, &mut instances);
    let warnings = apply_waivers(&mut instances, waivers, today);
    Analysis {
        model,
        library,
        instances,
        warnings,
        has_findings: !findings.is_empty(),
    }
}

/// Every (threat, component[, flow]) pair the library's conditions select,
/// rated against the findings.
fn match_all(
    model: &SystemModel,
    library: &Library,
    by_id: &HashMap<String, &Finding>,
) -> Vec<Instance> {
    let ix = model.index();
    let mut instances = Vec::new();
    // Component threats by kind, and flow threats, sorted out once.
    let mut by_kind: HashMap<ComponentKind, Vec<usize>> = HashMap::new();
    let mut flow_threats = Vec::new();
    for (ti, t) in library.threats.iter().enumerate() {
        match &t.applies_to.flow {
            Some(fc) => flow_threats.push((ti, t, fc)),
            None => {
                for k in &t.applies_to.kinds {
                    let v = by_kind.entry(*k).or_default();
                    if v.last() != Some(&ti) {
                        v.push(ti);
                    }
                }
            }
        }
    }
    for (ci, c) in model.components.iter().enumerate() {
        let Some(tis) = by_kind.get(&c.kind) else {
            continue;
        };
        let assets = Assets::of(model, &c.data_assets);
        let cx = RateCx {
            keys: c.targets.iter().collect(),
            kinds: vec![c.kind],
            comps: vec![c],
            facts: c,
            assets: &assets,
        };
        for &ti in tis {
            let t = &library.threats[ti];
            if facts_match(&t.applies_to.facts, &c.facts) {
                let id = format!("{}@{}", t.id, c.id);
                instances.push(rate(id, ti, t, ci, None, &cx, by_id));
            }
        }
    }
    let no_assets = Assets::default();
    for (fi, f) in model.flows.iter().enumerate() {
        for &(ti, t, fc) in &flow_threats {
            let Some((from, to)) = flow_matches(fc, model, &ix, f) else {
                continue;
            };
            let anchor = match fc.anchor {
                super::library::Anchor::From => from,
                super::library::Anchor::To => to,
            };
            let (a, b) = (&model.components[from], &model.components[to]);
            let anchored = &model.components[anchor];
            let assets = if f.data_assets.is_empty() && anchored.data_assets.is_empty() {
                None
            } else {
                Some(Assets::of(
                    model,
                    f.data_assets.iter().chain(&anchored.data_assets),
                ))
            };
            let cx = RateCx {
                keys: a.targets.iter().chain(&b.targets).collect(),
                kinds: vec![a.kind, b.kind],
                comps: vec![a, b],
                facts: anchored,
                assets: assets.as_ref().unwrap_or(&no_assets),
            };
            let id = format!("{}@{}@{}", t.id, anchored.id, f.id);
            instances.push(rate(id, ti, t, anchor, Some(fi), &cx, by_id));
        }
    }
    instances
}

/// Instances on out-of-scope components keep their rating for the record
/// but are not counted: status out of scope, never open.
fn mark_out_of_scope(model: &SystemModel, instances: &mut [Instance]) {
    for inst in instances.iter_mut() {
        if let Some(why) = &model.components[inst.component].out_of_scope {
            inst.explanation
                .push(format!("out of scope per the model file: {why}"));
            inst.status = Status::OutOfScope;
        }
    }
}

/// Highest score first; then by component and threat in natural order.
/// Out-of-scope instances come last.
fn sort_instances(model: &SystemModel, library: &Library, instances: &mut [Instance]) {
    // Rank components and threats once, instead of comparing names inside
    // every comparison of the sort.
    let mut by_name: Vec<usize> = (0..model.components.len()).collect();
    by_name.sort_by(|&a, &b| {
        super::sort::natural_cmp(&model.components[a].name, &model.components[b].name)
    });
    let mut crank = vec![0usize; by_name.len()];
    for (r, &c) in by_name.iter().enumerate() {
        // Equal names share a rank, so the threat id decides between them.
        crank[c] = if r > 0 && model.components[by_name[r - 1]].name == model.components[c].name {
            crank[by_name[r - 1]]
        } else {
            r
        };
    }
    let mut by_id: Vec<usize> = (0..library.threats.len()).collect();
    by_id.sort_by(|&a, &b| library.threats[a].id.cmp(&library.threats[b].id));
    let mut trank = vec![0usize; by_id.len()];
    for (r, &t) in by_id.iter().enumerate() {
        trank[t] = r;
    }
    instances.sort_by_cached_key(|i| {
        (
            i.status == Status::OutOfScope,
            std::cmp::Reverse(i.severity),
            std::cmp::Reverse(i.score),
            i.status,
            crank[i.component],
            trank[i.threat],
            i.flow,
        )
    });
}

fn apply_waivers(instances: &mut [Instance], waivers: &[Waiver], today: i64) -> Vec<String> {
    let mut waiver_used = vec![false; waivers.len()];
    for inst in instances.iter_mut() {
        for (wi, w) in waivers.iter().enumerate() {
            if !crate::util::wildcard_match(&w.pattern, &inst.id) {
                continue;
            }
            waiver_used[wi] = true;
            if inst.status == Status::OutOfScope {
                break;
            }
            if w.expires_day.is_some_and(|d| d < today) {
                inst.explanation.push(format!(
                    "waiver at {} expired on {}; the threat is open again",
                    w.at,
                    w.expires.as_deref().unwrap_or("?")
                ));
                continue;
            }
            let who = [w.owner.as_deref(), w.ticket.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            let who = if who.is_empty() {
                String::new()
            } else {
                format!(" ({who})")
            };
            if w.tracking == super::modelfile::Tracking::Mitigating {
                inst.explanation.push(format!(
                    "being mitigated per the entry at {}{who}: {}; still open",
                    w.at, w.reason
                ));
            } else {
                inst.explanation.push(format!(
                    "accepted by the entry at {}{who}: {}",
                    w.at, w.reason
                ));
                inst.status = Status::Accepted;
            }
            inst.waiver = Some(AppliedWaiver {
                reason: w.reason.clone(),
                expires: w.expires.clone(),
                at: w.at.clone(),
                tracking: w.tracking,
                owner: w.owner.clone(),
                ticket: w.ticket.clone(),
            });
            break;
        }
    }
    waivers
        .iter()
        .zip(&waiver_used)
        .filter(|(_, used)| !**used)
        .map(|(w, _)| {
            format!(
                "{}: waiver '{}' matches no threat instance",
                w.at, w.pattern
            )
        })
        .collect()
}

/// What one instance is rated against.
struct RateCx<'m> {
    /// Snapshot objects of the component (both ends for a flow).
    keys: Vec<&'m Target>,
    /// Kinds of the component(s) a check may be about.
    kinds: Vec<ComponentKind>,
    /// The component(s) themselves (both ends for a flow).
    comps: Vec<&'m Component>,
    /// The component whose facts fact links read.
    facts: &'m Component,
    /// The data assets the instance guards.
    assets: &'m Assets,
}

/// The highest confidentiality, integrity and availability ratings of a set
/// of data assets, and which assets set them.
#[derive(Clone, Default)]
pub struct Assets {
    cia: [Option<(Rating, String)>; 3],
}

impl Assets {
    /// The ratings of the named assets of `model` (unknown ids are ignored:
    /// the model file rejects them).
    pub fn of<'s>(model: &SystemModel, ids: impl IntoIterator<Item = &'s String>) -> Assets {
        let mut out = Assets::default();
        for id in ids {
            let Some(a) = model.data_assets.iter().find(|a| &a.id == id) else {
                continue;
            };
            for (slot, r) in
                out.cia
                    .iter_mut()
                    .zip([a.confidentiality, a.integrity, a.availability])
            {
                match slot {
                    Some((best, names)) if *best == r => {
                        names.push_str(", ");
                        names.push_str(&a.id);
                    }
                    Some((best, _)) if *best > r => {}
                    _ => *slot = Some((r, a.id.clone())),
                }
            }
        }
        out
    }

    /// The impact a threat of these STRIDE categories has on these assets:
    /// information disclosure reads confidentiality, tampering and
    /// repudiation integrity, denial of service availability, spoofing
    /// confidentiality and integrity, elevation of privilege all three.
    /// `None` when no asset is known.
    pub fn impact_for(&self, stride: &[Stride]) -> Option<(Impact, String)> {
        let mut best: Option<(Rating, &str, &'static str)> = None;
        for s in stride {
            let axes: &[usize] = match s {
                Stride::InformationDisclosure => &[0],
                Stride::Tampering | Stride::Repudiation => &[1],
                Stride::DenialOfService => &[2],
                Stride::Spoofing => &[0, 1],
                Stride::ElevationOfPrivilege => &[0, 1, 2],
            };
            for &ax in axes {
                if let Some((r, names)) = &self.cia[ax] {
                    if best.is_none_or(|(b, _, _)| *r > b) {
                        best = Some((
                            *r,
                            names,
                            ["confidentiality", "integrity", "availability"][ax],
                        ));
                    }
                }
            }
        }
        best.map(|(r, names, axis)| {
            let i = match r {
                Rating::Low => Impact::Low,
                Rating::Medium => Impact::Medium,
                Rating::High => Impact::High,
                Rating::VeryHigh => Impact::VeryHigh,
            };
            (i, format!("{names} ({axis} {})", r.name()))
        })
    }
}

/// The evidence links of one instance, sorted by what they say.
#[derive(Default)]
struct Tally {
    confirm_adverse: Vec<String>,
    confirm_pass: Vec<String>,
    support_adverse: Vec<String>,
    review: Vec<String>,
    partial: bool,
    takeover: bool,
    notes: Vec<String>,
    /// A dependency-scan link found no scan of this component.
    deps_unscanned: bool,
}

impl Tally {
    fn adverse(&mut self, link: &EvidenceCheck, key: String) {
        match link.role {
            EvidenceRole::Confirms => {
                self.takeover |= link.takeover;
                self.confirm_adverse.push(key);
            }
            EvidenceRole::Supports => self.support_adverse.push(key),
        }
    }
}

fn fact_item(link: &EvidenceCheck, c: &Component, tally: &mut Tally) -> Option<EvidenceItem> {
    let name = link.fact.as_deref()?;
    let have = c.facts.get(name)?;
    let want = link.equals.clone().unwrap_or(Fact::Bool(true));
    let declared = c.declared.contains(name);
    let hit = *have == want;
    let key = format!("fact:{name}");
    let outcome = match (hit, declared) {
        (false, _) => {
            if link.role == EvidenceRole::Confirms && !declared {
                tally.confirm_pass.push(key.clone());
            }
            Outcome::Pass
        }
        (true, true) => {
            tally.review.push(key.clone());
            Outcome::Warn
        }
        (true, false) => {
            tally.adverse(link, key.clone());
            Outcome::Fail
        }
    };
    let source = if declared { "declared" } else { "observed" };
    Some(EvidenceItem {
        check: key,
        title: format!("{source}: {name} = {have}"),
        role: link.role,
        source,
        why: link.why.clone(),
        outcome,
        message: format!("{} {source} {name} = {have}", c.name),
        targets: Vec::new(),
        remediation: String::new(),
    })
}

fn check_item(
    link: &EvidenceCheck,
    f: &Finding,
    cx: &RateCx<'_>,
    tally: &mut Tally,
) -> Option<EvidenceItem> {
    if !kube_link_counts(link, cx) {
        return None;
    }
    if let Some(subject) = check_subject(&link.check) {
        let same = cx.kinds.iter().any(|k| subject_of(*k) == subject);
        if !same && link.scope == LinkScope::Same {
            tally.notes.push(format!(
                "check {} is about a {subject}, not this component; not counted",
                link.check
            ));
            return None;
        }
    }
    // A host-wide link reads the finding as a whole.
    let (outcome, evs, some_pass) = if link.scope == LinkScope::HostWide {
        (f.outcome, f.evidence.iter().collect(), false)
    } else {
        relevant_scoped(f, &cx.keys)
    };
    let shown = super::kube::link_key(f);
    if is_adverse(f, outcome) {
        tally.adverse(link, shown.clone());
        if link.role == EvidenceRole::Confirms {
            tally.partial |= some_pass;
        }
    } else if outcome == Outcome::Warn {
        // A manual check's WARN asks a person to look.
        tally.review.push(shown.clone());
    } else if outcome == Outcome::Pass && link.role == EvidenceRole::Confirms {
        tally.confirm_pass.push(shown.clone());
    }
    Some(EvidenceItem {
        check: shown,
        title: f.title.to_string(),
        role: link.role,
        source: "check",
        why: link.why.clone(),
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
    })
}

/// Whether a CIS Kubernetes link counts for this instance: a same-scope
/// link only when the check is about one of the instance's components
/// (its flags, its files or its static pod manifest). A threat on several
/// kinds lists the checks of each; the others are silently left out.
/// Links that are not CIS Kubernetes checks always pass here.
fn kube_link_counts(link: &EvidenceCheck, cx: &RateCx<'_>) -> bool {
    let Some(id) = super::kube::kube_check(&link.check) else {
        return true;
    };
    if link.scope == LinkScope::HostWide {
        return true;
    }
    super::kube::check_subject(id).is_none_or(|subject| {
        cx.comps
            .iter()
            .any(|c| super::kube::subject_matches(subject, c))
    })
}

/// Status and likelihood from the tally. Related failing checks raise the
/// likelihood once, however many there are.
fn decide(t: &Threat, tally: &Tally, explanation: &mut Vec<String>) -> (Status, Likelihood) {
    let raise_if = |l: Likelihood, cond: bool| if cond { l.raise() } else { l };
    let supports = !tally.support_adverse.is_empty();
    if !tally.confirm_adverse.is_empty() {
        let l = t.likelihood.raise();
        explanation.push(format!(
            "confirmed for this component by {}; likelihood raised once from {} to {}",
            tally.confirm_adverse.join(", "),
            t.likelihood.name(),
            l.name()
        ));
        let status = if tally.partial {
            explanation.push("some of the component's targets pass: partially mitigated".into());
            Status::PartiallyMitigated
        } else {
            Status::OpenConfirmed
        };
        return (status, l);
    }
    if let Some(why) = &t.not_assessed {
        explanation.push(format!("not assessed: {why}"));
        return (Status::NotAssessed, raise_if(t.likelihood, supports));
    }
    if !tally.confirm_pass.is_empty() {
        explanation.push(format!(
            "mitigated: confirming check(s) {} pass for this component; residual likelihood {}",
            tally.confirm_pass.join(", "),
            raise_if(Likelihood::Unlikely, supports).name()
        ));
        return (Status::Mitigated, raise_if(Likelihood::Unlikely, supports));
    }
    if !tally.review.is_empty() {
        explanation.push(format!(
            "needs review: only manual checks or model-file facts speak to it ({})",
            tally.review.join(", ")
        ));
        return (Status::NeedsReview, raise_if(t.likelihood, supports));
    }
    if tally.deps_unscanned {
        explanation.push(
            "not assessed: no dependency scan covered this component (run `threats --deps --db DIR`)"
                .into(),
        );
        return (Status::NotAssessed, raise_if(t.likelihood, supports));
    }
    explanation.push(if t.evidence.is_empty() {
        "no check covers this threat; review it by hand".to_string()
    } else {
        "no evaluated evidence for this component; the threat applies by the model alone"
            .to_string()
    });
    (Status::OpenUnverified, raise_if(t.likelihood, supports))
}

fn rate(
    id: String,
    ti: usize,
    t: &Threat,
    component: usize,
    flow: Option<usize>,
    cx: &RateCx<'_>,
    findings: &HashMap<String, &Finding>,
) -> Instance {
    let mut tally = Tally::default();
    let mut evidence = Vec::new();
    for link in &t.evidence {
        let item = if link.fact.is_some() {
            fact_item(link, cx.facts, &mut tally)
        } else if link.deps.is_some() {
            let f = findings.get(link.key().as_str()).copied();
            super::deps::deps_item(link, f, &cx.keys, &mut tally.deps_unscanned).map(
                |(item, adverse)| {
                    if adverse {
                        tally.adverse(link, item.check.clone());
                    } else if link.role == EvidenceRole::Confirms {
                        tally.confirm_pass.push(item.message.clone());
                    }
                    item
                },
            )
        } else {
            findings
                .get(link.check.as_str())
                .and_then(|f| check_item(link, f, cx, &mut tally))
        };
        evidence.extend(item);
    }
    let mut explanation = std::mem::take(&mut tally.notes);
    let (status, likelihood) = decide(t, &tally, &mut explanation);
    if !tally.support_adverse.is_empty() {
        explanation.push(format!(
            "note: related check(s) {} fail, so the likelihood is one step higher",
            tally.support_adverse.join(", ")
        ));
    }
    let takeover = tally.takeover;
    let impact = match cx.assets.impact_for(&t.stride) {
        Some((i, names)) => {
            explanation.push(format!(
                "impact {} from data asset(s) {names} (library default {})",
                i.name(),
                t.impact.name()
            ));
            i
        }
        None => t.impact,
    };
    let severity = rate_severity(t, status, likelihood, impact, takeover);
    if severity == Severity::Critical {
        explanation.push("critical: a direct path to host or cluster takeover".into());
    }
    Instance {
        id,
        threat: ti,
        component,
        flow,
        likelihood,
        impact,
        score: score(likelihood, impact),
        severity,
        status,
        takeover,
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
        assert_eq!(severity(Likely, Medium), Severity::Low);
        assert_eq!(severity(Unlikely, VeryHigh), Severity::Low);
        assert_eq!(severity(Likely, High), Severity::Medium);
        assert_eq!(severity(Likely, VeryHigh), Severity::Medium);
        assert_eq!(severity(VeryLikely, High), Severity::High);
        // Score alone never reaches critical.
        assert_eq!(severity(Frequent, VeryHigh), Severity::High);
        assert_eq!(score(Frequent, VeryHigh), 16);
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
