//! Live: `threats --deps --db` on this host. Two labelled containers built
//! FROM scratch carry an installed Python package, one at a vulnerable
//! version and one at the fixed version; the index comes from `db import` of
//! a hand-written OSV record. The vulnerable container's dependency threat is
//! confirmed with the advisory as evidence, the clean one is mitigated as of
//! the index's date. The Lab removes its containers and images.

mod support;

use serde_json::{json, Value};
use support::Lab;

const THREAT: &str = "app.vulnerable-dependencies";

fn image(lab: &mut Lab, short: &str, version: &str) -> String {
    let d = lab
        .dir
        .path()
        .join(format!("ctx-{short}/site/demo_pkg-{version}.dist-info"));
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(
        d.join("METADATA"),
        format!("Metadata-Version: 2.1\nName: demo-pkg\nVersion: {version}\n"),
    )
    .unwrap();
    lab.image(
        short,
        "/app",
        &["COPY site /usr/local/lib/python3.11/site-packages"],
    )
}

fn instance<'a>(report: &'a Value, container: &str) -> &'a Value {
    let id = format!("{THREAT}@container:{container}");
    report["threats"]
        .as_array()
        .expect("threats")
        .iter()
        .find(|i| i["id"] == id.as_str())
        .unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn threats_deps_confirms_the_vulnerable_container_and_mitigates_the_clean_one() {
    let mut lab = Lab::new("depsthreat");
    let osv = lab.dir.path().join("osv");
    std::fs::create_dir_all(&osv).unwrap();
    let rec = json!({"id": "TEST-LIVE-1", "aliases": ["CVE-0003-0001"], "summary": "demo flaw",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "demo-pkg"},
          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]});
    std::fs::write(osv.join("TEST-LIVE-1.json"), rec.to_string()).unwrap();
    let db = lab.dir.path().join("db");
    let dbs = db.to_str().unwrap();
    let o = support::shipshape(&["db", "import", "--db", dbs, osv.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let vuln = image(&mut lab, "vuln", "1.5");
    let clean = image(&mut lab, "clean", "2.0");
    let v = lab.run("vuln", &[], &vuln);
    let c = lab.run("clean", &[], &clean);

    let o = support::shipshape(&[
        "threats",
        "--deps",
        "--db",
        dbs,
        "-f",
        "json",
        "--fail-on",
        "none",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let report: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));

    let iv = instance(&report, &v);
    assert_eq!(iv["status"], "open-confirmed", "{iv:#}");
    let text = iv["evidence"].to_string();
    assert!(text.contains("TEST-LIVE-1"), "{iv:#}");
    assert!(text.contains("demo-pkg 1.5 → 2.0"), "{iv:#}");
    assert!(text.contains("\"deps\""), "{iv:#}");

    let ic = instance(&report, &c);
    assert_eq!(ic["status"], "mitigated", "{ic:#}");
    assert!(ic.to_string().contains("as of advisory DB date"), "{ic:#}");
    assert!(!ic.to_string().contains("TEST-LIVE-1"), "{ic:#}");

    // Without --deps the same containers are not assessed.
    let o = support::shipshape(&["threats", "-f", "json", "--fail-on", "none"]);
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(instance(&report, &v)["status"], "not-assessed");
}
