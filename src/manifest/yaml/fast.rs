//! A fast path for the plain block YAML most manifests are written in.
//!
//! Building the tree from `granit-parser`'s events was half of the scan's
//! time on a tree of 1–3 KB manifests. Most such files use a small part of
//! YAML: block mappings and sequences, one-line plain and quoted scalars,
//! and one-line flow collections (`{cpu: 100m}`, `["ALL"]`). This module
//! reads exactly that part, line by line, into the same [`Node`] tree with
//! the same positions. Anything else gives up ([`None`]) and the file goes
//! to the full parser: tabs, carriage returns, non-ASCII text, anchors,
//! aliases, tags, block scalars, multi-line plain scalars, quoted keys,
//! escapes, empty values, duplicate keys, directives, merge keys. Giving up
//! costs a few microseconds; a wrong tree would cost a finding, so the
//! rules here are strict and a test compares both parsers on every YAML
//! fixture, the bench corpus and generated variations.

use super::{key_text, resolve_plain, Entry, Node, Pos, Value};

/// Larger inputs go to the full parser, which hands over one document at a
/// time and so keeps memory bounded by a document.
const MAX_LEN: usize = 256 * 1024;
/// Deeper nesting goes to the full parser (which enforces the real limit).
const MAX_DEPTH: usize = 64;

/// One line with content: its number, indentation and text after the
/// indentation (comments and trailing spaces not yet removed).
#[derive(Clone, Copy)]
struct Line<'a> {
    no: u32,
    indent: usize,
    text: &'a str,
}

/// The documents of `text`, or `None` when it is not in the fast subset.
pub(super) fn parse(text: &str) -> Option<Vec<Node>> {
    if text.len() > MAX_LEN
        || !text
            .bytes()
            .all(|b| b.is_ascii() && b != b'\t' && b != b'\r')
    {
        return None;
    }
    let mut docs = Vec::new();
    let mut lines: Vec<Line> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let no = u32::try_from(i + 1).ok()?;
        let content = raw.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = raw.len() - content.len();
        if indent == 0 && (content.starts_with("---") || content.starts_with("...")) {
            // A bare document start; `--- value`, `...` and the rest are
            // left to the full parser.
            if content.trim_end_matches(' ') != "---" {
                return None;
            }
            if let Some(d) = document(&lines)? {
                docs.push(d);
            }
            lines.clear();
            continue;
        }
        if indent == 0 && content.starts_with('%') {
            return None;
        }
        lines.push(Line {
            no,
            indent,
            text: content,
        });
    }
    if let Some(d) = document(&lines)? {
        docs.push(d);
    }
    Some(docs)
}

/// One document's lines as a node (`None` inside: not in the subset;
/// `Some(None)`: an empty document).
fn document(lines: &[Line]) -> Option<Option<Node>> {
    if lines.is_empty() {
        return Some(None);
    }
    let mut p = Reader { lines, at: 0 };
    let first = lines[0];
    let node = p.block(first.indent, 0)?;
    // Everything must have been read, and a document root is a collection.
    if p.at != lines.len() || !matches!(node.value, Value::Map(_) | Value::Seq(_)) {
        return None;
    }
    Some(Some(node))
}

struct Reader<'l, 'a> {
    lines: &'l [Line<'a>],
    at: usize,
}

impl<'a> Reader<'_, 'a> {
    fn peek(&self) -> Option<Line<'a>> {
        self.lines.get(self.at).copied()
    }

    /// The block collection whose first line is the current one, at
    /// exactly `indent`.
    fn block(&mut self, indent: usize, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let line = self.peek()?;
        if line.indent != indent {
            return None;
        }
        if is_item(line.text) {
            self.sequence(indent, depth, false)
        } else {
            self.mapping(indent, depth)
        }
    }

    /// A block sequence at `indent`. An `indentless` one (at its key's own
    /// indentation) starts, for the full parser, where its first item's
    /// content does, not at the dash.
    fn sequence(&mut self, indent: usize, depth: usize, indentless: bool) -> Option<Node> {
        let start = self.peek()?;
        let mut pos = Pos::new(start.no, indent as u32 + 1);
        if indentless {
            let rest = &start.text[1..];
            let body = rest.trim_start_matches(' ');
            if strip_comment(body).is_empty() {
                return None;
            }
            pos.col += 1 + (rest.len() - body.len()) as u32;
        }
        let mut items = Vec::new();
        while let Some(line) = self.peek() {
            // A line at the dash's indentation that is no item ends an
            // indentless sequence; the mapping around it goes on.
            if line.indent < indent || (line.indent == indent && !is_item(line.text)) {
                break;
            }
            if line.indent > indent {
                return None;
            }
            self.at += 1;
            let rest = &line.text[1..];
            let body = rest.trim_start_matches(' ');
            let col = indent + 1 + (rest.len() - body.len());
            if strip_comment(body).is_empty() {
                // `-` alone: the item is the block on the next lines.
                let next = self.peek()?;
                if next.indent <= indent {
                    return None;
                }
                items.push(self.block(next.indent, depth + 1)?);
                continue;
            }
            if is_item(body) {
                return None;
            }
            if entry_key(body).is_some() {
                // `- key: value`: a mapping whose first entry shares the
                // dash's line, the rest at the key's column.
                self.at -= 1;
                let saved = self.lines[self.at];
                let inner = Line {
                    no: saved.no,
                    indent: col,
                    text: body,
                };
                items.push(self.mapping_from(inner, depth + 1)?);
                continue;
            }
            items.push(inline(body, Pos::new(line.no, col as u32 + 1))?);
            self.no_continuation(indent)?;
        }
        Some(Node {
            pos,
            value: Value::Seq(items),
            origin: None,
        })
    }

    fn mapping(&mut self, indent: usize, depth: usize) -> Option<Node> {
        let first = self.peek()?;
        self.mapping_from(Line { indent, ..first }, depth)
    }

    /// A block mapping whose first entry is `first` (the current line, or
    /// the part of it after a sequence dash) and whose other entries are
    /// the following lines at `first.indent`.
    fn mapping_from(&mut self, first: Line<'a>, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let indent = first.indent;
        let mut entries: Vec<Entry> = Vec::new();
        let mut line = first;
        loop {
            self.at += 1;
            let (key, rest) = entry_key(line.text)?;
            let key_pos = Pos::new(line.no, indent as u32 + 1);
            let key = new_key(key, key_pos, &entries)?;
            let value_text = rest.trim_start_matches(' ');
            let value = if strip_comment(value_text).is_empty() {
                // The value is the block on the next lines: deeper, or a
                // sequence at the key's own indentation.
                let next = self.peek()?;
                if next.indent > indent {
                    self.block(next.indent, depth + 1)?
                } else if next.indent == indent && is_item(next.text) {
                    self.sequence(indent, depth + 1, true)?
                } else {
                    return None;
                }
            } else {
                let col = indent + (line.text.len() - value_text.len());
                let v = inline(value_text, Pos::new(line.no, col as u32 + 1))?;
                self.no_continuation(indent)?;
                v
            };
            entries.push(Entry {
                key,
                key_pos,
                value,
            });
            match self.peek() {
                Some(next) if next.indent == indent && !is_item(next.text) => {
                    line = next;
                }
                Some(next) if next.indent > indent => return None,
                _ => break,
            }
        }
        Some(Node {
            pos: Pos::new(first.no, indent as u32 + 1),
            value: Value::Map(entries),
            origin: None,
        })
    }

    /// After a one-line value, a deeper line would continue it (a
    /// multi-line plain scalar) or be an error: either way, not ours.
    fn no_continuation(&self, indent: usize) -> Option<()> {
        match self.peek() {
            Some(next) if next.indent > indent => None,
            _ => Some(()),
        }
    }
}

/// A plain key as the full parser's builder makes it (`on` is `true`,
/// `0644` is `420`); a merge key or a duplicate is left to the full parser.
fn new_key(plain: &str, pos: Pos, entries: &[Entry]) -> Option<String> {
    let key = key_text(Node {
        pos,
        value: resolve_plain(plain),
        origin: None,
    })
    .ok()?;
    (key != "<<" && !entries.iter().any(|e| e.key == key)).then_some(key)
}

/// A sequence entry: `-` then a space or the end of the line.
fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// Characters of a plain mapping key in the fast subset.
fn key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-')
}

/// `key: rest` or `key:` at the start of `text`: the key and what follows
/// the colon.
fn entry_key(text: &str) -> Option<(&str, &str)> {
    let b = text.as_bytes();
    let end = b.iter().position(|&c| !key_char(c))?;
    if end == 0 || b[0] == b'-' || b[end] != b':' {
        return None;
    }
    let rest = &text[end + 1..];
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    Some((&text[..end], rest))
}

/// `text` without a trailing ` # comment` (outside quotes: only called
/// where the rest is known to hold no quote before the `#`) and spaces.
fn strip_comment(text: &str) -> &str {
    if text.starts_with('#') {
        return "";
    }
    match text.find(" #") {
        Some(i) => text[..i].trim_end_matches(' '),
        None => text.trim_end_matches(' '),
    }
}

/// After a quoted scalar or flow collection: only spaces and a comment.
fn only_comment(rest: &str) -> bool {
    let t = rest.trim_start_matches(' ');
    t.is_empty() || (t.starts_with('#') && t.len() < rest.len())
}

/// A value written on one line at `pos`: a quoted or plain scalar or a
/// flow collection, then nothing but a comment.
fn inline(text: &str, pos: Pos) -> Option<Node> {
    let first = *text.as_bytes().first()?;
    let (value, used) = match first {
        b'"' | b'\'' => quoted(text)?,
        b'[' | b'{' => {
            let mut f = Flow {
                text,
                at: 0,
                line: pos.line,
                base: pos.col,
            };
            let node = f.collection(0)?;
            return only_comment(&text[f.at..]).then_some(node);
        }
        _ => {
            let plain = strip_comment(text);
            if !plain_ok(plain, false) {
                return None;
            }
            (resolve_plain(plain), text.len())
        }
    };
    if used < text.len() && !only_comment(&text[used..]) {
        return None;
    }
    Some(Node {
        pos,
        value,
        origin: None,
    })
}

/// Whether `s` is a one-line plain scalar the fast path reads as the full
/// parser does: no indicator first, no `: ` or ` #` inside, and in a flow
/// collection none of its punctuation.
fn plain_ok(s: &str, flow: bool) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if matches!(
        first,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    ) {
        // `-1`, `-x` and `--flag` are plain too, but rare enough here.
        if !(first == b'-' && b.len() > 1 && (b[1].is_ascii_alphanumeric() || b[1] == b'-')) {
            return false;
        }
    }
    if s.contains(": ") || s.ends_with(':') || s.contains(" #") || s.ends_with(' ') {
        return false;
    }
    !(flow
        && s.bytes()
            .any(|c| matches!(c, b',' | b'[' | b']' | b'{' | b'}' | b':' | b'#')))
}

/// A quoted scalar at the start of `text`: its value and the bytes used.
/// Double-quoted text with an escape is left to the full parser.
fn quoted(text: &str) -> Option<(Value, usize)> {
    let q = text.as_bytes()[0];
    let body = &text[1..];
    if q == b'"' {
        let end = body.find('"')?;
        let s = &body[..end];
        if s.contains('\\') {
            return None;
        }
        return Some((Value::Str(s.to_string()), end + 2));
    }
    // Single quotes: `''` stands for one quote.
    let mut out = String::new();
    let b = body.as_bytes();
    let mut i = 0;
    loop {
        let c = *b.get(i)?;
        if c == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            return Some((Value::Str(out), i + 2));
        }
        out.push(c as char);
        i += 1;
    }
}

/// A one-line flow collection (`{a: b, c: [d, "e"]}`).
struct Flow<'a> {
    text: &'a str,
    at: usize,
    line: u32,
    /// The 1-based column of `text`'s first byte.
    base: u32,
}

impl<'a> Flow<'a> {
    fn pos(&self) -> Pos {
        Pos::new(self.line, self.base + self.at as u32)
    }

    fn spaces(&mut self) {
        while self.text.as_bytes().get(self.at) == Some(&b' ') {
            self.at += 1;
        }
    }

    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn collection(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let pos = self.pos();
        let open = self.byte()?;
        let close = if open == b'[' { b']' } else { b'}' };
        self.at += 1;
        self.spaces();
        let mut items = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        if self.byte()? == close {
            self.at += 1;
        } else {
            loop {
                if open == b'[' {
                    items.push(self.value(depth)?);
                } else {
                    let key_pos = self.pos();
                    let key = self.scalar_text()?;
                    if self.byte()? != b':' {
                        return None;
                    }
                    self.at += 1;
                    if self.byte()? != b' ' {
                        return None;
                    }
                    self.spaces();
                    let key = new_key(key, key_pos, &entries)?;
                    let value = self.value(depth)?;
                    entries.push(Entry {
                        key,
                        key_pos,
                        value,
                    });
                }
                self.spaces();
                match self.byte()? {
                    b',' => {
                        self.at += 1;
                        self.spaces();
                        // A trailing comma is left to the full parser.
                        if self.byte()? == close {
                            return None;
                        }
                    }
                    c if c == close => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        let value = if open == b'[' {
            Value::Seq(items)
        } else {
            Value::Map(entries)
        };
        Some(Node {
            pos,
            value,
            origin: None,
        })
    }

    /// A plain key in a flow mapping (up to its `:`).
    fn scalar_text(&mut self) -> Option<&'a str> {
        let start = self.at;
        let b = self.text.as_bytes();
        while self.at < b.len() && key_char(b[self.at]) {
            self.at += 1;
        }
        let s = &self.text[start..self.at];
        (!s.is_empty() && !s.starts_with('-')).then_some(s)
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        let pos = self.pos();
        match self.byte()? {
            b'[' | b'{' => self.collection(depth + 1),
            b'"' | b'\'' => {
                let (value, used) = quoted(&self.text[self.at..])?;
                self.at += used;
                Some(Node {
                    pos,
                    value,
                    origin: None,
                })
            }
            _ => {
                let start = self.at;
                let b = self.text.as_bytes();
                while self.at < b.len() && !matches!(b[self.at], b',' | b']' | b'}') {
                    self.at += 1;
                }
                let s = self.text[start..self.at].trim_end_matches(' ');
                if !plain_ok(s, true) {
                    return None;
                }
                Some(Node {
                    pos,
                    value: resolve_plain(s),
                    origin: None,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::each_document_full;
    use super::*;

    /// The full parser's documents, or its error.
    fn full(text: &str) -> Result<Vec<Node>, String> {
        let mut docs = Vec::new();
        each_document_full(text, |d| docs.push(d))
            .map(|()| docs)
            .map_err(|e| e.message)
    }

    /// Where the fast path reads a text, it must give exactly the full
    /// parser's tree: values, key order, every position.
    fn agree(name: &str, text: &str) -> bool {
        let Some(fast) = parse(text) else {
            return false;
        };
        match full(text) {
            Ok(slow) => assert_eq!(
                format!("{fast:#?}"),
                format!("{slow:#?}"),
                "{name}: the fast path disagrees with the full parser on\n{text}"
            ),
            Err(e) => {
                panic!("{name}: the fast path read what the full parser rejects ({e}):\n{text}")
            }
        }
        true
    }

    /// Variations of a text that keep it YAML but move things around.
    fn variants(text: &str) -> Vec<String> {
        let map_lines = |f: &dyn Fn(&str) -> String| -> String {
            text.split('\n').map(f).collect::<Vec<_>>().join("\n")
        };
        vec![
            text.to_string(),
            map_lines(&|l| format!("  {l}")),
            map_lines(&|l| {
                if l.trim().is_empty() || l.trim_start().starts_with('#') {
                    l.to_string()
                } else {
                    format!("{l}   # note: x")
                }
            }),
            map_lines(&|l| format!("{l}\n")),
            map_lines(&|l| l.replacen(": ", ":   ", 1)),
            map_lines(&|l| l.replacen("- ", "-   ", 1)),
            map_lines(&|l| format!("{l}  ")),
            format!("# head\n---\n{text}\n---\n\n---\n{text}"),
        ]
    }

    const SAMPLES: &[&str] = &[
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web, tier: \"front\"}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.25\n        args: [\"--port\", '8080', -v]\n        ports:\n          - containerPort: 8080\n            protocol: TCP\n        securityContext:\n          runAsUser: 0\n          privileged: yes\n          capabilities: {add: [NET_ADMIN, SYS_TIME], drop: []}\n        resources: {}\n        env:\n        - name: MODE\n          value: 'it''s'\n        - name: N\n          value: \"0644\"\n      volumes:\n      - name: data\n        hostPath: {path: /var/run/docker.sock}\n",
        "a: 0644\nb: 0x1F\nc: -12\nd: 1.5e3\ne: ~\nf: null\ng: true\nh: off\ni: 12:30\nj: http://x/y#frag\nk: a # c\nl: 'a # b'\nm: \"x # y\"\n",
        "- a\n- b: 1\n  c: 2\n- [x, y]\n- {k: v}\n-\n  - nested\n",
        "on: push\n1: one\n1.5: x\nnull: y\n",
        "key: value\n   # indented comment\nother: [a,b,c]\n",
    ];

    /// Texts the fast path must leave alone (the full parser decides).
    const REFUSED: &[&str] = &[
        "a: &x 1\nb: *x\n",
        "a: |\n  text\n",
        "a: >\n  text\n",
        "a: !!str 1\n",
        "a: b\n  continued\n",
        "a:\nb: 1\n",
        "a: 1\na: 2\n",
        "<<: {a: 1}\n",
        "\"a\": 1\n",
        "a: \"x\\ny\"\n",
        "a:\tb\n",
        "a: b\r\n",
        "a: é\n",
        "%YAML 1.2\n---\na: 1\n",
        "--- a\n",
        "a: [b, c,]\n",
        "a: {b}\n",
        "a: [b\n",
        "a: b: c\n",
        "a: 'b' c\n",
        "scalar\n",
        "a: 1\n  b: 2\n",
        "- a\n  - b\n",
        "? a\n: b\n",
        "a: {b: [c, {d: e]}\n",
        "on: 1\nyes: 2\n",
    ];

    #[test]
    fn agrees_with_the_full_parser_on_samples_and_variants() {
        let mut read = 0;
        for (i, s) in SAMPLES.iter().enumerate() {
            for (j, v) in variants(s).iter().enumerate() {
                read += usize::from(agree(&format!("sample {i} variant {j}"), v));
            }
        }
        // The samples are in the subset, and so are most variants.
        assert!(
            read >= SAMPLES.len() * 6,
            "only {read} texts took the fast path"
        );
        for s in SAMPLES {
            assert!(parse(s).is_some(), "not read: {s}");
        }
    }

    #[test]
    fn leaves_everything_else_to_the_full_parser() {
        for s in REFUSED {
            assert!(parse(s).is_none(), "read: {s:?}");
        }
    }

    /// Every YAML file in the repository (fixtures, examples, deployment
    /// files, the fuzz corpus), with its variations.
    #[test]
    fn agrees_with_the_full_parser_on_every_yaml_file_here() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                    out.push(p);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for d in ["tests", "examples", "deploy", "src"] {
            walk(&root.join(d), &mut files);
        }
        assert!(files.len() > 100, "{}", files.len());
        let (mut read, mut total) = (0, 0);
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else {
                continue;
            };
            for (j, v) in variants(&text).iter().enumerate() {
                total += 1;
                read += usize::from(agree(&format!("{} variant {j}", f.display()), v));
            }
        }
        assert!(
            read * 4 > total,
            "only {read} of {total} texts took the fast path"
        );
    }

    /// Random texts built from the pieces manifests are made of, some of
    /// them malformed: wherever the fast path reads one, it agrees with the
    /// full parser (and it never reads one the full parser rejects).
    #[test]
    fn agrees_on_random_texts() {
        const KEYS: &[&str] = &["a", "name", "b.c/d-e", "on", "1", "null", "x_y"];
        const VALUES: &[&str] = &[
            "v",
            "0644",
            "-1",
            "--flag",
            "1.5",
            "yes",
            "~",
            "'q''s'",
            "\"d q\"",
            "a b",
            "http://h:1/p",
            "{k: v, l: [1, 2]}",
            "[a, \"b\", -c]",
            "{}",
            "[]",
            "x # c",
            "a: b",
            "&x v",
            "*x",
            "|",
            "\"unterminated",
            "{a: [b}",
            "[a,]",
            "x:y",
        ];
        let mut seed: u64 = 0x5eed;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        let mut read = 0;
        for round in 0..4000 {
            let mut text = String::new();
            let mut indent = 0usize;
            for _ in 0..(1 + next(8)) {
                match next(10) {
                    0 => indent = indent.saturating_sub(2 * next(3)),
                    1 => indent += 2,
                    _ => {}
                }
                let pad = " ".repeat(indent);
                let key = KEYS[next(KEYS.len())];
                let value = VALUES[next(VALUES.len())];
                let line = match next(7) {
                    0 => format!("{pad}- {value}"),
                    1 => format!("{pad}- {key}: {value}"),
                    2 => format!("{pad}{key}:"),
                    3 => format!("{pad}-"),
                    4 => format!("{pad}# c"),
                    5 => "---".to_string(),
                    _ => format!("{pad}{key}: {value}"),
                };
                text.push_str(&line);
                text.push('\n');
            }
            read += usize::from(agree(&format!("round {round}"), &text));
        }
        assert!(read > 200, "only {read} random texts took the fast path");
    }
}
