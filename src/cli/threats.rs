//! `shipshape threats`: build the STRIDE threat model of the audited system.

use super::audit::{load_snapshot, EvalArgs, SourceArgs};
use super::common::{FailOnArgs, OutputArgs};
use crate::collect;
use crate::findings::Finding;
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
`dot -Tsvg`), mermaid, sarif and junit (the same writers as audit and scan). Trust boundaries are clusters; components are coloured by their highest
open risk.

Exit codes: 0 = done (and nothing at or above --fail-on is open), 1 = an open threat at or above
--fail-on (default low; `none` never) exists, 2 = shipshape failed (bad model or library file, unreadable snapshot, daemon
unreachable).";

/// Output formats of `shipshape threats`: the threat renderers, plus SARIF
/// and JUnit from the shared writers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThreatsFormat {
    /// Per attack surface, in the layout of hand-written STRIDE models
    Markdown,
    /// Complete, versioned JSON (schema "shipshape.threats" v1)
    Json,
    /// Graphviz DOT data-flow diagram (render with `dot -Tsvg`)
    Dot,
    /// Mermaid flowchart data-flow diagram
    Mermaid,
    /// SARIF 2.1.0: confirmed threats fail, unverified ones need review
    Sarif,
    /// JUnit XML: one suite per component, one case per threat instance
    Junit,
}

fn render(a: &crate::threat::Analysis<'_>, format: ThreatsFormat) -> String {
    use crate::report::{junit, sarif, threat};
    match format {
        ThreatsFormat::Markdown => render::render(a, ThreatFormat::Markdown),
        ThreatsFormat::Json => render::render(a, ThreatFormat::Json),
        ThreatsFormat::Dot => render::render(a, ThreatFormat::Dot),
        ThreatsFormat::Mermaid => render::render(a, ThreatFormat::Mermaid),
        ThreatsFormat::Sarif => sarif::render(&threat::run(a)),
        ThreatsFormat::Junit => junit::render(&threat::run(a)),
    }
}

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
    pub format: ThreatsFormat,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub gate: FailOnArgs,
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
                    args.out.warn(format_args!(
                        "threat '{}' names evidence check '{}', which shipshape does not have",
                        t.id, e.check
                    ));
                }
            }
        }
    }
    if args.list_library {
        args.out.write(&list_library(&library))?;
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
            None => collect::collect(&args.source.collect_options()),
        };
        if let Probe::Error(e) = &snap.engine {
            engine_error = Some(e.clone());
        }
        let checks: Vec<_> = rules::docker::checks().iter().collect();
        let opts = args.eval.options();
        let findings = rules::evaluate(&snap, &opts, &checks).findings;
        (build::from_snapshot(&snap), findings)
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
        args.out.warn(w);
    }
    args.out.write(&render(&analysis, args.format))?;
    if let Some(e) = engine_error {
        return Err(format!("the Docker daemon could not be read: {e}"));
    }
    let open = analysis.instances.iter().filter(|i| i.status.is_open());
    Ok(i32::from(args.gate.fail_on.trips(open.map(|i| i.severity))))
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
