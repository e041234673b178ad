//! Secrets written into environment variables.

use crate::findings::{Severity, Stride};
use crate::knowledge::secrets::is_literal_secret;
use crate::manifest::k8s::PodView;
use crate::rules::manifest::*;

pub static ENV_SECRETS: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-020",
        benchmark: Benchmark::Shipshape,
        title: "Secret value written literally in a container environment variable",
        rationale: "A secret written in a manifest's env value sits in clear text in version control, in \
            the object stored by the API server and in kubectl output, readable by anyone who \
            can view the workload. Referencing a Secret keeps the value out of the manifest, \
            where RBAC and encryption at rest can protect it.",
        severity: Severity::Critical,
        stride: &[Stride::InformationDisclosure],
        refs: &[cis_k8s("5.4.1"), nsa("Network separation and hardening: secrets"), cwe("798"), cwe("526")],
        remediation: "Store the value in a Secret (or an external secret store) and mount it as a file, or at least use `valueFrom.secretKeyRef`.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(env),
};

fn env(p: &PodView, s: &mut Sink) {
    for c in &p.containers {
        for var in c.node.get("env").map(|n| n.as_seq()).unwrap_or(&[]) {
            let Some(name) = var.get_str("name") else {
                continue;
            };
            let Some(v) = var.entry("value") else {
                continue;
            };
            let val = v.value.scalar_text().unwrap_or_default();
            if is_literal_secret(name, &val) {
                s.at_key(
                    v,
                    format!(
                        "{} sets {name} to a literal value in the manifest",
                        c.label()
                    ),
                );
            }
        }
    }
}
