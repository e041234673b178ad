//! 5.x storage: sensitive host paths, read-only root filesystems, mount
//! propagation, the Docker socket, host devices.

use super::*;
use crate::findings::Severity;
use crate::knowledge::host_paths::{self, Access};
use crate::knowledge::sockets::{self, Exposure};
use crate::rules::Scope;

pub(super) static CHECKS: &[Check] = &[
    Check {
        meta: RuleMeta::cis_docker("5.6", "Sensitive host directories are not mounted into containers", Severity::High, &[T, I, E], "Do not bind-mount /, /boot, /dev, /etc, /lib, /proc, /sys or /usr (or paths below them); if one is unavoidable mount it read-only.")
            .rationale(
                "Bind-mounting host system directories such as /etc, /usr, /boot, /proc or / \
                itself hands the container the host's configuration, binaries and kernel \
                interfaces. A compromised process can then read secrets, plant code that the \
                host runs or change its startup, escaping without any kernel bug. Mounting \
                only application data keeps the host out of reach.",
            )
            .refs(&[cwe("668")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Container,
        eval: sensitive_mounts,
    },
    Check {
        meta: RuleMeta::cis_docker("5.13", "Container root filesystems are read-only", Severity::Medium, &[T], "Run with --read-only and mount writable tmpfs or volumes only where the application writes.")
            .rationale(
                "A writable root filesystem lets an attacker who gets code execution drop \
                tools, alter binaries or plant persistence that survives as long as the \
                container does. With a read-only root filesystem those changes fail, and the \
                places the application really writes are explicit tmpfs or volume mounts that \
                are easy to review.",
            )
            .fix(Fix::RunOption { flag: "--read-only" }),
        automated: true,
        scope: Scope::Container,
        eval: read_only_rootfs,
    },
    Check {
        meta: RuleMeta::cis_docker("5.18", "Host devices are not passed into containers", Severity::Medium, &[E, T], "Remove --device mappings unless required, and then grant only the needed permissions (e.g. :r).")
            .rationale(
                "Passing a host device into a container gives its processes direct access to \
                the hardware or kernel driver behind it, such as raw disks, terminals or GPUs. \
                With write access to a disk device, for instance, they can read or alter the \
                host's data outside every filesystem permission. Passing only needed devices, \
                read-only where possible, limits that.",
            )
            .refs(&[cwe("668")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Container,
        eval: devices,
    },
    Check {
        meta: RuleMeta::cis_docker("5.20", "No mount uses shared propagation", Severity::Medium, &[T, E], "Use the default private propagation; remove shared/rshared from -v and --mount options.")
            .rationale(
                "With shared mount propagation, mounts made inside the container appear on the \
                host and mounts on the host appear inside. A process in the container can then \
                change the host's mount table, for example by mounting over host paths. \
                Private propagation, the default, keeps the two mount trees apart.",
            )
            .refs(&[cwe("668")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Container,
        eval: propagation,
    },
    Check {
        meta: RuleMeta::cis_docker("5.32", "The Docker socket is not mounted into containers", Severity::Critical, &[E, T], "Remove the docker.sock (or containerd.sock) mount; give the container a narrowly scoped API proxy if it truly needs the Engine.")
            .rationale(
                "The Docker socket is the daemon's full API, and the daemon runs as root. A \
                container that mounts it can start a privileged container that mounts the \
                host's disk and take over the host in one request, and that includes any \
                attacker who compromises the container. Not mounting it, or using a narrowly \
                filtered proxy, removes that path.",
            )
            .refs(&[cwe("250")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Container,
        eval: docker_socket,
    },
];

fn sensitive_mounts(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        let mut fail = Vec::new();
        let mut warn = Vec::new();
        for m in c.mounts.iter().filter(|m| m.kind == "bind") {
            let Some(hit) = host_paths::sensitive(&m.source) else {
                continue;
            };
            let access = Access::from_read_only(!m.rw);
            let item = format!(
                "{} -> {} ({}, {})",
                m.source,
                m.destination,
                access.label(),
                hit.why
            );
            if access.is_failure() {
                fail.push(item);
            } else {
                warn.push(item);
            }
        }
        if !fail.is_empty() {
            fail.extend(warn);
            obs(
                Outcome::Fail,
                fail.join("; "),
                "no sensitive host path, or read-only",
            )
        } else if !warn.is_empty() {
            obs(
                Outcome::Warn,
                format!("read-only: {}", warn.join("; ")),
                "no sensitive host path",
            )
        } else {
            obs(Outcome::Pass, "no sensitive host paths", "")
        }
    })
}

fn read_only_rootfs(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        if c.host_config.readonly_rootfs {
            obs(Outcome::Pass, "ReadonlyRootfs=true", "")
        } else {
            obs(Outcome::Fail, "ReadonlyRootfs=false", "true")
        }
    })
}

fn devices(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        if c.host_config.privileged {
            return obs(
                Outcome::Warn,
                "privileged: every host device",
                "only the devices needed",
            );
        }
        let d = &c.host_config.devices;
        if d.is_empty() {
            obs(Outcome::Pass, "no devices", "")
        } else {
            let list: Vec<String> = d
                .iter()
                .map(|d| {
                    format!(
                        "{}:{}:{}",
                        d.path_on_host, d.path_in_container, d.cgroup_permissions
                    )
                })
                .collect();
            obs(Outcome::Warn, list.join(", "), "only the devices needed")
        }
    })
}

fn propagation(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        let shared: Vec<String> = c
            .mounts
            .iter()
            .filter(|m| matches!(m.propagation.as_str(), "shared" | "rshared"))
            .map(|m| format!("{} ({})", m.destination, m.propagation))
            .collect();
        if shared.is_empty() {
            obs(Outcome::Pass, "no shared propagation", "")
        } else {
            obs(
                Outcome::Fail,
                shared.join(", "),
                "private or slave propagation",
            )
        }
    })
}

fn docker_socket(cx: &Context) -> Verdict {
    // The sockets this host is known to serve, besides the well-known ones.
    let mut local = cx.snap.docker_sockets();
    local.extend(cx.snap.host.containerd_socket.iter().cloned());
    per_container(cx, |c| {
        let hits: Vec<String> = c
            .mounts
            .iter()
            .filter(|m| m.kind == "bind")
            .filter_map(|m| match sockets::exposure(&m.source, &local)? {
                Exposure::Socket => Some(format!("{} -> {}", m.source, m.destination)),
                Exposure::Directory => Some(format!(
                    "{} -> {} (a directory holding a runtime socket)",
                    m.source, m.destination
                )),
            })
            .collect();
        if hits.is_empty() {
            obs(Outcome::Pass, "no runtime socket mounted", "")
        } else {
            obs(
                Outcome::Fail,
                hits.join("; "),
                "no container runtime socket",
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::snapshot::{DeviceMapping, Mount};

    fn bind(src: &str, dst: &str, rw: bool) -> Mount {
        Mount {
            kind: "bind".into(),
            source: src.into(),
            destination: dst.into(),
            rw,
            ..Default::default()
        }
    }

    #[test]
    fn sensitive_paths_rw_fail_ro_warn_subpaths_count_volumes_do_not() {
        let mut s = hardened();
        expect("5.6", &s, Outcome::Pass);
        web(&mut s).mounts = vec![bind("/", "/host", false)];
        expect("5.6", &s, Outcome::Warn);
        web(&mut s).mounts = vec![bind("/etc", "/etc", true)];
        expect("5.6", &s, Outcome::Fail);
        web(&mut s).mounts = vec![bind("/etc/shadow", "/x", true)];
        expect("5.6", &s, Outcome::Fail);
        // A named volume mounted at /etc in the container is not a host path.
        web(&mut s).mounts = vec![Mount {
            kind: "volume".into(),
            name: "cfg".into(),
            source: "/var/lib/docker/volumes/cfg/_data".into(),
            destination: "/etc".into(),
            rw: true,
            ..Default::default()
        }];
        expect("5.6", &s, Outcome::Pass);
        // /etcd is not /etc.
        web(&mut s).mounts = vec![bind("/etcd-data", "/data", true)];
        expect("5.6", &s, Outcome::Pass);
        // root's home and Docker's own data are as sensitive as /etc.
        web(&mut s).mounts = vec![bind("/root", "/r", true)];
        let f = expect("5.6", &s, Outcome::Fail);
        assert!(f.evidence[0].observed.contains("root's home"));
        web(&mut s).mounts = vec![bind("/var/lib/docker", "/d", false)];
        expect("5.6", &s, Outcome::Warn);
    }

    #[test]
    fn docker_socket_under_any_name() {
        let mut s = hardened();
        expect("5.32", &s, Outcome::Pass);
        web(&mut s).mounts = vec![bind("/run/docker.sock", "/var/run/docker.sock", false)];
        expect("5.32", &s, Outcome::Fail);
        web(&mut s).mounts = vec![bind("/var/run", "/host-run", false)];
        expect("5.32", &s, Outcome::Fail);
        web(&mut s).mounts = vec![bind("/srv/data", "/data", true)];
        expect("5.32", &s, Outcome::Pass);
        for src in [
            "/run/podman/podman.sock",
            "/var/run/crio/crio.sock",
            "/",
            "/run/containerd",
        ] {
            web(&mut s).mounts = vec![bind(src, "/x", false)];
            expect("5.32", &s, Outcome::Fail);
        }
    }

    #[test]
    fn read_only_rootfs() {
        let mut s = hardened();
        expect("5.13", &s, Outcome::Pass);
        web(&mut s).host_config.readonly_rootfs = false;
        expect("5.13", &s, Outcome::Fail);
    }

    #[test]
    fn propagation_and_devices() {
        let mut s = hardened();
        expect("5.20", &s, Outcome::Pass);
        expect("5.18", &s, Outcome::Pass);
        let mut m = bind("/srv", "/srv", true);
        m.propagation = "rshared".into();
        web(&mut s).mounts = vec![m];
        expect("5.20", &s, Outcome::Fail);
        web(&mut s).host_config.devices = vec![DeviceMapping {
            path_on_host: "/dev/fuse".into(),
            path_in_container: "/dev/fuse".into(),
            cgroup_permissions: "rwm".into(),
        }];
        expect("5.18", &s, Outcome::Warn);
    }
}
