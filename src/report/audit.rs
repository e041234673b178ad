//! The audit [`Report`] as a [`Run`] of the finding core: one item per
//! check, one hit per offender. Files are physical locations on the audited
//! host; containers, images and the daemon are logical locations.

use super::core::{Hit, Item, Loc, Run, Verdict};
use super::{section_title_of, Report};
use crate::findings::{Benchmark, Evidence, Finding, Outcome, Target};
use crate::rules::meta::RuleMeta;

fn verdict(o: Outcome) -> Verdict {
    match o {
        Outcome::Pass | Outcome::Info => Verdict::Pass,
        Outcome::Fail => Verdict::Fail,
        Outcome::Warn => Verdict::Review,
        Outcome::NotApplicable => Verdict::Skip,
        Outcome::Error => Verdict::Error,
    }
}

fn loc(t: &Target) -> Loc<'_> {
    match t {
        Target::File { path } => Loc::File {
            path: path.into(),
            base: None,
            region: None,
        },
        t => Loc::Logical {
            name: t.label().into(),
            kind: t.kind().into(),
        },
    }
}

/// `kind label: observed (expected …)`.
fn offender_line(e: &Evidence) -> String {
    let mut s = format!("{} {}: {}", e.target.kind(), e.target.label(), e.observed);
    if !e.expected.is_empty() {
        s.push_str(&format!(" (expected {})", e.expected));
    }
    s
}

fn hits(f: &Finding) -> Vec<Hit<'_>> {
    if f.outcome == Outcome::Error {
        return Vec::new();
    }
    let offenders: Vec<Hit> = f
        .evidence
        .iter()
        .filter(|e| matches!(e.outcome, Outcome::Fail | Outcome::Warn))
        .map(|e| Hit {
            text: format!("{} — {}", f.title, offender_line(e)).into(),
            loc: loc(&e.target),
            related: Vec::new(),
        })
        .collect();
    if !offenders.is_empty() {
        return offenders;
    }
    vec![Hit {
        text: format!("{}: {}", f.title, f.message).into(),
        loc: Loc::Logical {
            name: "host".into(),
            kind: "host".into(),
        },
        related: Vec::new(),
    }]
}

/// The check's metadata; a finding always comes from a registered check,
/// but a report read from elsewhere still renders.
fn meta(f: &Finding) -> RuleMeta {
    let found = match f.benchmark {
        Benchmark::CisKubernetes => crate::rules::kubernetes_node::checks()
            .iter()
            .find(|c| c.meta.id == f.id)
            .map(|c| c.meta),
        _ => crate::rules::docker::checks()
            .iter()
            .find(|c| c.id == f.id)
            .map(|c| c.meta),
    };
    found.unwrap_or_else(|| {
        let mut m = RuleMeta::cis_docker(f.id, f.title, f.severity, f.stride, f.remediation);
        m.benchmark = f.benchmark;
        m
    })
}

/// `cis-docker-1.6` / `cis-kubernetes-1.12`: the JUnit class prefix.
fn class_prefix(b: Benchmark) -> String {
    format!("cis-{}-{}", b.slug(), b.version())
}

fn item<'a>(run: &mut Run<'a>, f: &'a Finding) -> Item<'a> {
    let rule = run.rule_index(&meta(f));
    let message = match f.outcome {
        Outcome::Error => format!("{} could not be evaluated: {}", f.id, f.message).into(),
        _ => f.message.as_str().into(),
    };
    Item {
        rule: Some(rule),
        verdict: verdict(f.outcome),
        severity: f.severity,
        message,
        details: f.offenders().map(|e| offender_line(e).into()).collect(),
        hits: hits(f),
        suppressed: None,
        object: "".into(),
        suite: match f.benchmark {
            Benchmark::CisDocker => format!("{} {}", f.section, section_title_of(f)),
            b => format!("{} {} {}", b.name(), f.section, section_title_of(f)),
        }
        .into(),
        case: match f.benchmark {
            Benchmark::CisDocker => format!("{} {}", f.id, f.title),
            _ => format!("{} {}", f.qualified_id(), f.title),
        }
        .into(),
        classname: format!("{}.section-{}", class_prefix(f.benchmark), f.section).into(),
    }
}

/// The audit report in the shape of the finding core.
pub fn run(report: &Report) -> Run<'_> {
    let mut run = Run::new("audit");
    for f in &report.findings {
        let it = item(&mut run, f);
        run.items.push(it);
    }
    run.notes = report.errors.clone();
    run.complete = report.errors.is_empty();
    run.timestamp = Some(report.timestamp.clone());
    run.hostname = Some(report.host.hostname.clone());
    let p = &mut run.properties;
    p.insert("benchmark".into(), report.benchmark.clone().into());
    p.insert("host".into(), report.host.hostname.clone().into());
    p.insert(
        "dockerVersion".into(),
        report.host.docker_version.clone().into(),
    );
    p.insert("timestamp".into(), report.timestamp.clone().into());
    run
}
