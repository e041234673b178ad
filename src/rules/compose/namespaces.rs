//! Host namespaces: network, PID, IPC, user, UTS.

use crate::findings::{Severity, Stride};
use crate::rules::manifest::*;

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
    subject: Subject::Service(|svc, s| host_namespace(s, svc.entry("network_mode"), is_host, &svc.label(), "network namespace")),
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
    subject: Subject::Service(|svc, s| {
        host_namespace(
            s,
            svc.entry("pid"),
            is_host,
            &svc.label(),
            "process namespace",
        )
    }),
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
    subject: Subject::Service(|svc, s| {
        host_namespace(s, svc.entry("ipc"), is_host, &svc.label(), "IPC namespace")
    }),
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
        host_namespace(
            s,
            svc.entry("userns_mode"),
            is_host,
            &svc.label(),
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
        host_namespace(
            s,
            svc.entry("uts"),
            is_host,
            &svc.label(),
            "UTS namespace (it can change the host name)",
        )
    }),
};
