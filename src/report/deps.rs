//! A dependency report as a [`Run`] of the finding core, so `deps` writes
//! SARIF and JUnit through the same writers as audit, scan and threats. Each
//! advisory (its first id; aliases are tags) is a rule, each vulnerable
//! package an item at the file and line it came from.

use super::core::{Hit, Item, Loc, Region, RuleInfo, Run, Verdict};
use crate::deps::cvss::Level;
use crate::deps::matcher::Finding;
use crate::deps::report::DepsReport;
use crate::findings::Severity;
use std::collections::HashMap;

/// The shared severity scale for an advisory level. An advisory with no
/// CVSS score is `medium` here, only because SARIF needs a level; its
/// `cvss:unknown` tag and the JSON report keep the fact that none was given.
fn severity(l: Level) -> Severity {
    match l {
        Level::Critical => Severity::Critical,
        Level::High => Severity::High,
        Level::Medium | Level::Unknown => Severity::Medium,
        Level::Low => Severity::Low,
        Level::None => Severity::Info,
    }
}

fn rule(f: &Finding) -> RuleInfo {
    let id = f.advisories.first().cloned().unwrap_or_default();
    let mut tags: Vec<String> = vec!["security".into(), "vulnerability".into()];
    tags.extend(f.ids.iter().filter(|a| **a != id).cloned());
    tags.push(match f.severity.score {
        Some(s) => format!("cvss:{s:.1}"),
        None => "cvss:unknown".into(),
    });
    RuleInfo {
        name: id.replace('-', ""),
        title: if f.summary.is_empty() {
            id.clone()
        } else {
            f.summary.clone()
        },
        description: format!("{} affects {}", f.ids.join(", "), f.package),
        help: f.remediation.clone(),
        severity: severity(f.severity.level),
        tags,
        id,
    }
}

fn item(rule: usize, f: &Finding) -> Item<'_> {
    let version = f
        .installed
        .as_deref()
        .or(f.specifier.as_deref())
        .unwrap_or("");
    let message = format!(
        "{} {version} is affected by {}; {}",
        f.raw_name,
        f.ids.join(", "),
        f.remediation
    );
    let region = f.origin.line.map(|l| Region {
        line: l.max(1) as u32,
        column: f.origin.column.unwrap_or(1).max(1) as u32,
        len: None,
    });
    Item {
        rule: Some(rule),
        verdict: Verdict::Fail,
        severity: severity(f.severity.level),
        message: message.clone().into(),
        details: f
            .fixed
            .iter()
            .map(|x| format!("fixed in {x}").into())
            .collect(),
        hits: vec![Hit {
            text: message.into(),
            loc: Loc::File {
                path: f.origin.path.as_str().into(),
                base: None,
                region,
            },
            related: Vec::new(),
        }],
        suppressed: None,
        object: f.origin.target.as_deref().unwrap_or("").into(),
        suite: f.origin.path.as_str().into(),
        case: format!("{} {}", f.package, f.ids.join(",")).into(),
        classname: "deps".into(),
    }
}

/// The report in the shape of the finding core.
pub fn run(r: &DepsReport) -> Run<'_> {
    let mut run = Run::new("deps");
    let mut index: HashMap<&str, usize> = HashMap::new();
    for f in &r.findings {
        let key = f.advisories.first().map(String::as_str).unwrap_or("");
        let i = *index.entry(key).or_insert_with(|| {
            run.rules.push(rule(f));
            run.rules.len() - 1
        });
        run.items.push(item(i, f));
    }
    run.notes = r.errors.iter().map(|e| e.message.clone()).collect();
    run.complete = r.errors.is_empty();
    run
}
