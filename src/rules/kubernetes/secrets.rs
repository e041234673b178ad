//! Secrets committed in manifests and secrets hidden in ConfigMaps.

use crate::findings::{Severity, Stride};
use crate::knowledge::secrets::is_literal_secret;
use crate::manifest::k8s::Object;
use crate::rules::manifest::*;

pub static SECRET_MANIFEST: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-054",
        benchmark: Benchmark::Shipshape,
        title: "Secret manifest carries its values",
        rationale: "A Secret manifest with its data filled in keeps the values only base64-encoded, \
            which is not encryption, so they land readable in version control, CI logs and every \
            clone of the repository. An external secret store or encrypted secrets keep the \
            values out of the files that are shared.",
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure],
        refs: &[cis_k8s("5.4.2"), nsa("Network separation and hardening: secrets"), cwe("312"), cwe("798")],
        remediation: "Keep secret values out of version control: use an external secret store, sealed or SOPS-encrypted secrets.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(secret),
};

fn secret(o: &Object, s: &mut Sink) {
    if o.kind != "Secret" {
        return;
    }
    for key in ["data", "stringData"] {
        if let Some(e) = o.node.entry(key) {
            if e.value.as_map().is_some_and(|m| !m.is_empty()) {
                s.at_key(
                    e,
                    format!(
                        "{} stores its values in the manifest ({key}, base64 is not encryption)",
                        o.label()
                    ),
                );
            }
        }
    }
}

pub static CONFIGMAP_SECRETS: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-055",
        benchmark: Benchmark::Shipshape,
        title: "ConfigMap holds a secret-looking value",
        rationale: "ConfigMaps are meant for plain configuration: many more roles may read them than \
            Secrets, and they are usually not encrypted at rest or redacted in tooling. A \
            credential placed there is exposed to everyone who can view configuration. Moving it \
            to a Secret or external store puts it behind tighter access control.",
        severity: Severity::Critical,
        stride: &[Stride::InformationDisclosure],
        refs: &[cis_k8s("5.4.1"), nsa("Network separation and hardening: secrets"), cwe("312")],
        remediation: "Move the value to a Secret (or external store); ConfigMaps are readable by far more subjects and are not encrypted at rest.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(configmap),
};

fn configmap(o: &Object, s: &mut Sink) {
    if o.kind != "ConfigMap" {
        return;
    }
    for e in o.node.get("data").and_then(|d| d.as_map()).unwrap_or(&[]) {
        let v = e.value.scalar_text().unwrap_or_default();
        if is_literal_secret(&e.key, &v) {
            s.at_key(
                e,
                format!("{} key {} looks like a secret", o.label(), e.key),
            );
        }
    }
}
