//! Shared helpers for the dependency tests: the real PyPA advisory data, the
//! `packaging` oracle and an index imported by the CLI.

#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn pypa_data() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cands = vec![];
    if let Some(p) = std::env::var_os("SHIPSHAPE_PYPA_DATA") {
        cands.push(PathBuf::from(p));
    }
    cands.extend([
        root.join("../shared/data/pypa-advisories"),
        root.join("../../shared/data/pypa-advisories"),
        PathBuf::from("/work/shared/data/pypa-advisories"),
    ]);
    cands.into_iter().find(|p| p.join("vulns").is_dir()).expect(
        "the PyPA advisory data is needed at ../shared/data/pypa-advisories (or set SHIPSHAPE_PYPA_DATA)",
    )
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deps")
}

/// Run tests/oracle/osv_packaging.py with these requests.
pub fn oracle(requests: &[String]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/osv_packaging.py");
    let o = Command::new("python3")
        .arg(script)
        .arg(pypa_data())
        .args(requests)
        .output()
        .expect("python3 is needed for the oracle");
    assert!(
        o.status.success(),
        "the packaging oracle failed (run scripts/setup.sh to install `packaging` and PyYAML): {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("oracle JSON")
}

/// Import the PyPA data with the CLI into a fresh temp dir.
pub fn import_db(bin: &Path) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let o = Command::new(bin)
        .args(["db", "import", "--db"])
        .arg(d.path())
        .arg(pypa_data())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "db import failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    d
}

pub fn ids(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}
