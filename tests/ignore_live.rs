//! The ignore file on a live audit: a labelled container without a memory
//! limit on this machine's Docker daemon fails 5.11; an entry scoped to it
//! ignores that one offender (listed, in SARIF as an external suppression),
//! and once the entry has expired the FAIL is raised again with a note. The
//! container is removed when the test ends, even on failure.

mod support;

use serde_json::Value;
use support::*;

fn audit(dir: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec!["audit", "--snapshot", "snap.json", "-c", "5.11"];
    args.extend(extra);
    let o = shipshape_in(dir, &[], &args);
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn an_expired_entry_raises_the_container_finding_again() {
    let mut lab = Lab::new("ignore");
    let image = lab.image("plain", "/app", &["USER 10001"]);
    let name = lab.run("nomem", &[], &image);
    let dir = lab.dir.path().to_path_buf();
    let o = shipshape_in(&dir, &[], &["collect", "-o", "snap.json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let entry = |expires: &str| {
        format!(
            "ignore:\n  - id: docker:5.11\n    scope: {{container: \"{name}\", image: \"{image}\"}}\n    reason: batch job, limited by its cgroup parent\n    expires: {expires}\n"
        )
    };
    let ignore = dir.join(".shipshape-ignore.yaml");

    std::fs::write(&ignore, entry("2999-01-01")).unwrap();
    let v = audit(&dir, &["-f", "json"]);
    assert_eq!(outcome_for(&v, "5.11", &name).as_deref(), Some("INFO"));
    let ev = finding(&v, "5.11")["evidence"].to_string();
    assert!(ev.contains("ignored: batch job"), "{ev}");
    assert_eq!(v["ignore"]["count"], 1);
    assert_eq!(v["ignore"]["ignored"][0]["target"]["name"], name.as_str());
    assert!(!v["fingerprints"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["target"]["name"] == name.as_str()));
    let s = audit(&dir, &["-f", "sarif"]);
    let sup: Vec<&Value> = s["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(sup.len(), 1, "{sup:#?}");
    assert_eq!(sup[0]["ruleId"], "5.11");
    assert_eq!(sup[0]["suppressions"][0]["kind"], "external");
    assert_eq!(
        sup[0]["suppressions"][0]["justification"],
        "batch job, limited by its cgroup parent"
    );
    let o = shipshape_in(
        &dir,
        &[],
        &[
            "audit",
            "--snapshot",
            "snap.json",
            "-c",
            "5.11",
            "-f",
            "junit",
        ],
    );
    let xml = String::from_utf8_lossy(&o.stdout);
    assert!(
        xml.contains("<skipped message=\"suppressed: batch job, limited by its cgroup parent\"/>"),
        "{xml}"
    );

    std::fs::write(&ignore, entry("2020-06-30")).unwrap();
    let v = audit(&dir, &["-f", "json"]);
    assert_eq!(outcome_for(&v, "5.11", &name).as_deref(), Some("FAIL"));
    assert_eq!(finding(&v, "5.11")["outcome"], "FAIL");
    let ev = finding(&v, "5.11")["evidence"].to_string();
    assert!(ev.contains("expired on 2020-06-30; raised again"), "{ev}");
    assert_eq!(v["ignore"]["expired"][0]["target"]["name"], name.as_str());
    assert!(v["fingerprints"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["target"]["name"] == name.as_str() && f["rule"] == "docker:5.11"));
}
