//! Baseline round trip on this machine's real Docker daemon: a report
//! compared with itself has nothing new; after one container with a
//! failing configuration is added, exactly one result is new, and it is
//! that container. The container is labelled `shipshape.test` and removed
//! when the test ends, even on failure.
//!
//! Other tests create and remove containers on the same daemon at the same
//! time, so both snapshots are taken with `collect` and the second keeps
//! only what the first had plus this test's container and image: the
//! comparison is about the container this test added, not about its
//! neighbours.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use support::*;

fn run_ok(args: &[&str]) -> std::process::Output {
    let o = shipshape(args);
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "shipshape {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn read(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn names(engine: &Value) -> BTreeSet<String> {
    engine["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["Name"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Keep in `snap` only the containers named in `keep` and the images in
/// `images`, so containers other tests start meanwhile do not count.
fn restrict(snap: &mut Value, keep: &BTreeSet<String>, images: &BTreeSet<String>) {
    let e = &mut snap["engine"]["ok"];
    e["containers"]
        .as_array_mut()
        .unwrap()
        .retain(|c| keep.contains(c["Name"].as_str().unwrap_or("")));
    e["images"]
        .as_array_mut()
        .unwrap()
        .retain(|i| images.contains(i["Id"].as_str().unwrap_or("")));
    if let Some(nets) = e["networks"].as_array_mut() {
        for n in nets {
            if let Some(m) = n["Containers"].as_object_mut() {
                m.retain(|_, c| keep.contains(&format!("/{}", c["Name"].as_str().unwrap_or(""))));
            }
        }
    }
}

fn image_ids(snap: &Value) -> BTreeSet<String> {
    snap["engine"]["ok"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["Id"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_baseline_round_trip_reports_nothing_new_then_exactly_the_added_container() {
    let mut lab = Lab::new("baseline");
    // An image that passes the image checks, built before the first
    // snapshot so that only the container is new.
    let image = lab.image(
        "good",
        "/app",
        &[
            "USER 10001",
            "HEALTHCHECK --interval=2s CMD [\"/app\", \"ok\"]",
        ],
    );
    let dir = lab.dir.path().to_path_buf();
    let p = |n: &str| dir.join(n).to_string_lossy().into_owned();
    run_ok(&["collect", "-o", &p("snap1.json")]);
    run_ok(&[
        "audit",
        "--snapshot",
        &p("snap1.json"),
        "-f",
        "json",
        "-o",
        &p("base.json"),
    ]);
    let base = read(&dir.join("base.json"));
    assert!(
        base["fingerprints"].is_array(),
        "the JSON report carries fingerprints"
    );

    // Round trip: the same host against its own report.
    let o = run_ok(&[
        "audit",
        "--snapshot",
        &p("snap1.json"),
        "--baseline",
        &p("base.json"),
        "-f",
        "json",
        "-o",
        &p("again.json"),
        "--fail-on",
        "low",
        "--new-only",
    ]);
    let again = read(&dir.join("again.json"));
    assert_eq!(again["baseline"]["new"], 0, "{}", again["baseline"]);
    assert_eq!(again["baseline"]["fixed"], 0);
    assert_eq!(
        again["baseline"]["unchanged"].as_u64().unwrap() as usize,
        base["fingerprints"].as_array().unwrap().len()
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "--new-only with nothing new exits 0"
    );

    // One container that is hardened in every way but has no memory limit.
    let added = lab.run(
        "nomem",
        &[
            "--cap-drop",
            "ALL",
            "--cpus",
            "0.5",
            "--pids-limit",
            "50",
            "--read-only",
            "--security-opt",
            "no-new-privileges",
            "--restart",
            "on-failure:5",
        ],
        &image,
    );
    run_ok(&["collect", "-o", &p("snap2.json")]);
    let snap1 = read(&dir.join("snap1.json"));
    let mut snap2 = read(&dir.join("snap2.json"));
    let mut keep = names(&snap1["engine"]["ok"]);
    keep.insert(format!("/{added}"));
    assert!(names(&snap2["engine"]["ok"]).contains(&format!("/{added}")));
    restrict(&mut snap2, &keep, &image_ids(&snap1));
    std::fs::write(
        dir.join("snap2.json"),
        serde_json::to_string(&snap2).unwrap(),
    )
    .unwrap();

    let o = run_ok(&[
        "audit",
        "--snapshot",
        &p("snap2.json"),
        "--baseline",
        &p("base.json"),
        "-f",
        "json",
        "-o",
        &p("after.json"),
        "--fail-on",
        "low",
        "--new-only",
    ]);
    let after = read(&dir.join("after.json"));
    let new: Vec<&Value> = after["fingerprints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["baseline_state"] == "new")
        .collect();
    assert_eq!(new.len(), 1, "exactly one new result: {new:#?}");
    assert_eq!(after["baseline"]["new"], 1);
    assert_eq!(new[0]["target"]["kind"], "container");
    assert_eq!(new[0]["target"]["name"], added.as_str());
    assert_eq!(new[0]["target"]["image"], image.as_str());
    assert_eq!(new[0]["rule"], "docker:5.11", "{:#?}", new[0]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "--new-only fails on the new result"
    );

    // The text report says so too, and `shipshape diff` agrees.
    let o = run_ok(&[
        "audit",
        "--snapshot",
        &p("snap2.json"),
        "--baseline",
        &p("base.json"),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("Baseline "), "{text}");
    assert!(text.contains(": 1 new,"), "{text}");
    let o = run_ok(&["diff", &p("base.json"), &p("after.json")]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("audit: 1 new, 0 fixed"), "{text}");
    assert!(text.contains(&added), "{text}");
}
