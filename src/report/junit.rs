//! The one JUnit XML writer, over a [`Run`]: one `<testsuite>` per suite
//! name in order of first appearance (a CIS section, a scanned file, a
//! component), one `<testcase>` per item. FAIL is a `<failure>` whose body
//! lists the details, the rule and its remediation; ERROR an `<error>`;
//! needs-review, not-applicable and suppressed items are `<skipped>` with
//! the reason; PASS passes.

use super::core::{Item, Loc, Run, Verdict};
use super::xml_escape as esc;
use std::fmt::Write;

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn of<'a, 'b: 'a>(items: impl IntoIterator<Item = &'a Item<'b>>) -> Counts {
        let mut c = Counts::default();
        for i in items {
            c.tests += 1;
            match (i.verdict, &i.suppressed) {
                (_, Some(_)) | (Verdict::Review | Verdict::Skip, None) => c.skipped += 1,
                (Verdict::Fail, None) => c.failures += 1,
                (Verdict::Error, None) => c.errors += 1,
                (Verdict::Pass, None) => {}
            }
        }
        c
    }

    fn attrs(&self) -> String {
        format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

/// The items of each suite, suites in order of first appearance.
fn suites<'a>(run: &'a Run<'_>) -> Vec<(&'a str, Vec<&'a Item<'a>>)> {
    let mut out: Vec<(&str, Vec<&Item>)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for item in &run.items {
        let i = *index.entry(item.suite.as_ref()).or_insert_with(|| {
            out.push((item.suite.as_ref(), Vec::new()));
            out.len() - 1
        });
        out[i].1.push(item);
    }
    out
}

/// The body of a `<failure>`: details, each hit in a file region as
/// `file:line:col: text`, then the rule and its help.
fn body(run: &Run<'_>, item: &Item<'_>) -> String {
    let mut d = String::new();
    for line in &item.details {
        let _ = writeln!(d, "{line}");
    }
    for hit in &item.hits {
        if let Loc::File {
            path,
            region: Some(r),
            ..
        } = &hit.loc
        {
            let _ = writeln!(d, "{path}:{}:{}: {}", r.line, r.column, hit.text);
        }
    }
    if let Some(r) = item.rule.map(|i| &run.rules[i]) {
        let _ = write!(d, "rule: {}\nhelp: {}", r.title, r.help);
    }
    esc(d.trim_end())
}

fn case(out: &mut String, run: &Run<'_>, item: &Item<'_>) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\"",
        esc(&item.case),
        esc(&item.classname)
    );
    let msg = esc(&item.message);
    let inner = match (item.verdict, &item.suppressed) {
        (_, Some(why)) => format!("<skipped message=\"suppressed: {}\"/>", esc(why)),
        (Verdict::Pass, None) => return out.push_str("/>\n"),
        (Verdict::Fail, None) => format!(
            "<failure message=\"{msg}\" type=\"{}\">{}</failure>",
            item.severity.label(),
            body(run, item)
        ),
        (Verdict::Error, None) if item.details.is_empty() => {
            format!("<error message=\"{msg}\" type=\"ERROR\"/>")
        }
        (Verdict::Error, None) => format!(
            "<error message=\"{msg}\" type=\"ERROR\">{}</error>",
            esc(&item.details.join("\n"))
        ),
        (Verdict::Review, None) => format!("<skipped message=\"needs review: {msg}\"/>"),
        (Verdict::Skip, None) => format!("<skipped message=\"not applicable: {msg}\"/>"),
    };
    let _ = write!(out, ">\n      {inner}\n    </testcase>\n");
}

/// The JUnit XML document of `run`.
pub fn render(run: &Run<'_>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let stamp = run
        .timestamp
        .as_deref()
        .map(|t| format!(" timestamp=\"{}\"", esc(t)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<testsuites name=\"shipshape {}\" {}{stamp}>",
        run.command,
        Counts::of(&run.items).attrs()
    );
    let host = run
        .hostname
        .as_deref()
        .map(|h| format!(" hostname=\"{}\"", esc(h)))
        .unwrap_or_default();
    for (name, items) in suites(run) {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" {}{host}>",
            esc(name),
            Counts::of(items.iter().copied()).attrs()
        );
        for item in items {
            case(&mut out, run, item);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::super::core::tests::sample;

    #[test]
    fn each_verdict_has_its_element_and_the_counts_add_up() {
        let xml = super::render(&sample());
        assert!(xml.contains(
            "<testsuites name=\"shipshape test\" tests=\"6\" failures=\"1\" errors=\"1\" skipped=\"3\">"
        ));
        assert!(xml.contains("<testsuite name=\"one\" tests=\"5\""));
        assert!(xml.contains("<testcase name=\"case Pass\" classname=\"c\"/>"));
        assert!(xml.contains("<failure message=\"Fail &lt;here&gt;\" type=\"high\">line &amp; detail\nrule: A test rule\nhelp: Fix it.</failure>"));
        assert!(xml.contains("<skipped message=\"needs review: Review &lt;here&gt;\"/>"));
        assert!(xml.contains("<skipped message=\"not applicable: Skip &lt;here&gt;\"/>"));
        assert!(xml.contains(
            "<error message=\"Error &lt;here&gt;\" type=\"ERROR\">line &amp; detail</error>"
        ));
        assert!(xml.contains("<skipped message=\"suppressed: accepted risk\"/>"));
    }
}
