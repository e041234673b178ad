//! The transaction journal: written before the first change, updated after
//! each one, so that `rollback` can restore the host after a failure or a
//! crash. One directory per transaction under `<state-dir>/transactions/`,
//! holding `journal.json` and a byte-exact copy of every file it changes.

use super::files::{self, FileState};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Changes are being made (a crash leaves this; `rollback` finishes it).
    Applying,
    Applied,
    /// Apply failed and what it had done was rolled back.
    Failed,
    RolledBack,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Applying => "applying (interrupted?)",
            Status::Applied => "applied",
            Status::Failed => "failed, rolled back",
            Status::RolledBack => "rolled back",
        }
    }
}

/// One file the transaction changes (content, mode or owner).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    /// The path on the host (without `--root`).
    pub path: String,
    pub before: FileState,
    /// Name of the byte-exact copy in the transaction directory.
    #[serde(default)]
    pub backup: Option<String>,
    /// Whether shipshape has touched it yet.
    pub touched: bool,
    /// sha256 after the change (content changes only).
    #[serde(default)]
    pub after_sha256: Option<String>,
}

/// An audit rule shipshape loaded into the kernel (and so must remove).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadedRule {
    pub path: String,
    pub line: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    pub id: String,
    pub started_at: String,
    #[serde(default)]
    pub finished_at: Option<String>,
    pub status: Status,
    pub root: String,
    /// The check ids the transaction set out to fix.
    pub checks: Vec<String>,
    pub files: Vec<FileEntry>,
    pub audit_rules: Vec<LoadedRule>,
    /// The daemon.json it changed, the daemon to reload, and the keys that
    /// need a restart.
    #[serde(default)]
    pub daemon_json: Option<String>,
    #[serde(default)]
    pub daemon_pid: Option<u32>,
    #[serde(default)]
    pub restart_keys: Vec<String>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(skip)]
    pub dir: PathBuf,
}

pub fn transactions_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("transactions")
}

fn new_id() -> String {
    let now = std::time::SystemTime::now();
    let t = crate::util::clock::rfc3339(now);
    // 2026-12-01T22:28:06.123Z -> 20261201T222806123Z: ids sort by time.
    let compact: String = t
        .chars()
        .take(23)
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let nanos = now
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{compact}Z-{:05x}", (nanos ^ std::process::id()) & 0xfffff)
}

impl Journal {
    /// Create the transaction directory (mode 0700) and an empty journal.
    pub fn create(state_dir: &Path, root: &str, checks: Vec<String>) -> io::Result<Journal> {
        let id = new_id();
        let dir = transactions_dir(state_dir).join(&id);
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)?;
        Ok(Journal {
            id,
            started_at: crate::util::clock::now_rfc3339(),
            finished_at: None,
            status: Status::Applying,
            root: root.to_string(),
            checks,
            files: Vec::new(),
            audit_rules: Vec::new(),
            daemon_json: None,
            daemon_pid: None,
            restart_keys: Vec::new(),
            notes: Vec::new(),
            dir,
        })
    }

    /// Record a file's original state (and bytes) before anything changes it.
    pub fn keep(&mut self, root: &Path, path: &str) -> io::Result<()> {
        if self.files.iter().any(|f| f.path == path) {
            return Ok(());
        }
        let (before, bytes) = files::state(&files::real_path(root, path))?;
        let backup = match bytes {
            Some(b) => {
                let name = format!("orig-{}", self.files.len());
                files::atomic_write(&self.dir.join(&name), &b, 0o600)?;
                Some(name)
            }
            None => None,
        };
        self.files.push(FileEntry {
            path: path.to_string(),
            before,
            backup,
            touched: false,
            after_sha256: None,
        });
        Ok(())
    }

    pub fn backup_bytes(&self, e: &FileEntry) -> io::Result<Vec<u8>> {
        match &e.backup {
            Some(n) => fs::read(self.dir.join(n)),
            None => Ok(Vec::new()),
        }
    }

    pub fn save(&self) -> io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(io::Error::other)? + "\n";
        files::atomic_write(&self.dir.join("journal.json"), text.as_bytes(), 0o600)
    }

    pub fn load(dir: &Path) -> Result<Journal, String> {
        let p = dir.join("journal.json");
        let text =
            fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        let mut j: Journal = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}:{}:{}: not a shipshape journal: {e}",
                p.display(),
                e.line(),
                e.column()
            )
        })?;
        j.dir = dir.to_path_buf();
        Ok(j)
    }

    pub fn finish(&mut self, status: Status) -> io::Result<()> {
        self.status = status;
        self.finished_at = Some(crate::util::clock::now_rfc3339());
        self.save()
    }
}

/// Every transaction, oldest first. Unreadable journals are reported, not
/// skipped.
pub fn list(state_dir: &Path) -> Vec<Result<Journal, String>> {
    let dir = transactions_dir(state_dir);
    let mut names: Vec<String> = match fs::read_dir(&dir) {
        Ok(rd) => rd
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    let mut all: Vec<Result<Journal, String>> = names
        .into_iter()
        .map(|n| Journal::load(&dir.join(n)))
        .collect();
    // Oldest first by start time (ids made in the same millisecond tie-break
    // by name); unreadable journals keep their place at the end.
    all.sort_by(|a, b| match (a, b) {
        (Ok(a), Ok(b)) => (&a.started_at, &a.id).cmp(&(&b.started_at, &b.id)),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        _ => std::cmp::Ordering::Equal,
    });
    all
}

/// A newer transaction, still applied, that touched the same files or
/// rules as `j`: rolling `j` back first would undo the newer change behind
/// its back, so it must go first.
pub fn blocking_newer(state_dir: &Path, j: &Journal) -> Option<String> {
    let all: Vec<Journal> = list(state_dir).into_iter().flatten().collect();
    let pos = all.iter().position(|x| x.id == j.id)?;
    all[pos + 1..]
        .iter()
        .filter(|n| matches!(n.status, Status::Applied | Status::Applying))
        .find(|n| {
            n.files
                .iter()
                .any(|f| j.files.iter().any(|g| g.path == f.path))
                || n.audit_rules
                    .iter()
                    .any(|r| j.audit_rules.iter().any(|s| s.path == r.path))
        })
        .map(|n| n.id.clone())
}

/// The transaction to roll back: the named one, else the newest that is
/// applied or was interrupted.
pub fn find(state_dir: &Path, id: Option<&str>) -> Result<Journal, String> {
    match id {
        Some(id) => {
            if id.contains('/') || id.starts_with('.') {
                return Err(format!("'{id}' is not a transaction id"));
            }
            let d = transactions_dir(state_dir).join(id);
            if !d.is_dir() {
                return Err(format!(
                    "no transaction {id} under {} (see `shipshape harden history`)",
                    transactions_dir(state_dir).display()
                ));
            }
            Journal::load(&d)
        }
        None => list(state_dir)
            .into_iter()
            .rev()
            .flatten()
            .find(|j| matches!(j.status, Status::Applied | Status::Applying))
            .ok_or_else(|| {
                format!(
                    "no applied transaction to roll back under {}",
                    transactions_dir(state_dir).display()
                )
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_rollback_order_is_enforced() {
        let state = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("f"), "x").unwrap();
        let mut a = Journal::create(state.path(), "/", vec!["2.15".into()]).unwrap();
        a.keep(root.path(), "/f").unwrap();
        a.finish(Status::Applied).unwrap();
        let mut b = Journal::create(state.path(), "/", vec!["2.14".into()]).unwrap();
        b.keep(root.path(), "/f").unwrap();
        b.finish(Status::Applied).unwrap();
        let ids: Vec<String> = list(state.path())
            .into_iter()
            .map(|j| j.unwrap().id)
            .collect();
        assert_eq!(ids, vec![a.id.clone(), b.id.clone()]);
        assert_eq!(find(state.path(), None).unwrap().id, b.id);
        assert_eq!(blocking_newer(state.path(), &a), Some(b.id.clone()));
        assert_eq!(blocking_newer(state.path(), &b), None);
        b.finish(Status::RolledBack).unwrap();
        assert_eq!(blocking_newer(state.path(), &a), None);
        assert_eq!(find(state.path(), None).unwrap().id, a.id);
        assert!(find(state.path(), Some("../x")).is_err());
        assert_eq!(a.backup_bytes(&a.files[0]).unwrap(), b"x");
    }
}
