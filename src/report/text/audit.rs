//! Terminal report of `shipshape audit`: grouped by section, one line per
//! check, offenders listed under it, then counts and the score.

use super::{esc, Painter};
use crate::findings::Benchmark;
use crate::findings::{Finding, Outcome};
use crate::report::{section_title_of, Report};
use std::fmt::Write;

pub struct TextOptions {
    pub color: bool,
    pub remediation: bool,
    pub verbose: bool,
}

/// Characters of an evidence value shown per bullet (JSON has them all).
const MAX_OBSERVED: usize = 400;

/// Each kind of offender counted (` (3 fail, 25 need review)`), so a reader
/// sees which items fail and which only need review.
fn offender_counts(f: &Finding) -> String {
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
    if kinds.is_empty() {
        String::new()
    } else {
        format!(" ({})", kinds.join(", "))
    }
}

/// `[FAIL] ` padded to one width, coloured by outcome.
fn label(p: &Painter, o: Outcome) -> String {
    p.outcome(o, &format!("{:<7}", format!("[{}]", o.label())))
}

fn header(out: &mut String, p: &Painter, report: &Report) {
    let h = &report.host;
    let docker = if report.benchmarks.iter().any(|b| b.id_prefix == "docker") {
        format!(
            "Docker {}, ",
            esc(h.docker_version.as_deref().unwrap_or("unknown"))
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{} {} — {} on {} ({}root {})",
        p.bold("shipshape"),
        report.tool.version,
        report.benchmark,
        if h.hostname.is_empty() {
            "?".into()
        } else {
            esc(&h.hostname)
        },
        docker,
        esc(&h.root)
    );
    for e in &report.errors {
        let _ = writeln!(out, "{} {}", label(p, Outcome::Error), esc(e));
    }
    for x in &report.excluded_containers {
        let _ = writeln!(
            out,
            "{} container {} excluded: {}",
            label(p, Outcome::Info),
            esc(&x.name),
            esc(&x.reason)
        );
    }
}

pub fn render(report: &Report, opts: &TextOptions) -> String {
    let p = Painter(opts.color);
    let mut out = String::new();
    header(&mut out, &p, report);
    // Grouped by benchmark (headed when it is not the Docker audit alone),
    // then by section.
    let headed =
        report.benchmarks.len() > 1 || report.benchmarks.iter().any(|b| b.id_prefix != "docker");
    let mut current: Option<(Benchmark, &str)> = None;
    let mut group = String::new();
    for f in &report.findings {
        if headed && current.is_none_or(|(b, _)| b != f.benchmark) {
            benchmark_heading(&mut out, &p, report, f.benchmark);
            current = None;
        }
        if current.is_none_or(|(_, s)| s != f.section) {
            current = Some((f.benchmark, f.section));
            let title = format!("{} {}", f.section, section_title_of(f));
            let _ = writeln!(out, "\n{}", p.bold(&title));
            group.clear();
        }
        // CIS Kubernetes groups (1.2 API server) get a sub-heading.
        if f.benchmark == Benchmark::CisKubernetes && f.id.matches('.').count() == 2 {
            let g = f.id.rsplit_once('.').map_or("", |(g, _)| g);
            if g != group {
                group = g.to_string();
                let t = crate::rules::kubernetes_node::section_title(g);
                let _ = writeln!(out, "{}", p.bold(&format!("  {g} {t}")));
            }
        }
        render_finding(&mut out, &p, f, opts);
        if opts.remediation && f.benchmark == Benchmark::CisDocker {
            render_actions(&mut out, &report.remediation_plan, f.id);
        }
    }
    if headed {
        let _ = writeln!(out);
        for b in &report.benchmarks {
            let s = &b.summary;
            let _ = writeln!(
                out,
                "{} {}: {} checks: {} pass, {} fail, {} warn, {} info, {} n/a, {} error",
                b.name,
                b.version,
                s.total,
                s.pass,
                s.fail,
                s.warn,
                s.info,
                s.not_applicable,
                s.error
            );
        }
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "\n{} checks: {} pass, {} fail, {} warn, {} info, {} n/a, {} error",
        s.total, s.pass, s.fail, s.warn, s.info, s.not_applicable, s.error
    );
    let score = s.score.map(|v| format!("{v}%"));
    let _ = writeln!(
        out,
        "Score: {} (PASS out of PASS+FAIL)",
        score.as_deref().unwrap_or("n/a")
    );
    out
}

fn benchmark_heading(out: &mut String, p: &Painter, report: &Report, b: Benchmark) {
    let mut h = format!("== {} {} ==", b.name(), b.version());
    if let (Benchmark::CisKubernetes, Some(profile)) = (b, &report.kubernetes_profile) {
        h = format!(
            "== {} {} (profile {}) ==",
            b.name(),
            b.version(),
            esc(profile)
        );
    }
    let _ = writeln!(out, "\n{}", p.bold(&h));
}

/// The plan's concrete actions for one check, below its remediation text.
fn render_actions(out: &mut String, plan: &crate::remediate::Plan, id: &str) {
    for a in plan.for_check(id) {
        let _ = writeln!(
            out,
            "        action [{}]: {}",
            a.effect.label(),
            crate::remediate::escape(&a.change.summary())
        );
        if let crate::remediate::Change::Manual { steps } = &a.change {
            for (i, s) in steps.iter().enumerate().skip(1) {
                let _ = writeln!(out, "          {}. {}", i + 1, crate::remediate::escape(s));
            }
        }
    }
    for s in plan.skipped.iter().filter(|s| s.check == id) {
        let _ = writeln!(
            out,
            "        not changed: {}",
            crate::remediate::escape(&s.reason)
        );
    }
}

fn render_finding(out: &mut String, p: &Painter, f: &Finding, opts: &TextOptions) {
    let manual = if f.automated { "" } else { " (manual)" };
    let _ = write!(
        out,
        "{} {:<7} {}{}",
        label(p, f.outcome),
        f.id,
        f.title,
        manual
    );
    if !f.message.is_empty() {
        let _ = write!(out, " {}", p.dim(&format!("— {}", esc(&f.message))));
    }
    out.push_str(&offender_counts(f));
    out.push('\n');
    for e in &f.evidence {
        let offender = matches!(e.outcome, Outcome::Fail | Outcome::Warn | Outcome::Error);
        if !(offender || opts.verbose) {
            continue;
        }
        let mut line = format!(
            "        * {} {} {}: {}",
            label(p, e.outcome).trim_end(),
            e.target.kind(),
            esc(&e.target.label()),
            // Long values (image history) are cut, never inside an escape.
            crate::sanitize::truncate(&e.observed, MAX_OBSERVED)
        );
        if !e.expected.is_empty() && offender {
            let _ = write!(line, " (expected {})", esc(&e.expected));
        }
        if let Some(src) = &e.source {
            let _ = write!(line, " [{}]", esc(src));
        }
        let _ = writeln!(out, "{}", if offender { line } else { p.dim(&line) });
    }
    if opts.remediation && matches!(f.outcome, Outcome::Fail | Outcome::Warn) {
        let _ = writeln!(out, "        remediation: {}", f.remediation);
    }
}
