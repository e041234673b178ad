//! Replays the fuzz corpora (and crash reproducers) kept in
//! `tests/fuzz-corpus/<target>/` through the same entry points the fuzz
//! targets in `fuzz/` call, so every input the fuzzers found interesting,
//! and every crash they found, stays a regression test under `cargo test`.
//! Each input must finish within a second.

use std::path::Path;
use std::time::{Duration, Instant};

#[test]
fn every_corpus_input_parses_without_panic_and_quickly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus");
    let mut total = 0;
    for (name, run) in shipshape::fuzzing::TARGETS {
        let dir = root.join(name);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}; every target keeps a corpus", dir.display()));
        let mut n = 0;
        for e in entries {
            let p = e.unwrap().path();
            if !p.is_file() {
                continue;
            }
            let data = std::fs::read(&p).unwrap();
            let t = Instant::now();
            let r = std::panic::catch_unwind(|| run(&data));
            assert!(r.is_ok(), "{name}: {} panics", p.display());
            // Generous for a debug build; the fuzzers enforce 1 s optimised.
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "{name}: {} took {:?}",
                p.display(),
                t.elapsed()
            );
            n += 1;
        }
        assert!(n > 0, "{name}: empty corpus");
        total += n;
    }
    assert!(total >= shipshape::fuzzing::TARGETS.len());
}

/// The property the fuzzers also check: every finding's line:column lies
/// inside its file, here over every scan corpus input cut at many points.
#[test]
fn finding_positions_lie_inside_the_file() {
    use shipshape::scan::walk::FileKind;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus");
    let mut checked = 0;
    for (dir, kind) in [
        ("yaml_k8s", FileKind::Kubernetes),
        ("dockerfile", FileKind::Dockerfile),
        ("compose", FileKind::Compose),
    ] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            let cuts: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .step_by(7)
                .chain([text.len()])
                .collect();
            for cut in cuts {
                // scan_checked asserts the positions.
                let r = shipshape::fuzzing::scan_checked(kind, &text[..cut]);
                checked += r.findings.len();
            }
        }
    }
    assert!(checked > 100, "only {checked} findings checked");
}
