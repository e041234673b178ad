//! The offline advisory index: import from OSV JSON, an OSV `all.zip`
//! export or the PyPA advisory-database YAML layout, and load for matching.
//!
//! The index is one JSON file, `index.json`, in the state directory
//! (`--db PATH`, default `/var/lib/shipshape/db`). It records when it was
//! built, from which sources and under which licences.

use super::osv::{self, Advisory, Converted, Record};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub const DEFAULT_DB_DIR: &str = "/var/lib/shipshape/db";
pub const INDEX_FILE: &str = "index.json";
pub const FORMAT: &str = "shipshape-advisory-index";
pub const FORMAT_VERSION: u32 = 1;

/// Where an import's records came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub path: String,
    /// `osv-json`, `osv-zip` or `pypa-yaml`.
    pub kind: String,
    pub licence: String,
    /// Records read.
    pub records: usize,
    /// Records indexed (PyPI, not withdrawn, valid).
    pub indexed: usize,
    pub withdrawn: usize,
    pub not_pypi: usize,
    pub rejected: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Index {
    pub format: String,
    pub version: u32,
    /// RFC 3339 UTC.
    pub built: String,
    pub built_unix: u64,
    pub sources: Vec<Source>,
    pub advisories: Vec<Advisory>,
    /// package → (advisory, affected entry).
    #[serde(skip)]
    by_package: HashMap<String, Vec<(usize, usize)>>,
}

/// A record that could not be imported.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl Index {
    fn build_lookup(&mut self) {
        let mut m: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (ai, a) in self.advisories.iter().enumerate() {
            for (ei, e) in a.affected.iter().enumerate() {
                m.entry(e.package.clone()).or_default().push((ai, ei));
            }
        }
        self.by_package = m;
    }

    /// The (advisory, affected entry) pairs naming a normalised package.
    pub fn entries(&self, package: &str) -> &[(usize, usize)] {
        self.by_package
            .get(package)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn package_count(&self) -> usize {
        self.by_package.len()
    }

    /// Age of the index in seconds at `now`.
    pub fn age_secs(&self, now: SystemTime) -> u64 {
        now.duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
            .saturating_sub(self.built_unix)
    }

    /// Load `DIR/index.json`.
    pub fn load(dir: &Path) -> Result<Index, String> {
        let p = dir.join(INDEX_FILE);
        let text = std::fs::read(&p).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "no advisory index at {}; build one with `shipshape db import --db {} DIR|all.zip`",
                    p.display(),
                    dir.display()
                )
            } else {
                format!("cannot read {}: {e}", p.display())
            }
        })?;
        Index::from_json(&text, &p.display().to_string())
    }

    pub fn from_json(text: &[u8], name: &str) -> Result<Index, String> {
        let mut idx: Index = serde_json::from_slice(text).map_err(|e| {
            format!(
                "{name}:{}:{}: not a shipshape advisory index: {e}",
                e.line(),
                e.column()
            )
        })?;
        if idx.format != FORMAT || idx.version != FORMAT_VERSION {
            return Err(format!(
                "{name}: index format {} v{} is not {FORMAT} v{FORMAT_VERSION}; re-run `shipshape db import`",
                idx.format, idx.version
            ));
        }
        idx.build_lookup();
        Ok(idx)
    }

    /// Write `DIR/index.json` atomically (temp file, then rename).
    pub fn save(&self, dir: &Path) -> Result<PathBuf, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let p = dir.join(INDEX_FILE);
        let tmp = dir.join(format!(".{INDEX_FILE}.{}.tmp", std::process::id()));
        let body = serde_json::to_vec(self).map_err(|e| e.to_string())?;
        std::fs::write(&tmp, body).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &p).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("cannot replace {}: {e}", p.display())
        })?;
        Ok(p)
    }
}

/// The result of an import.
pub struct Imported {
    pub index: Index,
    pub rejected: Vec<Rejected>,
}

/// One input document to parse.
struct Doc {
    name: String,
    yaml: bool,
    bytes: Vec<u8>,
}

enum Parsed {
    Ok(Converted),
    Bad(Rejected),
}

fn parse_doc(d: &Doc) -> Parsed {
    let rec: Result<Record, String> = if d.yaml {
        match std::str::from_utf8(&d.bytes) {
            Ok(s) => serde_saphyr::from_str(s).map_err(|e| e.to_string()),
            Err(e) => Err(format!("not UTF-8: {e}")),
        }
    } else {
        serde_json::from_slice(&d.bytes)
            .map_err(|e| format!("line {} column {}: {e}", e.line(), e.column()))
    };
    match rec.and_then(osv::convert) {
        Ok(c) => Parsed::Ok(c),
        Err(message) => Parsed::Bad(Rejected {
            path: d.name.clone(),
            message: message.replace('\n', " "),
        }),
    }
}

/// Guess the licence of a source from a LICENSE or README next to it.
fn detect_licence(dir: &Path) -> Option<String> {
    for name in [
        "LICENSE",
        "LICENSE.txt",
        "LICENSE.md",
        "COPYING",
        "README.md",
        "README",
    ] {
        let Ok(t) = std::fs::read_to_string(dir.join(name)) else {
            continue;
        };
        let t = t.to_ascii_lowercase();
        if t.contains("attribution 4.0 international") || t.contains("cc-by 4.0") {
            return Some("CC-BY-4.0".into());
        }
        if t.contains("cc0") {
            return Some("CC0-1.0".into());
        }
        if t.contains("apache license") {
            return Some("Apache-2.0".into());
        }
    }
    None
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let ft = e.file_type().map_err(|x| format!("{}: {x}", p.display()))?;
        if ft.is_dir() {
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            collect_files(&p, out)?;
        } else if ft.is_file() {
            let n = e.file_name().to_string_lossy().to_string();
            if n.ends_with(".json") || n.ends_with(".yaml") || n.ends_with(".yml") {
                out.push(p);
            }
        }
    }
    Ok(())
}

/// Read one import source (a directory, a single JSON/YAML file or a zip)
/// into documents.
fn read_source(path: &Path) -> Result<(String, Vec<Doc>, Option<String>), String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.is_dir() {
        let mut files = Vec::new();
        collect_files(path, &mut files)?;
        let docs: Result<Vec<Doc>, String> = files
            .par_iter()
            .map(|f| {
                let bytes =
                    std::fs::read(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
                let name = f.display().to_string();
                Ok(Doc {
                    yaml: !name.ends_with(".json"),
                    name,
                    bytes,
                })
            })
            .collect();
        let docs = docs?;
        let kind = if docs.iter().any(|d| d.yaml) {
            "pypa-yaml"
        } else {
            "osv-json"
        };
        let mut licence = detect_licence(path);
        if licence.is_none() {
            if let Some(parent) = path.parent() {
                licence = detect_licence(parent);
            }
        }
        return Ok((kind.into(), docs, licence));
    }
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let docs = super::osvzip::read_json_entries(&bytes, &name)?;
        return Ok(("osv-zip".into(), docs_from(docs), None));
    }
    let yaml = !name.ends_with(".json");
    Ok((
        if yaml { "pypa-yaml" } else { "osv-json" }.into(),
        vec![Doc { name, yaml, bytes }],
        path.parent().and_then(detect_licence),
    ))
}

fn docs_from(v: Vec<(String, Vec<u8>)>) -> Vec<Doc> {
    v.into_iter()
        .map(|(name, bytes)| Doc {
            name,
            yaml: false,
            bytes,
        })
        .collect()
}

/// Import every source into a fresh index. `licence` overrides detection.
pub fn import(paths: &[PathBuf], licence: Option<&str>) -> Result<Imported, String> {
    let mut sources = Vec::new();
    let mut by_id: HashMap<String, Advisory> = HashMap::new();
    let mut rejected = Vec::new();
    for path in paths {
        let (kind, docs, detected) = read_source(path)?;
        let parsed: Vec<Parsed> = docs.par_iter().map(parse_doc).collect();
        let mut src = Source {
            path: path.display().to_string(),
            kind,
            licence: licence
                .map(str::to_string)
                .or(detected)
                .unwrap_or_else(|| "unknown (no licence file found; pass --licence)".into()),
            records: docs.len(),
            indexed: 0,
            withdrawn: 0,
            not_pypi: 0,
            rejected: 0,
        };
        for p in parsed {
            match p {
                Parsed::Ok(Converted::Advisory(a)) => {
                    src.indexed += 1;
                    // The same id twice: the most recently modified wins.
                    match by_id.get(&a.id) {
                        Some(old) if old.modified >= a.modified => {}
                        _ => {
                            by_id.insert(a.id.clone(), a);
                        }
                    }
                }
                Parsed::Ok(Converted::Withdrawn) => src.withdrawn += 1,
                Parsed::Ok(Converted::NotPyPi) => src.not_pypi += 1,
                Parsed::Bad(r) => {
                    src.rejected += 1;
                    rejected.push(r);
                }
            }
        }
        sources.push(src);
    }
    let mut advisories: Vec<Advisory> = by_id.into_values().collect();
    advisories.sort_by(|a, b| a.id.cmp(&b.id));
    let now = SystemTime::now();
    let mut index = Index {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        built: crate::util::clock::rfc3339(now),
        built_unix: now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        sources,
        advisories,
        by_package: HashMap::new(),
    };
    index.build_lookup();
    Ok(Imported { index, rejected })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_json_and_yaml_and_rejects_bad_records() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("a.json"),
            r#"{"id":"A-1","affected":[{"package":{"ecosystem":"PyPI","name":"Foo"},
               "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0"}]}]}]}"#,
        )
        .unwrap();
        std::fs::write(
            d.path().join("b.yaml"),
            "id: B-1\naffected:\n- package:\n    name: foo\n    ecosystem: PyPI\n  versions:\n  - \"0.5\"\n",
        )
        .unwrap();
        std::fs::write(d.path().join("c.json"), "{\"id\": ").unwrap();
        std::fs::write(
            d.path().join("LICENSE"),
            "Creative Commons Attribution 4.0 International",
        )
        .unwrap();
        let imp = import(&[d.path().to_path_buf()], None).unwrap();
        assert_eq!(imp.index.advisories.len(), 2);
        assert_eq!(imp.rejected.len(), 1);
        assert!(
            imp.rejected[0].path.ends_with("c.json"),
            "{}",
            imp.rejected[0]
        );
        assert!(
            imp.rejected[0].message.contains("line 1"),
            "{}",
            imp.rejected[0]
        );
        assert_eq!(imp.index.sources[0].licence, "CC-BY-4.0");
        assert_eq!(imp.index.entries("foo").len(), 2);
        let out = tempfile::tempdir().unwrap();
        imp.index.save(out.path()).unwrap();
        let back = Index::load(out.path()).unwrap();
        assert_eq!(back.entries("foo").len(), 2);
        assert_eq!(back.advisories, imp.index.advisories);
    }
}
