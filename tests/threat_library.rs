//! The built-in threat library: valid, covering, and loadable from files.

mod threat_support;

use shipshape::threat::library::{Library, BUILTIN_NAME, BUILTIN_SOURCE};
use shipshape::threat::model::ComponentKind;
use std::collections::BTreeSet;

/// Every CIS Docker Benchmark 1.6 check id, written out by section; it must
/// be the registry's list exactly.
fn cis_docker_ids() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let ranges: &[(&str, u32)] = &[
        ("1.1.", 18),
        ("1.2.", 2),
        ("2.", 18),
        ("3.", 24),
        ("4.", 12),
        ("5.", 32),
        ("6.", 2),
        ("7.", 9),
    ];
    for (prefix, n) in ranges {
        for i in 1..=*n {
            ids.insert(format!("{prefix}{i}"));
        }
    }
    let registry: BTreeSet<String> = shipshape::rules::docker::checks()
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(
        ids, registry,
        "the section counts disagree with the registry"
    );
    ids
}

#[test]
fn builtin_library_loads_and_is_versioned() {
    let lib = Library::builtin();
    assert_eq!(lib.sources.len(), 1);
    assert_eq!(lib.sources[0].name, "shipshape-builtin");
    assert!(!lib.sources[0].version.is_empty());
    assert!(
        lib.threats.len() >= 40,
        "only {} threats",
        lib.threats.len()
    );
}

#[test]
fn every_component_kind_is_covered_for_each_applicable_stride_category() {
    let lib = Library::builtin();
    let mut gaps = Vec::new();
    for kind in ComponentKind::ALL {
        for s in kind.applicable_stride() {
            // Unconditional component threats only: a threat narrowed by
            // facts or bound to a flow may not apply to a given component.
            let covered = lib.threats.iter().any(|t| {
                t.applies_to.flow.is_none()
                    && t.applies_to.facts.is_empty()
                    && t.applies_to.kinds.contains(&kind)
                    && t.stride.contains(s)
            });
            if !covered {
                gaps.push(format!("{kind}: {}", s.name()));
            }
        }
    }
    assert!(
        gaps.is_empty(),
        "uncovered kind × STRIDE cells:\n{}",
        gaps.join("\n")
    );
}

#[test]
fn evidence_and_references_name_real_cis_docker_checks() {
    let ids = cis_docker_ids();
    let lib = Library::builtin();
    for t in &lib.threats {
        for e in &t.evidence {
            assert!(
                ids.contains(&e.check),
                "{}: evidence check {} is not a CIS Docker 1.6 id",
                t.id,
                e.check
            );
            assert!(
                t.references.cis_docker.contains(&e.check),
                "{}: evidence {} missing from references",
                t.id,
                e.check
            );
        }
        for c in &t.references.cis_docker {
            assert!(
                ids.contains(c),
                "{}: reference {c} is not a CIS Docker 1.6 id",
                t.id
            );
        }
        for c in &t.references.cwe {
            assert!(c.starts_with("CWE-"), "{}: {c}", t.id);
        }
        for c in &t.references.capec {
            assert!(c.starts_with("CAPEC-"), "{}: {c}", t.id);
        }
        for c in &t.references.attack {
            assert!(
                c.starts_with('T')
                    && c[1..]
                        .split('.')
                        .all(|p| p.chars().all(|ch| ch.is_ascii_digit())),
                "{}: {c}",
                t.id
            );
        }
        for c in &t.references.ms_k8s {
            assert!(
                c.starts_with("MS-TA9") || c.starts_with("MS-M9"),
                "{}: {c}",
                t.id
            );
        }
        let refs = t.references.cwe.len() + t.references.capec.len();
        assert!(refs > 0, "{}: no CWE/CAPEC reference", t.id);
        assert!(
            !t.risk.is_empty() && !t.reason.is_empty(),
            "{}: risk and reason required",
            t.id
        );
    }
}

#[test]
fn library_errors_carry_file_line_and_column() {
    let mut lib = Library::default();
    let bad = "library: mine\nversion: '1'\nthreats:\n  - id: x.y\n    title: t\n    surface: s\n    stride: [S]\n    applies_to: {kinds: [docker-deamon]}\n";
    let e = lib.add_source("mine.yaml", bad).unwrap_err();
    assert!(
        e.starts_with("mine.yaml:8:26: unknown variant `docker-deamon`"),
        "{e}"
    );

    let unknown = "library: mine\nversion: '1'\nthreats: []\nextra: 1\n";
    let e = lib.add_source("mine.yaml", unknown).unwrap_err();
    assert!(e.starts_with("mine.yaml:4:1: unknown field `extra`"), "{e}");

    let no_target = "library: mine\nversion: '1'\nthreats:\n  - id: x.y\n    title: t\n    surface: s\n    stride: [S]\n    applies_to: {}\n    likelihood: likely\n    impact: low\n    risk: r\n    reason: r\n    prevention: [p]\n";
    let e = lib.add_source("mine.yaml", no_target).unwrap_err();
    assert!(
        e.starts_with("mine.yaml:4:5: threat 'x.y' applies to nothing"),
        "{e}"
    );

    let bad_crossing = no_target.replace(
        "applies_to: {}",
        "applies_to: {flow: {crosses: \"pod->host\"}}",
    );
    let e = lib.add_source("mine.yaml", &bad_crossing).unwrap_err();
    assert!(
        e.contains("mine.yaml:8:") && e.contains("unknown boundary kind 'pod'"),
        "{e}"
    );
}

#[test]
fn user_libraries_add_and_replace() {
    let extra = "library: team\nversion: '2026.1'\nthreats:\n  - id: team.no-sbom\n    title: Image has no SBOM\n    surface: Supply chain\n    stride: [R]\n    applies_to: {kinds: [container-image]}\n    likelihood: likely\n    impact: low\n    risk: r\n    reason: r\n    prevention: [Generate an SBOM]\n  - id: docker.registry.unavailable\n    title: Our mirror is down\n    surface: Registry\n    stride: [D]\n    applies_to: {kinds: [image-registry]}\n    likelihood: unlikely\n    impact: low\n    risk: r\n    reason: r\n    prevention: [Run two mirrors]\n";
    let mut lib = Library::builtin();
    let n = lib.threats.len();
    lib.add_source("team.yaml", extra).unwrap();
    assert_eq!(lib.threats.len(), n + 1);
    assert_eq!(
        lib.get("docker.registry.unavailable").unwrap().title,
        "Our mirror is down"
    );
    assert_eq!(lib.sources[1].version, "2026.1");

    let mut only = Library::default();
    only.add_source("team.yaml", extra).unwrap();
    assert_eq!(only.threats.len(), 2);
}

#[test]
fn builtin_source_is_the_embedded_file() {
    let on_disk =
        std::fs::read_to_string(threat_support::root("src/threat/library/builtin.yaml")).unwrap();
    assert_eq!(on_disk, BUILTIN_SOURCE);
    assert!(BUILTIN_NAME.ends_with("builtin.yaml"));
}
