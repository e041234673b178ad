//! HEALTHCHECK.

use crate::findings::{Severity, Stride};
use crate::manifest::dockerfile::Dockerfile;
use crate::rules::manifest::*;

pub static NO_HEALTHCHECK: Rule = Rule {
    meta: RuleMeta {
        id: "DF-010",
        benchmark: Benchmark::Shipshape,
        title: "Final image has no HEALTHCHECK",
        rationale: "Without a HEALTHCHECK, Docker only knows that the process exists, so a hung or \
            broken service keeps running and receiving traffic until someone notices. A health \
            check lets the engine and orchestrators detect the failure and restart or replace \
            the container, which shortens outages.",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        refs: &[cis_docker("4.6")],
        remediation: "Add `HEALTHCHECK CMD <probe>` to the final stage (orchestrators with their own probes may disable this rule in shipshape.toml).",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(check),
};

fn check(df: &Dockerfile, s: &mut Sink) {
    let Some(from) = df.final_from() else { return };
    match df.final_image_instructions("HEALTHCHECK").first() {
        None => s.at_keyword(from, "the final stage has no HEALTHCHECK"),
        Some(h) if h.args.trim().eq_ignore_ascii_case("NONE") => {
            s.at_keyword(h, "HEALTHCHECK NONE disables the health check")
        }
        Some(_) => {}
    }
}
