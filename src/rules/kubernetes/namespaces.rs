//! Namespaces and Pod Security Admission labels.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::Object;
use crate::rules::manifest::*;

const ENFORCE: &str = "pod-security.kubernetes.io/enforce";

pub static PSA_PRIVILEGED: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-050",
        benchmark: Benchmark::Shipshape,
        title: "Namespace enforces the privileged Pod Security level",
        rationale:
            "A namespace that enforces the privileged Pod Security level accepts pods with host \
            namespaces, host paths, privileged mode and every other dangerous setting. Anyone \
            allowed to create pods there can take over a node. Enforcing baseline or restricted \
            makes the API server reject such pods before they run.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[
            cis_k8s("5.2.1"),
            nsa("Pod security: pod security enforcement"),
        ],
        remediation:
            "Set `pod-security.kubernetes.io/enforce: restricted` (or baseline) on the namespace.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(privileged),
};

fn privileged(o: &Object, s: &mut Sink) {
    if o.kind != "Namespace" {
        return;
    }
    if let Some(e) = o.label_value(ENFORCE) {
        if e.value.as_str() == Some("privileged") {
            s.at_value(
                &e.value,
                format!(
                    "{} allows privileged pods (PSA enforce=privileged)",
                    o.label()
                ),
            );
        }
    }
}

pub static PSA_MISSING: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-051",
        benchmark: Benchmark::Shipshape,
        title: "Namespace has no Pod Security Admission enforce label",
        rationale: "Without an enforce label a namespace falls back to the cluster's default Pod \
            Security level, which is privileged unless configured otherwise, so nothing stops \
            pods that share host namespaces or run privileged. An explicit enforce label makes \
            the namespace's protection deliberate and visible in the manifest.",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[
        cis_k8s("5.2.1"),
        nsa("Pod security: pod security enforcement"),
    ],
        remediation: "Label the namespace with `pod-security.kubernetes.io/enforce: restricted` (or baseline).",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(missing),
};

fn missing(o: &Object, s: &mut Sink) {
    if o.kind == "Namespace" && o.label_value(ENFORCE).is_none() {
        s.at_text(
            o.kind_pos,
            "kind",
            format!(
                "{} has no {ENFORCE} label, so no Pod Security level is enforced",
                o.label()
            ),
        );
    }
}
