//! seccomp and AppArmor profiles switched off.

use super::security_settings;
use crate::findings::{Severity, Stride};
use crate::manifest::k8s::PodView;
use crate::rules::manifest::*;

pub static SECCOMP: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-013",
        benchmark: Benchmark::Shipshape,
        title: "seccomp profile is Unconfined",
        rationale: "Without a seccomp profile the container may call every system call the kernel \
            offers, including rarely needed ones behind many container escapes. Unconfined \
            removes that filter entirely. RuntimeDefault blocks the dangerous calls while \
            leaving what normal workloads use, shrinking the kernel surface an attacker can \
            reach.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_k8s("5.6.2"), pss_baseline("Seccomp"), pss_restricted("Seccomp"), nsa("Pod security: hardening container environments"), cwe("693")],
        remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` (or Localhost with a reviewed profile).",
        fix: Fix::ManifestSet {
            path: "securityContext.seccompProfile.type",
            value: "RuntimeDefault",
        },
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(seccomp),
};

fn seccomp(p: &PodView, s: &mut Sink) {
    // Linux-only setting: Windows pods ignore it.
    if super::is_windows(p) {
        return;
    }
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
    entries: impl IntoIterator<Item = &'a crate::manifest::yaml::Entry>,
    what: &str,
) {
    for e in entries {
        if e.value.as_str() == Some("unconfined") {
            s.at_key(e, format!("annotation {} disables {what}", e.key));
        }
    }
}

/// Report `<key>.type: Unconfined` at pod level and on each container.
fn unconfined(p: &PodView, s: &mut Sink, key: &str, what: &str) {
    let is_unconfined = |v: &crate::manifest::yaml::Node| {
        v.as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("Unconfined"))
    };
    let pod = p.object_label();
    for (who, e) in security_settings(p, &[key, "type"]) {
        if is_unconfined(&e.value) {
            let scope = if who == pod {
                " for all containers"
            } else {
                ""
            };
            s.at_value(&e.value, format!("{who} disables {what}{scope}"));
        }
    }
}

pub static APPARMOR: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-014",
        benchmark: Benchmark::Shipshape,
        title: "AppArmor profile is unconfined",
        rationale:
            "An unconfined AppArmor profile lifts the mandatory access control that otherwise \
            stops a container's processes from writing to sensitive /proc and /sys files, \
            mounting filesystems or running certain programs, even as root. RuntimeDefault or a \
            reviewed local profile keeps those restrictions in place.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[
            pss_baseline("AppArmor"),
            nsa("Pod security: hardening container environments"),
            cwe("693"),
        ],
        remediation:
            "Use `appArmorProfile.type: RuntimeDefault` (or a Localhost profile); never Unconfined.",
        fix: Fix::ManifestSet {
            path: "securityContext.appArmorProfile.type",
            value: "RuntimeDefault",
        },
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(apparmor),
};

fn apparmor(p: &PodView, s: &mut Sink) {
    // Linux-only setting: Windows pods ignore it.
    if super::is_windows(p) {
        return;
    }
    unconfined(p, s, "appArmorProfile", "AppArmor");
    let annotations = p.annotations_with_prefix("container.apparmor.security.beta.kubernetes.io/");
    unconfined_annotations(s, annotations, "AppArmor");
}
