//! Kernel parameters a container may set without affecting the host or
//! other workloads: the Kubernetes "safe" set, which Pod Security baseline
//! allows and which is namespaced in the kernel.

pub const SAFE: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

/// Whether setting `name` is harmless (`/` separators count as `.`).
pub fn is_safe(name: &str) -> bool {
    let n = name.trim().replace('/', ".");
    SAFE.contains(&n.as_str())
}
