//! YAML anchors and merge keys (issue 9 §4): a finding about a value that a
//! service or container took from an anchor (`<<: *defaults`, `volumes:
//! *vols`, `securityContext: *sc`) points at the alias inside the service
//! or container that uses it, and names the anchored definition as a
//! related location: `related` in JSON, `relatedLocations` in SARIF, a
//! second snippet in text.

use serde_json::Value;
use std::process::Command;

const DIR: &str = "tests/fixtures/scan/anchors";
const RULES: [&str; 4] = ["COMPOSE-001", "COMPOSE-002", "COMPOSE-033", "K8S-001"];

fn scan(format: &str) -> String {
    let mut args = vec!["scan", DIR, "--no-config", "--fail-on", "none"];
    args.extend(["--format", format, "--color", "never"]);
    for r in RULES {
        args.extend(["--rule", r]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(&args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// `file:line:col rule -> line:col message` for each finding, from JSON.
fn json_lines() -> Vec<String> {
    let doc: Value = serde_json::from_str(&scan("json")).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let mut s = format!(
                "{}:{}:{} {}",
                f["file"].as_str().unwrap().rsplit('/').next().unwrap(),
                f["line"],
                f["column"],
                f["rule_id"].as_str().unwrap()
            );
            for r in f["related"].as_array().into_iter().flatten() {
                s.push_str(&format!(
                    " -> {}:{} {}",
                    r["line"],
                    r["column"],
                    r["message"].as_str().unwrap()
                ));
            }
            s
        })
        .collect()
}

#[test]
fn findings_point_into_the_service_and_relate_the_anchor() {
    assert_eq!(
        json_lines(),
        [
            // privileged: true in &defaults, merged into two services: one
            // finding each, at that service's `*defaults`.
            "compose.yaml:12:9 COMPOSE-001 -> 7:3 value defined by anchor &defaults",
            // A nested anchor: &defaults merges &base; the capability is
            // written in &base.
            "compose.yaml:12:9 COMPOSE-033 -> 4:13 value defined by anchor &base",
            "compose.yaml:16:9 COMPOSE-001 -> 7:3 value defined by anchor &defaults",
            "compose.yaml:16:9 COMPOSE-033 -> 4:13 value defined by anchor &base",
            // An alias used directly: `volumes: *vols`.
            "compose.yaml:19:14 COMPOSE-002 -> 9:5 value defined by anchor &vols",
            // Kubernetes: the container that writes the value has no
            // related location; the one that aliases it has.
            "pod.yaml:11:9 K8S-001",
            "pod.yaml:14:24 K8S-001 -> 11:9 value defined by anchor &sc",
        ]
    );
}

#[test]
fn sarif_carries_related_locations_and_stays_valid() {
    let doc: Value = serde_json::from_str(&scan("sarif")).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let related: Vec<(u64, u64, &str, u64, u64, &str)> = results
        .iter()
        .filter_map(|r| {
            let at = &r["locations"][0]["physicalLocation"]["region"];
            let rel = r.get("relatedLocations")?;
            assert_eq!(rel.as_array().unwrap().len(), 1);
            let rel = &rel[0];
            assert_eq!(rel["id"], 1);
            let reg = &rel["physicalLocation"]["region"];
            Some((
                at["startLine"].as_u64().unwrap(),
                at["startColumn"].as_u64().unwrap(),
                r["ruleId"].as_str().unwrap(),
                reg["startLine"].as_u64().unwrap(),
                reg["startColumn"].as_u64().unwrap(),
                rel["message"]["text"].as_str().unwrap(),
            ))
        })
        .collect();
    assert_eq!(
        related,
        [
            (
                12,
                9,
                "COMPOSE-001",
                7,
                3,
                "value defined by anchor &defaults"
            ),
            (12, 9, "COMPOSE-033", 4, 13, "value defined by anchor &base"),
            (
                16,
                9,
                "COMPOSE-001",
                7,
                3,
                "value defined by anchor &defaults"
            ),
            (16, 9, "COMPOSE-033", 4, 13, "value defined by anchor &base"),
            (19, 14, "COMPOSE-002", 9, 5, "value defined by anchor &vols"),
            (14, 24, "K8S-001", 11, 9, "value defined by anchor &sc"),
        ]
    );
    // The related region highlights the anchored key (`privileged`).
    let first = &results[0]["relatedLocations"][0]["physicalLocation"]["region"];
    assert_eq!(first["endColumn"], 13);
    let schema = support::sarif_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "SARIF invalid: {errors:?}");
}

mod support;

#[test]
fn text_shows_the_anchor_as_a_second_snippet() {
    let text = scan("text");
    let block = text
        .split("\n\n")
        .find(|b| b.contains("service \"worker\" runs privileged"))
        .unwrap();
    assert_eq!(
        block,
        "critical[COMPOSE-001]: service \"worker\" runs privileged: every capability and all host devices
  --> tests/fixtures/scan/anchors/compose.yaml:16:9
   |
16 |     <<: *defaults
   |         ^^^^^^^^^
   |
  ::: tests/fixtures/scan/anchors/compose.yaml:7:3
   |
 7 |   privileged: true
   |   ---------- value defined by anchor &defaults
   = object: service \"worker\"
   = rule: Service runs privileged
   = help: Remove `privileged: true`; add only the capabilities or devices the service needs.
   = see: CIS Docker 1.6 5.5; CWE-250"
    );
}
