//! The JSON layout kube-bench writes with `--json`, so tools built for it
//! (dashboards, policy reporters, Starboard-style collectors) read the
//! Kubernetes audit: `{"Controls": [...], "Totals": {...}}`, one control per
//! section (1 master, 2 etcd, 3 controlplane, 4 node), one `tests` entry
//! per group, one `results` entry per check. Schema:
//! `docs/schema/kube-bench.v1.json`.
//!
//! Status mapping: PASS → PASS, FAIL → FAIL, WARN → WARN, INFO and N/A →
//! INFO (kube-bench has no N/A; `reason` says why), ERROR → WARN with the
//! reason (kube-bench reports an audit that could not run as WARN/FAIL; an
//! unevaluated check must not look clean). `scored` is CIS's Automated.
//! `audit` names the facts a check read, since shipshape runs no shell.

use super::Report;
use crate::findings::{Benchmark, Finding, Outcome};
use crate::rules::kubernetes_node::{node_type, section_title};
use serde_json::{json, Value};

#[derive(Default, Clone, Copy)]
struct Counts {
    pass: usize,
    fail: usize,
    warn: usize,
    info: usize,
}

impl Counts {
    fn add(&mut self, status: &str) {
        match status {
            "PASS" => self.pass += 1,
            "FAIL" => self.fail += 1,
            "WARN" => self.warn += 1,
            _ => self.info += 1,
        }
    }
    fn plus(&mut self, o: Counts) {
        self.pass += o.pass;
        self.fail += o.fail;
        self.warn += o.warn;
        self.info += o.info;
    }
    fn json(self, prefix: &str) -> Vec<(String, Value)> {
        vec![
            (format!("{prefix}pass"), json!(self.pass)),
            (format!("{prefix}fail"), json!(self.fail)),
            (format!("{prefix}warn"), json!(self.warn)),
            (format!("{prefix}info"), json!(self.info)),
        ]
    }
}

fn status(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "PASS",
        Outcome::Fail => "FAIL",
        Outcome::Warn | Outcome::Error => "WARN",
        Outcome::Info | Outcome::NotApplicable => "INFO",
    }
}

/// The group a check belongs to: `1.2` for `1.2.3`, `2` for `2.1`.
fn group_of(id: &str) -> String {
    let parts: Vec<&str> = id.split('.').collect();
    if parts.len() >= 3 {
        parts[..2].join(".")
    } else {
        parts[0].to_string()
    }
}

fn result(f: &Finding) -> Value {
    let st = status(f.outcome);
    let actual: Vec<String> = f.evidence.iter().map(|e| e.observed.clone()).collect();
    let expected: Vec<String> = f
        .evidence
        .iter()
        .map(|e| e.expected.clone())
        .filter(|e| !e.is_empty())
        .collect();
    let reason = match f.outcome {
        Outcome::Error => format!("could not evaluate: {}", f.message),
        Outcome::NotApplicable => format!("not applicable: {}", f.message),
        _ => String::new(),
    };
    let audit: Vec<String> = f
        .evidence
        .iter()
        .map(|e| e.source.clone().unwrap_or_else(|| e.target.label()))
        .collect();
    json!({
        "test_number": f.id,
        "test_desc": format!("{} ({})", f.title, if f.automated { "Automated" } else { "Manual" }),
        "audit": audit.join("; "),
        "AuditEnv": "",
        "AuditConfig": "",
        "type": if f.automated { "" } else { "manual" },
        "remediation": f.remediation,
        "test_info": [f.remediation],
        "status": st,
        "actual_value": actual.join("; "),
        "scored": f.automated,
        "IsMultiple": f.evidence.len() > 1,
        "expected_result": expected.join(" AND "),
        "reason": reason,
    })
}

/// One control (section) with its groups, and its counts.
fn control(section: &str, fs: &[&Finding]) -> (Value, Counts) {
    let mut groups: Vec<(String, Vec<Value>, Counts)> = Vec::new();
    let mut total = Counts::default();
    for f in fs {
        let g = group_of(f.id);
        if groups.last().is_none_or(|(last, ..)| *last != g) {
            groups.push((g, Vec::new(), Counts::default()));
        }
        let entry = groups.last_mut().expect("pushed");
        entry.1.push(result(f));
        entry.2.add(status(f.outcome));
        total.add(status(f.outcome));
    }
    let tests: Vec<Value> = groups
        .into_iter()
        .map(|(g, results, c)| {
            let mut o = serde_json::Map::new();
            o.insert("section".into(), json!(g));
            o.insert("type".into(), json!(""));
            o.extend(c.json(""));
            o.insert("desc".into(), json!(section_title(&g)));
            o.insert("results".into(), json!(results));
            Value::Object(o)
        })
        .collect();
    let mut o = serde_json::Map::new();
    o.insert("id".into(), json!(section));
    o.insert("version".into(), json!("cis-1.12"));
    // The node's Kubernetes version is not among the collected facts.
    o.insert("detected_version".into(), json!(""));
    o.insert("text".into(), json!(section_title(section)));
    o.insert("node_type".into(), json!(node_type(section)));
    o.insert("tests".into(), json!(tests));
    o.extend(total.json("total_"));
    (Value::Object(o), total)
}

pub fn render(report: &Report) -> String {
    let kube: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.benchmark == Benchmark::CisKubernetes)
        .collect();
    let mut controls = Vec::new();
    let mut totals = Counts::default();
    let mut sections: Vec<&str> = kube.iter().map(|f| f.section).collect();
    sections.dedup();
    for s in sections {
        let fs: Vec<&Finding> = kube.iter().copied().filter(|f| f.section == s).collect();
        let (c, n) = control(s, &fs);
        controls.push(c);
        totals.plus(n);
    }
    let mut t = serde_json::Map::new();
    t.extend(totals.json("total_"));
    let doc = json!({ "Controls": controls, "Totals": Value::Object(t) });
    serde_json::to_string_pretty(&doc).expect("serialises") + "\n"
}
