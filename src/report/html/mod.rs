//! `-f html`: one self-contained HTML file (inline CSS and JS, no network,
//! opens from `file://`) for `audit`, `scan`, `threats` and `report`.
//!
//! Escaping is by construction: the page is a minijinja template with HTML
//! auto-escaping (`page.html`, embedded with `include_str!`); the charts
//! and the built-in diagram come from the typed SVG writer ([`svg`]);
//! Graphviz's SVG is rebuilt from an allow list ([`dfd::sanitize_svg`]);
//! the findings table's data is JSON inside `<script type="application/json">`
//! with `<`, `>`, `&`, U+2028 and U+2029 escaped ([`data::script_json`]),
//! and `app.js` draws it with `textContent` only. Host and file text is
//! redacted ([`crate::redact`]) and its control characters made visible
//! ([`crate::sanitize`]) before any of that. Output is deterministic apart
//! from the one `<time id="generated">` element.

pub mod data;
pub mod dfd;
pub mod svg;
pub mod view;

pub use dfd::DiagramEngine;

use super::combined::Combined;
use minijinja::value::Serde;
use minijinja::{context, Environment, Value};

const PAGE: &str = include_str!("page.html");
const CSS: &str = include_str!("style.css");
const JS: &str = include_str!("app.js");

/// How to render.
#[derive(Debug, Clone, Default)]
pub struct HtmlOptions {
    /// Shown in the page's one `<time id="generated">` element.
    pub generated: String,
    pub diagram: DiagramEngine,
}

/// Host or file text on its way into the page: secrets masked, control
/// characters shown visibly. HTML escaping is the template's job.
pub fn clean(s: &str) -> String {
    crate::sanitize::visible_lines(&crate::redact::redact_text(s)).into_owned()
}

pub fn render_audit(r: &super::Report, o: &HtmlOptions) -> String {
    render(
        &Combined {
            audit: Some(r),
            ..Default::default()
        },
        "audit",
        o,
    )
}

pub fn render_scan(s: &crate::scan::ScanReport, o: &HtmlOptions) -> String {
    render(
        &Combined {
            scan: Some(s),
            ..Default::default()
        },
        "scan",
        o,
    )
}

pub fn render_threats(a: &crate::threat::Analysis<'_>, o: &HtmlOptions) -> String {
    render(
        &Combined {
            threats: Some(a),
            ..Default::default()
        },
        "threats",
        o,
    )
}

pub fn render_report(c: &Combined<'_>, o: &HtmlOptions) -> String {
    render(c, "report", o)
}

fn title(c: &Combined<'_>, kind: &str) -> String {
    let host = c.audit.map(|r| clean(&r.host.hostname));
    match (kind, host) {
        ("audit", Some(h)) => format!("shipshape audit of {h}"),
        ("report", Some(h)) => format!("shipshape report for {h}"),
        ("threats", _) => match c.threats.map(|a| clean(&a.model.name)) {
            Some(n) if !n.is_empty() => format!("shipshape threat model: {n}"),
            _ => "shipshape threat model".into(),
        },
        ("scan", _) => "shipshape scan".into(),
        _ => "shipshape report".into(),
    }
}

fn host_facts(c: &Combined<'_>) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(r) = c.audit {
        out.push(("Host", clean(&r.host.hostname)));
        out.push(("OS", clean(&r.host.os)));
        if let Some(v) = &r.host.docker_version {
            out.push(("Docker", clean(v)));
        }
        out.push(("Benchmark", r.benchmark.to_string()));
        out.push(("Collected", clean(&r.timestamp)));
    }
    if let Some(s) = c.scan {
        out.push(("Rules run", s.rules.len().to_string()));
    }
    if let Some(a) = c.threats {
        out.push(("Model", clean(&a.model.name)));
        out.push(("Components", a.model.components.len().to_string()));
    }
    out.push(("shipshape", env!("CARGO_PKG_VERSION").to_string()));
    out
}

fn notes(c: &Combined<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(r) = c.audit {
        out.extend(r.errors.iter().map(|e| clean(e)));
        out.extend(
            r.excluded_containers
                .iter()
                .map(|e| clean(&format!("container {} left out: {}", e.name, e.reason))),
        );
    }
    if let Some(a) = c.threats {
        out.extend(a.warnings.iter().map(|w| clean(w)));
    }
    out
}

/// Render `c` as one HTML page; `kind` names the command.
pub fn render(c: &Combined<'_>, kind: &str, o: &HtmlOptions) -> String {
    let table = data::table(c);
    let (sections, sev, matrix) = view::charts(&table);
    let diagram = c.threats.map(|a| dfd::diagram(a, o.diagram));
    let score = c
        .audit
        .map(|r| svg::score_donut(r.summary.score, "CIS score"));
    let ctx = context! {
        title => title(c, kind),
        kind => kind,
        generated => o.generated.clone(),
        facts => Value::from(Serde(host_facts(c))),
        cards => Value::from(Serde(view::cards(c))),
        notes => Value::from(Serde(notes(c))),
        score_svg => score.map(Value::from_safe_string),
        sections_svg => Value::from_safe_string(svg::stacked_bars("Outcomes by section", &sections)),
        severity_svg => Value::from_safe_string(svg::stacked_bars("Outcomes by severity", &sev)),
        classes => Value::from(Serde(view::CLASSES)),
        stride => Value::from(Serde(crate::findings::Stride::ALL.iter().map(|s| (s.letter().to_string(), s.name())).collect::<Vec<_>>())),
        matrix => Value::from(Serde(matrix)),
        surfaces => Value::from(Serde(c.threats.map(view::surfaces).unwrap_or_default())),
        dfd_svg => diagram.as_ref().map(|d| Value::from_safe_string(d.svg.clone())),
        dfd_note => diagram.as_ref().map(|d| d.note.clone()),
        plan => Value::from(Serde(view::plan(c))),
        has_threats => c.threats.is_some(),
        has_audit => c.audit.is_some(),
        css => Value::from_safe_string(CSS.to_string()),
        js => Value::from_safe_string(JS.to_string()),
        js_hash => Value::from_safe_string(script_hash()),
        data => Value::from_safe_string(data::script_json(&table)),
    };
    let mut env = Environment::new();
    // The template is ours and embedded; a failure here is a bug, shown in
    // the page rather than as a panic.
    if let Err(e) = env.add_template("page.html", PAGE) {
        return format!(
            "<!doctype html><title>template error</title><pre>{}</pre>",
            escape(&e.to_string())
        );
    }
    match env.get_template("page.html").and_then(|t| t.render(ctx)) {
        Ok(s) => s,
        Err(e) => format!(
            "<!doctype html><title>template error</title><pre>{}</pre>",
            escape(&e.to_string())
        ),
    }
}

/// `sha256-…` of the inline script, for the page's Content-Security-Policy:
/// no other script, and no inline event handler, may run.
fn script_hash() -> String {
    use sha2::{Digest, Sha256};
    format!("sha256-{}", base64(&Sha256::digest(JS.as_bytes())))
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut o = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let v = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                o.push(A[(v >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                o.push('=');
            }
        }
    }
    o
}

fn escape(s: &str) -> String {
    let mut o = String::new();
    svg::esc(s, &mut o);
    o
}

#[cfg(test)]
mod tests;
