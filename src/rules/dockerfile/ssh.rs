//! SSH servers inside images.

use super::runs;
use crate::findings::{Severity, Stride};
use crate::manifest::dockerfile::Dockerfile;
use crate::rules::manifest::*;

pub static SSHD: Rule = Rule {
    meta: RuleMeta {
        id: "DF-014",
        benchmark: Benchmark::Shipshape,
        title: "SSH server installed or started in the image",
        rationale: "An SSH server in an image is an extra root-started network service with its own keys \
            and passwords to manage and patch, and logins through it bypass the exec auditing of \
            Docker and Kubernetes. It gives attackers another way in for no real benefit. Access \
            through docker exec or kubectl exec keeps one audited path.",
        severity: Severity::High,
        stride: &[Stride::Spoofing, Stride::ElevationOfPrivilege],
        refs: &[cis_docker("5.7")],
        remediation: "Do not run sshd in containers; use `docker exec` / `kubectl exec` (audited) for access.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(sshd),
};

const SSH_PACKAGES: &[&str] = &[
    "openssh-server",
    "openssh",
    "dropbear",
    "openssh-server-pam",
];

fn sshd(df: &Dockerfile, s: &mut Sink) {
    for (i, cmds) in runs(df) {
        for c in cmds {
            for (w, off) in &c.words {
                let pkg = w.split(['=', ':']).next().unwrap_or("");
                if SSH_PACKAGES.contains(&pkg) {
                    s.at_word(i, *off, w, format!("installs {pkg}, an SSH server"));
                }
            }
        }
    }
    for i in df
        .instructions
        .iter()
        .filter(|i| matches!(i.keyword.as_str(), "CMD" | "ENTRYPOINT"))
    {
        if let Some(off) = i.args.find("sshd") {
            s.at_word(i, off, "sshd", format!("{} starts sshd", i.keyword));
        }
    }
}

pub static EXPOSE_22: Rule = Rule {
    meta: RuleMeta {
        id: "DF-015",
        benchmark: Benchmark::Shipshape,
        title: "Port 22 (SSH) exposed",
        rationale:
            "Exposing port 22 advertises an SSH service and invites operators and tooling to \
            publish it, putting a remote login service on the network. Containers should not \
            accept SSH at all; removing the EXPOSE keeps that entry point from being opened by \
            default.",
        severity: Severity::Medium,
        stride: &[Stride::Spoofing, Stride::InformationDisclosure],
        refs: &[cis_docker("5.7"), cis_docker("5.9")],
        remediation: "Remove `EXPOSE 22`; containers should not accept SSH connections.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(expose),
};

fn expose(df: &Dockerfile, s: &mut Sink) {
    for i in df.instructions.iter().filter(|i| i.keyword == "EXPOSE") {
        let mut off = 0;
        for w in i.args.split_whitespace() {
            let at = off + i.args[off..].find(w).unwrap_or(0);
            off = at + w.len();
            let port = w.split('/').next().unwrap_or("");
            if port == "22" {
                s.at_word(i, at, w, "EXPOSE 22 publishes the SSH port");
            }
        }
    }
}
