//! YAML (and JSON) into a small tree where every node and every mapping key
//! keeps its 1-based line and column.
//!
//! The tree is built straight from the events of `granit-parser` (the YAML
//! parser serde-saphyr is built on), which is several times
//! faster than going through serde with a span wrapper on every node. Plain
//! scalars are resolved the way kubectl (YAML 1.1) reads manifests: `0644` is
//! octal, `yes`/`on` are booleans. Anchors are expanded and `<<` merge keys
//! applied, with limits on nesting depth and alias expansion.

mod fast;

/// A 1-based position in a file, counted in Unicode code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub const fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }
}

#[derive(Debug, Clone)]
pub struct Node {
    /// Where the value starts. A value copied in by an alias (`*name`,
    /// also under a `<<` merge key) sits at the alias.
    pub pos: Pos,
    pub value: Value,
    /// Where a value copied in by an alias was written (`None` for a value
    /// written where it is used).
    pub origin: Option<Box<Origin>>,
}

/// Where an aliased value was defined: the anchor it came through and its
/// own place inside the anchored node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The anchor's name, without the `&`.
    pub anchor: std::sync::Arc<str>,
    /// The value's position in the anchored node.
    pub pos: Pos,
    /// The position of the mapping key the value sits under there, when
    /// the key came through the alias too.
    pub key_pos: Option<Pos>,
}

#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

/// A YAML document that could not be parsed.
#[derive(Debug, Clone)]
pub struct ParseError {
    pub pos: Option<Pos>,
    pub message: String,
}

/// Limits that keep hostile input (alias bombs, deep nesting) cheap.
const MAX_NODES: usize = 2_000_000;
const MAX_DEPTH: usize = 200;

enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<(String, Pos, bool)>,
        merges: Vec<Node>,
    },
}

fn pos_of(m: &granit_parser::Marker) -> Pos {
    Pos::new(m.line() as u32, m.col() as u32 + 1)
}

/// Resolve a plain scalar the way kubectl (YAML 1.1) does: `yes`/`on` are
/// booleans, `0644` is octal.
fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return Value::Bool(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return Value::Bool(false)
        }
        _ => {}
    }
    let b = s.as_bytes();
    let first = b[0];
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return Value::Str(s.to_string());
    }
    let (neg, digits) = match first {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let int = if let Some(h) = digits.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(o) = digits.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()
    } else if digits.len() > 1
        && digits.starts_with('0')
        && digits.bytes().all(|c| (b'0'..=b'7').contains(&c))
    {
        i64::from_str_radix(&digits[1..], 8).ok()
    } else if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
        digits.parse::<i64>().ok()
    } else {
        None
    };
    if let Some(i) = int {
        return Value::Int(if neg { -i } else { i });
    }
    let numeric = digits.bytes().any(|c| c.is_ascii_digit())
        && digits
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'-' | b'+'));
    match s.parse::<f64>() {
        Ok(f) if numeric => Value::Float(f),
        _ => Value::Str(s.to_string()),
    }
}

fn count_nodes(n: &Node) -> usize {
    1 + match &n.value {
        Value::Seq(s) => s.iter().map(count_nodes).sum(),
        Value::Map(m) => m.iter().map(|e| count_nodes(&e.value)).sum(),
        _ => 0,
    }
}

/// Apply `<<` merge keys: entries from the merged mappings that the mapping
/// does not set itself, earlier merge sources first.
fn merge(entries: &mut Vec<Entry>, merges: Vec<Node>) {
    for m in merges {
        let sources: Vec<Node> = match m.value {
            Value::Map(_) => vec![m],
            Value::Seq(s) => s,
            _ => continue,
        };
        for src in sources {
            if let Value::Map(es) = src.value {
                for e in es {
                    if !entries.iter().any(|x| x.key == e.key) {
                        entries.push(e);
                    }
                }
            }
        }
    }
}

/// A node an event completed: the node, its anchor id (0 for none) and
/// whether it is a plain `<<` (a merge key).
struct Done {
    node: Node,
    anchor: usize,
    merge_key: bool,
}

fn err(pos: Pos, message: String) -> ParseError {
    ParseError {
        pos: Some(pos),
        message,
    }
}

/// The parser's message without its own position suffix (ours is better).
fn parser_error(e: &granit_parser::ScanError) -> ParseError {
    let mut msg = e.to_string();
    if let Some(i) = [" at char ", " at byte ", " at line "]
        .iter()
        .find_map(|p| msg.find(p))
    {
        msg.truncate(i);
    }
    err(pos_of(e.marker()), msg)
}

/// A mapping key as text; only scalars can be keys.
fn key_text(node: Node) -> Result<String, ParseError> {
    Ok(match node.value {
        Value::Str(s) => s,
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        _ => {
            return Err(err(
                node.pos,
                "complex mapping keys are not supported".into(),
            ))
        }
    })
}

/// Builds the documents of a stream from the parser's events.
#[derive(Default)]
struct Builder {
    docs: Vec<Node>,
    /// Collections still open, innermost last.
    stack: Vec<Frame>,
    anchors: std::collections::HashMap<usize, Node>,
    /// Anchor names by id (from the parser's anchor events).
    names: std::collections::HashMap<usize, std::sync::Arc<str>>,
    /// Nodes built so far, aliases expanded (bounded by [`MAX_NODES`]).
    nodes: usize,
}

impl Builder {
    /// Handle one event; a completed node goes into its parent.
    fn event(&mut self, ev: granit_parser::Event, here: Pos) -> Result<(), ParseError> {
        use granit_parser::{Event, ScalarStyle};
        let done = match ev {
            Event::Scalar(v, style, anchor, tag) => {
                let merge_key = style == ScalarStyle::Plain && v == "<<";
                let value = if style != ScalarStyle::Plain
                    || tag.as_ref().is_some_and(|t| t.suffix() == "str")
                {
                    Value::Str(v.into_owned())
                } else {
                    resolve_plain(&v)
                };
                Done {
                    node: Node {
                        pos: here,
                        value,
                        origin: None,
                    },
                    anchor,
                    merge_key,
                }
            }
            Event::SequenceStart(_, anchor, _) => {
                return self.open(
                    here,
                    Frame::Seq {
                        pos: here,
                        anchor,
                        items: Vec::new(),
                    },
                )
            }
            Event::MappingStart(_, anchor, _) => {
                return self.open(
                    here,
                    Frame::Map {
                        pos: here,
                        anchor,
                        entries: Vec::new(),
                        key: None,
                        merges: Vec::new(),
                    },
                )
            }
            Event::SequenceEnd | Event::MappingEnd => match self.close() {
                Some(done) => done,
                None => return Ok(()),
            },
            Event::Alias(id) => self.alias(id, here)?,
            Event::Anchor(id, name) => {
                self.names.insert(id, name.as_ref().into());
                return Ok(());
            }
            Event::DocumentStart(..) => {
                // Limits and anchors are per document.
                self.anchors.clear();
                self.names.clear();
                self.nodes = 0;
                return Ok(());
            }
            _ => return Ok(()),
        };
        self.attach(done, here)
    }

    fn open(&mut self, here: Pos, frame: Frame) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(err(here, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.stack.push(frame);
        Ok(())
    }

    /// Close the innermost collection (applying its merge keys).
    fn close(&mut self) -> Option<Done> {
        let (pos, anchor, value) = match self.stack.pop()? {
            Frame::Seq { pos, anchor, items } => (pos, anchor, Value::Seq(items)),
            Frame::Map {
                pos,
                anchor,
                mut entries,
                merges,
                ..
            } => {
                merge(&mut entries, merges);
                (pos, anchor, Value::Map(entries))
            }
        };
        Some(Done {
            node: Node {
                pos,
                value,
                origin: None,
            },
            anchor,
            merge_key: false,
        })
    }

    /// Expand an alias at its own position, counting what it copies.
    fn alias(&mut self, id: usize, here: Pos) -> Result<Done, ParseError> {
        let Some(n) = self.anchors.get(&id) else {
            return Err(err(here, "alias to an unknown anchor".into()));
        };
        self.nodes += count_nodes(n);
        if self.nodes > MAX_NODES {
            return Err(err(
                here,
                format!("more than {MAX_NODES} nodes after alias expansion"),
            ));
        }
        let mut node = n.clone();
        let name = self.names.get(&id).cloned().unwrap_or_else(|| "".into());
        node.relocate_alias(here, &name, None);
        Ok(Done {
            node,
            anchor: 0,
            merge_key: false,
        })
    }

    /// Put a completed node into its parent (or the document list).
    fn attach(&mut self, done: Done, here: Pos) -> Result<(), ParseError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(err(here, format!("more than {MAX_NODES} nodes")));
        }
        if done.anchor != 0 {
            self.anchors.insert(done.anchor, done.node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if !done.node.is_null() {
                    self.docs.push(done.node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(done.node),
            Some(Frame::Map {
                entries,
                key,
                merges,
                ..
            }) => match key.take() {
                None => {
                    let pos = done.node.pos;
                    *key = Some((key_text(done.node)?, pos, done.merge_key));
                }
                Some((_, _, true)) => merges.push(done.node),
                Some((k, kpos, false)) => {
                    if entries.iter().any(|e| e.key == k) {
                        return Err(err(kpos, format!("duplicate mapping key '{k}'")));
                    }
                    entries.push(Entry {
                        key: k,
                        key_pos: kpos,
                        value: done.node,
                    });
                }
            },
        }
        Ok(())
    }
}

/// Parse every document of a YAML stream (a JSON file is one document).
/// Empty documents are skipped. Anchors and aliases are expanded (an alias
/// takes the position of its `*name`), and `<<` merge keys are applied.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, ParseError> {
    let mut docs = Vec::new();
    each_document(text, |d| docs.push(d))?;
    Ok(docs)
}

/// Parse a YAML stream one document at a time, handing each non-empty
/// document to `f` as soon as it is complete, so a large multi-document
/// file needs memory for one document only. The node and alias limits
/// count per document. Documents before a syntax error have been handed
/// over when the error is returned.
pub fn each_document(text: &str, f: impl FnMut(Node)) -> Result<(), ParseError> {
    // Plain block YAML takes the fast path; the rest, and every error,
    // comes from the full parser.
    if let Some(docs) = fast::parse(text) {
        docs.into_iter().for_each(f);
        return Ok(());
    }
    each_document_full(text, f)
}

/// For the fuzz targets: wherever the fast path reads `text`, it must give
/// the full parser's documents, and never read what the full parser rejects.
#[doc(hidden)]
pub fn assert_fast_path_agrees(text: &str) {
    if let Some(fast) = fast::parse(text) {
        let mut full = Vec::new();
        let parsed = each_document_full(text, |d| full.push(d));
        assert!(
            parsed.is_ok(),
            "the fast path read what the full parser rejects: {parsed:?}"
        );
        assert_eq!(
            format!("{fast:?}"),
            format!("{full:?}"),
            "fast path disagrees"
        );
    }
}

/// [`each_document`] through `granit-parser`, for any YAML.
fn each_document_full(text: &str, mut f: impl FnMut(Node)) -> Result<(), ParseError> {
    let mut b = Builder::default();
    let mut options = granit_parser::Options::default();
    // Anchor names, for the related location of an aliased value.
    options.emit_anchor_events = true;
    for ev in granit_parser::Parser::new_from_str_with_options(text, options) {
        let (ev, span) = ev.map_err(|e| parser_error(&e))?;
        b.event(ev, pos_of(&span.start))?;
        for d in b.docs.drain(..) {
            f(d);
        }
    }
    Ok(())
}

impl Node {
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> &[Node] {
        match &self.value {
            Value::Seq(s) => s,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar as text (numbers and booleans rendered), for fields that
    /// accept both (`runAsUser: "0"`, ports, compose values).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A boolean, also accepting the quoted forms `"true"` / `"false"`.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Int(i) => Some(*i),
            Value::Float(f) if f.fract() == 0.0 => Some(*f as i64),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The entry under `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Follow a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    /// The entry at the end of a path of mapping keys.
    pub fn path_entry(&self, keys: &[&str]) -> Option<&Entry> {
        let (last, init) = keys.split_last()?;
        self.path(init)?.entry(last)
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }

    /// Visit every node of the tree, depth first.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Node)) {
        f(self);
        match &self.value {
            Value::Seq(s) => s.iter().for_each(|n| n.walk(f)),
            Value::Map(m) => m.iter().for_each(|e| e.value.walk(f)),
            _ => {}
        }
    }

    /// Move every position in the tree to `pos` (an alias), remembering
    /// where each value was written and the anchor it came through. A value
    /// that already came through an inner alias keeps that origin.
    fn relocate_alias(&mut self, pos: Pos, anchor: &std::sync::Arc<str>, key_pos: Option<Pos>) {
        if self.origin.is_none() {
            self.origin = Some(Box::new(Origin {
                anchor: anchor.clone(),
                pos: self.pos,
                key_pos,
            }));
        }
        self.pos = pos;
        match &mut self.value {
            Value::Seq(s) => s
                .iter_mut()
                .for_each(|n| n.relocate_alias(pos, anchor, None)),
            Value::Map(m) => m.iter_mut().for_each(|e| {
                let key = e.key_pos;
                e.key_pos = pos;
                e.value.relocate_alias(pos, anchor, Some(key))
            }),
            _ => {}
        }
    }

    /// Move every position in the tree to `pos` (used for content that was
    /// pulled in from another file, so findings point at the reference).
    pub fn relocate(&mut self, pos: Pos) {
        self.pos = pos;
        match &mut self.value {
            Value::Seq(s) => s.iter_mut().for_each(|n| n.relocate(pos)),
            Value::Map(m) => m.iter_mut().for_each(|e| {
                e.key_pos = pos;
                e.value.relocate(pos)
            }),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_keep_positions_across_documents() {
        let docs = parse_documents("a: 1\nb:\n  c: yes\n---\nmode: 0644\n").unwrap();
        assert_eq!(docs.len(), 2);
        let b = docs[0].entry("b").unwrap();
        assert_eq!(b.key_pos, Pos::new(2, 1));
        let c = docs[0].path_entry(&["b", "c"]).unwrap();
        assert_eq!(c.key_pos, Pos::new(3, 3));
        assert_eq!(c.value.as_bool(), Some(true));
        let mode = docs[1].entry("mode").unwrap();
        assert_eq!(mode.key_pos, Pos::new(5, 1));
        assert_eq!(mode.value.as_i64(), Some(420));
    }

    #[test]
    fn merge_keys_and_anchors_resolve() {
        let docs =
            parse_documents("x: &c\n  privileged: true\ns:\n  <<: *c\n  image: a\n").unwrap();
        let s = docs[0].get("s").unwrap();
        assert_eq!(s.get("privileged").and_then(Node::as_bool), Some(true));
        assert_eq!(s.get_str("image"), Some("a"));
    }

    #[test]
    fn aliased_values_sit_at_the_alias_and_remember_their_anchor() {
        let text = "x: &base\n  a: 1\ny: &def\n  <<: *base\n  b: 2\ns:\n  <<: *def\n  v: *def\n";
        let docs = parse_documents(text).unwrap();
        let s = docs[0].get("s").unwrap();
        // Merged entries: at `*def` (line 7), written in &base and &def.
        let a = s.entry("a").unwrap();
        assert_eq!((a.key_pos, a.value.pos), (Pos::new(7, 7), Pos::new(7, 7)));
        let o = a.value.origin.as_deref().unwrap();
        assert_eq!(&*o.anchor, "base");
        assert_eq!((o.key_pos, o.pos), (Some(Pos::new(2, 3)), Pos::new(2, 6)));
        let b = s.entry("b").unwrap().value.origin.as_deref().unwrap();
        assert_eq!(&*b.anchor, "def");
        assert_eq!(b.key_pos, Some(Pos::new(5, 3)));
        // An alias used directly: the mapping itself came from &def.
        let v = s.get("v").unwrap();
        assert_eq!(v.pos, Pos::new(8, 6));
        assert_eq!(v.origin.as_deref().unwrap().pos, Pos::new(4, 3));
        // Values written in place have no origin.
        assert!(docs[0].path(&["x", "a"]).unwrap().origin.is_none());
    }

    #[test]
    fn json_parses_with_positions() {
        let docs = parse_documents("{\"kind\": \"Pod\",\n \"spec\": {\"hostPID\": true}}").unwrap();
        let e = docs[0].path_entry(&["spec", "hostPID"]).unwrap();
        assert_eq!(e.key_pos.line, 2);
        assert_eq!(e.value.as_bool(), Some(true));
    }

    #[test]
    fn invalid_yaml_reports_a_location() {
        let e = parse_documents("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(e.pos.is_some(), "{e:?}");
        assert!(!e.message.is_empty());
    }

    #[test]
    fn scalars_resolve_like_kubectl() {
        let d = parse_documents(
            "a: 0644\nb: \"0644\"\nc: on\nd: 1.5\ne: ~\nf: 0x1F\ng: -3\nh: 1.2.3\ni: 08\n",
        )
        .unwrap();
        assert_eq!(d[0].get("a").unwrap().as_i64(), Some(420));
        assert_eq!(d[0].get_str("b"), Some("0644"));
        assert_eq!(d[0].get("c").unwrap().as_bool(), Some(true));
        assert!(matches!(d[0].get("d").unwrap().value, Value::Float(f) if f == 1.5));
        assert!(d[0].get("e").unwrap().is_null());
        assert_eq!(d[0].get("f").unwrap().as_i64(), Some(31));
        assert_eq!(d[0].get("g").unwrap().as_i64(), Some(-3));
        assert_eq!(d[0].get_str("h"), Some("1.2.3"));
        assert_eq!(d[0].get("i").unwrap().as_i64(), Some(8));
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            bomb.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert!(parse_documents(&bomb)
            .unwrap_err()
            .message
            .contains("nodes"));
        let deep = "[".repeat(1000);
        assert!(parse_documents(&deep).is_err());
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let e = parse_documents("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.pos, Some(Pos::new(3, 1)));
    }

    #[test]
    fn empty_documents_are_skipped() {
        let docs = parse_documents("---\n---\na: 1\n---\n").unwrap();
        assert_eq!(docs.len(), 1);
    }
}
