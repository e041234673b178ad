//! Rules: pure functions from a snapshot or a parsed manifest to verdicts.
//!
//! Each domain has a folder (`rules/docker/…`, `rules/kubernetes/…`); each
//! file there holds one tight family of rules with their metadata
//! ([`meta::RuleMeta`]) next to their logic. [`registry`] lists every rule of
//! every family, so ids, titles and fixtures are reviewed as one catalogue.
//!
//! Dependencies run one way: rules read `snapshot/` and `manifest/` (the input
//! models) and `knowledge/` (shared domain facts); the drivers (`scan/`,
//! `cli/`) and the later stages read rules. Nothing here imports a driver
//! (pinned by `tests/layering.rs`).

pub mod compose;
pub mod docker;
pub mod dockerfile;
pub mod kubernetes;
pub mod kubernetes_node;
pub mod manifest;
pub mod meta;
pub mod registry;

use crate::findings::{Finding, Verdict};
use crate::snapshot::Snapshot;

/// What kind of object a check inspects. Used for filtering, and by
/// [`Check::run`] to decide whether an unreachable Engine API makes the
/// check an ERROR before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Host files, mounts, audit rules, users.
    Host,
    /// Daemon flags and daemon.json (no Engine API needed).
    DaemonConfig,
    /// Daemon state from the Engine API (`/info`, `/version`).
    Engine,
    Container,
    Image,
    Swarm,
    /// Nothing to read: a manual check.
    Manual,
}

impl Scope {
    /// Whether checks of this scope read the Engine API.
    pub fn needs_engine(self) -> bool {
        matches!(
            self,
            Scope::Engine | Scope::Container | Scope::Image | Scope::Swarm
        )
    }
}

/// One CIS Docker host check: its metadata and its evaluation function.
#[derive(Clone, Copy)]
pub struct Check {
    pub meta: meta::RuleMeta,
    /// Whether CIS marks the check as automated (true) or manual.
    pub automated: bool,
    pub scope: Scope,
    pub eval: fn(&Context) -> Verdict,
}

impl std::ops::Deref for Check {
    type Target = meta::RuleMeta;
    fn deref(&self) -> &meta::RuleMeta {
        &self.meta
    }
}

impl Check {
    /// Evaluate the check. A check whose scope needs the Engine API is an
    /// ERROR naming the reason when the API was unreachable, so its
    /// evaluation can take the Engine data as given.
    pub fn run(&self, cx: &Context) -> Finding {
        let v = match cx.snap.engine.as_result() {
            Err(e) if self.scope.needs_engine() => {
                Verdict::error(format!("Engine API unavailable: {e}"))
            }
            _ => (self.eval)(cx),
        };
        Finding {
            id: self.meta.id,
            benchmark: self.meta.benchmark,
            section: self.meta.section(),
            title: self.meta.title,
            automated: self.automated,
            severity: self.meta.severity,
            stride: self.meta.stride,
            outcome: v.outcome,
            message: v.message,
            remediation: self.meta.remediation,
            evidence: v.evidence,
        }
    }
}

/// Options that change how checks are evaluated (not what is collected).
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// Users allowed in the docker group (check 1.1.2). Empty: list members
    /// for review.
    pub trusted_users: Vec<String>,
    /// Container name patterns (`*` and `?` wildcards) to leave out.
    pub exclude_containers: Vec<String>,
}

/// The snapshot plus derived views every check shares.
pub struct Context<'a> {
    pub snap: &'a Snapshot,
    pub opts: &'a EvalOptions,
    /// Containers in scope: not excluded by pattern, not shipshape itself.
    pub containers: Vec<&'a crate::snapshot::Container>,
    /// Containers left out, with the reason (reported, never silent).
    pub excluded: Vec<(String, String)>,
}

impl<'a> Context<'a> {
    pub fn new(snap: &'a Snapshot, opts: &'a EvalOptions) -> Self {
        let mut containers = Vec::new();
        let mut excluded = Vec::new();
        if let Some(engine) = snap.engine.ok() {
            for c in &engine.containers {
                let name = c.short_name();
                if snap
                    .self_container
                    .as_deref()
                    .is_some_and(|me| c.id.starts_with(me) || me.starts_with(&c.id))
                {
                    excluded.push((name.to_string(), "shipshape's own container".to_string()));
                } else if let Some(p) = opts
                    .exclude_containers
                    .iter()
                    .find(|p| crate::util::wildcard_match(p, name))
                {
                    excluded.push((
                        name.to_string(),
                        format!("matches --exclude-containers {p}"),
                    ));
                } else {
                    containers.push(c);
                }
            }
        }
        Context {
            snap,
            opts,
            containers,
            excluded,
        }
    }
}

/// Select checks by `--check` / `--skip` selectors (ids or section prefixes).
/// Unknown selectors are an error so that a typo never silently runs nothing.
pub fn select<'c>(
    all: &'c [Check],
    only: &[String],
    skip: &[String],
) -> Result<Vec<&'c Check>, String> {
    for sel in only.iter().chain(skip) {
        if !all.iter().any(|c| c.matches(sel)) {
            return Err(format!(
                "no check matches '{sel}' (use an id such as 5.5 or a section such as 5 or 1.1)"
            ));
        }
    }
    Ok(all
        .iter()
        .filter(|c| only.is_empty() || only.iter().any(|s| c.matches(s)))
        .filter(|c| !skip.iter().any(|s| c.matches(s)))
        .collect())
}

/// Evaluate the given checks against a snapshot, in catalogue order.
pub fn evaluate(snap: &Snapshot, opts: &EvalOptions, checks: &[&Check]) -> Evaluation {
    let cx = Context::new(snap, opts);
    Evaluation {
        findings: checks.iter().map(|c| c.run(&cx)).collect(),
        excluded: cx.excluded,
    }
}

/// What an audit evaluation produced: the findings, and the containers left
/// out with the reason (so the report never has to recompute them).
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub excluded: Vec<(String, String)>,
}
