//! Capabilities added and not dropped.

use super::at_service;
use crate::findings::{Severity, Stride};
use crate::knowledge::capabilities as caps;
use crate::manifest::compose::ServiceView;
use crate::rules::manifest::*;

pub static CAP_ADD: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-004",
        benchmark: Benchmark::Shipshape,
        title: "Service adds Linux capabilities (cap_add)",
        rationale: "Each added capability hands the service part of root: SYS_ADMIN, NET_ADMIN or \
            SYS_PTRACE, for example, expose kernel interfaces that often lead to a host escape. \
            Adding only what the service provably needs keeps a compromised container from using \
            the rest.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_docker("5.4"), cwe("250")],
        remediation: "Remove `cap_add` entries the service does not strictly need; never add ALL or SYS_ADMIN.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(cap_add),
};

fn cap_add(svc: &ServiceView, s: &mut Sink) {
    for cap in svc.items("cap_add") {
        if let Some(c) = cap.as_str() {
            // ALL, SYS_ADMIN and SYS_MODULE are COMPOSE-033 (critical).
            if !caps::added_is_finding(c) || caps::is_takeover(c) {
                continue;
            }
            let why = if caps::is_dangerous(c) {
                " (close to root on the host)"
            } else {
                ""
            };
            s.at_value(cap, format!("{} adds capability {c}{why}", svc.label()));
        }
    }
}

pub static CAP_DROP: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-005",
        benchmark: Benchmark::Shipshape,
        title: "Service does not drop all capabilities (cap_drop: [ALL])",
        rationale:
            "Without cap_drop: [ALL] the service keeps Docker's default capability set, which \
            still includes rights such as NET_RAW, CHOWN and SETUID that an intruder can use for \
            spoofing or changing identities. Dropping everything and adding back only what is \
            needed leaves a compromised process with no spare kernel privileges.",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_docker("5.4"), cwe("250")],
        remediation: "Add `cap_drop: [ALL]` and add back only what is needed with `cap_add`.",
        fix: Fix::ManifestSet {
            path: "cap_drop",
            value: "[\"ALL\"]",
        },
    },
    domain: Domain::Compose,
    subject: Subject::Service(cap_drop),
};

fn cap_drop(svc: &ServiceView, s: &mut Sink) {
    let all = caps::drops_all(svc.items("cap_drop").iter().filter_map(|n| n.as_str()));
    if !all {
        match svc.entry("cap_drop") {
            Some(e) => s.at_key(
                e,
                format!("{} drops some capabilities but not ALL", svc.label()),
            ),
            None => at_service(
                svc,
                s,
                format!(
                    "{} keeps Docker's default capabilities (no cap_drop: [ALL])",
                    svc.label()
                ),
            ),
        }
    }
}

pub static CAP_TAKEOVER: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-033",
        benchmark: Benchmark::Shipshape,
        title: "Service adds ALL, SYS_ADMIN or SYS_MODULE",
        rationale: "SYS_ADMIN allows mounting filesystems and most of what the kernel reserves for \
            the administrator, SYS_MODULE loads code into the host's kernel, and ALL grants \
            every capability at once. Each is, in practice, root on the host and a direct path \
            out of the container, much like running privileged.",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        refs: &[cis_docker("5.4"), cwe("250")],
        remediation: "Remove the capability; grant the narrow capability or device the service needs instead.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        for cap in svc.items("cap_add") {
            if let Some(c) = cap.as_str().filter(|c| caps::is_takeover(c)) {
                s.at_value(
                    cap,
                    format!("{} adds capability {c}, a direct path to root on the host", svc.label()),
                );
            }
        }
    }),
};
