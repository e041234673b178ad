//! Access baked into the image: credentials in URLs, authentication or
//! certificate checks switched off, sudo without a password, a root
//! password, and sshd accepting root logins.

use super::env_pairs;
use crate::findings::{Severity, Stride};
use crate::knowledge::insecure::{bad_env, bad_flags, Weakness};
use crate::knowledge::secrets::url_credentials;
use crate::manifest::dockerfile::{Command, Dockerfile, Instruction};
use crate::rules::manifest::*;

/// RUN, CMD and ENTRYPOINT instructions with their simple commands.
fn commands(df: &Dockerfile) -> impl Iterator<Item = (&Instruction, &[Command])> {
    df.instructions
        .iter()
        .filter(|i| matches!(i.keyword.as_str(), "RUN" | "CMD" | "ENTRYPOINT"))
        .map(|i| (i, i.commands()))
}

pub static URL_CREDENTIALS: Rule = Rule {
    meta: RuleMeta {
        id: "DF-016",
        benchmark: Benchmark::Shipshape,
        title: "Credentials written inside a URL",
        rationale: "A URL of the form scheme://user:password@host carries its password with it. In \
            an ENV, ARG or RUN line it is stored in the image's history and configuration, where \
            anyone who can pull the image reads it, long after the build that needed it. Build \
            secrets and runtime configuration keep it out of the layers.",
        severity: Severity::Critical,
        stride: &[Stride::InformationDisclosure, Stride::Spoofing],
        refs: &[cis_docker("4.10"), cwe("798"), cwe("538")],
        remediation: "Remove the credentials from the URL; pass them with `RUN --mount=type=secret` at build time or from the orchestrator at run time.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(url_creds),
};

fn url_creds(df: &Dockerfile, s: &mut Sink) {
    for i in &df.instructions {
        match i.keyword.as_str() {
            "ENV" | "ARG" => {
                for (k, v, off) in env_pairs(i) {
                    if v.as_deref().and_then(url_credentials).is_some() {
                        s.at_word(
                            i,
                            off,
                            &k,
                            format!("{} {k} holds a URL with a password", i.keyword),
                        );
                    }
                }
            }
            "RUN" => {
                for c in i.commands() {
                    for (w, off) in &c.words {
                        if url_credentials(w).is_some() {
                            s.at_word(
                                i,
                                *off,
                                w,
                                format!("{} is given a URL with a password", c.name()),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn settings(df: &Dockerfile, s: &mut Sink, weakness: Weakness) {
    for i in df.instructions.iter().filter(|i| i.keyword == "ENV") {
        for (k, v, off) in env_pairs(i) {
            if let Some(set) = v
                .as_deref()
                .and_then(|v| bad_env(&k, v))
                .filter(|x| x.weakness == weakness)
            {
                s.at_word(i, off, &k, format!("ENV {k}: {}", set.why));
            }
        }
    }
    for (i, cmds) in commands(df) {
        for c in cmds {
            let words: Vec<&str> = c.words.iter().map(|(w, _)| w.as_str()).collect();
            for (k, set) in bad_flags(&words) {
                if set.weakness == weakness {
                    let (w, off) = &c.words[k];
                    s.at_word(
                        i,
                        *off,
                        w,
                        format!("{} {}: {}", i.keyword, set.name, set.why),
                    );
                }
            }
        }
    }
}

pub static AUTH_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "DF-017",
        benchmark: Benchmark::Shipshape,
        title: "Authentication switched off through ENV or a command flag",
        rationale: "Some images read switches such as an empty-root-password variable, a trust \
            authentication method or a skip-grant-tables flag that turn their own login off. \
            Baked into the image, every container started from it accepts anyone who can reach \
            it, with no credential at all, wherever the image is run.",
        severity: Severity::Critical,
        stride: &[
            Stride::Spoofing,
            Stride::InformationDisclosure,
            Stride::ElevationOfPrivilege,
        ],
        refs: &[cis_docker("4.10"), cwe("306")],
        remediation:
            "Remove the switch; give the service a password or token supplied at run time.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(|df, s| settings(df, s, Weakness::AuthOff)),
};

pub static INSECURE: Rule = Rule {
    meta: RuleMeta {
        id: "DF-018",
        benchmark: Benchmark::Shipshape,
        title: "Known-insecure setting (TLS checks off, insecure API or port)",
        rationale: "Variables and flags that turn certificate verification off or open an insecure \
            API let an attacker on the network read or alter traffic, or feed the build and the \
            running service forged packages and responses. Set in the image, they apply to every \
            container started from it.",
        severity: Severity::High,
        stride: &[Stride::Tampering, Stride::InformationDisclosure, Stride::Spoofing],
        refs: &[cis_docker("4.11"), cwe("295"), cwe("319")],
        remediation: "Remove the variable or flag; trust the right CA certificates instead of switching checks off.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(|df, s| settings(df, s, Weakness::Insecure)),
};

const INSTALLERS: &[&str] = &["apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper"];

pub static SUDO_NOPASSWD: Rule = Rule {
    meta: RuleMeta {
        id: "DF-019",
        benchmark: Benchmark::Shipshape,
        title: "sudo installed, or a NOPASSWD sudoers rule",
        rationale: "sudo in a container image is a ready-made way back to root for whoever gets a \
            shell as the unprivileged user, and a NOPASSWD rule removes even the password step. \
            The point of running as a non-root user is lost. Steps that need root belong in the \
            build, before the USER instruction, not in the running container.",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        refs: &[cis_docker("4.1"), cwe("250"), cwe("269")],
        remediation: "Do not install sudo; do root work in the build before `USER`, or use gosu/su-exec in an entrypoint that drops privileges.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(sudo_nopasswd),
};

fn sudo_nopasswd(df: &Dockerfile, s: &mut Sink) {
    for i in df.instructions.iter().filter(|i| i.keyword == "RUN") {
        for c in i.commands() {
            let words = c.effective();
            let installs = INSTALLERS.contains(&c.name())
                && words.iter().any(|(w, _)| w == "install" || w == "add");
            if installs {
                for (w, off) in words.iter().skip(1) {
                    if w.split(['=', '~', '<', '>']).next() == Some("sudo") {
                        s.at_word(i, *off, w, format!("{} installs sudo", c.name()));
                    }
                }
            }
        }
        let mut from = 0;
        while let Some(k) = i.args[from..].find("NOPASSWD") {
            let off = from + k;
            s.at_word(
                i,
                off,
                "NOPASSWD",
                "a sudoers rule lets a user become root without a password",
            );
            from = off + 8;
        }
    }
}

pub static ROOT_PASSWORD: Rule = Rule {
    meta: RuleMeta {
        id: "DF-020",
        benchmark: Benchmark::Shipshape,
        title: "Password set for root in the image",
        rationale: "A password given to root with chpasswd, passwd or usermod is written into the \
            image's shadow file and, usually, in clear text into its build history. Every \
            container from the image shares it, and anyone with the image can read or crack it. \
            Containers need no root password: root work belongs in the build.",
        severity: Severity::Critical,
        stride: &[Stride::Spoofing, Stride::ElevationOfPrivilege],
        refs: &[cis_docker("4.10"), cwe("798"), cwe("259")],
        remediation: "Remove the password change; leave root's password locked and do not log in to containers as root.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(root_password),
};

fn root_password(df: &Dockerfile, s: &mut Sink) {
    for i in df.instructions.iter().filter(|i| i.keyword == "RUN") {
        let cmds = i.commands();
        for (k, c) in cmds.iter().enumerate() {
            let words = c.effective();
            let Some((name, off)) = words.first() else {
                continue;
            };
            let names_root = words.iter().skip(1).any(|(w, _)| w == "root");
            let hit = match name.as_str() {
                // `echo 'root:pw' | chpasswd`
                "chpasswd" => {
                    k > 0
                        && c.piped
                        && cmds[k - 1]
                            .words
                            .iter()
                            .any(|(w, _)| w.starts_with("root:"))
                }
                "passwd" => names_root,
                "usermod" => {
                    names_root
                        && words
                            .iter()
                            .any(|(w, _)| w == "-p" || w.starts_with("--password"))
                }
                _ => false,
            };
            if hit {
                s.at_word(
                    i,
                    *off,
                    name,
                    format!("{name} changes the password of root"),
                );
            }
        }
    }
}

pub static ROOT_LOGIN: Rule = Rule {
    meta: RuleMeta {
        id: "DF-021",
        benchmark: Benchmark::Shipshape,
        title: "sshd configured with PermitRootLogin yes",
        rationale: "PermitRootLogin yes lets anyone who reaches the container's SSH port try to log \
            in straight as root with a password, with nothing between a guessed or leaked \
            password and full control of the container. Containers should not run sshd at all; \
            where one must, root login has to stay off.",
        severity: Severity::High,
        stride: &[Stride::Spoofing, Stride::ElevationOfPrivilege],
        refs: &[cis_docker("5.7"), cwe("250")],
        remediation: "Remove the line (the default refuses root password logins), or set `PermitRootLogin no`.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(root_login),
};

fn root_login(df: &Dockerfile, s: &mut Sink) {
    for i in df.instructions.iter().filter(|i| i.keyword == "RUN") {
        let text = &i.args;
        let mut from = 0;
        while let Some(k) = text[from..].find("PermitRootLogin") {
            let off = from + k;
            let rest = text[off + "PermitRootLogin".len()..].trim_start_matches([' ', '\t']);
            if rest.starts_with("yes") {
                s.at_word(
                    i,
                    off,
                    "PermitRootLogin",
                    "sshd lets root log in with a password",
                );
            }
            from = off + 1;
        }
    }
}
