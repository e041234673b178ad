//! Renderers of an [`Analysis`](super::Analysis). They format; they decide
//! nothing. All of them work from borrowed data and are linear in the size of
//! the model and the number of instances.

pub mod dot;
pub mod json;
pub mod markdown;
pub mod mermaid;
pub mod plan;

use crate::findings::{Severity, Stride};

/// Output formats of `shipshape threats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThreatFormat {
    /// Per attack surface, in the layout of hand-written STRIDE models
    Markdown,
    /// Complete, versioned JSON (schema "shipshape.threats" v1)
    Json,
    /// Graphviz DOT data-flow diagram (render with `dot -Tsvg`)
    Dot,
    /// Mermaid flowchart data-flow diagram
    Mermaid,
}

/// Render in the chosen format.
pub fn render(a: &super::Analysis<'_>, format: ThreatFormat) -> String {
    match format {
        ThreatFormat::Markdown => markdown::render(a),
        ThreatFormat::Json => json::render(a),
        ThreatFormat::Dot => dot::render(a),
        ThreatFormat::Mermaid => mermaid::render(a),
    }
}

/// Fill colour for a component's highest open risk.
pub fn risk_color(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Critical) => "#e74c3c",
        Some(Severity::High) => "#f39c12",
        Some(Severity::Medium) => "#f7dc6f",
        Some(Severity::Low) | Some(Severity::Info) => "#aed6f1",
        None => "#d5f5e3",
    }
}

/// Text colour readable on [`risk_color`].
pub fn risk_text_color(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Critical) => "#ffffff",
        _ => "#000000",
    }
}

pub fn stride_names(s: &[Stride]) -> String {
    s.iter().map(|x| x.name()).collect::<Vec<_>>().join(", ")
}

pub fn stride_letters(s: &[Stride]) -> String {
    s.iter().map(|x| x.letter()).collect()
}

/// Short flow annotation: `tcp/2375, plain, unauthenticated`.
pub fn flow_facts(f: &super::model::Flow) -> String {
    let mut parts = Vec::new();
    match (&f.protocol, f.port) {
        (Some(p), Some(port)) => parts.push(format!("{p}/{port}")),
        (Some(p), None) => parts.push(p.clone()),
        (None, Some(port)) => parts.push(format!("port {port}")),
        (None, None) => {}
    }
    match f.encrypted {
        Some(true) => parts.push("encrypted".into()),
        Some(false) => parts.push("plain".into()),
        None => {}
    }
    match f.authenticated {
        Some(true) => parts.push("authenticated".into()),
        Some(false) => parts.push("unauthenticated".into()),
        None => {}
    }
    parts.join(", ")
}

/// Boundary children in declaration order, and the components directly in
/// each boundary. Index `boundaries.len()` holds the top level.
pub(crate) struct Layout {
    pub child_boundaries: Vec<Vec<usize>>,
    pub members: Vec<Vec<usize>>,
}

pub(crate) fn layout(m: &super::SystemModel) -> Layout {
    let ix = m.index();
    let top = m.boundaries.len();
    let mut child_boundaries = vec![Vec::new(); top + 1];
    let mut members = vec![Vec::new(); top + 1];
    for (i, b) in m.boundaries.iter().enumerate() {
        let p = b
            .parent
            .as_deref()
            .and_then(|p| ix.boundaries.get(p).copied())
            .filter(|&p| p != i)
            .unwrap_or(top);
        child_boundaries[p].push(i);
    }
    for (i, c) in m.components.iter().enumerate() {
        let b = c
            .boundary
            .as_deref()
            .and_then(|b| ix.boundaries.get(b).copied())
            .unwrap_or(top);
        members[b].push(i);
    }
    Layout {
        child_boundaries,
        members,
    }
}

/// One step of a depth-first walk over the boundary tree.
pub(crate) enum Visit {
    /// Entering boundary `b`, nested `depth` levels deep (1 = top level).
    Open { b: usize, depth: usize },
    /// Component `c`, drawn `depth` levels deep.
    Node { c: usize, depth: usize },
    /// Leaving the boundary opened at `depth`.
    Close { depth: usize },
}

/// Walk boundaries and their components in order, iteratively so deep
/// nesting cannot overflow the stack. Diagram renderers share this.
pub(crate) fn walk(lay: &Layout, mut visit: impl FnMut(Visit)) {
    let top = lay.members.len() - 1;
    let mut stack: Vec<(usize, usize, bool)> = vec![(top, 1, false)];
    while let Some((b, depth, closing)) = stack.pop() {
        if closing {
            visit(Visit::Close { depth });
            continue;
        }
        if b != top {
            visit(Visit::Open { b, depth });
        }
        for &c in &lay.members[b] {
            visit(Visit::Node { c, depth });
        }
        if b != top {
            stack.push((b, depth, true));
        }
        for &child in lay.child_boundaries[b].iter().rev() {
            stack.push((child, depth + 1, false));
        }
    }
}

/// A flow whose endpoints both exist, with their component indexes and its
/// label (facts appended after `sep`, e.g. a newline or a space).
pub(crate) struct Edge<'m> {
    pub from: usize,
    pub to: usize,
    pub flow: &'m super::model::Flow,
    pub label: String,
}

pub(crate) fn edges<'m>(m: &'m super::SystemModel, sep: &str) -> Vec<Edge<'m>> {
    let ix = m.index();
    m.flows
        .iter()
        .filter_map(|f| {
            let from = *ix.components.get(f.from.as_str())?;
            let to = *ix.components.get(f.to.as_str())?;
            let facts = flow_facts(f);
            let label = if facts.is_empty() {
                f.label.clone()
            } else {
                format!("{}{sep}[{facts}]", f.label)
            };
            Some(Edge {
                from,
                to,
                flow: f,
                label,
            })
        })
        .collect()
}
