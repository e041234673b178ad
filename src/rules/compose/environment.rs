//! Plaintext secrets in `environment`.

use crate::findings::{Severity, Stride};
use crate::knowledge::secrets::is_literal_secret;
use crate::manifest::compose::ServiceView;
use crate::rules::manifest::*;

pub static PLAINTEXT_SECRETS: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-015",
        benchmark: Benchmark::Shipshape,
        title: "Plaintext secret in environment",
        rationale: "A credential written in the compose file's environment section sits in clear text in \
            version control, in docker inspect output and in every copy of the file, readable by \
            anyone who sees them. Compose secrets, or values interpolated from an untracked \
            file, keep the credential out of the shared definition.",
        severity: Severity::Critical,
        stride: &[Stride::InformationDisclosure],
        refs: &[cis_docker("4.10"), cwe("798"), cwe("526")],
        remediation: "Use compose `secrets:` (mounted as files) or interpolate from an untracked env file (`${DB_PASSWORD}`).",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(env),
};

fn env(svc: &ServiceView, s: &mut Sink) {
    for e in svc.entries("environment") {
        if let Some(map) = e.value.as_map() {
            for kv in map {
                let v = kv.value.scalar_text().unwrap_or_default();
                if is_literal_secret(&kv.key, &v) {
                    s.at_key(
                        kv,
                        format!("{} sets {} to a literal value", svc.label(), kv.key),
                    );
                }
            }
        }
        for item in e.value.as_seq() {
            let Some(text) = item.as_str() else { continue };
            let Some((k, v)) = text.split_once('=') else {
                continue;
            };
            if is_literal_secret(k, v) {
                s.at_node_text(
                    item,
                    k,
                    format!("{} sets {k} to a literal value", svc.label()),
                );
            }
        }
    }
}
