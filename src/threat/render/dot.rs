//! Graphviz DOT data-flow diagram: trust boundaries are (nested) clusters,
//! components are coloured by their highest open risk after mitigation,
//! identical containers collapse into one node with a count, local image and
//! runtime edges are hidden, boundary breaks are thick red edges into the
//! host, and flows are coloured by encryption and authentication together
//! (see [`super::plan`]).

use super::super::model::Shape;
use super::super::Analysis;
use super::plan::{plan, DiagramOptions, Plan, PlanEdge, Protection};
use super::{layout, risk_color, risk_text_color, walk, Visit};
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
            c if c.is_control() => {
                let _ = write!(o, "\\\\u{{{:x}}}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

pub fn render(a: &Analysis<'_>) -> String {
    render_with(a, DiagramOptions::default())
}

/// What the walk is doing inside a boundary.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Draw,
    /// Members drawn in the parent: the isolation is broken.
    Unbox,
    /// A collapsed member's boundary: nothing drawn.
    Skip,
}

pub fn render_with(a: &Analysis<'_>, opts: DiagramOptions) -> String {
    let m = a.model;
    let p = plan(a, opts);
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
    let mut stack: Vec<Mode> = Vec::new();
    walk(&lay, |v| match v {
        Visit::Open { b, depth } => {
            let parent = stack.last().copied().unwrap_or(Mode::Draw);
            let mode = if parent == Mode::Skip || p.skip_boundary[b] {
                Mode::Skip
            } else if p.unbox_boundary[b] {
                Mode::Unbox
            } else {
                Mode::Draw
            };
            stack.push(mode);
            if mode == Mode::Draw {
                boundary_open(&mut o, a, &p, &lay, b, depth);
            }
        }
        Visit::Node { c, depth } => {
            if stack.last() != Some(&Mode::Skip) && p.rep[c] == c {
                node(&mut o, a, &p, c, depth);
            }
        }
        Visit::Close { depth } => {
            if stack.pop() == Some(Mode::Draw) {
                let _ = writeln!(o, "{}}}", "  ".repeat(depth - 1));
            }
        }
    });
    for e in &p.edges {
        let style = edge_style(e);
        let _ = writeln!(
            o,
            "  n{} -> n{} [label={}{style}];",
            e.from,
            e.to,
            quote(&e.label)
        );
    }
    legend(&mut o, p.hidden_local);
    let _ = writeln!(o, "}}");
    o
}

fn boundary_open(
    o: &mut String,
    a: &Analysis<'_>,
    p: &Plan,
    lay: &super::Layout,
    b: usize,
    depth: usize,
) {
    let bd = &a.model.boundaries[b];
    // A container boundary standing for a collapsed group says so.
    let n = match lay.members[b].as_slice() {
        [only] => p.count[*only],
        _ => 1,
    };
    let name = if n > 1 {
        format!("{} [{}] ×{n}", bd.name, bd.kind)
    } else {
        format!("{} [{}]", bd.name, bd.kind)
    };
    let _ = writeln!(o, "{}subgraph cluster_{b} {{", "  ".repeat(depth - 1));
    let _ = writeln!(
        o,
        "{}label={}; style=dashed; color=\"#c0392b\"; fontcolor=\"#c0392b\";",
        "  ".repeat(depth),
        quote(&name)
    );
}

fn node(o: &mut String, a: &Analysis<'_>, p: &Plan, ci: usize, depth: usize) {
    let c = &a.model.components[ci];
    let shape = match c.kind.shape() {
        Shape::Process => "ellipse",
        Shape::Store => "cylinder",
        Shape::External => "box",
    };
    let sev = p.risk[ci];
    let n = p.count[ci];
    let label = format!(
        "{}{}\n({}){}",
        c.name,
        if n > 1 {
            format!("\n+{} identical (×{n})", n - 1)
        } else {
            String::new()
        },
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

fn edge_style(e: &PlanEdge) -> &'static str {
    if e.breaks_boundary {
        return ", color=\"#c0392b\", fontcolor=\"#c0392b\", penwidth=2.5";
    }
    match e.protection {
        Protection::Both => ", color=\"#1e8449\"",
        Protection::Partial => ", color=\"#d68910\"",
        Protection::None => ", color=\"#c0392b\", style=dashed",
        Protection::Unknown => ", color=\"#7f8c8d\", style=dotted",
    }
}

fn legend(o: &mut String, hidden_local: usize) {
    let _ = writeln!(o, "  subgraph cluster_legend {{");
    let label = if hidden_local > 0 {
        format!("Legend ({hidden_local} local image/runtime edges hidden)")
    } else {
        "Legend".to_string()
    };
    let _ = writeln!(
        o,
        "    label={}; style=solid; color=\"#999999\";",
        quote(&label)
    );
    let levels = [
        ("open risk: critical", Some(Severity::Critical)),
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
    let flows = [
        ("boundary break", ", color=\"#c0392b\", penwidth=2.5"),
        ("encrypted + authenticated", ", color=\"#1e8449\""),
        ("one of the two", ", color=\"#d68910\""),
        ("neither", ", color=\"#c0392b\", style=dashed"),
        ("unknown", ", color=\"#7f8c8d\", style=dotted"),
    ];
    for (k, (name, style)) in flows.iter().enumerate() {
        let _ = writeln!(
            o,
            "    lf{k}a [label=\"\", shape=point];\n    lf{k}b [label=\"\", shape=point];"
        );
        let _ = writeln!(o, "    lf{k}a -> lf{k}b [label=\"{name}\"{style}];");
    }
    let _ = writeln!(o, "  }}");
}
