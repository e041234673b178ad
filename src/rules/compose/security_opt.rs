//! security_opt: unconfined profiles and no-new-privileges.

use super::at_service;
use crate::findings::{Severity, Stride};
use crate::manifest::compose::ServiceView;
use crate::rules::manifest::*;

pub static UNCONFINED: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-009",
        benchmark: Benchmark::Shipshape,
        title: "Service disables seccomp, AppArmor or SELinux confinement",
        rationale: "seccomp, AppArmor and SELinux are the layers that still restrict a container's \
            processes when they run as root. Turning any of them off with seccomp:unconfined, \
            apparmor:unconfined or label:disable gives a compromised service more kernel surface \
            and more host access. Keeping them on, with a custom profile where needed, preserves \
            that defence.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_docker("5.22"), cis_docker("5.2"), cis_docker("5.3"), cwe("693")],
        remediation: "Remove `seccomp:unconfined`, `apparmor:unconfined` and `label:disable` from `security_opt`; write a custom profile if the default blocks something needed.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(unconfined),
};

fn unconfined(svc: &ServiceView, s: &mut Sink) {
    for o in svc.items("security_opt") {
        let Some(v) = o.as_str() else { continue };
        let norm = v.replace('=', ":").to_ascii_lowercase();
        if matches!(
            norm.as_str(),
            "seccomp:unconfined"
                | "apparmor:unconfined"
                | "label:disable"
                | "systempaths:unconfined"
        ) {
            s.at_node_text(o, v, format!("{} sets security_opt {v}", svc.label()));
        }
    }
}

pub static NO_NEW_PRIVILEGES: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-010",
        benchmark: Benchmark::Shipshape,
        title: "Service does not set no-new-privileges",
        rationale:
            "Without no-new-privileges, a process in the service can raise its rights by running \
            setuid or setgid binaries, turning a foothold as an ordinary user into root inside \
            the container. The option makes the kernel refuse such gains for the service's \
            processes and everything they start.",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_docker("5.26"), cwe("269")],
        remediation: "Add `security_opt: [\"no-new-privileges:true\"]`.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(nnp),
};

fn nnp(svc: &ServiceView, s: &mut Sink) {
    let set = svc
        .items("security_opt")
        .iter()
        .filter_map(|o| o.as_str())
        .any(|v| {
            let n = v.replace('=', ":").to_ascii_lowercase();
            n == "no-new-privileges" || n == "no-new-privileges:true"
        });
    if !set {
        at_service(
            svc,
            s,
            format!(
                "{} lets processes gain privileges through setuid binaries (no no-new-privileges)",
                svc.label()
            ),
        );
    }
}
