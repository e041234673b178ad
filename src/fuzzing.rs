//! Entry points for the fuzz targets in `fuzz/` and for the corpus replay
//! test (`tests/fuzz_corpus.rs`): one function per parser, taking raw bytes.
//! Each must return for any input; a panic is a bug. They also check
//! invariants that must hold for every input (a finding's line:column lies
//! inside its file).

use crate::scan::walk::FileKind;
use std::path::Path;

/// The fuzz targets, by name (the name of the file under `fuzz/fuzz_targets/`
/// and of the corpus folder under `tests/fuzz-corpus/`).
pub type Target = (&'static str, fn(&[u8]));

pub const TARGETS: &[Target] = &[
    ("yaml_k8s", yaml_k8s),
    ("dockerfile", dockerfile),
    ("compose", compose),
    ("daemon_json", daemon_json),
    ("audit_rules", audit_rules),
    ("systemd_unit", systemd_unit),
    ("proc_files", proc_files),
    ("threat_model", threat_model),
    ("shipshape_toml", shipshape_toml),
    ("engine_api", engine_api),
];

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

fn settings() -> &'static crate::scan::Settings {
    use std::sync::OnceLock;
    static S: OnceLock<crate::scan::Settings> = OnceLock::new();
    S.get_or_init(|| {
        crate::scan::Settings::new(&crate::scan::ScanOptions::default()).expect("default settings")
    })
}

/// Scan text as `kind` with every rule, and check that every finding and
/// error position lies inside the text.
pub fn scan_checked(kind: FileKind, text: &str) -> crate::scan::FileResult {
    let r = crate::scan::scan_text(
        "fuzz.input",
        Some(Path::new("/nonexistent-shipshape-fuzz")),
        kind,
        text,
        settings(),
    );
    let lines: Vec<&str> = text.split('\n').collect();
    for f in &r.findings {
        assert!(
            f.line >= 1 && (f.line as usize) <= lines.len().max(1),
            "{} at line {} of a {}-line file",
            f.rule_id,
            f.line,
            lines.len()
        );
        let width = lines
            .get(f.line as usize - 1)
            .map(|l| l.trim_end_matches('\r').chars().count())
            .unwrap_or(0);
        assert!(
            f.column >= 1 && (f.column as usize) <= width + 1,
            "{} at {}:{} but the line has {} characters",
            f.rule_id,
            f.line,
            f.column,
            width
        );
    }
    for e in &r.errors {
        if let Some(l) = e.line {
            assert!(l >= 1 && l as usize <= lines.len().max(1), "error at {l}");
        }
    }
    r
}

/// The YAML tree and the Kubernetes object and pod views.
pub fn yaml_k8s(data: &[u8]) {
    let Some(t) = text(data) else { return };
    crate::manifest::yaml::assert_fast_path_agrees(t);
    if let Ok(docs) = crate::manifest::yaml::parse_documents(t) {
        for d in &docs {
            for o in crate::manifest::k8s::objects(d) {
                let _ = o.label();
                if let Some(p) = o.pod() {
                    for c in &p.containers {
                        let _ = p.effective(c, &["runAsNonRoot"]);
                    }
                }
            }
        }
    }
    scan_checked(FileKind::Kubernetes, t);
}

pub fn dockerfile(data: &[u8]) {
    let Some(t) = text(data) else { return };
    scan_checked(FileKind::Dockerfile, t);
}

/// Compose with anchors, merge keys and `extends`.
pub fn compose(data: &[u8]) {
    let Some(t) = text(data) else { return };
    scan_checked(FileKind::Compose, t);
}

/// daemon.json, and the daemon's command-line flags.
pub fn daemon_json(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let _ = crate::collect::daemon::parse_config(t);
    let words = crate::collect::systemd::split_command(t);
    let _ = crate::collect::daemon::parse_flags(&words);
}

pub fn audit_rules(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let _ = crate::collect::audit::parse_rules(t);
}

pub fn systemd_unit(data: &[u8]) {
    let Some(t) = text(data) else { return };
    for (_, v) in crate::collect::systemd::directives(t) {
        let _ = crate::collect::systemd::split_command(&v);
    }
}

/// `/proc` files: cmdline, mountinfo, status, stat, cgroup.
pub fn proc_files(data: &[u8]) {
    let mut argv = crate::collect::procs::split_cmdline(data);
    crate::redact::redact_argv(&mut argv);
    let _ = crate::collect::daemon::parse_flags(&argv);
    let t = String::from_utf8_lossy(data);
    let _ = crate::collect::host::parse_mountinfo(&t);
    let _ = crate::collect::procs::status_uid(&t);
    let _ = crate::collect::procs::stat_parent(&t);
    let _ = crate::collect::procs::container_id_in(&t);
}

/// The threat model file (`shipshape-threats.yaml`).
pub fn threat_model(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let _ = crate::threat::modelfile::parse("fuzz.yaml", t);
}

pub fn shipshape_toml(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let _ = crate::scan::config::ScanConfig::parse(t, Path::new("shipshape.toml"));
}

/// Engine API responses: the JSON objects and the chunked HTTP body framing.
pub fn engine_api(data: &[u8]) {
    use crate::snapshot::*;
    let _ = serde_json::from_slice::<Container>(data).map(|mut c| {
        crate::collect::engine::scrub_container(&mut c);
        let _ = c.published_ports();
    });
    let _ = serde_json::from_slice::<Image>(data);
    let _ = serde_json::from_slice::<Vec<HistoryEntry>>(data).map(|h| {
        for e in h {
            let _ = crate::redact::redact_history(&e.created_by);
        }
    });
    let _ = serde_json::from_slice::<Info>(data);
    let _ = serde_json::from_slice::<Version>(data);
    let _ = serde_json::from_slice::<Vec<Network>>(data);
    let mut r = std::io::BufReader::new(data);
    let _ = crate::collect::engine_client::read_chunked(&mut r);
    if let Some(t) = text(data) {
        let _ = crate::collect::engine_client::negotiate(t);
        let _ = crate::redact::redact_text(t);
        let _ = crate::sanitize::truncate(t, 40);
    }
}
