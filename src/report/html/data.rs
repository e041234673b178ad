//! The findings table's data: every audit check, scan finding, file error
//! and threat instance as one compact row, with the text each rule shares
//! (title, remediation, harden actions) stored once. It is embedded as JSON
//! in a `<script type="application/json">` element and drawn by `app.js`
//! with `textContent` only, so host and file data never become markup.

use super::clean;
use crate::findings::{Evidence, Finding, Severity, Stride};
use crate::remediate::{Action, Change, Effect, Plan};
use crate::report::combined::Combined;
use crate::scan::{FileError, ScanFinding, ScanReport};
use crate::threat::Analysis;
use serde::Serialize;
use std::collections::HashMap;

/// Evidence lines kept per row; the rest are counted.
const MAX_EVIDENCE: usize = 50;
/// Scan findings drawn as rows, most severe first; the rest are counted.
pub const MAX_SCAN_ROWS: usize = 3_000;
/// Threat instances drawn as rows, most severe first; the rest are counted.
pub const MAX_THREAT_ROWS: usize = 2_000;
/// Characters kept of one evidence field.
const MAX_FIELD: usize = 300;

/// What one rule (or threat) says once for all its rows.
#[derive(Serialize)]
pub struct RuleText {
    pub id: String,
    pub title: String,
    /// `CIS Docker 1.6`, `shipshape scan`, `threat model`.
    pub bench: String,
    /// `5 Container runtime`, `Kubernetes`, an attack surface.
    pub section: String,
    /// STRIDE letters, e.g. `TE`.
    pub stride: String,
    pub fix: String,
    /// Exact harden actions (audit checks only).
    pub acts: Vec<String>,
}

/// One evidence line: target, outcome, observed, expected, source.
pub type Ev = [String; 5];

/// One row of the table.
#[derive(Serialize)]
pub struct Row {
    /// Index into [`Table::rules`].
    pub r: usize,
    /// `PASS`, `FAIL`, ..., `SUPPRESSED`, or a threat status.
    pub o: &'static str,
    /// Severity rank 0 (info) .. 4 (critical).
    pub s: u8,
    /// The target(s), for display and for the target filter.
    pub t: String,
    pub m: String,
    pub e: Vec<Ev>,
}

#[derive(Serialize, Default)]
pub struct Table {
    pub rules: Vec<RuleText>,
    pub rows: Vec<Row>,
    /// Results counted in the charts but left out of the rows, to keep the
    /// page small: (rule, outcome, severity rank).
    #[serde(skip)]
    pub extra: Vec<(usize, &'static str, u8)>,
    /// How many results the rows leave out (shown on the page).
    pub omitted: usize,
}

pub fn sev_rank(s: Severity) -> u8 {
    s as u8
}

fn letters(s: &[Stride]) -> String {
    s.iter().map(|x| x.letter()).collect()
}

/// Clean, then keep at most [`MAX_FIELD`] characters.
fn cut(s: &str) -> String {
    let c = clean(s);
    match c.char_indices().nth(MAX_FIELD) {
        Some((i, _)) => format!("{}…", &c[..i]),
        None => c,
    }
}

impl Table {
    fn rule(
        &mut self,
        keys: &mut HashMap<String, usize>,
        key: String,
        make: impl FnOnce() -> RuleText,
    ) -> usize {
        *keys.entry(key).or_insert_with(|| {
            self.rules.push(make());
            self.rules.len() - 1
        })
    }
}

/// The table of everything in `c`.
pub fn table(c: &Combined<'_>) -> Table {
    let mut t = Table::default();
    let mut keys = HashMap::new();
    if let Some(rep) = c.audit {
        for f in &rep.findings {
            audit_row(&mut t, &mut keys, f, &rep.remediation_plan);
        }
    }
    if let Some(s) = c.scan {
        scan_rows(&mut t, &mut keys, s);
    }
    if let Some(a) = c.threats {
        threat_rows(&mut t, &mut keys, a);
    }
    t.omitted = t.extra.len();
    t
}

fn evidence(ev: &[Evidence]) -> Vec<Ev> {
    let mut out: Vec<Ev> = ev
        .iter()
        .take(MAX_EVIDENCE)
        .map(|e| {
            [
                cut(&format!("{} {}", e.target.kind(), e.target.label())),
                e.outcome.label().to_string(),
                cut(&e.observed),
                cut(&e.expected),
                cut(e.source.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    if ev.len() > MAX_EVIDENCE {
        out.push([
            format!("... and {} more", ev.len() - MAX_EVIDENCE),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    out
}

/// The exact harden command and change for one plan action.
pub fn action_text(a: &Action) -> String {
    let cmd = match (&a.change, a.effect) {
        (Change::Manual { steps }, _) => format!("manual: {}", steps.join(" ; ")),
        (_, Effect::Restart) => format!("shipshape harden apply --restart --only {}", a.check),
        _ => format!("shipshape harden apply --only {}", a.check),
    };
    clean(&format!(
        "[{}] {} — {} ({})",
        a.effect.label(),
        a.change.summary(),
        cmd,
        a.text
    ))
}

fn audit_row(t: &mut Table, keys: &mut HashMap<String, usize>, f: &Finding, plan: &Plan) {
    let r = t.rule(keys, format!("a:{}", f.qualified_id()), || RuleText {
        id: f.id.to_string(),
        title: f.title.to_string(),
        bench: format!("{} {}", f.benchmark.name(), f.benchmark.version()),
        section: format!("{} {}", f.section, crate::report::section_title(f.section)),
        stride: letters(f.stride),
        fix: clean(f.remediation),
        acts: plan.for_check(f.id).map(action_text).collect(),
    });
    let targets: Vec<String> = f.offenders().map(|e| e.target.label()).collect();
    t.rows.push(Row {
        r,
        o: f.outcome.label(),
        s: sev_rank(f.severity),
        t: cut(&targets.join(", ")),
        m: cut(&f.message),
        e: evidence(&f.evidence),
    });
}

fn scan_rows(t: &mut Table, keys: &mut HashMap<String, usize>, s: &ScanReport) {
    let mut all: Vec<(&ScanFinding, bool)> = s.findings.iter().map(|f| (f, false)).collect();
    all.extend(s.suppressed.iter().map(|f| (f, true)));
    // Most severe first (stable, so file order within a severity).
    all.sort_by_key(|(f, sup)| (*sup, std::cmp::Reverse(f.severity)));
    for (n, (f, suppressed)) in all.into_iter().enumerate() {
        if n < MAX_SCAN_ROWS {
            scan_row(t, keys, f, suppressed);
        } else {
            let r = scan_rule(t, keys, f);
            let o = if suppressed { "SUPPRESSED" } else { "FAIL" };
            t.extra.push((r, o, sev_rank(f.severity)));
        }
    }
    for e in &s.errors {
        error_row(t, keys, e);
    }
}

fn scan_section(rule_id: &str) -> &'static str {
    match rule_id.split('-').next().unwrap_or("") {
        "K8S" => "Kubernetes manifests",
        "DF" => "Dockerfiles",
        "COMPOSE" => "Compose files",
        _ => "Scan",
    }
}

fn scan_rule(t: &mut Table, keys: &mut HashMap<String, usize>, f: &ScanFinding) -> usize {
    t.rule(keys, format!("s:{}", f.rule_id), || RuleText {
        id: f.rule_id.to_string(),
        title: f.title.to_string(),
        bench: "shipshape scan".into(),
        section: scan_section(f.rule_id).into(),
        stride: letters(f.stride),
        fix: clean(f.remediation),
        acts: Vec::new(),
    })
}

fn scan_row(t: &mut Table, keys: &mut HashMap<String, usize>, f: &ScanFinding, suppressed: bool) {
    let r = scan_rule(t, keys, f);
    let at = format!("{}:{}:{}", f.file, f.line, f.column);
    let mut observed = crate::redact::redact_text(f.source_line.trim());
    if let Some(s) = &f.suppression {
        observed = format!("suppressed: {} ({observed})", s.reason);
    }
    t.rows.push(Row {
        r,
        o: if suppressed { "SUPPRESSED" } else { "FAIL" },
        s: sev_rank(f.severity),
        t: cut(&if f.object.is_empty() {
            at.clone()
        } else {
            format!("{at} {}", f.object)
        }),
        m: cut(&f.message),
        e: vec![[
            cut(&at),
            "FAIL".into(),
            cut(&observed),
            String::new(),
            String::new(),
        ]],
    });
}

fn error_row(t: &mut Table, keys: &mut HashMap<String, usize>, e: &FileError) {
    let r = t.rule(keys, "s:error".into(), || RuleText {
        id: "scan-error".into(),
        title: "File could not be scanned".into(),
        bench: "shipshape scan".into(),
        section: "Scan".into(),
        stride: String::new(),
        fix: "Fix the file so it can be read and parsed, or exclude it.".into(),
        acts: Vec::new(),
    });
    t.rows.push(Row {
        r,
        o: "ERROR",
        s: sev_rank(Severity::High),
        t: cut(&e.file),
        m: cut(&e.render()),
        e: Vec::new(),
    });
}

fn threat_rows(t: &mut Table, keys: &mut HashMap<String, usize>, a: &Analysis<'_>) {
    let mut order: Vec<&crate::threat::Instance> = a.instances.iter().collect();
    order.sort_by_key(|i| (!i.status.is_open(), std::cmp::Reverse(i.severity)));
    for (n, i) in order.into_iter().enumerate() {
        let th = a.threat(i);
        let r = t.rule(keys, format!("t:{}", th.id), || {
            let mut fix: Vec<String> = th.prevention.clone();
            if let Some(f) = &th.fix {
                fix.push(format!("Fix: {f}"));
            }
            RuleText {
                id: clean(&th.id),
                title: clean(&th.title),
                bench: "threat model".into(),
                section: clean(th.surface.split(" - ").next().unwrap_or(&th.surface)),
                stride: letters(&th.stride),
                fix: clean(&fix.join("\n")),
                acts: Vec::new(),
            }
        });
        if n >= MAX_THREAT_ROWS {
            t.extra.push((r, i.status.name(), sev_rank(i.severity)));
            continue;
        }
        let comp = a.component(i);
        let mut target = comp.name.clone();
        if let Some(f) = a.flow(i) {
            target = format!("{target} ({} → {})", f.from, f.to);
        }
        let e = i
            .evidence
            .iter()
            .take(MAX_EVIDENCE)
            .map(|ev| {
                let targets: Vec<String> = ev.targets.iter().map(|t| t.name.clone()).collect();
                [
                    cut(&format!("{} {}", ev.check, ev.title)),
                    ev.outcome.label().to_string(),
                    cut(&ev.message),
                    cut(&targets.join(", ")),
                    ev.source.to_string(),
                ]
            })
            .collect();
        t.rows.push(Row {
            r,
            o: i.status.name(),
            s: sev_rank(i.severity),
            t: cut(&target),
            m: cut(&i.explanation.join(" ")),
            e,
        });
    }
}

/// Serialise for a `<script type="application/json">` element: `<`, `>`
/// and `&` become `\u003c`-style escapes, and so do U+2028/U+2029, so the
/// text can neither close the element nor start a comment in it.
pub fn script_json<T: Serialize>(v: &T) -> String {
    let json = serde_json::to_string(v).unwrap_or_else(|_| "{}".into());
    let mut o = String::with_capacity(json.len() + json.len() / 32);
    for ch in json.chars() {
        match ch {
            '<' => o.push_str("\\u003c"),
            '>' => o.push_str("\\u003e"),
            '&' => o.push_str("\\u0026"),
            '\u{2028}' => o.push_str("\\u2028"),
            '\u{2029}' => o.push_str("\\u2029"),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let s = script_json(&["</script><script>alert(1)</script>", "a\u{2028}b & <!--"]);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert!(s.contains("\\u003c/script\\u003e") && s.contains("\\u2028"));
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(back[0], "</script><script>alert(1)</script>");
    }
}
