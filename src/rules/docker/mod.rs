//! CIS Docker Benchmark 1.6 checks, sections 1–7, numbered as
//! docker-bench-security numbers them. One file per family:
//!
//! | file | checks |
//! |---|---|
//! | `host.rs` | 1.1.1, 1.1.2, 1.2.x |
//! | `audit_rules.rs` | 1.1.3–1.1.18 |
//! | `daemon.rs` | 2.x |
//! | `files.rs` | 3.x |
//! | `images.rs` | 4.x |
//! | `runtime_*.rs` | 5.x |
//! | `operations.rs` | 6.x |
//! | `swarm.rs` | 7.x |
//!
//! Shared helpers below turn per-object observations into verdicts, so that
//! every check reports the same way: N/A when there is nothing to inspect,
//! ERROR when the data could not be read, otherwise the worst per-object
//! outcome with one evidence entry per object.

mod audit_rules;
mod daemon;
mod files;
mod host;
mod images;
mod operations;
mod runtime_isolation;
mod runtime_network;
mod runtime_resources;
mod runtime_storage;
mod swarm;

#[cfg(test)]
pub(crate) mod fixtures;

pub(crate) use audit_rules::rule_covers;

use super::meta::{cwe, Fix, RuleMeta};
pub use super::{Check, Context};
use crate::findings::{Evidence, Outcome, Stride, Target, Verdict};
use crate::snapshot::{Container, Engine, FileFact, FileStat, Image};
use std::sync::OnceLock;

pub(crate) const S: Stride = Stride::Spoofing;
pub(crate) const T: Stride = Stride::Tampering;
pub(crate) const R: Stride = Stride::Repudiation;
pub(crate) const I: Stride = Stride::InformationDisclosure;
pub(crate) const D: Stride = Stride::DenialOfService;
pub(crate) const E: Stride = Stride::ElevationOfPrivilege;

/// Every Docker check, in benchmark order.
pub fn checks() -> &'static [Check] {
    static ALL: OnceLock<Vec<Check>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut v: Vec<Check> = Vec::new();
        for family in [
            host::CHECKS,
            audit_rules::CHECKS,
            daemon::CHECKS,
            files::CHECKS,
            images::CHECKS,
            runtime_isolation::CHECKS,
            runtime_network::CHECKS,
            runtime_resources::CHECKS,
            runtime_storage::CHECKS,
            operations::CHECKS,
            swarm::CHECKS,
        ] {
            v.extend(family.iter().cloned());
        }
        v.sort_by_key(|c| id_key(c.id));
        v
    })
}

/// Numeric sort key for dotted ids (`1.1.10` after `1.1.9`).
pub fn id_key(id: &str) -> Vec<u32> {
    id.split('.')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
}

/// The Engine API data. Checks whose [`Scope`](crate::rules::Scope) needs
/// the Engine only run when it was collected ([`crate::rules::Check::run`]
/// makes them ERROR otherwise), so they take it as given. Any other caller
/// sees an empty Engine (no containers, no images); a unit test runs every
/// check without an Engine and fails if one gets here.
pub(crate) fn engine<'a>(cx: &'a Context) -> &'a Engine {
    static EMPTY: OnceLock<Engine> = OnceLock::new();
    match cx.snap.engine.ok() {
        Some(e) => e,
        None => {
            #[cfg(test)]
            ENGINE_FALLBACKS.with(|n| n.set(n.get() + 1));
            EMPTY.get_or_init(Engine::default)
        }
    }
}

#[cfg(test)]
thread_local! {
    /// How often [`engine`] stood in for a missing Engine (must stay 0).
    pub(crate) static ENGINE_FALLBACKS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

pub(crate) fn container_target(c: &Container) -> Target {
    Target::Container {
        id: c.short_id().to_string(),
        name: c.short_name().to_string(),
    }
}

pub(crate) fn image_target(i: &Image) -> Target {
    Target::Image {
        id: crate::snapshot::short_image_id(&i.id).to_string(),
        name: i.display_name(),
    }
}

/// One container's observation.
pub(crate) struct Obs {
    pub outcome: Outcome,
    pub observed: String,
    pub expected: &'static str,
}

pub(crate) fn obs(outcome: Outcome, observed: impl Into<String>, expected: &'static str) -> Obs {
    Obs {
        outcome,
        observed: observed.into(),
        expected,
    }
}

/// Judge every in-scope container with `f`. With no containers the check
/// is N/A (nothing to evaluate), never PASS.
pub(crate) fn per_container(cx: &Context, f: impl Fn(&Container) -> Obs) -> Verdict {
    let eng = engine(cx);
    if cx.containers.is_empty() {
        let what = if eng.all_containers {
            "containers"
        } else {
            "running containers"
        };
        return Verdict::not_applicable(format!("no {what} in scope"));
    }
    let evidence: Vec<Evidence> = cx
        .containers
        .iter()
        .map(|c| {
            let o = f(c);
            Evidence::new(container_target(c), o.outcome, o.observed, o.expected)
        })
        .collect();
    summarise(evidence, "container")
}

/// Combine per-object evidence into a verdict with a counting message.
pub(crate) fn summarise(evidence: Vec<Evidence>, noun: &str) -> Verdict {
    let outcome = evidence
        .iter()
        .map(|e| e.outcome)
        .fold(Outcome::NotApplicable, Outcome::worst);
    let total = evidence.len();
    let count = |o: Outcome| evidence.iter().filter(|e| e.outcome == o).count();
    let message = match outcome {
        Outcome::Fail => format!("{} of {total} {noun}s fail", count(Outcome::Fail)),
        Outcome::Error => format!(
            "{} of {total} {noun}s could not be evaluated",
            count(Outcome::Error)
        ),
        Outcome::Warn => format!("{} of {total} {noun}s need review", count(Outcome::Warn)),
        Outcome::Pass => format!("all {total} {noun}s comply"),
        Outcome::Info => format!("{total} {noun}s"),
        Outcome::NotApplicable => format!("not applicable to any of {total} {noun}s"),
    };
    Verdict {
        outcome,
        message,
        evidence,
    }
}

/// A manual check: nothing in a snapshot can decide it, so it always asks
/// for review, with `what` saying what to look at.
pub(crate) fn manual(what: &str) -> Verdict {
    Verdict::warn(format!("manual check: {what}"))
}

/// Look a collected file up. `Err` is the verdict for a path the collector
/// did not record (an older snapshot) or could not stat.
pub(crate) fn file<'a>(cx: &'a Context, path: &str) -> Result<Option<&'a FileStat>, Verdict> {
    match cx.snap.host.files.get(path) {
        None => Err(Verdict::error(format!(
            "{path} was not collected in this snapshot"
        ))),
        Some(FileFact::Missing) => Ok(None),
        Some(FileFact::Present(s)) => Ok(Some(s)),
        Some(FileFact::Error { reason }) => {
            Err(Verdict::error(reason.clone()).with(Evidence::new(
                Target::File { path: path.into() },
                Outcome::Error,
                reason.clone(),
                "",
            )))
        }
    }
}

/// Is `mode` (permission bits) at most as permissive as `max`? Special bits
/// (setuid, setgid, sticky) are reported but do not widen read/write/exec
/// access, so only the rwx bits are compared — as a bit mask, not as a
/// decimal number.
pub(crate) fn mode_within(mode: u32, max: u32) -> bool {
    mode & 0o777 & !max == 0
}

#[cfg(test)]
mod catalogue {
    use super::*;
    use std::collections::BTreeSet;

    /// The size of each section, pinned as a snapshot (the full list is the
    /// registry's `catalogue` snapshot); ids are unique.
    #[test]
    fn checks_per_section_are_unique_and_pinned() {
        let all = checks();
        let ids: BTreeSet<_> = all.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), all.len(), "duplicate ids");
        let mut lines: Vec<String> = ["1", "2", "3", "4", "5", "6", "7"]
            .iter()
            .map(|s| {
                let n = all.iter().filter(|c| c.section() == *s).count();
                format!("section {s}: {n}")
            })
            .collect();
        lines.push(format!("total: {}", all.len()));
        insta::assert_snapshot!(lines.join("\n"));
    }

    #[test]
    fn every_check_is_documented() {
        for c in checks() {
            assert!(c.title.len() > 10, "{} title", c.id);
            assert!(c.remediation.len() > 20, "{} remediation", c.id);
            assert!(!c.stride.is_empty(), "{} stride", c.id);
            assert!(
                !c.title.starts_with("Ensure"),
                "{}: write titles in our own words",
                c.id
            );
        }
    }

    #[test]
    fn octal_modes_compare_as_bit_masks() {
        assert!(mode_within(0o644, 0o644));
        assert!(mode_within(0o600, 0o644));
        assert!(!mode_within(0o077, 0o644), "077 grants group/other write");
        assert!(!mode_within(0o605, 0o644));
        assert!(!mode_within(0o606, 0o644));
        assert!(mode_within(0o2755, 0o755), "setgid does not widen access");
        assert!(mode_within(0, 0o400));
    }
}
