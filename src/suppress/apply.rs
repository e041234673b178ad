//! Applying an [`IgnoreList`] to each command's results, after evaluation
//! and before rendering. Nothing is dropped: an ignored audit offender
//! becomes INFO with the reason in its evidence, an ignored scan finding
//! moves to the suppressed list, an ignored threat is accepted with the
//! entry as its waiver; all of them are listed in the [`IgnoreReport`].

use super::{IgnoreList, IgnoreReport, Ledger, Outcome as Decision};
use crate::findings::fingerprint::{scan_identity, target_identity, threat_identity, Identity};
use crate::findings::{Finding, Outcome};
use crate::scan::suppress::{Suppression, Via};
use crate::scan::ScanReport;
use crate::threat::eval::{AppliedWaiver, Status};
use crate::threat::Analysis;
use std::collections::BTreeMap;

/// Audit findings: each failing offender of each FAIL is decided on its
/// own. A FAIL whose offenders are all ignored becomes INFO (WARN if a
/// WARN offender remains), so it neither scores nor gates.
pub fn apply_audit(
    findings: &mut [Finding],
    images: &BTreeMap<String, String>,
    list: &IgnoreList,
    today: i64,
) -> IgnoreReport {
    let mut ledger = Ledger::new(list);
    for f in findings.iter_mut().filter(|f| f.outcome == Outcome::Fail) {
        let rule = f.qualified_id();
        let mut offenders = 0;
        for e in f.evidence.iter_mut().filter(|e| e.outcome == Outcome::Fail) {
            offenders += 1;
            let id = target_identity(&e.target, images);
            match ledger.decide(&rule, &id, today) {
                Decision::Keep => {}
                Decision::Ignore(entry) => {
                    e.outcome = Outcome::Info;
                    e.observed =
                        format!("{} [ignored: {} ({})]", e.observed, entry.reason, entry.at);
                }
                Decision::Raise(note) => e.observed = format!("{} [{note}]", e.observed),
            }
        }
        if offenders == 0 {
            let host = Identity {
                kind: "host".into(),
                ..Default::default()
            };
            match ledger.decide(&rule, &host, today) {
                Decision::Keep => {}
                Decision::Ignore(entry) => {
                    f.outcome = Outcome::Info;
                    f.message = format!(
                        "ignored: {} ({}); was: {}",
                        entry.reason, entry.at, f.message
                    );
                }
                Decision::Raise(note) => f.message = format!("{} [{note}]", f.message),
            }
            continue;
        }
        if !f.evidence.iter().any(|e| e.outcome == Outcome::Fail) {
            let warn = f.evidence.iter().any(|e| e.outcome == Outcome::Warn);
            f.outcome = if warn { Outcome::Warn } else { Outcome::Info };
            f.message = format!("every offender is ignored; was: {}", f.message);
        }
    }
    let ids: Vec<String> = crate::rules::docker::checks()
        .iter()
        .map(|c| format!("docker:{}", c.id))
        .collect();
    ledger.finish(|p| super::names_any(p, ids.iter().map(String::as_str)))
}

/// Scan findings: an ignored one moves to `suppressed` (via
/// `ignore_file`, with the entry's reason). An expired entry leaves the
/// finding where it is; the note is in the report's `expired` list, so the
/// finding's identity (its message) does not change.
pub fn apply_scan(r: &mut ScanReport, list: &IgnoreList, today: i64) -> IgnoreReport {
    let mut ledger = Ledger::new(list);
    let mut kept = Vec::with_capacity(r.findings.len());
    for mut f in std::mem::take(&mut r.findings) {
        let rule = scan_rule(f.rule_id);
        let id = scan_identity(&f.file, &f.object, &f.message);
        match ledger.decide(&rule, &id, today) {
            Decision::Ignore(entry) => {
                f.suppression = Some(Suppression {
                    via: Via::IgnoreFile,
                    reason: entry.reason.clone(),
                    line: f.line,
                });
                r.suppressed.push(f);
            }
            Decision::Keep | Decision::Raise(_) => kept.push(f),
        }
    }
    r.findings = kept;
    r.suppressed.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.rule_id).cmp(&(&b.file, b.line, b.column, b.rule_id))
    });
    let s = &mut r.summary;
    s.findings = r.findings.len();
    s.suppressed = r.suppressed.len();
    s.by_severity.clear();
    for f in &r.findings {
        *s.by_severity.entry(f.severity).or_insert(0) += 1;
    }
    let ids: Vec<String> = crate::rules::registry::manifest_rules()
        .map(|r| scan_rule(r.id))
        .collect();
    ledger.finish(|p| super::names_any(p, ids.iter().map(String::as_str)))
}

/// The qualified id of a scan rule (`shipshape:K8S-001`).
pub fn scan_rule(id: &str) -> String {
    let slug = crate::rules::registry::find(id)
        .map(|r| r.meta.benchmark.slug())
        .unwrap_or("shipshape");
    format!("{slug}:{id}")
}

/// Threat instances: an ignored open instance is accepted, with the entry
/// as its waiver; an expired entry adds its note to the explanation.
pub fn apply_threats(a: &mut Analysis<'_>, list: &IgnoreList, today: i64) -> IgnoreReport {
    let mut ledger = Ledger::new(list);
    let keys: Vec<(usize, String, Identity)> = a
        .instances
        .iter()
        .enumerate()
        .filter(|(_, i)| i.status.is_open())
        .map(|(n, i)| {
            let rule = format!("threat:{}", a.threat(i).id);
            (n, rule, threat_identity(&i.id, &a.component(i).id))
        })
        .collect();
    for (n, rule, id) in keys {
        let inst = &mut a.instances[n];
        match ledger.decide(&rule, &id, today) {
            Decision::Keep => {}
            Decision::Ignore(e) => {
                inst.status = Status::Accepted;
                inst.explanation
                    .push(format!("ignored by the entry at {}: {}", e.at, e.reason));
                inst.waiver = Some(AppliedWaiver {
                    reason: e.reason.clone(),
                    expires: e.expires.clone(),
                    at: e.at.clone(),
                    tracking: Default::default(),
                    owner: e.owner.clone(),
                    ticket: None,
                });
            }
            Decision::Raise(note) => inst.explanation.push(note),
        }
    }
    let ids: Vec<String> = a
        .library
        .threats
        .iter()
        .map(|t| format!("threat:{}", t.id))
        .collect();
    ledger.finish(|p| {
        let threat = p.split('@').next().unwrap_or(p);
        super::names_any(threat, ids.iter().map(String::as_str))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Evidence, Severity, Target};

    fn finding(containers: &[&str]) -> Finding {
        Finding {
            id: "5.5",
            benchmark: crate::findings::Benchmark::CisDocker,
            section: "5",
            title: "No privileged containers",
            automated: true,
            severity: Severity::High,
            stride: &[],
            outcome: Outcome::Fail,
            message: "privileged".into(),
            remediation: "",
            evidence: containers
                .iter()
                .map(|c| {
                    Evidence::new(
                        Target::Container {
                            id: format!("id-{c}"),
                            name: c.to_string(),
                        },
                        Outcome::Fail,
                        "Privileged=true",
                        "false",
                    )
                })
                .collect(),
        }
    }

    fn list(yaml: &str) -> IgnoreList {
        IgnoreList {
            files: vec!["i.yaml".into()],
            entries: super::super::parse_yaml("i.yaml", yaml).unwrap(),
        }
    }

    #[test]
    fn an_expired_entry_raises_its_finding_again_with_a_note() {
        let l = list(
            "ignore:\n  - id: docker:5.5\n    scope: {container: web}\n    reason: lab box\n    expires: 2020-01-01\n",
        );
        let mut f = vec![finding(&["web"])];
        let today = crate::util::clock::days_from_civil(2026, 1, 1);
        let rep = apply_audit(&mut f, &BTreeMap::new(), &l, today);
        assert_eq!(f[0].outcome, Outcome::Fail, "raised again");
        assert!(f[0].evidence[0].observed.contains("expired on 2020-01-01"));
        assert_eq!(rep.expired.len(), 1);
        assert!(rep.ignored.is_empty() && rep.stale.is_empty());
        // Before the expiry date, the same entry ignores it.
        let mut f = vec![finding(&["web"])];
        let early = crate::util::clock::days_from_civil(2019, 12, 31);
        let rep = apply_audit(&mut f, &BTreeMap::new(), &l, early);
        assert_eq!(f[0].outcome, Outcome::Info);
        assert_eq!(rep.ignored.len(), 1);
        assert_eq!(rep.ignored[0].reason, "lab box");
    }

    #[test]
    fn a_scoped_entry_ignores_only_its_container_and_stale_ones_are_listed() {
        let l = list(
            "ignore:\n  - id: '5.5'\n    scope: {container: web}\n    reason: r\n  - id: docker:5.9\n    reason: nothing fails it\n",
        );
        let mut f = vec![finding(&["web", "db"])];
        let rep = apply_audit(&mut f, &BTreeMap::new(), &l, 0);
        assert_eq!(f[0].outcome, Outcome::Fail, "db still fails");
        assert_eq!(f[0].evidence[0].outcome, Outcome::Info);
        assert_eq!(f[0].evidence[1].outcome, Outcome::Fail);
        assert_eq!(rep.stale.len(), 1);
        assert_eq!(rep.stale[0].id, "docker:5.9");
        assert_eq!(rep.stale[0].at, "i.yaml:5:5");
    }
}
