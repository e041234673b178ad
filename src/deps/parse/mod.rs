//! Readers for Python dependency inputs. Each turns one file (or one
//! installed environment) into [`Package`]s that remember their origin, and
//! reports malformed input as [`InputError`]s with file:line:column.

pub mod installed;
pub mod lockfiles;
pub mod pipfile;
pub mod requirements;

use super::{InputError, Package};
use std::path::Path;

/// What one input yielded.
#[derive(Debug, Default)]
pub struct Parsed {
    pub packages: Vec<Package>,
    pub errors: Vec<InputError>,
}

impl Parsed {
    pub fn extend(&mut self, other: Parsed) {
        self.packages.extend(other.packages);
        self.errors.extend(other.errors);
    }

    fn error(e: InputError) -> Parsed {
        Parsed {
            packages: Vec::new(),
            errors: vec![e],
        }
    }
}

/// The kind of dependency file a name denotes, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Requirements,
    PipfileLock,
    PoetryLock,
    UvLock,
    PdmLock,
    Pylock,
    Metadata,
}

/// Classify by file name. `explicit` is true for a file the user named,
/// where any `.txt`/`.in` counts as a requirements file.
pub fn classify(path: &Path, explicit: bool) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    let parent_is_reqs = path
        .parent()
        .and_then(|p| p.file_name())
        .is_some_and(|n| n == "requirements");
    Some(match name {
        "Pipfile.lock" => FileKind::PipfileLock,
        "poetry.lock" => FileKind::PoetryLock,
        "uv.lock" => FileKind::UvLock,
        "pdm.lock" => FileKind::PdmLock,
        "pylock.toml" => FileKind::Pylock,
        "METADATA" | "PKG-INFO" if explicit => FileKind::Metadata,
        n if n.starts_with("pylock.") && n.ends_with(".toml") => FileKind::Pylock,
        n if (n.ends_with(".txt") || n.ends_with(".in"))
            && (explicit || n.contains("requirements") || parent_is_reqs) =>
        {
            FileKind::Requirements
        }
        _ => return None,
    })
}

fn read_text(path: &Path) -> Result<String, InputError> {
    let shown = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| InputError::file(&shown, format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let (l, c) = {
            let ok = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let s = std::str::from_utf8(ok).unwrap_or("");
            super::line_col(s, s.len())
        };
        InputError::at(&shown, l, c, "not UTF-8 text")
    })
}

/// Parse one file of a known kind.
pub fn parse_file(path: &Path, kind: FileKind) -> Parsed {
    if kind == FileKind::Requirements {
        return requirements::parse_path(path);
    }
    let shown = path.display().to_string();
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) => return Parsed::error(e),
    };
    match kind {
        FileKind::PipfileLock => pipfile::parse(&text, &shown),
        FileKind::PoetryLock => lockfiles::parse_poetry(&text, &shown),
        FileKind::UvLock => lockfiles::parse_uv(&text, &shown),
        FileKind::PdmLock => lockfiles::parse_pdm(&text, &shown),
        FileKind::Pylock => lockfiles::parse_pylock(&text, &shown),
        FileKind::Metadata => match installed::parse_metadata(&text, &shown) {
            Ok((n, v)) => {
                let mut p = Package::exact(
                    &n,
                    &v,
                    super::SourceKind::Installed,
                    super::Origin::file(&shown),
                );
                p.distro_owned = installed::is_distro_path(&shown);
                Parsed {
                    packages: vec![p],
                    errors: Vec::new(),
                }
            }
            Err(e) => Parsed::error(e),
        },
        FileKind::Requirements => unreachable!(),
    }
}

/// Directories never worth descending into.
fn skip_dir(name: &str) -> bool {
    matches!(
        name,
        ".git" | ".hg" | ".svn" | "node_modules" | "__pycache__" | ".tox" | ".mypy_cache"
    )
}

/// Parse a file or walk a directory for dependency files and installed
/// distributions (`*.dist-info`, `*.egg-info`).
pub fn parse_path(path: &Path) -> Parsed {
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return Parsed::error(InputError::file(&shown, format!("cannot read: {e}"))),
    };
    if meta.is_file() {
        return match classify(path, true) {
            Some(k) => parse_file(path, k),
            None => Parsed::error(InputError::file(
                &shown,
                "not a known dependency file (expected requirements*.txt, Pipfile.lock, \
                 poetry.lock, uv.lock, pdm.lock, pylock.toml or METADATA)",
            )),
        };
    }
    let mut out = Parsed::default();
    walk(path, 0, &mut out);
    out
}

fn walk(dir: &Path, depth: usize, out: &mut Parsed) {
    if depth > 16 {
        return;
    }
    if let Some(dist) = installed::read_dist_dir(dir) {
        out.extend(dist);
        return;
    }
    let rd = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) => {
            out.errors.push(InputError::file(
                &dir.display().to_string(),
                format!("cannot read directory: {e}"),
            ));
            return;
        }
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        let name = e.file_name().to_string_lossy().to_string();
        if ft.is_dir() {
            if !skip_dir(&name) {
                walk(&p, depth + 1, out);
            }
        } else if ft.is_file() {
            if name.ends_with(".egg-info") {
                out.extend(installed::read_egg_info_file(&p));
            } else if let Some(k) = classify(&p, false) {
                out.extend(parse_file(&p, k));
            }
        }
    }
}
