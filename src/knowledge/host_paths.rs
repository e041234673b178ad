//! Sensitive host paths (CIS Docker 5.6, CIS Kubernetes 5.2.11, PSS
//! "HostPath Volumes"): host directories whose exposure inside a container
//! undermines the host. One list serves the audit, compose and Kubernetes.

use super::sockets;

/// Host directories (and everything below them) that must not be mounted,
/// with the reason a finding gives.
pub const SENSITIVE: &[(&str, &str)] = &[
    ("/boot", "the host's boot files"),
    ("/dev", "host devices (/dev)"),
    ("/etc", "host configuration (/etc)"),
    ("/lib", "host libraries (/lib)"),
    ("/lib64", "host libraries (/lib64)"),
    ("/proc", "the host's /proc"),
    ("/sys", "the host's /sys"),
    ("/usr", "host binaries (/usr)"),
    ("/bin", "host binaries (/bin)"),
    ("/sbin", "host binaries (/sbin)"),
    ("/root", "root's home directory"),
    ("/run", "host runtime state (/run)"),
    ("/var/run", "host runtime state (/var/run)"),
    ("/var/lib/docker", "Docker's data directory"),
    ("/var/lib/containerd", "containerd's data directory"),
    ("/var/lib/kubelet", "kubelet state and credentials"),
    ("/var/log", "host logs"),
];

/// A mount of a sensitive host path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sensitive {
    /// The listed directory the path is (or lies under); `/` for the root.
    pub base: &'static str,
    /// Why it matters, for the finding's message.
    pub why: &'static str,
}

/// How a host path is mounted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    Writable,
}

impl Access {
    pub fn from_read_only(read_only: bool) -> Access {
        if read_only {
            Access::ReadOnly
        } else {
            Access::Writable
        }
    }

    /// CIS 5.6: a writable mount of a sensitive path fails; a read-only one
    /// still discloses the host and is left for review.
    pub fn is_failure(self) -> bool {
        self == Access::Writable
    }

    pub fn label(self) -> &'static str {
        match self {
            Access::ReadOnly => "ro",
            Access::Writable => "rw",
        }
    }
}

/// Why a host path is sensitive to mount into a container, if it is.
/// A runtime socket itself is left to CIS 5.32 ([`sockets::exposure`]); the
/// directories that hold one (`/run`, `/var/run`) are sensitive here too.
pub fn sensitive(path: &str) -> Option<Sensitive> {
    let p = path.trim();
    let p = if p.len() > 1 {
        p.trim_end_matches('/')
    } else {
        p
    };
    if p == "/" || p.is_empty() {
        return Some(Sensitive {
            base: "/",
            why: "the host's root filesystem",
        });
    }
    if sockets::exposure(p, &[]) == Some(sockets::Exposure::Socket) {
        return None;
    }
    if p.contains("/.ssh") || p == "/etc/ssh" || p.starts_with("/etc/ssh/") {
        return Some(Sensitive {
            base: if p.starts_with("/etc/") {
                "/etc"
            } else {
                "~/.ssh"
            },
            why: "SSH keys or configuration",
        });
    }
    let under = |base: &str| {
        p.strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    SENSITIVE
        .iter()
        .find(|(base, _)| under(base))
        .map(|&(base, why)| Sensitive { base, why })
}

/// Directories whose writable mount is a direct path to host takeover
/// (critical by the severity policy): the root filesystem, `/etc`, `/proc`
/// and `/root`. Other sensitive directories, and these read-only, are
/// serious but not immediate.
pub const TAKEOVER_IF_WRITABLE: &[&str] = &["/", "/etc", "/proc", "/root"];

/// Whether a writable mount of `path` is a direct path to host takeover.
pub fn takeover_if_writable(path: &str) -> bool {
    sensitive(path).is_some_and(|s| TAKEOVER_IF_WRITABLE.contains(&s.base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_covers_cis_5_6_and_more() {
        for p in [
            "/",
            "/boot",
            "/dev",
            "/etc/",
            "/etc/shadow",
            "/lib",
            "/proc",
            "/sys",
            "/usr",
            "/root",
            "/var/lib/docker",
            "/run",
            "/var/run",
            "/home/u/.ssh",
            "~/.ssh",
        ] {
            assert!(sensitive(p).is_some(), "{p}");
        }
        for p in [
            "/data/app",
            "/etcd-data",
            "/srv",
            "/var/lib/app",
            "/home/u/code",
        ] {
            assert!(sensitive(p).is_none(), "{p}");
        }
        // The socket itself is 5.32's business.
        assert!(sensitive("/var/run/docker.sock").is_none());
        assert_eq!(
            sensitive("/etc/ssh").unwrap().why,
            "SSH keys or configuration"
        );
    }

    #[test]
    fn writable_fails_read_only_is_reviewed() {
        assert!(Access::from_read_only(false).is_failure());
        assert!(!Access::from_read_only(true).is_failure());
        assert_eq!(Access::ReadOnly.label(), "ro");
    }
}
