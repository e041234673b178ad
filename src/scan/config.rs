//! `shipshape.toml`, section `[scan]`:
//!
//! ```toml
//! [scan]
//! exclude = ["vendor/**", "charts/*/templates/**"]   # gitignore-style globs
//! disable = ["DF-010"]                                # rules not to run
//! max_file_size = 10485760                            # bytes
//!
//! [scan.severity]                                     # per-rule override
//! K8S-026 = "info"
//! ```
//!
//! Other top-level tables belong to other commands and are ignored here;
//! unknown keys inside `[scan]` and unknown rule ids are errors, so a typo
//! never silently does nothing.

use crate::findings::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "shipshape.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub disable: Vec<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    #[serde(default)]
    pub max_file_size: Option<u64>,
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(default)]
    scan: ScanConfig,
}

impl ScanConfig {
    pub fn parse(text: &str, origin: &Path) -> Result<ScanConfig, String> {
        let f: ConfigFile =
            toml::from_str(text).map_err(|e| format!("{}: {e}", origin.display()))?;
        let cfg = f.scan;
        for id in cfg.disable.iter().chain(cfg.severity.keys()) {
            if crate::rules::registry::find(id).is_none() {
                return Err(format!("{}: unknown rule id '{id}'", origin.display()));
            }
        }
        Ok(cfg)
    }

    pub fn load(path: &Path) -> Result<ScanConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text, path)
    }

    /// `shipshape.toml` in the first scanned directory, else in `cwd`.
    pub fn discover(scan_paths: &[PathBuf], cwd: &Path) -> Option<PathBuf> {
        scan_paths
            .iter()
            .filter(|p| p.is_dir())
            .map(|p| p.join(FILE_NAME))
            .chain(std::iter::once(cwd.join(FILE_NAME)))
            .find(|p| p.is_file())
    }
}
