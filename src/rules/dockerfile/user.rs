//! The user the final image runs as.

use crate::findings::{Severity, Stride};
use crate::manifest::dockerfile::Dockerfile;
use crate::rules::manifest::*;

pub static NO_USER: Rule = Rule {
    meta: RuleMeta {
        id: "DF-001",
        benchmark: Benchmark::Shipshape,
        title: "Final image has no USER, so it runs as root",
        rationale: "Without a USER instruction the image's processes run as root, so every container \
            started from it has uid 0 unless the operator remembers to override it. A compromise \
            then gives root's rights over the container's files and mounts and a shorter path to \
            the host. Switching to an unprivileged user in the final stage makes the safe choice \
            the default.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_docker("4.1"), cwe("250")],
        remediation: "Create an unprivileged user and switch to it (`RUN useradd -r -u 10001 app` then `USER 10001`) in the final stage.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(no_user),
};

fn no_user(df: &Dockerfile, s: &mut Sink) {
    let Some(from) = df.final_from() else { return };
    if df.final_image_instructions("USER").is_empty() {
        s.at_keyword(
            from,
            "the final stage never sets USER, so containers run as root",
        );
    }
}

pub static ROOT_USER: Rule = Rule {
    meta: RuleMeta {
        id: "DF-002",
        benchmark: Benchmark::Shipshape,
        title: "Final USER is root",
        rationale: "When the last USER instruction names root, containers from the image run as uid 0 \
            even though the author thought about users. An attacker who exploits the application \
            gets root inside the container, with write access to its files and mounts and more \
            ways out. Ending the final stage as a non-root user limits what a compromise can do.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_docker("4.1"), cwe("250")],
        remediation: "End the final stage with `USER <non-root user or UID>`; switch to root only for the steps that need it.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(root_user),
};

fn root_user(df: &Dockerfile, s: &mut Sink) {
    let users = df.final_image_instructions("USER");
    let Some(last) = users.first() else { return };
    let spec = last.args.split_whitespace().next().unwrap_or("");
    let user = spec.split(':').next().unwrap_or("");
    if user == "root" || user == "0" {
        s.at_keyword(last, format!("the last USER of the final stage is {spec}"));
    }
}
