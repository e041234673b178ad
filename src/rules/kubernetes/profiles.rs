//! seccomp and AppArmor profiles switched off.

use crate::findings::{Severity, Stride};
use crate::scan::k8s::PodView;
use crate::scan::rule::*;

pub static SECCOMP: Rule = Rule {
    id: "K8S-013",
    title: "seccomp profile is Unconfined",
    domain: Domain::Kubernetes,
    severity: Severity::High,
    stride: &[Stride::ElevationOfPrivilege],
    refs: &[cis_k8s("5.6.2"), pss_baseline("Seccomp"), pss_restricted("Seccomp"), nsa("Pod security: hardening container environments")],
    remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` (or Localhost with a reviewed profile).",
    check: Check::Pod(seccomp),
};

fn seccomp(p: &PodView, s: &mut Sink) {
    unconfined(p, s, "seccompProfile", "seccomp");
    let annotations = p
        .annotations_with_prefix("seccomp.security.alpha.kubernetes.io/")
        .into_iter()
        .chain(p.annotations_with_prefix("container.seccomp.security.alpha.kubernetes.io/"));
    unconfined_annotations(s, annotations, "seccomp");
}

/// Report legacy `…kubernetes.io/…: unconfined` annotations.
fn unconfined_annotations<'a>(
    s: &mut Sink,
    entries: impl IntoIterator<Item = &'a crate::scan::yaml::Entry>,
    what: &str,
) {
    for e in entries {
        if e.value.as_str() == Some("unconfined") {
            s.report(
                e.key_pos,
                e.key.len(),
                format!("annotation {} disables {what}", e.key),
            );
        }
    }
}

/// Report `<key>.type: Unconfined` at pod level and on each container.
fn unconfined(p: &PodView, s: &mut Sink, key: &str, what: &str) {
    let is_unconfined = |v: &crate::scan::yaml::Node| {
        v.as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("Unconfined"))
    };
    if let Some(e) = p.pod_sc_entry(&[key, "type"]) {
        if is_unconfined(&e.value) {
            s.report(
                e.value.pos,
                10,
                format!("{} disables {what} for all containers", p.object_label()),
            );
        }
    }
    for c in &p.containers {
        if let Some(e) = c.sc_entry(&[key, "type"]) {
            if is_unconfined(&e.value) {
                s.report(e.value.pos, 10, format!("{} disables {what}", c.label()));
            }
        }
    }
}

pub static APPARMOR: Rule = Rule {
    id: "K8S-014",
    title: "AppArmor profile is unconfined",
    domain: Domain::Kubernetes,
    severity: Severity::High,
    stride: &[Stride::ElevationOfPrivilege],
    refs: &[
        pss_baseline("AppArmor"),
        nsa("Pod security: hardening container environments"),
    ],
    remediation:
        "Use `appArmorProfile.type: RuntimeDefault` (or a Localhost profile); never Unconfined.",
    check: Check::Pod(apparmor),
};

fn apparmor(p: &PodView, s: &mut Sink) {
    unconfined(p, s, "appArmorProfile", "AppArmor");
    let annotations = p.annotations_with_prefix("container.apparmor.security.beta.kubernetes.io/");
    unconfined_annotations(s, annotations, "AppArmor");
}
