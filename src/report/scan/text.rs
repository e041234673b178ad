//! Terminal output: one rustc-style block per finding, then errors,
//! suppressions and a summary line.
//!
//! The snippet is drawn here rather than with `annotate-snippets`, on
//! purpose. A finding carries only its one source line and a code-point
//! column (the unit SARIF's `columnKind` declares); annotate-snippets wants
//! the source text with byte ranges, so every finding would have to convert
//! columns to byte offsets (the char/byte mix-up the review warns about) for
//! a frame that is one line, one caret run and a few `=` notes. Keeping the
//! ~40 lines here also keeps the golden output stable across that crate's
//! frequent 0.x layout changes, and keeps tabs in the caret line so carets
//! stay under their text. Colour still goes through the shared
//! [`Painter`](crate::report::text::Painter) and data through
//! [`esc`](crate::report::text::esc).

use crate::report::text::{esc, Painter};
use crate::scan::{RelatedLocation, ScanFinding, ScanReport};
use std::io::{self, Write};

/// The source line split at the finding: text before the column, the
/// highlighted text, the rest; each already passed through [`esc`].
fn split_line(source_line: &str, column: u32, len: u32) -> (String, String, String) {
    let line: Vec<char> = source_line.trim_end().chars().collect();
    let start = (column.saturating_sub(1) as usize).min(line.len());
    let avail = line.len() - start;
    let end = start + (len as usize).min(avail.max(1)).min(avail);
    let part = |a: usize, b: usize| esc(&line[a..b].iter().collect::<String>()).into_owned();
    (part(0, start), part(start, end), part(end, line.len()))
}

/// The caret line under [`split_line`]'s parts: tabs kept so the carets stay
/// under their text, at least one caret.
fn carets(before: &str, hit: &str) -> (String, String) {
    // Each character is padded as wide as it is shown: an escaped control
    // character takes several columns.
    let width = |c: char| esc(c.encode_utf8(&mut [0; 4])).chars().count();
    let pad = before
        .chars()
        .map(|c| {
            if c == '\t' {
                "\t".to_string()
            } else {
                " ".repeat(width(c))
            }
        })
        .collect();
    let hit_width: usize = hit.chars().map(width).sum();
    (pad, "^".repeat(hit_width.max(1)))
}

fn notes(out: &mut dyn Write, f: &ScanFinding, p: &Painter, pad: &str) -> io::Result<()> {
    let eq = p.accent("=");
    if !f.object.is_empty() {
        writeln!(out, "{pad} {eq} object: {}", esc(&f.object))?;
    }
    writeln!(out, "{pad} {eq} rule: {}", f.title)?;
    writeln!(out, "{pad} {eq} help: {}", f.remediation)?;
    if !f.references.is_empty() {
        let refs: Vec<String> = f.references.iter().map(|r| r.label()).collect();
        writeln!(out, "{pad} {eq} see: {}", refs.join("; "))?;
    }
    Ok(())
}

fn block(out: &mut dyn Write, f: &ScanFinding, p: &Painter) -> io::Result<()> {
    let head = format!("{}[{}]", f.severity.label(), f.rule_id);
    writeln!(
        out,
        "{}: {}",
        p.severity(f.severity, &head),
        p.bold(&esc(&f.message))
    )?;
    let width = f
        .related
        .iter()
        .map(|r| r.line)
        .chain([f.line])
        .max()
        .unwrap_or(f.line)
        .to_string()
        .len();
    let pad = " ".repeat(width);
    let (bar, arrow) = (p.accent("|"), p.accent("-->"));
    writeln!(out, "{pad}{arrow} {}:{}:{}", esc(&f.file), f.line, f.column)?;
    writeln!(out, "{pad} {bar}")?;
    let (before, hit, after) = split_line(&f.source_line, f.column, f.len);
    let number = p.accent(&format!("{:>width$}", f.line));
    writeln!(out, "{number} {bar} {before}{hit}{after}")?;
    let (indent, marks) = carets(&before, &hit);
    writeln!(
        out,
        "{pad} {bar} {indent}{}",
        p.severity(f.severity, &marks)
    )?;
    for r in &f.related {
        related(out, r, p, &pad)?;
    }
    notes(out, f, p, &pad)?;
    writeln!(out)
}

/// A second snippet (rustc's `:::`): the place that defines the value, with
/// its message after the carets.
fn related(out: &mut dyn Write, r: &RelatedLocation, p: &Painter, pad: &str) -> io::Result<()> {
    let bar = p.accent("|");
    writeln!(out, "{pad} {bar}")?;
    writeln!(
        out,
        "{pad}{} {}:{}:{}",
        p.accent(":::"),
        esc(&r.file),
        r.line,
        r.column
    )?;
    writeln!(out, "{pad} {bar}")?;
    let (before, hit, after) = split_line(&r.source_line, r.column, r.len);
    let number = p.accent(&format!("{:>w$}", r.line, w = pad.len()));
    writeln!(out, "{number} {bar} {before}{hit}{after}")?;
    let (indent, marks) = carets(&before, &hit);
    writeln!(
        out,
        "{pad} {bar} {indent}{} {}",
        p.accent(&marks.replace('^', "-")),
        esc(&r.message)
    )
}

/// Write the terminal report to `out`.
pub fn write(r: &ScanReport, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let p = Painter(color);
    // The blocks are independent: drawn in parallel, written in order.
    crate::report::chunked::write_in_order(&r.findings, out, |f, buf| block(buf, f, &p))?;
    for e in &r.errors {
        writeln!(out, "{}: {}", p.error("error"), esc(&e.render()))?;
    }
    if !r.errors.is_empty() {
        writeln!(out)?;
    }
    for f in &r.suppressed {
        let s = f.suppression.as_ref();
        writeln!(
            out,
            "{}: {}:{}:{} {} ({})",
            p.dim(&format!("suppressed[{}]", f.rule_id)),
            esc(&f.file),
            f.line,
            f.column,
            esc(s.map(|s| s.reason.as_str()).unwrap_or("")),
            s.map(|s| format!("{:?}", s.via).to_lowercase())
                .unwrap_or_default(),
        )?;
    }
    if !r.suppressed.is_empty() {
        writeln!(out)?;
    }
    let s = &r.summary;
    for u in &s.unclassified_files {
        writeln!(
            out,
            "{}: {}: {}",
            p.severity(crate::findings::Severity::Medium, "not scanned"),
            esc(&u.file),
            esc(&u.reason)
        )?;
    }
    if !s.unclassified_files.is_empty() {
        writeln!(out)?;
    }
    let sev: Vec<String> = s
        .by_severity
        .iter()
        .rev()
        .map(|(k, v)| format!("{v} {}", k.label()))
        .collect();
    writeln!(
        out,
        "{} {} files ({} Kubernetes, {} Dockerfile, {} compose): {} finding{}{}, {} suppressed, {} error{}, {} not scanned",
        p.bold("Scanned"),
        s.files.total,
        s.files.kubernetes,
        s.files.dockerfile,
        s.files.compose,
        s.findings,
        if s.findings == 1 { "" } else { "s" },
        if sev.is_empty() { String::new() } else { format!(" ({})", sev.join(", ")) },
        s.suppressed,
        s.errors,
        if s.errors == 1 { "" } else { "s" },
        s.unclassified,
    )?;
    Ok(())
}

/// The terminal report as a string.
pub fn render(r: &ScanReport, color: bool) -> String {
    let mut v = Vec::new();
    let _ = write(r, color, &mut v);
    String::from_utf8_lossy(&v).into_owned()
}
