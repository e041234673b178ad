//! Linux capabilities (CIS Docker 5.4, CIS Kubernetes 5.2.8/5.2.9, PSS
//! "Capabilities"): Docker's default set, the set that is close to root, and
//! how a name is written.

/// The capabilities Docker (and containerd's default spec) grants a container
/// that neither adds nor drops any.
pub const DOCKER_DEFAULT: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Capabilities that on their own are close to root on the host (or, for
/// NET_RAW, allow packet spoofing on the node's network).
pub const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "DAC_READ_SEARCH",
    "SYS_RAWIO",
    "BPF",
    "PERFMON",
    "SYS_BOOT",
    "NET_RAW",
];

/// The one capability every profile allows a container to add back: binding
/// ports below 1024 (the PSS restricted profile allows only this one).
pub const ALWAYS_ALLOWED: &str = "NET_BIND_SERVICE";

/// A capability name as the kernel documents it: upper case, without the
/// `CAP_` prefix (`cap_net_raw`, `CAP_NET_RAW` and `net_raw` are one name).
pub fn normalize(name: &str) -> String {
    let up = name.trim().to_ascii_uppercase();
    match up.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => up,
    }
}

/// Whether `name` is one of [`DANGEROUS`].
pub fn is_dangerous(name: &str) -> bool {
    DANGEROUS.contains(&normalize(name).as_str())
}

/// Whether adding `name` to a container is a finding under CIS Docker 5.4:
/// every added capability is, except [`ALWAYS_ALLOWED`]. A capability added
/// back after `drop: ALL` is still a privilege the workload asks for (and
/// NET_RAW, a default one, is the reason to drop ALL at all), so only the
/// one the restricted profile allows passes.
pub fn added_is_finding(name: &str) -> bool {
    normalize(name) != ALWAYS_ALLOWED
}

/// Whether a drop list removes ALL capabilities.
pub fn drops_all<'a>(dropped: impl IntoIterator<Item = &'a str>) -> bool {
    dropped.into_iter().any(|d| normalize(d) == "ALL")
}

/// Whether a drop list removes NET_RAW (directly or through ALL), the
/// default capability that matters most.
pub fn drops_net_raw<'a>(dropped: impl IntoIterator<Item = &'a str>) -> bool {
    dropped
        .into_iter()
        .map(normalize)
        .any(|d| d == "ALL" || d == "NET_RAW")
}

/// Capabilities whose addition is a direct path to host takeover (critical
/// by the severity policy): everything, system administration and kernel
/// module loading.
pub const TAKEOVER: &[&str] = &["ALL", "SYS_ADMIN", "SYS_MODULE"];

/// Whether adding `name` is a direct path to host takeover.
pub fn is_takeover(name: &str) -> bool {
    TAKEOVER.contains(&normalize(name).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_in_any_case() {
        for n in [
            "cap_sys_admin",
            "CAP_SYS_ADMIN",
            "Cap_Sys_Admin",
            " sys_admin ",
        ] {
            assert_eq!(normalize(n), "SYS_ADMIN", "{n}");
            assert!(is_dangerous(n), "{n}");
        }
        assert!(!is_dangerous("CHOWN"));
    }

    #[test]
    fn only_net_bind_service_may_be_added() {
        assert!(!added_is_finding("cap_net_bind_service"));
        assert!(added_is_finding("NET_ADMIN"));
        assert!(added_is_finding("CHOWN"));
        assert!(added_is_finding("net_raw"));
    }

    #[test]
    fn drop_lists() {
        assert!(drops_all(["all"]));
        assert!(!drops_all(["NET_RAW"]));
        assert!(drops_net_raw(["cap_net_raw"]));
        assert!(drops_net_raw(["ALL"]));
        assert!(!drops_net_raw(["CHOWN"]));
        assert!(DANGEROUS
            .iter()
            .all(|c| *c == "ALL" || *c == "NET_RAW" || !DOCKER_DEFAULT.contains(c)));
    }
}
