//! Markdown report that leads with what matters: the ten fixes with the
//! highest score (each with its exact flag, command or manifest change), a
//! summary, then one entry per threat with the components it affects and
//! what was observed on each, grouped ("no memory limit: 27 containers").
//! Threats that nothing observed go to a checklist appendix; the model
//! (coverage, flows, boundaries) comes last, with identical rows collapsed.
//!
//! Every string that comes from the host, a manifest or a model file goes
//! through [`text`] or [`code`], so markup and control characters in
//! container names, labels or observed values cannot change the document.

use super::super::eval::{EvidenceItem, Instance, Status};
use super::super::library::Threat;
use super::super::Analysis;
use super::{flow_facts, stride_names};
use crate::findings::{Outcome, Severity, Stride};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Names listed before eliding the rest.
const MAX_NAMES: usize = 8;
/// Entries in the top-fixes list.
const TOP_FIXES: usize = 10;

/// Host data in running Markdown text ([`crate::sanitize::markdown`]).
pub fn text(s: &str) -> String {
    crate::sanitize::markdown(s)
}

/// Host data as an inline code span ([`crate::sanitize::code_span`]).
pub fn code(s: &str) -> String {
    crate::sanitize::code_span(s)
}

/// `a`, `b`, … and N more.
fn names<'s>(list: impl IntoIterator<Item = &'s str>) -> String {
    let all: Vec<&str> = list.into_iter().collect();
    let mut out: Vec<String> = all.iter().take(MAX_NAMES).map(|n| code(n)).collect();
    if all.len() > MAX_NAMES {
        out.push(format!("… {} more", all.len() - MAX_NAMES));
    }
    out.join(", ")
}

/// The instances of one threat, in analysis order (worst first).
struct Group<'a> {
    threat: &'a Threat,
    items: Vec<&'a Instance>,
}

impl Group<'_> {
    fn worst_open(&self) -> Option<&Instance> {
        self.items.iter().copied().find(|i| i.status.is_open())
    }
    fn observed(&self) -> bool {
        self.items.iter().any(|i| !i.evidence.is_empty())
    }
}

fn groups<'a>(a: &'a Analysis<'_>) -> Vec<Group<'a>> {
    let mut order: Vec<usize> = Vec::new();
    let mut by: BTreeMap<usize, Vec<&'a Instance>> = BTreeMap::new();
    for i in &a.instances {
        let v = by.entry(i.threat).or_default();
        if v.is_empty() {
            order.push(i.threat);
        }
        v.push(i);
    }
    order
        .into_iter()
        .map(|t| Group {
            threat: &a.library.threats[t],
            items: by.remove(&t).unwrap_or_default(),
        })
        .collect()
}

pub fn render(a: &Analysis<'_>) -> String {
    let mut o = String::with_capacity(64 * 1024);
    let gs = groups(a);
    header(&mut o, a);
    top_fixes(&mut o, a, &gs);
    summary(&mut o, a);
    threats(&mut o, a, &gs);
    checklist(&mut o, a, &gs);
    coverage(&mut o, a);
    flows(&mut o, a);
    boundaries(&mut o, a);
    o
}

fn header(o: &mut String, a: &Analysis<'_>) {
    let m = a.model;
    let title = if m.name.is_empty() { "system" } else { &m.name };
    let _ = writeln!(o, "# STRIDE threat model: {}\n", text(title));
    let libs: Vec<String> = a
        .library
        .sources
        .iter()
        .map(|s| format!("{} {}", text(&s.name), text(&s.version)))
        .collect();
    let _ = writeln!(
        o,
        "{} components, {} data flows and {} trust boundaries; threat library {}. {}\n",
        m.components.len(),
        m.flows.len(),
        m.boundaries.len(),
        libs.join(" + "),
        if a.has_findings {
            "Benchmark and scan findings from this run are linked as evidence."
        } else {
            "No findings were available, so no threat is confirmed or mitigated by a check."
        }
    );
}

fn top_fixes(o: &mut String, a: &Analysis<'_>, gs: &[Group<'_>]) {
    let mut open: Vec<(&Group<'_>, &Instance)> = gs
        .iter()
        .filter_map(|g| g.worst_open().map(|w| (g, w)))
        .filter(|(g, _)| g.observed())
        .collect();
    open.sort_by(|x, y| {
        (y.1.severity, y.1.score)
            .cmp(&(x.1.severity, x.1.score))
            .then(x.0.threat.id.cmp(&y.0.threat.id))
    });
    let _ = writeln!(o, "## Top fixes\n");
    if open.is_empty() {
        let _ = writeln!(o, "Nothing observed is open.\n");
        return;
    }
    for (n, (g, w)) in open.iter().take(TOP_FIXES).enumerate() {
        let t = g.threat;
        let fix = t
            .fix
            .as_deref()
            .unwrap_or(&t.prevention[0])
            .trim_end_matches('.');
        let affected: Vec<&str> = g
            .items
            .iter()
            .filter(|i| i.status.is_open() && i.severity == w.severity)
            .map(|i| a.component(i).name.as_str())
            .collect();
        let _ = writeln!(
            o,
            "{}. **{} {}** {} — {}. On {}.",
            n + 1,
            w.severity,
            w.score,
            t.title,
            fix,
            names(dedup(affected))
        );
    }
    let _ = writeln!(o);
}

fn dedup(mut v: Vec<&str>) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(*x));
    v
}

fn summary(o: &mut String, a: &Analysis<'_>) {
    let counts = a.count_by_status();
    let _ = writeln!(o, "## Summary\n");
    let _ = writeln!(o, "| Status | Threats |\n|---|---|");
    for s in Status::ALL {
        let n = counts.get(&s).copied().unwrap_or(0);
        if s == Status::OutOfScope && n == 0 {
            continue;
        }
        let _ = writeln!(o, "| {} | {n} |", s.label());
    }
    let mut sev: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
    for i in a.instances.iter().filter(|i| i.status.is_open()) {
        *sev.entry(std::cmp::Reverse(i.severity)).or_default() += 1;
    }
    let line: Vec<String> = sev.iter().map(|(s, n)| format!("{} {n}", s.0)).collect();
    let _ = writeln!(o, "\nOpen by severity: {}.\n", line.join(", "));
    out_of_scope(o, a);
    for w in &a.warnings {
        let _ = writeln!(o, "> Warning: {}\n", text(w));
    }
}

/// The components the model file puts out of scope, with the reason.
fn out_of_scope(o: &mut String, a: &Analysis<'_>) {
    let oos: Vec<_> = a
        .model
        .components
        .iter()
        .filter_map(|c| c.out_of_scope.as_deref().map(|r| (c, r)))
        .collect();
    if oos.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "Out of scope (threats listed as out of scope, not counted as open):\n"
    );
    for (c, r) in oos {
        let _ = writeln!(o, "- {}: {}", text(&c.name), text(r));
    }
    let _ = writeln!(o);
}

/// Status counts of a group: `3 open, confirmed · 1 mitigated`.
fn status_line(g: &Group<'_>) -> String {
    let mut c: BTreeMap<Status, usize> = BTreeMap::new();
    for i in &g.items {
        *c.entry(i.status).or_default() += 1;
    }
    c.iter()
        .map(|(s, n)| format!("{n} {}", s.label()))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn threats(o: &mut String, a: &Analysis<'_>, gs: &[Group<'_>]) {
    let _ = writeln!(o, "## Threats\n");
    let shown: Vec<&Group<'_>> = gs
        .iter()
        .filter(|g| g.observed() && g.worst_open().is_some())
        .collect();
    if shown.is_empty() {
        let _ = writeln!(o, "No observed threat is open.\n");
    }
    for (n, g) in shown.iter().enumerate() {
        threat_entry(o, a, g, n + 1);
    }
    let mitigated: Vec<&Group<'_>> = gs.iter().filter(|g| g.worst_open().is_none()).collect();
    if !mitigated.is_empty() {
        let _ = writeln!(o, "### Mitigated or accepted everywhere\n");
        for g in mitigated {
            let comps = dedup(
                g.items
                    .iter()
                    .map(|i| a.component(i).name.as_str())
                    .collect(),
            );
            let _ = writeln!(
                o,
                "- {} ({}): {} on {}",
                g.threat.title,
                code(&g.threat.id),
                status_line(g),
                names(comps)
            );
        }
        let _ = writeln!(o);
    }
}

fn threat_entry(o: &mut String, a: &Analysis<'_>, g: &Group<'_>, n: usize) {
    let t = g.threat;
    let w = g.worst_open().expect("shown groups have an open instance");
    let _ = writeln!(o, "### {n}. {} ({})\n", t.title, code(&t.id));
    let _ = writeln!(
        o,
        "- **Risk:** {} (score {} = likelihood {} × impact {}) · **STRIDE:** {} · **Surface:** {}",
        w.severity,
        w.score,
        w.likelihood.name(),
        w.impact.name(),
        stride_names(&t.stride),
        t.surface
    );
    let _ = writeln!(o, "- **Status:** {}", status_line(g));
    affected(o, a, g);
    observed(o, a, g);
    let _ = writeln!(o, "- **Why:** {} {}", t.risk, t.reason);
    let fix = t.fix.clone().unwrap_or_else(|| t.prevention.join(" "));
    let _ = writeln!(o, "- **Fix:** {fix}");
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

/// Affected components by severity and status, and the ids of the worst
/// open instances (stable, for diffing and waivers).
fn affected(o: &mut String, a: &Analysis<'_>, g: &Group<'_>) {
    let mut by: BTreeMap<(std::cmp::Reverse<Severity>, Status), Vec<&str>> = BTreeMap::new();
    for i in g.items.iter().filter(|i| i.status.is_open()) {
        by.entry((std::cmp::Reverse(i.severity), i.status))
            .or_default()
            .push(a.component(i).name.as_str());
    }
    let parts: Vec<String> = by
        .into_iter()
        .map(|((s, st), v)| {
            let v = dedup(v);
            format!("{} {}, {}: {}", v.len(), s.0, st.label(), names(v))
        })
        .collect();
    let _ = writeln!(o, "- **Affected:** {}", parts.join("; "));
    let worst: Vec<&str> = g
        .items
        .iter()
        .filter(|i| i.status.is_open() && i.severity >= Severity::High)
        .map(|i| i.id.as_str())
        .collect();
    if !worst.is_empty() {
        let _ = writeln!(o, "- **Instances:** {}", names(worst));
    }
}

/// What was observed, grouped per evidence check and outcome across the
/// group's components: `FAIL 5.11 Container memory is limited: 27 (a, b, …)`.
fn observed(o: &mut String, a: &Analysis<'_>, g: &Group<'_>) {
    type Key<'k> = (&'k str, Outcome);
    let mut by: BTreeMap<Key<'_>, (&EvidenceItem, Vec<&str>)> = BTreeMap::new();
    for i in &g.items {
        for e in &i.evidence {
            let slot = by
                .entry((e.check.as_str(), e.outcome))
                .or_insert((e, Vec::new()));
            slot.1.push(a.component(i).name.as_str());
        }
    }
    if by.is_empty() {
        return;
    }
    let _ = writeln!(o, "- **Observed:**");
    let mut lines: Vec<(&Key<'_>, &(&EvidenceItem, Vec<&str>))> = by.iter().collect();
    lines.sort_by_key(|(k, _)| (outcome_rank(k.1), k.0));
    for ((check, outcome), (e, comps)) in lines {
        let comps = dedup(comps.clone());
        let sample = e
            .targets
            .iter()
            .find(|t| !t.observed.is_empty())
            .map(|t| format!(" — e.g. {}", code(&t.observed)))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  - {outcome} {} {} ({}, {}): {} component(s): {}{}",
            code(check),
            text(&e.title),
            e.source,
            role_name(e),
            comps.len(),
            names(comps.iter().copied()),
            sample
        );
    }
}

fn outcome_rank(o: Outcome) -> u8 {
    match o {
        Outcome::Fail => 0,
        Outcome::Warn => 1,
        Outcome::Error => 2,
        Outcome::Pass => 3,
        _ => 4,
    }
}

fn role_name(e: &EvidenceItem) -> &'static str {
    match e.role {
        super::super::library::EvidenceRole::Confirms => "confirms",
        super::super::library::EvidenceRole::Supports => "supports",
    }
}

/// Threats nothing observed: a checklist for a person.
fn checklist(o: &mut String, a: &Analysis<'_>, gs: &[Group<'_>]) {
    let model_only: Vec<&Group<'_>> = gs
        .iter()
        .filter(|g| !g.observed() && g.worst_open().is_some())
        .collect();
    if model_only.is_empty() {
        return;
    }
    let _ = writeln!(o, "## Appendix: checklist of threats nothing observed\n");
    let _ = writeln!(
        o,
        "These apply by the model alone; no check or fact speaks to them. Review each by hand.\n"
    );
    for g in model_only {
        let comps = dedup(
            g.items
                .iter()
                .map(|i| a.component(i).name.as_str())
                .collect(),
        );
        let _ = writeln!(
            o,
            "- [ ] {} ({}, {} on {}): {}",
            g.threat.title,
            code(&g.threat.id),
            g.worst_open().map_or(Severity::Low, |i| i.severity),
            names(comps),
            g.threat.prevention[0]
        );
    }
    let _ = writeln!(o);
}

/// STRIDE coverage, one row per component; components of one kind with
/// identical counts share a row.
fn coverage(o: &mut String, a: &Analysis<'_>) {
    let m = a.model;
    if m.components.is_empty() {
        return;
    }
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
    let mut rows: Vec<(String, Vec<&str>)> = Vec::new();
    for (ci, c) in m.components.iter().enumerate() {
        let cells: Vec<String> = Stride::ALL
            .iter()
            .map(|s| match counts[ci][*s as usize] {
                (0, _) if !c.kind.applicable_stride().contains(s) => "-".to_string(),
                (n, open) => format!("{n} ({open})"),
            })
            .collect();
        let key = format!("{} | {}", c.kind, cells.join(" | "));
        match rows.iter_mut().find(|r| r.0 == key) {
            Some(r) => r.1.push(&c.name),
            None => rows.push((key, vec![&c.name])),
        }
    }
    let _ = writeln!(o, "## STRIDE coverage\n");
    let _ = writeln!(
        o,
        "Threat instances per component and category, open ones in brackets; `-` where the category does not apply to that kind of element.\n"
    );
    let _ = writeln!(
        o,
        "| Component | Kind | S | T | R | I | D | E |\n|---|---|---|---|---|---|---|---|"
    );
    for (key, comps) in rows {
        let label = if comps.len() == 1 {
            code(comps[0])
        } else {
            format!("{} × {}", comps.len(), names(comps.iter().copied()))
        };
        let _ = writeln!(o, "| {label} | {key} |");
    }
    let _ = writeln!(o);
}

/// Flows, with the per-container image and runtime flows summarised.
fn flows(o: &mut String, a: &Analysis<'_>) {
    let m = a.model;
    let ix = m.index();
    let _ = writeln!(o, "## Data flows\n");
    let local = m
        .flows
        .iter()
        .filter(|f| f.protocol.as_deref() == Some("local"))
        .count();
    if m.flows.len() == local {
        let _ = writeln!(
            o,
            "No flows besides {local} local image and runtime flows.\n"
        );
        return;
    }
    let _ = writeln!(
        o,
        "| From | To | What | Facts | Crosses |\n|---|---|---|---|---|"
    );
    for f in m
        .flows
        .iter()
        .filter(|f| f.protocol.as_deref() != Some("local"))
    {
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
            "| {} | {} | {} | {} | {} |",
            code(&f.from),
            code(&f.to),
            text(&f.label),
            text(&flow_facts(f)),
            crosses
        );
    }
    if local > 0 {
        let _ = writeln!(
            o,
            "\nPlus {local} local flows (image layers into each container, the runtime creating it)."
        );
    }
    let _ = writeln!(o);
}

/// Trust boundaries; the per-container boundaries are counted, not listed.
fn boundaries(o: &mut String, a: &Analysis<'_>) {
    let m = a.model;
    let _ = writeln!(o, "## Trust boundaries\n");
    if m.boundaries.is_empty() {
        let _ = writeln!(o, "None.");
        return;
    }
    let per_container = m
        .boundaries
        .iter()
        .filter(|b| b.id.starts_with("ctr:"))
        .count();
    let _ = writeln!(o, "| Boundary | Kind | Name | Inside |\n|---|---|---|---|");
    for b in m.boundaries.iter().filter(|b| !b.id.starts_with("ctr:")) {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            code(&b.id),
            b.kind,
            text(&b.name),
            b.parent.as_deref().map(code).unwrap_or_default()
        );
    }
    if per_container > 0 {
        let _ = writeln!(
            o,
            "\nPlus one `container` boundary per observed container ({per_container}), inside the host."
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{code, text};

    #[test]
    fn host_data_cannot_inject_markup() {
        // The shared sanitiser: HTML as entities, Markdown punctuation that
        // opens code, emphasis, links or cells escaped, control characters
        // (a newline included) visible, so data stays on its line.
        assert_eq!(text("a*b<x>|"), "a\\*b&lt;x&gt;\\|");
        assert!(!text("evil\n# title").contains('\n'));
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        let c = code("p|q\u{1b}[31m");
        assert!(!c.contains('\u{1b}') && c.contains("p\\|q"), "{c}");
    }
}
