//! JUnit XML for the host audit: one `<testsuite>` per CIS section and one
//! `<testcase>` per check. FAIL is a `<failure>` listing the offenders,
//! ERROR an `<error>` with the reason, WARN (manual or needs review) and N/A
//! are `<skipped>` with the reason, PASS and INFO pass.

use super::{section_title, xml_escape as esc, Report};
use crate::findings::Outcome;
use std::fmt::Write;

pub fn render(report: &Report) -> String {
    let mut sections: Vec<(&str, Vec<&crate::findings::Finding>)> = Vec::new();
    for f in &report.findings {
        match sections.iter_mut().find(|(s, _)| *s == f.section) {
            Some((_, v)) => v.push(f),
            None => sections.push((f.section, vec![f])),
        }
    }
    let count = |o: Outcome| report.findings.iter().filter(|f| f.outcome == o).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"shipshape audit\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" timestamp=\"{}\">",
        report.findings.len(),
        count(Outcome::Fail),
        count(Outcome::Error),
        count(Outcome::Warn) + count(Outcome::NotApplicable),
        esc(&report.timestamp)
    );
    for (section, findings) in sections {
        let c = |o: Outcome| findings.iter().filter(|f| f.outcome == o).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{} {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" hostname=\"{}\">",
            section,
            esc(section_title(section)),
            findings.len(),
            c(Outcome::Fail),
            c(Outcome::Error),
            c(Outcome::Warn) + c(Outcome::NotApplicable),
            esc(&report.host.hostname)
        );
        for f in findings {
            let _ = write!(
                out,
                "    <testcase name=\"{} {}\" classname=\"cis-docker-1.6.section-{}\"",
                esc(f.id),
                esc(f.title),
                section
            );
            let details = || {
                let mut d = String::new();
                for e in f.offenders() {
                    let _ = writeln!(
                        d,
                        "{} {}: {}",
                        e.target.kind(),
                        e.target.label(),
                        e.observed
                    );
                }
                let _ = write!(d, "remediation: {}", f.remediation);
                esc(&d)
            };
            match f.outcome {
                Outcome::Pass | Outcome::Info => out.push_str("/>\n"),
                Outcome::Fail => {
                    let _ = write!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"FAIL\">{}</failure>\n    </testcase>\n",
                        esc(&f.message),
                        details()
                    );
                }
                Outcome::Error => {
                    let _ = write!(
                        out,
                        ">\n      <error message=\"{}\" type=\"ERROR\"/>\n    </testcase>\n",
                        esc(&f.message)
                    );
                }
                Outcome::Warn | Outcome::NotApplicable => {
                    let why = if f.outcome == Outcome::Warn {
                        "needs review"
                    } else {
                        "not applicable"
                    };
                    let _ = write!(
                        out,
                        ">\n      <skipped message=\"{why}: {}\"/>\n    </testcase>\n",
                        esc(&f.message)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
