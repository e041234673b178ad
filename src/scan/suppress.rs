//! Inline suppressions.
//!
//! * A comment `# shipshape:ignore RULE-ID[,RULE-ID…] reason` on its own line
//!   covers the next line (in a Dockerfile: the whole next instruction); at the
//!   end of a YAML line it covers that line.
//! * `# shipshape:ignore-file RULE-ID reason` covers the whole file.
//! * On a Kubernetes object, the annotation
//!   `shipshape.io/ignore: "RULE-ID: reason; RULE-ID: reason"` covers that
//!   object; on a compose service, the label of the same name does.
//!
//! A suppression needs a reason. One without a reason is not applied and is
//! reported itself (rule SHIPSHAPE-001).

use crate::manifest::yaml::{Node, Pos, Value};
use serde::Serialize;

pub const MARKER: &str = "shipshape:ignore";
pub const ANNOTATION: &str = "shipshape.io/ignore";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Comment,
    Annotation,
    Label,
    /// An entry of `.shipshape-ignore.yaml` or `[[ignore]]` in shipshape.toml.
    IgnoreFile,
}

/// One parsed suppression.
#[derive(Debug, Clone)]
pub struct Directive {
    pub via: Via,
    /// Where the directive is written.
    pub pos: Pos,
    pub rule: String,
    pub reason: String,
    /// Lines covered (inclusive); `None` covers the whole scope (file or object).
    pub lines: Option<(u32, u32)>,
}

/// Where a finding was suppressed, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Suppression {
    pub via: Via,
    pub reason: String,
    pub line: u32,
}

fn split_rules_and_reason(body: &str) -> (Vec<String>, String) {
    let body = body.trim();
    let (ids, reason) = match body.find(char::is_whitespace) {
        Some(i) => (&body[..i], body[i..].trim()),
        None => (body, ""),
    };
    let ids = ids.trim_end_matches(':');
    let reason = reason
        .trim_start_matches([':', '-', '—'])
        .trim()
        .to_string();
    let rules = ids
        .split(',')
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty())
        .collect();
    (rules, reason)
}

/// Comment directives of a YAML or Dockerfile text. `ranges` maps a line to
/// the range of lines its statement spans (Dockerfile instructions); YAML
/// passes `None`.
pub fn comment_directives(text: &str, dockerfile_ranges: Option<&[(u32, u32)]>) -> Vec<Directive> {
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(m) = line.find(MARKER) else {
            continue;
        };
        let before = &line[..m];
        let Some(hash) = before.rfind('#') else {
            continue;
        };
        if !before[hash + 1..].trim().is_empty() {
            continue;
        }
        let code_before = &line[..hash];
        let own_line = code_before.trim().is_empty();
        if !own_line && (dockerfile_ranges.is_some() || !code_before.ends_with([' ', '\t'])) {
            continue;
        }
        let rest = &line[m + MARKER.len()..];
        let (file_wide, body) = match rest.strip_prefix("-file") {
            Some(b) => (true, b),
            None => (false, rest),
        };
        if !body.is_empty() && !body.starts_with([' ', '\t', ':']) {
            continue;
        }
        let line_no = i as u32 + 1;
        let col = line[..hash].chars().count() as u32 + 1;
        let lines_covered = if file_wide {
            None
        } else if !own_line {
            Some((line_no, line_no))
        } else {
            // The next line that is neither blank nor a comment.
            let next = lines
                .iter()
                .enumerate()
                .skip(i + 1)
                .find(|(_, l)| {
                    let t = l.trim_start();
                    !t.is_empty() && !t.starts_with('#')
                })
                .map(|(j, _)| j as u32 + 1)
                .unwrap_or(line_no + 1);
            let end = dockerfile_ranges
                .and_then(|r| r.iter().find(|(s, _)| *s == next).map(|(_, e)| *e))
                .unwrap_or(next);
            Some((next, end))
        };
        let (rules, reason) = split_rules_and_reason(body.trim_start_matches(':'));
        if rules.is_empty() {
            out.push(Directive {
                via: Via::Comment,
                pos: Pos::new(line_no, col),
                rule: String::new(),
                reason: reason.clone(),
                lines: lines_covered,
            });
        }
        for rule in rules {
            out.push(Directive {
                via: Via::Comment,
                pos: Pos::new(line_no, col),
                rule,
                reason: reason.clone(),
                lines: lines_covered,
            });
        }
    }
    out
}

/// Directives from an annotation or label value:
/// `"RULE-ID: reason; RULE-ID: reason"` (`;` or newlines separate entries).
pub fn value_directives(value: &Node, pos: Pos, via: Via) -> Vec<Directive> {
    let text = match &value.value {
        Value::Str(s) => s.clone(),
        _ => return Vec::new(),
    };
    text.split([';', '\n'])
        .filter(|p| !p.trim().is_empty())
        .flat_map(|part| {
            let part = part.trim();
            let (ids, reason) = match part.split_once(':') {
                Some((a, b)) => (a.to_string(), b.trim().to_string()),
                None => {
                    let (r, why) = split_rules_and_reason(part);
                    (r.join(","), why)
                }
            };
            ids.split(',')
                .map(|s| s.trim().to_ascii_uppercase())
                .filter(|s| !s.is_empty())
                .map(|rule| Directive {
                    via,
                    pos,
                    rule,
                    reason: reason.clone(),
                    lines: None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The `shipshape.io/ignore` label of a compose service (map or list form).
pub fn service_label_directives(service: &Node) -> Vec<Directive> {
    let Some(labels) = service.entry("labels") else {
        return Vec::new();
    };
    if let Some(e) = labels.value.entry(ANNOTATION) {
        return value_directives(&e.value, e.key_pos, Via::Label);
    }
    for item in labels.value.as_seq() {
        if let Some(s) = item.as_str() {
            if let Some(v) = s.strip_prefix(ANNOTATION).and_then(|r| r.strip_prefix('=')) {
                let n = Node {
                    pos: item.pos,
                    value: Value::Str(v.to_string()),
                };
                return value_directives(&n, item.pos, Via::Label);
            }
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_line_comment_covers_next_code_line() {
        let t = "a: 1\n# shipshape:ignore K8S-001,K8S-002 lab only\n\nb: 2\n";
        let d = comment_directives(t, None);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].rule, "K8S-001");
        assert_eq!(d[1].rule, "K8S-002");
        assert_eq!(d[0].reason, "lab only");
        assert_eq!(d[0].lines, Some((4, 4)));
    }

    #[test]
    fn trailing_comment_and_missing_reason() {
        let t = "privileged: true # shipshape:ignore K8S-001\n";
        let d = comment_directives(t, None);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].lines, Some((1, 1)));
        assert!(d[0].reason.is_empty());
    }

    #[test]
    fn file_wide_and_dockerfile_ranges() {
        let t = "# shipshape:ignore-file DF-010 built elsewhere\nFROM a:1\n# shipshape:ignore DF-007 vendor script\nRUN x \\\n  y\n";
        let d = comment_directives(t, Some(&[(2, 2), (4, 5)]));
        assert_eq!(d[0].lines, None);
        assert_eq!(d[1].lines, Some((4, 5)));
        assert_eq!(d[1].reason, "vendor script");
    }

    #[test]
    fn annotation_value_lists_rules_with_reasons() {
        let n = Node {
            pos: Pos::new(1, 1),
            value: Value::Str("K8S-001: needs the GPU driver; k8s-009 host network".into()),
        };
        let d = value_directives(&n, Pos::new(3, 5), Via::Annotation);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].reason, "needs the GPU driver");
        assert_eq!(d[1].rule, "K8S-009");
        assert_eq!(d[1].reason, "host network");
    }
}
