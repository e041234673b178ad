//! Host devices. Most devices given to a container are a hardening gap (CIS
//! Docker 5.18); raw physical memory and raw block devices are a direct path
//! to host takeover, since they let the container read and write the host's
//! memory or filesystems underneath every permission check.

/// Exact device nodes that expose the host's memory or I/O ports.
const MEMORY: &[&str] = &["/dev/mem", "/dev/kmem", "/dev/port"];

/// Prefixes of raw block devices: SCSI/SATA, IDE, virtio, Xen, NVMe, MMC,
/// device-mapper, loop devices, and the `/dev/disk/by-*` links.
const BLOCK_PREFIXES: &[&str] = &[
    "/dev/sd",
    "/dev/hd",
    "/dev/vd",
    "/dev/xvd",
    "/dev/nvme",
    "/dev/mmcblk",
    "/dev/dm-",
    "/dev/mapper/",
    "/dev/loop",
    "/dev/disk/",
];

/// Why a host device is a direct path to takeover, if it is. `spec` may be a
/// compose `devices` item (`/dev/sda:/dev/xvda:rwm`).
pub fn takeover(spec: &str) -> Option<&'static str> {
    let host = spec.split(':').next().unwrap_or("").trim();
    if MEMORY.contains(&host) {
        return Some("raw access to the host's memory");
    }
    if host == "/dev/loop-control" {
        return None;
    }
    if BLOCK_PREFIXES.iter().any(|p| host.starts_with(p)) {
        return Some("raw access to a host disk, beneath every file permission");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::takeover;

    #[test]
    fn memory_and_disks_but_not_ordinary_devices() {
        assert!(takeover("/dev/mem").is_some());
        assert!(takeover("/dev/sda:/dev/xvda:rwm").is_some());
        assert!(takeover("/dev/nvme0n1").is_some());
        assert!(takeover("/dev/mapper/vg-root").is_some());
        assert!(takeover("/dev/fuse").is_none());
        assert!(takeover("/dev/snd:/dev/snd").is_none());
        assert!(takeover("/dev/dri/renderD128").is_none());
        assert!(takeover("/dev/ttyUSB0").is_none());
    }
}
