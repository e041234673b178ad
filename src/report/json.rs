//! shipshape's own JSON report. Its layout is documented by the JSON Schema
//! in `docs/schema/audit-report.v1.json`, and `schema_version` changes when
//! that layout changes incompatibly.

use super::Report;

pub fn render(report: &Report) -> String {
    // Serialising plain data structures cannot fail.
    serde_json::to_string_pretty(report).expect("report serialises") + "\n"
}
