//! The data tests: a file's mode and owner, a setting compared with values,
//! and manual reviews.

use super::spec::{FileTest, Op, SettingTest, WhenUnset};
use super::KubeContext;
use crate::findings::{Evidence, Outcome, Target, Verdict};
use crate::snapshot::kubernetes::{FoundBy, KubeComponent, Setting};
use crate::snapshot::{FileFact, FileStat};

pub(super) fn validate_setting(s: &SettingTest) -> Result<(), String> {
    if s.keys.is_empty() || s.keys.iter().any(|k| k.split('|').any(str::is_empty)) {
        return Err("a setting test needs non-empty `keys`".into());
    }
    match s.op {
        Op::Present | Op::Absent if !s.values.is_empty() => {
            Err(format!("op {:?} takes no `values`", s.op))
        }
        Op::Eq | Op::Noteq | Op::Has if s.values.is_empty() => {
            Err(format!("op {:?} needs `values`", s.op))
        }
        Op::Gte if s.values.len() != 1 || s.values[0].parse::<f64>().is_err() => {
            Err("op gte needs one numeric value".into())
        }
        _ => Ok(()),
    }
}

/// A setting's value, trying `a|b` alternatives in order.
pub(super) fn lookup<'a>(c: &'a KubeComponent, key: &'a str) -> Option<(&'a str, &'a Setting)> {
    key.split('|')
        .find_map(|k| c.settings.get(k).map(|s| (k, s)))
}

fn same(a: &str, b: &str) -> bool {
    let bool_like = |s: &str| s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false");
    if bool_like(a) && bool_like(b) {
        a.eq_ignore_ascii_case(b)
    } else {
        a.trim() == b.trim()
    }
}

fn expected(s: &SettingTest) -> String {
    let vals = s.values.join(" or ");
    let e = match s.op {
        Op::Eq => vals,
        Op::Noteq => format!("not {vals}"),
        Op::Present => "set".into(),
        Op::Absent => "not set".into(),
        Op::Gte => format!(">= {vals}"),
        Op::Has => format!("containing {vals}"),
    };
    match (s.when_unset, s.op) {
        (WhenUnset::Pass, Op::Eq | Op::Noteq | Op::Gte | Op::Has) => format!("{e} (or unset)"),
        _ => e,
    }
}

fn compare(op: Op, value: &str, values: &[String]) -> Result<bool, String> {
    Ok(match op {
        Op::Eq => values.iter().any(|v| same(value, v)),
        Op::Noteq => !values.iter().any(|v| same(value, v)),
        Op::Present => !value.trim().is_empty(),
        Op::Absent => false,
        Op::Has => values.iter().any(|v| value.contains(v.as_str())),
        Op::Gte => {
            let n: f64 = value
                .trim()
                .parse()
                .map_err(|_| format!("{value:?} is not a number"))?;
            n >= values[0].parse::<f64>().unwrap_or(f64::MAX)
        }
    })
}

/// Evidence for one setting: `key=value` with its origin.
pub(super) fn setting_evidence(
    comp: &str,
    key: &str,
    s: &Setting,
    outcome: Outcome,
    expected: &str,
) -> Evidence {
    Evidence::new(
        Target::Component { name: comp.into() },
        outcome,
        format!("{key}={} ({})", s.value, s.origin.label()),
        expected,
    )
    .with_source(s.origin.label())
}

/// The outcome when a key is set nowhere: the component's own read errors
/// make it ERROR (the value may be in the file that could not be read).
pub(super) fn unset(
    c: &KubeComponent,
    comp: &str,
    key: &str,
    when: WhenUnset,
    exp: &str,
) -> Evidence {
    let outcome = if !c.errors.is_empty() {
        Outcome::Error
    } else if when == WhenUnset::Pass {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    let mut observed = format!("{key} is not set");
    if outcome == Outcome::Error {
        observed = format!(
            "{observed}; configuration not fully read: {}",
            c.errors.join("; ")
        );
    }
    Evidence::new(
        Target::Component { name: comp.into() },
        outcome,
        observed,
        exp,
    )
}

pub(super) fn setting(cx: &KubeContext, t: &SettingTest) -> Verdict {
    let c = match cx.component(&t.component) {
        Ok(c) => c,
        Err(v) => return v,
    };
    let exp = expected(t);
    let mut ev = Vec::new();
    for key in &t.keys {
        let e = match lookup(c, key) {
            None if t.op == Op::Absent => Evidence::new(
                Target::Component {
                    name: t.component.clone(),
                },
                Outcome::Pass,
                format!("{key} is not set"),
                &exp,
            ),
            None => unset(c, &t.component, key, t.when_unset, &exp),
            Some((k, s)) => match compare(t.op, &s.value, &t.values) {
                Ok(ok) => {
                    let o = if ok { Outcome::Pass } else { Outcome::Fail };
                    setting_evidence(&t.component, k, s, o, &exp)
                }
                Err(why) => {
                    let mut e = setting_evidence(&t.component, k, s, Outcome::Fail, &exp);
                    e.observed = format!("{}: {why}", e.observed);
                    e
                }
            },
        };
        ev.push(e);
    }
    summarise(ev)
}

/// One verdict from per-item evidence: the worst outcome, its observations
/// as the message.
pub(super) fn summarise(ev: Vec<Evidence>) -> Verdict {
    let outcome = ev
        .iter()
        .map(|e| e.outcome)
        .max()
        .unwrap_or(Outcome::NotApplicable);
    let shown: Vec<&Evidence> = match ev.iter().filter(|e| e.outcome == outcome).count() {
        0 => ev.iter().collect(),
        _ => ev.iter().filter(|e| e.outcome == outcome).collect(),
    };
    let message = shown
        .iter()
        .take(3)
        .map(|e| e.observed.clone())
        .collect::<Vec<_>>()
        .join("; ");
    let more = shown.len().saturating_sub(3);
    let message = if more > 0 {
        format!("{message}; and {more} more")
    } else {
        message
    };
    Verdict::new(outcome, message).with_all(ev)
}

/// Resolve a path a setting gives against the process's working directory.
pub(super) fn resolve(c: &KubeComponent, p: &str) -> String {
    match &c.found_by {
        FoundBy::Process { cwd: Some(cwd), .. } if !p.starts_with('/') => {
            format!("{}/{}", cwd.trim_end_matches('/'), p)
        }
        _ => p.to_string(),
    }
}

/// Whether `st` is within `max` (no permission bit outside it).
pub(super) fn mode_ok(st: &FileStat, max: u32) -> bool {
    st.mode & 0o7777 & !max == 0
}

/// Whether `st` is owned by `want` (`user:group`), by name when the
/// collector resolved names, else `root` as uid/gid 0.
pub(super) fn owner_ok(st: &FileStat, want: &str) -> bool {
    let (wu, wg) = want.split_once(':').unwrap_or((want, want));
    let one = |name: &Option<String>, id: u32, w: &str| match name {
        Some(n) => n == w,
        None => (w == "root" && id == 0) || w == id.to_string(),
    };
    one(&st.user, st.uid, wu) && one(&st.group, st.gid, wg)
}

/// Evidence for one stat'ed file against a mode or an owner.
pub(super) fn file_evidence(
    path: &str,
    fact: Option<&FileFact>,
    mode: Option<u32>,
    owner: Option<&str>,
    named_by: Option<&str>,
) -> Evidence {
    let target = Target::File { path: path.into() };
    let exp = match (mode, owner) {
        (Some(m), _) => format!("mode {m:04o} or stricter"),
        (None, Some(o)) => format!("owner {o}"),
        _ => String::new(),
    };
    let (outcome, observed) = match fact {
        None => (Outcome::Error, "not recorded by the collector".to_string()),
        Some(FileFact::Error { reason }) => (Outcome::Error, format!("cannot stat: {reason}")),
        Some(FileFact::Missing) => match named_by {
            Some(flag) => (Outcome::Fail, format!("missing, although {flag} names it")),
            None => (Outcome::NotApplicable, "absent".into()),
        },
        Some(FileFact::Present(st)) => match (mode, owner) {
            (Some(m), _) => (ok(mode_ok(st, m)), format!("mode {}", st.mode_octal())),
            (None, Some(o)) => (ok(owner_ok(st, o)), format!("owner {}", st.owner_label())),
            _ => (Outcome::Pass, String::new()),
        },
    };
    let mut e = Evidence::new(target, outcome, observed, exp);
    if let Some(flag) = named_by {
        e = e.with_source(flag.to_string());
    }
    e
}

fn ok(b: bool) -> Outcome {
    if b {
        Outcome::Pass
    } else {
        Outcome::Fail
    }
}

pub(super) fn file(cx: &KubeContext, t: &FileTest) -> Verdict {
    let c = match cx.component(&t.component) {
        Ok(c) => c,
        Err(v) => return v,
    };
    let mode = t.mode.as_deref().and_then(|m| super::spec::octal(m).ok());
    let owner = t.owner.as_deref();
    if let Some((k, s)) = t.setting.as_deref().and_then(|k| lookup(c, k)) {
        let path = resolve(c, &s.value);
        let named_by = format!("{k} ({})", s.origin.label());
        let e = file_evidence(
            &path,
            cx.facts.files.get(&path),
            mode,
            owner,
            Some(&named_by),
        );
        return summarise(vec![e]);
    }
    let candidates = t.var.as_deref().map(|v| cx.var(v)).unwrap_or(&[]);
    let facts: Vec<(&String, Option<&FileFact>)> = candidates
        .iter()
        .map(|p| (p, cx.facts.files.get(p)))
        .collect();
    let existing: Vec<&(&String, Option<&FileFact>)> = facts
        .iter()
        .filter(|(_, f)| matches!(f, Some(FileFact::Present(_) | FileFact::Error { .. })))
        .collect();
    let chosen: Vec<_> = if t.all {
        existing
    } else {
        existing.into_iter().take(1).collect()
    };
    if chosen.is_empty() {
        return absent(cx, &facts, &t.component);
    }
    summarise(
        chosen
            .into_iter()
            .map(|(p, f)| file_evidence(p, *f, mode, owner, None))
            .collect(),
    )
}

/// No candidate file exists: N/A when the collector saw them missing,
/// ERROR when it recorded none of them (facts only partly filled).
fn absent(cx: &KubeContext, facts: &[(&String, Option<&FileFact>)], comp: &str) -> Verdict {
    let names: Vec<&str> = facts.iter().map(|(p, _)| p.as_str()).collect();
    if facts.is_empty() {
        return Verdict::not_applicable(format!(
            "the {:?} profile has no such file for {comp}",
            cx.profile
        ));
    }
    if facts.iter().all(|(_, f)| f.is_none()) {
        return Verdict::error(format!(
            "the collector recorded none of {}",
            names.join(", ")
        ));
    }
    Verdict::not_applicable(format!("{comp} uses no file at {}", names.join(", ")))
}

/// A manual check: WARN saying what to review, N/A without the component.
pub(super) fn manual(cx: &KubeContext, section: &str, text: &str) -> Verdict {
    let comp = match section {
        "2" => "etcd",
        "4" => "kubelet",
        _ => "kube-apiserver",
    };
    match cx.component(comp) {
        Ok(_) => Verdict::warn(text),
        Err(v) => v,
    }
}
