//! Reading `.shipshape-ignore.yaml` and the `[[ignore]]` tables of
//! `shipshape.toml`. Unknown keys, a missing reason and a bad date are
//! errors at `file:line:column`.

use super::{Entry, IgnoreList, Scope};
use crate::threat::yaml::{self, Located};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".shipshape-ignore.yaml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: String,
    #[serde(default)]
    scope: Scope,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    expires: Option<ExpiresValue>,
}

/// A date written as a string, or as a TOML date.
#[derive(Deserialize)]
#[serde(untagged)]
enum ExpiresValue {
    Text(String),
    Date(toml::value::Datetime),
}

impl ExpiresValue {
    fn text(self) -> String {
        match self {
            ExpiresValue::Text(s) => s,
            ExpiresValue::Date(d) => d.to_string(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YamlFile {
    #[serde(default)]
    #[allow(dead_code)]
    version: Option<u32>,
    #[serde(default)]
    ignore: Vec<Located<RawEntry>>,
}

#[derive(Deserialize)]
struct TomlFile {
    #[serde(default)]
    ignore: Vec<toml::Spanned<RawEntry>>,
}

fn validate(raw: RawEntry, at: String) -> Result<Entry, String> {
    let shown = |s: &str| crate::sanitize::visible(s).into_owned();
    if raw.id.trim().is_empty() {
        return Err(format!("{at}: ignore entry has an empty id"));
    }
    let reason = raw.reason.unwrap_or_default();
    if reason.trim().is_empty() {
        return Err(format!(
            "{at}: ignore entry '{}' has no reason; `reason:` is required (say why the result is accepted)",
            shown(&raw.id)
        ));
    }
    let expires = raw.expires.map(ExpiresValue::text);
    let expires_day = match &expires {
        None => None,
        Some(d) => Some(crate::threat::modelfile::parse_date(d).ok_or_else(|| {
            format!(
                "{at}: ignore entry '{}': expires '{}' is not a date of the form YYYY-MM-DD",
                shown(&raw.id),
                shown(d)
            )
        })?),
    };
    Ok(Entry {
        id: raw.id,
        scope: raw.scope,
        reason,
        owner: raw.owner,
        expires,
        expires_day,
        at,
    })
}

/// Parse `.shipshape-ignore.yaml` text; `file` names it in errors.
pub fn parse_yaml(file: &str, text: &str) -> Result<Vec<Entry>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let f: YamlFile = yaml::parse(file, text)?;
    f.ignore
        .into_iter()
        .map(|l| {
            let at = l.at(file);
            validate(l.value, at)
        })
        .collect()
}

/// 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Parse the `[[ignore]]` tables of a `shipshape.toml` text.
pub fn parse_toml(file: &str, text: &str) -> Result<Vec<Entry>, String> {
    let f: TomlFile = toml::from_str(text).map_err(|e| {
        let (l, c) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        format!(
            "{file}:{l}:{c}: {}",
            crate::sanitize::visible(&e.message().replace('\n', " "))
        )
    })?;
    f.ignore
        .into_iter()
        .map(|s| {
            let (l, c) = line_col(text, s.span().start);
            validate(s.into_inner(), format!("{file}:{l}:{c}"))
        })
        .collect()
}

fn read(path: &Path) -> Result<(String, String), String> {
    let name = shown(path);
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read ignore file {name}: {e}"))?;
    Ok((name, text))
}

/// A path as errors and reports show it: relative to the current
/// directory when it is inside it.
fn shown(path: &Path) -> String {
    let rel = std::env::current_dir()
        .ok()
        .and_then(|c| path.strip_prefix(c).ok().map(Path::to_path_buf));
    rel.as_deref().unwrap_or(path).display().to_string()
}

/// Load one file: TOML when it ends in `.toml`, YAML otherwise.
pub fn load(path: &Path) -> Result<Vec<Entry>, String> {
    let (name, text) = read(path)?;
    if path.extension().is_some_and(|e| e == "toml") {
        parse_toml(&name, &text)
    } else {
        parse_yaml(&name, &text)
    }
}

/// The ignore list of a run: `--ignore-file FILE` if given; otherwise
/// `.shipshape-ignore.yaml` in `cwd` if present. The `[[ignore]]` tables of
/// `config` (the `shipshape.toml` in use) are added in both cases.
pub fn discover(
    explicit: Option<&Path>,
    cwd: &Path,
    config: Option<&Path>,
) -> Result<IgnoreList, String> {
    let mut list = IgnoreList::default();
    let file: Option<PathBuf> = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => Some(cwd.join(FILE_NAME)).filter(|p| p.is_file()),
    };
    if let Some(p) = file {
        list.entries.extend(load(&p)?);
        list.files.push(shown(&p));
    }
    if let Some(c) = config.filter(|c| Some(*c) != explicit) {
        if c.is_file() {
            let (name, text) = read(c)?;
            let entries = parse_toml(&name, &text)?;
            if !entries.is_empty() {
                list.entries.extend(entries);
                list.files.push(name);
            }
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_reason_is_an_error_at_the_entry() {
        let e = parse_yaml("i.yaml", "ignore:\n  - id: docker:5.5\n    owner: bob\n").unwrap_err();
        assert!(e.starts_with("i.yaml:2:5: "), "{e}");
        assert!(e.contains("no reason"), "{e}");
        let t = "[scan]\n\n[[ignore]]\nid = \"K8S-001\"\n";
        let e = parse_toml("shipshape.toml", t).unwrap_err();
        assert!(e.starts_with("shipshape.toml:3:1: "), "{e}");
    }

    #[test]
    fn unknown_keys_and_bad_dates_are_errors() {
        let e = parse_yaml(
            "i.yaml",
            "ignore:\n  - id: x\n    reason: r\n    scoep: {}\n",
        )
        .unwrap_err();
        assert!(e.starts_with("i.yaml:4:"), "{e}");
        let e = parse_yaml(
            "i.yaml",
            "ignore:\n  - id: x\n    reason: r\n    scope: {contianer: a}\n",
        )
        .unwrap_err();
        assert!(e.contains("contianer"), "{e}");
        let e = parse_yaml(
            "i.yaml",
            "ignore:\n  - id: x\n    reason: r\n    expires: soon\n",
        )
        .unwrap_err();
        assert!(e.contains("YYYY-MM-DD"), "{e}");
    }

    #[test]
    fn toml_dates_and_strings_both_work() {
        let t = "[[ignore]]\nid = \"a\"\nreason = \"r\"\nexpires = 2026-01-02\n\n[[ignore]]\nid = \"b\"\nreason = \"r\"\nexpires = \"2026-01-03\"\nscope = { path = \"k8s/*\" }\n";
        let v = parse_toml("s.toml", t).unwrap();
        assert_eq!(v[0].expires.as_deref(), Some("2026-01-02"));
        assert_eq!(v[1].scope.path.as_deref(), Some("k8s/*"));
        assert_eq!(v[1].at, "s.toml:6:1");
    }
}
