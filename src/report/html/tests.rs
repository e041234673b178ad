//! Unit tests of the HTML report: escaping by construction, redaction,
//! determinism. The browser tests are in tests/html_browser.rs.

use super::*;
use crate::report::Report;
use crate::rules::docker::fixtures;
use crate::rules::{self, EvalOptions};
use crate::threat::{analyze, build, Library};

const HOSTILE: &str = "<img src=x onerror=\"document.title='PWNED'\"></script><script>document.title='PWNED'</script>\u{1b}[31m\u{2028}";

fn hostile_snapshot() -> crate::snapshot::Snapshot {
    let mut s = fixtures::hardened();
    let c = fixtures::web(&mut s);
    c.name = format!("/{HOSTILE}");
    c.config.env = vec!["DB_PASSWORD=hunter2-secret-value".into()];
    c.host_config.privileged = true;
    s
}

fn render_all(generated: &str) -> String {
    let snap = hostile_snapshot();
    let checks: Vec<_> = rules::docker::checks().iter().collect();
    let eval = rules::evaluate(&snap, &EvalOptions::default(), &checks);
    let rep = Report::new(&snap, eval.findings.clone(), &eval.excluded);
    let model = {
        let mut m = build::from_snapshot_excluding(&snap, &[]);
        m.fill_defaults();
        m
    };
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &eval.findings, &[], 20_000);
    let opts = HtmlOptions {
        generated: generated.into(),
        diagram: DiagramEngine::Builtin,
    };
    render_report(
        &Combined {
            audit: Some(&rep),
            threats: Some(&a),
            scan: None,
        },
        &opts,
    )
}

#[test]
fn hostile_names_are_escaped_and_secrets_never_appear() {
    let html = render_all("T");
    assert!(!html.contains("template error"), "{html}");
    assert!(
        !html.contains("<img src=x"),
        "raw markup from a container name"
    );
    assert!(
        !html.contains("</script><script>document"),
        "script break-out"
    );
    assert!(!html.contains('\u{1b}'), "raw escape sequence");
    assert!(!html.contains("hunter2-secret-value"), "a secret's value");
    assert!(html.contains("&lt;img src=x") || html.contains("\\u003cimg src=x"));
    // Exactly our two script elements: the data and the app.
    assert_eq!(html.matches("<script").count(), 2);
}

#[test]
fn output_is_deterministic_apart_from_the_timestamp() {
    let a = render_all("2026-01-01T00:00:00Z");
    let b = render_all("2027-12-31T23:59:59Z");
    assert_ne!(a, b);
    let strip = |s: &str| {
        s.replace("2026-01-01T00:00:00Z", "")
            .replace("2027-12-31T23:59:59Z", "")
    };
    assert_eq!(strip(&a), strip(&b));
}

#[test]
fn the_script_hash_matches_the_inline_script() {
    let html = render_all("T");
    assert!(html.contains(&format!("script-src '{}'", script_hash())));
    assert!(html.contains(&format!("<script>{JS}</script>")));
    assert_eq!(base64(b"abc"), "YWJj");
    assert_eq!(base64(b"ab"), "YWI=");
}
