//! Container runtime sockets (CIS Docker 5.32): whoever reaches one controls
//! every container and, through them, the host.

/// Well-known runtime API sockets (Docker, containerd, CRI-O, cri-dockerd,
/// Podman), written under `/run`.
pub const KNOWN: &[&str] = &[
    "/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/run/crio/crio.sock",
    "/run/cri-dockerd.sock",
    "/run/podman/podman.sock",
];

/// Runtimes whose name in a `*.sock` path marks it as a runtime socket.
const RUNTIMES: &[&str] = &["docker", "containerd", "crio", "podman"];

/// A path as the host resolves it for socket purposes: `/var/run` is a link
/// to `/run` on every current distribution, and trailing slashes do not
/// matter.
pub fn normalize(path: &str) -> String {
    let p = path.trim();
    let p = if p.len() > 1 {
        p.trim_end_matches('/')
    } else {
        p
    };
    if p == "/var/run" {
        return "/run".to_string();
    }
    match p.strip_prefix("/var/run/") {
        Some(rest) => format!("/run/{rest}"),
        None => p.to_string(),
    }
}

/// How a mounted path exposes a runtime socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// The path is the socket itself.
    Socket,
    /// The path is a directory that holds a socket (`/run`, `/var/run`,
    /// `/run/containerd`…) or the host's root.
    Directory,
}

/// Whether mounting `path` (a host path) exposes a runtime socket.
/// `extra` names sockets known on this host (the daemon's `-H unix://…`,
/// containerd's configured address), in any spelling.
pub fn exposure(path: &str, extra: &[String]) -> Option<Exposure> {
    let p = normalize(path);
    let is_socket = |s: &str| KNOWN.contains(&s) || extra.iter().any(|e| normalize(e) == s);
    if is_socket(&p) || (p.ends_with(".sock") && RUNTIMES.iter().any(|r| p.contains(r))) {
        return Some(Exposure::Socket);
    }
    if p == "/" {
        return Some(Exposure::Directory);
    }
    // Any directory above a socket exposes it (`/run` holds
    // `/run/containerd/containerd.sock` as much as `/run/containerd` does).
    let holds = |s: &str| {
        s.strip_prefix(p.as_str())
            .is_some_and(|rest| rest.starts_with('/'))
    };
    if KNOWN.iter().copied().any(holds) || extra.iter().any(|e| holds(&normalize(e))) {
        return Some(Exposure::Directory);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockets_and_the_directories_that_hold_them() {
        for p in [
            "/var/run/docker.sock",
            "/run/docker.sock/",
            "/var/run/containerd/containerd.sock",
            "/run/crio/crio.sock",
            "/var/run/podman/podman.sock",
            "/srv/docker.sock",
        ] {
            assert_eq!(exposure(p, &[]), Some(Exposure::Socket), "{p}");
        }
        for p in ["/", "/run", "/var/run", "/var/run/", "/run/containerd"] {
            assert_eq!(exposure(p, &[]), Some(Exposure::Directory), "{p}");
        }
        for p in ["/srv/data", "/run/user", "/var", "/data.sock", "/runx"] {
            assert_eq!(exposure(p, &[]), None, "{p}");
        }
        let extra = ["/srv/engine/api.sock".to_string()];
        assert_eq!(
            exposure("/srv/engine/api.sock", &extra),
            Some(Exposure::Socket)
        );
        assert_eq!(exposure("/srv/engine", &extra), Some(Exposure::Directory));
    }
}
