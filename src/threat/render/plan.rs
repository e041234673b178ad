//! What a data-flow diagram draws, decided once for DOT and Mermaid:
//!
//! - identical containers (same facts apart from name and image, same threat
//!   statuses and severities, same non-local flows) collapse into one node
//!   with a count;
//! - the local image and runtime edges (one per container) are hidden unless
//!   asked for;
//! - containers that share a host namespace, run privileged, hold a takeover
//!   capability or mount `/` or `/etc` writable are drawn in the host, not in
//!   an isolation boundary of their own, with a red "boundary break" edge into
//!   the host; the Docker socket mount is drawn the same way;
//! - flows are classed by authentication and encryption.

use super::super::model::{ComponentKind, Fact, Flow, SystemModel};
use super::super::Analysis;
use super::{edges, flow_facts};
use crate::findings::Severity;
use std::collections::BTreeMap;

/// Diagram options.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiagramOptions {
    /// Draw the per-container image and runtime edges too.
    pub all_flows: bool,
    /// Draw every container on its own, even identical ones.
    pub no_collapse: bool,
}

/// How a flow is protected, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// Encrypted and authenticated.
    Both,
    /// Encrypted or authenticated, not both (or one unknown).
    Partial,
    /// Known to be neither.
    None,
    /// Nothing known.
    Unknown,
}

pub fn protection(f: &Flow) -> Protection {
    match (f.encrypted, f.authenticated) {
        (Some(true), Some(true)) => Protection::Both,
        (Some(false), Some(false)) | (Some(false), None) | (None, Some(false)) => Protection::None,
        (None, None) => Protection::Unknown,
        _ => Protection::Partial,
    }
}

/// One drawn edge.
pub struct PlanEdge {
    pub from: usize,
    pub to: usize,
    pub label: String,
    pub protection: Protection,
    /// A container breaking out of its isolation into the host.
    pub breaks_boundary: bool,
}

pub struct Plan {
    /// For each component, the component drawn in its place (itself, or the
    /// representative of its collapsed group).
    pub rep: Vec<usize>,
    /// For a drawn component, how many components it stands for.
    pub count: Vec<usize>,
    /// Boundaries not drawn at all (of collapsed members).
    pub skip_boundary: Vec<bool>,
    /// Boundaries whose members are drawn directly in the parent (isolation
    /// broken).
    pub unbox_boundary: Vec<bool>,
    pub edges: Vec<PlanEdge>,
    /// Highest open severity per drawn component, over its group.
    pub risk: Vec<Option<Severity>>,
    pub hidden_local: usize,
}

/// The boundary-breaking facts of a container, as edge labels.
fn breaks(facts: &BTreeMap<String, Fact>) -> Vec<&'static str> {
    let on = |k: &str| facts.get(k) == Some(&Fact::Bool(true));
    [
        ("privileged", "privileged"),
        ("dangerous_caps", "SYS_ADMIN/SYS_MODULE/ALL"),
        ("host_pid", "host PID"),
        ("host_network", "host network"),
        ("host_ipc", "host IPC"),
        ("writable_host_root", "writable / or /etc mount"),
    ]
    .into_iter()
    .filter(|(k, _)| on(k))
    .map(|(_, l)| l)
    .collect()
}

fn is_local(f: &Flow) -> bool {
    f.protocol.as_deref() == Some("local")
}

/// The collapse key of a container: facts without identity, threat
/// outcomes, non-local flows (`touching`: the indexes of the flows that
/// start or end at it).
fn collapse_key(a: &Analysis<'_>, ci: usize, per: &[Vec<String>], touching: &[usize]) -> String {
    let c = &a.model.components[ci];
    let facts: Vec<String> = c
        .facts
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "image" | "running"))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let flows: Vec<String> = touching
        .iter()
        .map(|&fi| &a.model.flows[fi])
        .filter(|f| !is_local(f))
        .map(|f| {
            let other = if f.from == c.id { &f.to } else { &f.from };
            format!("{other}:{}", flow_facts(f))
        })
        .collect();
    format!(
        "{}|{}|{}",
        facts.join(","),
        per[ci].join(","),
        flows.join(",")
    )
}

pub fn plan(a: &Analysis<'_>, opts: DiagramOptions) -> Plan {
    let m = a.model;
    let n = m.components.len();
    let ix = m.index();
    // Only containers collapse: key material for them alone, and the flows
    // of each component indexed once (no scan of every flow per container).
    let collapsing = !opts.no_collapse;
    let is_ctr = |ci: usize| m.components[ci].kind == ComponentKind::Container;
    let mut per: Vec<Vec<String>> = vec![Vec::new(); n];
    let mut touching: Vec<Vec<usize>> = vec![Vec::new(); n];
    if collapsing {
        for i in a.instances.iter().filter(|i| is_ctr(i.component)) {
            per[i.component].push(format!(
                "{}:{}:{}",
                a.threat(i).id,
                i.status.name(),
                i.severity
            ));
        }
        for p in &mut per {
            p.sort();
        }
        for (fi, f) in m.flows.iter().enumerate() {
            let ends = [
                ix.components.get(f.from.as_str()),
                ix.components.get(f.to.as_str()),
            ];
            for (k, &&ci) in ends.iter().flatten().enumerate() {
                // A self-loop is listed once.
                if k == 0 || touching[ci].last() != Some(&fi) {
                    touching[ci].push(fi);
                }
            }
        }
    }
    let lay = super::layout(m);
    let solo = |ci: usize| -> Option<usize> {
        let b = *ix.boundaries.get(m.components[ci].boundary.as_deref()?)?;
        (lay.members[b] == [ci] && lay.child_boundaries[b].is_empty()).then_some(b)
    };
    let mut rep: Vec<usize> = (0..n).collect();
    let mut skip_boundary = vec![false; m.boundaries.len()];
    let mut unbox_boundary = vec![false; m.boundaries.len()];
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    for (ci, c) in m.components.iter().enumerate() {
        if c.kind != ComponentKind::Container {
            continue;
        }
        let own = solo(ci);
        if let (Some(b), false) = (own, breaks(&c.facts).is_empty()) {
            unbox_boundary[b] = true;
        }
        if opts.no_collapse || own.is_none() {
            continue;
        }
        let first = *groups
            .entry(collapse_key(a, ci, &per, &touching[ci]))
            .or_insert(ci);
        if first != ci {
            rep[ci] = first;
            skip_boundary[own.expect("checked")] = true;
        }
    }
    let mut count = vec![0; n];
    let highest = a.highest_open();
    let mut risk = vec![None; n];
    for ci in 0..n {
        count[rep[ci]] += 1;
        risk[rep[ci]] = risk[rep[ci]].max(highest[ci]);
    }
    let (edges, hidden_local) = plan_edges(m, &rep, opts);
    Plan {
        rep,
        count,
        skip_boundary,
        unbox_boundary,
        edges,
        risk,
        hidden_local,
    }
}

fn plan_edges(m: &SystemModel, rep: &[usize], opts: DiagramOptions) -> (Vec<PlanEdge>, usize) {
    let mut out: Vec<PlanEdge> = Vec::new();
    let mut seen: BTreeMap<(usize, usize, String), usize> = BTreeMap::new();
    let mut hidden = 0;
    let mut push = |e: PlanEdge, out: &mut Vec<PlanEdge>| {
        let key = (e.from, e.to, e.label.clone());
        if let std::collections::btree_map::Entry::Vacant(v) = seen.entry(key) {
            v.insert(out.len());
            out.push(e);
        }
    };
    for e in edges(m, "\n") {
        if is_local(e.flow) && !opts.all_flows {
            hidden += 1;
            continue;
        }
        let socket = e.flow.facts.get("via") == Some(&Fact::Str("docker-socket".into()));
        push(
            PlanEdge {
                from: rep[e.from],
                to: rep[e.to],
                label: if socket {
                    format!("boundary break: Docker socket\n{}", e.label)
                } else {
                    e.label
                },
                protection: protection(e.flow),
                breaks_boundary: socket,
            },
            &mut out,
        );
    }
    let host = m
        .components
        .iter()
        .position(|c| c.kind == ComponentKind::DockerHost);
    if let Some(h) = host {
        for (ci, c) in m.components.iter().enumerate() {
            let b = breaks(&c.facts);
            if c.kind == ComponentKind::Container && !b.is_empty() {
                push(
                    PlanEdge {
                        from: rep[ci],
                        to: h,
                        label: format!("boundary break: {}", b.join(", ")),
                        protection: Protection::None,
                        breaks_boundary: true,
                    },
                    &mut out,
                );
            }
        }
    }
    (out, hidden)
}
