//! Image references: mutable tags and missing digests.

use crate::findings::{Severity, Stride};
use crate::knowledge::images::{image_tag_problem, parse_image};
use crate::manifest::k8s::PodView;
use crate::rules::manifest::*;

pub static TAG: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-018",
        benchmark: Benchmark::Shipshape,
        title: "Image uses the latest tag or no tag",
        rationale: "",
        severity: Severity::Medium,
        stride: &[Stride::Tampering],
        refs: &[
        cis_k8s("5.5.1"),
        nsa("Pod security: building secure container images"),
    ],
        remediation: "Pin the image to a release tag and, better, a digest (`image: repo/app:1.4.2@sha256:…`).",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(tag),
};

fn tag(p: &PodView, s: &mut Sink) {
    for c in &p.containers {
        if let Some(e) = c.node.entry("image") {
            if let Some(img) = e.value.as_str() {
                if let Some(why) = image_tag_problem(img) {
                    s.at_value(&e.value, format!("{} image {img} {why}", c.label()));
                }
            }
        }
    }
}

pub static DIGEST: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-019",
        benchmark: Benchmark::Shipshape,
        title: "Image is not pinned by digest",
        rationale: "",
        severity: Severity::Low,
        stride: &[Stride::Tampering],
        refs: &[cis_k8s("5.5.1"), nsa("Pod security: building secure container images")],
        remediation: "Reference the image by digest (`@sha256:…`) so the deployed bits cannot change under the same tag.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(digest),
};

fn digest(p: &PodView, s: &mut Sink) {
    for c in &p.containers {
        if let Some(e) = c.node.entry("image") {
            if let Some(img) = e.value.as_str() {
                if !img.contains('$')
                    && !img.contains("{{")
                    && parse_image(img).digest.is_none()
                    && image_tag_problem(img).is_none()
                {
                    s.at_value(
                        &e.value,
                        format!("{} image {img} is not pinned by digest", c.label()),
                    );
                }
            }
        }
    }
}
