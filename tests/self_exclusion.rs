//! shipshape running inside a container (the way docker-bench-security is
//! usually run) recognises its own container, leaves it out of the checks
//! even though it mounts the Docker socket, and says so in the report.
//!
//! The container image needs a static shipshape, so this test builds one
//! (`+crt-static`) into `target/static`, which later runs reuse.

mod support;

use std::process::Command;
use support::*;

fn static_binary() -> std::path::PathBuf {
    let root = env!("CARGO_MANIFEST_DIR");
    let target_dir = format!("{root}/target/static");
    let triple = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
    let out = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--quiet",
            "--bin",
            "shipshape",
            "--target",
            &triple,
            "--target-dir",
            &target_dir,
        ])
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .current_dir(root)
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "static build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!("{target_dir}/{triple}/release/shipshape").into()
}

#[test]
fn shipshape_in_a_container_excludes_itself_and_reports_it() {
    let mut lab = Lab::new("self");
    let bin = static_binary();
    // A second, ordinary container that mounts the socket: it must still FAIL 5.32.
    let plain = lab.image("plain", "/app", &[]);
    let other = lab.run(
        "other",
        &["-v", "/var/run/docker.sock:/var/run/docker.sock"],
        &plain,
    );
    let ctx = lab.dir.path().join("self-ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::copy(&bin, ctx.join("shipshape")).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        format!(
            "FROM scratch\nCOPY shipshape /shipshape\nLABEL {}\nENTRYPOINT [\"/shipshape\"]\n",
            lab.label()
        ),
    )
    .unwrap();
    let tag = lab.image_from_context("self", &ctx);
    let name = lab.name("scanner");
    let label = lab.label();
    let out = docker(&[
        "run",
        "--name",
        &name,
        "--label",
        &label,
        "-v",
        "/var/run/docker.sock:/var/run/docker.sock",
        "-v",
        "/:/host:ro",
        &tag,
        "audit",
        "--root",
        "/host",
        "--format",
        "json",
        "-c",
        "5.32",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let excluded = report["excluded_containers"].as_array().unwrap();
    assert!(
        excluded.iter().any(|x| x["name"] == name.as_str()
            && x["reason"].as_str().unwrap().contains("own container")),
        "{excluded:?}"
    );
    assert_eq!(
        outcome_for(&report, "5.32", &name),
        None,
        "its own socket mount is not judged"
    );
    assert_eq!(
        outcome_for(&report, "5.32", &other).as_deref(),
        Some("FAIL")
    );
}
