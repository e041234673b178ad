//! JSON: the complete, versioned record of a threat model run.
//!
//! Layout version [`THREATS_SCHEMA_VERSION`]. No timestamps, so two runs on
//! an unchanged system give identical output and can be diffed by `id`.

use super::super::eval::{AppliedWaiver, EvidenceItem, Status};
use super::super::library::{Impact, LibrarySource, Likelihood, References};
use super::super::model::{Boundary, Component, DataAsset, Flow};
use super::super::Analysis;
use crate::findings::{Severity, Stride};
use serde::Serialize;
use std::collections::BTreeMap;

pub const THREATS_SCHEMA: &str = "shipshape.threats";
pub const THREATS_SCHEMA_VERSION: u32 = 2;
/// JSON Schema (draft 2020-12) of this output.
pub const JSON_SCHEMA: &str = include_str!("../../../docs/schema/threats.v2.json");

#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    schema_version: u32,
    tool: Tool,
    model: ModelOut<'a>,
    library: LibOut<'a>,
    summary: Summary,
    threats: Vec<InstanceOut<'a>>,
    warnings: &'a [String],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct ModelOut<'a> {
    name: &'a str,
    boundaries: &'a [Boundary],
    components: Vec<ComponentOut<'a>>,
    flows: Vec<FlowOut<'a>>,
    #[serde(skip_serializing_if = "<[DataAsset]>::is_empty")]
    data_assets: &'a [DataAsset],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    out_of_scope_boundaries: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
struct ComponentOut<'a> {
    #[serde(flatten)]
    component: &'a Component,
    highest_open_severity: Option<Severity>,
}

#[derive(Serialize)]
struct FlowOut<'a> {
    #[serde(flatten)]
    flow: &'a Flow,
    crosses: Option<String>,
}

#[derive(Serialize)]
struct LibOut<'a> {
    sources: &'a [LibrarySource],
    threats: usize,
}

#[derive(Serialize)]
struct Summary {
    instances: usize,
    by_status: BTreeMap<&'static str, usize>,
    open_by_severity: BTreeMap<&'static str, usize>,
    findings_linked: bool,
}

#[derive(Serialize)]
struct InstanceOut<'a> {
    id: &'a str,
    threat: &'a str,
    title: &'a str,
    surface: &'a str,
    stride: &'a [Stride],
    component: &'a str,
    component_kind: &'static str,
    flow: Option<&'a str>,
    severity: Severity,
    score: u8,
    takeover: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a str>,
    likelihood: Likelihood,
    impact: Impact,
    status: Status,
    risk: &'a str,
    reason: &'a str,
    prevention: &'a [String],
    references: &'a References,
    evidence: &'a [EvidenceItem],
    explanation: &'a [String],
    waiver: Option<&'a AppliedWaiver>,
}

pub fn render(a: &Analysis<'_>) -> String {
    let m = a.model;
    let ix = m.index();
    let highest = a.highest_open();
    let mut by_status = BTreeMap::new();
    for (s, n) in a.count_by_status() {
        by_status.insert(s.name(), n);
    }
    let mut open_by_severity = BTreeMap::new();
    for i in a.instances.iter().filter(|i| i.status.is_open()) {
        *open_by_severity.entry(i.severity.label()).or_insert(0) += 1;
    }
    let doc = Doc {
        schema: THREATS_SCHEMA,
        schema_version: THREATS_SCHEMA_VERSION,
        tool: Tool {
            name: "shipshape",
            version: env!("CARGO_PKG_VERSION"),
        },
        model: ModelOut {
            name: &m.name,
            boundaries: &m.boundaries,
            components: m
                .components
                .iter()
                .zip(&highest)
                .map(|(c, h)| ComponentOut {
                    component: c,
                    highest_open_severity: *h,
                })
                .collect(),
            flows: m
                .flows
                .iter()
                .map(|f| FlowOut {
                    flow: f,
                    crosses: m.crossing(&ix, f).map(|c| {
                        format!(
                            "{}->{}",
                            c.from.map(|k| k.name()).unwrap_or("outside"),
                            c.to.map(|k| k.name()).unwrap_or("outside")
                        )
                    }),
                })
                .collect(),
            data_assets: &m.data_assets,
            out_of_scope_boundaries: &m.out_of_scope_boundaries,
        },
        library: LibOut {
            sources: &a.library.sources,
            threats: a.library.threats.len(),
        },
        summary: Summary {
            instances: a.instances.len(),
            by_status,
            open_by_severity,
            findings_linked: a.has_findings,
        },
        threats: a.instances.iter().map(|i| instance_out(a, i)).collect(),
        warnings: &a.warnings,
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("threat model serialises");
    s.push('\n');
    s
}

fn instance_out<'a>(a: &Analysis<'a>, i: &'a super::super::eval::Instance) -> InstanceOut<'a> {
    let t = a.threat(i);
    let c = a.component(i);
    InstanceOut {
        id: &i.id,
        threat: &t.id,
        title: &t.title,
        surface: &t.surface,
        stride: &t.stride,
        component: &c.id,
        component_kind: c.kind.name(),
        flow: a.flow(i).map(|f| f.id.as_str()),
        severity: i.severity,
        score: i.score,
        takeover: i.takeover,
        fix: t.fix.as_deref(),
        likelihood: i.likelihood,
        impact: i.impact,
        status: i.status,
        risk: &t.risk,
        reason: &t.reason,
        prevention: &t.prevention,
        references: &t.references,
        evidence: &i.evidence,
        explanation: &i.explanation,
        waiver: i.waiver.as_ref(),
    }
}
