//! Renderers for `shipshape scan` results. They format; they decide nothing.

pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;

/// Output formats of `shipshape scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    /// Findings with source snippets in rustc style (coloured on a terminal)
    Text,
    /// shipshape's versioned JSON report, including suppressed findings and their reasons
    Json,
    /// SARIF 2.1.0, for code-scanning UIs
    Sarif,
    /// JUnit XML: one test suite per file, one failing test case per finding
    Junit,
}

/// Render a report in `format`.
pub fn render(report: &crate::scan::ScanReport, format: ScanFormat, color: bool) -> String {
    match format {
        ScanFormat::Text => text::render(report, color),
        ScanFormat::Json => json::render(report),
        ScanFormat::Sarif => sarif::render(report),
        ScanFormat::Junit => junit::render(report),
    }
}

/// Write a report in `format` to `out` (streamed for the large formats).
pub fn write(
    report: &crate::scan::ScanReport,
    format: ScanFormat,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        ScanFormat::Text => text::write(report, color, out),
        ScanFormat::Json => json::write(report, out),
        ScanFormat::Sarif => sarif::write(report, out),
        ScanFormat::Junit => out.write_all(junit::render(report).as_bytes()),
    }
}
