//! `shipshape threats`: build the STRIDE threat model of the audited system.

use super::audit::{load_snapshot, EvalArgs, SourceArgs};
use crate::collect;
use crate::findings::{Finding, Severity};
use crate::rules;
use crate::snapshot::Probe;
use crate::threat::render::{self, ThreatFormat};
use crate::threat::{analyze, build, modelfile, Library, SystemModel};
use std::path::PathBuf;

const LONG_ABOUT: &str = "\
Build a STRIDE threat model of the audited system and say which threats are live, with proof.

Where the model comes from:
  (default)           collect this host's Docker snapshot, run the CIS Docker checks, build the
                      model from what was found (daemon, client, runtime, images, registries,
                      containers, docker.sock mounts, TCP listeners, published ports)
  --snapshot FILE     the same from a snapshot written by `shipshape collect`
  --model FILE        a YAML model file that adds to or overrides the built model: components,
                      boundaries, flows and waivers (see docs/threats.md)
  --no-host --model F only the model file; no host is read and no check is run

Each threat of the library that applies to a component or flow becomes an instance with a stable
id `threat@component[@flow]`. Benchmark findings are its evidence: a failing check confirms it
(open-confirmed) or raises its likelihood, passing checks mark it mitigated, no evidence leaves it
open-unverified, and a waiver in the model file marks it accepted until its expiry date.
Risk = likelihood × impact, mapped to low / medium / high / critical.

Formats: markdown (per attack surface: STRIDE category, risk, reason, prevention, evidence,
linked findings and remediation), json (complete, versioned), dot (Graphviz; render with
`dot -Tsvg`) and mermaid. Trust boundaries are clusters; components are coloured by their highest
open risk.

Exit codes: 0 = done (and nothing at or above --fail-on is open), 1 = an open threat at or above
--fail-on exists, 2 = shipshape failed (bad model or library file, unreadable snapshot, daemon
unreachable).";

#[derive(clap::Args)]
#[command(after_help = LONG_ABOUT)]
pub struct ThreatsArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Build the model from a snapshot written by `shipshape collect` instead of this host
    #[arg(long, value_name = "FILE", conflicts_with_all = ["root", "all", "no_host"])]
    pub snapshot: Option<PathBuf>,
    /// YAML model file that extends or overrides the model and declares waivers
    #[arg(long, short = 'm', value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Use only the model file: do not read this host or run any check
    #[arg(long, requires = "model", conflicts_with_all = ["root", "all"])]
    pub no_host: bool,
    /// Add the threats of a library file (YAML); same ids replace built-in ones. Repeatable
    #[arg(long = "library", short = 'l', value_name = "FILE")]
    pub library: Vec<PathBuf>,
    /// Use only the --library files, not the built-in library
    #[arg(long, requires = "library")]
    pub replace_library: bool,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value = "markdown")]
    pub format: ThreatFormat,
    /// Write the output to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when an open threat of at least this severity exists
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// List the threats of the library (after --library/--replace-library) and exit
    #[arg(long)]
    pub list_library: bool,
    /// Judge waiver expiry as of this date (YYYY-MM-DD) instead of today
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

fn today_days(arg: Option<&str>) -> Result<i64, String> {
    match arg {
        Some(s) => modelfile::parse_date(s)
            .ok_or_else(|| format!("--today '{s}' is not a date of the form YYYY-MM-DD")),
        None => {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            Ok(secs.div_euclid(86_400))
        }
    }
}

pub fn run(args: ThreatsArgs) -> i32 {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => {
            super::error(e);
            super::EXIT_TOOL_FAILED
        }
    }
}

fn run_inner(args: &ThreatsArgs) -> Result<i32, String> {
    let today = today_days(args.today.as_deref())?;
    let mut library = if args.replace_library {
        Library::default()
    } else {
        Library::builtin()
    };
    for l in &args.library {
        library.add_file(l)?;
    }
    // A library naming a check that does not exist would never see evidence.
    let known = rules::docker::checks();
    if !known.is_empty() {
        for t in &library.threats {
            for e in &t.evidence {
                if !known.iter().any(|c| c.id == e.check) {
                    eprintln!(
                        "shipshape: warning: threat '{}' names evidence check '{}', which shipshape does not have",
                        crate::sanitize::visible(&t.id),
                        crate::sanitize::visible(&e.check)
                    );
                }
            }
        }
    }
    if args.list_library {
        super::write_output(args.output.as_deref(), &list_library(&library))?;
        return Ok(0);
    }
    let model_file = match &args.model {
        Some(p) => Some(modelfile::load(p)?),
        None => None,
    };

    let mut engine_error = None;
    let (mut model, findings): (SystemModel, Vec<Finding>) = if args.no_host {
        (SystemModel::default(), Vec::new())
    } else {
        let snap = match &args.snapshot {
            Some(p) => load_snapshot(p)?,
            None => {
                args.source.validate()?;
                collect::collect(&args.source.collect_options())
            }
        };
        if let Probe::Error(e) = &snap.engine {
            engine_error = Some(e.clone());
        }
        let checks: Vec<_> = rules::docker::checks().iter().collect();
        let opts = args.eval.options();
        let findings = rules::evaluate(&snap, &opts, &checks);
        (
            build::from_snapshot(&without_excluded(snap, &opts)),
            findings,
        )
    };
    let mut waivers = Vec::new();
    if let Some((name, mf)) = &model_file {
        if model.name.is_empty() {
            model.name = std::path::Path::new(name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
        }
        waivers = modelfile::apply(&mut model, name, mf)?;
    }
    model.fill_defaults();
    let analysis = analyze(&model, &library, &findings, &waivers, today);
    for w in &analysis.warnings {
        eprintln!("shipshape: warning: {}", crate::sanitize::visible_lines(w));
    }
    let text = render::render(&analysis, args.format);
    super::write_output(args.output.as_deref(), &text)?;
    if let Some(e) = engine_error {
        return Err(format!("the Docker daemon could not be read: {e}"));
    }
    Ok(match args.fail_on {
        Some(sev) if analysis.has_open_at_least(sev) => 1,
        _ => 0,
    })
}

/// One line per threat: id, STRIDE letters, what it applies to, title.
fn list_library(lib: &Library) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    for s in &lib.sources {
        let _ = writeln!(o, "# {} {} ({})", s.name, s.version, s.file);
    }
    for t in &lib.threats {
        let target = match &t.applies_to.flow {
            Some(f) => {
                let kinds = |k: &[crate::threat::ComponentKind]| {
                    if k.is_empty() {
                        "*".to_string()
                    } else {
                        k.iter().map(|k| k.name()).collect::<Vec<_>>().join("|")
                    }
                };
                format!("flow {} -> {}", kinds(&f.from), kinds(&f.to))
            }
            None => t
                .applies_to
                .kinds
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(", "),
        };
        let _ = writeln!(
            o,
            "{:<48} {:<4} {:<40} {}",
            t.id,
            render::stride_letters(&t.stride),
            target,
            t.title
        );
    }
    o
}

/// The snapshot less the containers `--exclude-containers` names, so they
/// are not in the model at all (not merely without evidence).
fn without_excluded(
    mut snap: crate::snapshot::Snapshot,
    opts: &rules::EvalOptions,
) -> crate::snapshot::Snapshot {
    if let Probe::Ok(engine) = &mut snap.engine {
        engine.containers.retain(|c| {
            !opts
                .exclude_containers
                .iter()
                .any(|p| rules::wildcard_match(p, c.short_name()))
        });
    }
    snap
}
