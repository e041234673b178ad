//! The Markdown report leads with what matters and stays short: a top-10 of
//! fixes by score, one entry per threat with grouped observations, a
//! checklist appendix for model-only threats, host data escaped.

mod threat_support;

use shipshape::threat::build::from_snapshot;
use shipshape::threat::render::markdown;
use shipshape::threat::{analyze, Library};
use threat_support::*;

fn report(containers: &[(String, &str)]) -> String {
    let snap = fleet_snapshot(containers);
    let findings = real_findings(&snap);
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &findings, &[], 0);
    markdown::render(&a)
}

#[test]
fn thirty_containers_fit_in_under_600_lines_and_lead_with_fixes() {
    let md = report(&fleet30());
    if let Ok(p) = std::env::var("WRITE_REPORT") {
        std::fs::write(p, &md).unwrap();
    }
    let lines = md.lines().count();
    assert!(lines < 600, "{lines} lines");
    // The first section is the top fixes, socket escapes first.
    let first_h2 = md.lines().find(|l| l.starts_with("## ")).unwrap();
    assert_eq!(first_h2, "## Top fixes");
    let fixes: Vec<&str> = md
        .lines()
        .skip_while(|l| *l != "## Top fixes")
        .skip(2)
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(fixes.len() >= 5 && fixes.len() <= 10, "{fixes:#?}");
    assert!(
        fixes[0].starts_with("1. **critical 16** Container escape"),
        "{}",
        fixes[0]
    );
    assert!(fixes[0].contains("`sock`") && fixes[0].contains("`sock-3`"));
    assert!(
        fixes[0].contains("docker.sock"),
        "exact change named: {}",
        fixes[0]
    );
    // Observations are grouped: one line for the memory limit across the
    // defaults, not 27 repeated entries.
    let mem: Vec<&str> = md
        .lines()
        .filter(|l| l.contains("Container memory is limited"))
        .collect();
    assert_eq!(
        mem.iter().filter(|l| l.contains("FAIL")).count(),
        1,
        "{mem:#?}"
    );
    assert!(
        mem.iter()
            .any(|l| l.contains("FAIL") && l.contains(": 29 component(s)")),
        "{mem:#?}"
    );
    // Each prevention appears once per threat, not once per container.
    assert!(md.matches("--privileged").count() < 6);
    // Model-only threats go to the checklist appendix.
    assert!(md.contains("## Appendix: checklist of threats nothing observed"));
    assert!(md.contains("- [ ] "));
}

#[test]
fn ten_containers_name_the_socket_escape_first() {
    let md = report(&fleet10());
    let top = md.lines().find(|l| l.starts_with("1. ")).unwrap();
    assert!(top.contains("critical") && top.contains("`sock`"), "{top}");
    let second = md.lines().find(|l| l.starts_with("2. ")).unwrap();
    assert!(second.contains("`sys-admin`"), "{second}");
    assert!(!md
        .lines()
        .take_while(|l| !l.starts_with("## Summary"))
        .any(|l| l.contains("`hardened`")));
}

#[test]
fn hostile_container_names_are_escaped() {
    let evil = "x`](http://e)<b>\u{1b}[31m|*".to_string();
    let md = report(&[(evil.clone(), "socket")]);
    assert!(!md.contains('\u{1b}'), "control character leaked");
    assert!(!md.contains("<b>") || md.contains("\\<b\\>") || md.contains("``"));
    assert!(md.contains("\\x1b"), "the escape is shown visibly");
    // The name only ever appears inside a code span.
    let mut seen = 0;
    for l in md.lines().filter(|l| l.contains("(http://e)")) {
        seen += 1;
        for (k, seg) in l.split("``").enumerate() {
            assert!(k % 2 == 1 || !seg.contains("(http://e)"), "unfenced: {l}");
        }
    }
    assert!(seen > 0, "the name is reported");
}
