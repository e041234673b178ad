//! Image references: mutable tags and missing digests.

use crate::findings::{Severity, Stride};
use crate::scan::heuristics::{image_tag_problem, parse_image};
use crate::scan::k8s::PodView;
use crate::scan::rule::*;

pub static TAG: Rule = Rule {
    id: "K8S-018",
    title: "Image uses the latest tag or no tag",
    domain: Domain::Kubernetes,
    severity: Severity::Medium,
    stride: &[Stride::Tampering],
    refs: &[
        cis_k8s("5.5.1"),
        nsa("Pod security: building secure container images"),
    ],
    remediation:
        "Pin the image to a release tag and, better, a digest (`image: repo/app:1.4.2@sha256:…`).",
    check: Check::Pod(tag),
};

fn tag(p: &PodView, s: &mut Sink) {
    for c in &p.containers {
        if let Some(e) = c.node.entry("image") {
            if let Some(img) = e.value.as_str() {
                if let Some(why) = image_tag_problem(img) {
                    s.report(
                        e.value.pos,
                        img.len(),
                        format!("{} image {img} {why}", c.label()),
                    );
                }
            }
        }
    }
}

pub static DIGEST: Rule = Rule {
    id: "K8S-019",
    title: "Image is not pinned by digest",
    domain: Domain::Kubernetes,
    severity: Severity::Low,
    stride: &[Stride::Tampering],
    refs: &[cis_k8s("5.5.1"), nsa("Pod security: building secure container images")],
    remediation: "Reference the image by digest (`@sha256:…`) so the deployed bits cannot change under the same tag.",
    check: Check::Pod(digest),
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
                    s.report(
                        e.value.pos,
                        img.len(),
                        format!("{} image {img} is not pinned by digest", c.label()),
                    );
                }
            }
        }
    }
}
