//! Live: an image built here by `docker build` (FROM scratch, files only)
//! whose layers install, upgrade and delete Python packages. `deps --image`
//! and `deps --container` must report exactly what the `packaging` oracle
//! predicts for the packages left after the whiteouts.

mod deps_support;
mod support;

use deps_support::ids;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use support::Lab;

const SP: &str = "usr/local/lib/python3.11/site-packages";

fn dist(ctx: &Path, layer: &str, dir: &str, file: &str, name: &str, version: &str) {
    let d = ctx.join(layer).join(dir);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(
        d.join(file),
        format!(
            "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: test\n\nLong description.\n"
        ),
    )
    .unwrap();
}

/// Build the image; returns its tag.
fn build(lab: &mut Lab) -> String {
    let ctx = lab.dir.path().join("ctx-deps");
    std::fs::create_dir_all(&ctx).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deps/rmtree.c");
    let o = Command::new("gcc")
        .args(["-static", "-Os", "-o"])
        .arg(ctx.join("rmtree"))
        .arg(src)
        .output()
        .expect("gcc (scripts/setup.sh installs it)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::copy(lab.binary(), ctx.join("app")).unwrap();
    // Layer 1: the first install.
    dist(
        &ctx,
        "l1",
        &format!("{SP}/Jinja2-2.10.dist-info"),
        "METADATA",
        "Jinja2",
        "2.10",
    );
    dist(
        &ctx,
        "l1",
        &format!("{SP}/requests-2.19.1.dist-info"),
        "METADATA",
        "requests",
        "2.19.1",
    );
    dist(
        &ctx,
        "l1",
        &format!("{SP}/urllib3-1.24.1.dist-info"),
        "METADATA",
        "urllib3",
        "1.24.1",
    );
    // Legacy egg-info directory.
    dist(
        &ctx,
        "l1",
        &format!("{SP}/Django-2.2.egg-info"),
        "PKG-INFO",
        "Django",
        "2.2",
    );
    // Owned by the distribution: listed, never matched.
    dist(
        &ctx,
        "l1",
        "usr/lib/python3/dist-packages/PyYAML-3.13.egg-info",
        "PKG-INFO",
        "PyYAML",
        "3.13",
    );
    // Layer 2: a second install.
    dist(
        &ctx,
        "l2",
        &format!("{SP}/PyYAML-5.3.1.dist-info"),
        "METADATA",
        "PyYAML",
        "5.3.1",
    );
    // Layer 4: the upgrade's new metadata (layer 3 removes the old).
    dist(
        &ctx,
        "l4",
        &format!("{SP}/Jinja2-2.11.3.dist-info"),
        "METADATA",
        "Jinja2",
        "2.11.3",
    );
    let df = format!(
        "FROM scratch\nLABEL {}\nCOPY app rmtree /\nCOPY l1/ /\nCOPY l2/ /\n\
         RUN [\"/rmtree\", \"/{SP}/Jinja2-2.10.dist-info\"]\nCOPY l4/ /\n\
         RUN [\"/rmtree\", \"/{SP}/requests-2.19.1.dist-info\"]\nCMD [\"/app\"]\n",
        lab.label()
    );
    std::fs::write(ctx.join("Dockerfile"), df).unwrap();
    lab.image_from_context("deps", &ctx)
}

fn expected() -> BTreeMap<(String, String), BTreeSet<String>> {
    let pins = [
        "jinja2==2.11.3",
        "urllib3==1.24.1",
        "django==2.2",
        "pyyaml==5.3.1",
    ];
    let req: Vec<String> = pins.iter().map(|p| format!("pin={p}")).collect();
    let o = deps_support::oracle(&req);
    o["pins"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["advisories"].as_array().unwrap().is_empty())
        .map(|r| {
            (
                (
                    r["package"].as_str().unwrap().to_string(),
                    r["version"].as_str().unwrap().to_string(),
                ),
                ids(&r["advisories"]),
            )
        })
        .collect()
}

fn reported(report: &Value) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut m: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let key = (
            f["package"].as_str().unwrap().to_string(),
            f["installed"].as_str().unwrap().to_string(),
        );
        m.entry(key).or_default().extend(ids(&f["advisories"]));
    }
    m
}

fn check(report: &Value, target: &str) {
    assert!(
        report["errors"].as_array().unwrap().is_empty(),
        "{}",
        report["errors"]
    );
    assert_eq!(report["packages_scanned"], 4, "{report}");
    let want = expected();
    assert!(
        want.len() >= 3,
        "the oracle should flag most of these old versions: {want:?}"
    );
    assert_eq!(reported(report), want);
    for f in report["findings"].as_array().unwrap() {
        assert_eq!(f["origin"]["target"], target);
        assert_ne!(f["package"], "requests", "deleted by a whiteout");
        assert_ne!(f["installed"], "2.10", "upgraded away");
    }
    let distro = report["distro_owned"].as_array().unwrap();
    assert_eq!(distro.len(), 1, "{distro:?}");
    assert_eq!(distro[0]["package"], "PyYAML");
    assert!(distro[0]["origin"]["path"]
        .as_str()
        .unwrap()
        .starts_with("/usr/lib/python3/dist-packages/"));
}

#[test]
fn image_layers_and_running_container_match_the_oracle() {
    let mut lab = Lab::new("deps");
    let tag = build(&mut lab);
    let db = deps_support::import_db(Path::new(env!("CARGO_BIN_EXE_shipshape")));
    let dbp = db.path().to_str().unwrap();

    let o = support::shipshape(&["deps", "--db", dbp, "-f", "json", "--image", &tag]);
    let report: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    check(&report, &format!("image:{tag}"));
    assert_eq!(o.status.code(), Some(1));

    // Nothing at or above critical without a score: unknown still fails,
    // so --fail-on none is the way to a clean exit.
    let o = support::shipshape(&["deps", "--db", dbp, "--fail-on", "none", "--image", &tag]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("distribution-owned"), "{text}");

    let name = lab.run("deps-c", &[], &tag);
    let o = support::shipshape(&["deps", "--db", dbp, "-f", "json", "--container", &name]);
    let report: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    check(&report, &format!("container:{name}"));

    // A container that never ran has no /proc/PID/root: the Engine API's
    // export of its filesystem is read instead.
    let stopped = lab.create("deps-s", &[], &tag);
    let o = support::shipshape(&["deps", "--db", dbp, "-f", "json", "--container", &stopped]);
    let report: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    check(&report, &format!("container:{stopped}"));
}

#[test]
fn a_missing_image_is_a_tool_failure_with_the_daemons_reason() {
    support::require_daemon();
    let db = tempfile::tempdir().unwrap();
    std::fs::write(
        db.path().join("rec.json"),
        r#"{"id":"T-1","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"versions":["1"]}]}"#,
    )
    .unwrap();
    let o = support::shipshape(&[
        "db",
        "import",
        "--db",
        db.path().to_str().unwrap(),
        db.path().join("rec.json").to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = support::shipshape(&[
        "deps",
        "--db",
        db.path().to_str().unwrap(),
        "--image",
        "shipshape-test/no-such-image:never",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("no-such-image") && out.contains("404"),
        "{out}"
    );
}
