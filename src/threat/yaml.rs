//! YAML reading with positions: every error becomes `file:line:column: message`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value together with where it was written (1-based line and column).
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub line: u64,
    pub column: u64,
}

impl<T> Located<T> {
    pub fn at(&self, file: &str) -> String {
        format!("{file}:{}:{}", self.line, self.column)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Located {
            value: s.value,
            line: s.referenced.line(),
            column: s.referenced.column(),
        })
    }
}

impl<T: Serialize> Serialize for Located<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

/// Parse one YAML document into `T`, reporting errors as `file:line:col: msg`.
pub fn parse<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, String> {
    serde_saphyr::from_str::<T>(text).map_err(|e| {
        let plain = e.without_snippet();
        let msg = strip_location(&plain.to_string());
        match plain.location() {
            Some(l) if l.line() > 0 => format!("{file}:{}:{}: {msg}", l.line(), l.column()),
            _ => format!("{file}: {msg}"),
        }
    })
}

/// serde-saphyr appends " at line L, column C" to its messages; we put the
/// position first instead, so drop the suffix.
fn strip_location(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or(msg).trim();
    match first.rfind(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}
