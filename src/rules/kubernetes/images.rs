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
        rationale: "The latest tag, or no tag at all, can point to a different image on every pull, so a \
            change upstream, a compromised registry account or a simple push reaches production \
            unreviewed, and rollbacks are unreliable. A fixed version tag, better a digest, pins \
            what runs.",
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
        rationale: "A tag is a movable name: whoever can push to the repository can make it point at \
            different content, so the same manifest may deploy new, unreviewed code tomorrow. A \
            digest identifies the image content itself, so the node pulls exactly the bits that \
            were tested and approved.",
        severity: Severity::Low,
        stride: &[Stride::Tampering],
        refs: &[cis_k8s("5.5.1"), nsa("Pod security: building secure container images"), cwe("494")],
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
