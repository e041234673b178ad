//! Command-line interface: parses arguments and drives the pipeline. It
//! decides nothing about verdicts; that is the rules' job.

mod audit;
mod audit_policies;
mod common;
mod db;
mod deps;
mod diff;
mod docs;
mod harden;
mod report;
mod rules_cmd;
mod scan;
mod threats;
mod triage;

use clap::{Parser, Subcommand};

pub use common::{FailOn, OutputArgs};

/// Exit code when the tool itself failed (bad input, unreachable daemon).
pub const EXIT_TOOL_FAILED: i32 = 2;

#[derive(Parser)]
#[command(
    name = "shipshape",
    version,
    about = "Audit, scan and threat-model container platforms",
    long_about = "shipshape audits a live Docker host against the CIS Docker Benchmark 1.6, scans \
Kubernetes manifests, Dockerfiles and compose files, and builds a STRIDE threat model from what it found.\n\n\
Every command takes -o/--output FILE, --color auto|always|never (NO_COLOR is honoured; \
colour only on a terminal) and -q/--quiet; audit, scan, threats and rules take -f/--format, and \
audit, scan and threats take --fail-on SEVERITY|none (default low: info-severity results never fail a run unless asked).\n\n\
Exit codes: 0 = no failing finding, 1 = failing findings, 2 = shipshape itself failed."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

const AUDIT_HELP: &str = "\
Examples:
  shipshape audit                        all 117 checks, running containers
  shipshape audit --all -c 5             section 5, including stopped containers
  shipshape audit -f json -o out.json    versioned JSON (docs/schema/audit-report.v1.json)
  shipshape collect -o s.json && shipshape audit --snapshot s.json
  shipshape audit -f markdown -o analysis.md   the write-up: threats per attack surface, proof, harden steps
  shipshape audit --baseline old.json --new-only   fail only on results new since old.json (docs/baselines.md)

Outcomes: PASS, FAIL, WARN (manual or needs review), INFO, N/A (not present or not
enabled), ERROR (could not be read; never counted as PASS).

Environment: DOCKER_HOST (unix:// only), NO_COLOR.

Exit codes: 0 no FAIL at or above --fail-on (default low), 1 such a FAIL, 2 shipshape failed (including an
unreachable Docker daemon; host checks still run and the rest are ERROR).";

#[derive(Subcommand)]
enum Command {
    /// Audit this Docker host (or a saved snapshot) against CIS Docker Benchmark 1.6
    #[command(after_long_help = AUDIT_HELP)]
    Audit(audit::AuditArgs),
    /// Collect the host snapshot and write it as JSON, without evaluating it
    Collect(audit::CollectArgs),
    /// List the checks, or show one check's documentation
    Rules(rules_cmd::RulesArgs),
    /// Scan Kubernetes manifests, Dockerfiles and compose files
    Scan(scan::ScanArgs),
    /// Build the STRIDE threat model of the audited system
    Threats(threats::ThreatsArgs),
    /// Fix failing checks on this Docker host as a reversible transaction (docs/harden.md)
    Harden(harden::HardenArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell)
    Completions(docs::CompletionsArgs),
    /// Print the man page (roff)
    Man(docs::ManArgs),
    /// Find known-vulnerable Python dependencies (lockfiles, environments, images, containers), offline
    Deps(deps::DepsArgs),
    /// Build or describe the offline advisory index used by `deps`
    Db(db::DbArgs),
    /// Compare two JSON reports of audit, scan or threats: new, fixed, unchanged
    Diff(diff::DiffArgs),
    /// Audit this host, build its threat model and scan PATHS, in one document (-f html)
    Report(report::ReportArgs),
}

/// Parse arguments, run the command, return the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_TOOL_FAILED } else { 0 };
        }
    };
    match cli.command {
        Command::Audit(a) => audit::run_audit(a),
        Command::Collect(a) => audit::run_collect(a),
        Command::Rules(a) => rules_cmd::run(a),
        Command::Scan(a) => scan::run(a),
        Command::Threats(a) => threats::run(a),
        Command::Harden(a) => harden::run(a),
        Command::Completions(a) => docs::completions(a),
        Command::Man(a) => docs::man(a),
        Command::Deps(a) => deps::run(a),
        Command::Db(a) => db::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Report(a) => report::run(a),
    }
}

/// Print a one-line error prefixed with the program name.
pub(crate) fn error(msg: impl std::fmt::Display) {
    // Messages carry file names and daemon answers: show control characters.
    eprintln!(
        "shipshape: error: {}",
        crate::sanitize::visible_lines(&crate::redact::redact_text(&msg.to_string()))
    );
}

/// Write `text` to `--output FILE` or stdout.
pub(crate) fn write_output(path: Option<&std::path::Path>, text: &str) -> Result<(), String> {
    use std::io::Write;
    match path {
        Some(p) => {
            std::fs::write(p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .or_else(|e| {
                    // A closed pipe (`| head`) is not a failure of ours.
                    if e.kind() == std::io::ErrorKind::BrokenPipe {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
                .map_err(|e| format!("cannot write to stdout: {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        // Catches clashing short flags or ids among the flattened shared args.
        super::Cli::command().debug_assert();
    }
}
