//! The JSON report of `shipshape scan` (layout version [`SCAN_SCHEMA_VERSION`]).

use crate::report::chunked;
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

/// Stream the JSON report to `out`. The two finding lists are formatted in
/// parallel ([`chunked`]); the bytes are those of
/// `serde_json::to_writer_pretty` on the whole report.
pub fn write(r: &ScanReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let envelope = serde_json::to_vec_pretty(&JsonReport {
        findings: &[],
        suppressed: &[],
        ..report(r)
    })?;
    let findings = |w: &mut dyn std::io::Write| list(&r.findings, w);
    let suppressed = |w: &mut dyn std::io::Write| list(&r.suppressed, w);
    chunked::splice(
        &envelope,
        &[("findings", 1, &findings), ("suppressed", 1, &suppressed)],
        out,
    )?;
    out.write_all(b"\n")
}

/// One finding list, as the elements of a top-level key's array.
fn list(items: &[ScanFinding], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    chunked::write_json_array(items, 1, w, |f, e| e.push(f))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The parallel writer gives serde_json's bytes for the whole report.
    #[test]
    fn same_bytes_as_one_serde_pass() {
        let dir = tempfile::tempdir().unwrap();
        let r = super::super::sample_report(dir.path(), 300);
        assert!(r.findings.len() > 600, "{}", r.findings.len());
        assert_eq!(r.suppressed.len(), 300);
        let mut expected = serde_json::to_vec_pretty(&report(&r)).unwrap();
        expected.push(b'\n');
        let mut got = Vec::new();
        write(&r, &mut got).unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }
}
