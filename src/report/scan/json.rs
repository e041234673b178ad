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

/// Stream the JSON report to `out`.
pub fn write(r: &ScanReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report(r))?;
    out.write_all(b"\n")
}

pub fn render(r: &ScanReport) -> String {
    let mut v = Vec::new();
    let _ = write(r, &mut v);
    String::from_utf8_lossy(&v).into_owned()
}

fn report(r: &ScanReport) -> JsonReport<'_> {
    JsonReport {
        schema_version: SCAN_SCHEMA_VERSION,
        tool: Tool {
            name: "shipshape",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: &r.summary,
        findings: &r.findings,
        suppressed: &r.suppressed,
        errors: &r.errors,
    }
}
