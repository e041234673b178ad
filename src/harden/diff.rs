//! Diffs for the plan: a unified diff for text files and a key-level diff
//! for daemon.json. Host data is escaped for the terminal.

use crate::knowledge::secrets::is_secret_name;
use crate::remediate::escape;
use serde_json::{Map, Value};

/// A line of an environment-style file with a secret-looking variable's
/// value replaced: diffs show context lines, and no output carries a secret.
fn redact_line(l: &str) -> String {
    let body = l.trim_start().trim_start_matches("export ").trim_start();
    match body.split_once('=') {
        Some((name, _)) if is_secret_name(name.trim()) => {
            let cut = l.len() - body.len() + name.len() + 1;
            format!("{}<redacted>", &l[..cut])
        }
        _ => l.to_string(),
    }
}

/// A JSON value with secret-looking keys' values replaced (e.g. a log
/// driver's token in `log-opts`).
fn redact_json(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let x = if is_secret_name(k) {
                        Value::String("<redacted>".into())
                    } else {
                        redact_json(x)
                    };
                    (k.clone(), x)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(redact_json).collect()),
        other => other.clone(),
    }
}

fn show(k: &str, v: &Value) -> String {
    if is_secret_name(k) {
        "\"<redacted>\"".into()
    } else {
        escape(&redact_json(v).to_string())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Keep,
    Del,
    Add,
}

/// Line operations from a longest-common-subsequence table. The files
/// harden edits are short; past 4000 lines it shows a full replacement.
fn ops<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<(Op, &'a str)> {
    let (n, m) = (a.len(), b.len());
    if n * m > 16_000_000 {
        let mut v: Vec<(Op, &str)> = a.iter().map(|l| (Op::Del, *l)).collect();
        v.extend(b.iter().map(|l| (Op::Add, *l)));
        return v;
    }
    let mut t = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i][j] = if a[i] == b[j] {
                t[i + 1][j + 1] + 1
            } else {
                t[i + 1][j].max(t[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push((Op::Keep, a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || t[i + 1][j] >= t[i][j + 1]) {
            out.push((Op::Del, a[i]));
            i += 1;
        } else {
            out.push((Op::Add, b[j]));
            j += 1;
        }
    }
    out
}

/// A unified diff with three lines of context; empty when equal.
pub fn unified(path: &str, old: Option<&str>, new: &str) -> String {
    let a: Vec<&str> = old.map(|o| o.lines().collect()).unwrap_or_default();
    let b: Vec<&str> = new.lines().collect();
    let ops = ops(&a, &b);
    if ops.iter().all(|(o, _)| *o == Op::Keep) {
        return String::new();
    }
    let from = if old.is_some() {
        format!("a{path}")
    } else {
        "/dev/null".to_string()
    };
    let mut out = format!("--- {}\n+++ b{}\n", escape(&from), escape(path));
    const CTX: usize = 3;
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, (o, _))| *o != Op::Keep)
        .map(|(i, _)| i)
        .collect();
    // Group changes whose context overlaps into hunks.
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    for &c in &changed {
        let (s, e) = (c.saturating_sub(CTX), (c + CTX + 1).min(ops.len()));
        match hunks.last_mut() {
            Some(h) if s <= h.1 => h.1 = e,
            _ => hunks.push((s, e)),
        }
    }
    for (s, e) in hunks {
        let before = |k: usize, op: Op| ops[..k].iter().filter(|(o, _)| *o != op).count();
        let old_start = before(s, Op::Add);
        let new_start = before(s, Op::Del);
        let old_len = ops[s..e].iter().filter(|(o, _)| *o != Op::Add).count();
        let new_len = ops[s..e].iter().filter(|(o, _)| *o != Op::Del).count();
        let start = |st: usize, len: usize| if len == 0 { st } else { st + 1 };
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            start(old_start, old_len),
            old_len,
            start(new_start, new_len),
            new_len
        ));
        for (o, l) in &ops[s..e] {
            let c = match o {
                Op::Keep => ' ',
                Op::Del => '-',
                Op::Add => '+',
            };
            out.push(c);
            out.push_str(&escape(&redact_line(l)));
            out.push('\n');
        }
    }
    out
}

/// A key-level diff of two daemon.json objects: `+` added, `~` changed,
/// `-` removed; unchanged keys are not listed.
pub fn json_keys(path: &str, old: &Map<String, Value>, new: &Map<String, Value>) -> String {
    let mut out = String::new();
    for (k, v) in new {
        match old.get(k) {
            None => out.push_str(&format!("  + \"{}\": {}\n", escape(k), show(k, v))),
            Some(o) if o != v => out.push_str(&format!(
                "  ~ \"{}\": {} -> {}\n",
                escape(k),
                show(k, o),
                show(k, v)
            )),
            _ => {}
        }
    }
    for (k, v) in old {
        if !new.contains_key(k) {
            out.push_str(&format!("  - \"{}\": {}\n", escape(k), show(k, v)));
        }
    }
    if out.is_empty() {
        out
    } else {
        format!("--- {} (daemon.json, by key)\n{out}", escape(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unified_diff_of_an_appended_line() {
        let d = unified(
            "/etc/environment",
            Some("PATH=/bin\nLANG=C\n"),
            "PATH=/bin\nLANG=C\nDOCKER_CONTENT_TRUST=1\n",
        );
        assert_eq!(
            d,
            "--- a/etc/environment\n+++ b/etc/environment\n@@ -1,2 +1,3 @@\n PATH=/bin\n LANG=C\n+DOCKER_CONTENT_TRUST=1\n"
        );
        assert_eq!(unified("/x", Some("a\n"), "a\n"), "");
    }

    #[test]
    fn unified_diff_of_a_new_file_and_a_replaced_line() {
        let d = unified("/r", None, "-w /a -p rwxa -k docker\n");
        assert!(
            d.starts_with("--- /dev/null\n+++ b/r\n@@ -0,0 +1,1 @@\n+-w /a"),
            "{d}"
        );
        let lines: String = (1..=10).map(|i| format!("l{i}\n")).collect();
        let changed = lines.replace("l5\n", "L5\n");
        let d = unified("/f", Some(&lines), &changed);
        assert!(
            d.contains("@@ -2,7 +2,7 @@\n l2\n l3\n l4\n-l5\n+L5\n l6\n"),
            "{d}"
        );
    }

    #[test]
    fn secrets_in_context_lines_and_json_values_are_redacted() {
        let old = "AWS_SECRET_ACCESS_KEY=abc123\nexport API_TOKEN=tok\nLANG=C\n";
        let d = unified(
            "/etc/environment",
            Some(old),
            &format!("{old}DOCKER_CONTENT_TRUST=1\n"),
        );
        assert!(!d.contains("abc123") && !d.contains("tok\n"), "{d}");
        assert!(d.contains(" AWS_SECRET_ACCESS_KEY=<redacted>\n"), "{d}");
        assert!(d.contains(" export API_TOKEN=<redacted>\n"), "{d}");
        assert!(d.contains(" LANG=C\n"), "{d}");
        let old = json!({});
        let new = json!({"log-opts": {"splunk-token": "s3cr3t", "tag": "x"}});
        let d = json_keys(
            "/d.json",
            old.as_object().unwrap(),
            new.as_object().unwrap(),
        );
        assert!(!d.contains("s3cr3t") && d.contains("\"tag\":\"x\""), "{d}");
    }

    #[test]
    fn key_diff_lists_added_and_changed_keys_and_escapes() {
        let old = json!({"debug": true, "icc": true, "x\u{1b}": 1});
        let new = json!({"debug": true, "icc": false, "live-restore": true, "x\u{1b}": 1});
        let d = json_keys(
            "/etc/docker/daemon.json",
            old.as_object().unwrap(),
            new.as_object().unwrap(),
        );
        assert_eq!(
            d,
            "--- /etc/docker/daemon.json (daemon.json, by key)\n  ~ \"icc\": true -> false\n  + \"live-restore\": true\n"
        );
        assert!(!escape("a\u{1b}[2J").contains('\u{1b}'));
    }
}
