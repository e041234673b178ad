//! Known-vulnerable Python dependencies, matched offline.
//!
//! The module is laid out as its pipeline:
//!
//! ```text
//! parse/ (lockfiles, requirements, installed metadata)  ─┐
//! image.rs (image layers) · container.rs (/proc/PID/root) ├─▶ Package ─▶ matcher.rs ─▶ report.rs
//! osv.rs (OSV records) ─▶ db.rs (offline index) ──────────┘
//! ```
//!
//! Inputs become [`Package`]s that remember where they came from; the
//! matcher compares them with the advisories of the local index and yields
//! findings. Nothing here touches the network.

pub mod container;
pub mod cvss;
pub mod db;
pub mod image;
pub mod matcher;
pub mod osv;
pub mod osvzip;
pub mod parse;
pub mod report;
pub mod tar;
pub mod version;

use serde::{Deserialize, Serialize};
use std::fmt;

/// PEP 503 name normalisation: lower case, runs of `-`, `_` and `.` become
/// one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if c == '-' || c == '_' || c == '.' {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Where a package was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Origin {
    /// The file (lockfile, requirements file, METADATA) as the user or the
    /// image names it.
    pub path: String,
    /// The image or container the path is inside, if any (`image:REF`,
    /// `container:NAME`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// 1-based line, when the input is line-oriented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Origin {
    pub fn file(path: &str) -> Origin {
        Origin {
            path: path.to_string(),
            target: None,
            line: None,
            column: None,
        }
    }

    pub fn at(path: &str, line: usize, column: usize) -> Origin {
        Origin {
            path: path.to_string(),
            target: None,
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(t) = &self.target {
            write!(f, "{t} ")?;
        }
        f.write_str(&self.path)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        Ok(())
    }
}

/// How a package's version is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Requirement {
    /// An exact version: a lockfile entry, an installed distribution or an
    /// `==` pin.
    Exact { version: String },
    /// A version range from a requirements file (`>=2.0,<3`, `~=1.4`, or no
    /// constraint at all, shown as the empty string).
    Range { specifier: String },
}

/// What kind of input a package came from; it decides the remediation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Requirements,
    PipfileLock,
    PoetryLock,
    UvLock,
    PdmLock,
    Pylock,
    /// `*.dist-info/METADATA` or `*.egg-info` of an installed environment.
    Installed,
}

/// One Python distribution found in an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Normalised (PEP 503) name.
    pub name: String,
    /// The name as written in the input.
    pub raw_name: String,
    pub requirement: Requirement,
    pub origin: Origin,
    pub source: SourceKind,
    /// Installed by the distribution (`/usr/lib/python3/dist-packages`):
    /// reported but not matched against PyPI advisories.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub distro_owned: bool,
}

impl Package {
    pub fn exact(raw_name: &str, version: &str, source: SourceKind, origin: Origin) -> Package {
        Package {
            name: normalize_name(raw_name),
            raw_name: raw_name.to_string(),
            requirement: Requirement::Exact {
                version: version.trim().to_string(),
            },
            origin,
            source,
            distro_owned: false,
        }
    }
}

/// A problem with one input; the others are still processed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputError {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub message: String,
}

impl InputError {
    pub fn at(path: &str, line: usize, column: usize, message: impl Into<String>) -> InputError {
        InputError {
            path: path.to_string(),
            line: Some(line),
            column: Some(column),
            message: message.into(),
        }
    }

    pub fn file(path: &str, message: impl Into<String>) -> InputError {
        InputError {
            path: path.to_string(),
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// 1-based line and column of byte offset `off` in `text` (column counts
/// characters).
pub fn line_col(text: &str, off: usize) -> (usize, usize) {
    let mut off = off.min(text.len());
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[start..].chars().count() + 1)
}

/// Make host- or file-derived text safe for a terminal: control characters
/// (including ESC and newlines) become visible escapes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_names() {
        assert_eq!(normalize_name("Django"), "django");
        assert_eq!(normalize_name("zope.interface"), "zope-interface");
        assert_eq!(normalize_name("Foo__Bar-.-baz"), "foo-bar-baz");
        assert_eq!(normalize_name("requests"), "requests");
    }

    #[test]
    fn escapes_control_characters() {
        assert_eq!(escape("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
