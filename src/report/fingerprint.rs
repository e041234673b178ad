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
/// would serialise to, as the value of a top-level key (the bracket one
/// level deep): the same bytes, made a window at a time in parallel from
/// borrowed fields rather than as 70,000 owned subjects. Duplicate
/// fingerprints are numbered in report order, as `disambiguate` numbers
/// them.
pub fn write_scan_subjects(r: &ScanReport, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    use super::chunked::JsonArray;
    use crate::findings::Severity;
    use rayon::prelude::*;
    use std::collections::hash_map::Entry;
    use std::collections::HashMap;
    /// [`Subject`] with borrowed fields: the same JSON.
    #[derive(serde::Serialize)]
    struct SubjectRef<'a> {
        fingerprint: &'a str,
        rule: &'a str,
        target: IdentityRef<'a>,
        severity: Severity,
        title: &'a str,
    }
    const WINDOW: usize = 2 * 1024;
    // The qualified id of each rule, made once.
    let mut rules: HashMap<&str, String> = HashMap::new();
    for f in &r.findings {
        if let Entry::Vacant(e) = rules.entry(f.rule_id) {
            e.insert(scan_rule(f.rule_id));
        }
    }
    let rules = &rules;
    // How many results so far had each fingerprint.
    let mut seen: HashMap<u128, usize> = HashMap::with_capacity(r.findings.len());
    let mut array = JsonArray::begin(w, 1)?;
    for window in r.findings.chunks(WINDOW) {
        let digests: Vec<u128> = window
            .par_iter()
            .map_init(Vec::new, |scratch, f| {
                let id = scan_identity_ref(&f.file, &f.object, &f.message);
                digest(&rules[f.rule_id], &id, scratch)
            })
            .collect();
        let numbered: Vec<(&crate::scan::ScanFinding, u128, usize)> = window
            .iter()
            .zip(digests)
            .map(|(f, d)| {
                let n = seen.entry(d).or_insert(0);
                *n += 1;
                (f, d, *n)
            })
            .collect();
        array.extend(&numbered, |(f, d, n), e| {
            e.push(&SubjectRef {
                fingerprint: fingerprint_text(*d, *n, &mut [0; 48]),
                rule: &rules[f.rule_id],
                target: scan_identity_ref(&f.file, &f.object, &f.message),
                severity: f.severity,
                title: f.title,
            })
        })?;
    }
    array.finish()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The windowed, parallel fingerprints are the bytes of the collected
    /// subjects, duplicates numbered the same way.
    #[test]
    fn streamed_subjects_match_collected_ones() {
        let dir = tempfile::tempdir().unwrap();
        let r = crate::report::scan::sample_report(dir.path(), 1_500);
        let subjects = scan_subjects(&r, false);
        assert!(subjects.len() > 8 * 1024, "{}", subjects.len());
        assert!(subjects.iter().any(|s| s.fingerprint.ends_with("#2")));
        #[derive(serde::Serialize)]
        struct Doc<'a> {
            fingerprints: &'a [Subject],
        }
        let expected = serde_json::to_string_pretty(&Doc {
            fingerprints: &subjects,
        })
        .unwrap();
        let envelope =
            serde_json::to_string_pretty(&serde_json::json!({ "fingerprints": [] })).unwrap();
        let lazy = |w: &mut dyn std::io::Write| write_scan_subjects(&r, w);
        let mut got = Vec::new();
        super::super::chunked::splice(envelope.as_bytes(), &[("fingerprints", 1, &lazy)], &mut got)
            .unwrap();
        let got = String::from_utf8(got).unwrap();
        let at = got.bytes().zip(expected.bytes()).position(|(a, b)| a != b);
        assert!(
            got == expected,
            "differ at byte {at:?} (lengths {} and {})",
            got.len(),
            expected.len()
        );
    }
}
