//! Objects in the default namespace.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::Object;
use crate::rules::manifest::*;

pub static DEFAULT_NAMESPACE: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-026",
        benchmark: Benchmark::Shipshape,
        title: "Object is placed in the default namespace",
        rationale: "The default namespace usually has no dedicated RBAC, quotas or network policies, and \
            every workload dropped there shares it with whatever else landed by accident. \
            Separation between applications and least-privilege rules then do not exist. A \
            dedicated namespace gives each application its own boundary for access, resources \
            and traffic.",
        severity: Severity::Low,
        stride: &[Stride::ElevationOfPrivilege, Stride::InformationDisclosure],
        refs: &[cis_k8s("5.6.4"), cis_k8s("5.6.1"), nsa("Network separation and hardening: namespaces")],
        remediation: "Set `metadata.namespace` to a dedicated namespace with its own RBAC, quotas and network policies.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(default_ns),
};

const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "PersistentVolume",
    "StorageClass",
    "CustomResourceDefinition",
    "Node",
    "PriorityClass",
    "APIService",
    "CSIDriver",
    "CSINode",
    "IngressClass",
    "RuntimeClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "CertificateSigningRequest",
    "VolumeAttachment",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "ClusterIssuer",
];

fn default_ns(o: &Object, s: &mut Sink) {
    if CLUSTER_SCOPED.contains(&o.kind) {
        return;
    }
    match o.namespace {
        Some(e) if e.value.as_str() == Some("default") => {
            s.at_value(&e.value, format!("{} is placed in the default namespace", o.label()))
        }
        Some(_) => {}
        None => s.at_text(o.kind_pos, "kind", format!("{} has no namespace, so it lands in the default namespace unless one is given at apply time", o.label())),
    }
}
