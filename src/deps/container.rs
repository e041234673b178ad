//! Installed Python distributions in a container's filesystem.
//!
//! A running container is read through `/proc/PID/root` (no exec into it).
//! Symbolic links are never followed there: an absolute link inside the
//! container would resolve against the host's root. When `/proc/PID/root`
//! cannot be read (a stopped container, or not enough privilege), the
//! container's filesystem is streamed from the Engine API
//! (`GET /containers/{id}/export`) and read like a single image layer.

use super::image::{apply, interesting, packages_from_files, read_layer, MAX_FILE, MAX_TOTAL};
use super::parse::Parsed;
use super::InputError;
use crate::collect::engine_client::Client;
use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

#[derive(serde::Deserialize)]
struct Inspect {
    #[serde(rename = "Id")]
    id: String,
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "State")]
    state: State,
}

#[derive(serde::Deserialize)]
struct State {
    #[serde(rename = "Pid", default)]
    pid: i64,
    #[serde(rename = "Running", default)]
    running: bool,
}

#[derive(serde::Deserialize)]
struct ListItem {
    #[serde(rename = "Names", default)]
    names: Vec<String>,
}

/// Names of the running containers.
pub fn running_containers(client: &Client) -> Result<Vec<String>, String> {
    let mut conn = client.connect().map_err(|e| e.to_string())?;
    let list: Vec<ListItem> = conn
        .get_json("/containers/json")
        .map_err(|e| e.to_string())?;
    Ok(list
        .into_iter()
        .filter_map(|c| c.names.into_iter().next())
        .map(|n| n.trim_start_matches('/').to_string())
        .collect())
}

/// Top-level directories that never hold Python packages.
const SKIP_TOP: &[&str] = &["proc", "sys", "dev", "run", "tmp", "var/lib/docker"];

fn walk(
    root: &Path,
    rel: &str,
    depth: usize,
    files: &mut BTreeMap<String, Vec<u8>>,
    budget: &mut usize,
) -> Result<(), String> {
    if depth > 14 {
        return Ok(());
    }
    let dir = if rel.is_empty() {
        root.to_path_buf()
    } else {
        root.join(rel)
    };
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return Ok(()); // unreadable subdirectory: skip it
    };
    for e in rd.flatten() {
        let Ok(ft) = e.file_type() else { continue }; // lstat: links are not followed
        let name = e.file_name().to_string_lossy().to_string();
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if ft.is_dir() {
            if SKIP_TOP.contains(&path.as_str()) {
                continue;
            }
            walk(root, &path, depth + 1, files, budget)?;
        } else if ft.is_file() && interesting(&path) {
            let f = std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc_o_nofollow())
                .open(root.join(&path));
            let Ok(f) = f else { continue };
            let mut data = Vec::new();
            if f.take(MAX_FILE as u64).read_to_end(&mut data).is_err() {
                continue;
            }
            if data.len() > *budget {
                return Err("too much Python metadata to keep in memory".into());
            }
            *budget -= data.len();
            files.insert(path, data);
        }
    }
    Ok(())
}

/// `O_NOFOLLOW` on Linux (the value is the same on x86-64 and aarch64
/// generic ABIs used here).
fn libc_o_nofollow() -> i32 {
    if cfg!(any(target_arch = "aarch64", target_arch = "arm")) {
        0o100000
    } else {
        0o400000
    }
}

/// Read the metadata files under a root directory (e.g. `/proc/PID/root`).
pub fn read_root(root: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    std::fs::read_dir(root).map_err(|e| format!("cannot read {}: {e}", root.display()))?;
    let mut files = BTreeMap::new();
    let mut budget = MAX_TOTAL;
    walk(root, "", 0, &mut files, &mut budget)?;
    Ok(files)
}

/// Scan one container by name or id.
pub fn scan_container(client: &Client, name: &str) -> Result<Parsed, InputError> {
    let fail = |m: String| InputError::file(&format!("container:{name}"), m);
    let mut conn = client.connect().map_err(|e| fail(e.to_string()))?;
    let c: Inspect = conn
        .get_json(&format!(
            "/containers/{}/json",
            super::image::encode_ref(name)
        ))
        .map_err(|e| fail(e.to_string()))?;
    let shown = c.name.trim_start_matches('/').to_string();
    let target = format!("container:{shown}");
    if c.state.running && c.state.pid > 0 {
        let root = format!("/proc/{}/root", c.state.pid);
        if let Ok(files) = read_root(Path::new(&root)) {
            return Ok(packages_from_files(&files, &target));
        }
    }
    // Fallback: the Engine API's export of the container's filesystem.
    let body = conn
        .get_stream(&format!("/containers/{}/export", c.id))
        .map_err(|e| fail(e.to_string()))?;
    let mut budget = MAX_TOTAL;
    let layer = read_layer(
        std::io::BufReader::with_capacity(256 * 1024, body),
        &mut budget,
    )
    .map_err(|e| fail(format!("reading the exported filesystem: {e}")))?;
    Ok(packages_from_files(&apply([&layer]), &target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_root_without_following_links() {
        let d = tempfile::tempdir().unwrap();
        let sp = d
            .path()
            .join("usr/local/lib/python3.11/site-packages/flask-0.12.dist-info");
        std::fs::create_dir_all(&sp).unwrap();
        std::fs::write(sp.join("METADATA"), "Name: Flask\nVersion: 0.12\n").unwrap();
        // A link pointing out of the root must not be followed.
        let outside = tempfile::tempdir().unwrap();
        let od = outside.path().join("evil-1.0.dist-info");
        std::fs::create_dir_all(&od).unwrap();
        std::fs::write(od.join("METADATA"), "Name: evil\nVersion: 1.0\n").unwrap();
        std::os::unix::fs::symlink(outside.path(), d.path().join("usr/link")).unwrap();
        let files = read_root(d.path()).unwrap();
        assert_eq!(files.len(), 1, "{:?}", files.keys());
        let p = packages_from_files(&files, "container:c");
        assert_eq!(p.packages[0].name, "flask");
        assert_eq!(
            p.packages[0].origin.path,
            "/usr/local/lib/python3.11/site-packages/flask-0.12.dist-info/METADATA"
        );
    }
}
