//! Mermaid flowchart data-flow diagram: trust boundaries are subgraphs,
//! components are coloured by their highest open risk.

use super::super::model::Shape;
use super::super::Analysis;
use super::plan::{plan, DiagramOptions, Plan, Protection};
use super::{layout, risk_color, risk_text_color, walk, Visit};
use crate::findings::Severity;
use std::fmt::Write;

/// Mermaid label text inside `"..."`: quotes and markup-significant
/// characters become entity codes.
pub fn text(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    // Control characters from host data become visible text first.
    let shown = crate::sanitize::visible_lines(s);
    for ch in shown.chars() {
        match ch {
            '"' => o.push_str("#quot;"),
            '`' => o.push_str("#96;"),
            '<' => o.push_str("#lt;"),
            '>' => o.push_str("#gt;"),
            '#' => o.push_str("#35;"),
            '\n' => o.push_str("<br/>"),
            c if c.is_control() => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

fn class_of(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Critical) => "critical",
        Some(Severity::High) => "high",
        Some(Severity::Medium) => "medium",
        Some(Severity::Low) | Some(Severity::Info) => "low",
        None => "none",
    }
}

pub fn render(a: &Analysis<'_>) -> String {
    render_with(a, DiagramOptions::default())
}

/// The same plan as the DOT diagram (see [`super::plan`]).
pub fn render_with(a: &Analysis<'_>, opts: DiagramOptions) -> String {
    let m = a.model;
    let p = plan(a, opts);
    let lay = layout(m);
    let mut o = String::with_capacity(256 + m.components.len() * 100 + m.flows.len() * 80);
    let _ = writeln!(o, "flowchart LR");
    // Per open boundary: whether it was drawn (`end` needed) and whether
    // its contents are skipped.
    let mut stack: Vec<(bool, bool)> = Vec::new();
    walk(&lay, |v| match v {
        Visit::Open { b, depth } => {
            let skipped = stack.last().is_some_and(|s| s.1) || p.skip_boundary[b];
            let drawn = !skipped && !p.unbox_boundary[b];
            stack.push((drawn, skipped));
            if drawn {
                let bd = &m.boundaries[b];
                let _ = writeln!(
                    o,
                    "{}subgraph b{b}[\"{}\"]",
                    "  ".repeat(depth - 1),
                    text(&format!("{} [{}]", bd.name, bd.kind))
                );
            }
        }
        Visit::Node { c: ci, depth } => {
            if stack.last().is_some_and(|s| s.1) || p.rep[ci] != ci {
                return;
            }
            let c = &m.components[ci];
            let n = p.count[ci];
            let more = if n > 1 {
                format!("\n+{} identical (×{n})", n - 1)
            } else {
                String::new()
            };
            let label = text(&format!("{}{more}\n({})", c.name, c.kind));
            let node = match c.kind.shape() {
                Shape::Process => format!("n{ci}(\"{label}\")"),
                Shape::Store => format!("n{ci}[(\"{label}\")]"),
                Shape::External => format!("n{ci}[\"{label}\"]"),
            };
            let _ = writeln!(o, "{}{node}", "  ".repeat(depth));
        }
        Visit::Close { depth } => {
            if stack.pop().is_some_and(|s| s.0) {
                let _ = writeln!(o, "{}end", "  ".repeat(depth - 1));
            }
        }
    });
    edges_and_classes(&mut o, &p);
    o
}

fn edges_and_classes(o: &mut String, p: &Plan) {
    let mut red = Vec::new();
    // Mermaid styles edges by their position among all edges drawn.
    for (k, e) in p.edges.iter().enumerate() {
        let plain = e.breaks_boundary || e.protection == Protection::None;
        let arrow = if e.breaks_boundary {
            "==>"
        } else if plain {
            "-.->"
        } else {
            "-->"
        };
        let label = e.label.replace('\n', " ");
        let _ = writeln!(o, "  n{} {arrow}|\"{}\"| n{}", e.from, text(&label), e.to);
        if plain {
            red.push(k.to_string());
        }
    }
    for sev in [
        Some(Severity::Critical),
        Some(Severity::High),
        Some(Severity::Medium),
        Some(Severity::Low),
        None,
    ] {
        let _ = writeln!(
            o,
            "  classDef {} fill:{},color:{},stroke:#333333",
            class_of(sev),
            risk_color(sev),
            risk_text_color(sev)
        );
        let members: Vec<String> = p
            .risk
            .iter()
            .enumerate()
            .filter(|(i, h)| p.rep[*i] == *i && class_of(**h) == class_of(sev))
            .map(|(i, _)| format!("n{i}"))
            .collect();
        if !members.is_empty() {
            let _ = writeln!(o, "  class {} {}", members.join(","), class_of(sev));
        }
    }
    if !red.is_empty() {
        let _ = writeln!(o, "  linkStyle {} stroke:#c0392b", red.join(","));
    }
}
