//! Text and JSON views of a prepared plan.

use super::diff;
use super::prepare::Prepared;
use crate::remediate::{escape, Action, Change, Effect};
use serde_json::{json, Value};
use std::fmt::Write;

fn tag(a: &Action) -> String {
    format!("{:<6} {:<8}", a.check, a.effect.label())
}

/// The plan as text: diffs per file, then modes and owners, audit rules to
/// load, held restart-class changes, manual steps and what is left alone.
pub fn text(p: &Prepared, title: &str) -> String {
    let mut o = String::new();
    let live = p.apply.iter().filter(|a| a.effect == Effect::Live).count();
    let restart = p
        .apply
        .iter()
        .filter(|a| a.effect == Effect::Restart)
        .count();
    let _ = writeln!(
        o,
        "{title}: {} change(s): {live} live, {restart} restart, {} held for --restart, {} manual, {} not changed",
        p.apply.len(),
        p.held.len(),
        p.manual.len(),
        p.skipped.len()
    );
    for e in &p.edits {
        let _ = writeln!(o);
        match &e.json {
            Some((old, new)) => o.push_str(&diff::json_keys(&e.path, old, new)),
            None => o.push_str(&diff::unified(&e.path, e.old.as_deref(), &e.new)),
        }
        for a in &e.actions {
            let _ = writeln!(o, "    {}{}", tag(a), escape(&a.text));
        }
    }
    if !p.meta.is_empty() {
        let _ = writeln!(o, "\nmodes and owners:");
        for m in &p.meta {
            let _ = writeln!(
                o,
                "    {}{} — {}",
                tag(&m.action),
                escape(&m.action.change.summary()),
                escape(&m.action.text)
            );
        }
    }
    if !p.loads.is_empty() {
        let _ = writeln!(o, "\naudit rules to load now (auditctl):");
        for l in &p.loads {
            let _ = writeln!(o, "    {:<6} {:<8}{}", l.check, "live", escape(&l.line));
        }
    }
    if !p.held.is_empty() {
        let _ = writeln!(
            o,
            "\nheld until `harden apply --restart` (needs a daemon restart):"
        );
        for a in &p.held {
            let _ = writeln!(o, "    {}{}", tag(a), escape(&a.change.summary()));
        }
    }
    if !p.restart_stops.is_empty() && (!p.held.is_empty() || !p.restart_keys.is_empty()) {
        let _ = writeln!(
            o,
            "    a restart stops these running containers (live-restore is off): {}",
            escape(&p.restart_stops.join(", "))
        );
    }
    if !p.manual.is_empty() {
        let _ = writeln!(o, "\nmanual (shipshape does not do these):");
        for a in &p.manual {
            let _ = writeln!(o, "    {}{}", tag(a), escape(&a.text));
            if let Change::Manual { steps } = &a.change {
                for (i, s) in steps.iter().enumerate() {
                    let _ = writeln!(o, "        {}. {}", i + 1, escape(s));
                }
            }
        }
    }
    if !p.skipped.is_empty() {
        let _ = writeln!(o, "\nnot changed:");
        for s in &p.skipped {
            let _ = writeln!(o, "    {:<6} {}", s.check, escape(&s.reason));
        }
    }
    for n in &p.notes {
        let _ = writeln!(o, "\nnote: {}", escape(n));
    }
    o
}

/// The plan as JSON.
pub fn json(p: &Prepared) -> Value {
    json!({
        "apply": p.apply,
        "held_for_restart": p.held,
        "manual": p.manual,
        "skipped": p.skipped,
        "files": p.edits.iter().map(|e| json!({
            "path": e.path,
            "checks": e.actions.iter().map(|a| a.check.clone()).collect::<Vec<_>>(),
            "diff": match &e.json {
                Some((old, new)) => diff::json_keys(&e.path, old, new),
                None => diff::unified(&e.path, e.old.as_deref(), &e.new),
            },
        })).collect::<Vec<_>>(),
        "modes_and_owners": p.meta.iter().map(|m| json!({
            "path": m.path,
            "check": m.action.check,
            "mode": m.mode.map(|v| format!("{v:04o}")),
            "owner": m.owner.map(|(u, g)| format!("{u}:{g}")),
        })).collect::<Vec<_>>(),
        "audit_rules_to_load": p.loads.iter().map(|l| json!({"check": l.check, "path": l.path, "rule": l.line})).collect::<Vec<_>>(),
        "restart_stops": p.restart_stops,
        "notes": p.notes,
    })
}
