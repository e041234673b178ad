//! Baselines: compare this run's failing results with a previous JSON
//! report of the same command, by fingerprint ([`super::fingerprint`]),
//! and mark each one new, unchanged or fixed. Also the extra parts every
//! output carries for baselines and ignore files: the `fingerprints`,
//! `baseline` and `ignore` keys of the JSON, a section of the text report,
//! and `partialFingerprints`, `baselineState` and external `suppressions`
//! in SARIF.

use super::fingerprint::{BaselineState, Identity, ReportKind, Subject};
use crate::suppress::IgnoreReport;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{self, Write};

/// A previous report's failing results.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub file: String,
    pub kind: ReportKind,
    pub subjects: Vec<Subject>,
}

/// Which command wrote a JSON report, from its shape.
pub fn detect_kind(v: &Value) -> Option<ReportKind> {
    if v["schema"] == "shipshape.threats" {
        Some(ReportKind::Threats)
    } else if v["benchmark"].is_string() && v["findings"].is_array() {
        Some(ReportKind::Audit)
    } else if v["summary"]["files"].is_object() && v["findings"].is_array() {
        Some(ReportKind::Scan)
    } else {
        None
    }
}

#[derive(Deserialize)]
struct WithFingerprints {
    fingerprints: Vec<Subject>,
}

/// The open instances of a threats JSON report written without
/// `fingerprints`: the stable instance id is the identity.
fn threat_fallback(v: &Value) -> Vec<Subject> {
    let closed = ["mitigated", "accepted"];
    let s = |x: &Value| x.as_str().unwrap_or("").to_string();
    v["threats"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|t| !closed.contains(&t["status"].as_str().unwrap_or("")))
        .map(|t| {
            let sev = serde_json::from_value(t["severity"].clone())
                .unwrap_or(crate::findings::Severity::Info);
            Subject::new(
                format!("threat:{}", s(&t["threat"])),
                crate::findings::fingerprint::threat_identity(
                    &s(&t["id"]),
                    &s(&t["component"]["id"]),
                ),
                sev,
                s(&t["title"]),
            )
        })
        .collect()
}

/// Read a JSON report: which command wrote it and its failing results.
/// Errors name `file:line:column`.
pub fn read(file: &str, text: &str) -> Result<(ReportKind, Vec<Subject>), String> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| format!("{file}:{}:{}: not a JSON report: {e}", e.line(), e.column()))?;
    let kind = detect_kind(&v).ok_or_else(|| {
        format!("{file}:1:1: not a shipshape JSON report of audit, scan or threats (write one with `-f json`)")
    })?;
    if v.get("fingerprints").is_some() {
        let w: WithFingerprints = serde_json::from_str(text).map_err(|e| {
            format!(
                "{file}:{}:{}: malformed \"fingerprints\": {e}",
                e.line(),
                e.column()
            )
        })?;
        return Ok((kind, w.fingerprints));
    }
    if kind == ReportKind::Threats {
        return Ok((kind, threat_fallback(&v)));
    }
    Err(format!(
        "{file}:1:1: this {} report has no \"fingerprints\" (an older shipshape wrote it); write it again with `shipshape {} -f json`",
        kind.name(),
        kind.name()
    ))
}

/// Load `--baseline FILE` for a run of `expected`.
pub fn load(path: &std::path::Path, expected: ReportKind) -> Result<Baseline, String> {
    let file = crate::sanitize::visible(&path.display().to_string()).into_owned();
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read baseline {file}: {e}"))?;
    let (kind, subjects) = read(&file, &text)?;
    if kind != expected {
        return Err(format!(
            "{file}:1:1: this is a `{}` report; --baseline for `{}` needs a previous `shipshape {} -f json` report",
            kind.name(),
            expected.name(),
            expected.name()
        ));
    }
    Ok(Baseline {
        file,
        kind,
        subjects,
    })
}

/// Mark `current` new or unchanged against `base`; return the baseline's
/// results that are gone (fixed).
pub fn compare(current: &mut [Subject], base: &[Subject]) -> Vec<Subject> {
    let old: HashSet<&str> = base.iter().map(|s| s.fingerprint.as_str()).collect();
    let now: HashSet<String> = current.iter().map(|s| s.fingerprint.clone()).collect();
    for s in current.iter_mut() {
        s.baseline_state = Some(if old.contains(s.fingerprint.as_str()) {
            BaselineState::Unchanged
        } else {
            BaselineState::New
        });
    }
    base.iter()
        .filter(|s| !now.contains(&s.fingerprint))
        .map(|s| Subject {
            baseline_state: Some(BaselineState::Fixed),
            ..s.clone()
        })
        .collect()
}

/// Everything a run adds to its outputs for baselines and ignore files.
#[derive(Debug, Clone)]
pub struct Extras {
    pub kind: ReportKind,
    pub subjects: Vec<Subject>,
    /// The baseline's file and the results it had that are gone.
    pub baseline: Option<(String, Vec<Subject>)>,
    pub ignore: Option<IgnoreReport>,
}

impl Extras {
    /// The results a reader of a baseline comparison wants listed: the new
    /// ones, then the fixed ones.
    pub fn changes(&self) -> impl Iterator<Item = &Subject> {
        let fixed = self.baseline.iter().flat_map(|b| &b.1);
        self.subjects
            .iter()
            .filter(|s| s.baseline_state == Some(BaselineState::New))
            .chain(fixed)
    }

    pub fn count(&self, state: BaselineState) -> usize {
        match state {
            BaselineState::Fixed => self.baseline.as_ref().map_or(0, |b| b.1.len()),
            s => self
                .subjects
                .iter()
                .filter(|x| x.baseline_state == Some(s))
                .count(),
        }
    }

    /// The subjects `--fail-on` looks at: all, or with `--new-only` the new ones.
    pub fn gated(&self, new_only: bool) -> impl Iterator<Item = &Subject> {
        self.subjects
            .iter()
            .filter(move |s| !new_only || s.baseline_state == Some(BaselineState::New))
    }

    /// The keys added to the command's JSON report.
    pub fn json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("fingerprints".into(), json!(self.subjects));
        if let Some((file, fixed)) = &self.baseline {
            m.insert(
                "baseline".into(),
                json!({
                    "file": file,
                    "new": self.count(BaselineState::New),
                    "unchanged": self.count(BaselineState::Unchanged),
                    "fixed": fixed.len(),
                    "fixed_results": fixed,
                }),
            );
        }
        if let Some(ig) = &self.ignore {
            let mut v = json!(ig);
            v["count"] = json!(ig.ignored.len());
            m.insert("ignore".into(), v);
        }
        m
    }
}

/// Add the extras' keys at the end of a pretty-printed JSON object.
pub fn splice_json(json: &str, x: &Extras) -> String {
    let mut out = Vec::with_capacity(json.len() + 256);
    let _ = write_json_with_extras(|w| w.write_all(json.as_bytes()), x, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Stream a pretty-printed JSON object from `render` into `w`, with the
/// extras' keys (`baseline`, `fingerprints`, `ignore`) added before its
/// closing brace. Nothing is held in memory but the last few bytes: a scan
/// of 8,000 files has 70,000 fingerprints, and building the document as one
/// string (or as a `serde_json::Value`) cost hundreds of megabytes.
pub fn write_json_with_extras(
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    x: &Extras,
    w: &mut dyn Write,
) -> io::Result<()> {
    write_json_with(render, x, None, w)
}

/// Writes the `fingerprints` array as it goes, as the value of a top-level
/// key (its bracket one level deep).
pub type LazyFingerprints<'a> = dyn Fn(&mut dyn Write) -> io::Result<()> + 'a;

/// [`write_json_with_extras`], with the fingerprints written by `lazy`
/// instead of from `x.subjects`.
pub fn write_json_with(
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    x: &Extras,
    lazy: Option<&LazyFingerprints<'_>>,
    w: &mut dyn Write,
) -> io::Result<()> {
    let mut hb = HoldBack {
        inner: w,
        held: Vec::new(),
    };
    render(&mut hb)?;
    let HoldBack { inner: w, held } = hb;
    let Some(end) = held.iter().rposition(|&b| b == b'}') else {
        return w.write_all(&held);
    };
    let head = held[..end].trim_ascii_end();
    w.write_all(head)?;
    let mut first = head.ends_with(b"{");
    let mut key = |w: &mut dyn Write, k: &str| -> io::Result<()> {
        w.write_all(if first { b"\n  " } else { b",\n  " })?;
        first = false;
        write!(w, "\"{k}\": ")
    };
    if let Some((file, fixed)) = &x.baseline {
        key(w, "baseline")?;
        let v = json!({
            "file": file,
            "new": x.count(BaselineState::New),
            "unchanged": x.count(BaselineState::Unchanged),
            "fixed": fixed.len(),
            "fixed_results": fixed,
        });
        serde_json::to_writer_pretty(Indent(&mut *w), &v)?;
    }
    key(w, "fingerprints")?;
    match lazy {
        Some(write) => write(&mut *w)?,
        None => serde_json::to_writer_pretty(Indent(&mut *w), &x.subjects)?,
    }
    if let Some(ig) = &x.ignore {
        key(w, "ignore")?;
        let mut v = json!(ig);
        v["count"] = json!(ig.ignored.len());
        serde_json::to_writer_pretty(Indent(&mut *w), &v)?;
    }
    w.write_all(b"\n}")?;
    w.write_all(&held[end + 1..])
}

/// Passes bytes through but keeps the last few back, so the caller can
/// splice before the document's closing brace.
struct HoldBack<'a> {
    inner: &'a mut dyn Write,
    held: Vec<u8>,
}

impl Write for HoldBack<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        const KEEP: usize = 64;
        if buf.len() >= KEEP {
            // A large write (a rendered chunk) goes straight through, all
            // but its last bytes, without being copied into `held` first.
            self.inner.write_all(&self.held)?;
            let cut = buf.len() - KEEP;
            self.inner.write_all(&buf[..cut])?;
            self.held.clear();
            self.held.extend_from_slice(&buf[cut..]);
            return Ok(buf.len());
        }
        self.held.extend_from_slice(buf);
        if self.held.len() > 4 * KEEP {
            let cut = self.held.len() - KEEP;
            self.inner.write_all(&self.held[..cut])?;
            self.held.drain(..cut);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Indents every line after the first by two spaces: a pretty-printed value
/// nested one level deep. JSON strings never hold a raw newline, so only
/// structural line breaks are touched.
pub(crate) struct Indent<'a>(pub(crate) &'a mut dyn Write);

impl Write for Indent<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(i) = rest.iter().position(|&b| b == b'\n') {
            self.0.write_all(&rest[..=i])?;
            self.0.write_all(b"  ")?;
            rest = &rest[i + 1..];
        }
        self.0.write_all(rest)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The SARIF place of an identity for `rule` in a report of `kind`, the
/// same string [`sarif_locator`] builds from a result.
pub fn locator(kind: ReportKind, bare_rule: &str, id: &Identity) -> String {
    let place = match (kind, id.kind.as_str()) {
        (ReportKind::Threats, _) => id.name.clone(),
        (ReportKind::Scan, _) => format!(
            "{}|{}",
            super::sarif::uri(&id.path, Some("%SRCROOT%")),
            id.detail
        ),
        (_, "file") => super::sarif::uri(&id.path, None),
        (_, "container" | "image" | "network") => id.name.clone(),
        (_, k) => k.to_string(),
    };
    format!("{bare_rule}|{place}")
}

/// The place of one SARIF result, as [`locator`] writes it.
fn sarif_locator(kind: ReportKind, r: &Value) -> String {
    let rule = r["ruleId"].as_str().unwrap_or("");
    let loc = &r["locations"][0];
    let uri = loc["physicalLocation"]["artifactLocation"]["uri"].as_str();
    let logical = loc["logicalLocations"][0]["name"].as_str();
    let place = match kind {
        ReportKind::Threats => r["properties"]["object"].as_str().unwrap_or("").to_string(),
        ReportKind::Scan => format!(
            "{}|{}",
            uri.unwrap_or(""),
            r["message"]["text"].as_str().unwrap_or("")
        ),
        ReportKind::Audit => uri.or(logical).unwrap_or("").to_string(),
    };
    format!("{rule}|{place}")
}

/// The audit's ignored offenders as items of the finding core: the audit
/// reports them as INFO, which has no SARIF result and a passing JUnit
/// case, so each gets its own suppressed item (SARIF `suppressions`,
/// JUnit `<skipped>`), never dropped.
pub fn add_ignored_items<'a>(run: &mut super::core::Run<'a>, x: &'a Extras) {
    use super::core::{Hit, Item, Loc, Verdict};
    let Some(ig) = &x.ignore else { return };
    for i in &ig.ignored {
        let bare = i.rule.split_once(':').map_or(i.rule.as_str(), |r| r.1);
        let Some(rule) = run.rules.iter().position(|r| r.id == bare) else {
            continue;
        };
        let loc = match i.target.kind.as_str() {
            "file" => Loc::File {
                path: i.target.path.as_str().into(),
                base: None,
                region: None,
            },
            k => Loc::Logical {
                name: if i.target.name.is_empty() {
                    k
                } else {
                    &i.target.name
                }
                .into(),
                kind: k.into(),
            },
        };
        let text = format!("{} — ignored: {}", i.target.label(), i.reason);
        let (suite, classname) = run
            .items
            .iter()
            .find(|it| it.rule == Some(rule))
            .map(|it| (it.suite.clone(), it.classname.clone()))
            .unwrap_or_default();
        run.items.push(Item {
            rule: Some(rule),
            verdict: Verdict::Fail,
            severity: run.rules[rule].severity,
            message: text.clone().into(),
            details: Vec::new(),
            hits: vec![Hit {
                text: text.into(),
                loc,
                related: Vec::new(),
            }],
            suppressed: Some(i.reason.as_str().into()),
            object: "".into(),
            suite,
            case: format!("{bare} {} (ignored)", i.target.label()).into(),
            classname,
        });
    }
}

/// Add fingerprints, baseline states and external suppressions to SARIF,
/// when a baseline or an ignore file is in use (otherwise the SARIF is
/// left exactly as the shared writer wrote it).
pub fn sarif(text: &str, x: &Extras) -> String {
    if x.baseline.is_none() && x.ignore.is_none() {
        return text.to_string();
    }
    let Ok(mut log) = serde_json::from_str::<Value>(text) else {
        return text.to_string();
    };
    let mut by_place: HashMap<String, VecDeque<&Subject>> = HashMap::new();
    for s in &x.subjects {
        by_place.entry(s.locator.clone()).or_default().push_back(s);
    }
    let ignored: HashSet<String> = x
        .ignore
        .iter()
        .flat_map(|i| &i.ignored)
        .map(|i| {
            let bare = i.rule.split_once(':').map_or(i.rule.as_str(), |r| r.1);
            locator(x.kind, bare, &i.target)
        })
        .collect();
    let run = &mut log["runs"][0];
    if let Some(results) = run["results"].as_array_mut() {
        for r in results.iter_mut() {
            let place = sarif_locator(x.kind, r);
            if let Some(s) = by_place.get_mut(&place).and_then(|q| q.pop_front()) {
                r["partialFingerprints"] = json!({"shipshape/v1": s.fingerprint});
                if let Some(st) = s.baseline_state {
                    r["baselineState"] = json!(st.sarif());
                }
            }
            if ignored.contains(&place) {
                if let Some(sup) = r["suppressions"].as_array_mut() {
                    for s in sup {
                        s["kind"] = json!("external");
                    }
                }
            }
        }
    }
    if let Some(props) = Some(&mut run["properties"]) {
        if props.is_null() {
            *props = json!({});
        }
        for (k, v) in x.json() {
            if k != "fingerprints" {
                props[k] = v;
            }
        }
    }
    serde_json::to_string_pretty(&log).unwrap_or_else(|_| text.to_string()) + "\n"
}

/// The section the text report ends with: baseline changes, ignored
/// results, expired and stale entries. Host and file data are escaped.
pub fn text(x: &Extras) -> String {
    use std::fmt::Write;
    let v = |s: &str| crate::sanitize::visible(s).into_owned();
    let mut o = String::new();
    if let Some((file, fixed)) = &x.baseline {
        let _ = writeln!(
            o,
            "\nBaseline {}: {} new, {} unchanged, {} fixed",
            v(file),
            x.count(BaselineState::New),
            x.count(BaselineState::Unchanged),
            fixed.len()
        );
        for s in x.changes() {
            let state = s.baseline_state.map_or("", |b| b.name());
            let _ = writeln!(
                o,
                "  {state:<9} {:<8} {} {}: {}",
                s.severity.label(),
                v(&s.rule),
                v(&s.target.label()),
                v(&s.title)
            );
        }
    }
    if let Some(ig) = &x.ignore {
        o.push_str(&ignore_text(ig));
    }
    o
}

fn ignore_text(ig: &IgnoreReport) -> String {
    use std::fmt::Write;
    let v = |s: &str| crate::sanitize::visible(s).into_owned();
    let mut o = String::new();
    if !ig.ignored.is_empty() {
        let _ = writeln!(o, "\nIgnored results: {}", ig.ignored.len());
    }
    for i in &ig.ignored {
        let until = i
            .expires
            .as_ref()
            .map(|d| format!(", until {d}"))
            .unwrap_or_default();
        let owner = i
            .owner
            .as_ref()
            .map(|d| format!(", owner {}", v(d)))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  {} {}: {} ({}{owner}{until})",
            v(&i.rule),
            v(&i.target.label()),
            v(&i.reason),
            v(&i.entry)
        );
    }
    for i in &ig.expired {
        let _ = writeln!(
            o,
            "expired: ignore entry at {} ({}) expired on {}; {} {} is raised again",
            v(&i.entry),
            v(&i.rule),
            i.expires.as_deref().unwrap_or("?"),
            v(&i.rule),
            v(&i.target.label())
        );
    }
    for e in &ig.stale {
        let _ = writeln!(
            o,
            "warning: stale ignore entry at {}: '{}' matched nothing",
            v(&e.at),
            v(&e.id)
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::fingerprint::scan_identity;
    use crate::findings::Severity;

    fn subj(path: &str) -> Subject {
        Subject::new(
            "shipshape:K8S-001".into(),
            scan_identity(path, "Deployment/web", "runs as root"),
            Severity::High,
            "t".into(),
        )
    }

    #[test]
    fn compare_marks_new_unchanged_and_fixed() {
        let base = vec![subj("a.yaml"), subj("b.yaml")];
        let mut now = vec![subj("a.yaml"), subj("c.yaml")];
        let fixed = compare(&mut now, &base);
        assert_eq!(now[0].baseline_state, Some(BaselineState::Unchanged));
        assert_eq!(now[1].baseline_state, Some(BaselineState::New));
        assert_eq!(fixed.len(), 1);
        assert_eq!(fixed[0].target.path, "b.yaml");
    }

    #[test]
    fn splice_adds_keys_to_a_pretty_object_in_a_stream() {
        let subject = |n: usize| {
            Subject::new(
                "shipshape:K8S-001".into(),
                scan_identity(&format!("f{n}.yaml"), "Pod/web", "privileged"),
                Severity::Critical,
                "Privileged container".into(),
            )
        };
        let x = Extras {
            kind: ReportKind::Scan,
            subjects: (0..50).map(subject).collect(),
            baseline: None,
            ignore: None,
        };
        // Longer than what the splicer holds back, so it really streams.
        let big = "y".repeat(5000);
        let doc = format!("{{\n  \"k\": 1,\n  \"big\": \"{big}\"\n}}\n");
        let out = splice_json(&doc, &x);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["k"], 1);
        assert_eq!(v["big"].as_str().unwrap().len(), 5000);
        assert_eq!(v["fingerprints"].as_array().unwrap().len(), 50);
        assert_eq!(v["fingerprints"][3]["target"]["path"], "f3.yaml");
        assert!(out.ends_with("}\n"));
        // Nested one level: every fingerprint line is indented.
        assert!(
            out.contains("\n  \"fingerprints\": [\n    {"),
            "{}",
            &out[5000..5200]
        );
        // An empty object gets its keys without a stray comma.
        let out = splice_json("{}", &x);
        assert!(out.starts_with("{\n  \"fingerprints\""), "{}", &out[..40]);
        serde_json::from_str::<Value>(&out).unwrap();
    }

    #[test]
    fn malformed_and_foreign_baselines_name_file_line_and_column() {
        let e = read("old.json", "{\n  \"findings\": [,]\n}").unwrap_err();
        assert!(e.starts_with("old.json:2:16: "), "{e}");
        let e = read("old.json", "{\"x\": 1}").unwrap_err();
        assert!(e.starts_with("old.json:1:1: not a shipshape"), "{e}");
        let text = "{\"benchmark\": \"b\", \"findings\": [],\n \"fingerprints\": [{\"rule\": 1}]}";
        let e = read("old.json", text).unwrap_err();
        assert!(e.starts_with("old.json:2:"), "{e}");
    }
}
