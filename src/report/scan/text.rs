//! Terminal output: one rustc-style block per finding, then errors,
//! suppressions and a summary line.

use crate::findings::Severity;
use crate::sanitize::{visible, visible_lines};
use crate::scan::{ScanFinding, ScanReport};
use std::io::{self, Write};

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn sev(&self, sev: Severity, s: &str) -> String {
        let code = match sev {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "1;33",
            Severity::Low => "1;36",
            Severity::Info => "1;34",
        };
        self.wrap(code, s)
    }
    fn blue(&self, s: &str) -> String {
        self.wrap("1;34", s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
}

fn block(out: &mut dyn Write, f: &ScanFinding, p: &Paint) -> io::Result<()> {
    let head = format!("{}[{}]", f.severity.label(), f.rule_id);
    writeln!(
        out,
        "{}: {}",
        p.sev(f.severity, &head),
        p.bold(&visible(&f.message))
    )?;
    let gutter = f.line.to_string().len();
    let pad = " ".repeat(gutter);
    writeln!(
        out,
        "{pad}{} {}:{}:{}",
        p.blue("-->"),
        visible(&f.file),
        f.line,
        f.column
    )?;
    writeln!(out, "{pad} {}", p.blue("|"))?;
    let line = f.source_line.trim_end();
    writeln!(
        out,
        "{} {} {}",
        p.blue(&f.line.to_string()),
        p.blue("|"),
        visible_lines(line)
    )?;
    // Pad under each character as wide as it is shown (an escaped control
    // character takes several columns).
    let before: String = line
        .chars()
        .take(f.column.saturating_sub(1) as usize)
        .map(|c| " ".repeat(visible(c.encode_utf8(&mut [0; 4])).chars().count()))
        .collect();
    let avail = line
        .chars()
        .count()
        .saturating_sub(f.column.saturating_sub(1) as usize);
    let carets = "^".repeat((f.len as usize).min(avail.max(1)).max(1));
    writeln!(
        out,
        "{pad} {} {before}{}",
        p.blue("|"),
        p.sev(f.severity, &carets)
    )?;
    if !f.object.is_empty() {
        writeln!(out, "{pad} {} object: {}", p.blue("="), visible(&f.object))?;
    }
    writeln!(out, "{pad} {} rule: {}", p.blue("="), f.title)?;
    writeln!(out, "{pad} {} help: {}", p.blue("="), f.remediation)?;
    if !f.references.is_empty() {
        let refs: Vec<String> = f.references.iter().map(|r| r.label()).collect();
        writeln!(out, "{pad} {} see: {}", p.blue("="), refs.join("; "))?;
    }
    writeln!(out)
}

/// Write the terminal report to `out`.
pub fn write(r: &ScanReport, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let p = Paint(color);
    for f in &r.findings {
        block(out, f, &p)?;
    }
    for e in &r.errors {
        writeln!(
            out,
            "{}: {}",
            p.wrap("1;31", "error"),
            visible_lines(&e.render())
        )?;
    }
    if !r.errors.is_empty() {
        writeln!(out)?;
    }
    for f in &r.suppressed {
        let s = f.suppression.as_ref();
        writeln!(
            out,
            "{}: {}:{}:{} {} ({})",
            p.wrap("2", &format!("suppressed[{}]", f.rule_id)),
            visible(&f.file),
            f.line,
            f.column,
            visible(s.map(|s| s.reason.as_str()).unwrap_or("")),
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
            p.wrap("1;33", "not scanned"),
            visible(&u.file),
            u.reason
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
