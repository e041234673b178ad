//! Terminal report: grouped by section, one line per check, offenders listed
//! under it, then counts and the score. Colour only on a terminal, and never
//! when `NO_COLOR` is set.

use super::{section_title, Report};
use crate::findings::{Finding, Outcome};
use crate::sanitize::visible;
use std::fmt::Write;
use std::io::IsTerminal;

/// Characters of an evidence value shown per bullet (JSON has them all).
const MAX_OBSERVED: usize = 400;

pub struct TextOptions {
    pub color: bool,
    pub remediation: bool,
    pub verbose: bool,
}

/// Whether to colour stdout: a terminal, no `--no-color`, no `NO_COLOR`.
pub fn color_wanted(no_color_flag: bool) -> bool {
    !no_color_flag
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal()
}

struct Paint(bool);

impl Paint {
    fn outcome(&self, o: Outcome) -> String {
        let label = format!("[{}]", o.label());
        if !self.0 {
            return format!("{label:<7}");
        }
        let code = match o {
            Outcome::Pass => "1;32",
            Outcome::Fail => "1;31",
            Outcome::Warn => "1;33",
            Outcome::Error => "1;35",
            Outcome::Info => "1;34",
            Outcome::NotApplicable => "2",
        };
        format!("\x1b[{code}m{label:<7}\x1b[0m")
    }

    fn bold(&self, s: &str) -> String {
        if self.0 {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn dim(&self, s: &str) -> String {
        if self.0 {
            format!("\x1b[2m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

pub fn render(report: &Report, opts: &TextOptions) -> String {
    let p = Paint(opts.color);
    let mut out = String::new();
    let h = &report.host;
    let _ = writeln!(
        out,
        "{} {} — {} on {} (Docker {}, root {})",
        p.bold("shipshape"),
        report.tool.version,
        report.benchmark,
        if h.hostname.is_empty() {
            "?".into()
        } else {
            visible(&h.hostname)
        },
        visible(h.docker_version.as_deref().unwrap_or("unknown")),
        visible(&h.root)
    );
    for e in &report.errors {
        let _ = writeln!(out, "{} {}", p.outcome(Outcome::Error), visible(e));
    }
    for x in &report.excluded_containers {
        let _ = writeln!(
            out,
            "{} container {} excluded: {}",
            p.outcome(Outcome::Info),
            visible(&x.name),
            visible(&x.reason)
        );
    }
    let mut section = "";
    for f in &report.findings {
        if f.section != section {
            section = f.section;
            let _ = writeln!(
                out,
                "\n{}",
                p.bold(&format!("{} {}", section, section_title(section)))
            );
        }
        render_finding(&mut out, &p, f, opts);
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "\n{} checks: {} pass, {} fail, {} warn, {} info, {} n/a, {} error",
        s.total, s.pass, s.fail, s.warn, s.info, s.not_applicable, s.error
    );
    let _ = writeln!(
        out,
        "Score: {} (PASS out of PASS+FAIL)",
        s.score
            .map(|v| format!("{v}%"))
            .unwrap_or_else(|| "n/a".into())
    );
    out
}

fn render_finding(out: &mut String, p: &Paint, f: &Finding, opts: &TextOptions) {
    let manual = if f.automated { "" } else { " (manual)" };
    let _ = write!(
        out,
        "{} {:<7} {}{}",
        p.outcome(f.outcome),
        f.id,
        f.title,
        manual
    );
    if !f.message.is_empty() {
        let _ = write!(out, " {}", p.dim(&format!("— {}", visible(&f.message))));
    }
    // Each kind of offender counted, so a reader sees which items fail and
    // which only need review.
    let count = |o: Outcome| f.evidence.iter().filter(|e| e.outcome == o).count();
    let kinds: Vec<String> = [
        (Outcome::Fail, "fail"),
        (Outcome::Error, "error"),
        (Outcome::Warn, "need review"),
    ]
    .iter()
    .map(|(o, word)| (count(*o), word))
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| format!("{n} {word}"))
    .collect();
    if !kinds.is_empty() {
        let _ = write!(out, " ({})", kinds.join(", "));
    }
    out.push('\n');
    let show_all = opts.verbose;
    for e in &f.evidence {
        let offender = matches!(e.outcome, Outcome::Fail | Outcome::Warn | Outcome::Error);
        if !(offender || show_all) {
            continue;
        }
        let mut line = format!(
            "        * {} {} {}: {}",
            p.outcome(e.outcome).trim_end(),
            e.target.kind(),
            visible(&e.target.label()),
            // Long values (image history) are cut, never inside an escape.
            crate::sanitize::truncate(&e.observed, MAX_OBSERVED)
        );
        if !e.expected.is_empty() && offender {
            let _ = write!(line, " (expected {})", visible(&e.expected));
        }
        if let Some(src) = &e.source {
            let _ = write!(line, " [{}]", visible(src));
        }
        let _ = writeln!(out, "{}", if offender { line } else { p.dim(&line) });
    }
    if opts.remediation && matches!(f.outcome, Outcome::Fail | Outcome::Warn) {
        let _ = writeln!(out, "        remediation: {}", f.remediation);
    }
}
