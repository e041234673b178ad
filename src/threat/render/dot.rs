//! Graphviz DOT data-flow diagram: trust boundaries are (nested) clusters,
//! components are coloured by their highest open risk, flows are edges
//! (red and dashed when known to be unencrypted).

use super::super::model::Shape;
use super::super::Analysis;
use super::{edges, layout, risk_color, risk_text_color, walk, Edge, Visit};
use crate::findings::Severity;
use std::fmt::Write;

/// Quote a DOT string.
pub fn quote(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    // Control characters from host data become visible text first (a line
    // break stays a DOT line break).
    let shown = crate::sanitize::visible_lines(s);
    for ch in shown.chars() {
        match ch {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => {}
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

pub fn render(a: &Analysis<'_>) -> String {
    let m = a.model;
    let highest = a.highest_open();
    let lay = layout(m);
    let mut o = String::with_capacity(256 + m.components.len() * 160 + m.flows.len() * 120);
    let _ = writeln!(o, "digraph threat_model {{");
    let _ = writeln!(
        o,
        "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, label={}];",
        quote(&format!("STRIDE data-flow diagram: {}", m.name))
    );
    let _ = writeln!(
        o,
        "  node [fontname=\"Helvetica\", fontsize=10, style=filled];"
    );
    let _ = writeln!(o, "  edge [fontname=\"Helvetica\", fontsize=9];");
    walk(&lay, |v| match v {
        Visit::Open { b, depth } => {
            let bd = &m.boundaries[b];
            let _ = writeln!(o, "{}subgraph cluster_{b} {{", "  ".repeat(depth - 1));
            let _ = writeln!(
                o,
                "{}label={}; style=dashed; color=\"#c0392b\"; fontcolor=\"#c0392b\";",
                "  ".repeat(depth),
                quote(&format!("{} [{}]", bd.name, bd.kind))
            );
        }
        Visit::Node { c: ci, depth } => {
            let c = &m.components[ci];
            let shape = match c.kind.shape() {
                Shape::Process => "ellipse",
                Shape::Store => "cylinder",
                Shape::External => "box",
            };
            let sev = highest[ci];
            let label = format!(
                "{}\n({}){}",
                c.name,
                c.kind,
                sev.map(|s| format!("\nopen risk: {s}")).unwrap_or_default()
            );
            let _ = writeln!(
                o,
                "{}n{ci} [label={}, shape={shape}, fillcolor=\"{}\", fontcolor=\"{}\", tooltip={}];",
                "  ".repeat(depth),
                quote(&label),
                risk_color(sev),
                risk_text_color(sev),
                quote(&c.id)
            );
        }
        Visit::Close { depth } => {
            let _ = writeln!(o, "{}}}", "  ".repeat(depth - 1));
        }
    });
    for Edge {
        from,
        to,
        flow: f,
        label,
    } in edges(m, "\n")
    {
        let style = match f.encrypted {
            Some(false) => ", color=\"#c0392b\", style=dashed",
            Some(true) => ", color=\"#1e8449\"",
            None => "",
        };
        let _ = writeln!(o, "  n{from} -> n{to} [label={}{style}];", quote(&label));
    }
    // Legend.
    let _ = writeln!(o, "  subgraph cluster_legend {{");
    let _ = writeln!(
        o,
        "    label=\"Highest open risk\"; style=solid; color=\"#999999\";"
    );
    let levels = [
        ("critical", Some(Severity::Critical)),
        ("high", Some(Severity::High)),
        ("medium", Some(Severity::Medium)),
        ("low", Some(Severity::Low)),
        ("none open", None),
    ];
    for (k, (name, sev)) in levels.iter().enumerate() {
        let _ = writeln!(
            o,
            "    legend{k} [label=\"{name}\", shape=box, fillcolor=\"{}\", fontcolor=\"{}\"];",
            risk_color(*sev),
            risk_text_color(*sev)
        );
    }
    for k in 0..levels.len() - 1 {
        let _ = writeln!(o, "    legend{k} -> legend{} [style=invis];", k + 1);
    }
    let _ = writeln!(o, "  }}");
    let _ = writeln!(o, "}}");
    o
}
