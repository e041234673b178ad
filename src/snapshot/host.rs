//! Facts read from the host filesystem and `/proc`.

use super::Probe;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Host-level facts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HostFacts {
    pub hostname: String,
    /// `PRETTY_NAME` from os-release, when present.
    #[serde(default)]
    pub os: String,
    /// Mount table from mountinfo.
    pub mounts: Probe<Vec<MountPoint>>,
    /// Owner, group and mode of every file the checks look at, keyed by the
    /// path on the audited host (not prefixed with `--root`).
    pub files: BTreeMap<String, FileFact>,
    /// systemd units for docker and containerd, each with its drop-ins.
    pub units: Probe<Vec<SystemdUnit>>,
    pub audit: AuditFacts,
    /// Members of the `docker` group (explicit members and users whose
    /// primary group it is), or why they could not be read.
    pub docker_group: Probe<Option<GroupMembers>>,
    /// Every place the host sets `DOCKER_CONTENT_TRUST` for its users.
    pub content_trust: Vec<EnvSetting>,
    /// `DOCKER_CONTENT_TRUST` in shipshape's own environment (informational).
    #[serde(default)]
    pub scanner_content_trust: Option<String>,
    /// Listening TCP sockets from `/proc/net/tcp{,6}`.
    pub listeners: Probe<Vec<Listener>>,
    /// Well-known binaries, resolved on the audited host's usual bin dirs:
    /// name -> absolute path, or absent when not installed.
    pub binaries: BTreeMap<String, Option<String>>,
    /// The containerd socket in use, when one exists.
    #[serde(default)]
    pub containerd_socket: Option<String>,
    /// Binaries found through a symbolic link: path -> the file it
    /// resolves to on the host (an audit rule on either covers it).
    #[serde(default)]
    pub binary_targets: BTreeMap<String, String>,
    /// The config file the running containerd uses (`--config` on its
    /// command line), when a containerd process is visible.
    #[serde(default)]
    pub containerd_config: Option<String>,
    /// Whether systemd manages this host and started dockerd; `None` in
    /// snapshots that predate it.
    #[serde(default)]
    pub init: Option<InitFacts>,
}

/// How the host's services are started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitFacts {
    /// `/run/systemd/system` exists: systemd is the running init.
    pub systemd_running: bool,
    /// dockerd runs in the `docker.service` cgroup; `None` when no dockerd
    /// process is visible.
    pub dockerd_from_unit: Option<bool>,
    /// What that was read from, for the evidence.
    pub source: String,
}

impl InitFacts {
    /// The reason systemd unit files are not in effect, if they are not.
    pub fn units_not_in_effect(&self) -> Option<String> {
        if self.systemd_running || self.dockerd_from_unit == Some(true) {
            return None;
        }
        Some(format!(
            "systemd is not running on this host and dockerd was not started by it ({}), so unit files are not in effect",
            self.source
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountPoint {
    pub mount_point: String,
    /// `major:minor` of the filesystem's device.
    #[serde(default)]
    pub device: String,
    pub fs_type: String,
    pub source: String,
    pub options: String,
}

/// One stat'ed path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum FileFact {
    /// The path does not exist.
    Missing,
    Present(FileStat),
    /// It exists (or may) but could not be stat'ed.
    Error {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStat {
    /// `file`, `dir`, `socket`, `symlink` or `other`.
    pub kind: String,
    pub uid: u32,
    pub gid: u32,
    /// Names resolved from the audited root's `/etc/passwd` and `/etc/group`.
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    /// Permission bits including setuid, setgid and sticky (`mode & 0o7777`).
    pub mode: u32,
}

impl FileStat {
    pub fn mode_octal(&self) -> String {
        format!("{:04o}", self.mode)
    }

    pub fn owner_label(&self) -> String {
        let u = self.user.clone().unwrap_or_else(|| self.uid.to_string());
        let g = self.group.clone().unwrap_or_else(|| self.gid.to_string());
        format!("{u}:{g} ({}:{})", self.uid, self.gid)
    }
}

/// A systemd unit with the files that define it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemdUnit {
    /// `docker.service`, `docker.socket`, `containerd.service`.
    pub name: String,
    /// The unit file that wins on the search path, if any.
    pub fragment: Option<String>,
    /// Drop-in `.conf` files, in the order systemd applies them.
    pub drop_ins: Vec<String>,
    /// Effective `ExecStart=` after drop-ins (empty assignments reset).
    #[serde(default)]
    pub exec_start: Vec<String>,
    /// Effective `ListenStream=` (sockets).
    #[serde(default)]
    pub listen_stream: Vec<String>,
    /// Errors reading any of the files.
    #[serde(default)]
    pub errors: Vec<String>,
}

/// Audit rules, as loaded in the kernel and as written on disk.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuditFacts {
    /// `auditctl -l`: `None` when auditctl is not installed.
    pub loaded: Option<Probe<Vec<AuditRule>>>,
    /// `/etc/audit/audit.rules` and `/etc/audit/rules.d/*.rules`.
    pub files: Vec<AuditRuleFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRuleFile {
    pub path: String,
    pub rules: Probe<Vec<AuditRule>>,
}

/// One audit rule, reduced to what it watches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRule {
    /// `watch` for `-w PATH`, `syscall` for `-a ... -F path=`/`dir=`.
    pub kind: String,
    /// The watched path (`-w`, `-F path=`), or directory (`-F dir=`).
    pub path: String,
    /// True for `-F dir=` and for `-w` on a directory-style rule: the rule
    /// covers everything below the path.
    pub recursive: bool,
    /// `-p` permissions, e.g. `wa`.
    #[serde(default)]
    pub perms: String,
    #[serde(default)]
    pub key: String,
    /// The rule as written, and its line number (1-based) in a file.
    pub text: String,
    #[serde(default)]
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMembers {
    pub gid: u32,
    pub members: Vec<String>,
}

/// An environment assignment found in a host file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvSetting {
    pub file: String,
    pub line: usize,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listener {
    /// `tcp` or `tcp6`.
    pub proto: String,
    pub address: String,
    pub port: u16,
}

/// The Docker daemon as the host runs it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DaemonFacts {
    /// The socket shipshape talks to (from `DOCKER_HOST`, default
    /// `/var/run/docker.sock`).
    pub socket: String,
    /// The dockerd process that owns the socket; `Ok(None)` when no dockerd
    /// runs on this host.
    pub process: Probe<Option<DaemonProcess>>,
    /// Flags parsed from the process's argv (or from the unit's `ExecStart`
    /// when the daemon does not run).
    pub flags: Vec<DaemonFlag>,
    /// Where the flags came from: `/proc/<pid>/cmdline` or a unit file.
    #[serde(default)]
    pub flags_source: String,
    /// The daemon.json path in effect (`--config-file`, else the default).
    pub config_file: String,
    pub config: DaemonConfigFile,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonProcess {
    pub pid: u32,
    pub exe: String,
    pub argv: Vec<String>,
    /// Real uid of the process.
    pub uid: u32,
    /// How the process was identified (socket owner, pid file, …).
    pub found_by: String,
}

/// One `--flag[=value]` (or `-H value`) from the daemon's command line, with
/// short options expanded to their long names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonFlag {
    pub name: String,
    pub value: Option<String>,
}

/// daemon.json, as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DaemonConfigFile {
    Missing,
    Parsed {
        settings: BTreeMap<String, serde_json::Value>,
    },
    /// Not valid JSON (or not an object): the position of the first error.
    Invalid {
        line: usize,
        column: usize,
        message: String,
    },
    Unreadable {
        reason: String,
    },
}
