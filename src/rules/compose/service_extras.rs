//! Compose services: image tags and digests (the same tests as Kubernetes),
//! a missing health check, sysctls, raised ulimits and the host cgroup
//! namespace.

use super::at_service;
use crate::findings::{Severity, Stride};
use crate::knowledge::images::{image_tag_problem, parse_image};
use crate::knowledge::sysctls;
use crate::manifest::compose::ServiceView;
use crate::manifest::yaml::Node;
use crate::rules::manifest::*;

pub static IMAGE_TAG: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-035",
        benchmark: Benchmark::Shipshape,
        title: "Image uses the latest tag or no tag",
        rationale: "latest, or no tag at all, is whatever was pushed last, so two runs of the same \
            compose file can start different code, a compromised or broken push is picked up \
            unreviewed and a rollback has nothing fixed to return to. A release tag, better a \
            digest, keeps the service on reviewed content.",
        severity: Severity::Medium,
        stride: &[Stride::Tampering],
        refs: &[cis_docker("4.2")],
        remediation: "Pin the image to a release tag and, better, a digest (`image: repo/app:1.4.2@sha256:…`).",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        if let Some(n) = svc.get("image") {
            if let Some(img) = n.as_str() {
                if let Some(why) = image_tag_problem(img) {
                    s.at_value(n, format!("{} image {img} {why}", svc.label()));
                }
            }
        }
    }),
};

pub static IMAGE_DIGEST: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-036",
        benchmark: Benchmark::Shipshape,
        title: "Image is not pinned by digest",
        rationale: "A tag is a movable name: whoever can push to the repository can point it at \
            different content, so the same compose file may start new, unreviewed code tomorrow. \
            A digest names the image content itself, so the host runs exactly the bits that were \
            tested and approved.",
        severity: Severity::Low,
        stride: &[Stride::Tampering],
        refs: &[cis_docker("4.2"), cwe("494")],
        remediation: "Reference the image by digest (`@sha256:…`).",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        if let Some(n) = svc.get("image") {
            if let Some(img) = n.as_str() {
                if !img.contains('$')
                    && parse_image(img).digest.is_none()
                    && image_tag_problem(img).is_none()
                {
                    s.at_value(
                        n,
                        format!("{} image {img} is not pinned by digest", svc.label()),
                    );
                }
            }
        }
    }),
};

pub static NO_HEALTHCHECK: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-037",
        benchmark: Benchmark::Shipshape,
        title: "Service has no healthcheck",
        rationale: "Without a healthcheck Docker only knows whether the process exists, not whether \
            it works: a hung or broken service keeps receiving traffic, dependants start before it \
            is ready, and nothing restarts it. A healthcheck lets depends_on, restarts and \
            monitoring act on the real state.",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        refs: &[cis_docker("5.27")],
        remediation: "Add a `healthcheck:` with a test command that checks the service really answers (unless its image defines one).",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        if svc.get("healthcheck").is_none() {
            at_service(svc, s, format!("{} defines no healthcheck", svc.label()));
        }
    }),
};

pub static SYSCTLS: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-038",
        benchmark: Benchmark::Shipshape,
        title: "Service sets a sysctl outside the safe set",
        rationale: "Kernel parameters set for a service change how the kernel treats its network and \
            IPC namespaces, for example enabling IP forwarding or routing tricks that let it act \
            as a router for other containers. Only the small set known to be harmless should be \
            changed per service; the rest belongs to the host's own configuration.",
        severity: Severity::Medium,
        stride: &[Stride::Tampering, Stride::DenialOfService],
        refs: &[cis_docker("5.1"), cwe("668")],
        remediation: "Remove the sysctl or keep to the safe set (net.ipv4.ip_unprivileged_port_start, net.ipv4.ping_group_range…).",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(service_sysctls),
};

fn service_sysctls(svc: &ServiceView, s: &mut Sink) {
    for e in svc.entries("sysctls") {
        for kv in e.value.as_map().unwrap_or(&[]) {
            if !sysctls::is_safe(&kv.key) {
                s.at_key(kv, format!("{} sets sysctl {}", svc.label(), kv.key));
            }
        }
        for item in e.value.as_seq() {
            let Some(text) = item.as_str() else { continue };
            let name = text.split('=').next().unwrap_or("").trim();
            if !sysctls::is_safe(name) {
                s.at_node_text(item, name, format!("{} sets sysctl {name}", svc.label()));
            }
        }
    }
}

pub static ULIMITS: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-039",
        benchmark: Benchmark::Shipshape,
        title: "Service raises a ulimit to unlimited or lifts a privileged limit",
        rationale:
            "Resource limits stop one container from exhausting the host. Setting a ulimit to \
            unlimited, or raising memlock, rtprio or nice, lets the service pin memory, starve \
            the scheduler or keep its processes ahead of everything else on the host, which turns \
            a fault or a compromise into a host-wide outage.",
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        refs: &[cis_docker("5.28"), cwe("770")],
        remediation: "Keep the defaults, or set finite values sized for the service.",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(ulimits),
};

fn unlimited(n: &Node) -> bool {
    n.as_i64() == Some(-1)
        || n.as_str()
            .is_some_and(|v| v.eq_ignore_ascii_case("unlimited") || v == "-1")
}

fn ulimits(svc: &ServiceView, s: &mut Sink) {
    for e in svc.entries("ulimits") {
        for kv in e.value.as_map().unwrap_or(&[]) {
            let values: Vec<&Node> = match kv.value.as_map() {
                Some(_) => ["soft", "hard"]
                    .iter()
                    .filter_map(|k| kv.value.get(k))
                    .collect(),
                None => vec![&kv.value],
            };
            let privileged = matches!(kv.key.as_str(), "memlock" | "rtprio" | "nice")
                && values.iter().any(|v| v.as_i64() != Some(0));
            if values.iter().any(|v| unlimited(v)) || privileged {
                s.at_key(kv, format!("{} raises the {} limit", svc.label(), kv.key));
            }
        }
    }
}

pub static CGROUP_HOST: Rule = Rule {
    meta: RuleMeta {
        id: "COMPOSE-040",
        benchmark: Benchmark::Shipshape,
        title: "Service shares the host cgroup namespace (cgroup: host)",
        rationale:
            "With the host cgroup namespace the service sees the host's whole control-group \
            tree, with the names and limits of every other container and system service, and \
            some escape techniques rely on that view. The private namespace, Docker's default on \
            cgroup v2, shows the container only its own group.",
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure, Stride::ElevationOfPrivilege],
        refs: &[cis_docker("5.21"), cwe("668")],
        remediation: "Remove `cgroup: host` (or set `cgroup: private`).",
        fix: Fix::Manual,
    },
    domain: Domain::Compose,
    subject: Subject::Service(|svc, s| {
        host_namespace(
            s,
            svc.entry("cgroup"),
            is_host,
            &svc.label(),
            "cgroup namespace",
        );
    }),
};
