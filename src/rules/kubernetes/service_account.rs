//! Service account token automounting.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::{Object, PodView};
use crate::rules::manifest::*;

pub static POD_AUTOMOUNT: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-021",
        benchmark: Benchmark::Shipshape,
        title: "Pod mounts a service account token without opting out",
        rationale: "By default every pod gets a token for its service account mounted into its \
            filesystem. If the application never calls the Kubernetes API, that token only helps \
            an attacker who compromises the pod to query or act on the cluster with the \
            account's rights. Opting out removes the credential from pods that do not need it.",
        severity: Severity::Low,
        stride: &[Stride::ElevationOfPrivilege, Stride::Spoofing],
        refs: &[cis_k8s("5.1.6"), nsa("Pod security: protecting pod service account tokens")],
        remediation: "Set `automountServiceAccountToken: false` in the pod spec unless the workload calls the Kubernetes API.",
        fix: Fix::ManifestSet {
            path: "automountServiceAccountToken",
            value: "false",
        },
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(pod),
};

fn pod(p: &PodView, s: &mut Sink) {
    match p.field("automountServiceAccountToken") {
        Some(e) if e.value.as_bool() == Some(false) => {}
        Some(e) => s.at_key(
            e,
            format!(
                "{} explicitly mounts its service account token",
                p.object_label()
            ),
        ),
        None => s.at_text(
            p.spec_pos,
            "spec",
            format!(
                "{} does not set automountServiceAccountToken: false",
                p.object_label()
            ),
        ),
    }
}

pub static DEFAULT_SA_AUTOMOUNT: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-022",
        benchmark: Benchmark::Shipshape,
        title: "default ServiceAccount automounts its token",
        rationale: "Pods that name no service account run as the namespace's default one, so if it \
            automounts its token every such pod carries an API credential, and any permission \
            granted to default spreads to all of them. Disabling automount on default and giving \
            workloads their own accounts limits credentials to the pods that need them.",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_k8s("5.1.5"), nsa("Pod security: protecting pod service account tokens")],
        remediation: "Set `automountServiceAccountToken: false` on the `default` ServiceAccount and give workloads their own accounts.",
        fix: Fix::ManifestSet {
            path: "automountServiceAccountToken",
            value: "false",
        },
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(default_sa),
};

fn default_sa(o: &Object, s: &mut Sink) {
    if o.kind != "ServiceAccount" || o.name != "default" {
        return;
    }
    match o.node.entry("automountServiceAccountToken") {
        Some(e) if e.value.as_bool() == Some(false) => {}
        Some(e) => s.at_key(
            e,
            "the default ServiceAccount mounts its token into every pod that does not opt out",
        ),
        None => s.at_text(
            o.kind_pos,
            "kind",
            "the default ServiceAccount does not set automountServiceAccountToken: false",
        ),
    }
}
