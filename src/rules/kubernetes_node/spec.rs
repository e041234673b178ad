//! The check data files (`data/*.yaml`) and the user's override file, as
//! typed, strict serde structures (`deny_unknown_fields`): a typo in a key or
//! an operator is an error with `file:line:column`, never a silently ignored
//! test.
//!
//! One file lists one section's checks. Each check carries its metadata and
//! one `test`:
//! - `file`: mode at most X and/or owner Y of a file a profile names or a
//!   component's setting points at;
//! - `setting`: a component setting compared with expected values;
//! - `logic`: a check written in Rust (`logic.rs`), by name;
//! - `manual`: nothing to evaluate, the text says what to review (WARN).
//!
//! An override file has the same `checks:` list. An entry whose id exists
//! replaces the fields it gives; a new id adds a check (every field then
//! required).

use crate::findings::{Severity, Stride};
use serde::Deserialize;
use std::collections::BTreeMap;

/// One section file, or an override file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckFile {
    #[serde(default)]
    pub section: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub checks: Vec<CheckSpec>,
}

/// One check as written in a data file. Fields are optional so an override
/// can change just one of them; the built-in files give them all.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub automated: Option<bool>,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub stride: Option<Vec<Stride>>,
    #[serde(default)]
    pub rationale: Option<String>,
    #[serde(default)]
    pub remediation: Option<String>,
    /// The id in CIS Kubernetes 2.0 where it differs.
    #[serde(default)]
    pub v2_id: Option<String>,
    /// Our title for 2.0 where the recommendation changed.
    #[serde(default)]
    pub v2_title: Option<String>,
    #[serde(default)]
    pub test: Option<Test>,
}

/// What a check evaluates.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Test {
    File(FileTest),
    Setting(SettingTest),
    /// A Rust check by name, with an optional `:argument`.
    Logic(String),
    /// What a person has to review.
    Manual(String),
}

/// "This file is at most mode X and owned by Y."
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileTest {
    /// The component the file belongs to; absent component -> N/A.
    pub component: String,
    /// A setting of the component naming the file (`kubeconfig`); a file a
    /// setting names but which is missing is a FAIL.
    #[serde(default)]
    pub setting: Option<String>,
    /// The profile path variable giving the default candidates.
    #[serde(default)]
    pub var: Option<String>,
    /// Highest permitted mode, octal (`"600"`): no bit outside it.
    #[serde(default)]
    pub mode: Option<String>,
    /// Required `user:group`.
    #[serde(default)]
    pub owner: Option<String>,
    /// Check every existing candidate of `var`, not only the first.
    #[serde(default)]
    pub all: bool,
}

/// "This setting of this component compares so with these values."
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingTest {
    pub component: String,
    /// Every key must satisfy the test; `a|b` looks up `a`, then `b`.
    pub keys: Vec<String>,
    pub op: Op,
    #[serde(default)]
    pub values: Vec<String>,
    /// The outcome when the key is set nowhere (no default recorded).
    #[serde(default)]
    pub when_unset: WhenUnset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal to one of `values` (booleans case-insensitively).
    Eq,
    /// Equal to none of `values`.
    Noteq,
    /// Set to a non-empty value.
    Present,
    /// Not set at all.
    Absent,
    /// An integer at least `values[0]`.
    Gte,
    /// Contains `values[0]` as a substring.
    Has,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WhenUnset {
    #[default]
    Fail,
    Pass,
}

/// Path variables of one profile: name -> candidate paths.
pub type ProfilePaths = BTreeMap<String, Vec<String>>;

/// Parse YAML into `T`, errors as `file:line:col: message`.
pub fn parse<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, String> {
    serde_saphyr::from_str::<T>(text).map_err(|e| {
        let plain = e.without_snippet();
        let full = plain.to_string();
        let first = full.lines().next().unwrap_or(&full).trim();
        let msg = first.rfind(" at line ").map_or(first, |i| &first[..i]);
        match plain.location() {
            Some(l) if l.line() > 0 => format!("{file}:{}:{}: {msg}", l.line(), l.column()),
            _ => format!("{file}: {msg}"),
        }
    })
}

/// Parse an octal mode string (`"600"`, `"0600"`).
pub fn octal(s: &str) -> Result<u32, String> {
    u32::from_str_radix(s.trim_start_matches("0o"), 8)
        .ok()
        .filter(|m| *m <= 0o7777)
        .ok_or_else(|| format!("mode {s:?} is not an octal permission such as \"600\""))
}
