//! Stable identities of failing results, for baselines, diffs and ignore
//! files.
//!
//! A [`Subject`] is one failing result about one thing: an audit check that
//! fails for one container, image, file or the host; one scan finding; one
//! open threat instance. Its fingerprint hashes the benchmark-qualified rule
//! id (`docker:5.5`, `shipshape:K8S-001`, `threat:docker.socket-mount`) and
//! the target's identity:
//!
//! - a container: its name and its image;
//! - a scanned file: its path, the object's kind and name, and the message
//!   (which names the container inside a pod); never a line number, so
//!   editing lines above a finding keeps its identity, and never without the
//!   path, so findings in different files are never merged;
//! - a threat instance: its stable id `threat@component[@flow]`.
//!
//! Every JSON report carries its subjects under `fingerprints`, so a later
//! run can compare against it (`--baseline`, `shipshape diff`).

use super::baseline::locator;
pub use crate::findings::fingerprint::*;
use crate::findings::{Finding, Outcome};
use crate::scan::ScanReport;
use crate::suppress::apply::scan_rule;
use std::collections::BTreeMap;

/// The failing subjects of an audit: one per offender of each FAIL.
pub fn audit_subjects(findings: &[Finding], images: &BTreeMap<String, String>) -> Vec<Subject> {
    let mut out = Vec::new();
    for f in findings.iter().filter(|f| f.outcome == Outcome::Fail) {
        let rule = f.qualified_id();
        let offenders: Vec<_> = f
            .evidence
            .iter()
            .filter(|e| e.outcome == Outcome::Fail)
            .collect();
        if offenders.is_empty() {
            let mut s = Subject::new(
                rule.clone(),
                Identity {
                    kind: "host".into(),
                    ..Default::default()
                },
                f.severity,
                f.title.to_string(),
            );
            s.locator = locator(ReportKind::Audit, f.id, &s.target);
            out.push(s);
        }
        for e in offenders {
            let mut s = Subject::new(
                rule.clone(),
                target_identity(&e.target, images),
                f.severity,
                f.title.to_string(),
            );
            s.locator = locator(ReportKind::Audit, f.id, &s.target);
            out.push(s);
        }
    }
    disambiguate(&mut out);
    out
}

/// The subjects of a scan: one per unsuppressed finding. `locators` adds
/// each one's SARIF place, which only rewriting a SARIF log needs.
pub fn scan_subjects(r: &ScanReport, locators: bool) -> Vec<Subject> {
    let mut out: Vec<Subject> = r
        .findings
        .iter()
        .map(|f| {
            let mut s = Subject::new(
                scan_rule(f.rule_id),
                scan_identity(&f.file, &f.object, &f.message),
                f.severity,
                f.title.to_string(),
            );
            if locators {
                s.locator = locator(ReportKind::Scan, f.rule_id, &s.target);
            }
            s
        })
        .collect();
    disambiguate(&mut out);
    out
}

/// Write the scan's subjects as the pretty JSON array `scan_subjects`
/// would serialise to, one at a time: the same bytes without holding 70,000
/// subjects in memory at once. `w` receives the array at indent level 0.
pub fn write_scan_subjects(r: &ScanReport, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    use std::collections::HashMap;
    if r.findings.is_empty() {
        return w.write_all(b"[]");
    }
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(r.findings.len());
    w.write_all(b"[")?;
    for (i, f) in r.findings.iter().enumerate() {
        let mut s = Subject::new(
            scan_rule(f.rule_id),
            scan_identity(&f.file, &f.object, &f.message),
            f.severity,
            f.title.to_string(),
        );
        // The numbering `disambiguate` gives, in the same order.
        let n = seen.entry(s.fingerprint.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            s.fingerprint = format!("{}#{n}", s.fingerprint);
        }
        w.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer_pretty(super::baseline::Indent(&mut *w), &s)?;
    }
    w.write_all(b"\n]")
}

/// The subjects of a threat analysis: one per open instance.
pub fn threat_subjects(a: &crate::threat::Analysis<'_>) -> Vec<Subject> {
    a.instances
        .iter()
        .filter(|i| i.status.is_open())
        .map(|i| {
            let t = a.threat(i);
            let mut s = Subject::new(
                format!("threat:{}", t.id),
                threat_identity(&i.id, &a.component(i).id),
                i.severity,
                t.title.clone(),
            );
            s.locator = locator(ReportKind::Threats, &t.id, &s.target);
            s
        })
        .collect()
}
