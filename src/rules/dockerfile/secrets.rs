//! Secrets baked into ENV or ARG.

use super::env_pairs;
use crate::findings::{Severity, Stride};
use crate::knowledge::secrets::{is_reference, is_secret_name};
use crate::manifest::dockerfile::Dockerfile;
use crate::rules::manifest::*;

pub static ENV_ARG_SECRETS: Rule = Rule {
    meta: RuleMeta {
        id: "DF-006",
        benchmark: Benchmark::Shipshape,
        title: "Secret in ENV or ARG",
        rationale: "Values given to ENV or ARG are recorded in the image's configuration or build \
            history, so anyone who can pull the image can read them with docker history or \
            inspect, long after the build. A leaked credential opens whatever it protects. \
            BuildKit secret mounts and run-time secrets never persist in the image.",
        severity: Severity::Critical,
        stride: &[Stride::InformationDisclosure],
        refs: &[cis_docker("4.10"), cwe("798"), cwe("538")],
        remediation: "Pass secrets at build time with `RUN --mount=type=secret` and at run time through the orchestrator; ENV and ARG values stay in the image history.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(env_arg),
};

fn env_arg(df: &Dockerfile, s: &mut Sink) {
    for i in df
        .instructions
        .iter()
        .filter(|i| i.keyword == "ENV" || i.keyword == "ARG")
    {
        let pairs = env_pairs(i);
        for (k, v, off) in pairs {
            if !is_secret_name(&k) {
                continue;
            }
            match (i.keyword.as_str(), v) {
                ("ENV", Some(v)) if !is_reference(&v) => {
                    s.at_word(i, off, &k, format!("ENV {k} stores a secret in every layer and container of the image"))
                }
                ("ARG", Some(v)) if !is_reference(&v) => {
                    s.at_word(i, off, &k, format!("ARG {k} has a default secret value, kept in the image history"))
                }
                ("ARG", None) => s.at_word(i, off, &k, format!("ARG {k} passes a secret as a build argument, which is recorded in the image history")),
                _ => {}
            }
        }
    }
}
