//! The data-flow diagram as inline SVG: Graphviz's `dot -Tsvg` when it is
//! installed, with its output rebuilt element by element from an allow
//! list (so nothing hostile that reached a label can pass through), or a
//! built-in layered layout drawn with the typed [`Svg`] writer.

use super::svg::{n, Attr, Svg};
use crate::threat::render::plan::{plan, DiagramOptions, Plan, Protection};
use crate::threat::render::{dot, risk_color, risk_text_color};
use crate::threat::Analysis;
use std::io::Write;
use std::process::{Command, Stdio};

/// Which layout engine draws the diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DiagramEngine {
    /// Graphviz when `dot` is installed, else the built-in layout
    #[default]
    Auto,
    /// Graphviz only (an error note when it is missing)
    Graphviz,
    /// The built-in layered layout
    Builtin,
}

/// The diagram and a note on how it was drawn.
pub struct Diagram {
    pub svg: String,
    pub note: String,
}

pub fn diagram(a: &Analysis<'_>, engine: DiagramEngine) -> Diagram {
    if a.model.components.is_empty() {
        return Diagram {
            svg: String::new(),
            note: "The model has no components.".into(),
        };
    }
    let opts = DiagramOptions::default();
    if engine != DiagramEngine::Builtin {
        match graphviz(&dot::render_with(a, opts)) {
            Ok(svg) => {
                return Diagram {
                    svg,
                    note: "Drawn by Graphviz (dot).".into(),
                }
            }
            Err(e) if engine == DiagramEngine::Graphviz => {
                let p = plan(a, opts);
                return Diagram {
                    svg: builtin(a, &p),
                    note: format!("Graphviz failed ({e}); drawn by the built-in layout.")
                        + &omitted_note(omitted(a, &p)),
                };
            }
            Err(_) => {}
        }
    }
    let p = plan(a, opts);
    Diagram {
        svg: builtin(a, &p),
        note: "Drawn by shipshape's built-in layout (install Graphviz for nested trust boundaries)."
            .to_string() + &omitted_note(omitted(a, &p)),
    }
}

fn omitted_note(n: usize) -> String {
    if n == 0 {
        return String::new();
    }
    format!(
        " {n} lower-risk components without a boundary break are not drawn; \
         `shipshape threats -f dot` has them all."
    )
}

/// Where Graphviz's `dot` is looked for. Absolute paths only: shipshape
/// often runs as root and must not run whatever comes first on `$PATH`.
const DOT_PATHS: &[&str] = &["/usr/bin/dot", "/usr/local/bin/dot", "/bin/dot"];

/// Run `dot -Tsvg` and return its sanitised SVG.
fn graphviz(dot_src: &str) -> Result<String, String> {
    let dot = DOT_PATHS
        .iter()
        .find(|p| std::path::Path::new(p).is_file())
        .ok_or_else(|| format!("Graphviz not found (looked for {})", DOT_PATHS.join(", ")))?;
    let mut child = Command::new(dot)
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run dot: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let src = dot_src.to_string();
    // Write from a thread so a large graph cannot deadlock on full pipes.
    let writer = std::thread::spawn(move || stdin.write_all(src.as_bytes()));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(format!("dot exited with {}", out.status));
    }
    sanitize_svg(&String::from_utf8_lossy(&out.stdout))
}

const ELEMENTS: &[&str] = &[
    "svg", "g", "title", "polygon", "ellipse", "path", "polyline", "text", "rect", "line", "circle",
];
const ATTRIBUTES: &[&str] = &[
    "width",
    "height",
    "viewBox",
    "class",
    "transform",
    "points",
    "d",
    "cx",
    "cy",
    "rx",
    "ry",
    "r",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "fill",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "fill-opacity",
    "stroke-opacity",
];

/// A value that can only be numbers, colours, names and plain punctuation
/// (no `url(`, no `javascript:`, no quotes): anything else is dropped.
fn safe_value(name: &str, v: &str) -> bool {
    let plain = v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " .,-#%:;_".contains(c));
    match name {
        "transform" => v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " .,-()".contains(c)),
        "font-family" => plain && !v.contains(':'),
        _ => plain && !v.to_ascii_lowercase().contains("script"),
    }
}

/// Rebuild SVG from an allow list of elements and attributes. Text nodes
/// and values are re-escaped; everything else (scripts, links, styles,
/// foreign objects, event handlers, comments) is dropped with its subtree.
pub fn sanitize_svg(src: &str) -> Result<String, String> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(src, opts)
        .map_err(|e| format!("Graphviz wrote SVG that does not parse: {e}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return Err("Graphviz output has no <svg> root".into());
    }
    let mut out = String::with_capacity(src.len());
    emit(root, &mut out, true);
    Ok(out)
}

fn emit(node: roxmltree::Node<'_, '_>, out: &mut String, is_root: bool) {
    let name = node.tag_name().name();
    let Some(&name) = ELEMENTS.iter().find(|e| **e == name) else {
        return;
    };
    out.push('<');
    out.push_str(name);
    if is_root {
        out.push_str(" xmlns=\"http://www.w3.org/2000/svg\" class=\"dfd\" role=\"img\" aria-label=\"Data-flow diagram\"");
    }
    for a in node.attributes() {
        let an = a.name();
        if a.namespace().is_some() || (is_root && an == "class") {
            continue;
        }
        if let Some(&an) = ATTRIBUTES.iter().find(|x| **x == an) {
            if safe_value(an, a.value()) {
                out.push(' ');
                out.push_str(an);
                out.push_str("=\"");
                super::svg::esc(a.value(), out);
                out.push('"');
            }
        }
    }
    out.push('>');
    for c in node.children() {
        if c.is_text() {
            super::svg::esc(c.text().unwrap_or(""), out);
        } else if c.is_element() {
            emit(c, out, false);
        }
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Layers: a node's layer is one more than its deepest predecessor,
/// following edges in an order that ignores those closing a cycle.
fn layers(nodes: &[usize], keep: &[bool], p: &Plan, total: usize) -> Vec<usize> {
    let mut layer = vec![0usize; total];
    let mut indeg = vec![0usize; total];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); total];
    for e in p.edges.iter().filter(|e| drawn_edge(e, keep)) {
        out[e.from].push(e.to);
        indeg[e.to] += 1;
    }
    let mut done = vec![false; total];
    let mut queue: std::collections::VecDeque<usize> =
        nodes.iter().copied().filter(|&c| indeg[c] == 0).collect();
    let mut left = nodes.len();
    while left > 0 {
        let c = match queue.pop_front() {
            Some(c) => c,
            // A cycle: start from the first node not placed yet.
            None => *nodes.iter().find(|&&c| !done[c]).expect("left > 0"),
        };
        if done[c] {
            continue;
        }
        done[c] = true;
        left -= 1;
        for &t in &out[c] {
            if !done[t] {
                layer[t] = layer[t].max(layer[c] + 1);
                indeg[t] = indeg[t].saturating_sub(1);
                if indeg[t] == 0 {
                    queue.push_back(t);
                }
            }
        }
    }
    layer
}

const NODE_W: f64 = 190.0;
const NODE_H: f64 = 40.0;
const COL_W: f64 = 290.0;
const ROW_H: f64 = 62.0;

/// The built-in layered layout: columns by layer, rows in model order.
/// At most this many nodes are drawn by the built-in layout: a page with
/// thousands of boxes is neither readable nor small (4,000 scanned
/// workloads made a 1.4 MB diagram).
const MAX_DRAWN: usize = 300;

/// The nodes the built-in layout draws, as a flag per component, and how
/// many were left out. When there are too many, those that break a
/// boundary and those with the highest open risk are kept.
fn drawn(p: &Plan, total: usize) -> (Vec<usize>, Vec<bool>, usize) {
    let mut nodes: Vec<usize> = (0..total).filter(|&c| p.rep[c] == c).collect();
    let omitted = nodes.len().saturating_sub(MAX_DRAWN);
    if omitted > 0 {
        let mut breaks = vec![false; total];
        for e in p.edges.iter().filter(|e| e.breaks_boundary) {
            breaks[e.from] = true;
            breaks[e.to] = true;
        }
        let risk = |c: usize| p.risk.get(c).copied().flatten();
        nodes.sort_by_key(|&c| (std::cmp::Reverse((breaks[c], risk(c))), c));
        nodes.truncate(MAX_DRAWN);
        nodes.sort_unstable();
    }
    let mut keep = vec![false; total];
    for &c in &nodes {
        keep[c] = true;
    }
    (nodes, keep, omitted)
}

fn drawn_edge(e: &crate::threat::render::plan::PlanEdge, keep: &[bool]) -> bool {
    e.from != e.to && keep[e.from] && keep[e.to]
}

/// How many components the built-in layout leaves out of this plan.
pub fn omitted(a: &Analysis<'_>, p: &Plan) -> usize {
    drawn(p, a.model.components.len()).2
}

pub fn builtin(a: &Analysis<'_>, p: &Plan) -> String {
    let m = a.model;
    let (nodes, keep, _) = drawn(p, m.components.len());
    let layer = layers(&nodes, &keep, p, m.components.len());
    let mut pos = vec![(0.0, 0.0); m.components.len()];
    let mut rows: Vec<usize> = Vec::new();
    for &c in &nodes {
        let l = layer[c];
        if rows.len() <= l {
            rows.resize(l + 1, 0);
        }
        pos[c] = (20.0 + l as f64 * COL_W, 20.0 + rows[l] as f64 * ROW_H);
        rows[l] += 1;
    }
    let w = 40.0 + rows.len() as f64 * COL_W;
    let h = 40.0 + rows.iter().copied().max().unwrap_or(1) as f64 * ROW_H;
    let mut s = Svg::new(w, h, &format!("Data-flow diagram: {}", m.name), "dfd");
    s.open("defs", &[]);
    for (id, class) in [("arrow", "edge"), ("arrow-red", "edge-break")] {
        s.open(
            "marker",
            &[
                ("id", id.into()),
                ("viewBox", "0 0 10 10".into()),
                ("refX", "10".into()),
                ("refY", "5".into()),
                ("markerWidth", "7".into()),
                ("markerHeight", "7".into()),
                ("orient", "auto".into()),
            ],
        );
        s.leaf(
            "path",
            &[
                ("d", "M0,0 L10,5 L0,10 z".into()),
                ("class", format!("{class}-head")),
            ],
        );
        s.close();
    }
    s.close();
    draw_edges(&mut s, p, &keep, &pos);
    for &c in &nodes {
        draw_node(&mut s, a, p, c, pos[c]);
    }
    s.finish()
}

fn draw_edges(s: &mut Svg, p: &Plan, keep: &[bool], pos: &[(f64, f64)]) {
    for e in p.edges.iter().filter(|e| drawn_edge(e, keep)) {
        let (fx, fy) = pos[e.from];
        let (tx, ty) = pos[e.to];
        let (x1, y1) = (fx + NODE_W, fy + NODE_H / 2.0);
        let (x2, y2) = if tx > fx {
            (tx, ty + NODE_H / 2.0)
        } else {
            (tx + NODE_W / 2.0, ty + NODE_H)
        };
        let class = if e.breaks_boundary {
            "edge-break"
        } else {
            match e.protection {
                Protection::Both => "edge-safe",
                Protection::None => "edge-plain",
                _ => "edge",
            }
        };
        let marker = if e.breaks_boundary {
            "url(#arrow-red)"
        } else {
            "url(#arrow)"
        };
        let mx = (x1 + x2) / 2.0;
        let attrs: Vec<Attr<'_>> = vec![
            (
                "d",
                format!(
                    "M{},{} C{},{} {},{} {},{}",
                    n(x1),
                    n(y1),
                    n(mx),
                    n(y1),
                    n(mx),
                    n(y2),
                    n(x2),
                    n(y2)
                ),
            ),
            ("class", class.into()),
            ("marker-end", marker.into()),
        ];
        s.open("path", &attrs);
        s.text("title", &[], &super::clean(&e.label));
        s.close();
    }
}

fn draw_node(s: &mut Svg, a: &Analysis<'_>, p: &Plan, c: usize, (x, y): (f64, f64)) {
    let comp = &a.model.components[c];
    let risk = p.risk[c];
    let mut name = super::clean(&comp.name);
    if p.count[c] > 1 {
        name = format!("{name} (×{})", p.count[c]);
    }
    s.open("g", &[("class", "node".into())]);
    s.text(
        "title",
        &[],
        &format!(
            "{} [{}] highest open risk: {}",
            super::clean(&comp.name),
            comp.kind.name(),
            risk.map(|r| r.label()).unwrap_or("none")
        ),
    );
    s.leaf(
        "rect",
        &[
            ("x", n(x)),
            ("y", n(y)),
            ("rx", "6".into()),
            ("width", n(NODE_W)),
            ("height", n(NODE_H)),
            ("fill", risk_color(risk).into()),
            ("stroke", "#555".into()),
        ],
    );
    let fill = risk_text_color(risk);
    s.text(
        "text",
        &[
            ("x", n(x + 8.0)),
            ("y", n(y + 17.0)),
            ("fill", fill.into()),
            ("class", "n-name".into()),
        ],
        &crate::sanitize::truncate(&name, 30),
    );
    s.text(
        "text",
        &[
            ("x", n(x + 8.0)),
            ("y", n(y + 32.0)),
            ("fill", fill.into()),
            ("class", "n-kind".into()),
        ],
        comp.kind.name(),
    );
    s.close();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizer_drops_scripts_handlers_and_links() {
        let src = r#"<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg width="10pt" height="10pt" viewBox="0 0 10 10" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">
<g id="a" class="node" onclick="alert(2)"><title>&lt;img src=x onerror=alert(3)&gt;</title>
<script>alert(4)</script><a xlink:href="javascript:alert(5)"><text x="1" y="2">hi</text></a>
<polygon fill="url(javascript:alert(6))" stroke="black" points="1,2 3,4"/><foreignObject><div>x</div></foreignObject>
<text x="1" y="2" style="x">&lt;/svg&gt;&lt;script&gt;alert(7)&lt;/script&gt;</text></g></svg>"#;
        let out = sanitize_svg(src).unwrap();
        for bad in [
            "onload",
            "onclick",
            "<script",
            "javascript",
            "<a",
            "foreignObject",
            "style=",
            "<img",
            "url(",
        ] {
            assert!(!out.contains(bad), "{bad} survived: {out}");
        }
        assert!(out.contains("&lt;img src=x onerror=alert(3)&gt;"));
        assert!(out.contains("stroke=\"black\""));
        assert!(out.contains("&lt;/svg&gt;&lt;script&gt;"));
    }
}
