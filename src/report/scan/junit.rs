//! JUnit XML: one `<testsuite>` per scanned file with one failing
//! `<testcase>` per finding (a clean file gets one passing case); files that
//! could not be scanned get an `<error>` case.

use crate::scan::ScanReport;
use std::collections::BTreeMap;
use std::fmt::Write;

use crate::report::xml_escape as esc;

pub fn render(r: &ScanReport) -> String {
    let mut suites: BTreeMap<&str, (Vec<String>, usize, usize)> = BTreeMap::new();
    for (file, _) in &r.files {
        suites.entry(file.as_str()).or_default();
    }
    for f in &r.findings {
        let e = suites.entry(f.file.as_str()).or_default();
        let mut case = String::new();
        let _ = write!(
            case,
            "    <testcase name=\"{} {}:{}\" classname=\"{}\">\n      <failure message=\"{}\" type=\"{}\">{}:{}:{}: {}\nrule: {}\nhelp: {}</failure>\n    </testcase>\n",
            esc(f.rule_id),
            f.line,
            f.column,
            esc(&f.file),
            esc(&f.message),
            f.severity.label(),
            esc(&f.file),
            f.line,
            f.column,
            esc(&f.message),
            esc(f.title),
            esc(f.remediation),
        );
        e.0.push(case);
        e.1 += 1;
    }
    for err in &r.errors {
        let case = format!(
            "    <testcase name=\"scan\" classname=\"{}\">\n      <error message=\"{}\">{}</error>\n    </testcase>\n",
            esc(&err.file),
            esc(&err.message),
            esc(&err.render()),
        );
        let e = suites.entry(err.file.as_str()).or_default();
        e.0.push(case);
        e.2 += 1;
    }
    let total_cases: usize = suites.values().map(|s| s.0.len().max(1)).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"shipshape scan\" tests=\"{total_cases}\" failures=\"{}\" errors=\"{}\">",
        r.findings.len(),
        r.errors.len()
    );
    for (file, (cases, failures, errors)) in &suites {
        let tests = cases.len().max(1);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">",
            esc(file)
        );
        if cases.is_empty() {
            let _ = writeln!(
                out,
                "    <testcase name=\"no misconfigurations\" classname=\"{}\"/>",
                esc(file)
            );
        }
        for c in cases {
            out.push_str(c);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
