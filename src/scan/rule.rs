//! The rule type shared by every scan domain, its references to benchmarks
//! and guidance, and the sink a rule reports into.

use super::compose::ServiceView;
use super::dockerfile::Dockerfile;
use super::k8s::{Object, PodView};
use super::yaml::Pos;
use crate::findings::{Severity, Stride};
use serde::Serialize;

/// Which benchmark or guidance a reference points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Standard {
    #[serde(rename = "CIS Docker Benchmark 1.6.0")]
    CisDocker,
    #[serde(rename = "CIS Kubernetes Benchmark 1.12")]
    CisKubernetes,
    #[serde(rename = "Pod Security Standards (baseline)")]
    PssBaseline,
    #[serde(rename = "Pod Security Standards (restricted)")]
    PssRestricted,
    #[serde(rename = "NSA/CISA Kubernetes Hardening Guidance 1.2")]
    NsaCisa,
}

impl Standard {
    pub fn short(self) -> &'static str {
        match self {
            Standard::CisDocker => "CIS Docker 1.6",
            Standard::CisKubernetes => "CIS Kubernetes 1.12",
            Standard::PssBaseline => "PSS baseline",
            Standard::PssRestricted => "PSS restricted",
            Standard::NsaCisa => "NSA/CISA",
        }
    }
}

/// One reference: a benchmark id, a PSS control name or a guidance section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ref {
    pub standard: Standard,
    pub id: &'static str,
}

impl Ref {
    pub fn label(&self) -> String {
        format!("{} {}", self.standard.short(), self.id)
    }
}

pub const fn cis_docker(id: &'static str) -> Ref {
    Ref {
        standard: Standard::CisDocker,
        id,
    }
}
pub const fn cis_k8s(id: &'static str) -> Ref {
    Ref {
        standard: Standard::CisKubernetes,
        id,
    }
}
pub const fn pss_baseline(control: &'static str) -> Ref {
    Ref {
        standard: Standard::PssBaseline,
        id: control,
    }
}
pub const fn pss_restricted(control: &'static str) -> Ref {
    Ref {
        standard: Standard::PssRestricted,
        id: control,
    }
}
pub const fn nsa(section: &'static str) -> Ref {
    Ref {
        standard: Standard::NsaCisa,
        id: section,
    }
}

/// What kind of target a rule inspects; the engine runs a rule only on
/// targets of its kind.
#[derive(Clone, Copy)]
pub enum Check {
    /// Once per pod spec (a Pod, or the template of a workload kind).
    Pod(fn(&PodView, &mut Sink)),
    /// Once per Kubernetes object, whatever its kind (the rule filters).
    Object(fn(&Object, &mut Sink)),
    /// Once per Dockerfile.
    Dockerfile(fn(&Dockerfile, &mut Sink)),
    /// Once per compose service (after `extends` is resolved).
    Service(fn(&ServiceView, &mut Sink)),
    /// Raised by the engine itself (suppression problems).
    Engine,
}

/// The domain a rule belongs to (used for grouping and docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    Kubernetes,
    Dockerfile,
    Compose,
    Engine,
}

pub struct Rule {
    /// Stable id, e.g. `K8S-001`.
    pub id: &'static str,
    /// Our own short title.
    pub title: &'static str,
    pub domain: Domain,
    pub severity: Severity,
    pub stride: &'static [Stride],
    pub refs: &'static [Ref],
    pub remediation: &'static str,
    pub check: Check,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

/// A rule's report before the engine attaches file and metadata.
#[derive(Debug, Clone)]
pub struct Hit {
    pub pos: Pos,
    /// Length of the highlighted text in code points (at least 1).
    pub len: u32,
    pub message: String,
}

/// Where rules report. One sink per (rule, target).
#[derive(Default)]
pub struct Sink {
    pub hits: Vec<Hit>,
}

impl Sink {
    pub fn report(&mut self, pos: Pos, len: usize, message: impl Into<String>) {
        self.hits.push(Hit {
            pos,
            len: len.max(1) as u32,
            message: message.into(),
        });
    }
}
