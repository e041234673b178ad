//! Installed Python distributions inside an image, read from the Engine
//! API's `GET /images/{name}/get` stream (a `docker save` archive).
//!
//! The archive is read once, as it arrives. From each layer only Python
//! metadata files (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`, legacy
//! `*.egg-info` files) and whiteouts are kept, in memory and within a fixed
//! budget; nothing is written to disk. When the archive's `manifest.json`
//! has been read, the layers are applied in its order: a layer's whiteouts
//! (`.wh.NAME` deletes NAME, `.wh..wh..opq` empties its directory) remove
//! what lower layers put there, then its own files are added.

use super::parse::{installed, Parsed};
use super::tar::{is_header, TarReader};
use super::{InputError, Origin, Package, SourceKind};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Cursor, Read};

/// At most this much of one metadata file is kept (the headers come first).
pub const MAX_FILE: usize = 256 * 1024;
/// At most this much metadata in total, across all layers.
pub const MAX_TOTAL: usize = 64 * 1024 * 1024;

/// What one layer contributes.
#[derive(Debug, Default, Clone)]
pub struct Layer {
    pub files: Vec<(String, Vec<u8>)>,
    /// Paths deleted (from `.wh.NAME`).
    pub whiteouts: Vec<String>,
    /// Directories emptied (from `.wh..wh..opq`).
    pub opaque: Vec<String>,
}

fn norm(p: &str) -> String {
    let p = p.trim_start_matches("./").trim_start_matches('/');
    p.trim_end_matches('/').to_string()
}

/// Is this (normalised) path a Python metadata file we keep?
pub fn interesting(path: &str) -> bool {
    let (dir, file) = match path.rsplit_once('/') {
        Some(x) => x,
        None => ("", path),
    };
    (file == "METADATA" && dir.ends_with(".dist-info"))
        || (file == "PKG-INFO" && dir.ends_with(".egg-info"))
        || file.ends_with(".egg-info")
}

/// Read one layer tar.
pub fn read_layer<R: Read>(r: R, budget: &mut usize) -> io::Result<Layer> {
    let mut t = TarReader::new(r);
    let mut layer = Layer::default();
    while let Some(e) = t.next_entry()? {
        let path = norm(&e.path);
        let (dir, file) = match path.rsplit_once('/') {
            Some((d, f)) => (d.to_string(), f.to_string()),
            None => (String::new(), path.clone()),
        };
        if file == ".wh..wh..opq" {
            layer.opaque.push(dir);
        } else if file.starts_with(".wh..wh.") {
            // Other AUFS bookkeeping: nothing to apply.
        } else if let Some(name) = file.strip_prefix(".wh.") {
            layer.whiteouts.push(if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            });
        } else if e.is_file() && interesting(&path) {
            let data = t.read_data(MAX_FILE)?;
            if data.len() > *budget {
                return Err(io::Error::other(format!(
                    "more than {} MiB of Python metadata; refusing to keep more in memory",
                    MAX_TOTAL / (1024 * 1024)
                )));
            }
            *budget -= data.len();
            layer.files.push((path, data));
        }
    }
    Ok(layer)
}

/// Apply layers bottom to top; the result maps paths to file contents.
pub fn apply<'a>(layers: impl IntoIterator<Item = &'a Layer>) -> BTreeMap<String, Vec<u8>> {
    let mut fs: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for l in layers {
        for d in &l.opaque {
            let prefix = format!("{d}/");
            fs.retain(|k, _| !(d.is_empty() || k.starts_with(&prefix)));
        }
        for w in &l.whiteouts {
            let prefix = format!("{w}/");
            fs.retain(|k, _| k != w && !k.starts_with(&prefix));
        }
        for (p, d) in &l.files {
            fs.insert(p.clone(), d.clone());
        }
    }
    fs
}

#[derive(serde::Deserialize)]
struct ManifestEntry {
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

/// Read a `docker save` archive stream; returns the merged metadata files.
pub fn read_save_archive<R: Read>(r: R) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut outer = TarReader::new(r);
    let mut layers: HashMap<String, Layer> = HashMap::new();
    let mut manifest: Option<Vec<ManifestEntry>> = None;
    let mut budget = MAX_TOTAL;
    let werr = |e: io::Error| format!("reading the image archive: {e}");
    while let Some(e) = outer.next_entry().map_err(werr)? {
        let path = norm(&e.path);
        if path == "manifest.json" {
            let d = outer.read_data(16 * 1024 * 1024).map_err(werr)?;
            manifest = Some(
                serde_json::from_slice(&d)
                    .map_err(|e| format!("the image archive's manifest.json is malformed: {e}"))?,
            );
            continue;
        }
        if !e.is_file() || e.size < 1024 {
            continue;
        }
        let layer_like =
            path.ends_with("/layer.tar") || path.ends_with(".tar") || path.starts_with("blobs/");
        if !layer_like {
            continue;
        }
        // Peek at the first block: a layer is an uncompressed tar.
        let mut head = [0u8; 512];
        outer.read_exact(&mut head).map_err(werr)?;
        if !is_header(&head) {
            if head.starts_with(&[0x1f, 0x8b]) && path.ends_with("layer.tar") {
                return Err(format!(
                    "{path}: compressed layers in `docker save` output are not supported"
                ));
            }
            continue; // a config or manifest blob
        }
        let chained = Cursor::new(head).chain(&mut outer);
        let layer = read_layer(chained, &mut budget).map_err(|e| format!("layer {path}: {e}"))?;
        layers.insert(path, layer);
    }
    let manifest = manifest.ok_or("the image archive has no manifest.json")?;
    let entry = manifest
        .into_iter()
        .next()
        .ok_or("the image archive's manifest.json lists no image")?;
    let mut ordered = Vec::new();
    for l in &entry.layers {
        let key = norm(l);
        // A layer with no entries (only the end blocks) is not kept.
        if let Some(x) = layers.get(&key) {
            ordered.push(x);
        }
    }
    Ok(apply(ordered))
}

/// Turn merged metadata files into packages found at `target`.
pub fn packages_from_files(files: &BTreeMap<String, Vec<u8>>, target: &str) -> Parsed {
    let mut out = Parsed::default();
    for (path, data) in files {
        let shown = format!("/{path}");
        let text = String::from_utf8_lossy(data);
        match installed::parse_metadata(&text, &shown) {
            Ok((n, v)) => {
                let mut origin = Origin::file(&shown);
                origin.target = Some(target.to_string());
                let mut p = Package::exact(&n, &v, SourceKind::Installed, origin);
                p.distro_owned = installed::is_distro_path(&shown);
                out.packages.push(p);
            }
            Err(mut e) => {
                e.path = format!("{target} {}", e.path);
                out.errors.push(e);
            }
        }
    }
    out
}

/// Percent-encode an image reference for a URL path (keeps `/` and `:`).
pub fn encode_ref(r: &str) -> String {
    let mut o = String::new();
    for b in r.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// Read an image through the Engine API.
pub fn scan_image(
    client: &crate::collect::engine_client::Client,
    reference: &str,
) -> Result<Parsed, InputError> {
    let target = format!("image:{reference}");
    let fail = |m: String| InputError::file(&target, m);
    let mut conn = client.connect().map_err(|e| fail(e.to_string()))?;
    let body = conn
        .get_stream(&format!("/images/{}/get", encode_ref(reference)))
        .map_err(|e| fail(e.to_string()))?;
    let files = read_save_archive(io::BufReader::with_capacity(256 * 1024, body)).map_err(fail)?;
    Ok(packages_from_files(&files, &target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deps::tar::tests::build;

    fn meta(n: &str, v: &str) -> Vec<u8> {
        format!("Metadata-Version: 2.1\nName: {n}\nVersion: {v}\n\nbody").into_bytes()
    }

    #[test]
    fn layers_apply_with_whiteouts_and_opaque_dirs() {
        let sp = "usr/local/lib/python3.11/site-packages";
        let l1 = build(&[
            (
                &format!("{sp}/jinja2-2.10.dist-info/METADATA"),
                &meta("Jinja2", "2.10"),
            ),
            (
                &format!("{sp}/six-1.0.dist-info/METADATA"),
                &meta("six", "1.0"),
            ),
            (&format!("{sp}/old/x.egg-info/PKG-INFO"), &meta("x", "1")),
            (
                "usr/lib/python3/dist-packages/idna-2.5.dist-info/METADATA",
                &meta("idna", "2.5"),
            ),
            ("etc/passwd", b"root:x:0:0"),
        ]);
        let l2 = build(&[
            (&format!("{sp}/.wh.jinja2-2.10.dist-info"), b""),
            (
                &format!("{sp}/jinja2-2.11.dist-info/METADATA"),
                &meta("Jinja2", "2.11"),
            ),
            (&format!("{sp}/old/.wh..wh..opq"), b""),
        ]);
        let l3 = build(&[(&format!("{sp}/.wh.six-1.0.dist-info"), b"")]);
        let manifest = br#"[{"Config":"c.json","RepoTags":["t:1"],"Layers":["a/layer.tar","b/layer.tar","c/layer.tar"]}]"#;
        // Layers arrive out of order; the manifest decides.
        let archive = build(&[
            ("c/layer.tar", &l3),
            ("a/layer.tar", &l1),
            ("b/layer.tar", &l2),
            ("c.json", b"{}"),
            ("manifest.json", manifest),
        ]);
        let files = read_save_archive(&archive[..]).unwrap();
        let keys: Vec<&String> = files.keys().collect();
        assert_eq!(
            keys,
            vec![
                "usr/lib/python3/dist-packages/idna-2.5.dist-info/METADATA",
                &format!("{sp}/jinja2-2.11.dist-info/METADATA"),
            ]
        );
        let p = packages_from_files(&files, "image:t:1");
        assert_eq!(p.packages.len(), 2);
        assert!(p.packages[0].distro_owned);
        assert!(!p.packages[1].distro_owned);
        assert_eq!(p.packages[1].origin.target.as_deref(), Some("image:t:1"));
    }

    #[test]
    fn missing_manifest_is_an_error() {
        let archive = build(&[("a/layer.tar", &build(&[("x", b"y")]))]);
        assert!(read_save_archive(&archive[..])
            .unwrap_err()
            .contains("manifest.json"));
    }

    #[test]
    fn references_are_encoded() {
        assert_eq!(encode_ref("a/b:1"), "a/b:1");
        assert_eq!(encode_ref("a b?"), "a%20b%3F");
    }
}
