//! Host namespaces: network, PID, IPC, user, UTS.

use crate::findings::{Severity, Stride};
use crate::manifest::compose::ServiceView;
use crate::rules::manifest::*;

fn host_mode(svc: &ServiceView, s: &mut Sink, key: &str, what: &str) {
    s.key_if(svc.entry(key), is_host, |_| {
        format!("{} shares the host's {what}", svc.label())
    });
}

pub static NETWORK_HOST: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-006",
        benchmark: Benchmark::Shipshape,
        title: "Service uses the host network (network_mode: host)",
        rationale: "",
        severity: Severity::High,
        stride: &[Stride::Spoofing, Stride::InformationDisclosure],
        refs: &[cis_docker("5.10")],
        remediation: "Remove `network_mode: host`; use a user-defined network and publish only the ports needed.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| host_mode(svc, s, "network_mode", "network namespace")),
};

pub static PID_HOST: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-007",
        benchmark: Benchmark::Shipshape,
        title: "Service shares the host PID namespace (pid: host)",
        rationale: "",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege, Stride::InformationDisclosure],
        refs: &[cis_docker("5.16")],
        remediation: "Remove `pid: host` so the service gets its own process namespace.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| host_mode(svc, s, "pid", "process namespace")),
};

pub static IPC_HOST: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-008",
        benchmark: Benchmark::Shipshape,
        title: "Service shares the host IPC namespace (ipc: host)",
        rationale: "",
        severity: Severity::High,
        stride: &[Stride::InformationDisclosure, Stride::Tampering],
        refs: &[cis_docker("5.17")],
        remediation:
            "Remove `ipc: host` (use `ipc: shareable` between specific services if needed).",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| host_mode(svc, s, "ipc", "IPC namespace")),
};

pub static USERNS_HOST: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-017",
        benchmark: Benchmark::Shipshape,
        title: "Service opts out of user namespace remapping (userns_mode: host)",
        rationale: "",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_docker("5.31")],
        remediation: "Remove `userns_mode: host` so the daemon's user namespace remapping applies.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        host_mode(
            svc,
            s,
            "userns_mode",
            "user namespace: root in the container is root on the host",
        )
    }),
};

pub static UTS_HOST: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-019",
        benchmark: Benchmark::Shipshape,
        title: "Service shares the host UTS namespace (uts: host)",
        rationale: "",
        severity: Severity::Medium,
        stride: &[Stride::Tampering],
        refs: &[cis_docker("5.21")],
        remediation: "Remove `uts: host` so the service cannot change the host's hostname.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        host_mode(svc, s, "uts", "UTS namespace (it can change the host name)")
    }),
};
