//! SARIF 2.1.0 for the host audit, so findings land in code-scanning UIs
//! next to the config scanner's.
//!
//! `rules[]` comes from the checks that ran. A FAIL gives one result of kind
//! `fail` per offending target, with a level from the check's severity; a
//! WARN gives kind `review`. Files are physical locations (`file://` URIs on
//! the audited host); containers, images and the daemon are logical
//! locations. ERROR findings are tool execution notifications, since nothing
//! was decided about them. PASS, INFO and N/A produce no result.

use super::Report;
use crate::findings::{Evidence, Finding, Outcome, Severity, Target};
use serde_json::{json, Value};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn location(e: &Evidence) -> Value {
    match &e.target {
        Target::File { path } => json!({
            "physicalLocation": {"artifactLocation": {"uri": format!("file://{path}")}}
        }),
        t => json!({
            "logicalLocations": [{"name": t.label(), "kind": t.kind()}]
        }),
    }
}

fn results_of(f: &Finding, rule_index: usize) -> Vec<Value> {
    let kind = match f.outcome {
        Outcome::Fail => "fail",
        Outcome::Warn => "review",
        _ => return Vec::new(),
    };
    let level = if kind == "fail" {
        level(f.severity)
    } else {
        "none"
    };
    let offenders: Vec<&Evidence> = f
        .evidence
        .iter()
        .filter(|e| matches!(e.outcome, Outcome::Fail | Outcome::Warn))
        .collect();
    let one = |text: String, locations: Vec<Value>| {
        json!({
            "ruleId": f.id,
            "ruleIndex": rule_index,
            "kind": kind,
            "level": level,
            "message": {"text": text},
            "locations": locations,
        })
    };
    if offenders.is_empty() {
        return vec![one(
            format!("{}: {}", f.title, f.message),
            vec![json!({"logicalLocations": [{"name": "host", "kind": "host"}]})],
        )];
    }
    offenders
        .into_iter()
        .map(|e| {
            let mut text = format!(
                "{} — {} {}: {}",
                f.title,
                e.target.kind(),
                e.target.label(),
                e.observed
            );
            if !e.expected.is_empty() {
                text.push_str(&format!(" (expected {})", e.expected));
            }
            one(text, vec![location(e)])
        })
        .collect()
}

pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "id": f.id,
                "name": format!("CIS-Docker-{}", f.id),
                "shortDescription": {"text": f.title},
                "fullDescription": {"text": format!("CIS Docker Benchmark 1.6 check {} ({}).", f.id, if f.automated { "automated" } else { "manual" })},
                "help": {"text": f.remediation},
                "defaultConfiguration": {"level": level(f.severity)},
                "properties": {
                    "tags": f.stride.iter().map(|s| s.name()).collect::<Vec<_>>(),
                    "severity": f.severity.label(),
                },
            })
        })
        .collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for (i, f) in report.findings.iter().enumerate() {
        if f.outcome == Outcome::Error {
            notifications.push(json!({
                "level": "error",
                "message": {"text": format!("{} could not be evaluated: {}", f.id, f.message)},
                "associatedRule": {"id": f.id, "index": i},
            }));
        }
        results.extend(results_of(f, i));
    }
    for e in &report.errors {
        notifications.push(json!({"level": "error", "message": {"text": e}}));
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "shipshape",
                "version": report.tool.version,
                "informationUri": "https://github.com/shipshape/shipshape",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "properties": {
                "benchmark": report.benchmark,
                "host": report.host.hostname,
                "dockerVersion": report.host.docker_version,
                "timestamp": report.timestamp,
            },
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).expect("serialises") + "\n"
}
