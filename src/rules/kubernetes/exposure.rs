//! Objects that reach beyond the pod: Service externalIPs, ingress-nginx
//! snippet annotations, gitRepo volumes and hostAliases.

use crate::findings::{Severity, Stride};
use crate::manifest::k8s::{Object, PodView};
use crate::manifest::yaml::Node;
use crate::rules::manifest::*;

pub static EXTERNAL_IPS: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-073",
        benchmark: Benchmark::Shipshape,
        title: "Service sets externalIPs",
        rationale: "kube-proxy sends traffic for a Service's externalIPs to its pods on every node, \
            whoever owns those addresses. A Service that claims someone else's IP can intercept \
            traffic meant for it inside the cluster (CVE-2020-8554), so externalIPs should be \
            reserved for addresses the cluster operator controls and admitted by policy.",
        severity: Severity::Medium,
        stride: &[Stride::Spoofing, Stride::InformationDisclosure],
        refs: &[nsa("Network separation and hardening"), cwe("668")],
        remediation: "Use a LoadBalancer or Ingress instead, or restrict externalIPs with an admission policy.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(external_ips),
};

fn external_ips(o: &Object, s: &mut Sink) {
    if o.kind != "Service" {
        return;
    }
    if let Some(e) = o.node.path_entry(&["spec", "externalIPs"]) {
        if !e.value.as_seq().is_empty() {
            s.at_key(
                e,
                format!(
                    "{} claims external IPs, which kube-proxy routes on every node",
                    o.label()
                ),
            );
        }
    }
}

pub static NGINX_SNIPPET: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-074",
        benchmark: Benchmark::Shipshape,
        title: "Ingress injects an ingress-nginx configuration snippet",
        rationale: "Snippet annotations copy raw configuration into the shared ingress-nginx \
            controller, which runs with a service account that can read every Secret in the \
            cluster. Whoever can write an Ingress can use them to read those Secrets or reroute \
            other tenants' traffic (CVE-2021-25742, CVE-2023-5044).",
        severity: Severity::High,
        stride: &[Stride::InformationDisclosure, Stride::ElevationOfPrivilege, Stride::Tampering],
        refs: &[nsa("Network separation and hardening"), cwe("94")],
        remediation: "Remove the snippet and use the controller's dedicated annotations; disable `allow-snippet-annotations` in the controller.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Object(nginx_snippet),
};

fn nginx_snippet(o: &Object, s: &mut Sink) {
    if o.kind != "Ingress" {
        return;
    }
    let annotations = o
        .metadata()
        .and_then(|m| m.get("annotations"))
        .and_then(Node::as_map);
    for e in annotations.unwrap_or(&[]) {
        if e.key.starts_with("nginx.ingress.kubernetes.io/") && e.key.ends_with("snippet") {
            s.at_key(
                e,
                format!(
                    "{} sets {}, raw configuration for the shared controller",
                    o.label(),
                    e.key
                ),
            );
        }
    }
}

pub static GIT_REPO: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-075",
        benchmark: Benchmark::Shipshape,
        title: "Pod uses a gitRepo volume",
        rationale: "A gitRepo volume makes the kubelet run git on the node, as root, against a \
            repository the pod author chooses. Crafted repositories have used this to run commands \
            on the node (CVE-2024-10220). The volume type is deprecated and outside the restricted \
            profile; an init container that clones into an emptyDir does the same inside the pod.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        refs: &[pss_restricted("Volume Types"), cwe("78")],
        remediation: "Clone the repository in an init container into an emptyDir volume.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(git_repo),
};

fn git_repo(p: &PodView, s: &mut Sink) {
    for v in p.field("volumes").map(|e| e.value.as_seq()).unwrap_or(&[]) {
        if let Some(e) = v.entry("gitRepo") {
            s.at_key(
                e,
                format!(
                    "{} uses a gitRepo volume, cloned by the kubelet on the node",
                    p.object_label()
                ),
            );
        }
    }
}

pub static HOST_ALIASES: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-076",
        benchmark: Benchmark::Shipshape,
        title: "Pod overrides name resolution with hostAliases",
        rationale: "hostAliases write entries into the pod's /etc/hosts that take precedence over \
            cluster DNS. They can silently send a well-known name to another address, which hides \
            traffic redirection from reviewers and breaks when the real address changes. DNS \
            records managed in one place are easier to audit.",
        severity: Severity::Low,
        stride: &[Stride::Spoofing, Stride::Tampering],
        refs: &[nsa("Network separation and hardening"), cwe("350")],
        remediation:
            "Remove hostAliases and publish the names in DNS (or an ExternalName Service).",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(|p, s| {
        if let Some(e) = p
            .field("hostAliases")
            .filter(|e| !e.value.as_seq().is_empty())
        {
            s.at_key(
                e,
                format!(
                    "{} overrides name resolution with hostAliases",
                    p.object_label()
                ),
            );
        }
    }),
};
