//! The `deps` report: versioned JSON (`docs/schema/deps-report.v1.json`),
//! terminal text and SARIF 2.1.0.

use super::cvss::Level;
use super::db::Source;
use super::matcher::{Finding, Status, Unmatched};
use super::{escape, InputError, Origin};
use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "shipshape-deps-report";
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DbInfo {
    pub path: String,
    pub built: String,
    pub age_days: f64,
    /// Older than `--max-db-age`.
    pub stale: bool,
    pub advisories: usize,
    pub sources: Vec<Source>,
}

/// A package installed by the distribution, listed and not matched.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DistroPackage {
    pub package: String,
    pub version: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DepsReport {
    pub schema: String,
    pub schema_version: u32,
    pub tool_version: String,
    pub generated: String,
    pub db: DbInfo,
    /// Files, directories, `image:REF` and `container:NAME` scanned.
    pub inputs: Vec<String>,
    /// Packages matched (distro-owned ones excluded).
    pub packages_scanned: usize,
    pub findings: Vec<Finding>,
    /// Findings left out by `--ignore`, with the id that matched.
    pub suppressed: Vec<Suppressed>,
    pub distro_owned: Vec<DistroPackage>,
    pub unmatched: Vec<Unmatched>,
    pub errors: Vec<InputError>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Suppressed {
    pub package: String,
    pub ids: Vec<String>,
    pub origin: Origin,
    pub by: String,
}

pub fn to_json(r: &DepsReport) -> String {
    let mut s = serde_json::to_string_pretty(r).expect("report serialises");
    s.push('\n');
    s
}

fn level_text(l: Level) -> &'static str {
    l.label()
}

pub fn to_text(r: &DepsReport) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    for w in &r.warnings {
        let _ = writeln!(o, "warning: {}", escape(w));
    }
    let _ = writeln!(
        o,
        "advisory index: {} advisories, built {} ({:.1} days ago)",
        r.db.advisories,
        escape(&r.db.built),
        r.db.age_days
    );
    for f in &r.findings {
        let what = match f.status {
            Status::Vulnerable => format!(
                "{} {}",
                escape(&f.raw_name),
                escape(f.installed.as_deref().unwrap_or(""))
            ),
            Status::MayResolveVulnerable => {
                let spec = f.specifier.as_deref().unwrap_or("");
                format!(
                    "{} {} may resolve to a vulnerable version",
                    escape(&f.raw_name),
                    if spec.is_empty() {
                        "(any version)".to_string()
                    } else {
                        escape(spec)
                    }
                )
            }
        };
        let sev = match f.severity.score {
            Some(s) => format!("{} {s:.1}", level_text(f.severity.level)),
            None => level_text(f.severity.level).to_string(),
        };
        let _ = writeln!(o, "\n{}  [{sev}]", what);
        let _ = writeln!(o, "  at:       {}", escape(&f.origin.to_string()));
        let _ = writeln!(o, "  advisory: {}", escape(&f.ids.join(", ")));
        if !f.summary.is_empty() {
            let _ = writeln!(o, "  summary:  {}", escape(&f.summary));
        }
        match &f.fixed {
            Some(x) => {
                let _ = writeln!(o, "  fixed in: {}", escape(x));
            }
            None => {
                let _ = writeln!(o, "  fixed in: (no fixed release known)");
            }
        }
        let _ = writeln!(o, "  fix:      {}", escape(&f.remediation));
    }
    if !r.distro_owned.is_empty() {
        let _ = writeln!(
            o,
            "\n{} distribution-owned package(s) not matched against PyPI advisories (patched by the distribution's own updates):",
            r.distro_owned.len()
        );
        for d in &r.distro_owned {
            let _ = writeln!(
                o,
                "  {} {}  ({})",
                escape(&d.package),
                escape(&d.version),
                escape(&d.origin.to_string())
            );
        }
    }
    for u in &r.unmatched {
        let _ = writeln!(
            o,
            "not matched: {} at {}: {}",
            escape(&u.package),
            escape(&u.origin.to_string()),
            escape(&u.reason)
        );
    }
    for e in &r.errors {
        let _ = writeln!(o, "error: {}", escape(&e.to_string()));
    }
    let vulnerable = r
        .findings
        .iter()
        .filter(|f| f.status == Status::Vulnerable)
        .count();
    let _ = writeln!(
        o,
        "\n{} package(s) scanned: {} vulnerable, {} may resolve to a vulnerable version, {} suppressed, {} error(s)",
        r.packages_scanned,
        vulnerable,
        r.findings.len() - vulnerable,
        r.suppressed.len(),
        r.errors.len()
    );
    o
}
