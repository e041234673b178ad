//! The threat library: versioned data, embedded at build time, extensible.
//!
//! Each threat says which components or flows it applies to through a small
//! declarative condition (component kinds, component facts, flow endpoints,
//! flow facts, boundary crossings). Nothing in a library is ever executed.

use super::model::{BoundaryKind, ComponentKind, Crossing, Fact};
use super::yaml::{self, Located};
use crate::findings::Stride;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The built-in library, as shipped.
pub const BUILTIN_SOURCE: &str = include_str!("library/builtin.yaml");
/// The name under which the built-in library reports its positions.
pub const BUILTIN_NAME: &str = "<builtin>/threat/library/builtin.yaml";
/// The second built-in file: ingress, datastores, secret stores, CI,
/// namespaces, admission webhooks and cloud metadata.
pub const PLATFORM_SOURCE: &str = include_str!("library/platform.yaml");
pub const PLATFORM_NAME: &str = "<builtin>/threat/library/platform.yaml";
/// Every built-in library file, loaded in this order.
pub const BUILTIN_FILES: [(&str, &str); 2] = [
    (BUILTIN_NAME, BUILTIN_SOURCE),
    (PLATFORM_NAME, PLATFORM_SOURCE),
];

/// How likely an attack is, before and after evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Likelihood {
    Unlikely,
    Likely,
    VeryLikely,
    Frequent,
}

impl Likelihood {
    pub fn weight(self) -> u8 {
        self as u8 + 1
    }
    pub fn raise(self) -> Self {
        match self {
            Likelihood::Unlikely => Likelihood::Likely,
            Likelihood::Likely => Likelihood::VeryLikely,
            _ => Likelihood::Frequent,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Likelihood::Unlikely => "unlikely",
            Likelihood::Likely => "likely",
            Likelihood::VeryLikely => "very-likely",
            Likelihood::Frequent => "frequent",
        }
    }
}

/// How bad a successful attack is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    Low,
    Medium,
    High,
    VeryHigh,
}

impl Impact {
    pub fn weight(self) -> u8 {
        self as u8 + 1
    }
    pub fn name(self) -> &'static str {
        match self {
            Impact::Low => "low",
            Impact::Medium => "medium",
            Impact::High => "high",
            Impact::VeryHigh => "very-high",
        }
    }
}

/// What a failing or passing evidence check does to a threat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceRole {
    /// The check tests the control itself on the same component: FAIL/WARN
    /// confirms the threat, PASS mitigates it.
    #[default]
    Confirms,
    /// A related control: FAIL/WARN raises the (residual) likelihood once and
    /// adds a note; it never opens, confirms or mitigates a threat.
    #[serde(alias = "raises")]
    Supports,
}

/// Which components a check may speak about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkScope {
    /// Only a component of the kind the check is about (a container check
    /// about a container, a daemon check about the daemon).
    #[default]
    Same,
    /// A host-wide setting (daemon default, audit rules) that applies to
    /// every component of the threat's kinds.
    HostWide,
}

/// One evidence link: a check (benchmark or scan rule id), or an observed
/// component fact, and what it does to the threat.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceCheck {
    /// A check id as shipshape reports it (`5.32`, `K8S-001`, later CIS
    /// Kubernetes node checks such as `1.2.1`). Empty when `fact` is given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub check: String,
    /// A component fact that is itself evidence (`privileged`): observed in a
    /// snapshot or manifest it confirms; written in a model file it is
    /// "declared" and asks for review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<String>,
    /// The fact value that is adverse (with `fact`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Fact>,
    /// A dependency scan as evidence (`pypi`): the known-vulnerable packages
    /// `threats --deps` found in the component's filesystem confirm the
    /// threat; a scanned component with none mitigates it as of the
    /// advisory index's date; an unscanned one leaves it not assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deps: Option<String>,
    #[serde(default)]
    pub role: EvidenceRole,
    #[serde(default)]
    pub scope: LinkScope,
    /// A failing link of this kind is a direct path to host or cluster
    /// takeover: only such evidence makes an instance critical.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub takeover: bool,
    /// One line: why this check says something about this threat.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub why: String,
}

impl EvidenceCheck {
    /// The check id, or `fact:NAME` for a fact link.
    pub fn key(&self) -> String {
        match (&self.fact, &self.deps) {
            (Some(f), _) => format!("fact:{f}"),
            (None, Some(d)) => format!("deps:{d}"),
            (None, None) => self.check.clone(),
        }
    }
}

/// A fact constraint: the fact must equal one of the listed values; `null`
/// in the list means "unknown" (the fact is unset).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FactMatch {
    One(Option<Fact>),
    Any(Vec<Option<Fact>>),
}

impl FactMatch {
    pub fn matches(&self, v: Option<&Fact>) -> bool {
        match self {
            FactMatch::One(x) => x.as_ref() == v,
            FactMatch::Any(xs) => xs.iter().any(|x| x.as_ref() == v),
        }
    }
}

/// A boundary crossing pattern: `container->host`, `*->host`, `any`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct CrossingPattern {
    pub from: Option<BoundaryKind>,
    pub to: Option<BoundaryKind>,
}

impl From<CrossingPattern> for String {
    fn from(c: CrossingPattern) -> String {
        c.to_string()
    }
}

impl fmt::Display for CrossingPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |k: Option<BoundaryKind>| k.map(|k| k.name()).unwrap_or("*");
        if self.from.is_none() && self.to.is_none() {
            return f.write_str("any");
        }
        write!(f, "{}->{}", side(self.from), side(self.to))
    }
}

impl<'de> Deserialize<'de> for CrossingPattern {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CrossingPattern::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl CrossingPattern {
    pub fn parse(s: &str) -> Result<Self, String> {
        if s == "any" {
            return Ok(CrossingPattern {
                from: None,
                to: None,
            });
        }
        let (a, b) = s.split_once("->").ok_or_else(|| {
            format!("crossing '{s}' must be 'any' or 'FROM->TO' with boundary kinds or '*'")
        })?;
        let kind = |x: &str| -> Result<Option<BoundaryKind>, String> {
            if x.trim() == "*" {
                return Ok(None);
            }
            serde_json::from_value(serde_json::Value::String(x.trim().to_string()))
                .map(Some)
                .map_err(|_| format!("unknown boundary kind '{x}' in crossing '{s}'"))
        };
        Ok(CrossingPattern {
            from: kind(a)?,
            to: kind(b)?,
        })
    }

    pub fn matches(&self, c: Option<Crossing>) -> bool {
        match c {
            None => false,
            Some(c) => {
                self.from.is_none_or(|k| c.from == Some(k))
                    && self.to.is_none_or(|k| c.to == Some(k))
            }
        }
    }
}

/// Which end of a flow a flow threat is recorded against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Anchor {
    From,
    #[default]
    To,
}

/// Conditions on a flow. Every given field must hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowCondition {
    /// Kinds of the source component (any when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from: Vec<ComponentKind>,
    /// Kinds of the destination component (any when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<ComponentKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crosses: Option<CrossingPattern>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<FactMatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticated: Option<FactMatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<FactMatch>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, FactMatch>,
    #[serde(default)]
    pub anchor: Anchor,
}

/// What a threat applies to: either components of some kinds (optionally
/// with facts), or flows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliesTo {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<ComponentKind>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, FactMatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<FlowCondition>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct References {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis_docker: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis_kubernetes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwe: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capec: Vec<String>,
    /// MITRE ATT&CK (containers matrix) technique ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attack: Vec<String>,
    /// Microsoft Threat Matrix for Kubernetes technique / mitigation ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ms_k8s: Vec<String>,
}

impl References {
    /// `label: a, b` pairs for the non-empty lists.
    pub fn groups(&self) -> Vec<(&'static str, &[String])> {
        [
            ("CIS Docker", self.cis_docker.as_slice()),
            ("CIS Kubernetes", &self.cis_kubernetes),
            ("CWE", &self.cwe),
            ("CAPEC", &self.capec),
            ("ATT&CK", &self.attack),
            ("MS K8s matrix", &self.ms_k8s),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect()
    }
}

/// One threat of a library.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threat {
    pub id: String,
    pub title: String,
    /// Short name of the attack surface this threat belongs to.
    pub surface: String,
    pub stride: Vec<Stride>,
    pub applies_to: AppliesTo,
    pub likelihood: Likelihood,
    pub impact: Impact,
    /// What goes wrong if the threat is realised.
    pub risk: String,
    /// Why the component is exposed to it.
    pub reason: String,
    pub prevention: Vec<String>,
    #[serde(default)]
    pub references: References,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceCheck>,
    /// Set when nothing shipshape reads can observe the control yet (e.g.
    /// image vulnerabilities before a dependency scan exists): the instance
    /// stays open as "not assessed" and is never mitigated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_assessed: Option<String>,
    /// The exact flag, command or manifest change that fixes it, for the
    /// report's top fixes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Threat {
    /// Denial of service alone: capped at high.
    pub fn is_dos_only(&self) -> bool {
        self.stride.iter().all(|s| *s == Stride::DenialOfService)
    }
}

/// A library file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryFile {
    pub library: String,
    pub version: String,
    #[serde(default)]
    pub description: Option<String>,
    pub threats: Vec<Located<Threat>>,
}

/// A loaded library: one or more files merged, later ids replacing earlier.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Library {
    /// `name@version` of every file that went in, in order.
    pub sources: Vec<LibrarySource>,
    pub threats: Vec<Threat>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LibrarySource {
    pub name: String,
    pub version: String,
    pub file: String,
}

impl Library {
    /// The built-in library alone: every file of [`BUILTIN_FILES`].
    pub fn builtin() -> Library {
        let mut l = Library::default();
        for (name, text) in BUILTIN_FILES {
            l.add_source(name, text)
                .expect("the built-in threat library is valid (tested)");
        }
        l
    }

    /// Load a library file and add it: threats with a new id are appended,
    /// threats with an id already present replace the earlier definition.
    pub fn add_file(&mut self, path: &std::path::Path) -> Result<(), String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read threat library {}: {e}", path.display()))?;
        self.add_source(&path.display().to_string(), &text)
    }

    pub fn add_source(&mut self, file: &str, text: &str) -> Result<(), String> {
        let lib: LibraryFile = yaml::parse(file, text)?;
        let mut seen = std::collections::HashSet::new();
        for t in &lib.threats {
            let at = |msg: String| format!("{file}:{}:{}: {msg}", t.line, t.column);
            let th = &t.value;
            if !seen.insert(th.id.clone()) {
                return Err(at(format!("threat id '{}' is defined twice", th.id)));
            }
            if th.id.is_empty() || th.id.contains(['@', ' ']) {
                return Err(at(format!(
                    "threat id '{}' must be non-empty without '@' or spaces",
                    th.id
                )));
            }
            if th.stride.is_empty() {
                return Err(at(format!("threat '{}' has no STRIDE category", th.id)));
            }
            let a = &th.applies_to;
            match (&a.flow, a.kinds.is_empty()) {
                (None, true) => {
                    return Err(at(format!(
                        "threat '{}' applies to nothing: give applies_to.kinds or applies_to.flow",
                        th.id
                    )))
                }
                (Some(_), false) => {
                    return Err(at(format!(
                        "threat '{}': applies_to takes kinds or flow, not both",
                        th.id
                    )))
                }
                _ => {}
            }
            if th.prevention.is_empty() {
                return Err(at(format!("threat '{}' has no prevention", th.id)));
            }
            for e in &th.evidence {
                let named = [!e.check.is_empty(), e.fact.is_some(), e.deps.is_some()];
                if named.iter().filter(|x| **x).count() != 1 {
                    return Err(at(format!(
                        "threat '{}': each evidence link names one check, fact or deps source",
                        th.id
                    )));
                }
            }
        }
        for t in lib.threats {
            let th = t.value;
            match self.threats.iter_mut().find(|x| x.id == th.id) {
                Some(slot) => *slot = th,
                None => self.threats.push(th),
            }
        }
        self.sources.push(LibrarySource {
            name: lib.library,
            version: lib.version,
            file: file.to_string(),
        });
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&Threat> {
        self.threats.iter().find(|t| t.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threat::model::Crossing;

    #[test]
    fn crossing_patterns_parse_and_match() {
        let p = CrossingPattern::parse("container->host").unwrap();
        let c = |a, b| {
            Some(Crossing {
                from: Some(a),
                to: Some(b),
            })
        };
        assert!(p.matches(c(BoundaryKind::Container, BoundaryKind::Host)));
        assert!(!p.matches(c(BoundaryKind::Host, BoundaryKind::Container)));
        assert!(!p.matches(None), "no crossing, no match");
        let any = CrossingPattern::parse("any").unwrap();
        assert!(any.matches(c(BoundaryKind::Internet, BoundaryKind::Host)));
        let to_host = CrossingPattern::parse("*->host").unwrap();
        assert!(to_host.matches(Some(Crossing {
            from: None,
            to: Some(BoundaryKind::Host)
        })));
        assert_eq!(to_host.to_string(), "*->host");
        assert!(CrossingPattern::parse("pod->host").is_err());
        assert!(CrossingPattern::parse("host").is_err());
    }

    #[test]
    fn fact_match_treats_null_as_unknown() {
        let m = FactMatch::Any(vec![Some(Fact::Bool(false)), None]);
        assert!(m.matches(None));
        assert!(m.matches(Some(&Fact::Bool(false))));
        assert!(!m.matches(Some(&Fact::Bool(true))));
        let one = FactMatch::One(Some(Fact::Str("docker-socket".into())));
        assert!(one.matches(Some(&Fact::Str("docker-socket".into()))));
        assert!(!one.matches(None));
    }
}
