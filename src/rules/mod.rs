//! Rules: pure functions from a snapshot to verdicts.
//!
//! Each domain has a folder (`rules/docker/…`); each file there holds one
//! tight family of checks with all their metadata next to their logic. The
//! registry ([`docker::CHECKS`] and friends) is a static list, so ids, titles
//! and fixtures are reviewed as one catalogue (see the `catalogue` tests).

pub mod compose;
pub mod docker;
pub mod dockerfile;
pub mod kubernetes;

use crate::findings::{Finding, Severity, Stride, Verdict};
use crate::snapshot::Snapshot;

/// What kind of object a check inspects. Used for filtering and to decide
/// whether an unreachable Engine API makes the check an ERROR.
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

/// One benchmark check: identity, guidance and its evaluation function.
#[derive(Clone, Copy)]
pub struct Check {
    /// CIS id as docker-bench-security numbers it, e.g. `5.5`.
    pub id: &'static str,
    /// Our own short title.
    pub title: &'static str,
    /// Whether CIS marks the check as automated (true) or manual.
    pub automated: bool,
    pub scope: Scope,
    pub severity: Severity,
    pub stride: &'static [Stride],
    pub remediation: &'static str,
    pub eval: fn(&Context) -> Verdict,
}

impl Check {
    /// The section, i.e. the first component of the id.
    pub fn section(&self) -> &'static str {
        self.id.split('.').next().unwrap_or(self.id)
    }

    /// Whether `selector` names this check: an exact id, or a section prefix
    /// (`5` selects `5.x`, `1.1` selects `1.1.x`).
    pub fn matches(&self, selector: &str) -> bool {
        let sel = selector.trim().trim_end_matches('.');
        self.id == sel
            || (self.id.starts_with(sel) && self.id.as_bytes().get(sel.len()) == Some(&b'.'))
    }

    pub fn run(&self, cx: &Context) -> Finding {
        let v = (self.eval)(cx);
        Finding {
            id: self.id,
            section: self.section(),
            title: self.title,
            automated: self.automated,
            severity: self.severity,
            stride: self.stride,
            outcome: v.outcome,
            message: v.message,
            remediation: self.remediation,
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
                    .find(|p| wildcard_match(p, name))
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

/// Match `text` against a pattern where `*` is any run and `?` any one char.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut star, mut mark) = (None, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
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
pub fn evaluate(snap: &Snapshot, opts: &EvalOptions, checks: &[&Check]) -> Vec<Finding> {
    let cx = Context::new(snap, opts);
    checks.iter().map(|c| c.run(&cx)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("web-*", "web-1"));
        assert!(wildcard_match("*db*", "prod-db-2"));
        assert!(wildcard_match("a?c", "abc"));
        assert!(!wildcard_match("a?c", "abbc"));
        assert!(!wildcard_match("web", "web-1"));
        assert!(wildcard_match("*", ""));
    }
}
