//! The analysis write-up in Markdown (`audit -f markdown`, and `report -f
//! markdown` through [`render`]), in the layout of hand-written STRIDE
//! write-ups:
//!
//! 1. each attack surface with its threats: STRIDE category, risk, reason,
//!    prevention, and the containers or components it affects (one entry
//!    per threat, listing them, never one per container);
//! 2. "benchmark run results and analysis": the failed findings that prove
//!    the threats of each surface;
//! 3. the harden steps for each failed finding, with exact commands (from
//!    the remediation plan where shipshape can apply the fix itself).
//!
//! Everything from the host (names, observed values, paths) goes through
//! the shared escapers (`crate::sanitize::markdown` / `code_span`) after
//! secret redaction, so it cannot change the document's structure.

use super::baseline::Extras;
use super::fingerprint::BaselineState;
use super::Report;
use crate::findings::{Finding, Outcome, Severity};
use crate::rules::meta::Fix;
use crate::scan::ScanReport;
use crate::threat::eval::Instance;
use crate::threat::Analysis;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Names listed before "and N more".
const MAX_NAMES: usize = 6;

/// Host data as Markdown text, secrets redacted.
fn t(s: &str) -> String {
    crate::sanitize::markdown(&crate::redact::redact_text(s))
}

/// Host data as a code span, secrets redacted.
fn c(s: &str) -> String {
    crate::sanitize::code_span(&crate::redact::redact_text(s))
}

/// Host data in an indented code block line: control characters visible.
fn block(s: &str) -> String {
    crate::sanitize::visible(&crate::redact::redact_text(s)).into_owned()
}

/// A shell word: as is when plain, else single-quoted.
fn sh(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Sort key that orders `1.1.4` before `1.1.12`.
fn natural(id: &str) -> Vec<(u64, String)> {
    id.split(['.', '-', ':'])
        .map(|p| (p.parse().unwrap_or(u64::MAX), p.to_string()))
        .collect()
}

/// `a`, `b`, … and N more.
fn names(all: &[String]) -> String {
    let mut out: Vec<String> = all.iter().take(MAX_NAMES).map(|n| c(n)).collect();
    if all.len() > MAX_NAMES {
        out.push(format!("and {} more", all.len() - MAX_NAMES));
    }
    out.join(", ")
}

/// One threat of the library with the instances that are open.
struct Entry<'a> {
    threat: &'a crate::threat::library::Threat,
    open: Vec<&'a Instance>,
}

impl Entry<'_> {
    fn worst(&self) -> (Severity, u8) {
        self.open
            .iter()
            .map(|i| (i.severity, i.score))
            .max()
            .unwrap_or((Severity::Info, 0))
    }
    fn confirmed(&self) -> bool {
        self.open.iter().any(|i| i.status.is_confirmed())
    }
    /// Failing confirming checks across the instances, in id order.
    fn proofs(&self) -> BTreeSet<&str> {
        self.open
            .iter()
            .flat_map(|i| &i.evidence)
            .filter(|e| e.outcome == Outcome::Fail)
            .map(|e| e.check.as_str())
            .collect()
    }
}

/// Attack surfaces (library `surface`), each with its open threats, worst
/// first.
fn surfaces<'a>(a: &'a Analysis<'_>) -> Vec<(String, Vec<Entry<'a>>)> {
    let mut by: BTreeMap<usize, Vec<&'a Instance>> = BTreeMap::new();
    for i in a.instances.iter().filter(|i| i.status.is_open()) {
        by.entry(i.threat).or_default().push(i);
    }
    let mut surf: BTreeMap<String, Vec<Entry<'a>>> = BTreeMap::new();
    for (ti, open) in by {
        let threat = &a.library.threats[ti];
        surf.entry(threat.surface.clone())
            .or_default()
            .push(Entry { threat, open });
    }
    let mut out: Vec<(String, Vec<Entry<'a>>)> = surf.into_iter().collect();
    for (_, es) in out.iter_mut() {
        es.sort_by(|x, y| {
            (y.confirmed(), y.worst())
                .cmp(&(x.confirmed(), x.worst()))
                .then(x.threat.id.cmp(&y.threat.id))
        });
    }
    let key = |es: &Vec<Entry<'_>>| {
        let conf = es.iter().any(|e| e.confirmed());
        (conf, es.iter().map(|e| e.worst()).max())
    };
    out.sort_by(|x, y| key(&y.1).cmp(&key(&x.1)).then(x.0.cmp(&y.0)));
    out
}

/// Render the write-up. `threats` gives the attack surfaces; without it
/// the failed findings are grouped by benchmark section. `scan` adds a
/// manifest section, `extras` the baseline and ignore summary.
pub fn render(
    audit: &Report,
    threats: Option<&Analysis<'_>>,
    scan: Option<&ScanReport>,
    extras: Option<&Extras>,
) -> String {
    let mut o = String::with_capacity(32 * 1024);
    header(&mut o, audit);
    let surf = threats.map(surfaces).unwrap_or_default();
    let mut proven: BTreeSet<String> = BTreeSet::new();
    if threats.is_some() {
        threat_section(&mut o, &surf);
    }
    let failed: Vec<&Finding> = audit
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail)
        .collect();
    let _ = writeln!(o, "## 2. Benchmark run results and analysis\n");
    for (name, es) in &surf {
        let ids: BTreeSet<&str> = es.iter().flat_map(|e| e.proofs()).collect();
        let fs: Vec<&Finding> = failed
            .iter()
            .copied()
            .filter(|f| ids.contains(f.id))
            .collect();
        if fs.is_empty() {
            continue;
        }
        let _ = writeln!(o, "### {}\n", t(name));
        for f in fs {
            finding_line(&mut o, f, !proven.insert(f.id.to_string()));
        }
        o.push('\n');
    }
    let rest: Vec<&Finding> = failed
        .iter()
        .copied()
        .filter(|f| !proven.contains(f.id))
        .collect();
    if !rest.is_empty() {
        let title = if surf.is_empty() {
            "Failed findings"
        } else {
            "Other failed findings"
        };
        let _ = writeln!(o, "### {title}\n");
        for f in &rest {
            finding_line(&mut o, f, false);
        }
        o.push('\n');
    }
    harden_section(&mut o, audit, &failed);
    if let Some(s) = scan {
        scan_section(&mut o, s);
    }
    if let Some(x) = extras {
        extras_section(&mut o, x);
    }
    o
}

/// The write-up of an audited host: the threat model of `snap` (built-in
/// library, the containers the audit kept) gives the attack surfaces.
/// `audit -f markdown` calls this; so can `report -f markdown`, with the
/// scan of the given paths.
pub fn render_host(
    audit: &Report,
    snap: &crate::snapshot::Snapshot,
    scan: Option<&ScanReport>,
    extras: Option<&Extras>,
) -> String {
    use crate::threat::{analyze, build, Library};
    let excluded: Vec<&str> = audit
        .excluded_containers
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    let mut model = build::from_snapshot_excluding(snap, &excluded);
    model.fill_defaults();
    let library = Library::builtin();
    let today = crate::suppress::today();
    let a = analyze(&model, &library, &audit.findings, &[], today);
    render(audit, Some(&a), scan, extras)
}

fn header(o: &mut String, r: &Report) {
    let s = &r.summary;
    let _ = writeln!(
        o,
        "# Threat model and benchmark analysis: {}\n",
        t(&r.host.hostname)
    );
    let score = s.score.map_or("n/a".to_string(), |v| v.to_string());
    let _ = writeln!(
        o,
        "{} on {}, Docker {}; {}. {} PASS, {} FAIL, {} WARN, {} INFO, {} N/A, {} ERROR; score {score}.\n",
        t(&r.benchmark),
        t(&r.host.os),
        t(r.host.docker_version.as_deref().unwrap_or("unknown")),
        t(&r.timestamp),
        s.pass,
        s.fail,
        s.warn,
        s.info,
        s.not_applicable,
        s.error,
    );
    for e in &r.errors {
        let _ = writeln!(o, "> Limited: {}\n", t(e));
    }
}

fn threat_section(o: &mut String, surf: &[(String, Vec<Entry<'_>>)]) {
    let _ = writeln!(o, "## 1. Attack surfaces and threats (STRIDE)\n");
    if surf.is_empty() {
        let _ = writeln!(o, "No threat of the library is open on this system.\n");
    }
    for (n, (name, es)) in surf.iter().enumerate() {
        let _ = writeln!(o, "### {}. {}\n", n + 1, t(name));
        let (shown, unverified): (Vec<&Entry>, Vec<&Entry>) =
            es.iter().partition(|e| e.confirmed());
        for e in &shown {
            threat_entry(o, e);
        }
        if !unverified.is_empty() {
            let list: Vec<String> = unverified
                .iter()
                .map(|e| {
                    format!(
                        "{} ({}, {})",
                        t(&e.threat.title),
                        crate::threat::render::stride_names(&e.threat.stride),
                        e.worst().0
                    )
                })
                .collect();
            let _ = writeln!(
                o,
                "Also applies, not confirmed by a check: {}.\n",
                list.join("; ")
            );
        }
    }
}

fn threat_entry(o: &mut String, e: &Entry<'_>) {
    let th = e.threat;
    let (sev, score) = e.worst();
    let _ = writeln!(
        o,
        "**Potential threat:** {} — {}  ",
        crate::threat::render::stride_names(&th.stride),
        t(&th.title)
    );
    let _ = writeln!(o, "**Risk** ({sev}, score {score}): {}  ", t(&th.risk));
    let _ = writeln!(o, "**Reason:** {}  ", t(&th.reason));
    let prevention: Vec<String> = th.prevention.iter().map(|p| t(p)).collect();
    let _ = writeln!(o, "**Prevention:** {}  ", prevention.join(" "));
    let mut affected: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for i in e.open.iter().filter(|i| i.status.is_confirmed()) {
        let (kind, name) = i.id.split_once('@').map_or(("", ""), |(_, r)| {
            r.split_once(':').unwrap_or(("component", r))
        });
        let label = name.split('@').next().unwrap_or(name).to_string();
        affected.entry(kind).or_default().push(label);
    }
    let parts: Vec<String> = affected
        .iter_mut()
        .map(|(k, v)| {
            v.sort();
            v.dedup();
            let plural = if v.len() == 1 { "" } else { "s" };
            format!("{} {}{plural}: {}", v.len(), t(k), names(v))
        })
        .collect();
    let _ = writeln!(o, "**Affects:** {}  ", parts.join("; "));
    let mut proofs: Vec<&str> = e.proofs().into_iter().collect();
    proofs.sort_by_key(|id| natural(id));
    let proofs: Vec<String> = proofs.into_iter().map(c).collect();
    let _ = writeln!(o, "**Proved by:** {}\n", proofs.join(", "));
}

/// `- **[FAIL] 5.5** Title (high): message; 3 containers: a, b, c`.
fn finding_line(o: &mut String, f: &Finding, again: bool) {
    if again {
        let _ = writeln!(o, "- **[FAIL] {}** {} (see above)", f.id, t(f.title));
        return;
    }
    let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for e in f.evidence.iter().filter(|e| e.outcome == Outcome::Fail) {
        by.entry(e.target.kind())
            .or_default()
            .push(e.target.label());
    }
    let offenders: Vec<String> = by
        .iter_mut()
        .map(|(k, v)| {
            v.sort();
            let plural = if v.len() == 1 { "" } else { "s" };
            format!("{} {k}{plural}: {}", v.len(), names(v))
        })
        .collect();
    let tail = if offenders.is_empty() {
        String::new()
    } else {
        format!(" — {}", offenders.join("; "))
    };
    let _ = writeln!(
        o,
        "- **[FAIL] {}** {} ({}): {}{tail}",
        f.id,
        t(f.title),
        f.severity,
        t(&f.message)
    );
}

/// The exact commands for one failed finding.
fn commands(r: &Report, f: &Finding) -> Vec<String> {
    use crate::remediate::Change;
    let mut out = Vec::new();
    for a in r.remediation_plan.for_check(f.id) {
        match &a.change {
            Change::AuditRule { file, line, .. } => {
                out.push(format!("echo '{line}' | sudo tee -a {file}"));
                out.push(format!("sudo auditctl {line}"));
            }
            Change::DaemonJson {
                file, key, value, ..
            } => {
                out.push(format!("# in {file}, set \"{key}\": {value}"));
                let how = if crate::remediate::is_reloadable(key) {
                    "reload"
                } else {
                    "restart"
                };
                out.push(format!("sudo systemctl {how} docker"));
            }
            Change::Chmod { path, to, .. } => out.push(format!("sudo chmod {to:o} {}", sh(path))),
            Change::Chown { path, owner, .. } => {
                out.push(format!("sudo chown {owner} {}", sh(path)))
            }
            Change::EnvLine {
                file, name, value, ..
            } => out.push(format!("echo '{name}={value}' | sudo tee -a {file}")),
            Change::Manual { steps } => out.extend(steps.iter().map(|s| format!("# {s}"))),
        }
    }
    if out.is_empty() {
        let meta = crate::rules::docker::checks().iter().find(|c| c.id == f.id);
        if let Some(Fix::RunOption { flag }) = meta.map(|c| c.meta.fix) {
            let who: Vec<String> = f
                .evidence
                .iter()
                .filter(|e| e.outcome == Outcome::Fail)
                .map(|e| e.target.label())
                .take(3)
                .collect();
            for n in who {
                out.push(format!(
                    "docker rm -f {} && docker run {flag} … (same options and image as before)",
                    sh(&n)
                ));
            }
        }
    }
    out
}

fn harden_section(o: &mut String, r: &Report, failed: &[&Finding]) {
    let _ = writeln!(o, "## 3. Remediate the failed findings\n");
    if failed.is_empty() {
        let _ = writeln!(o, "Nothing failed.\n");
        return;
    }
    let auto = failed
        .iter()
        .filter(|f| r.remediation_plan.for_check(f.id).next().is_some())
        .count();
    if auto > 0 {
        let _ = writeln!(
            o,
            "`shipshape harden` applies the {auto} fixes marked *automatic* as one reversible transaction (`shipshape harden --dry-run` shows them first).\n"
        );
    }
    for (n, f) in failed.iter().enumerate() {
        let automatic = r.remediation_plan.for_check(f.id).next().is_some();
        let _ = writeln!(
            o,
            "{}. **[FAIL] {} — {}**{}  ",
            n + 1,
            f.id,
            t(f.title),
            if automatic { " *automatic*" } else { "" }
        );
        let _ = writeln!(o, "   Harden steps: {}", f.remediation);
        let cmds = commands(r, f);
        if !cmds.is_empty() {
            o.push('\n');
            for cmd in cmds {
                let _ = writeln!(o, "        {}", block(&cmd));
            }
        }
        o.push('\n');
    }
}

fn scan_section(o: &mut String, s: &ScanReport) {
    let _ = writeln!(o, "## 4. Manifest scan\n");
    let sm = &s.summary;
    let _ = writeln!(
        o,
        "{} files ({} Kubernetes, {} Dockerfile, {} compose): {} findings, {} suppressed, {} errors.\n",
        sm.files.total,
        sm.files.kubernetes,
        sm.files.dockerfile,
        sm.files.compose,
        sm.findings,
        sm.suppressed,
        sm.errors
    );
    let mut by: BTreeMap<(Severity, &str), (&str, BTreeSet<&str>, usize)> = BTreeMap::new();
    for f in &s.findings {
        let e = by
            .entry((f.severity, f.rule_id))
            .or_insert((f.title, BTreeSet::new(), 0));
        e.1.insert(f.file.as_str());
        e.2 += 1;
    }
    for ((sev, id), (title, files, n)) in by.iter().rev() {
        let files: Vec<String> = files.iter().map(|f| f.to_string()).collect();
        let _ = writeln!(
            o,
            "- **{id}** {} ({sev}): {n} in {}",
            t(title),
            names(&files)
        );
    }
    o.push('\n');
}

fn extras_section(o: &mut String, x: &Extras) {
    if x.baseline.is_none() && x.ignore.is_none() {
        return;
    }
    let _ = writeln!(o, "## Baseline and ignored results\n");
    if let Some((file, fixed)) = &x.baseline {
        let _ = writeln!(
            o,
            "Against {}: {} new, {} unchanged, {} fixed.\n",
            c(file),
            x.count(BaselineState::New),
            x.count(BaselineState::Unchanged),
            fixed.len()
        );
        for s in x.changes() {
            let _ = writeln!(
                o,
                "- {} {} {}: {}",
                s.baseline_state.map_or("", |b| b.name()),
                c(&s.rule),
                t(&s.target.label()),
                t(&s.title)
            );
        }
        o.push('\n');
    }
    if let Some(ig) = &x.ignore {
        let _ = writeln!(o, "{} results ignored:\n", ig.ignored.len());
        for i in &ig.ignored {
            let _ = writeln!(
                o,
                "- {} {}: {} ({})",
                c(&i.rule),
                t(&i.target.label()),
                t(&i.reason),
                c(&i.entry)
            );
        }
        for i in &ig.expired {
            let _ = writeln!(
                o,
                "- expired {} on {}: {} {} is raised again",
                c(&i.entry),
                t(i.expires.as_deref().unwrap_or("?")),
                c(&i.rule),
                t(&i.target.label())
            );
        }
        for e in &ig.stale {
            let _ = writeln!(o, "- stale {}: {} matched nothing", c(&e.at), c(&e.id));
        }
        o.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::docker::fixtures::{engine_mut, good_container, hardened};
    use crate::rules::{evaluate, EvalOptions};

    /// A host with 100 containers: 40 privileged, 60 without a memory
    /// limit, one of them with a hostile name.
    fn hundred() -> crate::snapshot::Snapshot {
        let mut snap = hardened();
        let e = engine_mut(&mut snap);
        e.containers.clear();
        for n in 0..100 {
            // Sorted first among the 60, so it is listed, not elided.
            let name = if n == 40 {
                "!evil|`x`\n# injected <img src=x onerror=alert(1)>".to_string()
            } else {
                format!("app-{n:03}")
            };
            let mut c = good_container(&name);
            c.id = format!("{n:03}{}", "f".repeat(61));
            if n < 40 {
                c.host_config.privileged = true;
            } else {
                c.host_config.memory = 0;
            }
            e.containers.push(c);
        }
        snap
    }

    fn write_up(snap: &crate::snapshot::Snapshot) -> String {
        let checks: Vec<_> = crate::rules::docker::checks().iter().collect();
        let eval = evaluate(snap, &EvalOptions::default(), &checks);
        let rep = Report::new(snap, eval.findings, &eval.excluded);
        let mut model = crate::threat::build::from_snapshot(snap);
        model.fill_defaults();
        let lib = crate::threat::Library::builtin();
        let a = crate::threat::analyze(&model, &lib, &rep.findings, &[], 0);
        render(&rep, Some(&a), None, None)
    }

    #[test]
    fn a_hundred_containers_give_one_entry_per_threat_in_under_500_lines() {
        let md = write_up(&hundred());
        let lines = md.lines().count();
        assert!(lines < 500, "{lines} lines:\n{md}");
        for h in [
            "## 1. Attack surfaces and threats (STRIDE)",
            "## 2. Benchmark run results and analysis",
            "## 3. Remediate the failed findings",
        ] {
            assert_eq!(md.matches(h).count(), 1, "{h}");
        }
        let entries: Vec<&str> = md
            .lines()
            .filter(|l| l.starts_with("**Potential threat:**"))
            .collect();
        assert!(!entries.is_empty(), "no threat entry:\n{md}");
        let unique: BTreeSet<&str> = entries.iter().copied().collect();
        assert_eq!(unique.len(), entries.len(), "a threat is repeated");
        // The privileged threat is one entry that lists its 40 containers.
        assert!(
            md.lines()
                .any(|l| l.starts_with("**Affects:** 40 containers: `app-000`")),
            "{md}"
        );
        // A container name appears in lists, never one entry per container.
        assert!(md.matches("app-000").count() < 15, "{md}");
        assert!(md.contains("**[FAIL] 5.5**") || md.contains("**[FAIL] 5.4**"));
    }

    #[test]
    fn host_data_cannot_change_the_document() {
        let md = write_up(&hundred());
        assert!(!md.lines().any(|l| l.starts_with("# injected")), "{md}");
        assert!(md.contains("!evil\\|"), "the name is listed, escaped: {md}");
        let prose = md.lines().filter(|l| !l.starts_with("        "));
        assert!(!prose.clone().any(|l| l.contains("evil|")), "{md}");
        assert!(prose
            .clone()
            .all(|l| !l.contains("<img") || l.contains("``")));
        // Commands quote host names for the shell.
        assert!(md.contains("docker rm -f '!evil|`x`\\n# injected"), "{md}");
        assert!(!md.contains("\n# injected"), "{md}");
    }

    #[test]
    fn a_scan_adds_its_section_grouped_by_rule() {
        let d = tempfile::tempdir().unwrap();
        let doc = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: x:1\n      securityContext: {privileged: true}\n";
        for f in ["a.yaml", "b.yaml"] {
            std::fs::write(d.path().join(f), doc).unwrap();
        }
        let scan = crate::scan::scan(&crate::scan::ScanOptions {
            paths: vec![d.path().to_path_buf()],
            ..Default::default()
        })
        .unwrap();
        let snap = hardened();
        let checks: Vec<_> = crate::rules::docker::checks().iter().collect();
        let eval = evaluate(&snap, &EvalOptions::default(), &checks);
        let rep = Report::new(&snap, eval.findings, &eval.excluded);
        let md = render_host(&rep, &snap, Some(&scan), None);
        assert!(md.contains("## 4. Manifest scan"), "{md}");
        let line = md
            .lines()
            .find(|l| l.starts_with("- **K8S-001**"))
            .unwrap_or_else(|| panic!("{md}"));
        assert!(line.contains(": 2 in "), "one line for both files: {line}");
    }
}
