//! Installed distributions: `*.dist-info/METADATA` and legacy
//! `*.egg-info` (a directory with `PKG-INFO`, or a single file).

use super::Parsed;
use crate::deps::{InputError, Origin, Package, SourceKind};
use std::path::Path;

/// Where Debian and Ubuntu put the Python packages they ship.
pub const DISTRO_DIR: &str = "usr/lib/python3/dist-packages/";

/// Is this path (host path or path inside an image) in the distribution's
/// own package directory?
pub fn is_distro_path(path: &str) -> bool {
    let p = path.trim_start_matches('/');
    p.starts_with(DISTRO_DIR) || path.contains(&format!("/{DISTRO_DIR}"))
}

/// The `Name` and `Version` headers of core metadata (RFC 822 style; the
/// headers end at the first empty line).
pub fn parse_metadata(text: &str, shown: &str) -> Result<(String, String), InputError> {
    let mut name = None;
    let mut version = None;
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("name") && name.is_none() {
                name = Some(v.trim().to_string());
            } else if k.eq_ignore_ascii_case("version") && version.is_none() {
                version = Some(v.trim().to_string());
            }
        }
    }
    if text.trim().is_empty() {
        return Err(InputError::at(
            shown,
            1,
            1,
            "empty metadata; expected `Name:` and `Version:` headers",
        ));
    }
    match (name, version) {
        (Some(n), Some(v)) if !n.is_empty() && !v.is_empty() => Ok((n, v)),
        (None, _) => Err(InputError::at(
            shown,
            1,
            1,
            "no `Name:` header in the metadata headers",
        )),
        _ => Err(InputError::at(
            shown,
            1,
            1,
            "no `Version:` header in the metadata headers",
        )),
    }
}

fn one(text_path: &Path) -> Parsed {
    let shown = text_path.display().to_string();
    let text = match std::fs::read(text_path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            return Parsed {
                packages: Vec::new(),
                errors: vec![InputError::file(&shown, format!("cannot read: {e}"))],
            }
        }
    };
    match parse_metadata(&text, &shown) {
        Ok((n, v)) => {
            let mut p = Package::exact(&n, &v, SourceKind::Installed, Origin::file(&shown));
            p.distro_owned = is_distro_path(&shown);
            Parsed {
                packages: vec![p],
                errors: Vec::new(),
            }
        }
        Err(e) => Parsed {
            packages: Vec::new(),
            errors: vec![e],
        },
    }
}

/// If `dir` is a `*.dist-info` or `*.egg-info` directory, read it.
pub fn read_dist_dir(dir: &Path) -> Option<Parsed> {
    let name = dir.file_name()?.to_str()?;
    if name.ends_with(".dist-info") {
        Some(one(&dir.join("METADATA")))
    } else if name.ends_with(".egg-info") {
        Some(one(&dir.join("PKG-INFO")))
    } else {
        None
    }
}

/// A legacy `NAME-VER.egg-info` file.
pub fn read_egg_info_file(p: &Path) -> Parsed {
    one(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_headers() {
        let t = "Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\n\nName: not this\n";
        assert_eq!(
            parse_metadata(t, "m").unwrap(),
            ("Jinja2".into(), "2.10".into())
        );
        let e = parse_metadata("Name: x\n", "m").unwrap_err();
        assert!(e.message.contains("Version"), "{e}");
    }

    #[test]
    fn distro_paths() {
        assert!(is_distro_path(
            "/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA"
        ));
        assert!(is_distro_path("usr/lib/python3/dist-packages/x.egg-info"));
        assert!(is_distro_path(
            "/proc/1/root/usr/lib/python3/dist-packages/x.dist-info/METADATA"
        ));
        assert!(!is_distro_path(
            "/usr/local/lib/python3.11/dist-packages/x.dist-info/METADATA"
        ));
        assert!(!is_distro_path(
            "/usr/lib/python3.11/site-packages/x.dist-info/METADATA"
        ));
    }
}
