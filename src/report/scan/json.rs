//! The JSON report of `shipshape scan` (layout version [`SCAN_SCHEMA_VERSION`]).

use crate::scan::{FileError, ScanFinding, ScanReport, ScanSummary, SCAN_SCHEMA_VERSION};
use serde::Serialize;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: &'static str,
    tool: Tool,
    summary: &'a ScanSummary,
    findings: &'a [ScanFinding],
    /// Findings silenced by a comment, annotation or label, with the reason.
    suppressed: &'a [ScanFinding],
    errors: &'a [FileError],
}

pub fn render(r: &ScanReport) -> String {
    let j = JsonReport {
        schema_version: SCAN_SCHEMA_VERSION,
        tool: Tool {
            name: "shipshape",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: &r.summary,
        findings: &r.findings,
        suppressed: &r.suppressed,
        errors: &r.errors,
    };
    let mut s =
        serde_json::to_string_pretty(&j).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}
