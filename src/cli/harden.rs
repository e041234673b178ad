//! `shipshape harden plan|apply|rollback|history`.

use crate::harden::{self, Options};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct HardenArgs {
    #[command(subcommand)]
    pub command: HardenCommand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Options every harden subcommand accepts.
#[derive(clap::Args, Clone)]
pub struct Common {
    /// The host filesystem mounted at DIR (e.g. /host in a container)
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
    /// Where transaction journals and original files are kept
    #[arg(long, value_name = "DIR", default_value = harden::DEFAULT_STATE_DIR)]
    pub state_dir: PathBuf,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: Format,
    /// Show what would happen, change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Seconds to wait for the Docker daemon (API calls, reload, restart)
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub timeout: f64,
}

/// Options of the commands that build a plan.
#[derive(clap::Args, Clone)]
pub struct Planning {
    /// Only these checks: ids (2.15) or sections (1.1, 3); comma-separated
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub only: Vec<String>,
    /// Leave out these checks: ids or sections; comma-separated
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub exclude: Vec<String>,
    /// Change values you set yourself (the old value is shown and journaled)
    #[arg(long)]
    pub force: bool,
    /// The audit rules file shipshape writes
    #[arg(long, value_name = "FILE", default_value = crate::remediate::DEFAULT_RULES_FILE)]
    pub rules_file: String,
}

#[derive(clap::Subcommand)]
pub enum HardenCommand {
    /// Audit, and show every change that would fix the failing checks
    Plan {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        planning: Planning,
    },
    /// Apply the plan's live changes (with --restart, restart-class ones too)
    Apply {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        planning: Planning,
        /// Also apply changes that need a daemon restart, and restart it
        /// (through systemd; otherwise print the command to run)
        #[arg(long)]
        restart: bool,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Undo a transaction (default: the latest applied one)
    Rollback {
        /// Transaction id from `harden history`
        txn: Option<String>,
        #[command(flatten)]
        common: Common,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// List recorded transactions
    History {
        #[command(flatten)]
        common: Common,
    },
}

fn options(c: &Common, p: Option<&Planning>, restart: bool) -> Options {
    let src = super::audit::SourceArgs {
        root: c.root.clone(),
        all: false,
        timeout: c.timeout.clamp(0.05, 60.0),
        deadline: None,
    };
    Options {
        collect: src.collect_options(),
        root: c.root.clone(),
        state_dir: c.state_dir.clone(),
        rules_file: p.map(|p| p.rules_file.clone()).unwrap_or_default(),
        force: p.is_some_and(|p| p.force),
        restart,
        dry_run: c.dry_run,
        only: p.map(|p| p.only.clone()).unwrap_or_default(),
        exclude: p.map(|p| p.exclude.clone()).unwrap_or_default(),
        wait: Duration::from_secs_f64(c.timeout.clamp(0.5, 120.0)),
    }
}

/// Ask on a terminal; without one, `--yes` is required.
fn confirmer(yes: bool) -> impl FnMut(&str) -> bool {
    move |prompt: &str| {
        if yes {
            return true;
        }
        if !std::io::stdin().is_terminal() {
            super::error("not a terminal: pass --yes to confirm");
            return false;
        }
        eprint!("{prompt} [y/N] ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        matches!(line.trim(), "y" | "Y" | "yes" | "YES")
    }
}

pub fn run(args: HardenArgs) -> i32 {
    let (run, format) = match &args.command {
        HardenCommand::Plan { common, planning } => (
            harden::run_plan(&options(common, Some(planning), true)),
            common.format,
        ),
        HardenCommand::Apply {
            common,
            planning,
            restart,
            yes,
        } => {
            let opts = options(common, Some(planning), *restart);
            (
                harden::run_apply(&opts, &mut confirmer(*yes)),
                common.format,
            )
        }
        HardenCommand::Rollback { txn, common, yes } => {
            let opts = options(common, None, false);
            (
                harden::run_rollback(&opts, txn.as_deref(), &mut confirmer(*yes)),
                common.format,
            )
        }
        HardenCommand::History { common } => (
            harden::run_history(&options(common, None, false)),
            common.format,
        ),
    };
    let text = match format {
        Format::Text => run.text,
        Format::Json => serde_json::to_string_pretty(&run.json).unwrap_or_default() + "\n",
    };
    if let Err(e) = super::write_output(None, &text) {
        super::error(e);
        return super::EXIT_TOOL_FAILED;
    }
    if let Some(e) = &run.error {
        super::error(crate::remediate::escape(e));
    }
    run.code
}
