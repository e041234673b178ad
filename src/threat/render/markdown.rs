//! Markdown report in the layout of hand-written STRIDE threat models: per
//! attack surface (component), each threat with its STRIDE category, risk,
//! reason and prevention, then the evidence and the linked findings with
//! their remediation.

use super::super::eval::Status;
use super::super::Analysis;
use super::{flow_facts, stride_names};
use crate::findings::{Outcome, Stride};
use std::fmt::Write;

/// Evidence targets listed per check before eliding the rest.
const MAX_TARGETS: usize = 10;

/// Host or model-file text: control characters visible, no HTML, no
/// Markdown markup, safe inside a table cell.
fn cell(s: &str) -> String {
    md(s)
}

fn md(s: &str) -> String {
    crate::sanitize::markdown(s)
}

fn code(s: &str) -> String {
    crate::sanitize::code_span(s)
}

pub fn render(a: &Analysis<'_>) -> String {
    let m = a.model;
    let mut o = String::with_capacity(64 * 1024);
    let title = if m.name.is_empty() { "system" } else { &m.name };
    let _ = writeln!(o, "# STRIDE threat model: {}\n", md(title));
    let libs: Vec<String> = a
        .library
        .sources
        .iter()
        .map(|s| format!("{} {}", s.name, s.version))
        .collect();
    let _ = writeln!(
        o,
        "{} components, {} data flows and {} trust boundaries; threat library {}. {}\n",
        m.components.len(),
        m.flows.len(),
        m.boundaries.len(),
        libs.join(" + "),
        if a.has_findings {
            "Benchmark findings from this audit are linked as evidence."
        } else {
            "No benchmark findings were available, so no threat is confirmed or mitigated by evidence."
        }
    );

    // Summary.
    let counts = a.count_by_status();
    let _ = writeln!(o, "## Summary\n");
    let _ = writeln!(o, "| Status | Threats |\n|---|---|");
    for s in [
        Status::OpenConfirmed,
        Status::OpenUnverified,
        Status::Mitigated,
        Status::Accepted,
    ] {
        let _ = writeln!(
            o,
            "| {} | {} |",
            s.label(),
            counts.get(&s).copied().unwrap_or(0)
        );
    }
    let _ = writeln!(o);
    let confirmed: Vec<_> = a
        .instances
        .iter()
        .filter(|i| i.status == Status::OpenConfirmed)
        .collect();
    if !confirmed.is_empty() {
        let _ = writeln!(o, "Confirmed threats, highest risk first:\n");
        let mut c = confirmed;
        c.sort_by(|x, y| y.severity.cmp(&x.severity).then(x.id.cmp(&y.id)));
        for i in c {
            let _ = writeln!(
                o,
                "- **{}** {} — {} ({})",
                i.severity,
                a.threat(i).title,
                md(&a.component(i).name),
                code(&i.id)
            );
        }
        let _ = writeln!(o);
    }
    for w in &a.warnings {
        let _ = writeln!(o, "> Warning: {}\n", md(w));
    }

    // STRIDE coverage: instances per component and category (open ones in
    // brackets); `-` where the category does not apply to the kind.
    if !m.components.is_empty() {
        let _ = writeln!(o, "## STRIDE coverage\n");
        let _ = writeln!(
            o,
            "Threat instances per component and category, open ones in brackets; `-` where the category does not apply to that kind of element.\n"
        );
        let _ = writeln!(
            o,
            "| Component | Kind | S | T | R | I | D | E |\n|---|---|---|---|---|---|---|---|"
        );
        let mut counts = vec![[(0usize, 0usize); 6]; m.components.len()];
        for i in &a.instances {
            for s in a.stride_of(i) {
                let cell = &mut counts[i.component][*s as usize];
                cell.0 += 1;
                if i.status.is_open() {
                    cell.1 += 1;
                }
            }
        }
        for (ci, c) in m.components.iter().enumerate() {
            let cells: Vec<String> = Stride::ALL
                .iter()
                .map(|s| {
                    let (n, open) = counts[ci][*s as usize];
                    if n == 0 && !c.kind.applicable_stride().contains(s) {
                        "-".to_string()
                    } else {
                        format!("{n} ({open})")
                    }
                })
                .collect();
            let _ = writeln!(
                o,
                "| {} | {} | {} |",
                cell(&c.name),
                c.kind,
                cells.join(" | ")
            );
        }
        let _ = writeln!(o);
    }

    // Attack surfaces: one section per component that has threats.
    let _ = writeln!(o, "## Attack surfaces\n");
    let highest = a.highest_open();
    let mut n = 0;
    let mut start = 0;
    while start < a.instances.len() {
        let ci = a.instances[start].component;
        let end = a.instances[start..]
            .iter()
            .position(|i| i.component != ci)
            .map_or(a.instances.len(), |p| start + p);
        n += 1;
        let c = &m.components[ci];
        let boundary = c
            .boundary
            .as_deref()
            .and_then(|b| m.boundary(b))
            .map(|b| format!("{} ({})", md(&b.name), b.kind))
            .unwrap_or_else(|| "outside every boundary".into());
        let _ = writeln!(o, "### {n}: {} — {}\n", md(&c.name), code(&c.id));
        let _ = writeln!(
            o,
            "Kind: {} · Boundary: {} · Highest open risk: {}\n",
            c.kind,
            boundary,
            highest[ci].map_or("none".to_string(), |s| s.to_string())
        );
        if let Some(d) = &c.description {
            let _ = writeln!(o, "{}\n", md(d));
        }
        for (k, i) in a.instances[start..end].iter().enumerate() {
            let t = a.threat(i);
            let _ = writeln!(o, "#### {n}.{}: {}\n", k + 1, t.title);
            let _ = writeln!(o, "- **Instance:** {}", code(&i.id));
            let _ = writeln!(o, "- **Attack surface:** {}", t.surface);
            if let Some(f) = a.flow(i) {
                let facts = flow_facts(f);
                let _ = writeln!(
                    o,
                    "- **Data flow:** {} → {}: {}{}",
                    md(&f.from),
                    md(&f.to),
                    md(&f.label),
                    if facts.is_empty() {
                        String::new()
                    } else {
                        format!(" ({facts})")
                    }
                );
            }
            let _ = writeln!(o, "- **Potential threat:** {}", t.title);
            let _ = writeln!(o, "- **STRIDE category:** {}", stride_names(&t.stride));
            let _ = writeln!(
                o,
                "- **Risk:** {} (likelihood {} × impact {}). {}",
                i.severity,
                i.likelihood.name(),
                i.impact.name(),
                t.risk
            );
            let _ = writeln!(o, "- **Reason:** {}", t.reason);
            let _ = writeln!(o, "- **Prevention:**");
            for p in &t.prevention {
                let _ = writeln!(o, "  - {p}");
            }
            let _ = writeln!(
                o,
                "- **Status:** {} — {}",
                i.status.label(),
                md(&i.explanation.join("; "))
            );
            if !i.evidence.is_empty() {
                let _ = writeln!(o, "- **Evidence:**");
                for e in &i.evidence {
                    let _ = writeln!(
                        o,
                        "  - {} {} {} ({}): {}",
                        e.outcome,
                        e.check,
                        e.title,
                        match e.role {
                            super::super::library::EvidenceRole::Confirms => "confirms",
                            super::super::library::EvidenceRole::Raises => "raises likelihood",
                        },
                        md(&e.message)
                    );
                    for tg in e.targets.iter().take(MAX_TARGETS) {
                        let _ = writeln!(
                            o,
                            "    - {} {} {}: {}{}",
                            tg.outcome,
                            tg.kind,
                            code(&tg.name),
                            md(&tg.observed),
                            tg.source
                                .as_deref()
                                .map(|s| format!(" ({})", md(s)))
                                .unwrap_or_default()
                        );
                    }
                    if e.targets.len() > MAX_TARGETS {
                        let _ = writeln!(o, "    - … and {} more", e.targets.len() - MAX_TARGETS);
                    }
                }
                let failing: Vec<_> = i
                    .evidence
                    .iter()
                    .filter(|e| matches!(e.outcome, Outcome::Fail | Outcome::Warn))
                    .collect();
                if !failing.is_empty() {
                    let _ = writeln!(o, "- **Linked findings and remediation:**");
                    for e in failing {
                        let _ = writeln!(o, "  - {} {}: {}", e.check, e.title, e.remediation);
                    }
                }
            }
            let refs: Vec<String> = t
                .references
                .groups()
                .into_iter()
                .map(|(k, v)| format!("{k} {}", v.join(", ")))
                .collect();
            if !refs.is_empty() {
                let _ = writeln!(o, "- **References:** {}", refs.join(" · "));
            }
            let _ = writeln!(o);
        }
        start = end;
    }
    if a.instances.is_empty() {
        let _ = writeln!(o, "No threat of the library applies to this model.\n");
    }

    // Flows and boundaries.
    let ix = m.index();
    let _ = writeln!(o, "## Data flows\n");
    if m.flows.is_empty() {
        let _ = writeln!(o, "None.\n");
    } else {
        let _ = writeln!(
            o,
            "| Flow | From | To | What | Protocol | Port | Encrypted | Authenticated | Crosses |\n|---|---|---|---|---|---|---|---|---|"
        );
        let yn = |b: Option<bool>| match b {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        };
        for f in &m.flows {
            let crosses = m
                .crossing(&ix, f)
                .map(|c| {
                    format!(
                        "{} → {}",
                        c.from.map(|k| k.name()).unwrap_or("outside"),
                        c.to.map(|k| k.name()).unwrap_or("outside")
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                code(&f.id),
                cell(&f.from),
                cell(&f.to),
                cell(&f.label),
                md(f.protocol.as_deref().unwrap_or("unknown")),
                f.port
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "unknown".into()),
                yn(f.encrypted),
                yn(f.authenticated),
                crosses
            );
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(o, "## Trust boundaries\n");
    if m.boundaries.is_empty() {
        let _ = writeln!(o, "None.");
    } else {
        let _ = writeln!(o, "| Boundary | Kind | Name | Inside |\n|---|---|---|---|");
        for b in &m.boundaries {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                code(&b.id),
                b.kind,
                cell(&b.name),
                md(b.parent.as_deref().unwrap_or(""))
            );
        }
    }
    o
}
