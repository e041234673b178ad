//! `shipshape scan`: scan Kubernetes manifests, Dockerfiles and compose files.

use super::common::{FailOnArgs, OutputArgs, TriageArgs};
use crate::report::baseline::{self, Extras};
use crate::report::scan::ScanFormat;
use crate::scan::config::ScanConfig;
use crate::scan::{scan_with, ScanOptions};
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(
    after_help = "Scan Kubernetes manifests (YAML/JSON, multi-document, kind: List), Dockerfiles \
(Dockerfile*, *.Dockerfile, Containerfile) and compose files (compose.y*ml, docker-compose*.y*ml) for \
misconfigurations mapped to CIS Docker 1.6, CIS Kubernetes 1.12, Pod Security Standards and NSA/CISA guidance.\n\n\
Directories are walked recursively. .gitignore and .ignore files are respected; hidden files and directories (.env, .github/, .k8s/) are not skipped; \
.git/ is; symbolic links are followed with loop detection.\n\n\
Suppress a finding with a comment `# shipshape:ignore RULE-ID reason` on the line before it (or at the end of \
the YAML line), `# shipshape:ignore-file RULE-ID reason` for a whole file, the annotation \
`shipshape.io/ignore: \"RULE-ID: reason\"` on a Kubernetes object, or the same label on a compose service. \
A suppression without a reason is not applied and is reported (SHIPSHAPE-001).\n\n\
Exit codes: 0 = no finding at or above --fail-on, 1 = such findings, or a file that could \
not be read or parsed (unless --ignore-errors), 2 = shipshape itself failed (bad arguments, a missing path, an invalid config, output not \
writable). Problems with individual files are reported with file:line:column and never stop the scan."
)]
pub struct ScanArgs {
    /// Files or directories to scan (default: the current directory)
    pub paths: Vec<PathBuf>,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: ScanFormat,

    #[command(flatten)]
    pub out: OutputArgs,

    #[command(flatten)]
    pub gate: FailOnArgs,

    #[command(flatten)]
    pub triage: TriageArgs,

    /// Configuration file (default: shipshape.toml in the first scanned directory, else in the current directory)
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Do not read any shipshape.toml
    #[arg(long)]
    pub no_config: bool,

    /// Run only these rules (repeatable, e.g. --rule K8S-001 --rule DF-007)
    #[arg(long = "rule", value_name = "RULE-ID")]
    pub rules: Vec<String>,

    /// Do not run these rules (repeatable; adds to `disable` in shipshape.toml)
    #[arg(long = "disable", value_name = "RULE-ID")]
    pub disable: Vec<String>,

    /// Skip files larger than this many bytes (default 64 MiB, or max_file_size in shipshape.toml)
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,

    /// Do not follow symbolic links while walking directories
    #[arg(long)]
    pub no_follow_symlinks: bool,

    /// Number of worker threads (default: one per CPU)
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// Kept for compatibility: a file that could not be scanned (invalid
    /// YAML, binary, unreadable, too large, loop) already makes the exit code 1
    #[arg(long, conflicts_with = "ignore_errors")]
    pub strict: bool,

    /// Exit 0 even when a file could not be read or parsed (the reasons are
    /// still printed); by default such a file makes the exit code 1
    #[arg(long)]
    pub ignore_errors: bool,
}

pub fn run(args: ScanArgs) -> i32 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    for p in &paths {
        if let Err(e) = std::fs::symlink_metadata(p) {
            super::error(format!("cannot scan {}: {e}", p.display()));
            return super::EXIT_TOOL_FAILED;
        }
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let config_path = if args.no_config {
        None
    } else {
        args.config
            .clone()
            .or_else(|| ScanConfig::discover(&paths, &cwd))
    };
    let mut config = match &config_path {
        Some(p) => match ScanConfig::load(p) {
            Ok(c) => c,
            Err(e) => {
                super::error(e);
                return super::EXIT_TOOL_FAILED;
            }
        },
        None => ScanConfig::default(),
    };
    for d in &args.disable {
        if crate::rules::registry::find(d).is_none() {
            super::error(format!("unknown rule id '{d}' in --disable"));
            return super::EXIT_TOOL_FAILED;
        }
        config.disable.push(d.clone());
    }
    if let Some(m) = args.max_file_size {
        config.max_file_size = Some(m);
    }
    if let Some(j) = args.jobs {
        // Only fails if a pool already exists, which is harmless.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(j.max(1))
            .build_global();
    }
    let opts = ScanOptions {
        paths,
        config,
        follow_links: !args.no_follow_symlinks,
        only: args.rules.clone(),
    };
    let (report, extras) = match scan_with(&opts, args.format == ScanFormat::Text)
        .and_then(|r| triage(&args, r, config_path))
    {
        Ok(r) => r,
        Err(e) => {
            super::error(e);
            return super::EXIT_TOOL_FAILED;
        }
    };
    if let Err(e) = write_report(&report, args.format, &args.out, &extras) {
        super::error(e);
        return super::EXIT_TOOL_FAILED;
    }
    // Machine formats on stdout carry the errors; say so on stderr too.
    if args.format != ScanFormat::Text || args.out.output.is_some() {
        super::triage::warn(&args.out, &extras, false);
        for e in &report.errors {
            args.out.warn(e.render());
        }
        for u in &report.summary.unclassified_files {
            args.out.note(format_args!("{}: {}", u.file, u.reason));
        }
    }
    let fail_on = args.gate.fail_on;
    let failing = fail_on.trips(report.findings.iter().map(|f| f.severity));
    let failing = super::triage::gate(args.triage.new_only, &extras, fail_on, failing);
    let code = i32::from(failing || (!args.ignore_errors && !report.errors.is_empty()));
    // The process exits next: freeing tens of thousands of findings one by
    // one would only delay that (about 10 ms on a large tree).
    std::mem::forget(report);
    code
}

/// Apply the ignore list and compare with the baseline.
fn triage(
    args: &ScanArgs,
    mut report: crate::scan::ScanReport,
    config: Option<PathBuf>,
) -> Result<(crate::scan::ScanReport, Extras), String> {
    use crate::report::fingerprint::{scan_subjects, ReportKind};
    let config = if args.no_config {
        Some(None)
    } else {
        config.as_deref().map(Some)
    };
    let t = args.triage.load(ReportKind::Scan, config)?;
    let ignored = t
        .ignoring()
        .then(|| crate::suppress::apply_scan(&mut report, &t.ignore, crate::suppress::today()));
    // Fingerprints cost a hash and a few strings per finding (70,000 on a
    // large tree): work them out only where they are shown or compared.
    // JSON without a baseline streams them while it writes.
    let needed = t.baseline.is_some() || t.ignoring();
    let subjects = if needed {
        let sarif_rewrite = args.format == ScanFormat::Sarif;
        scan_subjects(&report, sarif_rewrite)
    } else {
        Vec::new()
    };
    let extras = t.finish(subjects, ignored);
    Ok((report, extras))
}

/// Stream the report to `--output FILE` or stdout. A closed pipe (`| head`)
/// is not a failure. JSON and SARIF get the fingerprints, baseline and
/// ignore parts; text ends with their section.
fn write_report(
    report: &crate::scan::ScanReport,
    format: ScanFormat,
    out: &OutputArgs,
    x: &Extras,
) -> Result<(), String> {
    let (color, output) = (out.color(), out.output.as_deref());
    if out.quiet && output.is_none() {
        return Ok(());
    }
    match format {
        ScanFormat::Json => {
            // Without a baseline the fingerprints were not worked out
            // beforehand: they stream from the report.
            let lazy = |w: &mut dyn std::io::Write| {
                crate::report::fingerprint::write_scan_subjects(report, w)
            };
            let lazy: Option<&baseline::LazyFingerprints<'_>> =
                x.subjects.is_empty().then_some(&lazy);
            return stream(output, |w| {
                baseline::write_json_with(
                    |w| crate::report::scan::write(report, format, color, w),
                    x,
                    lazy,
                    w,
                )
            });
        }
        // Without a baseline or an ignore file the SARIF is not rewritten,
        // so it streams like the rest.
        ScanFormat::Sarif if x.baseline.is_some() || x.ignore.is_some() => {
            let sarif = crate::report::scan::render(report, format, color);
            return out.write(&baseline::sarif(&sarif, x));
        }
        _ => {}
    }
    let tail = if format == ScanFormat::Text {
        baseline::text(x)
    } else {
        String::new()
    };
    stream(output, |w| {
        crate::report::scan::write(report, format, color, w)?;
        w.write_all(tail.as_bytes())
    })
}

/// Run `body` on a buffered `--output FILE` or stdout. A closed pipe
/// (`| head`) is not a failure.
fn stream(
    output: Option<&std::path::Path>,
    body: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), String> {
    use std::io::Write;
    let result = match output {
        Some(p) => {
            let f = std::fs::File::create(p)
                .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
            let mut w = std::io::BufWriter::new(f);
            body(&mut w).and_then(|_| w.flush())
        }
        None => {
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            body(&mut w).and_then(|_| w.flush())
        }
    };
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!(
            "cannot write {}: {e}",
            output
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "to stdout".into())
        )),
        _ => Ok(()),
    }
}
