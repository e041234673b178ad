//! Windows HostProcess, /proc mount type and unsafe sysctls.

use super::security_settings;
use crate::findings::{Severity, Stride};
use crate::manifest::k8s::PodView;
use crate::manifest::yaml::Entry;
use crate::rules::manifest::*;

pub static HOST_PROCESS: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-023",
        benchmark: Benchmark::Shipshape,
        title: "Windows HostProcess container",
        rationale: "A Windows HostProcess container runs directly on the node as a host process with \
            access to its filesystem, network and, often, SYSTEM rights, with no container \
            isolation at all. A compromised workload of this kind is a compromised node. \
            Reserving it for managed node agents outside workload namespaces keeps that power \
            away from applications.",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_k8s("5.2.10"), pss_baseline("HostProcess"), cwe("250")],
        remediation: "Remove `windowsOptions.hostProcess: true`; run node agents outside the workload namespaces.",
        fix: Fix::ManifestSet {
            path: "securityContext.windowsOptions.hostProcess",
            value: "false",
        },
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(host_process),
};

fn host_process(p: &PodView, s: &mut Sink) {
    for (who, e) in security_settings(p, &["windowsOptions", "hostProcess"]) {
        s.key_if(Some(e), is_true, |_| {
            format!("{who} runs as a Windows HostProcess (full host access)")
        });
    }
}

pub static PROC_MOUNT: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-024",
        benchmark: Benchmark::Shipshape,
        title: "Container uses an unmasked /proc (procMount)",
        rationale:
            "The runtime normally masks and makes read-only the parts of /proc that expose kernel \
            and host details or allow changing kernel settings. An Unmasked procMount lifts that \
            protection, giving the container kernel interfaces useful for information gathering \
            and escape. The Default mount keeps them hidden.",
        severity: Severity::High,
        stride: &[Stride::InformationDisclosure, Stride::ElevationOfPrivilege],
        refs: &[pss_baseline("/proc Mount Type")],
        remediation: "Remove `procMount` or set it to `Default`.",
        fix: Fix::ManifestSet {
            path: "securityContext.procMount",
            value: "Default",
        },
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(proc_mount),
};

fn proc_mount(p: &PodView, s: &mut Sink) {
    // Linux-only setting: Windows pods ignore it.
    if super::is_windows(p) {
        return;
    }
    for c in &p.containers {
        if let Some(e) = c.sc_entry(&["procMount"]) {
            if e.value.as_str().is_some_and(|v| v != "Default") {
                s.at_key(
                    e,
                    format!(
                        "{} sets procMount to {}",
                        c.label(),
                        e.value.as_str().unwrap_or("")
                    ),
                );
            }
        }
    }
}

pub static SYSCTLS: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-025",
        benchmark: Benchmark::Shipshape,
        title: "Pod sets an unsafe sysctl",
        rationale: "Sysctls outside the small safe set are node-wide or insufficiently isolated, so \
            setting them from a pod changes kernel behaviour for the whole node and its other \
            pods, for example network or memory settings. Restricting pods to namespaced safe \
            sysctls keeps one workload from retuning the node.",
        severity: Severity::Medium,
        stride: &[Stride::Tampering, Stride::DenialOfService],
        refs: &[pss_baseline("Sysctls")],
        remediation: "Use only the namespaced safe sysctls (e.g. net.ipv4.ip_local_port_range); tune node-level settings on the node.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(sysctls),
};

fn sysctls(p: &PodView, s: &mut Sink) {
    // Linux-only setting: Windows pods ignore it.
    if super::is_windows(p) {
        return;
    }
    let Some(list) = p.spec.path(&["securityContext", "sysctls"]) else {
        return;
    };
    for item in list.as_seq() {
        let Some(e) = item.entry("name") else {
            continue;
        };
        let Some(name) = e.value.as_str() else {
            continue;
        };
        if !crate::knowledge::sysctls::is_safe(name) {
            s.at_value(
                &e.value,
                format!("{} sets unsafe sysctl {name}", p.object_label()),
            );
        }
    }
}

pub static SELINUX: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-027",
        benchmark: Benchmark::Shipshape,
        title: "SELinux options set a custom type, user or role",
        rationale: "SELinux labels decide which host files and processes a container may touch. A custom \
            user, role or type can move the container out of the confined container domains into \
            one with far wider rights, undoing SELinux separation. Keeping to the standard \
            container types preserves that confinement.",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[pss_baseline("SELinux"), nsa("Pod security: hardening container environments"), cwe("693")],
        remediation: "Remove `seLinuxOptions.user`/`role` and use only the container types (container_t, container_init_t, container_kvm_t, container_engine_t).",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(selinux),
};

const SELINUX_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn selinux_check(o: &Entry, what: &str, s: &mut Sink) {
    if let Some(t) = o.value.entry("type") {
        let v = t.value.as_str().unwrap_or("");
        if !v.is_empty() && !SELINUX_TYPES.contains(&v) {
            s.at_node_text(&t.value, v, format!("{what} uses SELinux type {v}"));
        }
    }
    for key in ["user", "role"] {
        if let Some(e) = o.value.entry(key) {
            if e.value.as_str().is_some_and(|v| !v.is_empty()) {
                s.at_key(e, format!("{what} sets the SELinux {key}"));
            }
        }
    }
}

fn selinux(p: &PodView, s: &mut Sink) {
    // Linux-only setting: Windows pods ignore it.
    if super::is_windows(p) {
        return;
    }
    for (who, e) in security_settings(p, &["seLinuxOptions"]) {
        selinux_check(e, &who, s);
    }
}
