//! Linux capabilities added or not dropped.

use crate::findings::{Severity, Stride};
use crate::knowledge::capabilities as caps;
use crate::manifest::k8s::PodView;
use crate::rules::manifest::*;

pub static ADDED: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-005",
        benchmark: Benchmark::Shipshape,
        title: "Container adds Linux capabilities",
        rationale: "Added capabilities hand the container pieces of root: SYS_ADMIN, NET_ADMIN, \
            SYS_PTRACE, SYS_MODULE and the like each open kernel interfaces that have repeatedly \
            led to node takeover. Adding none, or only NET_BIND_SERVICE, keeps a compromised \
            container from using those interfaces.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_k8s("5.2.9"), pss_baseline("Capabilities"), pss_restricted("Capabilities"), nsa("Pod security: non-root and unprivileged containers"), cwe("250")],
        remediation: "Remove entries from `securityContext.capabilities.add`; only NET_BIND_SERVICE is acceptable under the restricted profile.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(added),
};

fn added(p: &PodView, s: &mut Sink) {
    // Linux-only setting: Windows pods ignore it.
    if super::is_windows(p) {
        return;
    }
    for c in &p.containers {
        let Some(add) = c.sc_entry(&["capabilities", "add"]) else {
            continue;
        };
        for cap in add.value.as_seq() {
            let Some(name) = cap.as_str() else { continue };
            // ALL, SYS_ADMIN and SYS_MODULE are K8S-072 (critical).
            if !caps::added_is_finding(name) || caps::is_takeover(name) {
                continue;
            }
            let why = if caps::is_dangerous(name) {
                " (close to root on the node)"
            } else {
                ""
            };
            s.at_value(cap, format!("{} adds capability {name}{why}", c.label()));
        }
    }
}

pub static NOT_DROPPED: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-006",
        benchmark: Benchmark::Shipshape,
        title: "Container does not drop ALL (or at least NET_RAW) capabilities",
        rationale:
            "Containers start with the runtime's default capability set, which still includes \
            rights such as NET_RAW for crafting packets or spoofing traffic on the pod network \
            and CHOWN or SETUID for changing identities. Dropping ALL and adding back only what \
            is needed leaves a compromised process with no kernel privileges to misuse.",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege, Stride::Spoofing],
        refs: &[
            cis_k8s("5.2.8"),
            pss_restricted("Capabilities"),
            nsa("Pod security: non-root and unprivileged containers"),
            cwe("250"),
        ],
        remediation:
            "Add `securityContext.capabilities.drop: [\"ALL\"]` and add back only what is needed.",
        fix: Fix::ManifestSet {
            path: "securityContext.capabilities.drop",
            value: "[\"ALL\"]",
        },
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(not_dropped),
};

fn not_dropped(p: &PodView, s: &mut Sink) {
    // Linux-only setting: Windows pods ignore it.
    if super::is_windows(p) {
        return;
    }
    for c in &p.containers {
        let drop = c.sc_entry(&["capabilities", "drop"]);
        let dropped =
            drop.map(|d| caps::drops_net_raw(d.value.as_seq().iter().filter_map(|n| n.as_str())));
        match (drop, dropped) {
            (_, Some(true)) => {}
            (Some(d), _) => s.at_key(
                d,
                format!(
                    "{} drops capabilities but neither ALL nor NET_RAW",
                    c.label()
                ),
            ),
            (None, _) => s.at_text(
                c.pos,
                "name",
                format!(
                    "{} keeps the default capabilities, including NET_RAW (packet spoofing)",
                    c.label()
                ),
            ),
        }
    }
}

pub static TAKEOVER: Rule = Rule {
    meta: RuleMeta {
        id: "K8S-072",
        benchmark: Benchmark::Shipshape,
        title: "Container adds ALL, SYS_ADMIN or SYS_MODULE",
        rationale: "SYS_ADMIN allows mounting filesystems and most of what the kernel reserves for \
            the administrator, SYS_MODULE loads code into the node's kernel, and ALL grants \
            every capability at once. Each is, in practice, root on the node and a direct path \
            out of the container, much like running privileged.",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        refs: &[
            cis_k8s("5.2.9"),
            pss_baseline("Capabilities"),
            nsa("Pod security: non-root and unprivileged containers"),
            cwe("250"),
        ],
        remediation: "Remove the capability; grant the narrow capability or device the workload needs instead.",
        fix: Fix::Manual,
    },
    domain: Domain::Kubernetes,
    subject: Subject::Pod(takeover),
};

fn takeover(p: &PodView, s: &mut Sink) {
    if super::is_windows(p) {
        return;
    }
    for c in &p.containers {
        let Some(add) = c.sc_entry(&["capabilities", "add"]) else {
            continue;
        };
        for cap in add.value.as_seq() {
            if let Some(name) = cap.as_str().filter(|n| caps::is_takeover(n)) {
                s.at_value(
                    cap,
                    format!(
                        "{} adds capability {name}, a direct path to root on the node",
                        c.label()
                    ),
                );
            }
        }
    }
}
