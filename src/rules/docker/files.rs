//! 3.x: ownership and permissions of the daemon's files. Modes are compared
//! as bit masks (`mode & !allowed == 0`), so `0077` cannot pass "644 or
//! stricter" and a setgid directory is not failed for its special bit.
//! Paths follow the daemon's real configuration: the unit files systemd
//! actually loads (with drop-ins), the sockets in `-H`/`hosts`, the
//! daemon.json named by `--config-file`, and the TLS files it configures.

use super::*;
use crate::findings::Severity;
use crate::rules::meta::Ref;
use crate::rules::Scope;

/// The daemon's TLS files, as `tlscacert`, `tlscert` and `tlskey` name them.
#[derive(Clone, Copy)]
enum TlsFile {
    Ca,
    Cert,
    Key,
}

impl TlsFile {
    /// Its index in the array `DaemonFacts::tls_paths` returns.
    fn index(self) -> usize {
        match self {
            TlsFile::Ca => 0,
            TlsFile::Cert => 1,
            TlsFile::Key => 2,
        }
    }
}

#[derive(Clone, Copy)]
enum Files {
    Unit(&'static str),
    Path(&'static str),
    CertsD,
    /// One of the daemon's TLS files.
    Tls(TlsFile),
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

/// The CWE entries a file check cites: wrong permission bits are CWE-732;
/// a wrong owner is also improper ownership management (CWE-282).
const fn refs_for(w: Want) -> &'static [Ref] {
    const MODE: &[Ref] = &[cwe("732")];
    const OWNER: &[Ref] = &[cwe("732"), cwe("282")];
    match w {
        Want::Mode(_) => MODE,
        Want::RootRoot | Want::RootDocker => OWNER,
    }
}

/// The fix a file check's expectation implies.
const fn fix_for(w: Want) -> Fix {
    match w {
        Want::RootRoot => Fix::FileOwner { owner: "root:root" },
        Want::RootDocker => Fix::FileOwner {
            owner: "root:docker",
        },
        Want::Mode(max) => Fix::FileMode { max },
    }
}

macro_rules! file_checks {
    ($( $id:literal, $fn:ident, $files:expr, $want:expr, $sev:ident, $title:literal, $rem:literal, $why:literal ;)*) => {
        pub(super) static CHECKS: &[Check] = &[
            $( Check {
        meta: RuleMeta::cis_docker($id, $title, Severity::$sev, &[T, E], $rem)
            .rationale($why)
            .refs(refs_for($want))
            .fix(fix_for($want)),
        automated: true,
        scope: Scope::Host,
        eval: $fn,
    }, )*
        ];
        $( fn $fn(cx: &Context) -> Verdict { judge(cx, $files, $want) } )*
    };
}

file_checks! {
    "3.1", c_3_1, Files::Unit("docker.service"), Want::RootRoot, Medium, "docker.service unit files are owned by root:root", "chown root:root on the docker.service unit file and each of its drop-ins.",
        "The docker.service unit and its drop-ins decide the daemon's binary, flags and \
        environment, and systemd runs them as root. If a non-root account owns one of these \
        files it can rewrite the daemon's start command, for example to add an unauthenticated \
        TCP listener, and gain root at the next restart. Root ownership keeps that power with \
        root.";
    "3.2", c_3_2, Files::Unit("docker.service"), Want::Mode(0o644), Medium, "docker.service unit files are mode 644 or stricter", "chmod 644 on the docker.service unit file and each of its drop-ins.",
        "A docker.service unit or drop-in that group or other users can write lets any of them \
        change how the root daemon starts, which is a direct path to root at the next restart. \
        Mode 644 or stricter leaves the files readable for tools but writable only by their \
        root owner.";
    "3.3", c_3_3, Files::Unit("docker.socket"), Want::RootRoot, Medium, "docker.socket unit files are owned by root:root", "chown root:root on the docker.socket unit file and its drop-ins.",
        "The docker.socket unit sets the path, owner and mode of the API socket systemd \
        creates. A non-root owner of the unit or a drop-in could make the socket \
        world-accessible or move it, handing every local user root-equivalent API access. Root \
        ownership keeps the socket's permissions under root's control.";
    "3.4", c_3_4, Files::Unit("docker.socket"), Want::Mode(0o644), Medium, "docker.socket unit files are mode 644 or stricter", "chmod 644 on the docker.socket unit file and its drop-ins.",
        "If group or other users can write the docker.socket unit or a drop-in, they can loosen \
        the API socket's owner and mode, and at the next start anyone on the host can drive \
        the daemon. Mode 644 or stricter means only the root owner can change how the socket \
        is created.";
    "3.5", c_3_5, Files::Path("/etc/docker"), Want::RootRoot, High, "/etc/docker is owned by root:root", "chown root:root /etc/docker",
        "/etc/docker holds daemon.json, TLS material and per-registry certificates. A non-root \
        owner of the directory can add, replace or delete any of those files, for example \
        trusting a rogue registry CA or weakening the daemon configuration, without having \
        root. Root ownership prevents that.";
    "3.6", c_3_6, Files::Path("/etc/docker"), Want::Mode(0o755), High, "/etc/docker is mode 755 or stricter", "chmod 755 /etc/docker (no group or other write).",
        "If /etc/docker is writable by group or others, any of those users can create or \
        replace files in it, including daemon.json and certificate files, even when the files \
        themselves are locked down. Mode 755 or stricter makes the directory's contents \
        changeable only by root.";
    "3.7", c_3_7, Files::CertsD, Want::RootRoot, Medium, "Registry certificates are owned by root:root", "chown -R root:root /etc/docker/certs.d",
        "Files under /etc/docker/certs.d decide which registry servers the daemon trusts and \
        which client certificates it presents. A non-root owner can swap in a CA of their own \
        and intercept or forge image pulls from that registry. Root ownership keeps registry \
        trust decisions with root.";
    "3.8", c_3_8, Files::CertsD, Want::Mode(0o444), Medium, "Registry certificates are mode 444 or stricter (keys 400)", "chmod 444 on certificates and 400 on keys under /etc/docker/certs.d.",
        "Registry CA certificates that others can write can be replaced with an attacker's CA, \
        making the daemon trust a forged registry; client keys that others can read let them \
        impersonate this host to the registry. Read-only certificates (444) and owner-only \
        keys (400) block both.";
    "3.9", c_3_9, Files::Tls(TlsFile::Ca), Want::RootRoot, High, "The daemon's TLS CA certificate is owned by root:root", "chown root:root on the file named by tlscacert.",
        "The CA certificate named by tlscacert decides which client certificates the daemon \
        accepts on its TCP listener. A non-root owner could replace it with their own CA and \
        then issue themselves a client certificate, gaining full API access. Root ownership \
        keeps the trust anchor out of their reach.";
    "3.10", c_3_10, Files::Tls(TlsFile::Ca), Want::Mode(0o444), High, "The daemon's TLS CA certificate is mode 444 or stricter", "chmod 444 on the file named by tlscacert.",
        "If the daemon's CA certificate is writable by anyone but its owner, they can \
        substitute their own CA and mint client certificates the daemon will accept, which \
        amounts to remote root. Mode 444 or stricter keeps the file readable but unchangeable.";
    "3.11", c_3_11, Files::Tls(TlsFile::Cert), Want::RootRoot, High, "The daemon's TLS certificate is owned by root:root", "chown root:root on the file named by tlscert.",
        "The server certificate named by tlscert is what clients use to recognise the real \
        daemon. A non-root owner could swap it, together with a key they control, and \
        impersonate the daemon to clients that send it credentials and workloads. Root \
        ownership protects the daemon's identity.";
    "3.12", c_3_12, Files::Tls(TlsFile::Cert), Want::Mode(0o444), High, "The daemon's TLS certificate is mode 444 or stricter", "chmod 444 on the file named by tlscert.",
        "A server certificate that group or other users can write can be replaced, letting them \
        present a different identity to clients or break TLS for the API altogether. Mode 444 \
        or stricter keeps the certificate readable for verification but immutable for everyone \
        except root.";
    "3.13", c_3_13, Files::Tls(TlsFile::Key), Want::RootRoot, Critical, "The daemon's TLS key is owned by root:root", "chown root:root on the file named by tlskey.",
        "The private key named by tlskey proves the daemon's identity to clients. A non-root \
        owner can read or replace it, impersonate the daemon and decrypt or tamper with API \
        traffic, including the credentials and workloads it carries. Root ownership keeps the \
        key with root.";
    "3.14", c_3_14, Files::Tls(TlsFile::Key), Want::Mode(0o400), Critical, "The daemon's TLS key is mode 400 or stricter", "chmod 400 on the file named by tlskey.",
        "If the daemon's TLS private key is readable by anyone besides its owner, any local \
        user can copy it and impersonate the daemon or read its traffic. Mode 400 makes the \
        key readable by its root owner only, which is all dockerd needs.";
    "3.15", c_3_15, Files::DockerSockets, Want::RootDocker, Critical, "The Docker socket is owned by root and group docker (or root)", "chown root:docker on the daemon's socket (systemd: SocketUser=root, SocketGroup=docker in docker.socket).",
        "The Docker API socket gives full control of the daemon, which is root-equivalent. If \
        some other user or group owns it, that account, and everyone in its group, can run \
        privileged containers and take over the host. Owner root and group docker (or root) \
        limit access to root and the members deliberately placed in the docker group.";
    "3.16", c_3_16, Files::DockerSockets, Want::Mode(0o660), Critical, "The Docker socket is mode 660 or stricter", "chmod 660 on the daemon's socket (systemd: SocketMode=0660 in docker.socket).",
        "With the Docker socket open to other users (mode 666 and the like), every local \
        account, including service users and a compromised web process, can drive the daemon \
        and become root. Mode 660 or stricter restricts the socket to its owner and group.";
    "3.17", c_3_17, Files::DaemonJson, Want::RootRoot, High, "daemon.json is owned by root:root", "chown root:root on the daemon.json in effect.",
        "daemon.json controls the daemon's security settings, from user namespaces and TLS to \
        logging and registries. A non-root owner of the file can change any of them and have \
        the root daemon apply the result at the next restart or reload. Root ownership keeps \
        those decisions with root.";
    "3.18", c_3_18, Files::DaemonJson, Want::Mode(0o644), High, "daemon.json is mode 644 or stricter", "chmod 644 on the daemon.json in effect.",
        "A daemon.json that group or other users can write lets them weaken the daemon, for \
        example by adding an insecure registry or switching off no-new-privileges, which takes \
        effect at the next restart or reload. Mode 644 or stricter leaves it writable by root \
        only.";
    "3.19", c_3_19, Files::Path("/etc/default/docker"), Want::RootRoot, Medium, "/etc/default/docker is owned by root:root", "chown root:root /etc/default/docker",
        "/etc/default/docker feeds options and environment to dockerd on Debian-style systems. \
        A non-root owner could add flags that open an unauthenticated listener or change the \
        daemon's data paths, and root would apply them at the next start. Root ownership \
        prevents that.";
    "3.20", c_3_20, Files::Path("/etc/default/docker"), Want::Mode(0o644), Medium, "/etc/default/docker is mode 644 or stricter", "chmod 644 /etc/default/docker",
        "If group or other users can write /etc/default/docker, any of them can inject dockerd \
        flags or environment variables and have root run the daemon with them at the next \
        start. Mode 644 or stricter keeps the file writable by its root owner only.";
    "3.21", c_3_21, Files::Path("/etc/sysconfig/docker"), Want::Mode(0o644), Medium, "/etc/sysconfig/docker is mode 644 or stricter", "chmod 644 /etc/sysconfig/docker",
        "If group or other users can write /etc/sysconfig/docker, they can add daemon flags or \
        environment that root applies at the next start on Red Hat-style systems, such as an \
        open TCP listener or an insecure registry. Mode 644 or stricter restricts changes to \
        root.";
    "3.22", c_3_22, Files::Path("/etc/sysconfig/docker"), Want::RootRoot, Medium, "/etc/sysconfig/docker is owned by root:root", "chown root:root /etc/sysconfig/docker",
        "/etc/sysconfig/docker supplies dockerd's options on Red Hat-style systems. A non-root \
        owner can change those options and have the root daemon pick them up at the next \
        start, gaining control over how it runs. Root ownership keeps the file under root's \
        control.";
    "3.23", c_3_23, Files::ContainerdSocket, Want::RootRoot, Critical, "The containerd socket is owned by root:root", "chown root:root on the containerd socket.",
        "containerd's socket accepts unauthenticated requests to create and control containers, \
        below Docker's API and any authorization plugin. If another account owns it, that \
        account gets root-equivalent control of every container and the host. Owner and group \
        root keep it to root.";
    "3.24", c_3_24, Files::ContainerdSocket, Want::Mode(0o660), Critical, "The containerd socket is mode 660 or stricter", "chmod 660 on the containerd socket.",
        "With the containerd socket open to group or other users, any of them can start \
        containers with host mounts through containerd directly, bypassing Docker's checks, \
        and become root. Mode 660 or stricter limits the socket to its owner and group, both \
        root.";
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
        Files::Tls(which) => match snap.daemon.tls_paths() {
            Err(e) => return Err(Verdict::error(e.0)),
            Ok(None) => {
                return Err(Verdict::not_applicable(
                    "the daemon is not configured for TLS",
                ))
            }
            Ok(Some(p)) => vec![p[which.index()].clone()],
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
