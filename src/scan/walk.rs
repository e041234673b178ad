//! Finding the files to scan.
//!
//! `.gitignore` and `.ignore` files are honoured (also outside a git
//! checkout), hidden files are not skipped (`.env`, `.docker/`), `.git/` is,
//! and symbolic links are followed with loop detection unless disabled.

use super::FileError;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Kubernetes,
    Dockerfile,
    Compose,
}

impl FileKind {
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Kubernetes => "Kubernetes",
            FileKind::Dockerfile => "Dockerfile",
            FileKind::Compose => "compose",
        }
    }
}

/// Classify a file by its name: `Dockerfile*`, `*.Dockerfile`,
/// `Containerfile*`, `compose.y*ml`, `docker-compose*.y*ml`, and any other
/// `*.yaml` / `*.yml` / `*.json` as a Kubernetes manifest candidate.
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
    if name.starts_with("dockerfile")
        || name.ends_with(".dockerfile")
        || name.starts_with("containerfile")
    {
        Some(FileKind::Dockerfile)
    } else if yaml && (name.starts_with("compose.") || name.starts_with("docker-compose")) {
        Some(FileKind::Compose)
    } else if yaml || name.ends_with(".json") {
        Some(FileKind::Kubernetes)
    } else {
        None
    }
}

/// Guess the kind of an explicitly named file whose name says nothing.
pub fn sniff(text: &str) -> FileKind {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    if first.len() > 5 && first[..5].eq_ignore_ascii_case("FROM ") {
        FileKind::Dockerfile
    } else if text.contains("services:") && !text.contains("apiVersion") {
        FileKind::Compose
    } else {
        FileKind::Kubernetes
    }
}

/// What the content of a file whose name does not decide says it is: a
/// kind to scan, or why it is not scanned.
///
/// - Kubernetes: a top-level `apiVersion` and `kind` (any document);
/// - compose: a top-level `services` mapping;
/// - kustomization (`kustomization.yaml`, `kind: Kustomization`) and Helm
///   templates (`{{ … }}`) are not scanned as they are: render them first;
/// - a first instruction `FROM` makes a Dockerfile.
pub fn classify_content(path: &Path, text: &str) -> Result<FileKind, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    if first.len() > 5 && first.is_char_boundary(5) && first[..5].eq_ignore_ascii_case("FROM ") {
        return Ok(FileKind::Dockerfile);
    }
    // Top-level keys: at column 0 in block YAML, quoted in JSON.
    let json = first.starts_with('{') || first.starts_with('[');
    let top = |key: &str| -> bool {
        if json {
            text.contains(&format!("\"{key}\""))
        } else {
            // `key:`, `"key":` or `'key':` at the start of a line.
            fn after_key<'l>(l: &'l str, key: &str) -> Option<&'l str> {
                if let Some(r) = l.strip_prefix(key) {
                    return Some(r);
                }
                let q = l.chars().next().filter(|c| matches!(c, '"' | '\''))?;
                l[1..].strip_prefix(key)?.strip_prefix(q)
            }
            text.lines()
                .any(|l| after_key(l, key).is_some_and(|r| r.trim_start().starts_with(':')))
        }
    };
    let kustomize = name == "kustomization.yaml"
        || name == "kustomization.yml"
        || name == "kustomization"
        // One search of the whole text first: most files never mention it.
        || (text.contains("Kustomization")
            && text.lines().any(|l| {
                l.trim_end() == "kind: Kustomization"
                    || l.contains("\"kind\": \"Kustomization\"")
            }));
    if kustomize {
        return Err(
            "kustomization: not scanned as it is; run `kubectl kustomize` (or `kustomize build`) and scan the output"
                .into(),
        );
    }
    // A template action outside any quoted string (`name: {{ .Values.x }}`,
    // `{{- if … }}`); a quoted one may be data (an annotation's template).
    let templated = text.contains("{{")
        && text.lines().any(|l| {
            l.find("{{")
                .is_some_and(|i| !l[..i].contains('"') && !l[..i].contains('\''))
        });
    if templated {
        return Err(
            "Helm template ({{ … }}): not scanned as it is; render it first (`helm template CHART`) and scan the output"
                .into(),
        );
    }
    if top("apiVersion") && top("kind") {
        return Ok(FileKind::Kubernetes);
    }
    if top("services") {
        return Ok(FileKind::Compose);
    }
    Err("not recognised: no top-level apiVersion and kind (Kubernetes), no top-level services (compose), not a Dockerfile".into())
}

#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: PathBuf,
    /// `None`: named explicitly with an unknown name; sniff the content.
    pub kind: Option<FileKind>,
    /// The walk saw a regular file here (the directory entry's type, after
    /// following a link when links are followed), so reading it needs no
    /// `stat` of its own first.
    pub regular: bool,
}

pub struct WalkOptions<'a> {
    pub follow_links: bool,
    pub exclude: &'a [String],
}

fn display(p: &Path) -> String {
    let s = p.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// Walk `roots`. Unreadable entries, loops and missing paths become errors.
pub fn walk(roots: &[PathBuf], opts: &WalkOptions) -> (Vec<Candidate>, Vec<FileError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in roots {
        match std::fs::metadata(root) {
            Ok(m) if !m.is_dir() => {
                files.push(Candidate {
                    path: root.clone(),
                    kind: classify(root).filter(|k| *k != FileKind::Kubernetes),
                    regular: m.is_file(),
                });
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                errors.push(FileError::new(display(root), format!("cannot open: {e}")));
                continue;
            }
        }
        let mut b = ignore::WalkBuilder::new(root);
        b.hidden(false)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .ignore(true)
            .parents(true)
            .require_git(false)
            .follow_links(opts.follow_links)
            .filter_entry(|e| e.file_name() != ".git");
        if !opts.exclude.is_empty() {
            let mut ob = ignore::overrides::OverrideBuilder::new(root);
            for pat in opts.exclude {
                if let Err(e) = ob.add(&format!("!{pat}")) {
                    errors.push(FileError::new(
                        FileError::CONFIG.to_string(),
                        format!("bad exclude pattern '{pat}': {e}"),
                    ));
                }
            }
            if let Ok(o) = ob.build() {
                b.overrides(o);
            }
        }
        for entry in b.build() {
            match entry {
                Ok(e) => {
                    let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                    if is_dir || e.depth() == 0 {
                        continue;
                    }
                    if let Some(kind) = classify(e.path()) {
                        // A YAML or JSON name says nothing about what is
                        // inside (`stack.yml` may be compose): the content
                        // decides. Dockerfile and compose names are trusted.
                        let kind = (kind != FileKind::Kubernetes).then_some(kind);
                        let regular = e.file_type().is_some_and(|t| t.is_file());
                        files.push(Candidate {
                            path: e.into_path(),
                            kind,
                            regular,
                        });
                    }
                }
                Err(err) => errors.push(walk_error(&err)),
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    (files, errors)
}

fn walk_error(err: &ignore::Error) -> FileError {
    match err {
        ignore::Error::WithPath { path, err } => FileError::new(display(path), err.to_string()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(err)
        }
        ignore::Error::Loop { ancestor, child } => FileError::new(
            display(child),
            format!(
                "symbolic link loop: leads back to {}; not followed",
                display(ancestor)
            ),
        ),
        other => FileError::new(String::new(), other.to_string()),
    }
}

/// Display form of a path in reports (no leading `./`).
pub fn display_path(p: &Path) -> String {
    display(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_classified() {
        let k = |s: &str| classify(Path::new(s));
        assert_eq!(k("Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("dir/Dockerfile.prod"), Some(FileKind::Dockerfile));
        assert_eq!(k("api.Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("Containerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("compose.yaml"), Some(FileKind::Compose));
        assert_eq!(k("docker-compose.override.yml"), Some(FileKind::Compose));
        assert_eq!(k("deploy.yaml"), Some(FileKind::Kubernetes));
        assert_eq!(k("pod.json"), Some(FileKind::Kubernetes));
        assert_eq!(k("README.md"), None);
    }

    #[test]
    fn content_decides_for_yaml_names() {
        let c = |n: &str, t: &str| classify_content(Path::new(n), t);
        assert_eq!(
            c("stack.yml", "services:\n  web: {}\n"),
            Ok(FileKind::Compose)
        );
        assert_eq!(
            c("x.yaml", "# c\n---\napiVersion: v1\nkind: Pod\n"),
            Ok(FileKind::Kubernetes)
        );
        assert_eq!(
            c("x.json", "{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}"),
            Ok(FileKind::Kubernetes)
        );
        // A nested `services:` is not compose.
        assert!(c("values.yaml", "app:\n  services:\n    a: 1\n").is_err());
        assert!(c("kustomization.yaml", "resources: [a.yaml]\n")
            .unwrap_err()
            .contains("kustomiz"));
        assert!(c("t.yaml", "kind: {{ .Values.kind }}\n")
            .unwrap_err()
            .contains("Helm"));
        assert!(c("data.yaml", "a: 1\n")
            .unwrap_err()
            .contains("not recognised"));
    }

    #[test]
    fn sniffing_unknown_names() {
        assert_eq!(sniff("# c\nFROM alpine:3\n"), FileKind::Dockerfile);
        assert_eq!(sniff("services:\n  a: {}\n"), FileKind::Compose);
        assert_eq!(sniff("apiVersion: v1\nkind: Pod\n"), FileKind::Kubernetes);
    }
}
