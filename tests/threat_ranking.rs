//! Calibrated risk on the 10-container host of issue 10 (one hardened, one
//! mounting docker.sock, one with SYS_ADMIN, one with seccomp unconfined, six
//! with defaults), with the findings of the real CIS Docker checks.

mod threat_support;

use shipshape::findings::Severity;
use shipshape::threat::build::from_snapshot;
use shipshape::threat::{analyze, Analysis, Library, Status};
use threat_support::*;

fn open_on<'a>(a: &'a Analysis<'_>, name: &str) -> Vec<&'a shipshape::threat::Instance> {
    a.instances
        .iter()
        .filter(|i| a.component(i).name == name && i.status.is_open())
        .collect()
}

fn worst_open(a: &Analysis<'_>, name: &str) -> Option<Severity> {
    open_on(a, name).iter().map(|i| i.severity).max()
}

fn table(a: &Analysis<'_>) -> String {
    a.instances
        .iter()
        .filter(|i| i.status.is_open())
        .map(|i| format!("{:>2} {:?} {:?} {}\n", i.score, i.severity, i.status, i.id))
        .collect()
}

#[test]
fn ranking_on_the_ten_container_host() {
    let snap = fleet_snapshot(&fleet10());
    let findings = real_findings(&snap);
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &findings, &[], 0);
    let t = table(&a);
    if std::env::var_os("SHOW_TABLE").is_some() {
        eprintln!("{t}");
    }

    // The socket mount ranks first, critical and confirmed.
    let first = &a.instances[0];
    assert!(
        first
            .id
            .starts_with("docker.socket.container-escape@container:sock@"),
        "first is {}\n{t}",
        first.id
    );
    assert_eq!(first.severity, Severity::Critical);
    assert_eq!(first.status, Status::OpenConfirmed);
    assert_eq!(first.score, 16);

    // The hardened container has nothing open above low.
    let hard = open_on(&a, "hardened");
    assert!(
        !hard.is_empty(),
        "hardened has no open instance at all\n{t}"
    );
    // What no input here can judge (the container's Python packages: no
    // dependency scan ran) is not assessed, not a flaw of the hardening.
    let deps = a
        .instances
        .iter()
        .find(|i| i.id == "app.vulnerable-dependencies@container:hardened")
        .expect("dependency threat on hardened");
    assert_eq!(deps.status, Status::NotAssessed, "{:#?}", deps.explanation);
    for i in hard.iter().filter(|i| i.status != Status::NotAssessed) {
        assert!(
            i.severity <= Severity::Low,
            "hardened: {} is {:?}\n{t}",
            i.id,
            i.severity
        );
    }
    // ... and its direct controls read as mitigated, not open.
    for th in [
        "docker.container.root-user",
        "docker.container.weak-confinement",
        "docker.container.namespace-breakout",
        "docker.container.default-capabilities",
        "docker.container.host-data-exposure",
        "docker.container.writable-rootfs",
        "docker.container.resource-exhaustion",
    ] {
        let i = a
            .instances
            .iter()
            .find(|i| i.id == format!("{th}@container:hardened"))
            .unwrap_or_else(|| panic!("no {th} on hardened"));
        assert_eq!(i.status, Status::Mitigated, "{th}: {:#?}", i.explanation);
    }

    // Defaults-only containers have no critical, but do have open findings.
    for n in 1..=6 {
        let name = format!("default-{n}");
        let w = worst_open(&a, &name).expect("defaults leave something open");
        assert!(w < Severity::Critical, "{name} has a critical\n{t}");
    }
    // The risky ones are critical for the right reason, not the defaults.
    let sa = a
        .instances
        .iter()
        .find(|i| i.id == "docker.container.dangerous-capability@container:sys-admin")
        .expect("SYS_ADMIN threat");
    assert_eq!(sa.status, Status::OpenConfirmed);
    assert_eq!(sa.severity, Severity::Critical);
    let sc = a
        .instances
        .iter()
        .find(|i| i.id == "docker.container.unconfined-syscalls@container:seccomp-off")
        .expect("seccomp threat");
    assert_eq!(sc.status, Status::OpenConfirmed);
    assert_eq!(
        sc.severity,
        Severity::High,
        "unconfined is serious but not takeover"
    );
    // seccomp unconfined is distinct from a missing no-new-privileges.
    let d = a
        .instances
        .iter()
        .find(|i| i.id == "docker.container.unconfined-syscalls@container:default-1")
        .unwrap();
    assert_eq!(d.status, Status::Mitigated);

    // Criticals: only the socket escape and SYS_ADMIN paths.
    let crit: Vec<&str> = a
        .instances
        .iter()
        .filter(|i| i.severity == Severity::Critical && i.status.is_open())
        .map(|i| i.id.as_str())
        .collect();
    assert!(crit.len() <= 3, "too many criticals: {crit:#?}");
    assert!(crit
        .iter()
        .all(|c| c.contains("container:sock") || c.contains("container:sys-admin")));

    // Sorted by severity and score.
    for w in a.instances.windows(2) {
        assert!(
            (w[0].severity, w[0].score) >= (w[1].severity, w[1].score),
            "{} before {}",
            w[0].id,
            w[1].id
        );
    }
    // Denial of service never exceeds high.
    for i in &a.instances {
        if a.threat(i).is_dos_only() {
            assert!(i.severity <= Severity::High, "{}", i.id);
        }
    }
}

#[test]
fn a_host_without_containers_has_no_critical() {
    let snap = fleet_snapshot(&[]);
    let findings = real_findings(&snap);
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &findings, &[], 0);
    assert!(!a.instances.is_empty());
    assert!(!a.has_open_at_least(Severity::Critical), "{}", table(&a));
}

#[test]
fn names_sort_naturally_within_a_score() {
    let names: Vec<(String, &str)> = (1..=12).map(|i| (format!("web{i}"), "default")).collect();
    let snap = fleet_snapshot(&names);
    let findings = real_findings(&snap);
    let model = from_snapshot(&snap);
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &findings, &[], 0);
    let order: Vec<&str> = a
        .instances
        .iter()
        .filter(|i| a.threat(i).id == "docker.container.root-user")
        .map(|i| a.component(i).name.as_str())
        .collect();
    let want: Vec<String> = (1..=12).map(|i| format!("web{i}")).collect();
    assert_eq!(order, want);
}
