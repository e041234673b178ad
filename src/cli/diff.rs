//! `shipshape diff OLD.json NEW.json`: what changed between two JSON
//! reports of the same command (audit, scan or threats), by stable
//! fingerprint. Threat reports are compared by `threats diff` (instance
//! ids, with status and score changes).

use super::common::OutputArgs;
use crate::report::baseline;
use crate::report::fingerprint::{BaselineState, ReportKind, Subject};
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// One line per new or fixed result, then the counts
    Text,
    /// {kind, new: [...], fixed: [...], unchanged: N}
    Json,
}

#[derive(clap::Args)]
#[command(after_help = "Both files are `-f json` reports of the same command \
(audit, scan or threats); the kind is read from the JSON. Results are matched by fingerprint: the \
benchmark-qualified rule id plus the target's identity (container name and image; file path, object \
and message; threat instance id), never a line number.\n\n\
Exit codes: 0 = compared (with --fail-on-new: and nothing new), 1 = --fail-on-new and NEW has \
results OLD did not, 2 = a file is missing, malformed or of another kind (file:line:column).")]
pub struct DiffArgs {
    /// The earlier JSON report
    pub old: PathBuf,
    /// The later JSON report
    pub new: PathBuf,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: DiffFormat,
    /// Exit 1 when NEW has results that OLD did not have
    #[arg(long)]
    pub fail_on_new: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

fn load(p: &Path) -> Result<(String, String, ReportKind, Vec<Subject>), String> {
    let name = crate::sanitize::visible(&p.display().to_string()).into_owned();
    let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read {name}: {e}"))?;
    let (kind, subjects) = baseline::read(&name, &text)?;
    Ok((name, text, kind, subjects))
}

pub fn run(args: DiffArgs) -> i32 {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => {
            super::error(e);
            super::EXIT_TOOL_FAILED
        }
    }
}

fn run_inner(args: &DiffArgs) -> Result<i32, String> {
    let (old_name, old_text, old_kind, old) = load(&args.old)?;
    let (new_name, new_text, new_kind, mut new) = load(&args.new)?;
    if old_kind != new_kind {
        return Err(format!(
            "{new_name}:1:1: a `{}` report cannot be compared with {old_name}, a `{}` report",
            new_kind.name(),
            old_kind.name()
        ));
    }
    let fixed = baseline::compare(&mut new, &old);
    let added: Vec<&Subject> = new
        .iter()
        .filter(|s| s.baseline_state == Some(BaselineState::New))
        .collect();
    let unchanged = new.len() - added.len();
    let text = match (args.format, new_kind) {
        (DiffFormat::Text, ReportKind::Threats) => {
            use crate::threat::diff;
            let d = diff::diff(
                &diff::read(&old_name, &old_text)?,
                &diff::read(&new_name, &new_text)?,
            );
            diff::render(&d)
        }
        (DiffFormat::Text, _) => text(new_kind, &added, &fixed, unchanged),
        (DiffFormat::Json, _) => {
            let v = serde_json::json!({
                "kind": new_kind,
                "old": old_name,
                "new": new_name,
                "new_results": added,
                "fixed_results": fixed,
                "unchanged": unchanged,
            });
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
    };
    args.out.write(&text)?;
    Ok(i32::from(args.fail_on_new && !added.is_empty()))
}

fn text(kind: ReportKind, added: &[&Subject], fixed: &[Subject], unchanged: usize) -> String {
    let v = |s: &str| crate::sanitize::visible(s).into_owned();
    let mut o = String::new();
    for (mark, s) in added
        .iter()
        .map(|s| ("+ new  ", *s))
        .chain(fixed.iter().map(|s| ("- fixed", s)))
    {
        let _ = writeln!(
            o,
            "{mark} {:<8} {} {}: {}",
            s.severity.label(),
            v(&s.rule),
            v(&s.target.label()),
            v(&s.title)
        );
    }
    let _ = writeln!(
        o,
        "{}: {} new, {} fixed, {unchanged} unchanged",
        kind.name(),
        added.len(),
        fixed.len()
    );
    o
}
