//! `shipshape report`: the audit of this host, its threat model and a scan
//! of the given paths, in one document.

use super::audit::{load_snapshot, EvalArgs, SourceArgs};
use super::common::{FailOnArgs, OutputArgs};
use crate::collect;
use crate::findings::{Finding, Outcome};
use crate::report::combined::Combined;
use crate::report::html::{self, DiagramEngine, HtmlOptions};
use crate::report::Report;
use crate::rules;
use crate::scan::{scan, ScanOptions, ScanReport};
use crate::snapshot::{Probe, Snapshot};
use crate::threat::{analyze, build, Library};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Examples:
  shipshape report -o report.html                 audit + threat model of this host
  shipshape report k8s/ compose.yaml -o r.html    ... plus a scan of manifests and compose files
  shipshape report --snapshot s.json -o r.html    from a snapshot written by `shipshape collect`
  shipshape report -f markdown -o analysis.md     the write-up: per attack surface the threat,
                                                  the failed findings that prove it, harden steps

The HTML file is self-contained (inline CSS and JavaScript, no network) and opens from file://.
It holds a summary dashboard, a findings table that sorts and filters (outcome, severity,
benchmark, section, STRIDE, target, text; the filter is kept in the URL fragment, e.g.
report.html#o=FAIL&s=3), each finding's evidence, remediation and harden action, the threats by
attack surface, and the data-flow diagram (Graphviz when installed, else a built-in layout).

Exit codes: 0 = nothing at or above --fail-on, 1 = a failing check, scan finding or open threat at
or above --fail-on (default low), 2 = shipshape failed (bad arguments, unreadable snapshot,
Docker daemon unreachable: the report is still written).";

/// Output formats of `shipshape report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML page
    Html,
    /// The analysis write-up: per attack surface the threat, the failed
    /// findings that prove it and the harden steps
    Markdown,
}

#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct ReportArgs {
    /// Files or directories to scan (Kubernetes manifests, Dockerfiles, compose files); none: no scan
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Use a snapshot written by `shipshape collect` instead of this host
    #[arg(long, value_name = "FILE", conflicts_with_all = ["root", "all"])]
    pub snapshot: Option<PathBuf>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value = "html")]
    pub format: ReportFormat,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub gate: FailOnArgs,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// How to draw the data-flow diagram
    #[arg(long, value_enum, default_value = "auto")]
    pub diagram: DiagramEngine,
}

pub fn run(args: ReportArgs) -> i32 {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => {
            super::error(e);
            super::EXIT_TOOL_FAILED
        }
    }
}

fn snapshot(args: &ReportArgs) -> Result<Snapshot, String> {
    match &args.snapshot {
        Some(p) => load_snapshot(p),
        None => {
            args.source.validate()?;
            Ok(collect::collect(&args.source.collect_options()))
        }
    }
}

fn scan_paths(args: &ReportArgs) -> Result<Option<ScanReport>, String> {
    if args.paths.is_empty() {
        return Ok(None);
    }
    for p in &args.paths {
        std::fs::symlink_metadata(p).map_err(|e| format!("cannot scan {}: {e}", p.display()))?;
    }
    let report = scan(&ScanOptions {
        paths: args.paths.clone(),
        ..ScanOptions::default()
    })?;
    for e in &report.errors {
        args.out.warn(e.render());
    }
    Ok(Some(report))
}

fn run_inner(args: &ReportArgs) -> Result<i32, String> {
    let snap = snapshot(args)?;
    let checks: Vec<_> = rules::docker::checks().iter().collect();
    let eval = rules::evaluate(&snap, &args.eval.options(), &checks);
    let scanned = scan_paths(args)?;
    let excluded: Vec<&str> = eval.excluded.iter().map(|(n, _)| n.as_str()).collect();
    let mut model = build::from_snapshot_excluding(&snap, &excluded);
    let mut findings: Vec<Finding> = eval.findings.clone();
    if let Some(s) = &scanned {
        let (docs, scan_findings) = super::threats::scan_inputs(s);
        crate::threat::manifests::add_kubernetes(&mut model, &docs);
        findings.extend(scan_findings);
    }
    model.fill_defaults();
    let library = Library::builtin();
    let analysis = analyze(
        &model,
        &library,
        &findings,
        &[],
        super::threats::today_days(None)?,
    );
    for w in &analysis.warnings {
        args.out.warn(w);
    }
    let audit = Report::new(&snap, eval.findings, &eval.excluded);
    let combined = Combined {
        audit: Some(&audit),
        threats: Some(&analysis),
        scan: scanned.as_ref(),
    };
    args.out.write(&render(&combined, args))?;
    if let Probe::Error(e) = &snap.engine {
        return Err(format!("the Docker daemon could not be read: {e}"));
    }
    let failing = audit
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail)
        .map(|f| f.severity);
    let scan_sev = scanned
        .iter()
        .flat_map(|s| s.findings.iter().map(|f| f.severity));
    let open = analysis
        .instances
        .iter()
        .filter(|i| i.status.is_open())
        .map(|i| i.severity);
    Ok(i32::from(
        args.gate.fail_on.trips(failing.chain(scan_sev).chain(open)),
    ))
}

/// One arm per format: each renders the same [`Combined`].
fn render(c: &Combined<'_>, args: &ReportArgs) -> String {
    match args.format {
        ReportFormat::Html => html::render_report(
            c,
            &HtmlOptions {
                generated: crate::util::clock::now_rfc3339(),
                diagram: args.diagram,
            },
        ),
        ReportFormat::Markdown => match c.audit {
            Some(audit) => crate::report::writeup::render(audit, c.threats, c.scan, None),
            None => String::from(
                "# shipshape report\n\nNo audit was run, so there is nothing to write up.\n",
            ),
        },
    }
}
