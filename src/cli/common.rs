//! The flags every subcommand shares, declared once and flattened into each
//! command, so they have the same names, defaults and help everywhere.
//!
//! `--fail-on` defaults to `low` for `audit`, `scan` and `threats` alike:
//! exit 1 when something the command judges failing (a FAIL, an unsuppressed
//! finding, an open threat) has severity low or higher. `info` severity is
//! informational by definition, so it should not break a pipeline unless
//! asked for (`--fail-on info`); anything with a real severity should, so
//! nothing needs to be configured for CI to notice. `none` opts out.

use crate::findings::Severity;
use crate::report::text::ColorWhen;
use std::path::PathBuf;

/// Output flags: where the report goes, colour, and how chatty to be.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct OutputArgs {
    /// Write the output to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour terminal output: auto (a terminal, NO_COLOR unset), always or never
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Same as --color never (kept for older scripts)
    #[arg(long, hide = true)]
    pub no_color: bool,
    /// Print nothing on stdout (unless -o names a file) and no warnings;
    /// errors and the exit code remain
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

impl OutputArgs {
    /// Whether the text output is coloured.
    pub fn color(&self) -> bool {
        let when = if self.no_color {
            ColorWhen::Never
        } else {
            self.color
        };
        when.enabled(self.output.is_some())
    }

    /// Write `text` to `-o FILE` or stdout (nothing on stdout with --quiet).
    pub fn write(&self, text: &str) -> Result<(), String> {
        if self.quiet && self.output.is_none() {
            return Ok(());
        }
        super::write_output(self.output.as_deref(), text)
    }

    /// Print a warning on stderr unless --quiet. Host and file data in it
    /// are shown with control characters made visible.
    pub fn warn(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            let msg = msg.to_string();
            eprintln!(
                "shipshape: warning: {}",
                crate::sanitize::visible_lines(&msg)
            );
        }
    }

    /// Print a note on stderr unless --quiet (something the user should
    /// know that is not a problem).
    pub fn note(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            let msg = msg.to_string();
            eprintln!("shipshape: note: {}", crate::sanitize::visible_lines(&msg));
        }
    }
}

/// `--fail-on SEVERITY|none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FailOn {
    /// Never exit 1 because of findings
    None,
    Info,
    #[default]
    Low,
    Medium,
    High,
    Critical,
}

impl FailOn {
    /// The lowest severity that fails the run; `None` for `none`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::None => None,
            FailOn::Info => Some(Severity::Info),
            FailOn::Low => Some(Severity::Low),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::High => Some(Severity::High),
            FailOn::Critical => Some(Severity::Critical),
        }
    }

    /// Whether any of `severities` fails the run.
    pub fn trips(self, mut severities: impl Iterator<Item = Severity>) -> bool {
        self.threshold().is_some_and(|t| severities.any(|s| s >= t))
    }
}

/// The exit-code gate shared by `audit`, `scan` and `threats`.
#[derive(clap::Args, Clone, Copy, Debug, Default)]
pub struct FailOnArgs {
    /// Exit 1 when a failing result has at least this severity; `none` never
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Low)]
    pub fail_on: FailOn,
}

/// Baselines and ignore files, shared by `audit`, `scan` and `threats`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct TriageArgs {
    /// A previous `-f json` report of the same command: mark each failing
    /// result new, unchanged or fixed (by stable fingerprint)
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: --fail-on counts only new results
    #[arg(long, requires = "baseline")]
    pub new_only: bool,
    /// Ignore file (default: .shipshape-ignore.yaml in the current directory);
    /// [[ignore]] tables of shipshape.toml are read too
    #[arg(long, value_name = "FILE", conflicts_with = "no_ignore")]
    pub ignore_file: Option<PathBuf>,
    /// Read no ignore file and no [[ignore]] table
    #[arg(long)]
    pub no_ignore: bool,
}
