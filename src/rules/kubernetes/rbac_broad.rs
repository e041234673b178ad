//! RBAC grants that reach too far: roles equivalent to cluster-admin,
//! wildcard non-resource URLs, bindings to broad groups and to a
//! namespace's default ServiceAccount.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::Object;
use crate::manifest::yaml::Node;
use crate::rules::manifest::*;

fn seq_strs<'a>(n: &'a Node, key: &str) -> Vec<&'a str> {
    n.get(key)
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

fn rules_of<'a>(o: &Object<'a>) -> &'a [Node] {
    if !matches!(o.kind, "Role" | "ClusterRole") {
        return &[];
    }
    o.node.get("rules").map(Node::as_seq).unwrap_or(&[])
}

fn is_binding(o: &Object) -> bool {
    matches!(o.kind, "RoleBinding" | "ClusterRoleBinding")
}

/// Groups that hold every authenticated user or every service account.
pub(crate) fn is_broad_group(name: &str) -> bool {
    matches!(
        name,
        "system:authenticated" | "system:serviceaccounts" | "system:unauthenticated"
    ) || name.starts_with("system:serviceaccounts:")
}

/// Subjects of a binding: (kind, name node).
fn subjects<'a>(o: &Object<'a>) -> Vec<(&'a str, &'a Node)> {
    if !is_binding(o) {
        return Vec::new();
    }
    o.node
        .get("subjects")
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|sub| Some((sub.get_str("kind").unwrap_or(""), sub.get("name")?)))
        .collect()
}

pub static ADMIN_EQUIVALENT: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-043",
        benchmark: Benchmark::Shipshape,
        title: "Role is equivalent to cluster-admin (every verb on every resource in every API group)",
        rationale: "A policy rule with a wildcard for API groups, resources and verbs at once is the \
            same grant as cluster-admin: secrets, RBAC, nodes and admission webhooks included, and \
            every kind added to the cluster later. Whoever holds such a role can take the whole \
            cluster, so it deserves the same scrutiny as cluster-admin itself.",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_k8s("5.1.3"), nsa("Authentication and authorization: RBAC"), cwe("269")],
        remediation: "List the API groups, resources and verbs the subject needs; keep full rights to cluster-admin for break-glass use.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(admin_equivalent),
};

fn admin_equivalent(o: &Object, s: &mut Sink) {
    for rule in rules_of(o) {
        let all = |k| seq_strs(rule, k).contains(&"*");
        if all("apiGroups") && all("resources") && all("verbs") {
            s.at_value(
                rule,
                format!(
                    "{} grants every verb on every resource in every API group (cluster-admin equivalent)",
                    o.label()
                ),
            );
        }
    }
}

pub static NON_RESOURCE_WILDCARD: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-044",
        benchmark: Benchmark::Shipshape,
        title: "Role grants a wildcard in nonResourceURLs",
        rationale: "nonResourceURLs cover the API server's own endpoints such as health, metrics, \
            version and debugging paths. A wildcard grants all of them, today's and future ones, \
            which exposes internal details and profiling endpoints to the subject. Naming the \
            few paths a monitoring agent needs keeps the grant narrow.",
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure],
        refs: &[
            cis_k8s("5.1.3"),
            nsa("Authentication and authorization: RBAC"),
            cwe("269"),
        ],
        remediation: "Name the exact paths (for example `/metrics`, `/healthz`) instead of `*`.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(non_resource),
};

fn non_resource(o: &Object, s: &mut Sink) {
    for rule in rules_of(o) {
        for n in rule.get("nonResourceURLs").map(Node::as_seq).unwrap_or(&[]) {
            if let Some(url) = n.as_str().filter(|u| u.contains('*')) {
                s.at_value(
                    n,
                    format!("{} grants the non-resource URLs {url}", o.label()),
                );
            }
        }
    }
}

pub static BROAD_GROUP: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-045",
        benchmark: Benchmark::Shipshape,
        title: "ClusterRoleBinding grants a role to every authenticated user or service account",
        rationale: "system:authenticated holds every user and service account with any valid \
            credential, and system:serviceaccounts every pod's token in the cluster. A \
            cluster-wide binding to them hands the role to every workload, so one compromised \
            pod anywhere inherits it. Binding named subjects keeps the grant to those who need it.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege, Stride::Spoofing],
        refs: &[
            cis_k8s("5.1.1"),
            nsa("Authentication and authorization: RBAC"),
            cwe("269"),
        ],
        remediation:
            "Bind the role to the specific users, groups or service accounts that need it.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(broad_group),
};

fn broad_group(o: &Object, s: &mut Sink) {
    if o.kind != "ClusterRoleBinding" {
        return;
    }
    for (kind, n) in subjects(o) {
        let Some(name) = n.as_str() else { continue };
        if kind == "Group" && is_broad_group(name) && name != "system:unauthenticated" {
            s.at_value(
                n,
                format!("{} grants its role to the group {name}", o.label()),
            );
        }
    }
}

pub static ADMIN_TO_BROAD: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-046",
        benchmark: Benchmark::Shipshape,
        title: "cluster-admin bound to a broad group or anonymous users",
        rationale:
            "Binding cluster-admin to everyone who is authenticated, to every service account or \
            to anonymous users makes any credential, or none, a full cluster administrator. Any \
            pod's token is then enough to read every Secret and run privileged pods on every \
            node: a direct path to taking over the cluster.",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege, Stride::Spoofing],
        refs: &[
            cis_k8s("5.1.1"),
            nsa("Authentication and authorization: RBAC"),
            cwe("269"),
        ],
        remediation: "Remove the binding; bind narrow roles to named subjects.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(admin_to_broad),
};

fn admin_to_broad(o: &Object, s: &mut Sink) {
    let Some(role) = o.node.path(&["roleRef", "name"]) else {
        return;
    };
    if role.as_str() != Some("cluster-admin") {
        return;
    }
    let broad: Vec<&str> = subjects(o)
        .into_iter()
        .filter_map(|(_, n)| n.as_str())
        .filter(|n| is_broad_group(n) || *n == "system:anonymous")
        .collect();
    if !broad.is_empty() {
        s.at_value(
            role,
            format!("{} grants cluster-admin to {}", o.label(), broad.join(", ")),
        );
    }
}

pub static DEFAULT_SA_BINDING: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-047",
        benchmark: Benchmark::Shipshape,
        title: "Binding grants rights to a namespace's default ServiceAccount",
        rationale:
            "Every pod that names no service account runs as its namespace's default one, so \
            rights bound to it go to every such workload, present and future, whether it needs \
            them or not. A dedicated service account per workload keeps each grant tied to the \
            one workload that needs it.",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[
            cis_k8s("5.1.5"),
            nsa("Pod security: protecting pod service account tokens"),
            cwe("269"),
        ],
        remediation: "Create a dedicated ServiceAccount for the workload and bind the role to it.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(default_sa),
};

fn default_sa(o: &Object, s: &mut Sink) {
    for (kind, n) in subjects(o) {
        if kind == "ServiceAccount" && n.as_str() == Some("default") {
            s.at_value(
                n,
                format!(
                    "{} grants its role to the default ServiceAccount",
                    o.label()
                ),
            );
        }
    }
}
