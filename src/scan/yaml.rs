//! YAML (and JSON) into a small tree where every node and every mapping key
//! keeps its 1-based line and column.
//!
//! Parsing goes through serde-saphyr with YAML 1.1 compatibility switched on
//! the way kubectl reads manifests (`0644` is octal, `yes` is a boolean), merge
//! keys resolved and anchors expanded.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

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
    /// Where the value starts.
    pub pos: Pos,
    pub value: Value,
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

/// Parse every document of a YAML stream (a JSON file is one document).
pub fn parse_documents(text: &str) -> Result<Vec<Node>, ParseError> {
    let mut opts = serde_saphyr::Options::default();
    opts.legacy_octal_numbers = true;
    opts.with_snippet = false;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_documents = 100_000;
    budget.max_nodes = 5_000_000;
    budget.max_events = 20_000_000;
    opts.budget = Some(budget);
    serde_saphyr::from_multiple_with_options::<Option<Node>>(text, opts)
        .map(|docs| docs.into_iter().flatten().collect())
        .map_err(|e| {
            let pos = e.location().and_then(|l| {
                let (line, col) = (l.line(), l.column());
                (line > 0).then(|| Pos::new(line as u32, col.max(1) as u32))
            });
            // The message may repeat the location; keep the first line only.
            let message = e.to_string();
            let mut message = message.lines().next().unwrap_or("invalid YAML").to_string();
            // The position is reported separately; drop a trailing copy of it.
            if let Some(i) = message.rfind(" at line ") {
                if message[i..].contains("column") {
                    message.truncate(i);
                }
            }
            ParseError { pos, message }
        })
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

fn location_pos(l: &serde_saphyr::Location) -> Pos {
    Pos::new(l.line() as u32, l.column().max(1) as u32)
}

struct RawValue(Value);

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: Spanned<RawValue> = Spanned::deserialize(d)?;
        Ok(Node {
            pos: location_pos(&s.referenced),
            value: s.value.0,
        })
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor).map(RawValue)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v)
            .map(Value::Int)
            .unwrap_or(Value::Float(v as f64)))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(n) = seq.next_element::<Node>()? {
            out.push(n);
        }
        Ok(Value::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<Spanned<KeyText>>()? {
            let value = map.next_value::<Node>()?;
            out.push(Entry {
                key: k.value.0,
                key_pos: location_pos(&k.referenced),
                value,
            });
        }
        Ok(Value::Map(out))
    }
}

/// A mapping key rendered as text, whatever its scalar type.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar mapping key")
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<KeyText, E> {
                Ok(KeyText(v))
            }
            fn visit_unit<E>(self) -> Result<KeyText, E> {
                Ok(KeyText("null".into()))
            }
            fn visit_none<E>(self) -> Result<KeyText, E> {
                Ok(KeyText("null".into()))
            }
            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<KeyText, A::Error> {
                Err(de::Error::custom("complex mapping keys are not supported"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<KeyText, A::Error> {
                Err(de::Error::custom("complex mapping keys are not supported"))
            }
        }
        d.deserialize_any(V)
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
    fn empty_documents_are_skipped() {
        let docs = parse_documents("---\n---\na: 1\n---\n").unwrap();
        assert_eq!(docs.len(), 1);
    }
}
