//! Per-rule fixtures: every rule in the registry has
//! `tests/fixtures/scan/rules/<ID>/fire/` (must produce exactly the findings
//! listed in `expect`, as file:line:column) and `pass/` (must produce none of
//! that rule, and no file errors). Beside `expect`, `fire.snap` pins what the
//! rule says at each place (`file:line:col RULE-ID message`), an insta
//! snapshot independent of any renderer.

use shipshape::rules::registry;
use shipshape::scan::{scan, ScanOptions};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/rules")
}

fn run(dir: &Path, rule: &str) -> shipshape::scan::ScanReport {
    let opts = ScanOptions {
        paths: vec![dir.to_path_buf()],
        only: vec![rule.to_string()],
        ..Default::default()
    };
    scan(&opts).expect("scan runs")
}

/// (path relative to the rule directory, line, column) of each finding.
fn positions(
    report: &shipshape::scan::ScanReport,
    rule: &str,
    base: &Path,
) -> BTreeSet<(String, u32, u32)> {
    let base = base.to_string_lossy().to_string();
    report
        .findings
        .iter()
        .filter(|f| f.rule_id == rule)
        .map(|f| {
            let rel = f
                .file
                .strip_prefix(&base)
                .unwrap_or(&f.file)
                .trim_start_matches('/');
            (rel.to_string(), f.line, f.column)
        })
        .collect()
}

/// `file:line:col RULE-ID message` for each finding of `rule`, in order.
fn messages(report: &shipshape::scan::ScanReport, rule: &str, base: &Path) -> String {
    let base = base.to_string_lossy().to_string();
    let mut lines: Vec<(String, u32, u32, String)> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == rule)
        .map(|f| {
            let rel = f.file.strip_prefix(&base).unwrap_or(&f.file);
            let rel = rel.trim_start_matches('/').to_string();
            (rel, f.line, f.column, f.message.clone())
        })
        .collect();
    lines.sort();
    lines
        .iter()
        .map(|(file, line, col, msg)| format!("{file}:{line}:{col} {rule} {msg}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn expected(dir: &Path) -> BTreeSet<(String, u32, u32)> {
    let text = std::fs::read_to_string(dir.join("expect")).expect("expect file");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut it = l.rsplitn(3, ':');
            let col = it.next().unwrap().parse().unwrap();
            let line = it.next().unwrap().parse().unwrap();
            (it.next().unwrap().to_string(), line, col)
        })
        .collect()
}

#[test]
fn every_rule_fires_exactly_where_expected_and_not_on_its_pass_fixture() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in registry::manifest_rules() {
        let dir = fixtures().join(rule.id);
        let fire = dir.join("fire");
        let pass = dir.join("pass");
        if !fire.is_dir() || !pass.is_dir() {
            failures.push(format!("{}: missing fire/ or pass/ fixture", rule.id));
            continue;
        }
        let want = expected(&dir);
        if want.is_empty() {
            failures.push(format!("{}: expect lists no finding", rule.id));
        }
        let r = run(&fire, rule.id);
        let got = positions(&r, rule.id, &dir);
        if got != want {
            failures.push(format!(
                "{}: fire fixture\n  expected {want:?}\n  got      {got:?}",
                rule.id
            ));
        }
        if !r.errors.is_empty() {
            failures.push(format!(
                "{}: fire fixture has errors {:?}",
                rule.id, r.errors
            ));
        }
        // What the rule says, beside where (expect): <ID>/fire.snap.
        insta::with_settings!({
            snapshot_path => dir.clone(),
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => format!("{} on fire/", rule.id),
        }, {
            insta::assert_snapshot!("fire", messages(&r, rule.id, &dir));
        });
        let r = run(&pass, rule.id);
        let got = positions(&r, rule.id, &dir);
        if !got.is_empty() {
            failures.push(format!("{}: pass fixture fired at {got:?}", rule.id));
        }
        if !r.errors.is_empty() || r.summary.files.total == 0 {
            failures.push(format!(
                "{}: pass fixture not scanned cleanly: {:?}",
                rule.id, r.errors
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 80, "only {checked} rules checked");
}

#[test]
fn rule_ids_are_unique_well_formed_and_documented() {
    let mut seen = BTreeSet::new();
    for r in registry::manifest_rules() {
        assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
        let (prefix, num) = r.id.rsplit_once('-').expect("PREFIX-NNN");
        assert!(
            matches!(prefix, "K8S" | "DF" | "COMPOSE" | "SHIPSHAPE"),
            "{}",
            r.id
        );
        assert!(
            num.len() == 3 && num.bytes().all(|b| b.is_ascii_digit()),
            "{}",
            r.id
        );
        assert!(
            !r.title.is_empty() && !r.remediation.is_empty(),
            "{} lacks docs",
            r.id
        );
        assert!(!r.stride.is_empty(), "{} has no STRIDE category", r.id);
        if prefix != "SHIPSHAPE" {
            assert!(
                !r.refs.is_empty(),
                "{} has no benchmark or guidance reference",
                r.id
            );
        }
    }
    // Every fixture directory belongs to a rule (no stale fixtures).
    for e in std::fs::read_dir(fixtures()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            seen.contains(name.as_str()),
            "fixture for unknown rule {name}"
        );
    }
}

#[test]
fn cis_mappings_use_the_right_benchmark_per_domain() {
    use shipshape::rules::manifest::{Domain, Standard};
    for r in registry::manifest_rules() {
        for x in r.refs {
            match (r.domain, x.standard) {
                (Domain::Kubernetes, Standard::CisDocker) => panic!("{} maps to CIS Docker", r.id),
                (Domain::Dockerfile | Domain::Compose, Standard::CisKubernetes) => {
                    panic!("{} maps to CIS Kubernetes", r.id)
                }
                (_, Standard::CisKubernetes) => {
                    assert!(x.id.starts_with("5."), "{}: {}", r.id, x.id)
                }
                (Domain::Dockerfile, Standard::CisDocker)
                | (Domain::Compose, Standard::CisDocker) => {
                    assert!(
                        x.id.starts_with("4.") || x.id.starts_with("5."),
                        "{}: {}",
                        r.id,
                        x.id
                    )
                }
                _ => {}
            }
        }
    }
}

/// The rule catalogue in `docs/scan.md` (between the `rules:begin` and
/// `rules:end` markers) is generated from the registry; this test keeps it in
/// sync. Run with `UPDATE_DOCS=1` to regenerate it.
#[test]
fn docs_catalogue_matches_the_registry() {
    let mut table =
        String::from("| Id | Severity | Title | References | STRIDE |\n|---|---|---|---|---|\n");
    for r in registry::manifest_rules() {
        let refs: Vec<String> = r.refs.iter().map(|x| x.label()).collect();
        let stride: String = r.stride.iter().map(|s| s.letter()).collect();
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.id,
            r.severity.label(),
            r.title.replace('|', "\\|"),
            refs.join("; "),
            stride
        ));
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scan.md");
    let doc = std::fs::read_to_string(&path).expect("docs/scan.md");
    let (begin, end) = ("<!-- rules:begin -->\n", "<!-- rules:end -->");
    let b = doc.find(begin).expect("begin marker") + begin.len();
    let e = doc.find(end).expect("end marker");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let new = format!("{}{}{}", &doc[..b], table, &doc[e..]);
        std::fs::write(&path, new).unwrap();
        return;
    }
    assert_eq!(
        &doc[b..e],
        table,
        "docs/scan.md rule table is stale (UPDATE_DOCS=1)"
    );
}

/// A Windows HostProcess DaemonSet gets the Windows findings (HostProcess,
/// SYSTEM account, host network) and none of the Linux-only rules, which
/// Windows nodes ignore.
#[test]
fn windows_pods_get_windows_findings_and_no_linux_only_ones() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/windows");
    let opts = ScanOptions {
        paths: vec![dir],
        ..Default::default()
    };
    let r = scan(&opts).expect("scan runs");
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let ids: BTreeSet<&str> = r.findings.iter().map(|f| f.rule_id).collect();
    for linux_only in [
        "K8S-002", "K8S-003", "K8S-004", "K8S-005", "K8S-006", "K8S-013", "K8S-014", "K8S-015",
        "K8S-024", "K8S-025", "K8S-027", "K8S-062", "K8S-068",
    ] {
        assert!(
            !ids.contains(linux_only),
            "{linux_only} fired on a Windows pod: {ids:?}"
        );
    }
    for windows in ["K8S-023", "K8S-071", "K8S-009"] {
        assert!(ids.contains(windows), "{windows} missing: {ids:?}");
    }
}
