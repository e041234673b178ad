//! The OSV schema (ossf.github.io/osv-schema), the parts matching needs,
//! and the compact advisory the offline index stores.

use super::cvss::{self, Level};
use super::normalize_name;
use serde::{Deserialize, Serialize};

/// One OSV record as published (JSON or the PyPA YAML layout).
#[derive(Debug, Clone, Deserialize)]
pub struct Record {
    pub id: String,
    #[serde(default)]
    pub modified: Option<String>,
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub severity: Vec<RecordSeverity>,
    #[serde(default)]
    pub affected: Vec<RecordAffected>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RecordSeverity {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RecordAffected {
    #[serde(default)]
    pub package: Option<RecordPackage>,
    #[serde(default)]
    pub ranges: Vec<RecordRange>,
    #[serde(default)]
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RecordPackage {
    pub ecosystem: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RecordRange {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub events: Vec<Event>,
}

/// A range event. OSV allows exactly one key per event object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl Event {
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

/// The severity a finding shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    pub level: Level,
    /// CVSS base score, when the advisory gives a vector we can score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The advisory's own vector, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
}

impl Severity {
    pub fn unknown() -> Severity {
        Severity {
            level: Level::Unknown,
            score: None,
            vector: None,
        }
    }
}

/// An advisory as the index keeps it: PyPI entries only, ECOSYSTEM ranges
/// only, names normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub summary: String,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    pub affected: Vec<Affected>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    /// PEP 503 normalised name.
    pub package: String,
    /// ECOSYSTEM ranges, each a list of events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Vec<Event>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

/// What became of one record at import.
#[derive(Debug)]
pub enum Converted {
    Advisory(Advisory),
    /// Withdrawn by its publisher: not indexed.
    Withdrawn,
    /// No PyPI package in it: not indexed.
    NotPyPi,
}

/// A one-line summary: the record's `summary`, else the first sentence of
/// `details`, at most 200 characters.
fn summary_of(r: &Record) -> String {
    let text = r
        .summary
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .or(r.details.as_deref())
        .unwrap_or("")
        .trim();
    let first = text.split("\n\n").next().unwrap_or("");
    let first = first.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut end = first.len();
    if let Some(i) = first.find(". ") {
        end = i + 1;
    }
    let s = &first[..end];
    if s.chars().count() > 200 {
        let cut: String = s.chars().take(199).collect();
        format!("{cut}…")
    } else {
        s.to_string()
    }
}

fn severity_of(r: &Record) -> Severity {
    // Prefer a vector we can score; keep any vector otherwise.
    let mut fallback = None;
    for s in &r.severity {
        if s.kind.starts_with("CVSS_V3") {
            if let Some(score) = cvss::base_score_v3(&s.score) {
                return Severity {
                    level: Level::of_score(score),
                    score: Some(score),
                    vector: Some(s.score.clone()),
                };
            }
        }
        if fallback.is_none() && s.kind.starts_with("CVSS") {
            fallback = Some(s.score.clone());
        }
    }
    Severity {
        level: Level::Unknown,
        score: None,
        vector: fallback,
    }
}

/// Validate a record and turn it into the index's form. Errors name what
/// is wrong with the record.
pub fn convert(r: Record) -> Result<Converted, String> {
    if r.id.trim().is_empty() {
        return Err("the record has an empty `id`".into());
    }
    if r.withdrawn.as_deref().is_some_and(|w| !w.trim().is_empty()) {
        return Ok(Converted::Withdrawn);
    }
    let mut affected = Vec::new();
    for (i, a) in r.affected.iter().enumerate() {
        let Some(p) = &a.package else { continue };
        if p.ecosystem != "PyPI" {
            continue;
        }
        if p.name.trim().is_empty() {
            return Err(format!("affected[{i}].package.name is empty"));
        }
        let mut ranges = Vec::new();
        for (j, rg) in a.ranges.iter().enumerate() {
            match rg.kind.as_str() {
                "ECOSYSTEM" => {}
                // Commit ranges and semver ranges say nothing about PEP 440
                // versions.
                "GIT" | "SEMVER" => continue,
                other => {
                    return Err(format!(
                        "affected[{i}].ranges[{j}].type is {other:?}; expected ECOSYSTEM, GIT or SEMVER"
                    ))
                }
            }
            if rg.events.is_empty() {
                return Err(format!("affected[{i}].ranges[{j}] has no events"));
            }
            if !rg.events.iter().any(|e| matches!(e, Event::Introduced(_))) {
                return Err(format!(
                    "affected[{i}].ranges[{j}] has no `introduced` event"
                ));
            }
            ranges.push(rg.events.clone());
        }
        affected.push(Affected {
            package: normalize_name(&p.name),
            ranges,
            versions: a.versions.clone(),
        });
    }
    if affected.is_empty() {
        return Ok(Converted::NotPyPi);
    }
    Ok(Converted::Advisory(Advisory {
        summary: summary_of(&r),
        severity: severity_of(&r),
        id: r.id,
        aliases: r.aliases,
        modified: r.modified,
        affected,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{
      "id": "PYSEC-0000-1", "aliases": ["CVE-0000-1"],
      "details": "Thing before 1.2 is bad. More text.",
      "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
      "affected": [{"package": {"ecosystem": "PyPI", "name": "Some_Thing"},
        "ranges": [{"type": "GIT", "repo": "x", "events": [{"introduced": "0"}, {"fixed": "abc"}]},
                   {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2"}]}],
        "versions": ["1.0", "1.1"]}]
    }"#;

    #[test]
    fn converts_a_record() {
        let r: Record = serde_json::from_str(JSON).unwrap();
        let Converted::Advisory(a) = convert(r).unwrap() else {
            panic!("not converted")
        };
        assert_eq!(a.affected[0].package, "some-thing");
        assert_eq!(a.affected[0].ranges.len(), 1, "GIT range dropped");
        assert_eq!(a.summary, "Thing before 1.2 is bad.");
        assert_eq!(a.severity.level, Level::Critical);
    }

    #[test]
    fn withdrawn_and_foreign_records_are_not_indexed() {
        let mut r: Record = serde_json::from_str(JSON).unwrap();
        r.withdrawn = Some("2023-01-01T00:00:00Z".into());
        assert!(matches!(convert(r).unwrap(), Converted::Withdrawn));
        let r: Record = serde_json::from_str(
            r#"{"id":"X","affected":[{"package":{"ecosystem":"npm","name":"a"}}]}"#,
        )
        .unwrap();
        assert!(matches!(convert(r).unwrap(), Converted::NotPyPi));
    }

    #[test]
    fn a_range_without_introduced_is_rejected() {
        let r: Record = serde_json::from_str(
            r#"{"id":"X","affected":[{"package":{"ecosystem":"PyPI","name":"a"},
               "ranges":[{"type":"ECOSYSTEM","events":[{"fixed":"1"}]}]}]}"#,
        )
        .unwrap();
        assert!(convert(r).unwrap_err().contains("introduced"));
    }
}
