//! The data-flow diagram scales: identical containers collapse with a count,
//! local image/runtime edges are hidden, boundary breaks are red edges into
//! the host, flows are coloured by authentication and encryption, node
//! colour is the open risk after mitigation.

mod threat_support;

use shipshape::threat::build::from_snapshot;
use shipshape::threat::render::{dot, mermaid, plan::DiagramOptions};
use shipshape::threat::{analyze, Library};
use threat_support::*;

#[test]
fn thirty_containers_draw_as_a_readable_diagram() {
    let snap = fleet_snapshot(&fleet30());
    // The committed fixture (used for docs/threat-dfd-30.svg) is this fleet.
    let fixture: shipshape::snapshot::Snapshot =
        serde_json::from_str(&std::fs::read_to_string(fixture("snapshot-fleet30.json")).unwrap())
            .unwrap();
    assert_eq!(
        serde_json::to_value(&fixture).unwrap(),
        serde_json::to_value(&snap).unwrap(),
        "regenerate tests/fixtures/threat/snapshot-fleet30.json (see tests/threat_dfd.rs)"
    );
    let findings = real_findings(&snap);
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &findings, &[], 0);
    let d = dot::render(&a);
    if let Ok(p) = std::env::var("WRITE_DFD") {
        std::fs::write(p, &d).unwrap();
    }
    let nodes = d
        .lines()
        .filter(|l| l.trim_start().starts_with('n') && l.contains("[label=") && !l.contains("->"))
        .count();
    assert!(nodes <= 15, "{nodes} nodes:\n{d}");
    // 24 identical defaults become one node with a count.
    assert!(d.contains("+23 identical (×24)"), "{d}");
    // The three socket mounts are one collapsed node with one red break edge.
    assert!(d.contains("+2 identical (×3)"));
    let breaks: Vec<&str> = d
        .lines()
        .filter(|l| l.contains("boundary break:") && l.contains("->") && l.contains("penwidth"))
        .collect();
    assert!(
        breaks.iter().any(|l| l.contains("Docker socket")),
        "{breaks:#?}"
    );
    assert!(
        breaks.iter().any(|l| l.contains("SYS_ADMIN")),
        "{breaks:#?}"
    );
    // No image or runtime edges by default; counted in the legend.
    assert!(!d.contains("image layers"));
    assert!(d.contains("local image/runtime edges hidden"));
    // The hardened container is not red.
    let hard = d.lines().find(|l| l.contains("label=\"hardened")).unwrap();
    assert!(!hard.contains("#e74c3c"), "{hard}");
    // With every flow and no collapsing, everything comes back.
    let full = dot::render_with(
        &a,
        DiagramOptions {
            all_flows: true,
            no_collapse: true,
        },
    );
    assert!(full.contains("image layers"));
    assert!(!full.contains("identical (×"));
    // Graphviz accepts it.
    if let Ok(o) = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(d.as_bytes())?;
            c.wait_with_output()
        })
    {
        assert!(o.status.success(), "dot rejected the diagram");
    } else {
        eprintln!("dot is not installed; skipped the Graphviz parse only (scripts/setup.sh installs graphviz)");
    }
    // Mermaid draws the same plan.
    let mm = mermaid::render(&a);
    assert!(mm.contains("×24"));
    assert!(!mm.contains("image layers"));
}

/// Writes the 30-container fixture when `WRITE_FLEET=1` (then regenerate
/// the docs image: `shipshape threats --snapshot
/// tests/fixtures/threat/snapshot-fleet30.json -f dot | dot -Tsvg >
/// docs/threat-dfd-30.svg`).
#[test]
fn fleet_fixture_can_be_regenerated() {
    let snap = fleet_snapshot(&fleet30());
    let text = serde_json::to_string_pretty(&snap).unwrap();
    if std::env::var_os("WRITE_FLEET").is_some() {
        std::fs::write(fixture("snapshot-fleet30.json"), format!("{text}\n")).unwrap();
    }
    assert!(text.contains("docker.sock"));
}

#[test]
fn excluded_containers_leave_the_model_and_its_criticals() {
    let path = fixture("snapshot-fleet30.json");
    let p = path.to_str().unwrap();
    let bin = env!("CARGO_BIN_EXE_shipshape");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "threats",
            "--snapshot",
            p,
            "--fail-on",
            "critical",
            "-f",
            "json",
        ];
        args.extend(extra);
        std::process::Command::new(bin)
            .args(&args)
            .output()
            .unwrap()
    };
    let all = run(&[]);
    assert_eq!(all.status.code(), Some(1), "the socket mounts are critical");
    let none = run(&["-x", "*"]);
    assert_eq!(
        none.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&none.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&none.stdout).unwrap();
    assert!(!v["model"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["kind"] == "container"));
}
