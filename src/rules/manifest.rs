//! Manifest rules (Kubernetes, Dockerfile, compose): what each inspects, and
//! the sink it reports into. Their metadata is the shared [`RuleMeta`].

use crate::manifest::compose::ServiceView;
use crate::manifest::dockerfile::Dockerfile;
use crate::manifest::k8s::{Object, PodView};
use crate::manifest::yaml::Pos;
use serde::Serialize;

pub use super::meta::{
    cis_docker, cis_k8s, cwe, nsa, pss_baseline, pss_restricted, Benchmark, Fix, Ref, RuleMeta,
    Standard,
};

/// What kind of target a rule inspects; the engine runs a rule only on
/// targets of its kind.
#[derive(Clone, Copy)]
pub enum Subject {
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

/// A manifest rule: its metadata, its domain and what it inspects.
pub struct Rule {
    pub meta: RuleMeta,
    pub domain: Domain,
    pub subject: Subject,
}

impl std::ops::Deref for Rule {
    type Target = RuleMeta;
    fn deref(&self) -> &RuleMeta {
        &self.meta
    }
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
