//! Golden tests of the Markdown, JSON, DOT and Mermaid outputs.
//!
//! The expected files live in `tests/golden/threat/`. After an intended
//! change, regenerate them with
//!
//! ```text
//! UPDATE_GOLDEN=1 cargo test --test threat_golden
//! ```
//!
//! and review the diff. With `CI=true` the files are never written.

mod threat_support;

use shipshape::threat::build::from_snapshot;
use shipshape::threat::render::{self, ThreatFormat};
use shipshape::threat::{analyze, modelfile, Analysis, Library, SystemModel};
use std::collections::HashSet;
use std::path::PathBuf;
use threat_support::*;

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/threat")
        .join(name);
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    if update && !ci {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; create it with UPDATE_GOLDEN=1 cargo test --test threat_golden",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output at line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             If the change is intended, run UPDATE_GOLDEN=1 cargo test --test threat_golden",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

fn check_all(prefix: &str, a: &Analysis<'_>) {
    let md = render::render(a, ThreatFormat::Markdown);
    let json = render::render(a, ThreatFormat::Json);
    let dot = render::render(a, ThreatFormat::Dot);
    let mmd = render::render(a, ThreatFormat::Mermaid);
    validate_dot(&dot);
    validate_mermaid(&mmd);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON output parses");
    assert_eq!(v["schema"], "shipshape.threats");
    assert_eq!(v["threats"].as_array().unwrap().len(), a.instances.len());
    for t in v["threats"].as_array().unwrap() {
        for key in [
            "id",
            "stride",
            "component",
            "severity",
            "status",
            "evidence",
        ] {
            assert!(!t[key].is_null(), "instance lacks {key}: {t}");
        }
        assert!(t["id"]
            .as_str()
            .unwrap()
            .starts_with(t["threat"].as_str().unwrap()));
    }
    golden(&format!("{prefix}.md"), &md);
    golden(&format!("{prefix}.json"), &json);
    golden(&format!("{prefix}.dot"), &dot);
    golden(&format!("{prefix}.mmd"), &mmd);
}

/// Structural DOT check (balanced braces outside strings, edges between
/// declared nodes), plus `dot -Tsvg` when Graphviz is installed.
fn validate_dot(dot: &str) {
    assert!(dot.starts_with("digraph threat_model {"));
    let (mut depth, mut in_str, mut esc) = (0i32, false, false);
    for ch in dot.chars() {
        match (in_str, esc, ch) {
            (true, true, _) => esc = false,
            (true, false, '\\') => esc = true,
            (true, false, '"') => in_str = false,
            (false, _, '"') => in_str = true,
            (false, _, '{') => depth += 1,
            (false, _, '}') => {
                depth -= 1;
                assert!(depth >= 0, "unbalanced braces");
            }
            _ => {}
        }
    }
    assert!(
        !in_str && depth == 0,
        "unterminated string or unbalanced braces"
    );
    let nodes: HashSet<&str> = dot
        .lines()
        .filter_map(|l| l.trim().split_once(" [label="))
        .map(|(n, _)| n)
        .collect();
    for l in dot.lines().map(str::trim).filter(|l| l.contains(" -> ")) {
        let (a, rest) = l.split_once(" -> ").unwrap();
        let b = rest
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches(';');
        assert!(
            nodes.contains(a) && nodes.contains(b),
            "edge to undeclared node: {l}"
        );
    }
    match std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Err(_) => eprintln!("graphviz `dot` not installed: validated the DOT structurally only"),
        Ok(mut child) => {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(dot.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "dot -Tsvg failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
        }
    }
}

fn validate_mermaid(m: &str) {
    assert!(m.starts_with("flowchart LR\n"));
    let opens = m
        .lines()
        .filter(|l| l.trim_start().starts_with("subgraph "))
        .count();
    let ends = m.lines().filter(|l| l.trim() == "end").count();
    assert_eq!(opens, ends, "subgraph/end unbalanced");
    let mut nodes = HashSet::new();
    for l in m.lines().map(str::trim) {
        if l.starts_with('n') && !l.contains("-->") && !l.contains("-.->") {
            nodes.insert(l.split(['(', '[']).next().unwrap().to_string());
        }
    }
    for l in m
        .lines()
        .map(str::trim)
        .filter(|l| l.contains("-->|") || l.contains("-.->|"))
    {
        let a = l.split_whitespace().next().unwrap();
        let b = l.rsplit(' ').next().unwrap();
        assert!(
            nodes.contains(a) && nodes.contains(b),
            "edge to undeclared node: {l}"
        );
        assert!(!l.contains("\"\""), "empty or broken label: {l}");
    }
}

#[test]
fn golden_seed_model() {
    let (name, mf) = modelfile::load(&root("examples/seed-model.yaml")).unwrap();
    let mut model = SystemModel::default();
    let waivers = modelfile::apply(&mut model, "examples/seed-model.yaml", &mf).unwrap();
    assert!(name.ends_with("seed-model.yaml"));
    model.fill_defaults();
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &[], &waivers, 0);
    check_all("seed", &a);
}

#[test]
fn golden_snapshot_with_findings_and_model_file() {
    let mut model = from_snapshot(&snapshot("snapshot-risky.json"));
    let text = std::fs::read_to_string(fixture("overlay.yaml")).unwrap();
    let mf = modelfile::parse("tests/fixtures/threat/overlay.yaml", &text).unwrap();
    let waivers = modelfile::apply(&mut model, "tests/fixtures/threat/overlay.yaml", &mf).unwrap();
    model.fill_defaults();
    let lib = Library::builtin();
    let findings = risky_findings();
    let today = modelfile::parse_date("2026-11-24").unwrap();
    let a = analyze(&model, &lib, &findings, &waivers, today);
    check_all("risky", &a);
}
