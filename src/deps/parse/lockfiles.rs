//! TOML lockfiles: `poetry.lock`, `uv.lock`, `pdm.lock` and `pylock.toml`
//! (PEP 751). Each names every resolved distribution with its exact version.

use super::Parsed;
use crate::deps::{line_col, InputError, Origin, Package, SourceKind};
use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
struct Entry {
    name: Spanned<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    source: Option<toml::Value>,
}

#[derive(Deserialize)]
struct PackageList {
    #[serde(default)]
    package: Vec<Entry>,
}

#[derive(Deserialize)]
struct Pylock {
    #[serde(rename = "lock-version")]
    lock_version: Option<Spanned<String>>,
    #[serde(default)]
    packages: Vec<Entry>,
}

fn toml_error(text: &str, shown: &str, e: toml::de::Error) -> InputError {
    let (l, c) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
    InputError::at(
        shown,
        l,
        c,
        format!("invalid TOML lockfile: {}", e.message().trim()),
    )
}

fn entries(text: &str, shown: &str, list: Vec<Entry>, kind: SourceKind) -> Parsed {
    let mut out = Parsed::default();
    for e in list {
        let (l, c) = line_col(text, e.name.span().start);
        // The project itself and local checkouts have no PyPI release.
        if let Some(toml::Value::Table(t)) = &e.source {
            if ["editable", "virtual", "directory", "path"]
                .iter()
                .any(|k| t.contains_key(*k))
            {
                continue;
            }
        }
        match e.version {
            Some(v) if !v.trim().is_empty() => out.packages.push(Package::exact(
                e.name.get_ref(),
                &v,
                kind,
                Origin::at(shown, l, c),
            )),
            // pylock.toml and uv.lock may omit the version of VCS and local
            // packages; nothing to match.
            _ if matches!(kind, SourceKind::Pylock | SourceKind::UvLock) => {}
            _ => out.errors.push(InputError::at(
                shown,
                l,
                c,
                format!("package {:?} has no `version`", e.name.get_ref()),
            )),
        }
    }
    out
}

fn parse_list(text: &str, shown: &str, kind: SourceKind) -> Parsed {
    match toml::from_str::<PackageList>(text) {
        Ok(l) => entries(text, shown, l.package, kind),
        Err(e) => Parsed::error(toml_error(text, shown, e)),
    }
}

pub fn parse_poetry(text: &str, shown: &str) -> Parsed {
    parse_list(text, shown, SourceKind::PoetryLock)
}

pub fn parse_uv(text: &str, shown: &str) -> Parsed {
    parse_list(text, shown, SourceKind::UvLock)
}

pub fn parse_pdm(text: &str, shown: &str) -> Parsed {
    parse_list(text, shown, SourceKind::PdmLock)
}

pub fn parse_pylock(text: &str, shown: &str) -> Parsed {
    match toml::from_str::<Pylock>(text) {
        Ok(l) => {
            let Some(v) = &l.lock_version else {
                return Parsed::error(InputError::at(
                    shown,
                    1,
                    1,
                    "no `lock-version`; expected a PEP 751 pylock.toml",
                ));
            };
            if !v.get_ref().starts_with("1.") && v.get_ref() != "1" {
                let (l, c) = line_col(text, v.span().start);
                return Parsed::error(InputError::at(
                    shown,
                    l,
                    c,
                    format!(
                        "lock-version {:?} is not supported; expected 1.x",
                        v.get_ref()
                    ),
                ));
            }
            entries(text, shown, l.packages, SourceKind::Pylock)
        }
        Err(e) => Parsed::error(toml_error(text, shown, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deps::Requirement;

    #[test]
    fn poetry_entries_with_lines() {
        let t = "[[package]]\nname = \"Jinja2\"\nversion = \"2.10\"\n\n[[package]]\nname = \"six\"\nversion = \"1.16.0\"\n";
        let r = parse_poetry(t, "poetry.lock");
        assert!(r.errors.is_empty());
        assert_eq!(r.packages[0].name, "jinja2");
        assert_eq!(r.packages[0].origin.line, Some(2));
        assert_eq!(r.packages[1].origin.line, Some(6));
        assert_eq!(
            r.packages[1].requirement,
            Requirement::Exact {
                version: "1.16.0".into()
            }
        );
    }

    #[test]
    fn uv_skips_the_project_itself() {
        let t = "version = 1\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\n\
                 [[package]]\nname = \"idna\"\nversion = \"2.5\"\nsource = { registry = \"https://pypi.org/simple\" }\n";
        let r = parse_uv(t, "uv.lock");
        assert_eq!(r.packages.len(), 1);
        assert_eq!(r.packages[0].name, "idna");
    }

    #[test]
    fn malformed_toml_names_line_and_column() {
        let r = parse_pdm("[[package]]\nname = \"x\"\nversion = 1.0.0\n", "pdm.lock");
        assert_eq!(r.errors.len(), 1);
        assert_eq!(r.errors[0].line, Some(3), "{}", r.errors[0]);
        let r = parse_pylock("[[packages]]\nname = \"x\"\n", "pylock.toml");
        assert!(r.errors[0].message.contains("lock-version"));
    }
}
