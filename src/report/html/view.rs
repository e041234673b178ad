//! The server-side parts of the page, as plain data for the template:
//! summary cards, the chart inputs, the STRIDE coverage matrix, threats
//! grouped by attack surface, and the harden plan. All text is cleaned
//! (redacted, control characters shown) here; the template escapes it.

use super::clean;
use super::data::{action_text, Table};
use super::svg::Bar;
use crate::findings::{Outcome, Stride};
use crate::report::combined::Combined;
use crate::threat::{Analysis, Status};
use serde::Serialize;
use std::collections::BTreeMap;

/// Outcome classes, worst first: (class, label).
pub const CLASSES: [(&str, &str); 5] = [
    ("fail", "failing / open"),
    ("warn", "review"),
    ("error", "error"),
    ("pass", "pass / mitigated"),
    ("na", "info, n/a, suppressed, accepted"),
];

/// The chart class of a row outcome.
pub fn class_of(o: &str) -> usize {
    match o {
        "FAIL" | "open-confirmed" | "partially-mitigated" => 0,
        "WARN" | "open-unverified" | "needs-review" | "not-assessed" => 1,
        "ERROR" => 2,
        "PASS" | "mitigated" => 3,
        _ => 4,
    }
}

#[derive(Serialize)]
pub struct Card {
    pub label: String,
    pub value: String,
    pub class: &'static str,
}

#[derive(Serialize)]
pub struct MatrixRow {
    pub label: String,
    /// Per STRIDE letter: (failing, total).
    pub cells: Vec<(usize, usize)>,
}

/// Bars by (bench, section) and by severity, and the STRIDE matrix, all
/// counted from the table rows.
pub fn charts(t: &Table) -> (Vec<Bar>, Vec<Bar>, Vec<MatrixRow>) {
    let mut by_section: BTreeMap<(String, String), [usize; 5]> = BTreeMap::new();
    let mut by_sev = [[0usize; 5]; 5];
    let mut matrix: BTreeMap<(String, String), Vec<(usize, usize)>> = BTreeMap::new();
    let all = t.rows.iter().map(|r| (r.r, r.o, r.s));
    for (ri, o, sv) in all.chain(t.extra.iter().copied()) {
        let rule = &t.rules[ri];
        let class = class_of(o);
        let key = (rule.bench.clone(), rule.section.clone());
        by_section.entry(key.clone()).or_default()[class] += 1;
        by_sev[usize::from(sv.min(4))][class] += 1;
        let cells = matrix.entry(key).or_insert_with(|| vec![(0, 0); 6]);
        for (i, s) in Stride::ALL.iter().enumerate() {
            if rule.stride.contains(s.letter()) {
                cells[i].1 += 1;
                if class == 0 {
                    cells[i].0 += 1;
                }
            }
        }
    }
    let parts = |c: &[usize; 5]| {
        CLASSES
            .iter()
            .zip(c)
            .map(|((k, l), n)| (*k, *l, *n))
            .collect::<Vec<_>>()
    };
    let sections = by_section
        .iter()
        .map(|((b, s), c)| Bar {
            label: format!("{b} · {s}"),
            parts: parts(c),
        })
        .collect();
    let names = ["info", "low", "medium", "high", "critical"];
    let sev = (0..5)
        .rev()
        .map(|i| Bar {
            label: names[i].into(),
            parts: parts(&by_sev[i]),
        })
        .collect();
    let rows = matrix
        .into_iter()
        .map(|((b, s), cells)| MatrixRow {
            label: format!("{b} · {s}"),
            cells,
        })
        .collect();
    (sections, sev, rows)
}

/// Summary cards for what `c` holds.
pub fn cards(c: &Combined<'_>) -> Vec<Card> {
    let mut out = Vec::new();
    let mut card = |label: &str, value: String, class: &'static str| {
        out.push(Card {
            label: label.into(),
            value,
            class,
        })
    };
    if let Some(r) = c.audit {
        let s = &r.summary;
        card(
            "Checks failing",
            s.fail.to_string(),
            if s.fail > 0 { "fail" } else { "pass" },
        );
        card("Checks to review", s.warn.to_string(), "warn");
        card("Checks passing", s.pass.to_string(), "pass");
        card(
            "Checks in error",
            s.error.to_string(),
            if s.error > 0 { "error" } else { "na" },
        );
    }
    if let Some(s) = c.scan {
        card("Files scanned", s.summary.files.total.to_string(), "na");
        card(
            "Scan findings",
            s.summary.findings.to_string(),
            if s.summary.findings > 0 {
                "fail"
            } else {
                "pass"
            },
        );
        card(
            "Files in error",
            s.summary.errors.to_string(),
            if s.summary.errors > 0 { "error" } else { "na" },
        );
    }
    if let Some(a) = c.threats {
        let by = a.count_by_status();
        let get = |s: Status| by.get(&s).copied().unwrap_or(0);
        let confirmed = get(Status::OpenConfirmed) + get(Status::PartiallyMitigated);
        let open: usize = Status::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| get(*s))
            .sum();
        card(
            "Threats confirmed",
            confirmed.to_string(),
            if confirmed > 0 { "fail" } else { "pass" },
        );
        card("Threats open", open.to_string(), "warn");
        card(
            "Threats mitigated",
            get(Status::Mitigated).to_string(),
            "pass",
        );
    }
    out
}

#[derive(Serialize)]
pub struct ThreatComp {
    pub name: String,
    pub status: &'static str,
    pub class: &'static str,
    pub severity: &'static str,
}

#[derive(Serialize)]
pub struct ThreatEv {
    pub check: String,
    pub outcome: &'static str,
    pub message: String,
    pub targets: String,
}

#[derive(Serialize)]
pub struct ThreatView {
    pub id: String,
    /// The attack surface's own part after the group name (`image pull`).
    pub aspect: String,
    pub title: String,
    pub stride: String,
    pub severity: &'static str,
    pub open: usize,
    pub risk: String,
    pub reason: String,
    pub prevention: Vec<String>,
    pub fix: String,
    pub components: Vec<ThreatComp>,
    /// All components it applies to (`components` lists the first ones).
    pub total: usize,
    pub evidence: Vec<ThreatEv>,
    #[serde(skip)]
    rank: u8,
}

#[derive(Serialize)]
pub struct Surface {
    pub name: String,
    pub open: usize,
    pub threats: Vec<ThreatView>,
}

const SEV_NAMES: [&str; 5] = ["info", "low", "medium", "high", "critical"];
const CLASS_NAMES: [&str; 5] = ["fail", "warn", "error", "pass", "na"];
const MAX_TARGETS: usize = 20;
/// Components listed per threat; the rest are counted.
const MAX_COMPONENTS: usize = 60;

/// Threats grouped by attack surface; one entry per threat, listing every
/// component it applies to (not one entry per container).
pub fn surfaces(a: &Analysis<'_>) -> Vec<Surface> {
    let mut per: BTreeMap<usize, ThreatView> = BTreeMap::new();
    let mut evidence: BTreeMap<(usize, String), (Outcome, String, Vec<String>)> = BTreeMap::new();
    for i in &a.instances {
        let th = a.threat(i);
        let v = per.entry(i.threat).or_insert_with(|| ThreatView {
            id: clean(&th.id),
            aspect: clean(th.surface.split_once(" - ").map(|x| x.1).unwrap_or("")),
            title: clean(&th.title),
            stride: crate::threat::render::stride_names(&th.stride),
            severity: "info",
            open: 0,
            risk: clean(&th.risk),
            reason: clean(&th.reason),
            prevention: th.prevention.iter().map(|p| clean(p)).collect(),
            fix: th.fix.as_deref().map(clean).unwrap_or_default(),
            components: Vec::new(),
            total: 0,
            evidence: Vec::new(),
            rank: 0,
        });
        if i.status.is_open() {
            v.open += 1;
            v.rank = v.rank.max(i.severity as u8 + 1);
            v.severity = SEV_NAMES[usize::from(v.rank - 1)];
        }
        v.total += 1;
        if v.components.len() >= MAX_COMPONENTS {
            continue;
        }
        v.components.push(ThreatComp {
            name: clean(&a.component(i).name),
            status: i.status.label(),
            class: CLASS_NAMES[class_of(i.status.name())],
            severity: i.severity.label(),
        });
        for e in &i.evidence {
            let entry = evidence
                .entry((i.threat, format!("{} {}", e.check, e.title)))
                .or_insert_with(|| (e.outcome, clean(&e.message), Vec::new()));
            entry.0 = entry.0.worst(e.outcome);
            for t in &e.targets {
                if entry.2.len() <= MAX_TARGETS && !entry.2.contains(&t.name) {
                    entry.2.push(t.name.clone());
                }
            }
        }
    }
    for ((ti, check), (o, message, targets)) in evidence {
        if let Some(v) = per.get_mut(&ti) {
            let mut t: Vec<String> = targets.iter().take(MAX_TARGETS).map(|s| clean(s)).collect();
            if targets.len() > MAX_TARGETS {
                t.push("…".into());
            }
            v.evidence.push(ThreatEv {
                check: clean(&check),
                outcome: o.label(),
                message,
                targets: t.join(", "),
            });
        }
    }
    group(a, per)
}

/// Group threats by the head of their attack surface (`Docker registry`),
/// worst first.
fn group(a: &Analysis<'_>, per: BTreeMap<usize, ThreatView>) -> Vec<Surface> {
    let mut groups: BTreeMap<String, Vec<ThreatView>> = BTreeMap::new();
    for (ti, v) in per {
        let surface = &a.library.threats[ti].surface;
        let head = surface.split(" - ").next().unwrap_or(surface);
        groups.entry(clean(head)).or_default().push(v);
    }
    let mut out: Vec<Surface> = groups
        .into_iter()
        .map(|(name, mut threats)| {
            threats.sort_by(|x, y| y.rank.cmp(&x.rank).then(x.id.cmp(&y.id)));
            Surface {
                open: threats.iter().map(|t| t.open).sum(),
                name,
                threats,
            }
        })
        .collect();
    out.sort_by(|x, y| {
        let top = |s: &Surface| s.threats.first().map(|t| t.rank).unwrap_or(0);
        top(y).cmp(&top(x)).then(x.name.cmp(&y.name))
    });
    out
}

#[derive(Serialize, Default)]
pub struct PlanView {
    pub actions: Vec<(String, String)>,
    pub skipped: Vec<(String, String)>,
    pub restart_stops: Vec<String>,
}

pub fn plan(c: &Combined<'_>) -> PlanView {
    let Some(r) = c.audit else {
        return PlanView::default();
    };
    let p = &r.remediation_plan;
    PlanView {
        actions: p
            .actions
            .iter()
            .map(|a| (clean(&a.check), action_text(a)))
            .collect(),
        skipped: p
            .skipped
            .iter()
            .map(|s| (clean(&s.check), clean(&s.reason)))
            .collect(),
        restart_stops: p.restart_stops.iter().map(|s| clean(s)).collect(),
    }
}
