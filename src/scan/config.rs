//! `shipshape.toml`, section `[scan]`:
//!
//! ```toml
//! [scan]
//! exclude = ["vendor/**", "charts/*/templates/**"]   # gitignore-style globs
//! disable = ["DF-010"]                                # rules not to run
//! max_file_size = 10485760                            # bytes
//!
//! [scan.severity]                                     # per-rule override
//! K8S-026 = "info"
//! ```
//!
//! `[[ignore]]` tables belong to the ignore file (`crate::suppress`), which
//! reads them from this same file.
//!
//! Unknown tables, unknown keys inside `[scan]` and unknown rule ids are
//! errors at file:line:column naming the nearest valid name, so a typo
//! never silently does nothing.

use crate::findings::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "shipshape.toml";

/// The tables shipshape.toml may have. `[scan]` is checked here; the
/// others belong to other commands, which check their own keys.
const TABLES: &[&str] = &["scan", "audit", "threats", "harden", "ignore"];
/// The keys of `[scan]`.
const SCAN_KEYS: &[&str] = &["exclude", "disable", "severity", "max_file_size"];

/// A toml error as `file:line:column: message` on one line.
fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> String {
    let (line, col) = e
        .span()
        .map(|s| {
            let before = &text[..s.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, col)
        })
        .unwrap_or((1, 1));
    let msg = e.message().replace('\n', " ");
    format!("{file}:{line}:{col}: {}", crate::sanitize::visible(&msg))
}

/// Line and column of the first occurrence of `word` (1, 1 if absent).
fn locate(text: &str, word: &str) -> (usize, usize) {
    for (i, l) in text.lines().enumerate() {
        if let Some(c) = l.find(word) {
            return (i + 1, l[..c].chars().count() + 1);
        }
    }
    (1, 1)
}

fn unknown(file: &str, text: &str, what: &str, name: &str, valid: &[&str]) -> String {
    let (line, col) = locate(text, name);
    let shown = crate::sanitize::visible(name);
    match nearest(name, valid) {
        Some(n) => format!("{file}:{line}:{col}: unknown {what} '{shown}'; did you mean '{n}'?"),
        None => format!(
            "{file}:{line}:{col}: unknown {what} '{shown}'; expected one of: {}",
            valid.join(", ")
        ),
    }
}

/// The valid name closest to `name` by edit distance (case-insensitive),
/// if it is close enough to be a plausible typo.
pub fn nearest<'a>(name: &str, valid: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    valid
        .iter()
        .map(|v| (edit_distance(&lower, &v.to_ascii_lowercase()), *v))
        .min()
        .filter(|(d, v)| *d <= (v.len().max(lower.len()) / 2).max(2))
        .map(|(_, v)| v)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub disable: Vec<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    #[serde(default)]
    pub max_file_size: Option<u64>,
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(default)]
    scan: ScanConfig,
}

impl ScanConfig {
    pub fn parse(text: &str, origin: &Path) -> Result<ScanConfig, String> {
        let shown = crate::sanitize::visible(&origin.display().to_string()).into_owned();
        // Unknown tables and keys are errors naming the nearest valid one,
        // so a typo never silently does nothing.
        let table: toml::Table = toml::from_str(text).map_err(|e| toml_error(&shown, text, &e))?;
        for (name, value) in &table {
            if !TABLES.contains(&name.as_str()) {
                return Err(unknown(&shown, text, "table", name, TABLES));
            }
            if let (Some(t), "scan") = (value.as_table(), name.as_str()) {
                for k in t.keys() {
                    if !SCAN_KEYS.contains(&k.as_str()) {
                        return Err(unknown(&shown, text, "key in [scan]", k, SCAN_KEYS));
                    }
                }
            }
        }
        let f: ConfigFile = toml::from_str(text).map_err(|e| toml_error(&shown, text, &e))?;
        let cfg = f.scan;
        let ids: Vec<&str> = crate::rules::registry::manifest_rules()
            .map(|r| r.id)
            .collect();
        for id in cfg.disable.iter().chain(cfg.severity.keys()) {
            if crate::rules::registry::find(id).is_none() {
                let (line, col) = locate(text, id);
                let shown_id = crate::sanitize::visible(id);
                return Err(match nearest(id, &ids) {
                    Some(n) => format!(
                        "{shown}:{line}:{col}: unknown rule id '{shown_id}'; did you mean '{n}'?"
                    ),
                    None => format!("{shown}:{line}:{col}: unknown rule id '{shown_id}'"),
                });
            }
        }
        Ok(cfg)
    }

    pub fn load(path: &Path) -> Result<ScanConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text, path)
    }

    /// `shipshape.toml` in the first scanned directory, else in `cwd`.
    pub fn discover(scan_paths: &[PathBuf], cwd: &Path) -> Option<PathBuf> {
        scan_paths
            .iter()
            .filter(|p| p.is_dir())
            .map(|p| p.join(FILE_NAME))
            .chain(std::iter::once(cwd.join(FILE_NAME)))
            .find(|p| p.is_file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        ScanConfig::parse(text, Path::new("shipshape.toml")).unwrap_err()
    }

    #[test]
    fn unknown_names_are_errors_naming_the_nearest_valid_one() {
        assert_eq!(
            err("[scna]\nexclude = []\n"),
            "shipshape.toml:1:2: unknown table 'scna'; did you mean 'scan'?"
        );
        assert_eq!(
            err("[scan]\nexlude = [\"a\"]\n"),
            "shipshape.toml:2:1: unknown key in [scan] 'exlude'; did you mean 'exclude'?"
        );
        assert!(err("[scan]\ndisable = [\"DF-01\"]\n").contains("did you mean 'DF-0"));
        assert!(err("[zzzzzzzzzz]\n").contains("expected one of: scan, audit"));
        assert!(ScanConfig::parse("[audit]\nx = 1\n", Path::new("s.toml")).is_ok());
        assert!(err("[scan]\nmax_file_size = \"x\"\n").starts_with("shipshape.toml:2:"));
    }

    #[test]
    fn valid_config_parses() {
        let c = ScanConfig::parse(
            "[scan]\nexclude = [\"v/**\"]\ndisable = [\"DF-010\"]\n[scan.severity]\nK8S-026 = \"info\"\n",
            Path::new("shipshape.toml"),
        )
        .unwrap();
        assert_eq!(c.exclude, vec!["v/**"]);
    }
}
