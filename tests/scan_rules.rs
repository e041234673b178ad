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

/// The severity policy in `docs/scan.md`, rule by rule: every rule sits in
/// exactly one tier and its severity is that tier's. A new rule fails this
/// test until it is placed.
#[rustfmt::skip]
const POLICY: &[(&str, &[&str])] = &[
    // A direct path to host or cluster takeover, or to the data without any
    // credential: privileged, runtime sockets, writable /, /etc, /proc,
    // /root, raw memory and disks, SYS_ADMIN/SYS_MODULE/ALL, HostProcess,
    // cluster-admin-equivalent RBAC, literal credentials, authentication off.
    ("critical", &[
        "K8S-001", "K8S-010", "K8S-020", "K8S-023", "K8S-032", "K8S-040", "K8S-043", "K8S-046",
        "K8S-055", "K8S-060", "K8S-072",
        "DF-006", "DF-016", "DF-017", "DF-020",
        "COMPOSE-001", "COMPOSE-002", "COMPOSE-015", "COMPOSE-030", "COMPOSE-032", "COMPOSE-033",
        "COMPOSE-034",
    ]),
    // A serious weakening of isolation, or a directly usable exposure.
    ("high", &[
        "K8S-004", "K8S-005", "K8S-007", "K8S-008", "K8S-009", "K8S-013", "K8S-014", "K8S-024",
        "K8S-030", "K8S-031", "K8S-033", "K8S-034", "K8S-035", "K8S-036", "K8S-037", "K8S-041",
        "K8S-042", "K8S-045", "K8S-050", "K8S-061", "K8S-067", "K8S-071", "K8S-074", "K8S-075",
        "DF-001", "DF-002", "DF-007", "DF-014", "DF-018", "DF-019", "DF-021",
        "COMPOSE-003", "COMPOSE-004", "COMPOSE-006", "COMPOSE-007", "COMPOSE-008", "COMPOSE-009",
        "COMPOSE-017", "COMPOSE-026", "COMPOSE-031",
    ]),
    // A hardening gap with a plausible path to harm.
    ("medium", &[
        "K8S-002", "K8S-003", "K8S-006", "K8S-012", "K8S-016", "K8S-018", "K8S-022", "K8S-025",
        "K8S-027", "K8S-038", "K8S-044", "K8S-047", "K8S-051", "K8S-052", "K8S-053", "K8S-054",
        "K8S-064", "K8S-065", "K8S-068", "K8S-070", "K8S-073",
        "DF-004", "DF-005", "DF-008", "DF-009", "DF-015", "DF-032",
        "COMPOSE-005", "COMPOSE-010", "COMPOSE-011", "COMPOSE-014", "COMPOSE-016", "COMPOSE-019",
        "COMPOSE-022", "COMPOSE-035", "COMPOSE-038", "COMPOSE-040",
        "SHIPSHAPE-001",
    ]),
    // Defence in depth and hygiene with a security effect.
    ("low", &[
        "K8S-011", "K8S-015", "K8S-017", "K8S-019", "K8S-021", "K8S-026", "K8S-062", "K8S-063",
        "K8S-069", "K8S-076",
        "DF-003", "DF-010", "DF-011", "DF-012", "DF-013", "DF-022", "DF-023", "DF-024", "DF-027",
        "DF-029", "DF-033", "DF-034",
        "COMPOSE-012", "COMPOSE-013", "COMPOSE-018", "COMPOSE-020", "COMPOSE-021", "COMPOSE-023",
        "COMPOSE-024", "COMPOSE-025", "COMPOSE-036", "COMPOSE-037", "COMPOSE-039",
        "SHIPSHAPE-002",
    ]),
    // Reliability or maintainability with no direct security effect.
    ("info", &["K8S-066", "DF-025", "DF-026", "DF-028", "DF-030", "DF-031"]),
];

/// The same danger written in each kind of file gets the same severity.
const SAME_DANGER: &[&[&str]] = &[
    &["K8S-001", "COMPOSE-001"],
    &["K8S-072", "COMPOSE-033"],
    &["K8S-005", "COMPOSE-004"],
    &["K8S-020", "COMPOSE-015", "DF-006", "DF-016", "DF-020"],
    &["K8S-060", "COMPOSE-030", "DF-017"],
    &["K8S-061", "COMPOSE-031", "DF-018"],
    &["K8S-004", "COMPOSE-026", "DF-001", "DF-002"],
    &["K8S-007", "COMPOSE-007"],
    &["K8S-008", "COMPOSE-008"],
    &["K8S-009", "COMPOSE-006"],
    &["K8S-013", "K8S-014", "COMPOSE-009"],
    &["K8S-015", "COMPOSE-013"],
    &["K8S-018", "DF-005", "COMPOSE-035"],
    &["K8S-019", "COMPOSE-036"],
    &["K8S-025", "COMPOSE-038"],
    &["K8S-070", "DF-015"],
    &["K8S-002", "COMPOSE-010"],
];

#[test]
fn policy_tiers_hold_for_every_rule() {
    let mut placed = std::collections::BTreeMap::new();
    for (tier, ids) in POLICY {
        for id in *ids {
            assert!(placed.insert(*id, *tier).is_none(), "{id} is in two tiers");
        }
    }
    let mut problems = Vec::new();
    for r in registry::manifest_rules() {
        match placed.remove(r.id) {
            None => problems.push(format!("{} is in no tier of the severity policy", r.id)),
            Some(tier) if tier != r.severity.label() => problems.push(format!(
                "{} is {} but the policy puts it under {tier}",
                r.id,
                r.severity.label()
            )),
            Some(_) => {}
        }
    }
    problems.extend(
        placed
            .keys()
            .map(|id| format!("{id} is placed but not a rule")),
    );
    let severity = |id: &str| {
        registry::manifest_rules()
            .find(|r| r.id == id)
            .map(|r| r.severity)
    };
    for group in SAME_DANGER {
        let first = severity(group[0]);
        for id in &group[1..] {
            if severity(id) != first {
                problems.push(format!("{} and {id} differ for the same danger", group[0]));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// One-line cases scanned for real: what the worst finding's tier must be.
#[test]
fn policy_cases_get_their_tier() {
    let cases: &[(&str, &str, &str)] = &[
        ("compose.yaml", "services:\n  a:\n    image: a:1\n    devices: [\"/dev/mem:/dev/mem\"]\n", "critical"),
        ("compose.yaml", "services:\n  a:\n    image: a:1\n    devices: [\"/dev/sdb\"]\n", "critical"),
        ("compose.yaml", "services:\n  a:\n    image: a:1\n    devices: [\"/dev/ttyUSB0\"]\n", "medium"),
        ("compose.yaml", "services:\n  a:\n    image: a:1\n    cap_add: [ALL]\n", "critical"),
        ("compose.yaml", "services:\n  a:\n    image: a:1\n    volumes: [\"/etc:/host/etc\"]\n", "critical"),
        ("compose.yaml", "services:\n  a:\n    image: a:1\n    volumes: [\"/var/run:/host/run:ro\"]\n", "critical"),
        ("compose.yaml", "services:\n  a:\n    image: a:1\n    environment: {MYSQL_ALLOW_EMPTY_PASSWORD: \"yes\"}\n", "critical"),
        ("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: c:1\n      securityContext: {capabilities: {add: [SYS_MODULE]}}\n", "critical"),
        ("Dockerfile", "FROM a:1\nENV POSTGRES_HOST_AUTH_METHOD=trust\nUSER 1000\n", "critical"),
        ("Dockerfile", "FROM a:1\nRUN echo 'root:x' | chpasswd\nUSER 1000\n", "critical"),
    ];
    let rank = |s: &str| {
        ["info", "low", "medium", "high", "critical"]
            .iter()
            .position(|x| *x == s)
    };
    for (name, text, want) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), text).unwrap();
        let opts = ScanOptions {
            paths: vec![dir.path().to_path_buf()],
            ..Default::default()
        };
        let r = scan(&opts).expect("scan runs");
        assert!(r.errors.is_empty(), "{text}: {:?}", r.errors);
        let worst = r
            .findings
            .iter()
            .map(|f| f.severity.label())
            .max_by_key(|s| rank(s))
            .unwrap_or("none");
        assert_eq!(worst, *want, "{name}:\n{text}");
    }
}
