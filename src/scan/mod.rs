//! `shipshape scan`: static analysis of Kubernetes manifests, Dockerfiles and
//! compose files.
//!
//! ```text
//! walk ──▶ read + classify ──▶ parse (spanned) ──▶ rules by target kind ──▶ suppressions ──▶ ScanReport
//! ```
//!
//! Files are scanned in parallel with rayon; the report is sorted so output is
//! deterministic. A problem with one file (invalid YAML, binary content, a
//! loop, an oversized file) becomes a [`FileError`] and never stops the scan.

#[cfg(test)]
mod cis_agreement;
pub mod config;
pub mod suppress;
pub mod walk;

use crate::findings::{Severity, Stride};
use crate::manifest::{compose, dockerfile, k8s, yaml};
use crate::rules::manifest::{Hit, Ref, Rule, Sink, Subject};
use crate::rules::registry;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use suppress::{Directive, Suppression, Via};
use walk::FileKind;
use yaml::Pos;

/// Version of the scan JSON layout.
pub const SCAN_SCHEMA_VERSION: &str = "1";

/// Default limit on the size of one scanned file.
/// 64 MiB: YAML is parsed one document at a time, so a large multi-document
/// manifest (a 50 MB `kubectl get -o yaml` dump) is scanned in bounded memory;
/// beyond this a file is more likely generated data than configuration.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// One misconfiguration at one place.
#[derive(Debug, Clone, Serialize)]
pub struct ScanFinding {
    pub rule_id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub stride: &'static [Stride],
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// What the finding is about: `Deployment/web`, `service "db"`, `stage 2`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub object: String,
    pub message: String,
    pub remediation: &'static str,
    pub references: &'static [Ref],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
    /// Other places that explain the finding: for a value that came
    /// through a YAML alias or merge key, where its anchor defines it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedLocation>,
    /// Length of the highlighted text, for the terminal renderer.
    #[serde(skip)]
    pub len: u32,
    /// The source line, for the terminal renderer.
    #[serde(skip)]
    pub source_line: String,
}

/// A second location of a finding, in the same file.
#[derive(Debug, Clone, Serialize)]
pub struct RelatedLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// Why this place matters ("value defined by anchor &defaults").
    pub message: String,
    /// Length of the highlighted text, for the terminal renderer.
    #[serde(skip)]
    pub len: u32,
    /// The source line, for the terminal renderer.
    #[serde(skip)]
    pub source_line: String,
}

/// A file that could not be scanned (or not completely).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FileError {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    pub message: String,
}

impl FileError {
    /// Pseudo file name for configuration problems.
    pub const CONFIG: &'static str = "shipshape.toml";

    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        FileError {
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn at(mut self, pos: Option<Pos>) -> Self {
        if let Some(p) = pos {
            self.line = Some(p.line);
            self.column = Some(p.col);
        }
        self
    }

    /// `file:line:column: message`.
    pub fn render(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}: {}", self.file, self.message),
            (Some(l), None) => format!("{}:{l}: {}", self.file, self.message),
            _ => format!("{}: {}", self.file, self.message),
        }
    }
}

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub config: config::ScanConfig,
    pub follow_links: bool,
    /// Run only these rules (ids), if not empty.
    pub only: Vec<String>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            paths: vec![PathBuf::from(".")],
            config: config::ScanConfig::default(),
            follow_links: true,
            only: Vec::new(),
        }
    }
}

/// Files scanned, per kind.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileCounts {
    pub total: usize,
    pub kubernetes: usize,
    pub dockerfile: usize,
    pub compose: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ScanSummary {
    pub files: FileCounts,
    pub findings: usize,
    pub by_severity: BTreeMap<Severity, usize>,
    pub suppressed: usize,
    pub errors: usize,
    /// Files the walk picked up and did not scan (never silently).
    pub unclassified: usize,
    /// Those files, each with the reason.
    pub unclassified_files: Vec<Unclassified>,
}

/// The result of a scan, which every renderer draws from.
#[derive(Debug, Clone)]
pub struct ScanReport {
    pub summary: ScanSummary,
    /// Unsuppressed findings, sorted by file, line, column, rule.
    pub findings: Vec<ScanFinding>,
    /// Suppressed findings with their reason.
    pub suppressed: Vec<ScanFinding>,
    pub errors: Vec<FileError>,
    /// The rules that ran (for SARIF `rules[]`), in catalogue order.
    pub rules: Vec<&'static Rule>,
    /// Per-file results, for renderers that group by file (JUnit).
    pub files: Vec<(String, FileKind)>,
}

/// The rules that run, with severities after config overrides.
pub struct Settings {
    pub rules: Vec<&'static Rule>,
    pub severity: HashMap<&'static str, Severity>,
    pub max_file_size: u64,
    /// Keep each finding's source line (only the text renderer draws it).
    pub snippets: bool,
}

impl Settings {
    pub fn new(opts: &ScanOptions) -> Result<Settings, String> {
        for id in &opts.only {
            if registry::find(id).is_none() {
                return Err(format!("unknown rule id '{id}'"));
            }
        }
        let disabled = |r: &Rule| {
            opts.config
                .disable
                .iter()
                .any(|d| d.eq_ignore_ascii_case(r.id))
        };
        let selected = |r: &Rule| {
            opts.only.is_empty() || opts.only.iter().any(|o| o.eq_ignore_ascii_case(r.id))
        };
        let rules: Vec<&'static Rule> = registry::manifest_rules()
            .filter(|r| !disabled(r) && (selected(r) || matches!(r.subject, Subject::Engine)))
            .collect();
        let mut severity = HashMap::new();
        for r in registry::manifest_rules() {
            let s = opts
                .config
                .severity
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(r.id))
                .map(|(_, s)| *s)
                .unwrap_or(r.severity);
            severity.insert(r.id, s);
        }
        Ok(Settings {
            rules,
            severity,
            max_file_size: opts.config.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
            snippets: true,
        })
    }

    fn enabled(&self, id: &str) -> bool {
        self.rules.iter().any(|r| r.id == id)
    }
}

/// Scan the paths in `opts`. Errors only when the request itself is invalid
/// (an unknown rule id); everything about individual files is in the report.
pub fn scan(opts: &ScanOptions) -> Result<ScanReport, String> {
    scan_with(opts, true)
}

/// [`scan`], keeping the source line of each finding only when `snippets`
/// is set (the text report draws them; JSON, SARIF and JUnit do not, and a
/// large scan saves the time and memory).
pub fn scan_with(opts: &ScanOptions, snippets: bool) -> Result<ScanReport, String> {
    let mut settings = Settings::new(opts)?;
    settings.snippets = snippets;
    let (candidates, mut errors) = walk::walk(
        &opts.paths,
        &walk::WalkOptions {
            follow_links: opts.follow_links,
            exclude: &opts.config.exclude,
        },
    );
    let mut results: Vec<FileResult> = candidates
        .par_iter()
        .map(|c| {
            let mut r = scan_path(&c.path, c.kind, c.regular, &settings);
            // Sorted here, in parallel; the files are put in order below, so
            // the whole list is usually sorted already.
            sort_findings(&mut r.findings);
            r
        })
        .collect();
    results.sort_by(|a, b| a.path.cmp(&b.path));
    let total: usize = results.iter().map(|r| r.findings.len()).sum();
    let mut findings = Vec::with_capacity(total);
    let mut suppressed = Vec::new();
    let mut files = Vec::new();
    let mut counts = FileCounts::default();
    let mut unclassified = Vec::new();
    for r in results {
        errors.extend(r.errors);
        if let Some(reason) = r.unclassified {
            unclassified.push(Unclassified {
                file: r.path.clone(),
                reason,
            });
        }
        if let Some(kind) = r.kind {
            counts.total += 1;
            match kind {
                FileKind::Kubernetes => counts.kubernetes += 1,
                FileKind::Dockerfile => counts.dockerfile += 1,
                FileKind::Compose => counts.compose += 1,
            }
            files.push((r.path, kind));
        }
        for f in r.findings {
            if f.suppression.is_some() {
                suppressed.push(f);
            } else {
                findings.push(f);
            }
        }
    }
    sort_findings(&mut findings);
    sort_findings(&mut suppressed);
    errors.sort();
    errors.dedup();
    let mut by_severity = BTreeMap::new();
    for f in &findings {
        *by_severity.entry(f.severity).or_insert(0) += 1;
    }
    Ok(ScanReport {
        summary: ScanSummary {
            files: counts,
            findings: findings.len(),
            by_severity,
            suppressed: suppressed.len(),
            errors: errors.len(),
            unclassified: unclassified.len(),
            unclassified_files: {
                unclassified.sort();
                unclassified
            },
        },
        findings,
        suppressed,
        errors,
        rules: settings.rules,
        files,
    })
}

/// Sort by file, line, column, rule and message (without copying the keys;
/// a list that is already in order is only checked).
fn sort_findings(v: &mut [ScanFinding]) {
    fn key(f: &ScanFinding) -> (&str, u32, u32, &str) {
        (&f.file, f.line, f.column, f.rule_id)
    }
    let cmp = |a: &ScanFinding, b: &ScanFinding| {
        key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
    };
    if !v.is_sorted_by(|a, b| cmp(a, b).is_le()) {
        v.sort_by(cmp);
    }
}

/// The outcome of one file.
pub struct FileResult {
    pub path: String,
    /// `None` when the file was not scanned at all (unreadable, too large…).
    pub kind: Option<FileKind>,
    pub findings: Vec<ScanFinding>,
    pub errors: Vec<FileError>,
    /// Why a readable file was not scanned (not recognised, a Helm
    /// template, a kustomization, no object in it).
    pub unclassified: Option<String>,
}

/// A file the walk picked up and did not scan, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unclassified {
    pub file: String,
    pub reason: String,
}

/// Read a file, refusing non-regular, oversized, binary and non-UTF-8 files.
///
/// A path not known to be a regular file is `stat`ed before it is opened,
/// so a device node or FIFO is never opened at all. One the walk saw as a
/// regular file is opened at once, with `O_NONBLOCK` and `O_NOCTTY` in case
/// it was swapped meanwhile, and its type checked again on the descriptor:
/// one path lookup fewer for every file of a large tree.
fn read_text(path: &Path, regular: bool, max: u64) -> Result<String, String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let cannot = |e: std::io::Error| format!("cannot read: {e}");
    let check = |meta: &std::fs::Metadata| {
        if !meta.is_file() {
            return Err("not a regular file; skipped".to_string());
        }
        if meta.len() > max {
            return Err(format!(
                "file is {} bytes, over the {max}-byte limit (max_file_size in shipshape.toml); skipped",
                meta.len()
            ));
        }
        Ok(())
    };
    if !regular {
        check(&std::fs::metadata(path).map_err(cannot)?)?;
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    check(&meta)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    file.take(max + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "file grew over the {max}-byte limit while reading; skipped"
        ));
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err("binary file (contains NUL bytes); skipped".into());
    }
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..3);
            }
            Ok(s)
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = bytes[..valid].iter().filter(|b| **b == b'\n').count() + 1;
            Err(format!(
                "not UTF-8 text (invalid byte at line {line}, offset {valid}); skipped"
            ))
        }
    }
}

/// Scan one file. `kind` is `None` for an explicitly named file whose name
/// does not say what it is (the content decides).
pub fn scan_file(path: &Path, kind: Option<FileKind>, settings: &Settings) -> FileResult {
    scan_path(path, kind, false, settings)
}

/// [`scan_file`], told whether the walk saw a regular file (see
/// [`read_text`]).
fn scan_path(
    path: &Path,
    kind: Option<FileKind>,
    regular: bool,
    settings: &Settings,
) -> FileResult {
    let display = walk::display_path(path);
    let text = match read_text(path, regular, settings.max_file_size) {
        Ok(t) => t,
        Err(msg) => {
            return FileResult {
                path: display.clone(),
                kind: None,
                findings: Vec::new(),
                errors: vec![FileError::new(display, msg)],
                unclassified: None,
            }
        }
    };
    let kind = match kind {
        Some(k) => k,
        None => match walk::classify_content(path, &text) {
            Ok(k) => k,
            Err(reason) => {
                return FileResult {
                    path: display,
                    kind: None,
                    findings: Vec::new(),
                    errors: Vec::new(),
                    unclassified: Some(reason),
                }
            }
        },
    };
    scan_text(&display, path.parent(), kind, &text, settings)
}

/// Where each YAML line (broken at LF, CRLF or a lone CR) starts in
/// line-feed lines and columns; built only when the text has a lone CR.
struct LoneCrMap {
    starts: Vec<(u32, u32)>,
}

impl LoneCrMap {
    fn new(text: &str) -> Option<LoneCrMap> {
        let b = text.as_bytes();
        let lone = b
            .iter()
            .enumerate()
            .any(|(i, c)| *c == b'\r' && b.get(i + 1) != Some(&b'\n'));
        if !lone {
            return None;
        }
        let mut starts = vec![(1u32, 1u32)];
        let (mut line, mut col) = (1u32, 1u32);
        let mut it = text.chars().peekable();
        while let Some(c) = it.next() {
            match c {
                '\r' if it.peek() == Some(&'\n') => {
                    it.next();
                    line += 1;
                    col = 1;
                    starts.push((line, col));
                }
                '\r' => {
                    col += 1;
                    starts.push((line, col));
                }
                '\n' => {
                    line += 1;
                    col = 1;
                    starts.push((line, col));
                }
                _ => col += 1,
            }
        }
        Some(LoneCrMap { starts })
    }

    fn pos(&self, p: Pos) -> Pos {
        match self.starts.get(p.line.saturating_sub(1) as usize) {
            Some(&(line, col)) => Pos::new(line, col + p.col.saturating_sub(1)),
            None => p,
        }
    }
}

/// Per-target output of the rules before suppression.
struct Raw {
    rule: &'static Rule,
    hit: Hit,
    object: String,
    /// Index into the scope directive list (annotation/label scope).
    scope: Option<usize>,
}

/// One thing the rules inspect. Each rule runs on the targets of its
/// [`Subject`] kind.
#[derive(Clone, Copy)]
enum Target<'t, 'a> {
    /// A Kubernetes object, with its pod spec when it has one.
    Object(&'t k8s::Object<'a>, Option<&'t k8s::PodView<'a>>),
    Dockerfile(&'t dockerfile::Dockerfile),
    Service(&'t compose::ServiceView<'a>),
}

/// What the rules found in one file, before suppressions apply.
#[derive(Default)]
struct Collected {
    raws: Vec<Raw>,
    errors: Vec<FileError>,
    /// Scope-wide directives (annotations, labels), one list per scope.
    scopes: Vec<Vec<Directive>>,
    /// Line ranges of the Dockerfile's instructions, for comment directives.
    df_ranges: Option<Vec<(u32, u32)>>,
    /// Whether the file held anything of its kind.
    scanned: bool,
}

impl Collected {
    /// Open a suppression scope (an object or a service) and return its index.
    fn scope(&mut self, directives: Vec<Directive>) -> Option<usize> {
        self.scopes.push(directives);
        Some(self.scopes.len() - 1)
    }

    /// The YAML parser counts a lone carriage return as a line break; every
    /// other position (and every editor) counts line feeds. Bring YAML
    /// positions onto line-feed lines so they point where they should.
    fn fix_lone_cr_positions(&mut self, text: &str) {
        let Some(map) = LoneCrMap::new(text) else {
            return;
        };
        for r in &mut self.raws {
            r.hit.pos = map.pos(r.hit.pos);
            if let Some(rel) = &mut r.hit.related {
                rel.pos = map.pos(rel.pos);
            }
        }
        for d in self.scopes.iter_mut().flatten() {
            d.pos = map.pos(d.pos);
        }
        for e in &mut self.errors {
            if let (Some(l), Some(c)) = (e.line, e.column) {
                let p = map.pos(Pos::new(l, c));
                e.line = Some(p.line);
                e.column = Some(p.col);
            }
        }
    }

    fn invalid_yaml(&mut self, display: &str, e: yaml::ParseError) {
        self.errors
            .push(FileError::new(display, format!("invalid YAML: {}", e.message)).at(e.pos));
    }

    /// The one dispatch loop: run every enabled rule whose subject matches
    /// `target`, and keep its hits.
    fn run(&mut self, rules: &[&'static Rule], target: Target, object: &str, scope: Option<usize>) {
        for rule in rules {
            let mut sink = Sink::default();
            match (rule.subject, target) {
                (Subject::Object(f), Target::Object(o, _)) => f(o, &mut sink),
                (Subject::Pod(f), Target::Object(_, Some(p))) => f(p, &mut sink),
                (Subject::Dockerfile(f), Target::Dockerfile(df)) => f(df, &mut sink),
                (Subject::Service(f), Target::Service(svc)) => f(svc, &mut sink),
                _ => continue,
            }
            self.raws.extend(sink.hits.into_iter().map(|hit| Raw {
                rule,
                hit,
                object: object.to_string(),
                scope,
            }));
        }
    }
}

/// Kubernetes targets: every object of every document, with the
/// suppression annotations of the object and of its pod template.
fn scan_kubernetes(display: &str, text: &str, settings: &Settings, out: &mut Collected) {
    // Cheap pre-filter: a document without both keys is not a Kubernetes
    // object; such a file is listed as unclassified, not dropped.
    if !(text.contains("apiVersion") && text.contains("kind")) {
        out.scanned = false;
        return;
    }
    // Document by document, so memory stays bounded by the largest
    // document, not the file.
    let mut any_object = false;
    let parsed = yaml::each_document(text, |doc| {
        let objs: Vec<k8s::Object> = k8s::objects(&doc);
        any_object |= !objs.is_empty();
        for obj in &objs {
            scan_object(obj, settings, out);
        }
    });
    match parsed {
        Err(e) => out.invalid_yaml(display, e),
        Ok(()) => out.scanned = any_object,
    }
}

/// One Kubernetes object, with the suppression annotations of the object
/// and of its pod template.
fn scan_object(obj: &k8s::Object, settings: &Settings, out: &mut Collected) {
    let pod = obj.pod();
    let mut annotations = vec![obj.annotation(suppress::ANNOTATION)];
    if obj.kind != "Pod" {
        annotations.push(
            pod.as_ref()
                .and_then(|p| p.annotation(suppress::ANNOTATION)),
        );
    }
    let dirs = annotations
        .into_iter()
        .flatten()
        .flat_map(|e| suppress::value_directives(&e.value, e.key_pos, Via::Annotation))
        .collect();
    let scope = out.scope(dirs);
    out.run(
        &settings.rules,
        Target::Object(obj, pod.as_ref()),
        &obj.label(),
        scope,
    );
}

/// The Dockerfile is one target; its instructions' line ranges scope the
/// comment directives.
fn scan_dockerfile(text: &str, settings: &Settings, out: &mut Collected) {
    let df = dockerfile::parse(text);
    out.scanned = !df.instructions.is_empty() || !text.trim().is_empty();
    out.df_ranges = Some(
        df.instructions
            .iter()
            .map(|i| (i.pos.line, i.pos_at(i.args.len()).line))
            .collect(),
    );
    out.run(&settings.rules, Target::Dockerfile(&df), "", None);
}

/// Compose targets: every service of the first document (after `extends`),
/// each with its label directives.
fn scan_compose(
    display: &str,
    dir: Option<&Path>,
    text: &str,
    settings: &Settings,
    out: &mut Collected,
) {
    let mut docs = match yaml::parse_documents(text) {
        Ok(docs) => docs,
        Err(e) => return out.invalid_yaml(display, e),
    };
    if docs.is_empty() {
        out.scanned = !text.trim().is_empty();
        return;
    }
    let root = docs.swap_remove(0);
    let dir = dir.unwrap_or(Path::new("."));
    let doc = compose::ComposeDoc::load(root, dir, settings.max_file_size);
    for (pos, note) in &doc.notes {
        out.errors
            .push(FileError::new(display, note.clone()).at(Some(*pos)));
    }
    for svc in doc.services() {
        let dirs = svc
            .layers
            .first()
            .map(|n| suppress::service_label_directives(n))
            .unwrap_or_default();
        let scope = out.scope(dirs);
        out.run(&settings.rules, Target::Service(&svc), &svc.label(), scope);
    }
}

/// Turns hits into findings for one file: metadata, configured severity and
/// the source line.
struct FindingMaker<'s> {
    display: &'s str,
    lines: Vec<&'s str>,
    settings: &'s Settings,
}

impl FindingMaker<'_> {
    fn make(
        &self,
        rule: &'static Rule,
        hit: Hit,
        object: String,
        suppression: Option<Suppression>,
    ) -> ScanFinding {
        let severity = self.settings.severity.get(rule.id).copied();
        let secret = rule.title.to_ascii_lowercase().contains("secret");
        let related = hit
            .related
            .as_ref()
            .map(|r| RelatedLocation {
                file: self.display.to_string(),
                line: r.pos.line,
                column: r.pos.col,
                message: r.message(),
                len: r.len,
                source_line: self.snippet(r.pos, secret),
            })
            .into_iter()
            .collect();
        ScanFinding {
            rule_id: rule.id,
            title: rule.title,
            severity: severity.unwrap_or(rule.severity),
            stride: rule.stride,
            file: self.display.to_string(),
            line: hit.pos.line,
            column: hit.pos.col,
            object,
            // Snippets and messages end up in CI logs: never a secret value.
            message: crate::redact::redact_text(&hit.message),
            remediation: rule.remediation,
            references: rule.refs,
            suppression,
            related,
            len: hit.len,
            source_line: self.snippet(hit.pos, secret),
        }
    }

    /// The source line at `pos`, redacted. A rule about a secret points at
    /// it: mask that value whatever its key is called.
    fn snippet(&self, pos: Pos, secret: bool) -> String {
        if !self.settings.snippets {
            return String::new();
        }
        let l = self.line(pos.line);
        if secret {
            crate::redact::mask_value_after(l, pos.col)
        } else {
            crate::redact::redact_text(l)
        }
    }

    fn line(&self, line: u32) -> &str {
        self.lines
            .get(line.saturating_sub(1) as usize)
            .copied()
            .unwrap_or("")
    }
}

/// Findings about the directives themselves: no rule id, an unknown one,
/// or no reason.
fn directive_problems<'d>(
    dirs: impl Iterator<Item = &'d Directive>,
    maker: &FindingMaker,
    findings: &mut Vec<ScanFinding>,
) {
    for d in dirs {
        let (rule, msg) = if d.rule.is_empty() {
            (
                &registry::SUPPRESSION_UNKNOWN_RULE,
                "suppression names no rule id".to_string(),
            )
        } else if registry::find(&d.rule).is_none() {
            (
                &registry::SUPPRESSION_UNKNOWN_RULE,
                format!("suppression names unknown rule {}", d.rule),
            )
        } else if d.reason.is_empty() {
            (
                &registry::SUPPRESSION_WITHOUT_REASON,
                format!(
                    "suppression of {} gives no reason, so it is not applied",
                    d.rule
                ),
            )
        } else {
            continue;
        };
        if maker.settings.enabled(rule.id) {
            // Highlight the rest of the directive's line.
            let rest = maker.line(d.pos.line).chars().count();
            let len = rest.saturating_sub(d.pos.col as usize - 1);
            let hit = Hit {
                pos: d.pos,
                len: len.max(1) as u32,
                message: msg,
                related: None,
            };
            findings.push(maker.make(rule, hit, String::new(), None));
        }
    }
}

/// Deduplicate the hits and attach the first directive (comment, then the
/// hit's scope) that suppresses each with a reason.
fn apply_suppressions(
    raws: Vec<Raw>,
    comment_dirs: &[Directive],
    scopes: &[Vec<Directive>],
    maker: &FindingMaker,
    findings: &mut Vec<ScanFinding>,
) {
    let mut seen = std::collections::HashSet::new();
    for r in raws {
        if !seen.insert((r.rule.id, r.hit.pos, r.hit.message.clone())) {
            continue;
        }
        let applies = |d: &&Directive| {
            d.rule == r.rule.id
                && !d.reason.is_empty()
                && d.lines
                    .is_none_or(|(a, b)| r.hit.pos.line >= a && r.hit.pos.line <= b)
        };
        let sup = comment_dirs
            .iter()
            .find(applies)
            .or_else(|| r.scope.and_then(|s| scopes[s].iter().find(applies)))
            .map(|d| Suppression {
                via: d.via,
                reason: d.reason.clone(),
                line: d.pos.line,
            });
        findings.push(maker.make(r.rule, r.hit, r.object, sup));
    }
}

/// Scan already-read text (also used by tests): build the file's targets,
/// run the rules on them, then apply suppressions.
pub fn scan_text(
    display: &str,
    dir: Option<&Path>,
    kind: FileKind,
    text: &str,
    settings: &Settings,
) -> FileResult {
    let mut c = Collected {
        scanned: true,
        ..Default::default()
    };
    match kind {
        FileKind::Kubernetes => scan_kubernetes(display, text, settings, &mut c),
        FileKind::Dockerfile => scan_dockerfile(text, settings, &mut c),
        FileKind::Compose => scan_compose(display, dir, text, settings, &mut c),
    }
    if kind != FileKind::Dockerfile {
        c.fix_lone_cr_positions(text);
    }
    let comment_dirs = suppress::comment_directives(text, c.df_ranges.as_deref());
    let maker = FindingMaker {
        display,
        lines: text.lines().collect(),
        settings,
    };
    let mut findings = Vec::new();
    let all_dirs = comment_dirs.iter().chain(c.scopes.iter().flatten());
    directive_problems(all_dirs, &maker, &mut findings);
    apply_suppressions(c.raws, &comment_dirs, &c.scopes, &maker, &mut findings);
    let unclassified = (!c.scanned && c.errors.is_empty()).then(|| match kind {
        FileKind::Kubernetes => {
            "no Kubernetes object (top-level apiVersion and kind) in it; not scanned".to_string()
        }
        FileKind::Dockerfile => "no Dockerfile instruction in it; not scanned".to_string(),
        FileKind::Compose => "no compose services in it; not scanned".to_string(),
    });
    FileResult {
        path: display.to_string(),
        kind: c.scanned.then_some(kind),
        findings,
        errors: c.errors,
        unclassified,
    }
}
