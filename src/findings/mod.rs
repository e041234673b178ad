//! Findings: the vocabulary every stage after evaluation speaks.
//!
//! A rule produces a [`Verdict`] (an outcome, a one-line message and per-target
//! [`Evidence`]). The engine wraps it with the rule's metadata into a [`Finding`],
//! which the threat model, remediation and the renderers consume.

pub mod fingerprint;

use serde::{Deserialize, Serialize};
use std::fmt;

/// The result of evaluating one check.
///
/// `Error` means the data the check needs could not be read; it is never
/// folded into `Pass`. `NotApplicable` means the component the check is about
/// is absent (swarm off, file not installed), so it carries no score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    #[serde(rename = "N/A")]
    NotApplicable,
    Info,
    Pass,
    Warn,
    Error,
    Fail,
}

impl Outcome {
    /// Rank used to combine per-target outcomes: the worst one wins.
    /// The derived `Ord` follows declaration order, which is exactly this rank.
    pub fn worst(self, other: Outcome) -> Outcome {
        self.max(other)
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Warn => "WARN",
            Outcome::Info => "INFO",
            Outcome::NotApplicable => "N/A",
            Outcome::Error => "ERROR",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How much a failed check matters, from the rule's author. Config may override.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// STRIDE threat categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Stride {
    #[serde(rename = "spoofing", alias = "S")]
    Spoofing,
    #[serde(rename = "tampering", alias = "T")]
    Tampering,
    #[serde(rename = "repudiation", alias = "R")]
    Repudiation,
    #[serde(rename = "information_disclosure", alias = "I")]
    InformationDisclosure,
    #[serde(rename = "denial_of_service", alias = "D")]
    DenialOfService,
    #[serde(rename = "elevation_of_privilege", alias = "E")]
    ElevationOfPrivilege,
}

impl Stride {
    pub const ALL: [Stride; 6] = [
        Stride::Spoofing,
        Stride::Tampering,
        Stride::Repudiation,
        Stride::InformationDisclosure,
        Stride::DenialOfService,
        Stride::ElevationOfPrivilege,
    ];

    pub fn letter(self) -> char {
        match self {
            Stride::Spoofing => 'S',
            Stride::Tampering => 'T',
            Stride::Repudiation => 'R',
            Stride::InformationDisclosure => 'I',
            Stride::DenialOfService => 'D',
            Stride::ElevationOfPrivilege => 'E',
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Stride::Spoofing => "Spoofing",
            Stride::Tampering => "Tampering",
            Stride::Repudiation => "Repudiation",
            Stride::InformationDisclosure => "Information disclosure",
            Stride::DenialOfService => "Denial of service",
            Stride::ElevationOfPrivilege => "Elevation of privilege",
        }
    }
}

/// The catalogue a rule's id belongs to. Ids are unique within one
/// benchmark only (CIS Docker and CIS Kubernetes both have a `1.1.1`), so
/// findings are keyed by `(benchmark, id)`; where a bare id is ambiguous,
/// the qualified form `docker:1.1.1` / `kubernetes:1.1.1` selects (see
/// [`Benchmark::slug`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Benchmark {
    /// CIS Docker Benchmark 1.6.0; the rule id is the CIS id.
    CisDocker,
    /// CIS Kubernetes Benchmark; the rule id is the CIS id.
    CisKubernetes,
    /// shipshape's own rule set (scan rules, engine rules). CIS and other
    /// references are listed in [`RuleMeta::refs`].
    Shipshape,
}

impl Benchmark {
    /// Short key used to qualify an id: `docker`, `kubernetes`, `shipshape`.
    pub fn slug(self) -> &'static str {
        match self {
            Benchmark::CisDocker => "docker",
            Benchmark::CisKubernetes => "kubernetes",
            Benchmark::Shipshape => "shipshape",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Benchmark::CisDocker => "CIS Docker",
            Benchmark::CisKubernetes => "CIS Kubernetes",
            Benchmark::Shipshape => "shipshape",
        }
    }

    pub fn version(self) -> &'static str {
        match self {
            Benchmark::CisDocker => "1.6",
            Benchmark::CisKubernetes => "1.12",
            Benchmark::Shipshape => "1",
        }
    }
}

impl Serialize for Benchmark {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// What a piece of evidence is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    Host,
    Daemon,
    Container { id: String, name: String },
    Image { id: String, name: String },
    File { path: String },
    Network { id: String, name: String },
    Swarm,
}

impl Target {
    /// Short human label: a container or image name, a path, or the kind.
    pub fn label(&self) -> String {
        match self {
            Target::Host => "host".into(),
            Target::Daemon => "daemon".into(),
            Target::Container { name, .. } => name.clone(),
            Target::Image { name, .. } => name.clone(),
            Target::File { path } => path.clone(),
            Target::Network { name, .. } => name.clone(),
            Target::Swarm => "swarm".into(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Target::Host => "host",
            Target::Daemon => "daemon",
            Target::Container { .. } => "container",
            Target::Image { .. } => "image",
            Target::File { .. } => "file",
            Target::Network { .. } => "network",
            Target::Swarm => "swarm",
        }
    }
}

/// One observation backing a verdict: what was seen, what was expected, and
/// the outcome for this particular target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub target: Target,
    pub outcome: Outcome,
    /// What was observed, e.g. `HostConfig.Privileged=true` or `mode 0664`.
    pub observed: String,
    /// What a compliant system shows.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub expected: String,
    /// Where the observation came from (file:line, API field, flag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Evidence {
    pub fn new(
        target: Target,
        outcome: Outcome,
        observed: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Evidence {
            target,
            outcome,
            observed: observed.into(),
            expected: expected.into(),
            source: None,
        }
    }

    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }
}

/// What a rule returns: an outcome, a one-line message and its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub outcome: Outcome,
    pub message: String,
    pub evidence: Vec<Evidence>,
}

impl Verdict {
    pub fn new(outcome: Outcome, message: impl Into<String>) -> Self {
        Verdict {
            outcome,
            message: message.into(),
            evidence: Vec::new(),
        }
    }

    pub fn pass(message: impl Into<String>) -> Self {
        Self::new(Outcome::Pass, message)
    }
    pub fn fail(message: impl Into<String>) -> Self {
        Self::new(Outcome::Fail, message)
    }
    pub fn warn(message: impl Into<String>) -> Self {
        Self::new(Outcome::Warn, message)
    }
    pub fn info(message: impl Into<String>) -> Self {
        Self::new(Outcome::Info, message)
    }
    pub fn not_applicable(message: impl Into<String>) -> Self {
        Self::new(Outcome::NotApplicable, message)
    }
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Outcome::Error, message)
    }

    pub fn with(mut self, evidence: Evidence) -> Self {
        self.evidence.push(evidence);
        self
    }

    pub fn with_all(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.evidence.extend(evidence);
        self
    }

    /// Targets whose own outcome is not a pass: the offenders to list.
    pub fn offenders(&self) -> impl Iterator<Item = &Evidence> {
        self.evidence
            .iter()
            .filter(|e| matches!(e.outcome, Outcome::Fail | Outcome::Warn | Outcome::Error))
    }
}

/// A rule's verdict together with the rule's identity and guidance.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: &'static str,
    /// The catalogue `id` belongs to, serialised as two keys:
    /// `"benchmark": "CIS Docker", "benchmark_version": "1.6"`.
    #[serde(flatten, serialize_with = "ser_benchmark")]
    pub benchmark: Benchmark,
    pub section: &'static str,
    pub title: &'static str,
    pub automated: bool,
    pub severity: Severity,
    pub stride: &'static [Stride],
    pub outcome: Outcome,
    pub message: String,
    pub remediation: &'static str,
    pub evidence: Vec<Evidence>,
}

fn ser_benchmark<S: serde::Serializer>(b: &Benchmark, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("Benchmark", 2)?;
    st.serialize_field("benchmark", b.name())?;
    st.serialize_field("benchmark_version", b.version())?;
    st.end()
}

impl Finding {
    /// `docker:5.4` / `kubernetes:1.2.1`: unique across benchmarks.
    pub fn qualified_id(&self) -> String {
        format!("{}:{}", self.benchmark.slug(), self.id)
    }

    /// Targets whose own outcome is not a pass: the offenders to list.
    pub fn offenders(&self) -> impl Iterator<Item = &Evidence> {
        self.evidence
            .iter()
            .filter(|e| matches!(e.outcome, Outcome::Fail | Outcome::Warn | Outcome::Error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_outcome_prefers_fail_over_error_and_error_over_pass() {
        assert_eq!(Outcome::Pass.worst(Outcome::Fail), Outcome::Fail);
        assert_eq!(Outcome::Error.worst(Outcome::Fail), Outcome::Fail);
        assert_eq!(Outcome::Pass.worst(Outcome::Error), Outcome::Error);
        assert_eq!(Outcome::NotApplicable.worst(Outcome::Pass), Outcome::Pass);
        assert_eq!(Outcome::Info.worst(Outcome::Warn), Outcome::Warn);
    }

    #[test]
    fn outcomes_serialise_as_upper_case_labels() {
        let s = serde_json::to_string(&[Outcome::NotApplicable, Outcome::Fail]).unwrap();
        assert_eq!(s, r#"["N/A","FAIL"]"#);
    }
}
