//! Manifest rules (Kubernetes, Dockerfile, compose): what each inspects, and
//! the sink it reports into. Their metadata is the shared [`RuleMeta`].

use crate::manifest::compose::ServiceView;
use crate::manifest::dockerfile::{Dockerfile, Instruction};
use crate::manifest::k8s::{Object, PodView};
use crate::manifest::yaml::{Entry, Node, Pos, Value};
use serde::Serialize;

pub use super::meta::{
    cis_docker, cis_k8s, cwe, nsa, pss_baseline, pss_restricted, Benchmark, Fix, Ref, RuleMeta,
    Standard,
};

/// What kind of target a rule inspects; the engine runs a rule only on
/// targets of its kind.
#[derive(Clone, Copy)]
pub enum Subject {
    /// Once per pod spec (a Pod, or the template of a workload kind).
    Pod(fn(&PodView, &mut Sink)),
    /// Once per Kubernetes object, whatever its kind (the rule filters).
    Object(fn(&Object, &mut Sink)),
    /// Once per Dockerfile.
    Dockerfile(fn(&Dockerfile, &mut Sink)),
    /// Once per compose service (after `extends` is resolved).
    Service(fn(&ServiceView, &mut Sink)),
    /// Raised by the engine itself (suppression problems).
    Engine,
}

/// The domain a rule belongs to (used for grouping and docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    Kubernetes,
    Dockerfile,
    Compose,
    Engine,
}

/// A manifest rule: its metadata, its domain and what it inspects.
pub struct Rule {
    pub meta: RuleMeta,
    pub domain: Domain,
    pub subject: Subject,
}

impl std::ops::Deref for Rule {
    type Target = RuleMeta;
    fn deref(&self) -> &RuleMeta {
        &self.meta
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

/// A rule's report before the engine attaches file and metadata.
#[derive(Debug, Clone)]
pub struct Hit {
    pub pos: Pos,
    /// Length of the highlighted text in code points (at least 1).
    pub len: u32,
    pub message: String,
    /// For a value that came through a YAML alias or merge key: where the
    /// anchor defines it (the hit itself points at the alias, inside the
    /// object or service that uses it).
    pub related: Option<Related>,
}

/// A second location of a hit: the anchored definition of an aliased value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub pos: Pos,
    /// Length of the highlighted text in code points (at least 1).
    pub len: u32,
    /// The anchor's name, without the `&`.
    pub anchor: std::sync::Arc<str>,
}

impl Related {
    /// "value defined by anchor &name".
    pub fn message(&self) -> String {
        format!("value defined by anchor &{}", self.anchor)
    }
}

/// Where rules report. One sink per (rule, target).
#[derive(Default)]
pub struct Sink {
    pub hits: Vec<Hit>,
}

/// The width of `text` in code points, the unit of [`Hit::len`].
pub fn width(text: &str) -> usize {
    text.chars().count()
}

impl Sink {
    /// Report at `pos`, highlighting `len` code points. Prefer the helpers
    /// below, which compute the length from what they point at.
    pub fn report(&mut self, pos: Pos, len: usize, message: impl Into<String>) {
        self.hits.push(Hit {
            pos,
            len: len.max(1) as u32,
            message: message.into(),
            related: None,
        });
    }

    /// Attach the anchored definition to the last hit when it is about
    /// a value that came through an alias (`at` picks the origin's key or
    /// value position).
    fn relate(&mut self, n: &Node, key: bool) {
        let (Some(o), Some(hit)) = (n.origin.as_deref(), self.hits.last_mut()) else {
            return;
        };
        let pos = if key { o.key_pos } else { Some(o.pos) };
        if let Some(pos) = pos {
            hit.related = Some(Related {
                pos,
                len: hit.len,
                anchor: o.anchor.clone(),
            });
        }
    }

    /// Report at a node, highlighting `text` (which starts there); a node
    /// that came through an alias also gets its anchored definition.
    pub fn at_node_text(&mut self, n: &Node, text: &str, message: impl Into<String>) {
        self.at_text(n.pos, text, message);
        self.relate(n, false);
    }

    /// Report at `pos`, highlighting `text` (which starts there).
    pub fn at_text(&mut self, pos: Pos, text: &str, message: impl Into<String>) {
        self.report(pos, width(text), message);
    }

    /// Report at a mapping key (`privileged:` in `privileged: true`).
    pub fn at_key(&mut self, e: &Entry, message: impl Into<String>) {
        self.at_text(e.key_pos, &e.key, message);
        self.relate(&e.value, true);
    }

    /// Report at a value: a scalar is highlighted whole, a mapping at its
    /// first key, an empty mapping or sequence as `{}`/`[]`, anything else
    /// at its first character.
    pub fn at_value(&mut self, n: &Node, message: impl Into<String>) {
        let len = match &n.value {
            Value::Map(m) => m.first().map_or(2, |e| width(&e.key)),
            Value::Seq(items) if items.is_empty() => 2,
            _ => n.scalar_text().map_or(1, |t| width(&t)),
        };
        self.report(n.pos, len, message);
        self.relate(n, false);
    }

    /// Report at an instruction's keyword (`ADD`, `HEALTHCHECK`).
    pub fn at_keyword(&mut self, i: &Instruction, message: impl Into<String>) {
        self.at_text(i.pos, &i.keyword, message);
    }

    /// Report at `e`'s key when the entry is present and its value is `bad`
    /// (the "if the entry is X, report at the key" shape). Returns whether it
    /// reported.
    pub fn key_if(
        &mut self,
        e: Option<&Entry>,
        bad: impl Fn(&Node) -> bool,
        message: impl FnOnce(&Node) -> String,
    ) -> bool {
        match e {
            Some(e) if bad(&e.value) => {
                self.at_key(e, message(&e.value));
                true
            }
            _ => false,
        }
    }

    /// Report at a word of an instruction's arguments, given its byte offset
    /// in `args`.
    pub fn at_word(
        &mut self,
        i: &Instruction,
        offset: usize,
        word: &str,
        message: impl Into<String>,
    ) {
        self.at_text(i.pos_at(offset), word, message);
    }
}

/// Report a setting that shares a host namespace (compose `pid: host`,
/// Kubernetes `hostPID: true`) at its key: "WHO shares the host's WHAT".
/// `shared` says which values share it ([`is_host`], [`is_true`]).
pub fn host_namespace(
    s: &mut Sink,
    e: Option<&Entry>,
    shared: fn(&Node) -> bool,
    who: &str,
    what: &str,
) {
    s.key_if(e, shared, |_| format!("{who} shares the host's {what}"));
}

/// A value predicate for [`Sink::key_if`]: `true` (or `"true"`).
pub fn is_true(n: &Node) -> bool {
    n.as_bool() == Some(true)
}

/// A value predicate for [`Sink::key_if`]: `host`, in any case (compose's
/// `network_mode`, `pid`, `ipc`, `uts`, `userns_mode`).
pub fn is_host(n: &Node) -> bool {
    n.as_str().is_some_and(|v| v.eq_ignore_ascii_case("host"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::yaml::parse_documents;

    #[test]
    fn lengths_are_code_points() {
        let doc = &parse_documents("schlüssel: wert\nlist: []\nmap: {ipBlock: x}\n").unwrap()[0];
        let e = doc.entry("schlüssel").unwrap();
        let mut s = Sink::default();
        s.at_key(e, "k");
        s.at_value(&e.value, "v");
        s.at_value(doc.get("list").unwrap(), "seq");
        s.at_value(doc.get("map").unwrap(), "map");
        let df = crate::manifest::dockerfile::parse("FROM a\nHEALTHCHECK NONE\n");
        s.at_keyword(&df.instructions[1], "kw");
        let got: Vec<(u32, u32, u32)> = s
            .hits
            .iter()
            .map(|h| (h.pos.line, h.pos.col, h.len))
            .collect();
        assert_eq!(
            got,
            [(1, 1, 9), (1, 12, 4), (2, 7, 2), (3, 6, 7), (2, 1, 11)]
        );
    }
}
