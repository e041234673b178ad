//! Per-item outcomes in the terminal and docker-bench reports, and hostile
//! host data in the terminal report.

use crate::findings::Outcome;
use crate::report::{docker_bench, text, Report};
use crate::rules::docker::fixtures::*;
use crate::rules::EvalOptions;

/// 5.4 over three containers: one fails (NET_ADMIN), one needs review
/// (drops nothing), one passes.
fn mixed() -> Report {
    let mut s = hardened();
    let e = engine_mut(&mut s);
    let mut review = good_container("review");
    review.id = "2".repeat(64);
    review.host_config.cap_drop.clear();
    review.host_config.cap_add.clear();
    let mut bad = good_container("bad\x1b]0;owned\x07");
    bad.id = "3".repeat(64);
    bad.host_config.cap_add = vec!["NET_ADMIN".into()];
    e.containers.push(review);
    e.containers.push(bad);
    let checks: Vec<_> = crate::rules::docker::checks()
        .iter()
        .filter(|c| c.id == "5.4")
        .collect();
    let opts = EvalOptions::default();
    let eval = crate::rules::evaluate(&s, &opts, &checks);
    Report::new(&s, eval.findings, &eval.excluded)
}

#[test]
fn text_marks_each_bullet_and_counts_both_kinds() {
    let r = mixed();
    assert_eq!(r.findings[0].outcome, Outcome::Fail);
    let t = text::audit::render(
        &r,
        &text::audit::TextOptions {
            color: false,
            remediation: false,
            verbose: false,
        },
    );
    assert!(t.contains("(1 fail, 1 need review)"), "{t}");
    let bullets: Vec<&str> = t.lines().filter(|l| l.contains("* [")).collect();
    assert_eq!(bullets.len(), 2, "{t}");
    assert!(bullets.iter().any(|l| l.contains("* [FAIL] container bad")));
    assert!(bullets
        .iter()
        .any(|l| l.contains("* [WARN] container review")));
    // The hostile name is shown, not interpreted.
    assert!(!t.contains('\x1b') && !t.contains('\x07'), "{t:?}");
    assert!(t.contains("bad\\x1b]0;owned\\x07"));
}

#[test]
fn docker_bench_items_hold_only_the_failing_items() {
    let r = mixed();
    let v: serde_json::Value = serde_json::from_str(&docker_bench::render(&r)).unwrap();
    let res = &v["tests"][0]["results"][0];
    assert_eq!(res["id"], "5.4");
    let items: Vec<&str> = res["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap())
        .collect();
    assert_eq!(items, vec!["bad\x1b]0;owned\x07"]);
}
