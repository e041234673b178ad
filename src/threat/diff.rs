//! `shipshape threats diff OLD.json NEW.json`: compare two JSON outputs by
//! stable instance id (`threat@component[@flow]`).

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

/// What one instance looked like in one output.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub status: String,
    pub severity: String,
    pub score: i64,
    pub title: String,
}

/// The changes between two outputs.
#[derive(Debug, Default)]
pub struct Diff {
    pub added: Vec<(String, Row)>,
    pub removed: Vec<(String, Row)>,
    pub changed: Vec<(String, Row, Row)>,
    pub unchanged: usize,
}

/// Read the instances of one `shipshape threats -f json` output. Errors name
/// `file:line:column`.
pub fn read(file: &str, text: &str) -> Result<BTreeMap<String, Row>, String> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| format!("{file}:{}:{}: not JSON: {e}", e.line(), e.column()))?;
    if v["schema"] != "shipshape.threats" {
        return Err(format!(
            "{file}:1:1: expected a `shipshape threats -f json` output (schema \"shipshape.threats\")"
        ));
    }
    let list = v["threats"]
        .as_array()
        .ok_or_else(|| format!("{file}:1:1: no \"threats\" array"))?;
    let s = |x: &Value| x.as_str().unwrap_or("").to_string();
    Ok(list
        .iter()
        .map(|t| {
            (
                s(&t["id"]),
                Row {
                    status: s(&t["status"]),
                    severity: s(&t["severity"]),
                    score: t["score"].as_i64().unwrap_or(0),
                    title: s(&t["title"]),
                },
            )
        })
        .collect())
}

pub fn diff(old: &BTreeMap<String, Row>, new: &BTreeMap<String, Row>) -> Diff {
    let mut d = Diff::default();
    for (id, n) in new {
        match old.get(id) {
            None => d.added.push((id.clone(), n.clone())),
            Some(o) if o != n => d.changed.push((id.clone(), o.clone(), n.clone())),
            Some(_) => d.unchanged += 1,
        }
    }
    for (id, o) in old {
        if !new.contains_key(id) {
            d.removed.push((id.clone(), o.clone()));
        }
    }
    d
}

/// Plain text, one line per change. Ids and titles come from files, so
/// control characters are escaped.
pub fn render(d: &Diff) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_control() {
                    format!("\\u{{{:x}}}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect()
    };
    let row = |r: &Row| format!("{} {} ({})", r.severity, r.score, r.status);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} added, {} removed, {} changed, {} unchanged",
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unchanged
    );
    for (id, r) in &d.added {
        let _ = writeln!(o, "+ {} {} — {}", clean(id), row(r), clean(&r.title));
    }
    for (id, r) in &d.removed {
        let _ = writeln!(o, "- {} {} — {}", clean(id), row(r), clean(&r.title));
    }
    for (id, a, b) in &d.changed {
        let _ = writeln!(o, "~ {} {} -> {}", clean(id), row(a), row(b));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(rows: &[(&str, &str, &str, i64)]) -> String {
        let t: Vec<Value> = rows
            .iter()
            .map(|(id, st, sev, sc)| {
                serde_json::json!({"id": id, "status": st, "severity": sev, "score": sc, "title": "T"})
            })
            .collect();
        serde_json::json!({"schema": "shipshape.threats", "threats": t}).to_string()
    }

    #[test]
    fn diffs_by_stable_id() {
        let a = read(
            "a",
            &doc(&[
                ("x@c", "open-confirmed", "high", 9),
                ("y@c", "mitigated", "low", 2),
            ]),
        )
        .unwrap();
        let b = read(
            "b",
            &doc(&[
                ("x@c", "mitigated", "low", 3),
                ("z@c", "open-unverified", "low", 4),
            ]),
        )
        .unwrap();
        let d = diff(&a, &b);
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.changed.len(), 1);
        let text = render(&d);
        assert!(text.starts_with("1 added, 1 removed, 1 changed, 0 unchanged"));
        assert!(text.contains("~ x@c high 9 (open-confirmed) -> low 3 (mitigated)"));
        let same = diff(&a, &a);
        assert_eq!(
            (same.added.len(), same.changed.len(), same.unchanged),
            (0, 0, 2)
        );
    }

    #[test]
    fn bad_input_names_the_position() {
        let e = read("old.json", "{\n  \"schema\": ").unwrap_err();
        assert!(e.starts_with("old.json:2:"), "{e}");
        let e = read("x.json", "{}").unwrap_err();
        assert!(e.contains("shipshape threats -f json"), "{e}");
    }
}
