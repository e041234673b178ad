//! The one SARIF 2.1.0 writer: typed serde structs over a [`Run`], streamed
//! to the writer. `audit`, `scan` and `threats` all come through here.
//!
//! `rules[]` comes from the rules that ran ([`RuleInfo`], built from each
//! rule's `RuleMeta`). A failed item gives one result of kind `fail` per
//! [`Hit`] with a level from its severity; an item that needs review gives
//! kind `review` (level `none`, as SARIF requires for non-`fail` kinds).
//! Suppressed items keep their result with `suppressions[]`. Items that could
//! not be evaluated, and the run's own problems, are tool execution
//! notifications. PASS and N/A produce no result.

use super::core::{Hit, Item, Loc, Region, RuleInfo, Run, Verdict};
use crate::findings::Severity;
use serde::Serialize;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/shipshape/shipshape";

/// SARIF's level for a failed rule of this severity.
pub fn level(s: Severity) -> &'static str {
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

/// A path as a URI reference: forward slashes, characters with a meaning in
/// URIs escaped; absolute paths become `file://` URIs.
pub(crate) fn uri(path: &str, base: Option<&str>) -> String {
    let mut out = String::with_capacity(path.len() + 7);
    if base.is_none() && path.starts_with('/') {
        out.push_str("file://");
    }
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
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RegionOut {
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
    region: Option<RegionOut>,
}

#[derive(Serialize)]
struct LogicalLocation<'a> {
    name: &'a str,
    kind: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    /// Set on related locations, which SARIF identifies by number.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
    /// Set on related locations: why that place matters.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

#[derive(Serialize)]
struct Suppression<'a> {
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
    rule_index: usize,
    kind: &'static str,
    level: &'static str,
    message: Text<'a>,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
    properties: ResultProps<'a>,
}

#[derive(Serialize)]
struct RuleProps<'a> {
    tags: &'a [String],
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
    name: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    help: Text<'a>,
    default_configuration: Level,
    properties: RuleProps<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<RuleOut<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct RuleRef<'a> {
    id: &'a str,
    index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification<'a> {
    level: &'static str,
    message: Text<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    associated_rule: Option<RuleRef<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunOut<'a> {
    tool: Tool<'a>,
    column_kind: &'static str,
    invocations: [Invocation<'a>; 1],
    results: Results<'a>,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    properties: &'a serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [RunOut<'a>; 1],
}

fn location<'a>(loc: &'a Loc<'_>) -> Location<'a> {
    match loc {
        Loc::File { path, base, region } => Location {
            physical_location: Some(PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: uri(path, *base),
                    uri_base_id: *base,
                },
                region: region.map(|r: Region| RegionOut {
                    start_line: r.line.max(1),
                    start_column: r.column.max(1),
                    end_column: r.len.map(|l| r.column.max(1) + l.max(1)),
                }),
            }),
            logical_locations: Vec::new(),
            id: None,
            message: None,
        },
        Loc::Logical { name, kind } => Location {
            physical_location: None,
            logical_locations: vec![LogicalLocation { name, kind }],
            id: None,
            message: None,
        },
    }
}

/// A related location: numbered from 1, with its own message.
fn related<'a>(i: usize, hit: &'a Hit<'_>) -> Location<'a> {
    Location {
        id: Some(i + 1),
        message: Some(Text { text: &hit.text }),
        ..location(&hit.loc)
    }
}

fn rule(r: &RuleInfo) -> RuleOut<'_> {
    RuleOut {
        id: &r.id,
        name: &r.name,
        short_description: Text { text: &r.title },
        full_description: Text {
            text: &r.description,
        },
        help: Text { text: &r.help },
        default_configuration: Level {
            level: level(r.severity),
        },
        properties: RuleProps {
            tags: &r.tags,
            security_severity: security_severity(r.severity),
        },
    }
}

fn result<'a>(
    run: &'a Run<'_>,
    item: &'a Item<'_>,
    rule: usize,
    hit: &'a Hit<'_>,
) -> ResultOut<'a> {
    let (kind, level) = match item.verdict {
        Verdict::Review => ("review", "none"),
        _ => ("fail", level(item.severity)),
    };
    ResultOut {
        rule_id: &run.rules[rule].id,
        rule_index: rule,
        kind,
        level,
        message: Text { text: &hit.text },
        locations: [location(&hit.loc)],
        related_locations: hit
            .related
            .iter()
            .enumerate()
            .map(|(i, h)| related(i, h))
            .collect(),
        suppressions: item
            .suppressed
            .iter()
            .map(|reason| Suppression {
                kind: "inSource",
                status: "accepted",
                justification: reason,
            })
            .collect(),
        properties: ResultProps {
            severity: item.severity.label(),
            object: &item.object,
        },
    }
}

fn notification<'a>(run: &'a Run<'_>, item: &'a Item<'_>) -> Notification<'a> {
    Notification {
        level: "error",
        message: Text {
            text: &item.message,
        },
        locations: item.hits.iter().map(|h| location(&h.loc)).collect(),
        associated_rule: item.rule.map(|i| RuleRef {
            id: &run.rules[i].id,
            index: i,
        }),
    }
}

/// `results[]`: the run's items, or nothing when the array is filled in
/// afterwards by [`write_par`].
struct Results<'a>(&'a Run<'a>, bool);

/// The results of one item: one per hit of a failed or review item.
fn emit<E>(
    run: &Run<'_>,
    item: &Item<'_>,
    mut push: impl FnMut(&ResultOut<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let judged = matches!(item.verdict, Verdict::Fail | Verdict::Review);
    if let Some(r) = item.rule.filter(|_| judged) {
        for h in &item.hits {
            push(&result(run, item, r, h))?;
        }
    }
    Ok(())
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let run = self.0;
        let mut seq = s.serialize_seq(None)?;
        if self.1 {
            for item in &run.items {
                emit(run, item, |r| seq.serialize_element(r))?;
            }
        }
        seq.end()
    }
}

fn log<'a>(run: &'a Run<'a>, results: bool) -> Log<'a> {
    let mut notes: Vec<Notification> = run
        .items
        .iter()
        .filter(|i| i.verdict == Verdict::Error)
        .map(|i| notification(run, i))
        .collect();
    notes.extend(run.notes.iter().map(|n| Notification {
        level: "error",
        message: Text { text: n },
        locations: Vec::new(),
        associated_rule: None,
    }));
    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [RunOut {
            tool: Tool {
                driver: Driver {
                    name: "shipshape",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: run.rules.iter().map(rule).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            invocations: [Invocation {
                execution_successful: run.complete,
                tool_execution_notifications: notes,
            }],
            results: Results(run, results),
            properties: &run.properties,
        }],
    }
}

/// Stream the SARIF log of `run` to `out`.
pub fn write(run: &Run<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(run, true))?;
    out.write_all(b"\n")
}

/// [`write`], with the results of `extra` (each made into an item by
/// `item`) after the run's own, formatted in parallel a window at a time
/// ([`chunked`](super::chunked)): a scan's 70,000 findings are never held
/// as items at once, and the bytes are those [`write`] gives. The rules of
/// the items must already be in `run.rules`.
pub fn write_par<'r, T: Sync>(
    run: &'r Run<'r>,
    extra: &'r [T],
    item: impl for<'t> Fn(&'t T) -> Item<'t> + Sync,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use super::chunked::{splice, JsonArray};
    let envelope = serde_json::to_vec_pretty(&log(run, false))?;
    // `results` is a key of the run object: log > runs > run, three deep.
    let results = |w: &mut dyn std::io::Write| {
        let mut array = JsonArray::begin(w, 3)?;
        array.extend(&run.items, |i, e| emit(run, i, |r| e.push(r)))?;
        array.extend(extra, |t, e| emit(run, &item(t), |r| e.push(r)))?;
        array.finish()
    };
    splice(&envelope, &[("results", 3, &results)], out)?;
    out.write_all(b"\n")
}

/// The SARIF log of `run` as a string.
pub fn render(run: &Run<'_>) -> String {
    let mut v = Vec::new();
    // Writing plain data to a Vec cannot fail.
    let _ = write(run, &mut v);
    String::from_utf8_lossy(&v).into_owned()
}

#[cfg(test)]
mod tests {
    use super::super::core::tests::sample;
    use serde_json::Value;

    fn doc() -> Value {
        serde_json::from_str(&super::render(&sample())).unwrap()
    }

    #[test]
    fn fail_and_review_give_results_pass_and_skip_do_not() {
        let d = doc();
        let results = d["runs"][0]["results"].as_array().unwrap();
        let kinds: Vec<&str> = results
            .iter()
            .map(|r| r["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["fail", "review", "fail"]);
        assert_eq!(results[0]["level"], "error");
        assert_eq!(
            results[1]["level"], "none",
            "non-fail kinds carry level none"
        );
        assert!(results[0].get("suppressions").is_none());
        assert_eq!(
            results[2]["suppressions"][0]["justification"],
            "accepted risk"
        );
        let uri = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert_eq!(uri, "file:///etc/a%20b");
    }

    #[test]
    fn errors_are_notifications_tied_to_their_rule() {
        let d = doc();
        let notes = d["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0]["associatedRule"]["id"], "T-001");
        assert_eq!(d["runs"][0]["tool"]["driver"]["rules"][0]["id"], "T-001");
    }
}
