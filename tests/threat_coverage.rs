//! Coverage: every component kind has a threat in every STRIDE category that
//! applies to it, the applicability is written down here with a reason for
//! each excluded category, and the Kubernetes threat-matrix techniques that
//! issue 10 named are each covered and mapped to ATT&CK and Microsoft ids.

use shipshape::findings::Stride;
use shipshape::threat::library::{Library, BUILTIN_FILES};
use shipshape::threat::model::ComponentKind;
use std::collections::BTreeSet;

use ComponentKind as K;
use Stride::*;

/// The STRIDE categories excluded for each kind, each with its one-line
/// reason. A kind not listed gets all six (it is a process: it runs code,
/// has an identity, keeps or moves data and can be stopped).
fn excluded(kind: ComponentKind) -> Vec<(Stride, &'static str)> {
    match kind {
        K::ExternalActor => vec![
            (
                Tampering,
                "an outside entity is not ours to change; tampering is on the flows it uses",
            ),
            (
                InformationDisclosure,
                "it holds none of our data; disclosure is on the flows and stores",
            ),
            (DenialOfService, "its availability is not ours to protect"),
            (
                ElevationOfPrivilege,
                "it has no privilege in the system to raise",
            ),
        ],
        K::ServiceAccount => vec![
            (
                Tampering,
                "an identity holds no data to change; its bindings are the API server's",
            ),
            (
                Repudiation,
                "the calls made with it are logged (or not) by the API server",
            ),
            (
                DenialOfService,
                "an identity cannot be exhausted; the API server can",
            ),
        ],
        K::DockerClient => vec![(DenialOfService, "a stopped CLI harms nobody but its user")],
        K::ImageRegistry => vec![(
            ElevationOfPrivilege,
            "a store runs no code on behalf of callers",
        )],
        K::ContainerImage => vec![
            (
                DenialOfService,
                "an image at rest cannot be flooded; pulling it is the registry's",
            ),
            (
                ElevationOfPrivilege,
                "an image runs nothing until it is a container",
            ),
        ],
        K::StaticPodManifest => vec![
            (
                Spoofing,
                "a file proves no identity; the kubelet reads whatever is there",
            ),
            (
                Repudiation,
                "writes to it are the host's audit log, on the docker-host side",
            ),
            (
                DenialOfService,
                "a broken manifest stops its component, recorded on that component",
            ),
            (
                ElevationOfPrivilege,
                "a file runs nothing; rewriting it is tampering",
            ),
        ],
        K::Datastore => vec![
            (
                Spoofing,
                "a store proves no identity; spoofing its clients is on the flows",
            ),
            (
                ElevationOfPrivilege,
                "a store runs no code on behalf of callers",
            ),
        ],
        K::SecretStore => vec![(
            ElevationOfPrivilege,
            "privilege gained from secrets is disclosure and spoofing, recorded as such",
        )],
        K::Namespace => vec![
            (
                Spoofing,
                "a namespace has no identity; its service accounts do",
            ),
            (
                Repudiation,
                "actions in it are recorded by the API server's audit log",
            ),
        ],
        K::CloudMetadata => vec![
            (
                Tampering,
                "workloads can read the metadata service, not change it",
            ),
            (
                Repudiation,
                "its access log is the cloud provider's, outside the model",
            ),
            (DenialOfService, "its availability is the cloud provider's"),
        ],
        _ => Vec::new(),
    }
}

fn applicable(kind: ComponentKind) -> Vec<Stride> {
    let ex: Vec<Stride> = excluded(kind).into_iter().map(|(s, _)| s).collect();
    Stride::ALL
        .iter()
        .copied()
        .filter(|s| !ex.contains(s))
        .collect()
}

#[test]
fn the_table_matches_the_model_and_every_exclusion_has_a_reason() {
    for kind in ComponentKind::ALL {
        assert_eq!(
            applicable(kind),
            kind.applicable_stride().to_vec(),
            "{kind}: the table here and ComponentKind::applicable_stride disagree"
        );
        for (s, why) in excluded(kind) {
            assert!(
                why.len() > 20 && !why.contains('\n'),
                "{kind} / {}: give a one-line reason",
                s.name()
            );
        }
    }
}

#[test]
fn every_kind_has_a_threat_in_every_applicable_category() {
    let lib = Library::builtin();
    let mut gaps = Vec::new();
    for kind in ComponentKind::ALL {
        for s in applicable(kind) {
            // Unconditional component threats: a fact- or flow-bound one may
            // not apply to a given component.
            let covered = lib.threats.iter().any(|t| {
                t.applies_to.flow.is_none()
                    && t.applies_to.facts.is_empty()
                    && t.applies_to.kinds.contains(&kind)
                    && t.stride.contains(&s)
            });
            if !covered {
                gaps.push(format!("{kind}: {}", s.name()));
            }
        }
    }
    assert!(gaps.is_empty(), "uncovered:\n{}", gaps.join("\n"));
}

#[test]
fn the_new_platform_kinds_exist() {
    for name in [
        "ingress",
        "datastore",
        "secret-store",
        "ci-pipeline",
        "service-account",
        "namespace",
        "admission-webhook",
        "cloud-metadata",
    ] {
        assert!(
            ComponentKind::ALL.iter().any(|k| k.name() == name),
            "no component kind {name}"
        );
    }
}

/// Issue 10's missing techniques: (what, threat ids, ATT&CK id, Microsoft id).
const TECHNIQUES: &[(&str, &[&str], &str, &str)] = &[
    (
        "admission webhooks",
        &[
            "platform.webhook.malicious-mutation",
            "k8s.apiserver.admission-webhook",
        ],
        "T1546",
        "MS-TA9015",
    ),
    (
        "cloud metadata (IMDS)",
        &[
            "platform.imds.credential-theft",
            "platform.imds.v1-ssrf",
            "platform.imds.pod-reach",
            "k8s.workload.cloud-metadata",
        ],
        "T1552.005",
        "MS-TA9033",
    ),
    (
        "service-account token lateral movement",
        &["k8s.workload.token-lateral-movement"],
        "T1528",
        "MS-TA9016",
    ),
    (
        "no NetworkPolicy (east-west)",
        &["platform.namespace.east-west", "k8s.namespace.east-west"],
        "T1210",
        "MS-TA9034",
    ),
    (
        "ingress or load-balancer exposure",
        &["platform.ingress.exposure", "k8s.service.external-exposure"],
        "T1133",
        "MS-TA9005",
    ),
    (
        "CI and registry push credentials",
        &[
            "platform.ci.push-credentials",
            "docker.client.registry-push-credentials",
        ],
        "T1552.001",
        "MS-TA9002",
    ),
    (
        "image signing and provenance",
        &["platform.ci.image-provenance"],
        "T1195.002",
        "MS-TA9002",
    ),
    (
        "exec into containers",
        &[
            "platform.namespace.exec-into-container",
            "k8s.workload.exec-into-container",
        ],
        "T1609",
        "MS-TA9006",
    ),
    (
        "CronJob or sidecar persistence",
        &[
            "platform.namespace.persistence",
            "k8s.workload.scheduled-persistence",
        ],
        "T1053.007",
        "MS-TA9014",
    ),
];

#[test]
fn each_matrix_technique_is_covered_and_mapped() {
    let lib = Library::builtin();
    let mut bad = Vec::new();
    for (what, ids, attack, ms) in TECHNIQUES {
        for id in *ids {
            let Some(t) = lib.get(id) else {
                bad.push(format!("{what}: no threat {id}"));
                continue;
            };
            let r = &t.references;
            if !r.attack.iter().any(|a| a == attack) {
                bad.push(format!(
                    "{what}: {id} lacks ATT&CK {attack} ({:?})",
                    r.attack
                ));
            }
            if !r.ms_k8s.iter().any(|a| a == ms) {
                bad.push(format!("{what}: {id} lacks {ms} ({:?})", r.ms_k8s));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_builtin_files_define_disjoint_ids() {
    let mut seen = BTreeSet::new();
    for (name, text) in BUILTIN_FILES {
        let mut one = Library::default();
        one.add_source(name, text).unwrap();
        for t in &one.threats {
            assert!(seen.insert(t.id.clone()), "{} defined twice ({name})", t.id);
        }
    }
    assert_eq!(seen.len(), Library::builtin().threats.len());
}
