//! SARIF 2.1.0 output. `rules[]` is generated from the rules that ran;
//! suppressed findings are included with `suppressions[]`; per-file errors
//! become tool execution notifications.

use crate::findings::Severity;
use crate::scan::{ScanFinding, ScanReport};
use serde_json::{json, Value};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning's numeric severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// A relative path as a URI reference (forward slashes, spaces and `%`
/// escaped).
fn uri(path: &str) -> String {
    let mut out = String::new();
    for ch in path.replace('\\', "/").chars() {
        match ch {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

fn result(f: &ScanFinding, index: Option<usize>) -> Value {
    let mut r = json!({
        "ruleId": f.rule_id,
        "level": level(f.severity),
        "message": { "text": f.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&f.file), "uriBaseId": "%SRCROOT%" },
                "region": {
                    "startLine": f.line.max(1),
                    "startColumn": f.column.max(1),
                    "endColumn": f.column.max(1) + f.len.max(1),
                }
            }
        }],
        "properties": { "severity": f.severity.label() },
    });
    if let Some(i) = index {
        r["ruleIndex"] = json!(i);
    }
    if !f.object.is_empty() {
        r["properties"]["object"] = json!(f.object);
    }
    if let Some(s) = &f.suppression {
        r["suppressions"] =
            json!([{ "kind": "inSource", "status": "accepted", "justification": s.reason }]);
    }
    r
}

pub fn render(r: &ScanReport) -> String {
    let rules: Vec<Value> = r
        .rules
        .iter()
        .map(|rule| {
            let mut tags: Vec<String> = vec!["security".into()];
            tags.extend(rule.refs.iter().map(|x| x.label()));
            tags.extend(rule.stride.iter().map(|s| format!("STRIDE:{}", s.name())));
            json!({
                "id": rule.id,
                "name": rule.id.replace('-', ""),
                "shortDescription": { "text": rule.title },
                "fullDescription": { "text": rule.title },
                "help": { "text": rule.remediation },
                "defaultConfiguration": { "level": level(rule.severity) },
                "properties": {
                    "tags": tags,
                    "security-severity": security_severity(rule.severity),
                },
            })
        })
        .collect();
    let index = |id: &str| r.rules.iter().position(|x| x.id == id);
    let results: Vec<Value> = r
        .findings
        .iter()
        .chain(&r.suppressed)
        .map(|f| result(f, index(f.rule_id)))
        .collect();
    let notes: Vec<Value> = r
        .errors
        .iter()
        .map(|e| {
            let mut n = json!({ "level": "error", "message": { "text": e.render() } });
            if !e.file.is_empty() {
                let mut loc = json!({ "physicalLocation": { "artifactLocation": { "uri": uri(&e.file), "uriBaseId": "%SRCROOT%" } } });
                if let Some(l) = e.line {
                    loc["physicalLocation"]["region"] = json!({ "startLine": l.max(1), "startColumn": e.column.unwrap_or(1).max(1) });
                }
                n["locations"] = json!([loc]);
            }
            n
        })
        .collect();
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "shipshape",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/shipshape/shipshape",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notes,
            }],
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
