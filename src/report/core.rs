//! The finding core every subcommand's results are turned into before a
//! machine format is written. `audit`, `scan` and `threats` each keep their
//! own rich model (and JSON layout); an adapter per family maps it onto a
//! [`Run`], and the one SARIF writer ([`super::sarif`]) and the one JUnit
//! writer ([`super::junit`]) draw only from here.

use crate::findings::Severity;
use crate::rules::meta::{Benchmark, RuleMeta};
use std::borrow::Cow;

/// Text borrowed from the command's own model where it can be, so a large
/// scan is not copied again to be written.
pub type Str<'a> = Cow<'a, str>;

/// What a rule says about itself, as the machine formats print it.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    pub id: String,
    /// An identifier-like name (`CIS-Docker-5.5`, `K8S001`).
    pub name: String,
    pub title: String,
    /// The rationale, or the title when there is none.
    pub description: String,
    pub help: String,
    pub severity: Severity,
    /// References, then `STRIDE:` categories.
    pub tags: Vec<String>,
}

/// A rule's id in `rules[]`: CIS Kubernetes ids are qualified
/// (`kubernetes:1.1.1`) because they collide with CIS Docker ones.
pub fn rule_id(m: &RuleMeta) -> String {
    match m.benchmark {
        Benchmark::CisKubernetes => format!("{}:{}", m.benchmark.slug(), m.id),
        _ => m.id.to_string(),
    }
}

impl From<&RuleMeta> for RuleInfo {
    fn from(m: &RuleMeta) -> Self {
        let name = match m.benchmark {
            Benchmark::CisDocker => format!("CIS-Docker-{}", m.id),
            Benchmark::CisKubernetes => format!("CIS-Kubernetes-{}", m.id),
            Benchmark::Shipshape => m.id.replace('-', ""),
        };
        let mut tags: Vec<String> = vec!["security".into()];
        tags.extend(m.references().iter().map(|r| r.label()));
        tags.extend(m.stride.iter().map(|s| format!("STRIDE:{}", s.name())));
        RuleInfo {
            id: rule_id(m),
            name,
            title: m.title.to_string(),
            description: if m.rationale.is_empty() {
                m.title.to_string()
            } else {
                m.rationale.to_string()
            },
            help: m.remediation.to_string(),
            severity: m.severity,
            tags,
        }
    }
}

/// Where a result points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loc<'a> {
    /// A file: relative to the scanned tree (`base` = `%SRCROOT%`) or an
    /// absolute path on the audited host (`base` = `None`, `file://` URI).
    File {
        path: Str<'a>,
        base: Option<&'static str>,
        region: Option<Region>,
    },
    /// Something without a file: a container, an image, a component.
    Logical { name: Str<'a>, kind: Str<'a> },
}

/// A span in a file: 1-based line and column (code points).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub line: u32,
    pub column: u32,
    /// Highlighted length in code points, when known.
    pub len: Option<u32>,
}

/// How a rule judged one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// Failed: a SARIF result of kind `fail`, a JUnit `<failure>`.
    Fail,
    /// Needs a person (manual check, open but unproven threat): SARIF kind
    /// `review`, JUnit `<skipped>`.
    Review,
    /// Not applicable: no SARIF result, JUnit `<skipped>`.
    Skip,
    /// Could not be evaluated: a SARIF tool notification, a JUnit `<error>`.
    Error,
}

/// One place a result points at, with the sentence that says what is wrong
/// there. A check with several offenders has one per offender.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    pub text: Str<'a>,
    pub loc: Loc<'a>,
    /// Other places that explain this one (SARIF `relatedLocations`), each
    /// with its own sentence: the anchor that defines an aliased value.
    pub related: Vec<Hit<'a>>,
}

/// One rule's result for one subject: an audit check, a scan finding, a
/// threat instance, or a file that could not be read.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    /// Index into [`Run::rules`]; `None` for problems no rule produced.
    pub rule: Option<usize>,
    pub verdict: Verdict,
    pub severity: Severity,
    /// One line: the check's message, the finding's message, the error.
    pub message: Str<'a>,
    /// Lines that explain the verdict (the offenders). Hits in a file
    /// region add their own `file:line:col: text` line in JUnit.
    pub details: Vec<Str<'a>>,
    pub hits: Vec<Hit<'a>>,
    /// Why an accepted result was silenced (suppression, waiver).
    pub suppressed: Option<Str<'a>>,
    /// What the result is about (`Deployment/web`), when it is not the location.
    pub object: Str<'a>,
    /// JUnit grouping: the suite (a CIS section, a file, a component) and
    /// the case's name and class.
    pub suite: Str<'a>,
    pub case: Str<'a>,
    pub classname: Str<'a>,
}

/// Everything one command produced, in the shape the machine formats need.
#[derive(Debug, Clone, Default)]
pub struct Run<'a> {
    /// `audit`, `scan`, `threats`.
    pub command: &'static str,
    pub rules: Vec<RuleInfo>,
    pub items: Vec<Item<'a>>,
    /// Problems that limited the run as a whole.
    pub notes: Vec<String>,
    /// Whether the run could do all it was asked to.
    pub complete: bool,
    /// When the input was collected (audit), for JUnit's `timestamp`.
    pub timestamp: Option<String>,
    /// The audited host, for JUnit's `hostname`.
    pub hostname: Option<String>,
    /// Extra facts for SARIF `run.properties`.
    pub properties: serde_json::Map<String, serde_json::Value>,
}

impl Run<'_> {
    pub fn new(command: &'static str) -> Self {
        Run {
            command,
            complete: true,
            ..Default::default()
        }
    }

    /// Add `meta` to `rules` unless it is there; its index.
    pub fn rule_index(&mut self, meta: &RuleMeta) -> usize {
        let id = rule_id(meta);
        match self.rules.iter().position(|r| r.id == id) {
            Some(i) => i,
            None => {
                self.rules.push(RuleInfo::from(meta));
                self.rules.len() - 1
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::findings::Stride;

    pub(crate) const META: RuleMeta = RuleMeta::own(
        "T-001",
        "A test rule",
        Severity::High,
        &[Stride::Tampering],
        &[],
        "Fix it.",
    );

    pub(crate) fn item(rule: Option<usize>, verdict: Verdict, suite: &str) -> Item<'_> {
        Item {
            rule,
            verdict,
            severity: Severity::High,
            message: format!("{verdict:?} <here>").into(),
            details: vec!["line & detail".into()],
            hits: vec![Hit {
                text: "at the place".into(),
                loc: Loc::File {
                    path: "/etc/a b".into(),
                    base: None,
                    region: None,
                },
                related: Vec::new(),
            }],
            suppressed: None,
            object: "".into(),
            suite: suite.into(),
            case: format!("case {verdict:?}").into(),
            classname: "c".into(),
        }
    }

    /// A run with one item of every verdict, plus a suppressed failure.
    pub(crate) fn sample() -> Run<'static> {
        let mut run = Run::new("test");
        let r = run.rule_index(&META);
        assert_eq!(run.rule_index(&META), r, "a rule is listed once");
        for v in [
            Verdict::Pass,
            Verdict::Fail,
            Verdict::Review,
            Verdict::Skip,
            Verdict::Error,
        ] {
            run.items.push(item(Some(r), v, "one"));
        }
        let mut s = item(Some(r), Verdict::Fail, "two");
        s.suppressed = Some("accepted risk".into());
        run.items.push(s);
        run
    }

    #[test]
    fn rule_info_comes_from_rule_meta() {
        let r = RuleInfo::from(&META);
        assert_eq!(r.name, "T001");
        assert_eq!(r.description, "A test rule", "no rationale: the title");
        assert_eq!(r.tags, ["security", "STRIDE:Tampering"]);
    }
}
