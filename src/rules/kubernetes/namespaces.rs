//! Namespaces and Pod Security Admission labels.

use crate::findings::{Severity, Stride};
use crate::scan::k8s::Object;
use crate::scan::rule::*;

const ENFORCE: &str = "pod-security.kubernetes.io/enforce";

pub static PSA_PRIVILEGED: Rule = Rule {
    id: "K8S-050",
    title: "Namespace enforces the privileged Pod Security level",
    domain: Domain::Kubernetes,
    severity: Severity::High,
    stride: &[Stride::ElevationOfPrivilege],
    refs: &[
        cis_k8s("5.2.1"),
        nsa("Pod security: pod security enforcement"),
    ],
    remediation:
        "Set `pod-security.kubernetes.io/enforce: restricted` (or baseline) on the namespace.",
    check: Check::Object(privileged),
};

fn privileged(o: &Object, s: &mut Sink) {
    if o.kind != "Namespace" {
        return;
    }
    if let Some(e) = o.label_value(ENFORCE) {
        if e.value.as_str() == Some("privileged") {
            s.report(
                e.value.pos,
                10,
                format!(
                    "{} allows privileged pods (PSA enforce=privileged)",
                    o.label()
                ),
            );
        }
    }
}

pub static PSA_MISSING: Rule = Rule {
    id: "K8S-051",
    title: "Namespace has no Pod Security Admission enforce label",
    domain: Domain::Kubernetes,
    severity: Severity::Medium,
    stride: &[Stride::ElevationOfPrivilege],
    refs: &[
        cis_k8s("5.2.1"),
        nsa("Pod security: pod security enforcement"),
    ],
    remediation:
        "Label the namespace with `pod-security.kubernetes.io/enforce: restricted` (or baseline).",
    check: Check::Object(missing),
};

fn missing(o: &Object, s: &mut Sink) {
    if o.kind == "Namespace" && o.label_value(ENFORCE).is_none() {
        s.report(
            o.kind_pos,
            4,
            format!(
                "{} has no {ENFORCE} label, so no Pod Security level is enforced",
                o.label()
            ),
        );
    }
}
