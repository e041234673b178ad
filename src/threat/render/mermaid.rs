//! Mermaid flowchart data-flow diagram: trust boundaries are subgraphs,
//! components are coloured by their highest open risk.

use super::super::model::Shape;
use super::super::Analysis;
use super::{edges, layout, risk_color, risk_text_color, walk, Edge, Visit};
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
    let m = a.model;
    let highest = a.highest_open();
    let lay = layout(m);
    let mut o = String::with_capacity(256 + m.components.len() * 100 + m.flows.len() * 80);
    let _ = writeln!(o, "flowchart LR");
    walk(&lay, |v| match v {
        Visit::Open { b, depth } => {
            let bd = &m.boundaries[b];
            let _ = writeln!(
                o,
                "{}subgraph b{b}[\"{}\"]",
                "  ".repeat(depth - 1),
                text(&format!("{} [{}]", bd.name, bd.kind))
            );
        }
        Visit::Node { c: ci, depth } => {
            let c = &m.components[ci];
            let label = text(&format!("{}\n({})", c.name, c.kind));
            let node = match c.kind.shape() {
                Shape::Process => format!("n{ci}(\"{label}\")"),
                Shape::Store => format!("n{ci}[(\"{label}\")]"),
                Shape::External => format!("n{ci}[\"{label}\"]"),
            };
            let _ = writeln!(o, "{}{node}", "  ".repeat(depth));
        }
        Visit::Close { depth } => {
            let _ = writeln!(o, "{}end", "  ".repeat(depth - 1));
        }
    });
    let mut plain_edges = Vec::new();
    // Mermaid styles edges by their position among all edges drawn.
    for (
        edge_no,
        Edge {
            from,
            to,
            flow: f,
            label,
        },
    ) in edges(m, " ").into_iter().enumerate()
    {
        let arrow = if f.encrypted == Some(false) {
            "-.->"
        } else {
            "-->"
        };
        let _ = writeln!(o, "  n{from} {arrow}|\"{}\"| n{to}", text(&label));
        if f.encrypted == Some(false) {
            plain_edges.push(edge_no.to_string());
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
        let members: Vec<String> = highest
            .iter()
            .enumerate()
            .filter(|(_, h)| class_of(**h) == class_of(sev))
            .map(|(i, _)| format!("n{i}"))
            .collect();
        if !members.is_empty() {
            let _ = writeln!(o, "  class {} {}", members.join(","), class_of(sev));
        }
    }
    if !plain_edges.is_empty() {
        let _ = writeln!(o, "  linkStyle {} stroke:#c0392b", plain_edges.join(","));
    }
    o
}
