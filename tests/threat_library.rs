//! The built-in threat library: valid, covering, and loadable from files.

mod threat_support;

use shipshape::threat::kube;
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
    // builtin.yaml, then platform.yaml (ingress, stores, CI, namespaces, ...).
    assert_eq!(lib.sources.len(), 2);
    assert_eq!(lib.sources[0].name, "shipshape-builtin");
    assert_eq!(lib.sources[1].name, "shipshape-builtin-platform");
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
        for e in t
            .evidence
            .iter()
            .filter(|e| e.fact.is_none() && e.deps.is_none() && !is_manifest_rule(&e.check))
        {
            if let Some(k) = kube::kube_check(&e.check) {
                assert!(
                    kube::is_cis_kubernetes_id(k) && kube::check_subject(k).is_some(),
                    "{}: evidence {} is not a CIS Kubernetes 1.12 node check (sections 1-4)",
                    t.id,
                    e.check
                );
                assert!(
                    t.references.cis_kubernetes.iter().any(|r| r == k),
                    "{}: evidence {} missing from references",
                    t.id,
                    e.check
                );
                continue;
            }
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
        for c in &t.references.cis_kubernetes {
            assert!(
                kube::is_cis_kubernetes_id(c),
                "{}: reference {c} is not a CIS Kubernetes 1.12 id",
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

/// A scan rule of the registry (K8S-*, COMPOSE-*, DF-*).
fn is_manifest_rule(id: &str) -> bool {
    shipshape::rules::registry::manifest_rules().any(|r| r.meta.id == id)
}

/// The component kinds a threat can be recorded against or whose checks it
/// reads (a flow threat: both endpoint kinds).
fn threat_kinds(t: &shipshape::threat::library::Threat) -> Vec<ComponentKind> {
    match &t.applies_to.flow {
        Some(f) if f.from.is_empty() || f.to.is_empty() => ComponentKind::ALL.to_vec(),
        Some(f) => f.from.iter().chain(&f.to).copied().collect(),
        None => t.applies_to.kinds.clone(),
    }
}

#[test]
fn every_evidence_link_is_justified_and_about_the_same_kind_of_target() {
    use shipshape::threat::eval::{check_subject, subject_of};
    use shipshape::threat::library::LinkScope;
    let lib = Library::builtin();
    let mut bad = Vec::new();
    for t in &lib.threats {
        for e in &t.evidence {
            if e.why.trim().is_empty() || e.why.contains('\n') {
                bad.push(format!("{} / {}: no one-line justification", t.id, e.key()));
            }
            if is_manifest_rule(&e.check) {
                // Scan rules speak about workloads and the identities and
                // Services around them.
                let kinds = threat_kinds(t);
                let ok = kinds.contains(&ComponentKind::AppService)
                    || kinds.contains(&ComponentKind::ServiceAccount);
                if !ok && e.scope != LinkScope::HostWide {
                    bad.push(format!("{} / {}: scan rule on {kinds:?}", t.id, e.check));
                }
                continue;
            }
            if let Some(k) = kube::kube_check(&e.check) {
                // A node check speaks about one component (or its static
                // pod manifest); a host-wide link reads it for another
                // component of the same node and must say why.
                let s = kube::check_subject(k).expect("checked above");
                let same = threat_kinds(t)
                    .iter()
                    .any(|kind| kube::subject_kind_matches(s, *kind));
                if !same && e.scope != LinkScope::HostWide {
                    bad.push(format!(
                        "{} / {}: check is about {}, the threat about {:?}",
                        t.id,
                        e.check,
                        s.of.binary(),
                        threat_kinds(t)
                    ));
                }
                continue;
            }
            let Some(subject) = check_subject(&e.check) else {
                // Fact links read the component itself.
                assert!(
                    e.fact.is_some() || e.deps.is_some(),
                    "{}: unknown check {}",
                    t.id,
                    e.check
                );
                continue;
            };
            let same = threat_kinds(t).iter().any(|k| subject_of(*k) == subject);
            if !same && e.scope != LinkScope::HostWide {
                bad.push(format!(
                    "{} / {}: check is about a {subject}, the threat about {:?}",
                    t.id, e.check, t.applies_to.kinds
                ));
            }
            if e.scope == LinkScope::HostWide && same && subject != "host" {
                bad.push(format!(
                    "{} / {}: host-wide on a same-kind link",
                    t.id, e.check
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_wrong_links_of_issue_10_stay_fixed() {
    let lib = Library::builtin();
    let links = |id: &str| -> Vec<String> {
        lib.get(id)
            .unwrap_or_else(|| panic!("no {id}"))
            .evidence
            .iter()
            .map(|e| e.key())
            .collect()
    };
    // 1.1.4 audits /run/containerd: about the runtime, not a container's user.
    assert!(!links("docker.container.root-user").contains(&"1.1.4".to_string()));
    assert!(links("runtime.no-audit").contains(&"1.1.4".to_string()));
    // 5.13 (read-only root filesystem) says nothing about host data.
    assert!(!links("docker.container.host-data-exposure").contains(&"5.13".to_string()));
    assert!(links("docker.container.writable-rootfs").contains(&"5.13".to_string()));
    // 4.7 (package index caching) is no vulnerability scan.
    let v = lib.get("docker.image.vulnerable-content").unwrap();
    assert!(!links("docker.image.vulnerable-content").contains(&"4.7".to_string()));
    assert!(v.not_assessed.is_some());
    // Bridge spoofing needs the container on a bridge.
    let b = lib.get("docker.container.bridge-spoofing").unwrap();
    assert!(b.applies_to.facts.contains_key("host_network"));
    // Container threats carry container surface labels.
    for t in &lib.threats {
        if t.applies_to.kinds == [ComponentKind::Container] {
            assert!(
                !t.surface.starts_with("Kube") && !t.surface.starts_with("Docker client"),
                "{}: surface '{}'",
                t.id,
                t.surface
            );
        }
    }
    // The checks issue 10 found unused now feed a threat.
    let all: BTreeSet<String> = lib
        .threats
        .iter()
        .flat_map(|t| t.evidence.iter().map(|e| e.key()))
        .collect();
    for c in [
        "5.7",
        "5.15",
        "5.18",
        "5.25",
        "5.27",
        "5.22",
        "fact:dangerous_caps",
    ] {
        assert!(all.contains(c), "{c} feeds no threat");
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
    assert_eq!(lib.sources.last().unwrap().version, "2026.1");

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
    let platform =
        std::fs::read_to_string(threat_support::root("src/threat/library/platform.yaml")).unwrap();
    assert_eq!(platform, shipshape::threat::library::PLATFORM_SOURCE);
}
