//! `audit -f markdown` on this machine's Docker daemon follows the layout
//! of the write-ups: attack surfaces with their threats, then the failed
//! findings, then the harden steps; a threat on two containers is one
//! entry listing both. The labelled containers are removed at the end.
//!
//! The snapshot is restricted to this test's containers, since other tests
//! start and stop containers on the same daemon meanwhile.

mod support;

use support::*;

#[test]
fn the_write_up_of_this_host_lists_a_shared_threat_once() {
    let mut lab = Lab::new("writeup");
    let image = lab.image(
        "good",
        "/app",
        &[
            "USER 10001",
            "HEALTHCHECK --interval=2s CMD [\"/app\", \"ok\"]",
        ],
    );
    let hardened = [
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
    ];
    let a = lab.run("a", &hardened, &image);
    let b = lab.run("b", &hardened, &image);
    let dir = lab.dir.path().to_path_buf();
    let o = shipshape_in(&dir, &[], &["collect", "-o", "snap.json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut snap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("snap.json")).unwrap()).unwrap();
    let ours = [format!("/{a}"), format!("/{b}")];
    snap["engine"]["ok"]["containers"]
        .as_array_mut()
        .unwrap()
        .retain(|c| ours.contains(&c["Name"].as_str().unwrap_or("").to_string()));
    assert_eq!(
        snap["engine"]["ok"]["containers"].as_array().unwrap().len(),
        2
    );
    std::fs::write(dir.join("snap.json"), snap.to_string()).unwrap();

    let o = shipshape_in(
        &dir,
        &[],
        &["audit", "--snapshot", "snap.json", "-f", "markdown"],
    );
    assert!(matches!(o.status.code(), Some(0) | Some(1)));
    let md = String::from_utf8(o.stdout).unwrap();
    let at = |h: &str| md.find(h).unwrap_or_else(|| panic!("no {h}:\n{md}"));
    assert!(at("## 1. Attack surfaces and threats (STRIDE)") < at("## 2. Benchmark run results"));
    assert!(at("## 2. Benchmark run results") < at("## 3. Remediate the failed findings"));
    for field in [
        "**Potential threat:**",
        "**Risk** (",
        "**Reason:**",
        "**Prevention:**",
    ] {
        assert!(md.contains(field), "{field}:\n{md}");
    }
    // The missing memory limit is one threat entry naming both containers.
    let both = format!("**Affects:** 2 containers: `{a}`, `{b}`");
    let dos: Vec<&str> = md
        .split("**Potential threat:**")
        .filter(|e| e.contains("**Proved by:** `5.11`"))
        .collect();
    assert_eq!(dos.len(), 1, "{md}");
    assert!(dos[0].starts_with(" Denial of service"), "{}", dos[0]);
    assert!(dos[0].contains(&both), "{}", dos[0]);
    assert!(md.contains(&format!(
        "**[FAIL] 5.11** Container memory is limited (medium): 2 of 2 containers fail — 2 containers: `{a}`, `{b}`"
    )), "{md}");
    assert!(
        md.contains(&format!("docker rm -f {a} && docker run --memory")),
        "{md}"
    );
    assert!(md.lines().count() < 500);

    // `report -f markdown` writes the same write-up, with the scan of the
    // given paths as its own section.
    std::fs::write(
        dir.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n    securityContext:\n      privileged: true\n",
    )
    .unwrap();
    let o = shipshape_in(
        &dir,
        &[],
        &[
            "report",
            "--snapshot",
            "snap.json",
            "-f",
            "markdown",
            "--fail-on",
            "none",
            "pod.yaml",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report = String::from_utf8(o.stdout).unwrap();
    assert!(
        report.contains("## 1. Attack surfaces and threats (STRIDE)"),
        "{report}"
    );
    assert!(report.contains(&both), "{report}");
    assert!(report.contains("pod.yaml"), "{report}");
}
