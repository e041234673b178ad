//! SARIF 2.1.0 output, hand-rolled serde structs streamed to the writer.
//! `rules[]` is generated from the rules that ran; suppressed findings are
//! included with `suppressions[]`; per-file errors become tool execution
//! notifications.

use crate::findings::Severity;
use crate::scan::{FileError, ScanFinding, ScanReport};
use serde::Serialize;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning's numeric severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// A relative path as a URI reference (forward slashes; characters with a
/// meaning in URIs escaped).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for ch in path.chars() {
        match ch {
            '\\' => out.push('/'),
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
struct SuppressionOut<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
}

#[derive(Serialize)]
struct ResultProps<'a> {
    severity: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    object: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultOut<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text<'a>,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SuppressionOut<'a>>,
    properties: ResultProps<'a>,
}

#[derive(Serialize)]
struct RuleProps {
    tags: Vec<String>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
struct Level {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleOut<'a> {
    id: &'a str,
    name: String,
    short_description: Text<'a>,
    full_description: Text<'a>,
    help: Text<'a>,
    default_configuration: Level,
    properties: RuleProps,
}

#[derive(Serialize)]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    #[serde(rename = "informationUri")]
    information_uri: &'static str,
    rules: Vec<RuleOut<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: TextOwned,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
struct TextOwned {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    column_kind: &'static str,
    invocations: [Invocation; 1],
    results: Vec<ResultOut<'a>>,
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

fn result<'a>(f: &'a ScanFinding, rule_index: Option<usize>) -> ResultOut<'a> {
    ResultOut {
        rule_id: f.rule_id,
        rule_index,
        level: level(f.severity),
        message: Text { text: &f.message },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: uri(&f.file),
                    uri_base_id: "%SRCROOT%",
                },
                region: Some(Region {
                    start_line: f.line.max(1),
                    start_column: f.column.max(1),
                    end_column: Some(f.column.max(1) + f.len.max(1)),
                }),
            },
        }],
        suppressions: f
            .suppression
            .iter()
            .map(|s| SuppressionOut {
                kind: "inSource",
                status: "accepted",
                justification: &s.reason,
            })
            .collect(),
        properties: ResultProps {
            severity: f.severity.label(),
            object: &f.object,
        },
    }
}

fn notification(e: &FileError) -> Notification {
    Notification {
        level: "error",
        message: TextOwned { text: e.render() },
        locations: if e.file.is_empty() {
            Vec::new()
        } else {
            vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: uri(&e.file),
                        uri_base_id: "%SRCROOT%",
                    },
                    region: e.line.map(|l| Region {
                        start_line: l.max(1),
                        start_column: e.column.unwrap_or(1).max(1),
                        end_column: None,
                    }),
                },
            }]
        },
    }
}

fn log(r: &ScanReport) -> Log<'_> {
    let rules = r
        .rules
        .iter()
        .map(|rule| {
            let mut tags: Vec<String> = vec!["security".into()];
            tags.extend(rule.refs.iter().map(|x| x.label()));
            tags.extend(rule.stride.iter().map(|s| format!("STRIDE:{}", s.name())));
            RuleOut {
                id: rule.id,
                name: rule.id.replace('-', ""),
                short_description: Text { text: rule.title },
                full_description: Text { text: rule.title },
                help: Text {
                    text: rule.remediation,
                },
                default_configuration: Level {
                    level: level(rule.severity),
                },
                properties: RuleProps {
                    tags,
                    security_severity: security_severity(rule.severity),
                },
            }
        })
        .collect();
    let index: std::collections::HashMap<&str, usize> =
        r.rules.iter().enumerate().map(|(i, x)| (x.id, i)).collect();
    let results = r
        .findings
        .iter()
        .chain(&r.suppressed)
        .map(|f| result(f, index.get(f.rule_id).copied()))
        .collect();
    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "shipshape",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/shipshape/shipshape",
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: r.errors.iter().map(notification).collect(),
            }],
            results,
        }],
    }
}

/// Stream the SARIF log to `out`.
pub fn write(r: &ScanReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(r))?;
    out.write_all(b"\n")
}

pub fn render(r: &ScanReport) -> String {
    let mut v = Vec::new();
    let _ = write(r, &mut v);
    String::from_utf8_lossy(&v).into_owned()
}
