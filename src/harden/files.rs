//! File I/O for `harden`: host paths under `--root`, the state of a file
//! (bytes, mode, owner, sha256), and atomic writes that keep mode and owner.

use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The real path of host path `p` when the host is mounted at `root`.
pub fn real_path(root: &Path, p: &str) -> PathBuf {
    if root == Path::new("/") {
        PathBuf::from(p)
    } else {
        root.join(p.trim_start_matches('/'))
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a file looked like before shipshape touched it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileState {
    pub exists: bool,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// sha256 of the content (regular files only; empty otherwise).
    #[serde(default)]
    pub sha256: String,
    pub size: u64,
}

/// Stat (and hash, for regular files) a path, without following a final
/// symlink's target for the mode of the link itself: modes apply to targets.
pub fn state(real: &Path) -> io::Result<(FileState, Option<Vec<u8>>)> {
    match fs::metadata(real) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok((
            FileState {
                exists: false,
                mode: 0,
                uid: 0,
                gid: 0,
                sha256: String::new(),
                size: 0,
            },
            None,
        )),
        Err(e) => Err(e),
        Ok(m) => {
            let bytes = if m.is_file() {
                Some(fs::read(real)?)
            } else {
                None
            };
            Ok((
                FileState {
                    exists: true,
                    mode: m.mode() & 0o7777,
                    uid: m.uid(),
                    gid: m.gid(),
                    sha256: bytes.as_deref().map(sha256_hex).unwrap_or_default(),
                    size: m.len(),
                },
                bytes,
            ))
        }
    }
}

/// Write `bytes` to `real` atomically: a temporary file in the same
/// directory, fsync, the old file's mode and owner (or `mode`/0:0 for a new
/// file), rename over the target, fsync the directory.
pub fn atomic_write(real: &Path, bytes: &[u8], new_mode: u32) -> io::Result<()> {
    let dir = real
        .parent()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no directory"))?;
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let (mode, owner) = match fs::metadata(real) {
        Ok(m) => (m.mode() & 0o7777, Some((m.uid(), m.gid()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => (new_mode, None),
        Err(e) => return Err(e),
    };
    let tmp = dir.join(format!(".{name}.shipshape-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::fchown(&f, Some(uid), Some(gid))?;
        }
        f.set_permissions(fs::Permissions::from_mode(mode))?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, real)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Restore exact bytes, mode and owner.
pub fn restore(real: &Path, bytes: &[u8], st: &FileState) -> io::Result<()> {
    atomic_write(real, bytes, st.mode)?;
    std::os::unix::fs::chown(real, Some(st.uid), Some(st.gid))?;
    fs::set_permissions(real, fs::Permissions::from_mode(st.mode))
}

/// Remove a file shipshape created, and sync its directory.
pub fn remove(real: &Path) -> io::Result<()> {
    match fs::remove_file(real) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    if let Some(d) = real.parent() {
        File::open(d)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_keeps_mode_and_leaves_no_temp_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("daemon.json");
        fs::write(&p, b"{}").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        atomic_write(&p, b"{\"icc\": false}\n", 0o644).unwrap();
        let (st, bytes) = state(&p).unwrap();
        assert_eq!(st.mode, 0o640);
        assert_eq!(bytes.unwrap(), b"{\"icc\": false}\n");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
        let fresh = d.path().join("new.rules");
        atomic_write(&fresh, b"x\n", 0o640).unwrap();
        assert_eq!(state(&fresh).unwrap().0.mode, 0o640);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("missing-dir").join("f");
        assert!(atomic_write(&p, b"x", 0o644).is_err());
        assert!(!p.exists());
    }

    #[test]
    fn real_paths_live_under_the_root() {
        assert_eq!(
            real_path(Path::new("/host"), "/etc/docker/daemon.json"),
            PathBuf::from("/host/etc/docker/daemon.json")
        );
        assert_eq!(real_path(Path::new("/"), "/etc/x"), PathBuf::from("/etc/x"));
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
