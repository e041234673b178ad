//! Pod-spec hygiene beyond the Pod Security baseline: seccomp left unset,
//! the default ServiceAccount, system namespaces, catch-all tolerations,
//! probes, Bidirectional mount propagation, the root group, Secrets in
//! environment variables and SSH ports.

use super::{is_windows, security_settings};
use crate::findings::{Severity, Stride};
use crate::manifest::k8s::{ContainerKind, PodView};
use crate::manifest::yaml::Node;
use crate::rules::manifest::*;

pub static SECCOMP_MISSING: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-062",
        benchmark: Benchmark::Shipshape,
        title: "No seccomp profile set (RuntimeDefault missing)",
        rationale: "Without a seccompProfile the kubelet runs containers Unconfined on most \
            clusters, so every system call of the kernel is open to them, including rarely used \
            ones behind many container escapes. RuntimeDefault blocks those calls at almost no \
            cost to ordinary applications and is required by the restricted profile.",
        severity: Severity::Low,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_k8s("5.6.2"), pss_restricted("Seccomp"), cwe("693")],
        remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod.",
        fix: Fix::ManifestSet {
            path: "spec.securityContext.seccompProfile.type",
            value: "RuntimeDefault",
        },
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(seccomp_missing),
};

fn seccomp_missing(p: &PodView, s: &mut Sink) {
    if is_windows(p)
        || p.pod_sc_entry(&["seccompProfile", "type"]).is_some()
        || p.annotation("seccomp.security.alpha.kubernetes.io/pod")
            .is_some()
    {
        return;
    }
    for c in &p.containers {
        if c.sc_entry(&["seccompProfile", "type"]).is_none() {
            s.at_text(
                c.pos,
                "name",
                format!(
                    "{} has no seccomp profile (neither it nor the pod sets one)",
                    c.label()
                ),
            );
        }
    }
}

pub static DEFAULT_SERVICE_ACCOUNT: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-063",
        benchmark: Benchmark::Shipshape,
        title: "Pod runs under the default ServiceAccount",
        rationale:
            "Every workload that names no service account shares its namespace's default one, \
            so any right granted to it, for any of them, goes to all of them, and their API \
            requests cannot be told apart in audit logs. A dedicated service account per \
            workload keeps rights and audit trails separate.",
        severity: Severity::Low,
        stride: &[Stride::ElevationOfPrivilege, Stride::Repudiation],
        refs: &[
            cis_k8s("5.1.5"),
            nsa("Pod security: protecting pod service account tokens"),
        ],
        remediation: "Create a ServiceAccount for the workload and set `serviceAccountName`.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(default_sa),
};

fn default_sa(p: &PodView, s: &mut Sink) {
    let named = p
        .field("serviceAccountName")
        .or_else(|| p.field("serviceAccount"));
    match named {
        Some(e) if e.value.as_str() == Some("default") => s.at_value(
            &e.value,
            format!("{} names the default ServiceAccount", p.object_label()),
        ),
        Some(_) => {}
        None => s.at_text(
            p.spec_pos,
            "spec",
            format!(
                "{} sets no serviceAccountName, so it runs as the default ServiceAccount",
                p.object_label()
            ),
        ),
    }
}

const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

pub static SYSTEM_NAMESPACE: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-064",
        benchmark: Benchmark::Shipshape,
        title: "Workload placed in a system namespace (kube-system, kube-public, kube-node-lease)",
        rationale: "System namespaces hold the control plane's own components, highly privileged \
            service accounts and Secrets, and are often exempt from admission policy. A user \
            workload there shares that trust and bypasses the controls meant for applications. \
            Its own namespace keeps it under the normal policies.",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        refs: &[
            cis_k8s("5.7.1"),
            nsa("Network separation and hardening: namespaces"),
        ],
        remediation: "Deploy the workload into its own namespace.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(system_namespace),
};

fn system_namespace(p: &PodView, s: &mut Sink) {
    if let Some(e) = p.obj.namespace {
        if let Some(ns) = e.value.as_str().filter(|n| SYSTEM_NAMESPACES.contains(n)) {
            s.at_value(
                &e.value,
                format!("{} runs in the system namespace {ns}", p.object_label()),
            );
        }
    }
}

pub static TOLERATE_ALL: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-065",
        benchmark: Benchmark::Shipshape,
        title: "Toleration matches every taint",
        rationale:
            "A toleration with operator Exists and no key tolerates every taint, so the pod \
            can be scheduled onto control-plane nodes, nodes being drained and nodes kept apart \
            for sensitive work. A compromise of the pod then lands next to the cluster's most \
            valuable components. Tolerating the specific taints needed avoids that.",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[
            nsa("Network separation and hardening: namespaces"),
            cwe("668"),
        ],
        remediation: "Tolerate only named taints (`key:` with `operator: Exists` or `Equal`).",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(tolerate_all),
};

fn tolerate_all(p: &PodView, s: &mut Sink) {
    for t in p
        .field("tolerations")
        .map(|e| e.value.as_seq())
        .unwrap_or(&[])
    {
        let key = t.get_str("key").unwrap_or("");
        if key.is_empty() && t.get_str("operator") == Some("Exists") {
            s.at_value(
                t,
                format!(
                    "{} tolerates every taint (operator Exists without a key)",
                    p.object_label()
                ),
            );
        }
    }
}

pub static PROBES: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-066",
        benchmark: Benchmark::Shipshape,
        title: "Container has no liveness or readiness probe",
        rationale:
            "Without a readiness probe, traffic reaches a container before it can serve and \
            after it has failed; without a liveness probe, a hung process is never restarted. \
            Both turn small faults into outages that last until someone notices. Probes let the \
            cluster route around and recover from them.",
        severity: Severity::Info,
        stride: &[Stride::DenialOfService],
        refs: &[nsa("Network separation and hardening: resource policies")],
        remediation:
            "Add `livenessProbe` and `readinessProbe` that check the service's health endpoint.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(probes),
};

fn probes(p: &PodView, s: &mut Sink) {
    if matches!(p.obj.kind, "Job" | "CronJob") {
        return;
    }
    for c in p
        .containers
        .iter()
        .filter(|c| c.kind == ContainerKind::Regular)
    {
        let missing: Vec<&str> = ["livenessProbe", "readinessProbe"]
            .into_iter()
            .filter(|k| c.node.get(k).is_none())
            .collect();
        if !missing.is_empty() {
            s.at_text(
                c.pos,
                "name",
                format!("{} has no {}", c.label(), missing.join(" or ")),
            );
        }
    }
}

pub static BIDIRECTIONAL: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-067",
        benchmark: Benchmark::Shipshape,
        title: "Volume mount uses Bidirectional propagation",
        rationale:
            "Bidirectional mount propagation lets mounts made inside the container appear on \
            the host and in other pods that share the volume. A container can then shape the \
            node's mount table, which is why the kubelet only allows it in privileged \
            containers; it is a common piece of escape chains.",
        severity: Severity::High,
        stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
        refs: &[
            nsa("Pod security: hardening container environments"),
            cwe("668"),
        ],
        remediation: "Use `mountPropagation: None` (the default) or `HostToContainer`.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(bidirectional),
};

fn bidirectional(p: &PodView, s: &mut Sink) {
    for c in &p.containers {
        for m in c.node.get("volumeMounts").map(Node::as_seq).unwrap_or(&[]) {
            if let Some(e) = m.entry("mountPropagation") {
                if e.value.as_str() == Some("Bidirectional") {
                    s.at_value(
                        &e.value,
                        format!(
                            "{} mounts a volume with Bidirectional propagation",
                            c.label()
                        ),
                    );
                }
            }
        }
    }
}

pub static ROOT_GROUP: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-068",
        benchmark: Benchmark::Shipshape,
        title: "Container runs with the root group (runAsGroup, fsGroup or supplementalGroups 0)",
        rationale: "Group 0 owns many files on the host and in images that are writable by the group. \
            A process in the root group can change them even when its user is not root, and \
            volumes given fsGroup 0 become root-group writable. A dedicated non-zero group keeps \
            the container away from files meant only for root.",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        refs: &[pss_restricted("Running as Non-root"), cwe("250")],
        remediation: "Set `runAsGroup` and `fsGroup` to a non-zero group id and remove 0 from `supplementalGroups`.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(root_group),
};

fn root_group(p: &PodView, s: &mut Sink) {
    if is_windows(p) {
        return;
    }
    for (who, e) in security_settings(p, &["runAsGroup"]) {
        s.key_if(
            Some(e),
            |n| n.as_i64() == Some(0),
            |_| format!("{who} runs with group 0 (root)"),
        );
    }
    for key in ["fsGroup", "supplementalGroups"] {
        let Some(e) = p.pod_sc_entry(&[key]) else {
            continue;
        };
        let zero = |n: &Node| n.as_i64() == Some(0);
        if zero(&e.value) || e.value.as_seq().iter().any(zero) {
            s.at_key(
                e,
                format!("{} sets {key} to include group 0 (root)", p.object_label()),
            );
        }
    }
}

pub static SECRET_ENV: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-069",
        benchmark: Benchmark::Shipshape,
        title: "Secret passed as an environment variable (secretKeyRef or envFrom)",
        rationale: "Environment variables are inherited by every child process, printed by crash \
            reports and debugging endpoints and visible to anyone who can read the process \
            environment. A Secret mounted as a file is read only when needed, can be rotated \
            without a restart and stays out of those channels.",
        severity: Severity::Low,
        stride: &[Stride::InformationDisclosure],
        refs: &[
            cis_k8s("5.4.1"),
            nsa("Network separation and hardening: secrets"),
            cwe("526"),
        ],
        remediation: "Mount the Secret as a volume and have the application read the file.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(secret_env),
};

fn secret_env(p: &PodView, s: &mut Sink) {
    for c in &p.containers {
        for var in c.node.get("env").map(Node::as_seq).unwrap_or(&[]) {
            if let Some(e) = var.get("valueFrom").and_then(|v| v.entry("secretKeyRef")) {
                let name = var.get_str("name").unwrap_or("");
                s.at_key(
                    e,
                    format!("{} reads Secret into the variable {name}", c.label()),
                );
            }
        }
        for src in c.node.get("envFrom").map(Node::as_seq).unwrap_or(&[]) {
            if let Some(e) = src.entry("secretRef") {
                s.at_key(
                    e,
                    format!("{} loads a whole Secret into its environment", c.label()),
                );
            }
        }
    }
}

pub static SSH_PORT: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-070",
        benchmark: Benchmark::Shipshape,
        title: "Container exposes port 22 (SSH)",
        rationale:
            "An SSH server inside a container is a second way in that bypasses the cluster's \
            authentication, audit and exec controls, and it needs keys or passwords managed in \
            the image. kubectl exec or an ephemeral debug container gives the same access under \
            RBAC and audit logging.",
        severity: Severity::Medium,
        stride: &[Stride::Spoofing, Stride::InformationDisclosure],
        refs: &[nsa("Network separation and hardening"), cwe("668")],
        remediation: "Remove the SSH server and port; use `kubectl exec` or `kubectl debug`.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(ssh_port),
};

fn ssh_port(p: &PodView, s: &mut Sink) {
    for c in &p.containers {
        for port in c.node.get("ports").map(Node::as_seq).unwrap_or(&[]) {
            if let Some(e) = port.entry("containerPort") {
                if e.value.as_i64() == Some(22) {
                    s.at_value(&e.value, format!("{} exposes port 22 (SSH)", c.label()));
                }
            }
        }
    }
}

pub static WINDOWS_ADMIN: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-071",
        benchmark: Benchmark::Shipshape,
        title: "Windows container runs as ContainerAdministrator (or SYSTEM)",
        rationale:
            "ContainerAdministrator is the administrator account inside a Windows container, \
            the counterpart of root. A compromised process with it can change the container's \
            system files and services and has far more to work with in an escape attempt. \
            ContainerUser is enough for most applications.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[pss_restricted("Running as Non-root"), cwe("250")],
        remediation: "Set `securityContext.windowsOptions.runAsUserName: ContainerUser`.",
        fix: Fix::ManifestSet {
            path: "securityContext.windowsOptions.runAsUserName",
            value: "ContainerUser",
        },
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(windows_admin),
};

/// Windows accounts with administrator rights: the container's own
/// administrator and the node's SYSTEM account (HostProcess only).
fn is_windows_admin(user: &str) -> bool {
    ["ContainerAdministrator", "NT AUTHORITY\\SYSTEM"]
        .iter()
        .any(|a| a.eq_ignore_ascii_case(user))
}

fn windows_admin(p: &PodView, s: &mut Sink) {
    for (who, e) in security_settings(p, &["windowsOptions", "runAsUserName"]) {
        s.key_if(
            Some(e),
            |n| n.as_str().is_some_and(is_windows_admin),
            |n| format!("{who} runs as {}", n.as_str().unwrap_or("")),
        );
    }
}
