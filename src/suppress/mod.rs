//! One ignore file for audit checks, scan rules and threats.
//!
//! Entries come from `.shipshape-ignore.yaml` (found in the current
//! directory, or named with `--ignore-file`) and from `[[ignore]]` tables of
//! `shipshape.toml` (the file `scan` already reads). They are applied after
//! evaluation and before rendering:
//!
//! ```yaml
//! ignore:
//!   - id: docker:5.10            # rule, check or threat id; qualified ids and * allowed
//!     scope: { container: "batch-*" }
//!     reason: memory is capped by the orchestrator   # required
//!     owner: alice                                    # optional
//!     expires: 2026-12-31                             # optional: raised again after
//! ```
//!
//! A scope narrows an entry to a container, an image, a path glob, a
//! Kubernetes object (`kind`, `namespace`, `name`) or a threat model
//! `component`; all given fields must match. An ignored result is never
//! dropped: it is counted and listed in every output. An expired entry no
//! longer ignores, and the result it would have covered carries a note; an
//! entry that matched nothing is stale and reported.

pub mod apply;
mod parse;

pub use apply::{apply_audit, apply_scan, apply_threats};
pub use parse::{discover, load, parse_toml, parse_yaml, FILE_NAME};

use crate::findings::fingerprint::Identity;
use crate::util::wildcard_match;
use serde::{Deserialize, Serialize};

/// Where an entry applies; every field given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Container name (`*` and `?` wildcards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Image of a container, or an image name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// File path glob (`*` matches any run of characters, `/` included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Object kind (`Deployment`, `service`, `stage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Object name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Threat model component id or name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
}

/// One ignore entry, validated.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: String,
    #[serde(skip_serializing_if = "is_default")]
    pub scope: Scope,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Days since 1970-01-01 of `expires`.
    #[serde(skip)]
    pub expires_day: Option<i64>,
    /// `file:line:column` of the entry.
    pub at: String,
}

fn is_default(s: &Scope) -> bool {
    *s == Scope::default()
}

/// Case-sensitive wildcard match, tolerant of a leading `./` on paths.
fn wc(pattern: &str, text: &str) -> bool {
    wildcard_match(pattern, text)
        || wildcard_match(
            pattern.trim_start_matches("./"),
            text.trim_start_matches("./"),
        )
}

fn opt(pattern: &Option<String>, text: &str) -> bool {
    pattern.as_ref().is_none_or(|p| wc(p, text))
}

/// Whether the entry id `pattern` names one of `rules` (qualified ids).
pub fn names_any<'r>(pattern: &str, mut rules: impl Iterator<Item = &'r str>) -> bool {
    let e = Entry {
        id: pattern.to_string(),
        scope: Scope::default(),
        reason: String::new(),
        owner: None,
        expires: None,
        expires_day: None,
        at: String::new(),
    };
    rules.any(|r| e.matches_rule(r, &Identity::default()))
}

impl Entry {
    /// Whether the entry names `rule` (`docker:5.5`): qualified or bare,
    /// case-insensitively, with wildcards. A threat entry may also name
    /// the instance (`threat@component`).
    pub fn matches_rule(&self, rule: &str, id: &Identity) -> bool {
        let p = self.id.to_ascii_lowercase();
        let bare = rule.split_once(':').map_or(rule, |(_, r)| r);
        wildcard_match(&p, &rule.to_ascii_lowercase())
            || wildcard_match(&p, &bare.to_ascii_lowercase())
            || (id.kind == "threat" && wildcard_match(&p, &id.name.to_ascii_lowercase()))
    }

    /// Whether the scope covers `id`.
    pub fn matches_target(&self, id: &Identity) -> bool {
        let s = &self.scope;
        let container = match &s.container {
            None => true,
            Some(p) => id.kind == "container" && wc(p, &id.name),
        };
        let image = match &s.image {
            None => true,
            Some(p) => match id.kind.as_str() {
                "container" => wc(p, &id.image),
                "image" => wc(p, &id.name),
                _ => false,
            },
        };
        let path = match &s.path {
            None => true,
            Some(p) => !id.path.is_empty() && wc(p, &id.path),
        };
        let component = match &s.component {
            None => true,
            Some(p) => !id.component.is_empty() && wc(p, &id.component),
        };
        container
            && image
            && path
            && component
            && opt(&s.kind, &id.object_kind)
            && opt(&s.namespace, &id.namespace)
            && opt(&s.name, &id.object_name)
    }

    pub fn expired(&self, today: i64) -> bool {
        self.expires_day.is_some_and(|d| d < today)
    }
}

/// The entries of every ignore source, in file order.
#[derive(Debug, Clone, Default)]
pub struct IgnoreList {
    /// The files read, for the report.
    pub files: Vec<String>,
    pub entries: Vec<Entry>,
}

impl IgnoreList {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// What the ignore list did, listed in every output.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IgnoreReport {
    pub files: Vec<String>,
    /// Results not counted because an entry covers them.
    pub ignored: Vec<Ignored>,
    /// Results raised again because their entry expired.
    pub expired: Vec<Ignored>,
    /// Entries that matched nothing.
    pub stale: Vec<Entry>,
}

/// One result an entry covered (or would have, before it expired).
#[derive(Debug, Clone, Serialize)]
pub struct Ignored {
    pub rule: String,
    pub target: Identity,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Where the entry is written.
    pub entry: String,
}

/// Decide one result: the active entry covering it, or an expired one.
pub enum Decision<'a> {
    Keep,
    Ignore(usize, &'a Entry),
    Expired(usize, &'a Entry),
}

impl IgnoreList {
    pub fn decide(&self, rule: &str, id: &Identity, today: i64) -> Decision<'_> {
        let mut expired = None;
        for (i, e) in self.entries.iter().enumerate() {
            if !(e.matches_rule(rule, id) && e.matches_target(id)) {
                continue;
            }
            if e.expired(today) {
                expired.get_or_insert((i, e));
            } else {
                return Decision::Ignore(i, e);
            }
        }
        match expired {
            Some((i, e)) => Decision::Expired(i, e),
            None => Decision::Keep,
        }
    }
}

/// Records which entries matched, to report stale ones.
pub(crate) struct Ledger<'a> {
    list: &'a IgnoreList,
    used: Vec<bool>,
    pub report: IgnoreReport,
}

impl<'a> Ledger<'a> {
    pub fn new(list: &'a IgnoreList) -> Self {
        Ledger {
            list,
            used: vec![false; list.entries.len()],
            report: IgnoreReport {
                files: list.files.clone(),
                ..Default::default()
            },
        }
    }

    /// Decide and record; returns the note for an expired entry, or the
    /// entry when the result is ignored.
    pub fn decide(&mut self, rule: &str, id: &Identity, today: i64) -> Outcome<'a> {
        let record = |e: &Entry| Ignored {
            rule: rule.to_string(),
            target: id.clone(),
            reason: e.reason.clone(),
            owner: e.owner.clone(),
            expires: e.expires.clone(),
            entry: e.at.clone(),
        };
        match self.list.decide(rule, id, today) {
            Decision::Keep => Outcome::Keep,
            Decision::Ignore(i, e) => {
                self.used[i] = true;
                self.report.ignored.push(record(e));
                Outcome::Ignore(e)
            }
            Decision::Expired(i, e) => {
                self.used[i] = true;
                self.report.expired.push(record(e));
                Outcome::Raise(format!(
                    "ignore entry at {} expired on {}; raised again",
                    e.at,
                    e.expires.as_deref().unwrap_or("?")
                ))
            }
        }
    }

    /// The report, with the unused entries that name a rule of this
    /// command (`ours`) as stale: one file serves audit, scan and threats,
    /// so a scan entry is not stale in an audit.
    /// An entry that names no rule of any command is stale everywhere.
    pub fn finish(mut self, ours: impl Fn(&str) -> bool) -> IgnoreReport {
        let unused: Vec<&Entry> = self
            .list
            .entries
            .iter()
            .zip(&self.used)
            .filter(|(_, u)| !**u)
            .map(|(e, _)| e)
            .collect();
        let all = if unused.is_empty() {
            Vec::new()
        } else {
            every_rule_id()
        };
        let stale = |e: &Entry| {
            let threat = e.id.split('@').next().unwrap_or(&e.id);
            ours(&e.id) || !names_any(threat, all.iter().map(String::as_str))
        };
        self.report.stale = unused.into_iter().filter(|e| stale(e)).cloned().collect();
        self.report
    }
}

pub(crate) enum Outcome<'a> {
    Keep,
    Ignore(&'a Entry),
    /// Expired: raised again, with this note.
    Raise(String),
}

/// The qualified ids of every audit check, scan rule and built-in threat.
fn every_rule_id() -> Vec<String> {
    let mut v: Vec<String> = crate::rules::docker::checks()
        .iter()
        .map(|c| format!("docker:{}", c.id))
        .collect();
    v.extend(crate::rules::registry::manifest_rules().map(|r| apply::scan_rule(r.id)));
    v.extend(
        crate::threat::Library::builtin()
            .threats
            .iter()
            .map(|t| format!("threat:{}", t.id)),
    );
    v
}

/// Today, in days since 1970-01-01 (UTC).
pub fn today() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    secs.div_euclid(86_400)
}
