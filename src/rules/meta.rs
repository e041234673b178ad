//! The one rule metadata type. Every family — the CIS Docker host checks, the
//! manifest scan rules, the engine's own rules and the Kubernetes node checks
//! to come — embeds a [`RuleMeta`], so the catalogue, `shipshape rules`, SARIF
//! `rules[]`, the threat model's evidence and the remediation stage all read
//! the same fields.
//!
//! Everything here is `const`-constructible so rule files can declare their
//! rules as `static`s next to their logic.

use crate::findings::{Severity, Stride};
use serde::Serialize;

pub use crate::findings::Benchmark;

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
    #[serde(rename = "CWE")]
    Cwe,
}

impl Standard {
    pub fn short(self) -> &'static str {
        match self {
            Standard::CisDocker => "CIS Docker 1.6",
            Standard::CisKubernetes => "CIS Kubernetes 1.12",
            Standard::PssBaseline => "PSS baseline",
            Standard::PssRestricted => "PSS restricted",
            Standard::NsaCisa => "NSA/CISA",
            Standard::Cwe => "CWE",
        }
    }
}

/// One reference: a benchmark id, a PSS control name, a guidance section or
/// a CWE number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ref {
    pub standard: Standard,
    pub id: &'static str,
}

impl Ref {
    pub fn label(&self) -> String {
        match self.standard {
            Standard::Cwe => format!("CWE-{}", self.id),
            _ => format!("{} {}", self.standard.short(), self.id),
        }
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
/// A CWE entry, by number (`cwe("250")` is CWE-250).
pub const fn cwe(number: &'static str) -> Ref {
    Ref {
        standard: Standard::Cwe,
        id: number,
    }
}

/// How the remediation stage can act on a failing rule. The concrete,
/// host-specific action (the real path, the current value) is built by
/// `remediate/` from the finding and the snapshot; this says what kind of
/// change it is, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fix {
    /// Only prose: a person has to decide (a manual check, a design change).
    Manual,
    /// Add an audit watch on the path the check is about.
    AuditWatch,
    /// Set a daemon.json key to a JSON value.
    DaemonJson {
        key: &'static str,
        value: &'static str,
    },
    /// Tighten a file's permission bits to at most `max` (octal).
    FileMode { max: u32 },
    /// Give a file to `owner` (`user:group`).
    FileOwner { owner: &'static str },
    /// Set `NAME=value` in the host's `/etc/environment`.
    Environment {
        name: &'static str,
        value: &'static str,
    },
    /// Change the container's run options (recreate with a different flag).
    RunOption { flag: &'static str },
    /// Edit a manifest: set the key path (dot-separated, relative to the
    /// object the finding points at) to a value.
    ManifestSet {
        path: &'static str,
        value: &'static str,
    },
}

impl Fix {
    /// Whether a tool can apply this fix without a person's decision.
    pub fn is_automatic(&self) -> bool {
        !matches!(self, Fix::Manual | Fix::RunOption { .. })
    }
}

/// Everything a rule says about itself, whatever its family.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleMeta {
    /// Stable id: the CIS id for benchmark checks (`5.5`), or shipshape's own
    /// (`K8S-001`).
    pub id: &'static str,
    pub benchmark: Benchmark,
    /// Our own short title.
    pub title: &'static str,
    /// Why the rule matters, in our own words.
    pub rationale: &'static str,
    pub severity: Severity,
    pub stride: &'static [Stride],
    /// References beyond the rule's own benchmark id (which
    /// [`RuleMeta::references`] adds for benchmark checks).
    pub refs: &'static [Ref],
    pub remediation: &'static str,
    pub fix: Fix,
}

impl RuleMeta {
    /// A CIS Docker 1.6 check whose id is its CIS id.
    pub const fn cis_docker(
        id: &'static str,
        title: &'static str,
        severity: Severity,
        stride: &'static [Stride],
        remediation: &'static str,
    ) -> RuleMeta {
        RuleMeta {
            id,
            benchmark: Benchmark::CisDocker,
            title,
            rationale: "",
            severity,
            stride,
            refs: &[],
            remediation,
            fix: Fix::Manual,
        }
    }

    /// One of shipshape's own rules (scan or engine rules).
    pub const fn own(
        id: &'static str,
        title: &'static str,
        severity: Severity,
        stride: &'static [Stride],
        refs: &'static [Ref],
        remediation: &'static str,
    ) -> RuleMeta {
        RuleMeta {
            id,
            benchmark: Benchmark::Shipshape,
            title,
            rationale: "",
            severity,
            stride,
            refs,
            remediation,
            fix: Fix::Manual,
        }
    }

    pub const fn rationale(mut self, text: &'static str) -> RuleMeta {
        self.rationale = text;
        self
    }

    pub const fn refs(mut self, refs: &'static [Ref]) -> RuleMeta {
        self.refs = refs;
        self
    }

    pub const fn fix(mut self, fix: Fix) -> RuleMeta {
        self.fix = fix;
        self
    }

    /// Every reference, the rule's own benchmark id first.
    pub fn references(&self) -> Vec<Ref> {
        let own = match self.benchmark {
            Benchmark::CisDocker => Some(cis_docker(self.id)),
            Benchmark::CisKubernetes => Some(cis_k8s(self.id)),
            Benchmark::Shipshape => None,
        };
        own.into_iter().chain(self.refs.iter().copied()).collect()
    }

    /// The CIS ids this rule maps to, in `benchmark` (its own id for a CIS
    /// check, the cited ids for the scan rules).
    pub fn cis_ids(&self, benchmark: Standard) -> Vec<&'static str> {
        self.references()
            .into_iter()
            .filter(|r| r.standard == benchmark)
            .map(|r| r.id)
            .collect()
    }

    /// The section a dotted id belongs to (`5` for `5.5`); the family prefix
    /// for shipshape's own ids (`K8S` for `K8S-001`).
    pub fn section(&self) -> &'static str {
        match self.benchmark {
            Benchmark::Shipshape => self.id.split('-').next().unwrap_or(self.id),
            _ => self.id.split('.').next().unwrap_or(self.id),
        }
    }

    /// Whether `selector` names this rule: an exact id (any case), a dotted
    /// section prefix (`5` selects `5.x`, `1.1` selects `1.1.x`), or a family
    /// prefix (`K8S`, `DF`, `COMPOSE`).
    pub fn matches(&self, selector: &str) -> bool {
        let sel = selector.trim().trim_end_matches('.');
        if self.id.eq_ignore_ascii_case(sel) {
            return true;
        }
        match self.benchmark {
            Benchmark::Shipshape => self
                .id
                .split('-')
                .next()
                .is_some_and(|f| f.eq_ignore_ascii_case(sel)),
            _ => self.id.starts_with(sel) && self.id.as_bytes().get(sel.len()) == Some(&b'.'),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: RuleMeta = RuleMeta::cis_docker("5.5", "t", Severity::High, &[], "r")
        .refs(&[cwe("250")])
        .fix(Fix::FileMode { max: 0o644 });

    #[test]
    fn benchmark_checks_list_their_own_id_first() {
        let refs: Vec<String> = M.references().iter().map(|r| r.label()).collect();
        assert_eq!(refs, ["CIS Docker 1.6 5.5", "CWE-250"]);
        assert_eq!(M.cis_ids(Standard::CisDocker), ["5.5"]);
    }

    #[test]
    fn selectors_match_ids_sections_and_families() {
        assert!(M.matches("5"));
        assert!(M.matches("5.5"));
        assert!(!M.matches("5.50"));
        let own = RuleMeta::own("K8S-001", "t", Severity::High, &[], &[], "r");
        assert!(own.matches("k8s"));
        assert!(own.matches("K8S-001"));
        assert!(!own.matches("K8"));
        assert_eq!(own.section(), "K8S");
    }
}
