//! Base image tags.

use crate::findings::{Severity, Stride};
use crate::knowledge::images::image_tag_problem;
use crate::manifest::dockerfile::Dockerfile;
use crate::rules::manifest::*;

pub static BASE_TAG: Rule = Rule {
    meta: RuleMeta {
        id: "DF-005",
        benchmark: Benchmark::Shipshape,
        title: "Base image uses the latest tag or no tag",
        rationale: "A base image with the latest tag or no tag can change at every build, pulling in \
            unreviewed, broken or malicious changes from upstream, and two builds of the same \
            Dockerfile may differ. Pinning a version tag, ideally with a digest, keeps the \
            foundation of the image fixed and reviewable.",
        severity: Severity::Medium,
        stride: &[Stride::Tampering],
        refs: &[cis_docker("4.2")],
        remediation: "Pin the base image to a version tag, ideally with a digest (`FROM alpine:3.20@sha256:…`).",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(base),
};

fn base(df: &Dockerfile, s: &mut Sink) {
    for st in &df.stages {
        if st.parent.is_some() || st.image.eq_ignore_ascii_case("scratch") {
            continue;
        }
        if let Some(why) = image_tag_problem(&st.image) {
            let i = &df.instructions[st.from];
            s.at_word(
                i,
                st.image_offset,
                &st.image,
                format!("base image {} {why}", st.image),
            );
        }
    }
}
