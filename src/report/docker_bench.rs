//! The JSON layout docker-bench-security writes (`log/docker-bench-security.log.json`),
//! so dashboards and parsers built for it keep working. Unlike the original,
//! every string is properly escaped.
//!
//! Mapping: PASS → PASS; FAIL → WARN; WARN → WARN for automated checks and
//! NOTE for manual ones; ERROR → WARN with the reason in `details` (an
//! unevaluated check must not look clean); INFO and N/A → INFO.
//! `score` is docker-bench's: scored PASS minus scored WARN, counting only
//! automated checks.

use super::{section_title, Report};
use crate::findings::Outcome;
use serde_json::{json, Map, Value};

pub fn render(report: &Report) -> String {
    let start: i64 = crate::util::clock::epoch_of(&report.timestamp);
    let mut sections: Vec<(String, Vec<Value>)> = Vec::new();
    let mut score: i64 = 0;
    for f in &report.findings {
        let result = match f.outcome {
            Outcome::Pass => "PASS",
            Outcome::Fail | Outcome::Error => "WARN",
            Outcome::Warn if f.automated => "WARN",
            Outcome::Warn => "NOTE",
            Outcome::Info | Outcome::NotApplicable => "INFO",
        };
        if f.automated {
            match result {
                "PASS" => score += 1,
                "WARN" => score -= 1,
                _ => {}
            }
        }
        let mut obj = Map::new();
        obj.insert("id".into(), json!(f.id));
        obj.insert("desc".into(), json!(f.title));
        obj.insert("result".into(), json!(result));
        // As docker-bench does: only the items that carry the check's own
        // result (the failing ones of a FAIL, not those that need review).
        let items: Vec<String> = f
            .offenders()
            .filter(|e| e.outcome == f.outcome)
            .map(|e| e.target.label())
            .collect();
        let details = match f.outcome {
            Outcome::Error => format!("could not evaluate: {}", f.message),
            Outcome::NotApplicable => format!("not applicable: {}", f.message),
            _ => f.message.clone(),
        };
        if !details.is_empty() {
            obj.insert("details".into(), json!(details));
        }
        if !items.is_empty() && f.outcome != Outcome::Pass {
            obj.insert("items".into(), json!(items));
        }
        if f.outcome != Outcome::Pass {
            obj.insert("remediation".into(), json!(f.remediation));
        }
        match sections.iter_mut().find(|(s, _)| s == f.section) {
            Some((_, v)) => v.push(Value::Object(obj)),
            None => sections.push((f.section.to_string(), vec![Value::Object(obj)])),
        }
    }
    let tests: Vec<Value> = sections
        .into_iter()
        .map(|(id, results)| json!({"id": id, "desc": section_title(&id), "results": results}))
        .collect();
    let doc = json!({
        "dockerbenchsecurity": "1.6.0",
        "generator": format!("shipshape {}", report.tool.version),
        "start": start,
        "tests": tests,
        "checks": report.findings.len(),
        "score": score,
        "end": start,
    });
    serde_json::to_string_pretty(&doc).expect("serialises") + "\n"
}
