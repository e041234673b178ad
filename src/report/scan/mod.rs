//! Renderers for `shipshape scan` results. They format; they decide nothing.
//! SARIF and JUnit come from the shared writers through [`run`].

pub mod json;
pub mod text;

use super::core::{Hit, Item, Loc, Region, Run, Verdict};
use crate::scan::{FileError, ScanFinding, ScanReport};
use std::collections::{BTreeMap, HashMap};

/// Output formats of `shipshape scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    /// Findings with source snippets in rustc style (coloured on a terminal)
    Text,
    /// shipshape's versioned JSON report, including suppressed findings and their reasons
    Json,
    /// SARIF 2.1.0, for code-scanning UIs
    Sarif,
    /// JUnit XML: one test suite per file, one failing test case per finding
    Junit,
    /// One self-contained HTML page: dashboard, sortable and filterable findings
    Html,
}

/// Render a report in `format`.
pub fn render(report: &ScanReport, format: ScanFormat, color: bool) -> String {
    let mut v = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(report, format, color, &mut v);
    String::from_utf8_lossy(&v).into_owned()
}

/// Write a report in `format` to `out` (streamed for the large formats).
pub fn write(
    report: &ScanReport,
    format: ScanFormat,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        ScanFormat::Text => text::write(report, color, out),
        ScanFormat::Json => json::write(report, out),
        ScanFormat::Sarif => write_sarif(report, out),
        ScanFormat::Junit => out.write_all(super::junit::render(&run(report)).as_bytes()),
        ScanFormat::Html => {
            let opts = super::html::HtmlOptions {
                generated: crate::util::clock::now_rfc3339(),
                ..Default::default()
            };
            out.write_all(super::html::render_scan(report, &opts).as_bytes())
        }
    }
}

fn finding_item(rule: usize, f: &ScanFinding) -> Item<'_> {
    Item {
        rule: Some(rule),
        verdict: Verdict::Fail,
        severity: f.severity,
        message: f.message.as_str().into(),
        details: Vec::new(),
        hits: vec![Hit {
            text: f.message.as_str().into(),
            loc: Loc::File {
                path: f.file.as_str().into(),
                base: Some("%SRCROOT%"),
                region: Some(Region {
                    line: f.line,
                    column: f.column,
                    len: Some(f.len),
                }),
            },
            related: f
                .related
                .iter()
                .map(|r| Hit {
                    text: r.message.as_str().into(),
                    loc: Loc::File {
                        path: r.file.as_str().into(),
                        base: Some("%SRCROOT%"),
                        region: Some(Region {
                            line: r.line,
                            column: r.column,
                            len: Some(r.len),
                        }),
                    },
                    related: Vec::new(),
                })
                .collect(),
        }],
        suppressed: f.suppression.as_ref().map(|s| s.reason.as_str().into()),
        object: f.object.as_str().into(),
        suite: f.file.as_str().into(),
        case: format!("{} {}:{}", f.rule_id, f.line, f.column).into(),
        classname: f.file.as_str().into(),
    }
}

fn error_item(e: &FileError) -> Item<'_> {
    let hits = if e.file.is_empty() {
        Vec::new()
    } else {
        vec![Hit {
            text: e.message.as_str().into(),
            loc: Loc::File {
                path: e.file.as_str().into(),
                base: Some("%SRCROOT%"),
                region: e.line.map(|line| Region {
                    line,
                    column: e.column.unwrap_or(1),
                    len: None,
                }),
            },
            related: Vec::new(),
        }]
    };
    Item {
        rule: None,
        verdict: Verdict::Error,
        // Not rated: errors become notifications and `<error>` cases, which
        // carry no severity.
        severity: crate::findings::Severity::High,
        message: e.render().into(),
        details: Vec::new(),
        hits,
        suppressed: None,
        object: "".into(),
        suite: e.file.as_str().into(),
        case: "scan".into(),
        classname: e.file.as_str().into(),
    }
}

fn clean_item(file: &str) -> Item<'_> {
    Item {
        rule: None,
        verdict: Verdict::Pass,
        severity: crate::findings::Severity::Info,
        message: "".into(),
        details: Vec::new(),
        hits: Vec::new(),
        suppressed: None,
        object: "".into(),
        suite: file.into(),
        case: "no misconfigurations".into(),
        classname: file.into(),
    }
}

/// `rules[]` for the run: the rules that ran, then any rule a finding
/// names that is not among them (in the order [`run`] meets them).
fn rule_indices<'r>(run: &mut Run<'_>, r: &'r ScanReport) -> HashMap<&'r str, usize> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    for rule in &r.rules {
        index.insert(rule.id, run.rule_index(&rule.meta));
    }
    let mut others: Vec<&ScanFinding> = r
        .findings
        .iter()
        .chain(&r.suppressed)
        .filter(|f| !index.contains_key(f.rule_id))
        .collect();
    others.sort_by(|a, b| (a.line, a.column, a.rule_id).cmp(&(b.line, b.column, b.rule_id)));
    for f in others {
        let meta = crate::rules::meta::RuleMeta::own(
            f.rule_id,
            f.title,
            f.severity,
            f.stride,
            f.references,
            f.remediation,
        );
        index.insert(f.rule_id, run.rule_index(&meta));
    }
    index
}

/// Findings and suppressed findings in one list, per file by line, column
/// and rule (a finding before a suppressed one at the same place): the
/// order of [`run`], without collecting it.
fn merged(r: &ScanReport) -> impl Iterator<Item = &ScanFinding> {
    fn key(f: &ScanFinding) -> (&str, u32, u32, &str) {
        (&f.file, f.line, f.column, f.rule_id)
    }
    let mut a = r.findings.iter().peekable();
    let mut b = r.suppressed.iter().peekable();
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if key(y) < key(x) => b.next(),
        (Some(_), _) => a.next(),
        _ => b.next(),
    })
}

/// SARIF streamed from the report: finding items are made one at a time
/// while `results[]` is written, so a large scan is not held twice.
fn write_sarif(r: &ScanReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut run = Run::new("scan");
    let index = rule_indices(&mut run, r);
    let mut errors: BTreeMap<&str, Vec<Item>> = BTreeMap::new();
    for e in &r.errors {
        errors.entry(&e.file).or_default().push(error_item(e));
    }
    run.items = errors.into_values().flatten().collect();
    let findings: Vec<&ScanFinding> = merged(r).collect();
    let index = &index;
    super::sarif::write_par(&run, &findings, |f| finding_item(index[f.rule_id], f), out)
}

/// The scan report in the shape of the finding core: per file (sorted), its
/// findings (suppressed ones included), then its errors; a clean file gets
/// one passing item.
pub fn run(r: &ScanReport) -> Run<'_> {
    let mut run = Run::new("scan");
    let index = rule_indices(&mut run, r);
    let mut files: BTreeMap<&str, Vec<Item>> = BTreeMap::new();
    for (file, _) in &r.files {
        files.entry(file.as_str()).or_default();
    }
    for f in merged(r) {
        files
            .entry(&f.file)
            .or_default()
            .push(finding_item(index[f.rule_id], f));
    }
    for e in &r.errors {
        files.entry(&e.file).or_default().push(error_item(e));
    }
    run.items
        .reserve(r.findings.len() + r.suppressed.len() + r.errors.len() + r.files.len());
    for (file, items) in files {
        if items.is_empty() {
            run.items.push(clean_item(file));
        }
        run.items.extend(items);
    }
    run
}

/// A scan of `n` small Dockerfiles in `dir`, each with several findings,
/// one suppressed, and two findings that share a fingerprint: for tests
/// that compare writers.
#[cfg(test)]
pub(crate) fn sample_report(dir: &std::path::Path, n: usize) -> ScanReport {
    for i in 0..n {
        std::fs::write(
            dir.join(format!("Dockerfile.{i}")),
            "FROM ubuntu\n# shipshape:ignore DF-012 lab image\nRUN apt-get install curl\nUSER root\nFROM ubuntu\n",
        )
        .unwrap();
    }
    let opts = crate::scan::ScanOptions {
        paths: vec![dir.to_path_buf()],
        ..Default::default()
    };
    crate::scan::scan_with(&opts, true).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Formatted in parallel, the SARIF log is the one the shared writer
    /// gives with every finding held as an item.
    #[test]
    fn sarif_same_bytes_as_items_held_at_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("bad.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n",
        )
        .unwrap();
        let r = sample_report(dir.path(), 300);
        assert!(!r.errors.is_empty() && !r.suppressed.is_empty());
        let mut run = Run::new("scan");
        let index = rule_indices(&mut run, &r);
        run.items = r.errors.iter().map(error_item).collect();
        run.items
            .extend(merged(&r).map(|f| finding_item(index[f.rule_id], f)));
        let expected = super::super::sarif::render(&run);
        let got = render(&r, ScanFormat::Sarif, false);
        let at = got.bytes().zip(expected.bytes()).position(|(a, b)| a != b);
        assert!(got == expected, "differ at byte {at:?}");
        let v: serde_json::Value = serde_json::from_str(&got).unwrap();
        assert_eq!(
            v["runs"][0]["results"].as_array().unwrap().len(),
            r.findings.len() + r.suppressed.len()
        );
    }

    /// The text blocks, drawn in parallel, come out in report order.
    #[test]
    fn text_blocks_in_report_order() {
        let dir = tempfile::tempdir().unwrap();
        let r = sample_report(dir.path(), 300);
        let text = render(&r, ScanFormat::Text, false);
        let heads: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("--> "))
            .collect();
        let expected: Vec<String> = r
            .findings
            .iter()
            .map(|f| format!("{}:{}:{}", f.file, f.line, f.column))
            .collect();
        assert_eq!(heads, expected);
    }
}
