//! RoleBinding and ClusterRoleBinding subjects and roles.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::Object;
use crate::rules::manifest::*;

fn is_binding(o: &Object) -> bool {
    matches!(o.kind, "RoleBinding" | "ClusterRoleBinding")
}

fn subjects(o: &Object, s: &mut Sink, names: &[&str], why: &str) {
    if !is_binding(o) {
        return;
    }
    for sub in o.node.get("subjects").map(|n| n.as_seq()).unwrap_or(&[]) {
        if let Some(e) = sub.entry("name") {
            if let Some(n) = e.value.as_str() {
                if names.contains(&n) {
                    s.at_node_text(&e.value, n, format!("{} binds {n}: {why}", o.label()));
                }
            }
        }
    }
}

pub static ANONYMOUS: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-040",
        benchmark: Benchmark::Shipshape,
        title: "Binding grants a role to anonymous or unauthenticated users",
        rationale: "system:anonymous and system:unauthenticated cover every request without valid \
            credentials. Binding a role to them gives its permissions to anyone who can reach \
            the API server over the network, with no identity to trace. Removing these subjects \
            ensures that every permission is tied to an authenticated identity.",
        severity: Severity::Critical,
        stride: &[
            Stride::Spoofing,
            Stride::ElevationOfPrivilege,
            Stride::InformationDisclosure,
        ],
        refs: &[
            cis_k8s("5.1.1"),
            nsa("Authentication and authorization: authentication"),
            cwe("306"),
        ],
        remediation: "Remove system:anonymous and system:unauthenticated from the subjects.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(|o, s| {
        subjects(
            o,
            s,
            &["system:anonymous", "system:unauthenticated"],
            "anyone who can reach the API server gets the role",
        )
    }),
};

pub static CLUSTER_ADMIN: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-041",
        benchmark: Benchmark::Shipshape,
        title: "Binding grants cluster-admin",
        rationale: "cluster-admin allows every action on every resource, secrets and RBAC included. A \
            subject bound to it, or any workload whose service account it is, becomes a full \
            cluster takeover if compromised. Binding a role with only the needed permissions \
            limits the damage one stolen credential can do.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_k8s("5.1.1"), nsa("Authentication and authorization: RBAC"), cwe("269"), cwe("250")],
        remediation: "Bind a role with only the permissions the subject needs; keep cluster-admin for break-glass use.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(cluster_admin),
};

fn cluster_admin(o: &Object, s: &mut Sink) {
    if !is_binding(o) {
        return;
    }
    if let Some(e) = o.node.path_entry(&["roleRef", "name"]) {
        if e.value.as_str() == Some("cluster-admin") {
            s.at_value(
                &e.value,
                format!(
                    "{} grants cluster-admin, full control of the cluster",
                    o.label()
                ),
            );
        }
    }
}

pub static SYSTEM_MASTERS: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-042",
        benchmark: Benchmark::Shipshape,
        title: "Binding names the system:masters group",
        rationale: "Members of system:masters bypass RBAC and authorization webhooks entirely, and \
            their access cannot be withdrawn by editing bindings, only by revoking their \
            certificates or waiting for them to expire. A manifest that names the group \
            relies on that unrevocable power. Granting access through ordinary roles keeps \
            every permission visible and revocable.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege, Stride::Repudiation],
        refs: &[cis_k8s("5.1.7"), cwe("269")],
        remediation: "Do not use system:masters; its members bypass RBAC entirely and cannot be revoked by removing bindings.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(|o, s| subjects(o, s, &["system:masters"], "members of this group bypass RBAC")),
};
