//! Baselines and the ignore file, as the commands use them: load both
//! before the run, apply the ignore list after evaluation, compare with the
//! baseline, and gate.

use super::common::{OutputArgs, TriageArgs};
use crate::report::baseline::{self, Baseline, Extras};
use crate::report::fingerprint::{ReportKind, Subject};
use crate::suppress::{IgnoreList, IgnoreReport};
use std::path::Path;

/// What `--baseline`, `--new-only` and the ignore files asked for.
pub struct Triage {
    pub kind: ReportKind,
    pub ignore: IgnoreList,
    pub baseline: Option<Baseline>,
}

impl TriageArgs {
    /// Read the baseline and the ignore list. `config` is the
    /// `shipshape.toml` in use, whose `[[ignore]]` tables count too.
    /// `None` means the `shipshape.toml` of the current directory;
    /// `Some(None)` means no config file at all (`scan --no-config`).
    pub fn load(&self, kind: ReportKind, config: Option<Option<&Path>>) -> Result<Triage, String> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
        let default_config = cwd.join(crate::scan::config::FILE_NAME);
        let config = config.unwrap_or(Some(&default_config));
        let ignore = if self.no_ignore {
            IgnoreList::default()
        } else {
            crate::suppress::discover(self.ignore_file.as_deref(), &cwd, config)?
        };
        let baseline = match &self.baseline {
            Some(p) => Some(baseline::load(p, kind)?),
            None => None,
        };
        Ok(Triage {
            kind,
            ignore,
            baseline,
        })
    }
}

impl Triage {
    /// Whether an ignore list was read (its report is then in every output).
    pub fn ignoring(&self) -> bool {
        !self.ignore.files.is_empty()
    }

    /// Compare `subjects` with the baseline and collect the extras.
    pub fn finish(&self, mut subjects: Vec<Subject>, ignore: Option<IgnoreReport>) -> Extras {
        let baseline = self.baseline.as_ref().map(|b| {
            let fixed = baseline::compare(&mut subjects, &b.subjects);
            (b.file.clone(), fixed)
        });
        Extras {
            kind: self.kind,
            subjects,
            baseline,
            ignore,
        }
    }
}

/// With `--new-only`, the exit code follows only the new results;
/// otherwise the command's own gate (`default`) decides.
pub fn gate(new_only: bool, x: &Extras, fail_on: super::FailOn, default: bool) -> bool {
    if new_only {
        fail_on.trips(x.gated(true).map(|s| s.severity))
    } else {
        default
    }
}

/// Stale and expired entries on stderr, for outputs that are not the
/// terminal text (which lists them itself).
pub fn warn(out: &OutputArgs, x: &Extras, text_on_stdout: bool) {
    let Some(ig) = &x.ignore else { return };
    if text_on_stdout {
        return;
    }
    for e in &ig.stale {
        out.warn(format_args!(
            "stale ignore entry at {}: '{}' matched nothing",
            e.at, e.id
        ));
    }
    for i in &ig.expired {
        out.warn(format_args!(
            "ignore entry at {} expired on {}; {} {} is raised again",
            i.entry,
            i.expires.as_deref().unwrap_or("?"),
            i.rule,
            i.target.label()
        ));
    }
}
