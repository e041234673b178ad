//! Status semantics (docs/threats.md, "Status"): confirming checks about the
//! same component decide; supporting checks only move likelihood; a check
//! about another kind of target does not count unless the link is host-wide;
//! partially mitigated, needs review and not assessed.

mod threat_support;

use shipshape::findings::{Outcome, Severity, Target};
use shipshape::threat::build::from_snapshot;
use shipshape::threat::library::Likelihood;
use shipshape::threat::{analyze, modelfile, Analysis, Instance, Library, Status};
use threat_support::*;

fn instance<'a>(a: &'a Analysis<'_>, id: &str) -> &'a Instance {
    a.instances
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no instance {id}"))
}

#[test]
fn supporting_checks_never_reopen_a_mitigated_threat() {
    let snap = fleet_snapshot(&fleet10());
    let findings = real_findings(&snap);
    // The daemon default for no-new-privileges is off on this host ...
    let f214 = findings.iter().find(|f| f.id == "2.14").unwrap();
    assert_eq!(f214.outcome, Outcome::Fail);
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &findings, &[], 0);
    // ... but the hardened container sets it itself: mitigated, with a note.
    let i = instance(&a, "docker.container.weak-confinement@container:hardened");
    assert_eq!(i.status, Status::Mitigated, "{:#?}", i.explanation);
    assert_eq!(
        i.likelihood,
        Likelihood::Likely,
        "residual raised once by 2.14"
    );
    assert_eq!(i.severity, Severity::Low);
    assert!(i.explanation.iter().any(|e| e.contains("2.14")));
    // A default container does not: confirmed by 5.26 for that container.
    let d = instance(&a, "docker.container.weak-confinement@container:default-1");
    assert_eq!(d.status, Status::OpenConfirmed);
    // Likelihood goes up once, however many related checks fail.
    assert_eq!(d.likelihood, Likelihood::VeryLikely);
    // userns-remap off (2.9) does not make breakout critical anywhere.
    let b = instance(
        &a,
        "docker.container.namespace-breakout@container:default-1",
    );
    assert_eq!(b.status, Status::Mitigated);
    assert!(b.severity < Severity::Critical);
}

#[test]
fn a_check_about_another_kind_of_target_does_not_count() {
    let snap = fleet_snapshot(&fleet10());
    let findings = real_findings(&snap);
    let model = from_snapshot(&snap);
    let mut lib = Library::builtin();
    // A user's threat on the daemon that links a container check without
    // saying it is host-wide.
    lib.add_source(
        "team.yaml",
        r#"library: team
version: "1"
threats:
  - id: team.daemon.oddity
    title: odd link
    surface: Docker daemon - test
    stride: [T]
    applies_to: {kinds: [docker-daemon]}
    likelihood: likely
    impact: medium
    risk: r
    reason: r
    prevention: [p]
    references: {cwe: [CWE-1]}
    evidence:
      - {check: "5.32", why: "a container check"}
  - id: team.daemon.hostwide
    title: host-wide link
    surface: Docker daemon - test
    stride: [T]
    applies_to: {kinds: [docker-daemon]}
    likelihood: likely
    impact: medium
    risk: r
    reason: r
    prevention: [p]
    references: {cwe: [CWE-1]}
    evidence:
      - {check: "5.32", scope: host-wide, why: "any container with the socket"}
"#,
    )
    .unwrap();
    let a = analyze(&model, &lib, &findings, &[], 0);
    let odd = instance(&a, "team.daemon.oddity@docker-daemon");
    assert_eq!(odd.status, Status::OpenUnverified);
    assert!(odd.evidence.is_empty());
    assert!(odd.explanation.iter().any(|e| e.contains("not counted")));
    let wide = instance(&a, "team.daemon.hostwide@docker-daemon");
    assert_eq!(wide.status, Status::OpenConfirmed);
}

#[test]
fn bridge_spoofing_needs_a_bridge() {
    let snap = snapshot("snapshot-risky.json");
    let mut v = serde_json::to_value(&snap).unwrap();
    v["engine"]["ok"]["containers"][1]["HostConfig"]["NetworkMode"] = "host".into();
    let snap: shipshape::snapshot::Snapshot = serde_json::from_value(v).unwrap();
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &[], &[], 0);
    assert!(a
        .instances
        .iter()
        .any(|i| i.id == "docker.container.bridge-spoofing@container:ci-runner"));
    assert!(!a
        .instances
        .iter()
        .any(|i| i.id == "docker.container.bridge-spoofing@container:web"));
}

#[test]
fn image_vulnerabilities_are_not_assessed_even_when_image_checks_pass() {
    let snap = fleet_snapshot(&fleet10());
    let mut findings = real_findings(&snap);
    for f in &mut findings {
        if f.id.starts_with("4.") {
            f.outcome = Outcome::Pass;
            f.evidence.clear();
        }
    }
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &findings, &[], 0);
    let i = instance(&a, "docker.image.vulnerable-content@image:pause:latest");
    assert_eq!(i.status, Status::NotAssessed);
    assert!(i.status.is_open());
    assert!(i.explanation.iter().any(|e| e.starts_with("not assessed")));
}

#[test]
fn declared_facts_need_review_and_observed_facts_confirm() {
    let snap = fleet_snapshot(&fleet10());
    let mut model = from_snapshot(&snap);
    let mf = modelfile::parse(
        "m.yaml",
        "components:\n  - {id: batch, kind: container, name: batch, facts: {privileged: true}}\n",
    )
    .unwrap();
    modelfile::apply(&mut model, "m.yaml", &mf).unwrap();
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &[], &[], 0);
    let i = instance(&a, "docker.container.namespace-breakout@batch");
    assert_eq!(i.status, Status::NeedsReview, "{:#?}", i.explanation);
    let e = i
        .evidence
        .iter()
        .find(|e| e.check == "fact:privileged")
        .unwrap();
    assert_eq!(e.source, "declared");
    // Observed in the snapshot, the same fact confirms.
    let snap = snapshot("snapshot-risky.json");
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &[], &[], 0);
    let i = instance(
        &a,
        "docker.container.namespace-breakout@container:ci-runner",
    );
    assert_eq!(i.status, Status::OpenConfirmed);
    assert_eq!(i.severity, Severity::Critical);
    let e = i
        .evidence
        .iter()
        .find(|e| e.check == "fact:privileged")
        .unwrap();
    assert_eq!(e.source, "observed");
}

#[test]
fn some_targets_passing_is_partial_mitigation() {
    // Two images from one registry; a secret is found in one of them.
    let snap = snapshot("snapshot-risky.json");
    let mut v = serde_json::to_value(&snap).unwrap();
    let imgs = v["engine"]["ok"]["images"].as_array_mut().unwrap();
    let mut second = imgs[1].clone();
    second["Id"] = format!("sha256:{}", "f".repeat(64)).into();
    second["RepoTags"] = serde_json::json!(["ghcr.io/acme/other:1"]);
    second["RepoDigests"] = serde_json::json!(["ghcr.io/acme/other@sha256:9999"]);
    imgs.push(second);
    let snap: shipshape::snapshot::Snapshot = serde_json::from_value(v).unwrap();
    let model = from_snapshot(&snap);
    let mut f = finding(
        "4.10",
        "No secrets are stored in images or build files",
        Outcome::Fail,
        vec![ev(
            Target::Image {
                id: format!("sha256:{}", "a".repeat(64)),
                name: "ghcr.io/acme/runner:2.1".into(),
            },
            Outcome::Fail,
            "ENV AWS_SECRET_ACCESS_KEY set",
        )],
    );
    f.section = "4";
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &[f], &[], 0);
    let reg = instance(&a, "docker.image.secret-leak@registry:ghcr.io");
    assert_eq!(
        reg.status,
        Status::PartiallyMitigated,
        "{:#?}",
        reg.explanation
    );
    assert!(reg.status.is_open());
    let one = instance(&a, "docker.image.secret-leak@image:ghcr.io/acme/runner:2.1");
    assert_eq!(one.status, Status::OpenConfirmed);
    let other = instance(&a, "docker.image.secret-leak@image:ghcr.io/acme/other:1");
    assert_eq!(other.status, Status::Mitigated);
}

#[test]
fn risk_tracking_entries_carry_owner_and_ticket_and_mitigating_stays_open() {
    let snap = snapshot("snapshot-risky.json");
    let mut model = from_snapshot(&snap);
    let text = "risk_tracking:\n  - threat: docker.container.root-user@container:ci-runner\n    status: mitigating\n    reason: image rebuild under way\n    owner: platform-team\n    ticket: SEC-42\n  - threat: docker.container.writable-rootfs@container:*\n    status: false-positive\n    reason: tmpfs-only workloads\n    owner: alice\n    expires: 2026-01-31\n";
    let mf = modelfile::parse("track.yaml", text).unwrap();
    let waivers = modelfile::apply(&mut model, "track.yaml", &mf).unwrap();
    let lib = Library::builtin();
    // Before expiry: mitigating stays open, false positive is closed.
    let day = modelfile::parse_date("2026-01-15").unwrap();
    let a = analyze(&model, &lib, &[], &waivers, day);
    let m = instance(&a, "docker.container.root-user@container:ci-runner");
    assert!(m.status.is_open());
    let w = m.waiver.as_ref().unwrap();
    assert_eq!(
        (w.owner.as_deref(), w.ticket.as_deref()),
        (Some("platform-team"), Some("SEC-42"))
    );
    assert!(m
        .explanation
        .iter()
        .any(|e| e.contains("being mitigated") && e.contains("SEC-42")));
    let fp = instance(&a, "docker.container.writable-rootfs@container:web");
    assert_eq!(fp.status, Status::Accepted);
    // After expiry the false positive reopens.
    let later = modelfile::parse_date("2026-02-01").unwrap();
    let b = analyze(&model, &lib, &[], &waivers, later);
    let fp = instance(&b, "docker.container.writable-rootfs@container:web");
    assert!(fp.status.is_open());
    assert!(fp.explanation.iter().any(|e| e.contains("expired")));
    // An unknown tracking status is an error with its position.
    let bad = modelfile::parse(
        "t.yaml",
        "risk_tracking:\n  - {threat: x, reason: r, status: maybe}\n",
    );
    let Err(e) = bad else {
        panic!("an unknown tracking status was accepted")
    };
    assert!(e.starts_with("t.yaml:2:"), "{e}");
}
