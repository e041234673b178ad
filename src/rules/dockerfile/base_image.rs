//! Base image tags.

use crate::findings::{Severity, Stride};
use crate::scan::dockerfile::Dockerfile;
use crate::scan::heuristics::image_tag_problem;
use crate::scan::rule::*;

pub static BASE_TAG: Rule = Rule {
    id: "DF-005",
    title: "Base image uses the latest tag or no tag",
    domain: Domain::Dockerfile,
    severity: Severity::Medium,
    stride: &[Stride::Tampering],
    refs: &[cis_docker("4.2")],
    remediation:
        "Pin the base image to a version tag, ideally with a digest (`FROM alpine:3.20@sha256:…`).",
    check: Check::Dockerfile(base),
};

fn base(df: &Dockerfile, s: &mut Sink) {
    for st in &df.stages {
        if st.parent.is_some() || st.image.eq_ignore_ascii_case("scratch") {
            continue;
        }
        if let Some(why) = image_tag_problem(&st.image) {
            let i = &df.instructions[st.from];
            s.report(
                i.pos_at(st.image_offset),
                st.image.len(),
                format!("base image {} {why}", st.image),
            );
        }
    }
}
