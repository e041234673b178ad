//! 5.x isolation: swarm, LSMs, capabilities, privileged mode, sshd, host
//! namespaces, seccomp, no-new-privileges, exec auditing.

use super::*;
use crate::findings::Severity;
use crate::knowledge::capabilities as caps;
use crate::rules::Scope;
use crate::snapshot::{Container, Probe};

pub(super) static CHECKS: &[Check] = &[
    Check {
        meta: RuleMeta::cis_docker("5.1", "Swarm mode is off unless it is needed", Severity::Low, &[I, E], "If this node does not need swarm, leave it: `docker swarm leave` (add --force on the last manager).")
            .rationale(
                "Swarm mode opens cluster management ports, runs a raft store holding secrets \
                and lets managers schedule work onto this node. On a host that is not meant to \
                be in a cluster, that is unused network surface and another way in. Leaving \
                swarm switched off removes those listeners and the trust they imply.",
            )
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Engine,
        eval: swarm_mode,
    },
    Check {
        meta: RuleMeta::cis_docker("5.2", "Containers run under an AppArmor profile", Severity::Medium, &[E], "Run containers with the docker-default profile or a stricter one (--security-opt apparmor=PROFILE); never apparmor=unconfined.")
            .rationale(
                "AppArmor confines what a container's processes may touch, such as sensitive \
                /proc and /sys files, mounts and other programs, even when they run as root. A \
                container started unconfined loses that restriction, so an attacker inside can \
                use host interfaces the profile would have refused. The default or a stricter \
                profile keeps the limits in place.",
            )
            .refs(&[cwe("693")])
            .fix(Fix::RunOption { flag: "--security-opt=apparmor=docker-default" }),
        automated: true,
        scope: Scope::Container,
        eval: apparmor,
    },
    Check {
        meta: RuleMeta::cis_docker("5.3", "Containers run with SELinux labels", Severity::Medium, &[E], "Enable SELinux in the daemon (\"selinux-enabled\": true) and never start containers with --security-opt label=disable.")
            .rationale(
                "On SELinux hosts, container labels keep each container's processes away from \
                host files and from other containers' files, whatever their uid. Without \
                labels, or with labelling disabled, a root process inside the container can \
                act on any host path mounted or reachable to it. Running with SELinux \
                separation blocks that access at the kernel level.",
            )
            .refs(&[cwe("693")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Container,
        eval: selinux,
    },
    Check {
        meta: RuleMeta::cis_docker("5.4", "Container capabilities are restricted", Severity::High, &[E, S], "Start from --cap-drop ALL and add back only what the process needs (--cap-add NET_BIND_SERVICE…); never --cap-add ALL or SYS_ADMIN.")
            .rationale(
                "Root in a container keeps a set of Linux capabilities, and extra ones such as \
                SYS_ADMIN, NET_ADMIN or SYS_PTRACE give an attacker kernel interfaces that \
                often lead straight to a host escape. Dropping everything and adding back only \
                what the process needs leaves a compromised container with as little kernel \
                power as possible.",
            )
            .refs(&[cwe("250")])
            .fix(Fix::RunOption { flag: "--cap-drop=ALL" }),
        automated: true,
        scope: Scope::Container,
        eval: capabilities,
    },
    Check {
        meta: RuleMeta::cis_docker("5.5", "No container runs privileged", Severity::Critical, &[E, T], "Remove --privileged; grant the specific capability or device the workload needs instead.")
            .rationale(
                "A privileged container gets every capability, every host device and no \
                seccomp, AppArmor or SELinux confinement, so root inside it is effectively \
                root on the host: it can mount the host disk or load kernel modules. Granting \
                only the specific capability or device the workload needs keeps the \
                container's isolation intact.",
            )
            .refs(&[cwe("250")])
            .fix(Fix::RunOption { flag: "--privileged=false" }),
        automated: true,
        scope: Scope::Container,
        eval: privileged,
    },
    Check {
        meta: RuleMeta::cis_docker("5.7", "No container runs an SSH server", Severity::Medium, &[S, E], "Remove sshd from the image; use `docker exec` (audited) for interactive access.")
            .rationale(
                "An SSH server inside a container is another listening, root-started service \
                with its own keys and passwords to manage and patch, and logins through it \
                bypass Docker's exec auditing. It widens the attack surface for no real gain. \
                Using docker exec for access keeps one audited, authenticated path into the \
                container.",
            )
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Container,
        eval: sshd,
    },
    Check {
        meta: RuleMeta::cis_docker("5.16", "Containers do not share the host's PID namespace", Severity::High, &[E, I], "Remove --pid=host so the container cannot see or signal host processes.")
            .rationale(
                "Sharing the host's PID namespace lets the container see every process on the \
                host with its command line and environment, send signals to them and, with \
                ptrace rights, attach to them. That leaks secrets and offers a route to host \
                processes. Its own PID namespace confines what the container can see and \
                signal.",
            )
            .refs(&[cwe("668")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Container,
        eval: pid_ns,
    },
    Check {
        meta: RuleMeta::cis_docker("5.17", "Containers do not share the host's IPC namespace", Severity::High, &[I, T], "Remove --ipc=host so the container cannot reach host shared memory.")
            .rationale(
                "The host's IPC namespace holds shared-memory segments and message queues used \
                by host processes. A container that shares it can read and write that memory, \
                leaking data or corrupting processes outside the container. A private IPC \
                namespace keeps the container's inter-process communication separate.",
            )
            .refs(&[cwe("668")])
            .fix(Fix::RunOption { flag: "--ipc=private" }),
        automated: true,
        scope: Scope::Container,
        eval: ipc_ns,
    },
    Check {
        meta: RuleMeta::cis_docker("5.21", "Containers do not share the host's UTS namespace", Severity::Medium, &[T, S], "Remove --uts=host so the container cannot change the host name.")
            .rationale(
                "Sharing the host's UTS namespace lets the container change the host's hostname \
                and domain name, which other software uses for logging, clustering and \
                certificate checks. A compromised container can thus confuse or spoof the \
                host's identity. Its own UTS namespace confines such changes to the container.",
            )
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Container,
        eval: uts_ns,
    },
    Check {
        meta: RuleMeta::cis_docker("5.22", "Seccomp filtering stays on", Severity::High, &[E], "Remove --security-opt seccomp=unconfined (and --privileged, which also disables seccomp); use a custom profile if a syscall is missing.")
            .rationale(
                "Seccomp blocks system calls that containers rarely need but that expose large \
                parts of the kernel, a frequent route for escape exploits. Starting a \
                container with seccomp unconfined, or privileged, gives a compromised process \
                the full kernel interface. Keeping a profile applied, customised only where a \
                call is truly missing, keeps that surface small.",
            )
            .refs(&[cwe("693")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Container,
        eval: seccomp,
    },
    Check {
        meta: RuleMeta::cis_docker("5.23", "docker exec is not used with --privileged", Severity::High, &[E, R], "Do not run `docker exec --privileged`; audit exec use with an auditd rule on the daemon and review it (ausearch -k docker).")
            .rationale(
                "docker exec --privileged starts a process with every capability and no \
                confinement inside a running container, even one that was started with \
                restrictions. Anyone with API access can use it to step past the container's \
                hardening, and routine use hides abuse. Avoiding it, and auditing exec calls, \
                keeps the container's limits meaningful.",
            )
            .refs(&[cwe("250")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Manual,
        eval: exec_privileged,
    },
    Check {
        meta: RuleMeta::cis_docker("5.24", "docker exec is not used with --user=root", Severity::Medium, &[E, R], "Do not run `docker exec --user root`; audit exec use and review it.")
            .rationale(
                "docker exec --user root gives a shell or process uid 0 inside a container that \
                was built to run unprivileged, undoing that protection on demand. An attacker \
                with API access, or a careless operator, then has root in the container's \
                filesystem and mounts. Avoiding it and auditing exec use keeps the non-root \
                design effective.",
            )
            .refs(&[cwe("250")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Manual,
        eval: exec_root,
    },
    Check {
        meta: RuleMeta::cis_docker("5.26", "Containers cannot gain new privileges", Severity::High, &[E], "Run with --security-opt no-new-privileges:true, or set \"no-new-privileges\": true daemon-wide.")
            .rationale(
                "Without no-new-privileges, a process in the container can gain rights by \
                running setuid or setgid programs or files with capabilities, which turns an \
                unprivileged foothold into root inside the container. The flag makes the \
                kernel refuse such gains for the container's processes and everything they \
                start.",
            )
            .refs(&[cwe("269")])
            .fix(Fix::RunOption { flag: "--security-opt=no-new-privileges:true" }),
        automated: true,
        scope: Scope::Container,
        eval: no_new_privs,
    },
    Check {
        meta: RuleMeta::cis_docker("5.31", "Containers do not share the host's user namespace", Severity::High, &[E], "Remove --userns=host so the daemon's user namespace remapping applies.")
            .rationale(
                "Running with the host's user namespace turns off the daemon's remapping for \
                that container, so uid 0 inside is uid 0 on the host again. An escape through \
                a kernel or runtime bug then lands as real root. Staying in the remapped \
                namespace keeps container root an unprivileged user on the host.",
            )
            .refs(&[cwe("250")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Container,
        eval: userns_ns,
    },
];

fn swarm_mode(cx: &Context) -> Verdict {
    let eng = engine(cx);
    let sw = &eng.info.swarm;
    if !sw.is_active() {
        return Verdict::pass(format!(
            "swarm is {}",
            if sw.local_node_state.is_empty() {
                "inactive"
            } else {
                &sw.local_node_state
            }
        ));
    }
    let single = sw.nodes <= 1;
    let outcome = if single { Outcome::Fail } else { Outcome::Warn };
    Verdict::new(
        outcome,
        if single {
            "swarm mode is active on a one-node swarm; leave it unless it is needed".to_string()
        } else {
            format!(
                "swarm mode is active ({} nodes); confirm it is needed",
                sw.nodes
            )
        },
    )
    .with(Evidence::new(
        Target::Swarm,
        outcome,
        format!("LocalNodeState={}", sw.local_node_state),
        "inactive unless needed",
    ))
}

fn has_lsm(cx: &Context, name: &str) -> bool {
    engine(cx).info.security_options.iter().any(|o| {
        o.strip_prefix("name=")
            .is_some_and(|n| n.split(',').next() == Some(name))
    })
}

fn apparmor(cx: &Context) -> Verdict {
    match has_lsm(cx, "apparmor") {
        false => Verdict::not_applicable(
            "AppArmor is not enabled on this host (the daemon reports no apparmor security option)",
        ),
        true => per_container(cx, |c| {
            let p = c.app_armor_profile.as_str();
            if c.host_config.privileged {
                obs(
                    Outcome::Fail,
                    "privileged (no AppArmor confinement)",
                    "an AppArmor profile",
                )
            } else if p.is_empty() || p == "unconfined" {
                obs(
                    Outcome::Fail,
                    format!("AppArmorProfile={:?}", p),
                    "docker-default or a custom profile",
                )
            } else {
                obs(Outcome::Pass, format!("AppArmorProfile={p}"), "")
            }
        }),
    }
}

fn label_disabled(c: &Container) -> bool {
    c.host_config
        .security_opt
        .iter()
        .any(|o| o == "label=disable" || o == "label:disable")
}

fn selinux(cx: &Context) -> Verdict {
    match has_lsm(cx, "selinux") {
        false => Verdict::not_applicable(
            "SELinux is not enabled in the daemon (no selinux security option)",
        ),
        true => per_container(cx, |c| {
            if label_disabled(c) || c.host_config.privileged {
                obs(
                    Outcome::Fail,
                    "SELinux labelling disabled",
                    "a confining SELinux label",
                )
            } else if !c.process_label.is_empty() {
                obs(
                    Outcome::Pass,
                    format!("ProcessLabel={}", c.process_label),
                    "",
                )
            } else {
                obs(
                    Outcome::Fail,
                    "no SELinux process label",
                    "a confining SELinux label",
                )
            }
        }),
    }
}

fn capabilities(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        let h = &c.host_config;
        if h.privileged {
            return obs(
                Outcome::Fail,
                "privileged: every capability",
                "--cap-drop ALL plus only what is needed",
            );
        }
        let added: Vec<String> = h
            .cap_add
            .iter()
            .filter(|c| caps::added_is_finding(c))
            .map(|c| caps::normalize(c))
            .collect();
        if !added.is_empty() {
            return obs(
                Outcome::Fail,
                format!("CapAdd {}", added.join(",")),
                "no added capabilities beyond NET_BIND_SERVICE",
            );
        }
        let dropped: Vec<String> = h.cap_drop.iter().map(|c| caps::normalize(c)).collect();
        let dropped_str = || dropped.iter().map(String::as_str);
        if caps::drops_all(dropped_str()) {
            let back = if h.cap_add.is_empty() {
                "none".to_string()
            } else {
                h.cap_add.join(",")
            };
            obs(
                Outcome::Pass,
                format!("CapDrop ALL, added back: {back}"),
                "",
            )
        } else if dropped.is_empty() {
            obs(
                Outcome::Warn,
                format!(
                    "keeps all {} default capabilities, including NET_RAW",
                    caps::DOCKER_DEFAULT.len()
                ),
                "--cap-drop ALL plus only what is needed",
            )
        } else {
            let raw = if caps::drops_net_raw(dropped_str()) {
                ""
            } else {
                ", keeps NET_RAW"
            };
            obs(
                Outcome::Warn,
                format!("CapDrop {} but not ALL{raw}", dropped.join(",")),
                "--cap-drop ALL plus only what is needed",
            )
        }
    })
}

fn privileged(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        if c.host_config.privileged {
            obs(Outcome::Fail, "HostConfig.Privileged=true", "false")
        } else {
            obs(Outcome::Pass, "not privileged", "")
        }
    })
}

fn sshd(cx: &Context) -> Verdict {
    per_container(cx, |c| match &c.processes {
        None if !c.state.running => obs(
            Outcome::NotApplicable,
            format!("not running ({})", c.state.status),
            "",
        ),
        None => obs(Outcome::Error, "processes were not collected", ""),
        Some(Probe::Error(e)) => obs(Outcome::Error, format!("processes unreadable: {e}"), ""),
        Some(Probe::Ok(ps)) => match ps
            .iter()
            .find(|p| p.comm == "sshd" || p.comm.starts_with("sshd:"))
        {
            Some(p) => obs(
                Outcome::Fail,
                format!("pid {} runs {}", p.pid, p.comm),
                "no sshd",
            ),
            None => obs(
                Outcome::Pass,
                format!("{} processes, none is sshd", ps.len()),
                "",
            ),
        },
    })
}

fn host_ns(cx: &Context, field: &'static str, get: fn(&Container) -> &str) -> Verdict {
    per_container(cx, |c| {
        let v = get(c);
        if v == "host" {
            obs(
                Outcome::Fail,
                format!("{field}=host"),
                "a private namespace",
            )
        } else {
            obs(
                Outcome::Pass,
                format!("{field}={}", if v.is_empty() { "private" } else { v }),
                "",
            )
        }
    })
}

fn pid_ns(cx: &Context) -> Verdict {
    host_ns(cx, "PidMode", |c| &c.host_config.pid_mode)
}

fn ipc_ns(cx: &Context) -> Verdict {
    host_ns(cx, "IpcMode", |c| &c.host_config.ipc_mode)
}

fn uts_ns(cx: &Context) -> Verdict {
    host_ns(cx, "UTSMode", |c| &c.host_config.uts_mode)
}

fn userns_ns(cx: &Context) -> Verdict {
    host_ns(cx, "UsernsMode", |c| &c.host_config.userns_mode)
}

fn seccomp(cx: &Context) -> Verdict {
    let daemon_on = engine(cx)
        .info
        .security_options
        .iter()
        .any(|o| o.starts_with("name=seccomp"));
    per_container(cx, |c| {
        let opt = c
            .host_config
            .security_opt
            .iter()
            .find(|o| o.starts_with("seccomp=") || o.starts_with("seccomp:"));
        if !daemon_on {
            obs(
                Outcome::Fail,
                "seccomp is disabled in the daemon",
                "the default seccomp profile",
            )
        } else if c.host_config.privileged {
            obs(
                Outcome::Fail,
                "privileged (seccomp disabled)",
                "the default seccomp profile",
            )
        } else if let Some(o) = opt.filter(|o| o.ends_with("unconfined")) {
            obs(Outcome::Fail, o.clone(), "the default seccomp profile")
        } else {
            obs(
                Outcome::Pass,
                opt.cloned().unwrap_or_else(|| "default profile".into()),
                "",
            )
        }
    })
}

fn exec_privileged(_: &Context) -> Verdict {
    manual("exec sessions are not recorded in container state; review the daemon's audit trail (ausearch -k docker) for `exec --privileged`")
}

fn exec_root(_: &Context) -> Verdict {
    manual("review the daemon's audit trail for `docker exec --user root` sessions")
}

/// The container's own no-new-privileges option: Some(true/false) or None.
pub(crate) fn nnp_option(c: &Container) -> Option<bool> {
    c.host_config.security_opt.iter().rev().find_map(|o| {
        let rest = o.strip_prefix("no-new-privileges")?;
        Some(match rest {
            "" => true,
            r => !matches!(r.trim_start_matches([':', '=']), "false" | "0"),
        })
    })
}

fn no_new_privs(cx: &Context) -> Verdict {
    let daemon = cx.snap.daemon.bool_setting("no-new-privileges", false);
    per_container(cx, |c| match (nnp_option(c), &daemon) {
        (Some(true), _) => obs(Outcome::Pass, "no-new-privileges:true", ""),
        (Some(false), _) => obs(
            Outcome::Fail,
            "no-new-privileges:false (overrides any daemon default)",
            "no-new-privileges:true",
        ),
        (None, Ok((true, src))) => obs(
            Outcome::Pass,
            format!("inherits the daemon default ({src})"),
            "",
        ),
        (None, Ok((false, _))) => obs(
            Outcome::Fail,
            "no no-new-privileges option and no daemon default",
            "no-new-privileges:true",
        ),
        (None, Err(e)) => obs(Outcome::Error, e.0.clone(), ""),
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::snapshot::ProcessInfo;

    #[test]
    fn swarm_active_is_flagged() {
        let mut s = hardened();
        expect("5.1", &s, Outcome::Pass);
        engine_mut(&mut s).info.swarm.local_node_state = "active".into();
        engine_mut(&mut s).info.swarm.nodes = 1;
        expect("5.1", &s, Outcome::Fail);
    }

    #[test]
    fn apparmor_and_selinux_follow_the_host_lsm() {
        let mut s = hardened();
        expect("5.2", &s, Outcome::Pass);
        expect("5.3", &s, Outcome::NotApplicable);
        web(&mut s).app_armor_profile = "unconfined".into();
        expect("5.2", &s, Outcome::Fail);
        let mut s = hardened();
        engine_mut(&mut s).info.security_options =
            vec!["name=selinux".into(), "name=seccomp,profile=builtin".into()];
        expect("5.2", &s, Outcome::NotApplicable);
        web(&mut s).process_label = "system_u:system_r:container_t:s0:c1,c2".into();
        expect("5.3", &s, Outcome::Pass);
        web(&mut s)
            .host_config
            .security_opt
            .push("label=disable".into());
        expect("5.3", &s, Outcome::Fail);
    }

    #[test]
    fn capabilities_consider_drops_and_adds() {
        let mut s = hardened();
        expect("5.4", &s, Outcome::Pass);
        web(&mut s).host_config.cap_add = vec!["NET_ADMIN".into()];
        let f = expect("5.4", &s, Outcome::Fail);
        assert!(f.evidence[0].observed.contains("NET_ADMIN"));
        // Adding back a default capability after dropping all is fine.
        web(&mut s).host_config.cap_add = vec!["cap_net_bind_service".into()];
        expect("5.4", &s, Outcome::Pass);
        // Dropping nothing keeps NET_RAW: docker-bench passes this, we ask for review.
        web(&mut s).host_config.cap_add.clear();
        web(&mut s).host_config.cap_drop.clear();
        expect("5.4", &s, Outcome::Warn);
        // Dropping NET_RAW alone still keeps the other defaults.
        web(&mut s).host_config.cap_drop = vec!["net_raw".into()];
        expect("5.4", &s, Outcome::Warn);
        web(&mut s).host_config.cap_add = vec!["ALL".into()];
        expect("5.4", &s, Outcome::Fail);
        // Adding back a default capability is still an added privilege.
        web(&mut s).host_config.cap_drop = vec!["ALL".into()];
        web(&mut s).host_config.cap_add = vec!["CAP_net_raw".into()];
        let f = expect("5.4", &s, Outcome::Fail);
        assert!(f.evidence[0].observed.contains("NET_RAW"));
    }

    #[test]
    fn privileged_and_namespaces() {
        let mut s = hardened();
        for id in ["5.5", "5.16", "5.17", "5.21", "5.31"] {
            expect(id, &s, Outcome::Pass);
        }
        let h = &mut web(&mut s).host_config;
        h.privileged = true;
        h.pid_mode = "host".into();
        h.ipc_mode = "host".into();
        h.uts_mode = "host".into();
        h.userns_mode = "host".into();
        for id in ["5.5", "5.16", "5.17", "5.21", "5.31", "5.22", "5.2", "5.4"] {
            expect(id, &s, Outcome::Fail);
        }
    }

    #[test]
    fn sshd_is_found_in_the_process_list_and_unreadable_lists_error() {
        let mut s = hardened();
        expect("5.7", &s, Outcome::Pass);
        if let Some(Probe::Ok(ps)) = &mut web(&mut s).processes {
            ps.push(ProcessInfo {
                pid: 99,
                comm: "sshd".into(),
                args: "/usr/sbin/sshd -D".into(),
            });
        }
        expect("5.7", &s, Outcome::Fail);
        web(&mut s).processes = Some(Probe::Error("no such process".into()));
        expect("5.7", &s, Outcome::Error);
    }

    #[test]
    fn seccomp_unconfined() {
        let mut s = hardened();
        expect("5.22", &s, Outcome::Pass);
        web(&mut s)
            .host_config
            .security_opt
            .push("seccomp=unconfined".into());
        expect("5.22", &s, Outcome::Fail);
    }

    #[test]
    fn no_new_privileges_false_is_not_a_pass() {
        let mut s = hardened();
        expect("5.26", &s, Outcome::Pass);
        web(&mut s).host_config.security_opt = vec!["no-new-privileges:false".into()];
        expect("5.26", &s, Outcome::Fail);
        // The daemon-wide default covers containers that say nothing…
        web(&mut s).host_config.security_opt.clear();
        expect("5.26", &s, Outcome::Pass);
        // …but not when it is off.
        settings_mut(&mut s).remove("no-new-privileges");
        expect("5.26", &s, Outcome::Fail);
    }

    #[test]
    fn exec_checks_are_manual() {
        let s = hardened();
        expect("5.23", &s, Outcome::Warn);
        expect("5.24", &s, Outcome::Warn);
    }
}
