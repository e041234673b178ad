//! The pipeline's dependencies run one way. Input models (`snapshot/`,
//! `manifest/`), shared knowledge and helpers know nothing of the stages that
//! read them; rules know nothing of the drivers, renderers or the threat
//! model. A `use crate::…` that points the wrong way fails here, so the
//! module cycle between rules and scan cannot come back.

use std::path::Path;

/// For each folder under `src/`, the top-level modules it must not import.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "util",
        &[
            "cli",
            "collect",
            "findings",
            "knowledge",
            "manifest",
            "remediate",
            "report",
            "rules",
            "scan",
            "snapshot",
            "threat",
        ],
    ),
    (
        "knowledge",
        &[
            "cli",
            "collect",
            "manifest",
            "remediate",
            "report",
            "rules",
            "scan",
            "snapshot",
            "threat",
        ],
    ),
    (
        "manifest",
        &[
            "cli",
            "collect",
            "remediate",
            "report",
            "rules",
            "scan",
            "snapshot",
            "threat",
        ],
    ),
    (
        "snapshot",
        &[
            "cli",
            "collect",
            "manifest",
            "remediate",
            "report",
            "rules",
            "scan",
            "threat",
        ],
    ),
    (
        "findings",
        &[
            "cli",
            "collect",
            "remediate",
            "report",
            "rules",
            "scan",
            "threat",
        ],
    ),
    (
        "rules",
        &["cli", "collect", "remediate", "report", "scan", "threat"],
    ),
    (
        "collect",
        &["cli", "remediate", "report", "rules", "scan", "threat"],
    ),
    ("threat", &["cli", "collect", "report", "scan"]),
    ("report", &["cli", "collect", "harden"]),
    ("remediate", &["cli", "collect", "harden", "scan", "threat"]),
    ("harden", &["cli"]),
    ("deps", &["cli", "harden", "report", "scan", "threat"]),
    ("scan", &["cli", "collect", "report", "threat"]),
    // The ignore file: applied after evaluation (scan, threat), before rendering.
    (
        "suppress",
        &["cli", "collect", "harden", "remediate", "report"],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn dependencies_run_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (folder, banned) in FORBIDDEN {
        let mut files = Vec::new();
        rust_files(&src.join(folder), &mut files);
        assert!(!files.is_empty(), "src/{folder} has no Rust files");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (n, line) in text.lines().enumerate() {
                for b in *banned {
                    let needle = format!("crate::{b}::");
                    let needle_brace = format!("crate::{b}::{{");
                    let exact = format!("crate::{b};");
                    if line.contains(&needle)
                        || line.contains(&needle_brace)
                        || line.contains(&exact)
                    {
                        wrong.push(format!(
                            "{}:{}: {folder} imports {b}: {}",
                            f.display(),
                            n + 1,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies that run the wrong way:\n{}",
        wrong.join("\n")
    );
}
