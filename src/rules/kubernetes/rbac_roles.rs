//! Role and ClusterRole permissions. Wildcards are reported by K8S-030; the
//! other rules look for the named verbs and resources, so one wildcard rule
//! does not produce a finding from every rule.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::Object;
use crate::manifest::yaml::Node;
use crate::rules::manifest::*;

fn is_role(o: &Object) -> bool {
    matches!(o.kind, "Role" | "ClusterRole")
}

/// Items of `rule.<key>` with their nodes.
fn items<'a>(rule: &'a Node, key: &str) -> Vec<(&'a str, &'a Node)> {
    rule.get(key)
        .map(|n| n.as_seq())
        .unwrap_or(&[])
        .iter()
        .filter_map(|n| n.as_str().map(|s| (s, n)))
        .collect()
}

/// For each policy rule of a role: report when it grants one of `verbs` on
/// one of `resources` (by name, not by wildcard).
fn grants(o: &Object, s: &mut Sink, verbs: &[&str], resources: &[&str], what: &str) {
    if !is_role(o) {
        return;
    }
    for rule in o.node.get("rules").map(|n| n.as_seq()).unwrap_or(&[]) {
        let vs = items(rule, "verbs");
        let has_verb = vs.iter().any(|(v, _)| *v == "*" || verbs.contains(v));
        if !has_verb {
            continue;
        }
        for (r, n) in items(rule, "resources") {
            if resources.contains(&r) {
                let granted: Vec<&str> = vs
                    .iter()
                    .map(|(v, _)| *v)
                    .filter(|v| *v == "*" || verbs.contains(v))
                    .collect();
                s.at_text(
                    n.pos,
                    r,
                    format!("{} grants {} on {r}: {what}", o.label(), granted.join(", ")),
                );
            }
        }
    }
}

pub static WILDCARD: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-030",
        benchmark: Benchmark::Shipshape,
        title: "Role grants wildcard verbs, resources or API groups",
        rationale:
            "Wildcards grant every verb, resource or API group, including ones added later and \
            sensitive ones such as secrets, escalate or impersonate. A subject holding them has \
            far more power than intended and often an easy path to cluster admin. Listing the \
            exact verbs and resources makes the grant reviewable and least-privilege.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[
            cis_k8s("5.1.3"),
            nsa("Authentication and authorization: RBAC"),
            cwe("269"),
        ],
        remediation:
            "List the exact verbs, resources and API groups the subject needs instead of `*`.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(wildcard),
};

fn wildcard(o: &Object, s: &mut Sink) {
    if !is_role(o) {
        return;
    }
    for rule in o.node.get("rules").map(|n| n.as_seq()).unwrap_or(&[]) {
        for key in ["verbs", "resources", "apiGroups"] {
            for (v, n) in items(rule, key) {
                if v == "*" {
                    s.at_value(
                        n,
                        format!(
                            "{} grants every {} (\"*\")",
                            o.label(),
                            key.trim_end_matches('s')
                        ),
                    );
                }
            }
        }
    }
}

pub static READ_SECRETS: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-031",
        benchmark: Benchmark::Shipshape,
        title: "Role can read Secrets",
        rationale: "Reading Secrets exposes service account tokens, registry credentials, TLS keys and \
            application passwords; with list or watch it exposes all of them in the namespace or \
            cluster. A subject with this right can often impersonate other workloads and \
            escalate. Removing it, or limiting it to named Secrets, narrows what a compromised \
            subject can steal.",
        severity: Severity::High,
        stride: &[Stride::InformationDisclosure],
        refs: &[cis_k8s("5.1.2"), nsa("Authentication and authorization: RBAC"), cwe("269")],
        remediation: "Remove get/list/watch on secrets, or restrict it with `resourceNames` to the few Secrets needed.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(|o, s| grants(o, s, &["get", "list", "watch"], &["secrets"], "it can read every Secret in scope")),
};

pub static ESCALATE_BIND_IMPERSONATE: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-032",
        benchmark: Benchmark::Shipshape,
        title: "Role grants escalate, bind or impersonate",
        rationale: "escalate lets a subject create or edit roles with permissions it does not hold, bind \
            lets it attach any role to anyone, and impersonate lets it act as another user or \
            group. Each bypasses RBAC's own protection against privilege escalation and leads to \
            cluster admin. Without them, a subject stays limited to the rights it was actually \
            given.",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege, Stride::Spoofing],
        refs: &[cis_k8s("5.1.8"), nsa("Authentication and authorization: RBAC"), cwe("269")],
        remediation: "Remove the escalate, bind and impersonate verbs; they let a subject give itself any permission or act as another user.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(escalate),
};

fn escalate(o: &Object, s: &mut Sink) {
    if !is_role(o) {
        return;
    }
    for rule in o.node.get("rules").map(|n| n.as_seq()).unwrap_or(&[]) {
        for (v, n) in items(rule, "verbs") {
            if matches!(v, "escalate" | "bind" | "impersonate") {
                s.at_text(n.pos, v, format!("{} grants the {v} verb", o.label()));
            }
        }
    }
}

pub static POD_EXEC: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-033",
        benchmark: Benchmark::Shipshape,
        title: "Role can exec or attach into pods",
        rationale:
            "pods/exec and pods/attach let a subject run commands in, or attach to, any pod it \
            can reach, inheriting that pod's service account token, secrets and host mounts. \
            That turns a modest role into the union of every pod's privileges. Keeping these \
            rights to a break-glass role limits that reach.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        refs: &[nsa("Authentication and authorization: RBAC"), cwe("269")],
        remediation:
            "Remove create/get on pods/exec and pods/attach; use a break-glass role for debugging.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(|o, s| {
        grants(
            o,
            s,
            &["create", "get"],
            &["pods/exec", "pods/attach"],
            "it can run commands inside containers",
        )
    }),
};

pub static SA_TOKEN: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-034",
        benchmark: Benchmark::Shipshape,
        title: "Role can create service account tokens",
        rationale: "Creating tokens for service accounts lets a subject mint credentials for any account \
            in scope, including powerful controller accounts, and act as them. That is a direct \
            escalation path, and the minted tokens may outlive the original access. Removing the \
            right keeps identities from being borrowed.",
        severity: Severity::High,
        stride: &[Stride::Spoofing, Stride::ElevationOfPrivilege],
        refs: &[cis_k8s("5.1.13"), nsa("Authentication and authorization: RBAC"), cwe("269")],
        remediation: "Remove create on serviceaccounts/token; token minting lets a subject act as any service account in scope.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(|o, s| grants(o, s, &["create"], &["serviceaccounts/token"], "it can mint tokens for service accounts")),
};

pub static CSR_APPROVAL: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-035",
        benchmark: Benchmark::Shipshape,
        title: "Role can approve certificate signing requests",
        rationale: "Approving certificate signing requests lets a subject have the cluster CA issue \
            client certificates, potentially for privileged identities such as nodes or admin \
            groups, which then authenticate as them. It is a path to cluster-wide control that \
            RBAC changes later cannot easily revoke. Restricting it to the controllers that need \
            it closes that path.",
        severity: Severity::High,
        stride: &[Stride::Spoofing, Stride::ElevationOfPrivilege],
        refs: &[cis_k8s("5.1.11"), nsa("Authentication and authorization: RBAC"), cwe("269")],
        remediation: "Remove update/patch on certificatesigningrequests/approval; approving CSRs can issue client certificates for any identity.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(|o, s| grants(o, s, &["update", "patch"], &["certificatesigningrequests/approval"], "it can approve client certificates")),
};

pub static NODES_PROXY: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-036",
        benchmark: Benchmark::Shipshape,
        title: "Role can use the nodes/proxy subresource",
        rationale: "The nodes/proxy subresource forwards requests to the kubelet API, which can run \
            commands in any pod on the node. Those calls skip admission control and are poorly \
            represented in the API server's audit log. A subject with this right can compromise \
            every pod on a node largely unseen.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_k8s("5.1.10"), nsa("Authentication and authorization: RBAC"), cwe("269")],
        remediation: "Remove access to nodes/proxy; it reaches the kubelet API directly, bypassing admission and audit.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(|o, s| grants(o, s, &["get", "create", "*"], &["nodes/proxy"], "it can call the kubelet API of every node")),
};

pub static WEBHOOKS: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-037",
        benchmark: Benchmark::Shipshape,
        title: "Role can change admission webhook configurations",
        rationale: "Admission webhooks see, and mutating ones can change, every object sent to the API \
            server. A subject who can create or edit webhook configurations can intercept \
            secrets, inject containers into every new pod or switch off validation cluster-wide. \
            Limiting this right to cluster administrators protects the admission chain itself.",
        severity: Severity::High,
        stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
        refs: &[cis_k8s("5.1.12"), nsa("Authentication and authorization: RBAC"), cwe("269")],
        remediation: "Restrict create/update/patch/delete on validating and mutating webhook configurations to cluster administrators.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(|o, s| grants(o, s, &["create", "update", "patch", "delete"], &["validatingwebhookconfigurations", "mutatingwebhookconfigurations"], "it can intercept or disable admission control")),
};

pub static CREATE_PODS: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-038",
        benchmark: Benchmark::Shipshape,
        title: "Role can create pods or persistent volumes",
        rationale: "Creating pods lets a subject run any image with any service account in the \
            namespace, and so use every Secret and permission those accounts have; creating \
            persistent volumes can expose host paths. Both are indirect privilege escalation. \
            Granting them only to controllers and deployment pipelines keeps that power \
            contained.",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_k8s("5.1.4"), cis_k8s("5.1.9"), nsa("Authentication and authorization: RBAC"), cwe("269")],
        remediation: "Grant pod and PersistentVolume creation only to controllers and deployment pipelines that need it.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(|o, s| grants(o, s, &["create"], &["pods", "persistentvolumes"], "with it a subject can run code as any service account or mount host storage")),
};
