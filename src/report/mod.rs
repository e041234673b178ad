//! The report layer. Renderers format; they decide nothing.
//!
//! Each command keeps its own model: the audit [`Report`] (here),
//! `scan::ScanReport` and `threat::Analysis`, each with its own versioned
//! JSON layout. For everything else they meet in one finding core
//! ([`core::Run`]), through one adapter each ([`audit::run`], [`scan::run`],
//! [`threat::run`]), so there is one SARIF writer ([`sarif`]), one JUnit
//! writer ([`junit`]) and one colour painter ([`text::Painter`]).

pub mod audit;
pub mod baseline;
pub mod chunked;
pub mod combined;
pub mod core;
pub mod deps;
pub mod docker_bench;
pub mod fingerprint;
pub mod html;
pub mod json;
pub mod junit;
pub mod kube_bench;
pub mod sarif;
pub mod scan;
pub mod text;
pub mod threat;
pub mod writeup;

use crate::findings::{Benchmark, Finding, Outcome};
use crate::snapshot::{Probe, Snapshot};
use serde::Serialize;

/// Version of the audit JSON report layout (`docs/schema/audit-report.v1.json`).
pub const REPORT_SCHEMA_VERSION: &str = "1";

/// Output formats of `shipshape audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    /// Grouped by section, coloured on a terminal
    Text,
    /// shipshape's versioned JSON report
    Json,
    /// The analysis write-up: per attack surface, its threats, the failed
    /// findings that prove them and the harden steps
    Markdown,
    /// The JSON layout docker-bench-security writes (FAIL becomes WARN)
    DockerBenchJson,
    /// SARIF 2.1.0, for code-scanning dashboards
    Sarif,
    /// JUnit XML: one test case per check, for CI test reports
    Junit,
    /// The JSON layout kube-bench writes (Controls / tests / results), for
    /// the Kubernetes audit
    KubeBenchJson,
    /// One self-contained HTML page: dashboard, sortable findings, harden plan
    Html,
}

/// Escape text for XML, dropping characters XML 1.0 cannot carry.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\t' | '\n' | '\r' => o.push(c),
            c if (c as u32) < 0x20 => {}
            c => o.push(c),
        }
    }
    o
}

/// The title of a finding's section in its own benchmark.
pub fn section_title_of(f: &Finding) -> &'static str {
    match f.benchmark {
        Benchmark::CisKubernetes => crate::rules::kubernetes_node::section_title(f.section),
        _ => section_title(f.section),
    }
}

/// Names of the CIS Docker Benchmark sections.
pub fn section_title(section: &str) -> &'static str {
    match section {
        "1" => "Host configuration",
        "2" => "Docker daemon configuration",
        "3" => "Docker daemon configuration files",
        "4" => "Container images and build files",
        "5" => "Container runtime",
        "6" => "Docker security operations",
        "7" => "Docker swarm configuration",
        _ => "Other",
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct HostIdentity {
    pub hostname: String,
    pub os: String,
    /// The audited filesystem root.
    pub root: String,
    pub docker_version: Option<String>,
    pub api_version: Option<String>,
    pub engine_endpoint: String,
    /// The daemon's ID from `/info`.
    pub daemon_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub total: usize,
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub info: usize,
    pub not_applicable: usize,
    pub error: usize,
    /// 100 × PASS / (PASS + FAIL), rounded; `null` when nothing was decided.
    /// WARN, INFO, N/A and ERROR do not move it, so no check scores for free.
    pub score: Option<u32>,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Self {
        let mut s = Summary {
            total: findings.len(),
            ..Default::default()
        };
        for f in findings {
            match f.outcome {
                Outcome::Pass => s.pass += 1,
                Outcome::Fail => s.fail += 1,
                Outcome::Warn => s.warn += 1,
                Outcome::Info => s.info += 1,
                Outcome::NotApplicable => s.not_applicable += 1,
                Outcome::Error => s.error += 1,
            }
        }
        let decided = s.pass + s.fail;
        s.score = (decided > 0).then(|| ((s.pass * 100 + decided / 2) / decided) as u32);
        s
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Excluded {
    pub name: String,
    pub reason: String,
}

/// One benchmark the audit covered, with its own counts.
#[derive(Debug, Clone, Serialize)]
pub struct BenchmarkRun {
    /// `CIS Docker`, `CIS Kubernetes`.
    pub name: &'static str,
    pub version: &'static str,
    /// The qualifier of its ids: `docker`, `kubernetes`.
    pub id_prefix: &'static str,
    pub summary: Summary,
}

/// Each audited benchmark with the counts of its own findings.
fn benchmark_runs(findings: &[Finding], benchmarks: &[Benchmark]) -> Vec<BenchmarkRun> {
    benchmarks
        .iter()
        .map(|b| BenchmarkRun {
            name: b.name(),
            version: b.version(),
            id_prefix: b.slug(),
            summary: Summary::of(
                &findings
                    .iter()
                    .filter(|f| f.benchmark == *b)
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
        })
        .collect()
}

/// `CIS Docker Benchmark 1.6.0 + CIS Kubernetes Benchmark 1.12`.
fn benchmark_label(benchmarks: &[Benchmark]) -> String {
    let names: Vec<&str> = benchmarks
        .iter()
        .map(|b| match b {
            Benchmark::CisDocker => "CIS Docker Benchmark 1.6.0",
            Benchmark::CisKubernetes => "CIS Kubernetes Benchmark 1.12",
            Benchmark::Shipshape => "shipshape",
        })
        .collect();
    names.join(" + ")
}

/// The audit report every renderer draws from.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: &'static str,
    pub tool: ToolInfo,
    pub benchmark: String,
    /// When the snapshot was collected (RFC 3339, UTC).
    pub timestamp: String,
    pub host: HostIdentity,
    pub summary: Summary,
    /// Each benchmark audited, in order, with its counts.
    pub benchmarks: Vec<BenchmarkRun>,
    /// The Kubernetes distribution profile, when Kubernetes was audited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes_profile: Option<String>,
    pub findings: Vec<Finding>,
    /// Containers left out of the container checks, and why.
    pub excluded_containers: Vec<Excluded>,
    /// Problems that limited the audit (e.g. the daemon was unreachable).
    pub errors: Vec<String>,
    /// Concrete, host-specific fixes for the failing checks (`remediate/`).
    pub remediation_plan: crate::remediate::Plan,
}

impl Report {
    /// `excluded` lists the containers the evaluation left out, with why.
    pub fn new(snap: &Snapshot, findings: Vec<Finding>, excluded: &[(String, String)]) -> Self {
        Self::for_targets(snap, findings, excluded, &[Benchmark::CisDocker])
    }

    /// A report over the given benchmarks (Docker, Kubernetes or both).
    /// Engine errors count only when Docker is audited; the Kubernetes
    /// collector's problems only when Kubernetes is.
    pub fn for_targets(
        snap: &Snapshot,
        findings: Vec<Finding>,
        excluded: &[(String, String)],
        benchmarks: &[Benchmark],
    ) -> Self {
        let docker = benchmarks.contains(&Benchmark::CisDocker);
        let kube = benchmarks.contains(&Benchmark::CisKubernetes);
        let excluded = excluded
            .iter()
            .map(|(n, r)| Excluded {
                name: n.clone(),
                reason: r.clone(),
            })
            .collect();
        let engine = snap.engine.ok();
        let mut errors = Vec::new();
        if let (true, Probe::Error(e)) = (docker, &snap.engine) {
            errors.push(e.clone());
        }
        if kube {
            errors.extend(
                snap.kubernetes
                    .errors
                    .iter()
                    .map(|e| format!("kubernetes: {e}")),
            );
        }
        let docker_findings: Vec<Finding> = findings
            .iter()
            .filter(|f| f.benchmark == Benchmark::CisDocker)
            .cloned()
            .collect();
        let runs = benchmark_runs(&findings, benchmarks);
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            tool: ToolInfo {
                name: "shipshape",
                version: env!("CARGO_PKG_VERSION"),
            },
            benchmark: benchmark_label(benchmarks),
            timestamp: snap.collected_at.clone(),
            host: HostIdentity {
                hostname: snap.host.hostname.clone(),
                os: snap.host.os.clone(),
                root: snap.root.clone(),
                docker_version: engine.map(|e| e.version.version.clone()),
                api_version: engine.map(|e| e.api_version.clone()),
                engine_endpoint: snap.daemon.socket.clone(),
                daemon_id: engine.map(|e| e.info.id.clone()),
            },
            summary: Summary::of(&findings),
            benchmarks: runs,
            kubernetes_profile: kube
                .then(|| {
                    snap.kubernetes
                        .profile
                        .map(|p| format!("{p:?}").to_lowercase())
                })
                .flatten(),
            remediation_plan: crate::remediate::plan(
                snap,
                &docker_findings,
                &crate::remediate::PlanOptions::default(),
            ),
            findings,
            excluded_containers: excluded,
            errors,
        }
    }
}

#[cfg(test)]
mod per_item_tests;
