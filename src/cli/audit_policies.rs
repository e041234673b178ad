//! CIS Kubernetes section 5 (policies) for `audit --cluster-objects DIR`:
//! the scanner's Kubernetes rules run over manifests or `kubectl get … -o
//! yaml` output, and each 5.x recommendation is judged by the scan rules
//! that cite it (their `refs`). All of section 5 is Manual in CIS 1.12, so a
//! hit is WARN (review), no hit is PASS, and an id no scan rule covers is
//! WARN saying what to review by hand.

use crate::findings::{Benchmark, Evidence, Finding, Outcome, Severity, Stride, Target};
use crate::rules::meta::Standard;
use crate::rules::registry;
use crate::scan::{scan, ScanFinding, ScanOptions};
use std::path::PathBuf;

/// CIS Kubernetes 1.12 section 5, with our own short titles.
const POLICIES: &[(&str, &str)] = &[
    ("5.1.1", "cluster-admin is bound only where required"),
    ("5.1.2", "Access to Secrets is minimal"),
    ("5.1.3", "Roles avoid wildcards"),
    ("5.1.4", "Pod creation rights are minimal"),
    ("5.1.5", "Default service accounts are not used"),
    (
        "5.1.6",
        "Service account tokens are mounted only where needed",
    ),
    ("5.1.7", "system:masters is not used"),
    ("5.1.8", "Bind, impersonate and escalate rights are limited"),
    ("5.1.9", "PersistentVolume creation rights are limited"),
    ("5.1.10", "Node proxy sub-resource access is limited"),
    ("5.1.11", "CSR approval rights are limited"),
    ("5.1.12", "Webhook configuration rights are limited"),
    (
        "5.1.13",
        "Service account token creation rights are limited",
    ),
    ("5.2.1", "A policy control mechanism is active"),
    ("5.2.2", "Privileged containers are minimised"),
    ("5.2.3", "Host PID namespace sharing is minimised"),
    ("5.2.4", "Host IPC namespace sharing is minimised"),
    ("5.2.5", "Host network sharing is minimised"),
    ("5.2.6", "allowPrivilegeEscalation is minimised"),
    ("5.2.7", "Root containers are minimised"),
    ("5.2.8", "NET_RAW capability is minimised"),
    ("5.2.9", "Added capabilities are minimised"),
    ("5.2.10", "Windows HostProcess containers are minimised"),
    ("5.2.11", "HostPath volumes are minimised"),
    ("5.2.12", "Host ports are minimised"),
    ("5.3.1", "The CNI supports NetworkPolicy"),
    ("5.3.2", "Every namespace has NetworkPolicies"),
    ("5.4.1", "Secrets are files, not environment variables"),
    ("5.4.2", "External secret storage is considered"),
    ("5.5.1", "Image provenance is enforced"),
    ("5.6.1", "Namespaces separate resources"),
    ("5.6.2", "Pods use the RuntimeDefault seccomp profile"),
    ("5.6.3", "Pods and containers set a security context"),
    ("5.6.4", "The default namespace is not used"),
];

/// Whether `sel` (an id or section) names a section 5 recommendation.
pub fn matches(sel: &str) -> bool {
    let sel = sel.trim().trim_end_matches('.');
    POLICIES
        .iter()
        .any(|(id, _)| *id == sel || id.starts_with(&format!("{sel}.")))
}

const REVIEW: &str =
    "Review the cluster's objects for this recommendation; no scan rule covers it.";

fn evidence(f: &ScanFinding) -> Evidence {
    Evidence::new(
        Target::File {
            path: f.file.clone(),
        },
        Outcome::Warn,
        format!("{} {}: {}", f.rule_id, f.object, f.message),
        "",
    )
    .with_source(format!("{}:{}:{}", f.file, f.line, f.column))
}

fn finding(id: &'static str, title: &'static str, hits: &[&ScanFinding], covered: bool) -> Finding {
    let first = hits.first();
    let (outcome, message) = match (covered, hits.len()) {
        (false, _) => (Outcome::Warn, REVIEW.to_string()),
        (true, 0) => (Outcome::Pass, "no scanned object breaks it".to_string()),
        (true, n) => (
            Outcome::Warn,
            format!("review (manual check): {n} scan finding(s)"),
        ),
    };
    Finding {
        id,
        benchmark: Benchmark::CisKubernetes,
        section: "5",
        title,
        automated: false,
        severity: hits
            .iter()
            .map(|h| h.severity)
            .max()
            .unwrap_or(Severity::Medium),
        stride: first.map_or(&[Stride::ElevationOfPrivilege][..], |h| h.stride),
        outcome,
        message,
        remediation: first.map_or(REVIEW, |h| h.remediation),
        evidence: hits.iter().map(|h| evidence(h)).collect(),
    }
}

/// Section 5 findings from scanning `dirs`, and the scan's file errors.
pub fn evaluate(dirs: &[PathBuf]) -> Result<(Vec<Finding>, Vec<String>), String> {
    let opts = ScanOptions {
        paths: dirs.to_vec(),
        ..ScanOptions::default()
    };
    let report = scan(&opts).map_err(|e| format!("--cluster-objects: {e}"))?;
    let mut out = Vec::new();
    for (id, title) in POLICIES {
        let rules: Vec<&str> = registry::manifest_rules()
            .filter(|r| r.meta.cis_ids(Standard::CisKubernetes).contains(id))
            .map(|r| r.meta.id)
            .collect();
        let hits: Vec<&ScanFinding> = report
            .findings
            .iter()
            .filter(|f| rules.contains(&f.rule_id))
            .collect();
        out.push(finding(id, title, &hits, !rules.is_empty()));
    }
    let errors = report.errors.iter().map(|e| e.render()).collect();
    Ok((out, errors))
}
