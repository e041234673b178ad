//! 3.x: ownership and permissions of the daemon's files. Modes are compared
//! as bit masks (`mode & !allowed == 0`), so `0077` cannot pass "644 or
//! stricter" and a setgid directory is not failed for its special bit.
//! Paths follow the daemon's real configuration: the unit files systemd
//! actually loads (with drop-ins), the sockets in `-H`/`hosts`, the
//! daemon.json named by `--config-file`, and the TLS files it configures.

use super::*;
use crate::findings::Severity;
use crate::rules::Scope;

#[derive(Clone, Copy)]
enum Files {
    Unit(&'static str),
    Path(&'static str),
    CertsD,
    /// 0 = CA, 1 = server certificate, 2 = server key.
    Tls(usize),
    DockerSockets,
    DaemonJson,
    ContainerdSocket,
}

#[derive(Clone, Copy)]
enum Want {
    /// uid 0 and gid 0.
    RootRoot,
    /// uid 0 and gid 0 or the docker group.
    RootDocker,
    /// Permission bits within this mask (for `.key` files under certs.d, 0400).
    Mode(u32),
}

macro_rules! file_checks {
    ($( $id:literal, $fn:ident, $files:expr, $want:expr, $sev:ident, $title:literal, $rem:literal ;)*) => {
        pub(super) static CHECKS: &[Check] = &[
            $( Check {
                id: $id,
                title: $title,
                automated: true,
                scope: Scope::Host,
                severity: Severity::$sev,
                stride: &[T, E],
                remediation: $rem,
                eval: $fn,
            }, )*
        ];
        $( fn $fn(cx: &Context) -> Verdict { judge(cx, $files, $want) } )*
    };
}

file_checks! {
    "3.1", c_3_1, Files::Unit("docker.service"), Want::RootRoot, Medium, "docker.service unit files are owned by root:root", "chown root:root on the docker.service unit file and each of its drop-ins.";
    "3.2", c_3_2, Files::Unit("docker.service"), Want::Mode(0o644), Medium, "docker.service unit files are mode 644 or stricter", "chmod 644 on the docker.service unit file and each of its drop-ins.";
    "3.3", c_3_3, Files::Unit("docker.socket"), Want::RootRoot, Medium, "docker.socket unit files are owned by root:root", "chown root:root on the docker.socket unit file and its drop-ins.";
    "3.4", c_3_4, Files::Unit("docker.socket"), Want::Mode(0o644), Medium, "docker.socket unit files are mode 644 or stricter", "chmod 644 on the docker.socket unit file and its drop-ins.";
    "3.5", c_3_5, Files::Path("/etc/docker"), Want::RootRoot, High, "/etc/docker is owned by root:root", "chown root:root /etc/docker";
    "3.6", c_3_6, Files::Path("/etc/docker"), Want::Mode(0o755), High, "/etc/docker is mode 755 or stricter", "chmod 755 /etc/docker (no group or other write).";
    "3.7", c_3_7, Files::CertsD, Want::RootRoot, Medium, "Registry certificates are owned by root:root", "chown -R root:root /etc/docker/certs.d";
    "3.8", c_3_8, Files::CertsD, Want::Mode(0o444), Medium, "Registry certificates are mode 444 or stricter (keys 400)", "chmod 444 on certificates and 400 on keys under /etc/docker/certs.d.";
    "3.9", c_3_9, Files::Tls(0), Want::RootRoot, High, "The daemon's TLS CA certificate is owned by root:root", "chown root:root on the file named by tlscacert.";
    "3.10", c_3_10, Files::Tls(0), Want::Mode(0o444), High, "The daemon's TLS CA certificate is mode 444 or stricter", "chmod 444 on the file named by tlscacert.";
    "3.11", c_3_11, Files::Tls(1), Want::RootRoot, High, "The daemon's TLS certificate is owned by root:root", "chown root:root on the file named by tlscert.";
    "3.12", c_3_12, Files::Tls(1), Want::Mode(0o444), High, "The daemon's TLS certificate is mode 444 or stricter", "chmod 444 on the file named by tlscert.";
    "3.13", c_3_13, Files::Tls(2), Want::RootRoot, Critical, "The daemon's TLS key is owned by root:root", "chown root:root on the file named by tlskey.";
    "3.14", c_3_14, Files::Tls(2), Want::Mode(0o400), Critical, "The daemon's TLS key is mode 400 or stricter", "chmod 400 on the file named by tlskey.";
    "3.15", c_3_15, Files::DockerSockets, Want::RootDocker, Critical, "The Docker socket is owned by root and group docker (or root)", "chown root:docker on the daemon's socket (systemd: SocketUser=root, SocketGroup=docker in docker.socket).";
    "3.16", c_3_16, Files::DockerSockets, Want::Mode(0o660), Critical, "The Docker socket is mode 660 or stricter", "chmod 660 on the daemon's socket (systemd: SocketMode=0660 in docker.socket).";
    "3.17", c_3_17, Files::DaemonJson, Want::RootRoot, High, "daemon.json is owned by root:root", "chown root:root on the daemon.json in effect.";
    "3.18", c_3_18, Files::DaemonJson, Want::Mode(0o644), High, "daemon.json is mode 644 or stricter", "chmod 644 on the daemon.json in effect.";
    "3.19", c_3_19, Files::Path("/etc/default/docker"), Want::RootRoot, Medium, "/etc/default/docker is owned by root:root", "chown root:root /etc/default/docker";
    "3.20", c_3_20, Files::Path("/etc/default/docker"), Want::Mode(0o644), Medium, "/etc/default/docker is mode 644 or stricter", "chmod 644 /etc/default/docker";
    "3.21", c_3_21, Files::Path("/etc/sysconfig/docker"), Want::Mode(0o644), Medium, "/etc/sysconfig/docker is mode 644 or stricter", "chmod 644 /etc/sysconfig/docker";
    "3.22", c_3_22, Files::Path("/etc/sysconfig/docker"), Want::RootRoot, Medium, "/etc/sysconfig/docker is owned by root:root", "chown root:root /etc/sysconfig/docker";
    "3.23", c_3_23, Files::ContainerdSocket, Want::RootRoot, Critical, "The containerd socket is owned by root:root", "chown root:root on the containerd socket.";
    "3.24", c_3_24, Files::ContainerdSocket, Want::Mode(0o660), Critical, "The containerd socket is mode 660 or stricter", "chmod 660 on the containerd socket.";
}

/// The paths a check covers, or the verdict when there are none.
fn paths(cx: &Context, f: Files) -> Result<Vec<String>, Verdict> {
    let snap = cx.snap;
    Ok(match f {
        Files::Unit(_)
            if snap
                .host
                .init
                .as_ref()
                .and_then(|i| i.units_not_in_effect())
                .is_some() =>
        {
            return Err(Verdict::not_applicable(
                snap.host
                    .init
                    .as_ref()
                    .and_then(|i| i.units_not_in_effect())
                    .unwrap_or_default(),
            ));
        }
        Files::Unit(name) => {
            let units = snap
                .host
                .units
                .as_result()
                .map_err(|e| Verdict::error(e.to_string()))?;
            match units.iter().find(|u| u.name == name) {
                Some(u) if u.fragment.is_some() || !u.drop_ins.is_empty() => u
                    .fragment
                    .iter()
                    .chain(u.drop_ins.iter())
                    .cloned()
                    .collect(),
                _ => {
                    return Err(Verdict::not_applicable(format!(
                        "no {name} unit is installed"
                    )))
                }
            }
        }
        Files::Path(p) => vec![p.to_string()],
        Files::CertsD => {
            let listed: Vec<String> = snap
                .host
                .files
                .iter()
                .filter(|(p, f)| {
                    p.starts_with("/etc/docker/certs.d/")
                        && matches!(f, FileFact::Present(s) if s.kind == "file")
                })
                .map(|(p, _)| p.clone())
                .collect();
            if listed.is_empty() {
                return Err(match file(cx, "/etc/docker/certs.d")? {
                    None => Verdict::not_applicable("/etc/docker/certs.d does not exist"),
                    Some(_) => Verdict::not_applicable("/etc/docker/certs.d holds no files"),
                });
            }
            listed
        }
        Files::Tls(i) => match snap.daemon.tls_paths() {
            Err(e) => return Err(Verdict::error(e.0)),
            Ok(None) => {
                return Err(Verdict::not_applicable(
                    "the daemon is not configured for TLS",
                ))
            }
            Ok(Some(p)) => vec![p[i].clone()],
        },
        Files::DockerSockets => {
            // Only sockets that exist on the audited host count.
            let v: Vec<String> = snap
                .docker_sockets()
                .into_iter()
                .filter(|p| {
                    matches!(
                        snap.host.files.get(p),
                        Some(FileFact::Present(_)) | Some(FileFact::Error { .. })
                    )
                })
                .collect();
            if v.is_empty() {
                return Err(Verdict::not_applicable("no Docker unix socket exists"));
            }
            v
        }
        Files::DaemonJson => vec![snap.daemon.config_file.clone()],
        Files::ContainerdSocket => match &snap.host.containerd_socket {
            Some(p) => vec![p.clone()],
            None => return Err(Verdict::not_applicable("no containerd socket exists")),
        },
    })
}

fn judge(cx: &Context, f: Files, want: Want) -> Verdict {
    let list = match paths(cx, f) {
        Ok(l) => l,
        Err(v) => return v,
    };
    let docker_gid = cx
        .snap
        .host
        .docker_group
        .ok()
        .and_then(|g| g.as_ref())
        .map(|g| g.gid);
    let mut ev = Vec::new();
    for p in &list {
        let target = Target::File { path: p.clone() };
        match file(cx, p) {
            Err(v) => ev.push(Evidence::new(target, Outcome::Error, v.message, "")),
            Ok(None) => ev.push(Evidence::new(
                target,
                Outcome::NotApplicable,
                "does not exist",
                "",
            )),
            Ok(Some(st)) => {
                let (ok, observed, expected) = match want {
                    Want::RootRoot => (st.uid == 0 && st.gid == 0, st.owner_label(), "root:root"),
                    Want::RootDocker => (
                        st.uid == 0 && (st.gid == 0 || Some(st.gid) == docker_gid),
                        st.owner_label(),
                        "root:docker or root:root",
                    ),
                    Want::Mode(max) => {
                        let max = if matches!(f, Files::CertsD) && p.ends_with(".key") {
                            0o400
                        } else {
                            max
                        };
                        let exp = match max {
                            0o400 => "0400 or stricter",
                            0o444 => "0444 or stricter",
                            0o644 => "0644 or stricter",
                            0o660 => "0660 or stricter",
                            _ => "0755 or stricter",
                        };
                        (
                            mode_within(st.mode, max),
                            format!("mode {}", st.mode_octal()),
                            exp,
                        )
                    }
                };
                let outcome = if ok { Outcome::Pass } else { Outcome::Fail };
                ev.push(Evidence::new(target, outcome, observed, expected));
            }
        }
    }
    if ev.iter().all(|e| e.outcome == Outcome::NotApplicable) {
        return Verdict::not_applicable(format!("{} does not exist", list.join(", "))).with_all(ev);
    }
    summarise(ev, "file")
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use serde_json::json;

    fn set(s: &mut crate::snapshot::Snapshot, p: &str, f: FileFact) {
        s.host.files.insert(p.into(), f);
    }

    #[test]
    fn every_file_check_fires_on_a_bad_owner_or_mode() {
        // (check, path, bad fact)
        let cases: &[(&str, &str, FileFact)] = &[
            (
                "3.1",
                "/lib/systemd/system/docker.service",
                stat("file", 1000, 0, 0o644),
            ),
            (
                "3.2",
                "/lib/systemd/system/docker.service",
                stat("file", 0, 0, 0o664),
            ),
            (
                "3.3",
                "/lib/systemd/system/docker.socket",
                stat("file", 0, 5, 0o644),
            ),
            (
                "3.4",
                "/lib/systemd/system/docker.socket",
                stat("file", 0, 0, 0o646),
            ),
            ("3.5", "/etc/docker", stat("dir", 0, 1000, 0o755)),
            ("3.6", "/etc/docker", stat("dir", 0, 0, 0o775)),
            (
                "3.7",
                "/etc/docker/certs.d/reg:5000/ca.crt",
                stat("file", 0, 1000, 0o444),
            ),
            (
                "3.8",
                "/etc/docker/certs.d/reg:5000/ca.crt",
                stat("file", 0, 0, 0o644),
            ),
            (
                "3.9",
                "/etc/docker/tls/ca.pem",
                stat("file", 1000, 1000, 0o444),
            ),
            ("3.10", "/etc/docker/tls/ca.pem", stat("file", 0, 0, 0o644)),
            (
                "3.11",
                "/etc/docker/tls/cert.pem",
                stat("file", 0, 1000, 0o444),
            ),
            (
                "3.12",
                "/etc/docker/tls/cert.pem",
                stat("file", 0, 0, 0o446),
            ),
            (
                "3.13",
                "/etc/docker/tls/key.pem",
                stat("file", 1000, 0, 0o400),
            ),
            ("3.14", "/etc/docker/tls/key.pem", stat("file", 0, 0, 0o440)),
            (
                "3.15",
                "/var/run/docker.sock",
                stat("socket", 0, 1000, 0o660),
            ),
            (
                "3.16",
                "/var/run/docker.sock",
                stat("socket", 0, 999, 0o666),
            ),
            (
                "3.17",
                "/etc/docker/daemon.json",
                stat("file", 0, 1000, 0o644),
            ),
            ("3.18", "/etc/docker/daemon.json", stat("file", 0, 0, 0o077)),
            ("3.19", "/etc/default/docker", stat("file", 1000, 0, 0o644)),
            ("3.20", "/etc/default/docker", stat("file", 0, 0, 0o606)),
            ("3.21", "/etc/sysconfig/docker", stat("file", 0, 0, 0o605)),
            ("3.22", "/etc/sysconfig/docker", stat("file", 0, 7, 0o644)),
            (
                "3.23",
                "/run/containerd/containerd.sock",
                stat("socket", 0, 999, 0o660),
            ),
            (
                "3.24",
                "/run/containerd/containerd.sock",
                stat("socket", 0, 0, 0o666),
            ),
        ];
        for (id, path, bad) in cases {
            let mut s = hardened();
            if *id == "3.21" || *id == "3.22" {
                set(&mut s, path, stat("file", 0, 0, 0o644));
                expect(id, &s, Outcome::Pass);
            } else {
                expect(id, &s, Outcome::Pass);
            }
            set(&mut s, path, bad.clone());
            let f = expect(id, &s, Outcome::Fail);
            assert!(
                f.offenders().any(|e| e.target.label() == *path),
                "{id}: offender {path}"
            );
        }
    }

    #[test]
    fn docker_bench_decimal_compare_bugs_are_avoided() {
        let mut s = hardened();
        // 0077 is "less than 644" as a decimal number but grants group/other write.
        set(&mut s, "/etc/docker/daemon.json", stat("file", 0, 0, 0o077));
        expect("3.18", &s, Outcome::Fail);
        // A setgid directory is not failed for its special bit.
        set(&mut s, "/etc/docker", stat("dir", 0, 0, 0o2755));
        expect("3.6", &s, Outcome::Pass);
        // A key with no permissions at all is fine (docker-bench wants exactly 400).
        set(&mut s, "/etc/docker/tls/key.pem", stat("file", 0, 0, 0o000));
        expect("3.14", &s, Outcome::Pass);
    }

    #[test]
    fn missing_files_are_not_applicable_and_unreadable_ones_error() {
        let mut s = hardened();
        expect("3.21", &s, Outcome::NotApplicable);
        set(
            &mut s,
            "/etc/docker",
            FileFact::Error {
                reason: "permission denied".into(),
            },
        );
        expect("3.5", &s, Outcome::Error);
        settings_mut(&mut s).remove("tlsverify");
        for k in ["tlscacert", "tlscert", "tlskey"] {
            settings_mut(&mut s).remove(k);
        }
        expect("3.9", &s, Outcome::NotApplicable);
    }

    #[test]
    fn config_file_and_socket_paths_follow_the_daemon() {
        let mut s = hardened();
        s.daemon.config_file = "/srv/docker/daemon.json".into();
        set(&mut s, "/srv/docker/daemon.json", stat("file", 0, 0, 0o666));
        expect("3.18", &s, Outcome::Fail);
        let mut s = hardened();
        settings_mut(&mut s).insert("hosts".into(), json!(["unix:///srv/d.sock"]));
        set(&mut s, "/srv/d.sock", stat("socket", 0, 0, 0o666));
        let f = expect("3.16", &s, Outcome::Fail);
        assert!(f.offenders().any(|e| e.target.label() == "/srv/d.sock"));
    }

    #[test]
    fn registry_keys_need_0400_and_other_cert_names_count() {
        let mut s = hardened();
        set(
            &mut s,
            "/etc/docker/certs.d/reg:5000/client.key",
            stat("file", 0, 0, 0o444),
        );
        expect("3.8", &s, Outcome::Fail);
        set(
            &mut s,
            "/etc/docker/certs.d/reg:5000/client.key",
            stat("file", 0, 0, 0o400),
        );
        expect("3.8", &s, Outcome::Pass);
        set(
            &mut s,
            "/etc/docker/certs.d/reg:5000/client.cert",
            stat("file", 0, 1000, 0o444),
        );
        expect("3.7", &s, Outcome::Fail);
    }
}
