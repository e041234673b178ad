//! Risky shell in RUN: piping downloads into a shell, world-writable
//! permissions, sudo.

use super::runs;
use crate::findings::{Severity, Stride};
use crate::manifest::dockerfile::Dockerfile;
use crate::rules::manifest::*;

const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "ash",
    "dash",
    "ksh",
    "python",
    "python3",
    "perl",
    "ruby",
    "/bin/sh",
    "/bin/bash",
];

pub static CURL_PIPE_SHELL: Rule = Rule {
    meta: RuleMeta {
        id: "DF-007",
        benchmark: Benchmark::Shipshape,
        title: "Download piped into a shell (curl | sh)",
        rationale: "Piping a download straight into a shell runs whatever the server returns, with the \
            build's privileges and without any chance to verify it first. A compromised or \
            spoofed server, or a truncated transfer, becomes code in the image. Downloading to a \
            file and checking its checksum or signature before running it closes that gap.",
        severity: Severity::High,
        stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
        refs: &[cis_docker("4.11"), cwe("494")],
        remediation: "Download to a file, verify its checksum or signature, then run it; better, install from a package repository.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(curl_sh),
};

fn curl_sh(df: &Dockerfile, s: &mut Sink) {
    for (i, cmds) in runs(df) {
        for k in 1..cmds.len() {
            let (prev, cur) = (&cmds[k - 1], &cmds[k]);
            let fetch =
                |c: &crate::manifest::dockerfile::Command| matches!(c.name(), "curl" | "wget");
            // `curl … | sh`
            if cur.piped && SHELLS.contains(&cur.name()) && fetch(prev) {
                let (_, off) = &prev.effective()[0];
                s.at_word(
                    i,
                    *off,
                    prev.name(),
                    format!("{} output is piped into {}", prev.name(), cur.name()),
                );
            }
            // `sh -c "$(curl …)"` and `bash <(curl …)`
            let last = prev.words.last().map(|(w, _)| w.as_str()).unwrap_or("");
            if fetch(cur) && SHELLS.contains(&prev.name()) && (last == "-c" || last == "<") {
                let (_, off) = &cur.effective()[0];
                s.at_word(
                    i,
                    *off,
                    cur.name(),
                    format!("{} output is executed by {}", cur.name(), prev.name()),
                );
            }
        }
    }
}

pub static CHMOD_WORLD: Rule = Rule {
    meta: RuleMeta {
        id: "DF-008",
        benchmark: Benchmark::Shipshape,
        title: "chmod makes files world-writable (e.g. 777)",
        rationale: "World-writable files or directories in an image let any user in the container, \
            including an unprivileged compromised process, change programs or configuration that \
            other processes, maybe root, will later run or read. That turns a limited foothold \
            into privilege escalation. The narrowest mode and correct ownership prevent it.",
        severity: Severity::Medium,
        stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
        refs: &[cis_docker("4.8"), cwe("732")],
        remediation: "Grant the narrowest mode (e.g. 0755 for executables, 0644 for files) and set ownership with `COPY --chown` instead.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(chmod),
};

/// Whether a chmod mode gives write access to others.
pub(crate) fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.len() <= 4 && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let digits: Vec<u8> = mode.bytes().map(|b| b - b'0').collect();
        let others = *digits.last().unwrap_or(&0);
        let sticky = digits.len() == 4 && digits[0] & 1 == 1;
        return others & 2 != 0 && !sticky;
    }
    mode.split(',').any(|clause| {
        let Some(opi) = clause.find(['+', '=']) else {
            return false;
        };
        let who = &clause[..opi];
        let perms = &clause[opi + 1..];
        perms.contains('w') && (who.is_empty() || who.contains('o') || who.contains('a'))
    })
}

fn chmod(df: &Dockerfile, s: &mut Sink) {
    for (i, cmds) in runs(df) {
        for c in cmds {
            if c.name() != "chmod" {
                continue;
            }
            let words = c.effective();
            if let Some((mode, off)) = words[1..].iter().find(|(w, _)| !w.starts_with('-')) {
                if world_writable(mode) {
                    s.at_word(
                        i,
                        *off,
                        mode,
                        format!("chmod {mode} makes files writable by every user"),
                    );
                }
            }
        }
    }
}

pub static SUDO: Rule = Rule {
    meta: RuleMeta {
        id: "DF-009",
        benchmark: Benchmark::Shipshape,
        title: "sudo used in a RUN instruction",
        rationale: "sudo in a build shows that steps are meant to switch identity, and leaving sudo \
            installed gives any later process a standard tool for raising its privileges, often \
            without a password in containers. Running the few privileged steps under USER root \
            and then switching back needs no sudo and leaves no escalation tool behind.",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_docker("4.1"), cwe("250")],
        remediation: "Run privileged build steps under `USER root` and switch back; do not install or use sudo in images.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(sudo),
};

fn sudo(df: &Dockerfile, s: &mut Sink) {
    for (i, cmds) in runs(df) {
        for c in cmds {
            if let Some((w, off)) = c.words.first() {
                if w == "sudo" {
                    s.at_word(i, *off, "sudo", "sudo in a build step: it has unpredictable TTY and signal behaviour and leaves a setuid binary in the image");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn modes() {
        for m in ["777", "0777", "666", "o+w", "a+rwx", "+w", "ugo=rwx"] {
            assert!(super::world_writable(m), "{m}");
        }
        for m in ["755", "0644", "1777", "u+x", "g+w", "-R"] {
            assert!(!super::world_writable(m), "{m}");
        }
    }
}
