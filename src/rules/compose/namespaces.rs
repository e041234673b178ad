//! Host namespaces: network, PID, IPC, user, UTS.

use crate::findings::{Severity, Stride};
use crate::rules::manifest::*;

pub static NETWORK_HOST: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-006",
        benchmark: Benchmark::Shipshape,
        title: "Service uses the host network (network_mode: host)",
        rationale: "network_mode: host puts the service on the host's interfaces: it can reach services \
            bound to the host's localhost, bind any host port and, with capabilities, observe or \
            change host traffic. A user-defined network with only the needed ports published \
            keeps the service behind Docker's network isolation.",
        severity: Severity::High,
        stride: &[Stride::Spoofing, Stride::InformationDisclosure],
        refs: &[cis_docker("5.10"), cwe("668")],
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
        rationale:
            "pid: host lets the service see every process on the host with command lines and \
            environment, and signal or, with ptrace rights, attach to them. Secrets of other \
            processes leak and host processes become targets. Its own PID namespace hides them.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege, Stride::InformationDisclosure],
        refs: &[cis_docker("5.16"), cwe("668")],
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
        rationale:
            "ipc: host joins the host's shared memory and message queues, so the service can read \
            or corrupt data that host processes exchange through them. Its own IPC namespace, or \
            a namespace shared only with named services, keeps that data apart.",
        severity: Severity::High,
        stride: &[Stride::InformationDisclosure, Stride::Tampering],
        refs: &[cis_docker("5.17"), cwe("668")],
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
        rationale:
            "userns_mode: host turns off the daemon's user namespace remapping for the service, \
            so root in the container is root on the host again. An escape through a kernel or \
            runtime bug then lands with full host privileges. Staying in the remapped namespace \
            keeps container root unprivileged on the host.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_docker("5.31"), cwe("250")],
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
        rationale: "uts: host lets the service change the host's hostname and domain name, which \
            logging, clustering and certificate checks rely on. A compromised service can thus \
            disrupt or spoof the host's identity. Its own UTS namespace confines such changes to \
            the container.",
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
