//! Dependency scans as threat evidence.
//!
//! `threats --deps` reads the Python packages installed in each container
//! (the `deps` machinery) and matches them against the offline advisory
//! index. [`finding`] folds the result into one [`Finding`] whose id is the
//! key of the library's `{deps: pypi}` links (`deps:pypi`): a FAIL entry per
//! vulnerable package, a PASS entry per container scanned without one, an
//! ERROR entry per container that could not be read. [`deps_item`] reads it
//! for one component: vulnerable packages confirm the threat, a clean scan
//! mitigates it as of the index's date, and no scan leaves it not assessed.

use super::eval::{target_matches, EvidenceItem, EvidenceTarget};
use super::library::EvidenceCheck;
use crate::deps::matcher::Finding as DepFinding;
use crate::findings::{Evidence, Finding, Outcome, Severity, Stride, Target};

/// The finding id of a Python dependency scan (the key of `{deps: pypi}`).
pub const PYPI: &str = "deps:pypi";

/// The scan of one container: its name and the vulnerable packages found,
/// or why it could not be read.
pub struct ContainerScan {
    pub name: String,
    pub result: Result<Vec<DepFinding>, String>,
}

fn target(name: &str) -> Target {
    Target::Container {
        id: String::new(),
        name: name.to_string(),
    }
}

/// One line for one vulnerable package: ids, package, installed → fixed.
pub fn describe(f: &DepFinding) -> String {
    let installed = f
        .installed
        .as_deref()
        .or(f.specifier.as_deref())
        .unwrap_or("?");
    let fixed = f.fixed.as_deref().unwrap_or("no fixed version known");
    format!(
        "{} {} {installed} → {fixed}: {}",
        f.ids.join(", "),
        f.raw_name,
        crate::sanitize::visible(&f.summary)
    )
}

/// Fold the scans into the finding the threat evaluation reads.
/// `db_date` is the advisory index's build date (RFC 3339).
pub fn finding(scans: &[ContainerScan], db_date: &str) -> Finding {
    let day = db_date.get(..10).unwrap_or(db_date);
    let mut evidence = Vec::new();
    for s in scans {
        match &s.result {
            Err(e) => evidence.push(Evidence::new(
                target(&s.name),
                Outcome::Error,
                format!("not scanned: {e}"),
                "",
            )),
            Ok(found) if found.is_empty() => evidence.push(Evidence::new(
                target(&s.name),
                Outcome::Pass,
                format!("no known-vulnerable Python package as of advisory DB date {day}"),
                "",
            )),
            Ok(found) => {
                for f in found {
                    evidence.push(
                        Evidence::new(
                            target(&s.name),
                            Outcome::Fail,
                            format!("{} (advisory DB date {day})", describe(f)),
                            &f.remediation,
                        )
                        .with_source(&f.origin.path),
                    );
                }
            }
        }
    }
    let vulnerable = evidence
        .iter()
        .filter(|e| e.outcome == Outcome::Fail)
        .count();
    let outcome = evidence
        .iter()
        .map(|e| e.outcome)
        .fold(Outcome::NotApplicable, Outcome::worst);
    Finding {
        id: PYPI,
        benchmark: crate::findings::Benchmark::Shipshape,
        section: "deps",
        title: "Known-vulnerable Python packages",
        automated: true,
        severity: Severity::High,
        stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
        outcome,
        message: format!(
            "{vulnerable} vulnerable package(s) in {} scanned container(s), advisory DB date {day}",
            scans.len()
        ),
        remediation: "Upgrade each package to its fixed version and rebuild the image",
        evidence,
    }
}

/// The evidence item of a deps link for a component with snapshot objects
/// `keys`, and whether it is adverse. `None` (and `unscanned` set) when no
/// scan covered the component or the scan could not read it.
pub fn deps_item(
    link: &EvidenceCheck,
    f: Option<&Finding>,
    keys: &[&Target],
    unscanned: &mut bool,
) -> Option<(EvidenceItem, bool)> {
    let mine: Vec<&Evidence> = f
        .map(|f| {
            f.evidence
                .iter()
                .filter(|e| target_matches(&e.target, keys))
                .collect()
        })
        .unwrap_or_default();
    let f = match f {
        Some(f) if mine.iter().any(|e| e.outcome != Outcome::Error) => f,
        _ => {
            *unscanned = true;
            return None;
        }
    };
    let outcome = mine
        .iter()
        .map(|e| e.outcome)
        .fold(Outcome::NotApplicable, Outcome::worst);
    let adverse = outcome == Outcome::Fail;
    let message = if adverse {
        let n = mine.iter().filter(|e| e.outcome == Outcome::Fail).count();
        format!("{n} known-vulnerable Python package(s)")
    } else {
        format!("{} ({})", f.id, mine[0].observed)
    };
    let remediation = mine
        .iter()
        .filter(|e| !e.expected.is_empty())
        .map(|e| e.expected.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    Some((
        EvidenceItem {
            check: f.id.to_string(),
            title: f.title.to_string(),
            role: link.role,
            source: "deps",
            why: link.why.clone(),
            outcome,
            message,
            targets: mine
                .iter()
                .map(|e| EvidenceTarget {
                    kind: e.target.kind(),
                    name: e.target.label(),
                    outcome: e.outcome,
                    observed: e.observed.clone(),
                    expected: e.expected.clone(),
                    source: e.source.clone(),
                })
                .collect(),
            remediation,
        },
        adverse,
    ))
}
