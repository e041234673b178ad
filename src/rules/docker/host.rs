//! 1.1.1, 1.1.2, 1.2.1, 1.2.2: partition, docker group, host hardening,
//! Docker version.

use super::*;
use crate::findings::Severity;
use crate::rules::Scope;

pub(super) static CHECKS: &[Check] = &[
    Check {
        meta: RuleMeta::cis_docker("1.1.1", "Docker's data directory sits on its own filesystem", Severity::Medium, &[D], "Put the Docker root directory (DockerRootDir, usually /var/lib/docker) on a \
            dedicated partition or logical volume, mounted at that path, so images and logs cannot fill \
            the root filesystem.")
            .rationale(
                "Images, container layers, volumes and json-file logs all grow under Docker's \
                root directory. On the root filesystem, a container that writes without bound \
                or a flood of pulled images can fill the disk and stop the host's own \
                services, logging included. A dedicated filesystem confines that exhaustion to \
                Docker's data.",
            )
            .refs(&[cwe("400")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Host,
        eval: separate_partition,
    },
    Check {
        meta: RuleMeta::cis_docker("1.1.2", "Only trusted users may control the Docker daemon", Severity::High, &[E, S], "Membership of the docker group is root-equivalent. Remove every user who does not \
            need it (`gpasswd -d USER docker`), and list the trusted ones with --trusted-users.")
            .rationale(
                "Anyone in the docker group can ask the daemon for a privileged container that \
                mounts the host's root filesystem, which makes membership equivalent to root \
                without sudo, a password prompt or an audit trail. Keeping the group to the \
                few accounts that administer Docker limits who holds that power.",
            )
            .refs(&[cwe("269")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Host,
        eval: docker_group,
    },
    Check {
        meta: RuleMeta::cis_docker("1.2.1", "The container host is hardened", Severity::Medium, &[E, T], "Harden the host OS: apply a hardening baseline (e.g. the CIS benchmark for the \
            distribution), keep SELinux or AppArmor enforcing, minimise installed packages and services.")
            .rationale(
                "Containers share the host's kernel, so a weakness in the host OS, its services \
                or its mandatory access control undermines every container on it. An unpatched \
                kernel or a permissive host turns a container escape into full compromise. A \
                hardened, minimal host with SELinux or AppArmor enforcing gives a second line \
                of defence behind Docker's own isolation.",
            )
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Manual,
        eval: host_hardened,
    },
    Check {
        meta: RuleMeta::cis_docker("1.2.2", "Docker is a current, supported release", Severity::Medium, &[E, T], "Upgrade Docker Engine to a release line that still receives security fixes, and \
            keep it patched.")
            .rationale(
                "Docker Engine, containerd and runc have had escape and privilege bugs fixed \
                only in supported releases. A version line past its end of life keeps those \
                holes open for good, and an attacker can look the exploits up. A supported, \
                patched release receives the fixes as they come out.",
            )
            .refs(&[cwe("1104")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Engine,
        eval: docker_version,
    },
];

fn separate_partition(cx: &Context) -> Verdict {
    let mounts = match cx.snap.host.mounts.as_result() {
        Ok(m) => m,
        Err(e) => return Verdict::error(e.to_string()),
    };
    let root_dir = cx.snap.docker_root_dir();
    // The filesystem holding the directory is the longest mount-point prefix.
    let holder = mounts
        .iter()
        .filter(|m| {
            m.mount_point == "/"
                || root_dir == m.mount_point
                || root_dir.starts_with(&format!("{}/", m.mount_point))
        })
        .max_by_key(|m| m.mount_point.len());
    let target = Target::File {
        path: root_dir.clone(),
    };
    let root_dev = mounts
        .iter()
        .rev()
        .find(|m| m.mount_point == "/")
        .map(|m| m.device.as_str());
    match holder {
        None => Verdict::error(format!("no mount in the mount table contains {root_dir}")),
        // A bind mount of a directory on the root device is not a partition.
        Some(m)
            if m.mount_point != "/"
                && !m.device.is_empty()
                && Some(m.device.as_str()) == root_dev =>
        {
            Verdict::fail(format!(
                "{root_dir} is mounted at {} but from the root filesystem's device {}",
                m.mount_point, m.device
            ))
            .with(Evidence::new(
                target,
                Outcome::Fail,
                format!(
                    "bind mount at {} of device {} (same as /)",
                    m.mount_point, m.device
                ),
                "a dedicated filesystem",
            ))
        }
        Some(m) if m.mount_point == "/" => {
            Verdict::fail(format!("{root_dir} is on the root filesystem")).with(Evidence::new(
                target,
                Outcome::Fail,
                format!("on / ({} {})", m.fs_type, m.source),
                "a dedicated mount at or above it, other than /",
            ))
        }
        Some(m) => Verdict::pass(format!(
            "{root_dir} is on {} ({})",
            m.mount_point, m.fs_type
        ))
        .with(Evidence::new(
            target,
            Outcome::Pass,
            format!("mounted at {} ({} {})", m.mount_point, m.fs_type, m.source),
            "",
        )),
    }
}

fn docker_group(cx: &Context) -> Verdict {
    let g = match cx.snap.host.docker_group.as_result() {
        Ok(g) => g,
        Err(e) => return Verdict::error(e.to_string()),
    };
    let Some(g) = g else {
        return Verdict::pass("there is no docker group; only root can use the socket");
    };
    if g.members.is_empty() {
        return Verdict::pass(format!("the docker group (gid {}) has no members", g.gid));
    }
    let trusted = &cx.opts.trusted_users;
    let ev = g.members.iter().map(|m| {
        let outcome = if trusted.is_empty() {
            Outcome::Warn
        } else if trusted.iter().any(|t| t == m) {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        Evidence::new(
            Target::Host,
            outcome,
            format!("user {m} is in group docker (gid {})", g.gid),
            if trusted.is_empty() {
                "members reviewed (--trusted-users)"
            } else {
                "only trusted users"
            },
        )
        .with_source("/etc/group")
    });
    let mut v = summarise(ev.collect(), "group member");
    if trusted.is_empty() {
        v.message = format!("docker group members to review: {}", g.members.join(", "));
    }
    v
}

fn host_hardened(cx: &Context) -> Verdict {
    let lsm: Vec<&str> = cx
        .snap
        .engine
        .ok()
        .map(|e| {
            e.info
                .security_options
                .iter()
                .filter_map(|o| o.strip_prefix("name="))
                .filter(|o| o.starts_with("apparmor") || o.starts_with("selinux"))
                .collect()
        })
        .unwrap_or_default();
    let lsm = if lsm.is_empty() {
        "none reported by the daemon".to_string()
    } else {
        lsm.join(", ")
    };
    manual(&format!(
        "review the host's hardening baseline (security modules: {lsm})"
    ))
}

/// Release lines known to be out of support when this catalogue was written.
fn end_of_life(version: &str) -> Option<&'static str> {
    let mut it = version.split(['.', '-', '+']);
    let major: u32 = it.next()?.parse().ok()?;
    let minor: u32 = it.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    match (major, minor) {
        (0..=19, _) => Some("19.03 and older"),
        (20, _) => Some("20.10 (end of life December 2023)"),
        (23, _) => Some("23.0 (end of life)"),
        (24, _) => Some("24.0 (end of life)"),
        _ => None,
    }
}

/// The distribution that built a version string, from its packaging
/// suffix (`20.10.24+dfsg1` Debian, `~ubuntu`, `.el9`, `.fc40`).
fn distribution_build(version: &str) -> Option<&'static str> {
    let v = version.to_ascii_lowercase();
    [
        ("+dfsg", "Debian"),
        ("~deb", "Debian"),
        ("ubuntu", "Ubuntu"),
        (".el", "Red Hat / EL"),
        (".fc", "Fedora"),
    ]
    .iter()
    .find(|(m, _)| v.contains(m))
    .map(|(_, d)| *d)
}

fn docker_version(cx: &Context) -> Verdict {
    let eng = engine(cx);
    let v = &eng.version.version;
    // 1.2.2 is a manual check: an end-of-life line is WARN with the facts,
    // and a distribution's own build (which may carry backported fixes)
    // says so.
    let distro = distribution_build(v);
    match end_of_life(v) {
        Some(line) => {
            let mut observed = format!("server version {v}; upstream release line {line}");
            if let Some(d) = &distro {
                observed.push_str(&format!(
                    "; {d} build: the distribution may backport security fixes to it, check its security tracker"
                ));
            }
            Verdict::warn(format!(
                "Docker {v} belongs to a release line upstream no longer supports: {line}{}",
                if distro.is_some() { " (a distribution build; check its backported fixes)" } else { "" }
            ))
            .with(Evidence::new(Target::Daemon, Outcome::Warn, observed, "a supported release line"))
        }
        None => Verdict::warn(format!(
            "Docker {v}: confirm it is the newest patch release of its line (the audit works offline)"
        ))
        .with(Evidence::new(Target::Daemon, Outcome::Warn, format!("server version {v}"), "latest patch release")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn partition_on_root_fails_and_on_var_passes() {
        let mut s = hardened();
        expect("1.1.1", &s, Outcome::Pass);
        if let crate::snapshot::Probe::Ok(m) = &mut s.host.mounts {
            m.retain(|m| m.mount_point == "/");
        }
        expect("1.1.1", &s, Outcome::Fail);
        // A separate /var also keeps Docker off the root filesystem.
        if let crate::snapshot::Probe::Ok(m) = &mut s.host.mounts {
            m.push(crate::snapshot::MountPoint {
                mount_point: "/var".into(),
                device: "254:32".into(),
                fs_type: "ext4".into(),
                source: "/dev/vdc".into(),
                options: "rw".into(),
            });
        }
        expect("1.1.1", &s, Outcome::Pass);
        // A bind mount from the root device (as on this project's VMs) is not separate.
        if let crate::snapshot::Probe::Ok(m) = &mut s.host.mounts {
            m.retain(|m| m.mount_point == "/");
            m.push(crate::snapshot::MountPoint {
                mount_point: "/var/lib/docker".into(),
                device: "254:0".into(),
                fs_type: "ext4".into(),
                source: "/dev/vda".into(),
                options: "rw".into(),
            });
        }
        expect("1.1.1", &s, Outcome::Fail);
        s.host.mounts = crate::snapshot::Probe::Error("no mount table".into());
        expect("1.1.1", &s, Outcome::Error);
    }

    #[test]
    fn docker_group_members_are_judged_by_exact_name() {
        let mut s = hardened();
        expect("1.1.2", &s, Outcome::Pass);
        s.host.docker_group = crate::snapshot::Probe::Ok(Some(crate::snapshot::GroupMembers {
            gid: 999,
            members: vec!["alice".into()],
        }));
        expect("1.1.2", &s, Outcome::Warn);
        let trusted = crate::rules::EvalOptions {
            trusted_users: vec!["alice".into()],
            ..Default::default()
        };
        assert_eq!(run_with("1.1.2", &s, &trusted).outcome, Outcome::Pass);
        // "ali" is a substring of the trusted "alice" but is not alice.
        let mut s2 = hardened();
        s2.host.docker_group = crate::snapshot::Probe::Ok(Some(crate::snapshot::GroupMembers {
            gid: 999,
            members: vec!["alice".into(), "ali".into()],
        }));
        let f = run_with("1.1.2", &s2, &trusted);
        assert_eq!(f.outcome, Outcome::Fail);
        assert!(f
            .evidence
            .iter()
            .any(|e| e.outcome == Outcome::Fail && e.observed.contains("user ali ")));
    }

    #[test]
    fn old_release_lines_and_current_ones_ask_for_review_with_the_facts() {
        let mut s = hardened();
        expect("1.2.2", &s, Outcome::Warn);
        engine_mut(&mut s).version.version = "20.10.24+dfsg1".into();
        let f = expect("1.2.2", &s, Outcome::Warn);
        assert!(f.evidence[0].observed.contains("20.10 (end of life"));
        assert!(f.evidence[0].observed.contains("Debian build"));
        engine_mut(&mut s).version.version = "20.10.24".into();
        let f = expect("1.2.2", &s, Outcome::Warn);
        assert!(!f.evidence[0].observed.contains("build:"));
        expect("1.2.1", &s, Outcome::Warn);
    }
}
