//! Evidence linking: findings turn threat instances into confirmed,
//! mitigated or (with more likelihood) unverified, and name the containers,
//! images and files they concern.

mod threat_support;

use shipshape::findings::{Outcome, Severity};
use shipshape::threat::build::from_snapshot;
use shipshape::threat::eval::relevant;
use shipshape::threat::library::Likelihood;
use shipshape::threat::{analyze, modelfile, Analysis, Library, Status};
use threat_support::*;

fn instance<'a>(a: &'a Analysis<'_>, id: &str) -> &'a shipshape::threat::Instance {
    a.instances.iter().find(|i| i.id == id).unwrap_or_else(|| {
        panic!(
            "no instance {id}; have: {:#?}",
            a.instances.iter().map(|i| &i.id).collect::<Vec<_>>()
        )
    })
}

#[test]
fn docker_socket_mount_confirms_escape_and_names_the_container() {
    let snap = snapshot("snapshot-risky.json");
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let findings = risky_findings();
    let a = analyze(&model, &lib, &findings, &[], 0);
    let i = instance(
        &a,
        "docker.socket.container-escape@container:ci-runner@container:ci-runner->docker-daemon",
    );
    assert_eq!(i.status, Status::OpenConfirmed);
    assert_eq!(i.severity, Severity::Critical);
    let e = i
        .evidence
        .iter()
        .find(|e| e.check == "5.32")
        .expect("5.32 linked");
    assert_eq!(e.outcome, Outcome::Fail);
    assert_eq!(e.targets.len(), 1);
    assert_eq!(e.targets[0].kind, "container");
    assert_eq!(e.targets[0].name, "ci-runner");
    // web mounts no socket, so it has no such flow and no such instance.
    assert!(!a.instances.iter().any(|i| i
        .id
        .starts_with("docker.socket.container-escape@container:web")));
}

#[test]
fn container_findings_apply_per_container() {
    let snap = snapshot("snapshot-risky.json");
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let findings = risky_findings();
    let a = analyze(&model, &lib, &findings, &[], 0);

    // 4.1 names ci-runner only: confirmed there, mitigated on web.
    let ci = instance(&a, "docker.container.root-user@container:ci-runner");
    assert_eq!(ci.status, Status::OpenConfirmed);
    assert!(ci
        .evidence
        .iter()
        .any(|e| e.check == "4.1" && e.targets.iter().any(|t| t.name == "ci-runner")));
    let web = instance(&a, "docker.container.root-user@container:web");
    assert_eq!(web.status, Status::Mitigated);
    assert_eq!(web.likelihood, Likelihood::Unlikely);
    let e = web.evidence.iter().find(|e| e.check == "4.1").unwrap();
    assert_eq!(e.outcome, Outcome::Pass);
    assert!(e.targets.is_empty(), "web is not among 4.1's offenders");

    // 5.5 fails for ci-runner only; 5.10 passes for everybody.
    let ci = instance(
        &a,
        "docker.container.namespace-breakout@container:ci-runner",
    );
    assert_eq!(ci.status, Status::OpenConfirmed);
    assert_eq!(
        ci.likelihood,
        Likelihood::VeryLikely,
        "confirmation raises likely by one step"
    );
    let web = instance(&a, "docker.container.namespace-breakout@container:web");
    assert_eq!(web.status, Status::Mitigated);
    let passing: Vec<_> = web
        .evidence
        .iter()
        .filter(|e| e.outcome == Outcome::Pass)
        .map(|e| e.check.as_str())
        .collect();
    assert_eq!(
        passing,
        ["5.5", "fact:privileged", "fact:host_pid_root", "5.10"]
    );

    // 5.11 lists both containers with their own outcomes.
    let ci = instance(
        &a,
        "docker.container.resource-exhaustion@container:ci-runner",
    );
    assert_eq!(ci.status, Status::OpenConfirmed);
    let web = instance(&a, "docker.container.resource-exhaustion@container:web");
    assert_eq!(web.status, Status::Mitigated);
    let e = web.evidence.iter().find(|e| e.check == "5.11").unwrap();
    assert_eq!(e.targets[0].name, "web");
    assert_eq!(e.targets[0].observed, "HostConfig.Memory=268435456");
}

#[test]
fn flows_from_the_snapshot_carry_evidence() {
    let snap = snapshot("snapshot-risky.json");
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let findings = risky_findings();
    let a = analyze(&model, &lib, &findings, &[], 0);
    let tcp = instance(
        &a,
        "docker.daemon.exposed-tcp-api@docker-daemon@network-clients->docker-daemon",
    );
    assert_eq!(tcp.status, Status::OpenConfirmed);
    assert!(tcp.evidence[0]
        .targets
        .iter()
        .any(|t| t.kind == "daemon" && t.source.as_deref() == Some("/proc/812/cmdline")));
    let port = instance(
        &a,
        "docker.container.exposed-port@container:web@network-clients->container:web:8080/tcp",
    );
    assert_eq!(port.status, Status::OpenConfirmed);
    assert_eq!(port.evidence[0].targets[0].name, "web");
    // Content trust passes: the pull threats are mitigated, with the evidence.
    let pull = instance(
        &a,
        "docker.image.unverified-pull@image:nginx:1.27@registry:docker.io->image:nginx:1.27",
    );
    assert_eq!(pull.status, Status::Mitigated);
    assert_eq!(pull.evidence[0].check, "4.5");
    // ... except where the registry is insecure: 2.5 absent here, so still mitigated by 4.5,
    // but the flow itself is recorded as plain http.
    let lab = model
        .flows
        .iter()
        .find(|f| f.from == "registry:registry.lab:5000")
        .unwrap();
    assert_eq!(lab.encrypted, Some(false));
    assert_eq!(lab.port, Some(5000));
}

#[test]
fn a_supporting_check_raises_likelihood_once_without_confirming() {
    let snap = snapshot("snapshot-risky.json");
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let findings = risky_findings();
    // 1.1.3 (WARN) only supports docker.container.untraceable-actions
    // (host-wide): one step up, status unchanged.
    let a = analyze(&model, &lib, &findings, &[], 0);
    let i = instance(&a, "docker.container.untraceable-actions@container:web");
    assert_eq!(i.status, Status::OpenUnverified);
    assert_eq!(i.likelihood, Likelihood::Likely);
    assert!(i.explanation.iter().any(|e| e.contains("1.1.3")));
    // Without findings the same instance keeps the library's likelihood.
    let b = analyze(&model, &lib, &[], &[], 0);
    let j = instance(&b, "docker.container.untraceable-actions@container:web");
    assert_eq!(j.likelihood, Likelihood::Unlikely);
    assert_eq!(j.status, Status::OpenUnverified);
    assert!(j.evidence.is_empty());
}

#[test]
fn host_wide_findings_name_their_files() {
    let snap = snapshot("snapshot-risky.json");
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let findings = risky_findings();
    let a = analyze(&model, &lib, &findings, &[], 0);
    let i = instance(&a, "docker.daemon.no-audit@docker-daemon");
    assert_eq!(i.status, Status::OpenConfirmed);
    let e = i.evidence.iter().find(|e| e.check == "1.1.3").unwrap();
    assert_eq!(e.targets[0].kind, "file");
    assert_eq!(e.targets[0].name, "/usr/bin/dockerd");
}

#[test]
fn relevance_matches_containers_by_id_prefix_or_name() {
    let f = finding(
        "5.5",
        "privileged",
        Outcome::Fail,
        vec![ev(container("1111111111", ""), Outcome::Fail, "x")],
    );
    let key = container(CI_RUNNER_ID, "ci-runner");
    let (o, evs) = relevant(&f, &[&key]);
    assert_eq!(o, Outcome::Fail);
    assert_eq!(evs.len(), 1);
    let other = container(WEB_ID, "web");
    let (o, evs) = relevant(&f, &[&other]);
    assert_eq!(o, Outcome::Pass);
    assert!(evs.is_empty());
    // An errored check stays an error for everybody.
    let g = finding("5.5", "privileged", Outcome::Error, vec![]);
    assert_eq!(relevant(&g, &[&other]).0, Outcome::Error);
}

#[test]
fn waivers_accept_until_they_expire() {
    let snap = snapshot("snapshot-risky.json");
    let mut model = from_snapshot(&snap);
    let mf = modelfile::parse(
        "waivers.yaml",
        "waivers:\n  - threat: docker.socket.container-escape@container:ci-runner@*\n    reason: CI runner needs the socket; isolated host\n    expires: 2026-12-31\n  - threat: docker.container.root-user@*\n    reason: legacy images\n    expires: 2026-01-01\n  - threat: nothing.matches@*\n    reason: stale\n",
    )
    .unwrap();
    let waivers = modelfile::apply(&mut model, "waivers.yaml", &mf).unwrap();
    let lib = Library::builtin();
    let findings = risky_findings();
    let today = modelfile::parse_date("2026-11-24").unwrap();
    let a = analyze(&model, &lib, &findings, &waivers, today);
    let i = instance(
        &a,
        "docker.socket.container-escape@container:ci-runner@container:ci-runner->docker-daemon",
    );
    assert_eq!(i.status, Status::Accepted);
    let w = i.waiver.as_ref().unwrap();
    assert_eq!(w.at, "waivers.yaml:2:5");
    assert_eq!(w.expires.as_deref(), Some("2026-12-31"));
    assert!(
        i.evidence.iter().any(|e| e.check == "5.32"),
        "evidence is kept on accepted threats"
    );
    // Expired: still open, with a note.
    let r = instance(&a, "docker.container.root-user@container:ci-runner");
    assert_eq!(r.status, Status::OpenConfirmed);
    assert!(r
        .explanation
        .iter()
        .any(|x| x.contains("expired on 2026-01-01")));
    // The unused waiver is reported.
    assert_eq!(a.warnings.len(), 1);
    assert!(
        a.warnings[0].contains("waivers.yaml:8:5"),
        "{}",
        a.warnings[0]
    );
    // After the expiry date the socket waiver lapses too.
    let later = modelfile::parse_date("2027-01-01").unwrap();
    let b = analyze(&model, &lib, &findings, &waivers, later);
    let i = instance(
        &b,
        "docker.socket.container-escape@container:ci-runner@container:ci-runner->docker-daemon",
    );
    assert_eq!(i.status, Status::OpenConfirmed);
    assert!(b.has_open_at_least(Severity::Critical));
}

#[test]
fn image_findings_match_short_ids_and_names() {
    use shipshape::findings::Target;
    let snap = snapshot("snapshot-risky.json");
    let model = from_snapshot(&snap);
    let img = model.component("image:ghcr.io/acme/runner:2.1").unwrap();
    let keys: Vec<&Target> = img.targets.iter().collect();
    // The checks report images by short id (no `sha256:`) and display name.
    let short = Target::Image {
        id: "aaaaaaaaaaaa".into(),
        name: String::new(),
    };
    let f = finding(
        "4.6",
        "healthcheck",
        Outcome::Warn,
        vec![ev(short, Outcome::Warn, "no HEALTHCHECK")],
    );
    assert_eq!(relevant(&f, &keys).0, Outcome::Warn);
    let by_name = Target::Image {
        id: String::new(),
        name: "nginx:1.27".into(),
    };
    let g = finding(
        "4.6",
        "healthcheck",
        Outcome::Warn,
        vec![ev(by_name, Outcome::Warn, "no HEALTHCHECK")],
    );
    assert_eq!(
        relevant(&g, &keys).0,
        Outcome::Pass,
        "another image's finding"
    );
}

#[test]
fn locally_built_images_have_no_registry_flow() {
    let model = from_snapshot(&snapshot("snapshot-risky.json"));
    let local = model.component("image:local/build:latest").unwrap();
    assert_eq!(
        local.facts.get("built_locally"),
        Some(&shipshape::threat::model::Fact::Bool(true))
    );
    assert!(!model
        .flows
        .iter()
        .any(|f| f.to == "image:local/build:latest"));
    let pulled = model
        .flows
        .iter()
        .find(|f| f.to == "image:nginx:1.27")
        .unwrap();
    assert_eq!(pulled.from, "registry:docker.io");
    assert_eq!(pulled.label, "pull nginx:1.27");
}

#[test]
fn image_findings_reach_only_the_registry_the_image_came_from() {
    use shipshape::findings::Target;
    let model = from_snapshot(&snapshot("snapshot-risky.json"));
    let lib = Library::builtin();
    let img = |id: &str, name: &str| Target::Image {
        id: id.into(),
        name: name.into(),
    };
    let findings = vec![finding(
        "4.10",
        "Ensure secrets are not stored in Dockerfiles",
        Outcome::Warn,
        vec![
            ev(
                img("aaaaaaaaaaaa", "ghcr.io/acme/runner:2.1"),
                Outcome::Warn,
                "ENV AWS_SECRET_ACCESS_KEY",
            ),
            ev(
                img("bbbbbbbbbbbb", "nginx:1.27"),
                Outcome::Pass,
                "no secret-like ENV",
            ),
        ],
    )];
    let a = analyze(&model, &lib, &findings, &[], 0);
    let ghcr = instance(&a, "docker.image.secret-leak@registry:ghcr.io");
    assert_eq!(ghcr.status, Status::OpenConfirmed);
    assert_eq!(ghcr.evidence[0].targets[0].name, "ghcr.io/acme/runner:2.1");
    assert_eq!(
        instance(&a, "docker.image.secret-leak@registry:docker.io").status,
        Status::Mitigated
    );
    assert_eq!(
        instance(&a, "docker.image.secret-leak@image:nginx:1.27").status,
        Status::Mitigated
    );
    assert_eq!(
        instance(&a, "docker.image.secret-leak@image:ghcr.io/acme/runner:2.1").status,
        Status::OpenConfirmed
    );
}

#[test]
fn a_manual_check_asking_for_review_is_not_evidence_but_a_failure_is() {
    let snap = snapshot("snapshot-risky.json");
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let host_threat = "docker.host.misconfiguration@docker-host";
    // 1.2.1 is manual: its WARN only asks a person to look, so the threat
    // needs review (it is neither confirmed nor mitigated).
    let mut manual = finding(
        "1.2.1",
        "The container host is hardened",
        Outcome::Warn,
        vec![],
    );
    manual.automated = false;
    let a = analyze(&model, &lib, std::slice::from_ref(&manual), &[], 0);
    assert_eq!(instance(&a, host_threat).status, Status::NeedsReview);
    // An automated check's FAIL on the same threat confirms it.
    let failing = finding(
        "1.1.2",
        "Only trusted users may control the Docker daemon",
        Outcome::Fail,
        vec![],
    );
    let a = analyze(&model, &lib, &[manual, failing], &[], 0);
    assert_eq!(instance(&a, host_threat).status, Status::OpenConfirmed);
}
