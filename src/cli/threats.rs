//! `shipshape threats`: build the STRIDE threat model of the audited system.

use super::audit::{load_snapshot, EvalArgs, SourceArgs};
use super::common::{FailOnArgs, OutputArgs, TriageArgs};
use crate::collect;
use crate::findings::Finding;
use crate::report::fingerprint::{threat_subjects, ReportKind};
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
                      containers, docker.sock mounts, TCP listeners, published ports) and
                      the Kubernetes node when one runs here (API server, controller manager,
                      scheduler, etcd, kubelet, kube-proxy, static pod manifests, their flows
                      and the ports they bind beyond the node; CIS Kubernetes node findings,
                      linked as kubernetes:ID, and the observed settings are their evidence)
  --snapshot FILE     the same from a snapshot written by `shipshape collect`
  --model FILE        a YAML model file that adds to or overrides the built model: components,
                      boundaries, flows and waivers (see docs/threats.md)
  --no-host --model F only the model file; no host is read and no check is run
  --deps [--db DIR]   also read the installed Python packages of every container in the model and
                      match them against the offline advisory index: a vulnerable package
                      confirms app.vulnerable-dependencies on its container (the advisory is the
                      evidence), a clean scan mitigates it as of the index's date, and a container
                      not scanned leaves it not assessed
  --scan PATH...      also scan Kubernetes manifests and compose files: workloads, service
                      accounts, RBAC bindings, Services and NetworkPolicies become components and
                      flows, and the scan findings (K8S-*, COMPOSE-*) are their evidence

Each threat of the library that applies to a component or flow becomes an instance with a stable
id `threat@component[@flow]`. Findings about the same component are its evidence: a failing
confirming check (or an observed fact such as privileged) makes it open-confirmed, or
partially-mitigated when some of its targets pass; passing confirming checks mark it mitigated;
supporting checks only raise the likelihood once; only manual checks or model-file facts leave it
needs-review; a control nothing can observe yet is not-assessed; no evidence leaves it
open-unverified; a waiver in the model file marks it accepted until its expiry date.
Score = likelihood × impact (1-16) → low / medium / high; critical only for a direct takeover
path (socket mount, privileged, SYS_ADMIN, host PID as root, writable / or /etc, open TCP API).

Formats: markdown (top 10 fixes, then one entry per threat with the affected components and what
was observed, a checklist of model-only threats), json (complete, versioned), dot (Graphviz;
render with `dot -Tsvg`), mermaid, sarif and junit (the same writers as audit and scan).
Diagrams collapse identical containers, hide local image and runtime edges (--all-flows,
--no-collapse bring them back), draw boundary breaks in red and colour nodes by open risk after
mitigation.

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
    /// One self-contained HTML page: threats by attack surface, data-flow diagram
    Html,
}

fn render(
    a: &crate::threat::Analysis<'_>,
    format: ThreatsFormat,
    diagram: render::plan::DiagramOptions,
    x: &crate::report::baseline::Extras,
) -> String {
    use crate::report::{baseline, junit, sarif, threat};
    match format {
        ThreatsFormat::Markdown => {
            let md = render::render(a, ThreatFormat::Markdown);
            let tail = baseline::text(x);
            let tail = tail.trim_start_matches('\n');
            if tail.is_empty() {
                return md;
            }
            // An indented code block: nothing in it is Markdown.
            let block: Vec<String> = tail.lines().map(|l| format!("    {l}")).collect();
            format!(
                "{md}\n## Baseline and ignored results\n\n{}\n",
                block.join("\n")
            )
        }
        ThreatsFormat::Json => baseline::splice_json(&render::render(a, ThreatFormat::Json), x),
        ThreatsFormat::Dot => render::dot::render_with(a, diagram),
        ThreatsFormat::Mermaid => render::mermaid::render_with(a, diagram),
        ThreatsFormat::Sarif => baseline::sarif(&sarif::render(&threat::run(a)), x),
        ThreatsFormat::Junit => junit::render(&threat::run(a)),
        ThreatsFormat::Html => crate::report::html::render_threats(
            a,
            &crate::report::html::HtmlOptions {
                generated: crate::util::clock::now_rfc3339(),
                ..Default::default()
            },
        ),
    }
}

/// Subcommands of `threats`.
#[derive(clap::Subcommand)]
pub enum ThreatsCommand {
    /// Compare two `threats -f json` outputs by stable instance id: added, removed, changed
    Diff {
        /// The earlier JSON output
        old: PathBuf,
        /// The later JSON output
        new: PathBuf,
    },
}

#[derive(clap::Args)]
#[command(after_help = LONG_ABOUT, args_conflicts_with_subcommands = true)]
pub struct ThreatsArgs {
    #[command(subcommand)]
    pub command: Option<ThreatsCommand>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Build the model from a snapshot written by `shipshape collect` instead of this host
    #[arg(long, value_name = "FILE", conflicts_with_all = ["root", "all", "no_host"])]
    pub snapshot: Option<PathBuf>,
    /// YAML model file that extends or overrides the model and declares waivers
    #[arg(long, short = 'm', value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Use only the model file and/or --scan: do not read this host or run any Docker check
    #[arg(long, conflicts_with_all = ["root", "all"])]
    pub no_host: bool,
    /// Scan manifests and compose files under PATH and add what they declare, with the scan
    /// findings as evidence. Repeatable
    #[arg(long = "scan", value_name = "PATH", num_args = 1..)]
    pub scan: Vec<PathBuf>,
    /// Scan every container in the model for installed Python packages and match them against
    /// the advisory index (--db): vulnerable packages confirm app.vulnerable-dependencies on the
    /// container, a clean scan mitigates it as of the index's date
    #[arg(long)]
    pub deps: bool,
    /// Advisory index for --deps (built by `shipshape db import`)
    #[arg(long, value_name = "PATH", env = "SHIPSHAPE_DB", default_value = crate::deps::db::DEFAULT_DB_DIR, requires = "deps")]
    pub db: PathBuf,
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
    pub triage: TriageArgs,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// List the threats of the library (after --library/--replace-library) and exit
    #[arg(long)]
    pub list_library: bool,
    /// Judge waiver expiry as of this date (YYYY-MM-DD) instead of today
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// Diagrams: also draw the local image and runtime edges of every container
    #[arg(long)]
    pub all_flows: bool,
    /// Diagrams: draw identical containers one by one
    #[arg(long)]
    pub no_collapse: bool,
}

pub(super) fn today_days(arg: Option<&str>) -> Result<i64, String> {
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
    if let Some(ThreatsCommand::Diff { old, new }) = &args.command {
        return run_diff(old, new, args.out.output.as_deref());
    }
    let today = today_days(args.today.as_deref())?;
    let library = load_library(args)?;
    if args.list_library {
        args.out.write(&list_library(&library))?;
        return Ok(0);
    }
    // The model file and, before it, the files it includes.
    let model_files = match &args.model {
        Some(p) => modelfile::load_all(p)?,
        None => Vec::new(),
    };

    let mut engine_error = None;
    let (mut model, mut findings): (SystemModel, Vec<Finding>) = if args.no_host {
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
            if snap.kubernetes.is_empty() {
                engine_error = Some(e.clone());
            } else {
                // A Kubernetes node without Docker: model what it runs.
                args.out.warn(format!(
                    "the Docker daemon could not be read ({e}); modelling the Kubernetes node only"
                ));
            }
        }
        let checks: Vec<_> = rules::docker::checks().iter().collect();
        let opts = args.eval.options();
        let eval = rules::evaluate(&snap, &opts, &checks);
        // Containers left out of the checks are left out of the model too.
        let excluded: Vec<&str> = eval.excluded.iter().map(|(n, _)| n.as_str()).collect();
        let mut findings = eval.findings;
        findings.extend(kubernetes_node_findings(&snap, &findings));
        (build::from_snapshot_excluding(&snap, &excluded), findings)
    };
    if !args.scan.is_empty() {
        let (docs, scan_findings) = scan_sources(&args.scan)?;
        crate::threat::manifests::add_kubernetes(&mut model, &docs);
        findings.extend(scan_findings);
        if model.name.is_empty() {
            model.name = "Kubernetes manifests".into();
        }
    }
    if args.deps {
        findings.push(deps_scan(
            &model,
            &args.db,
            args.source.timeout.ceil() as u64,
        )?);
    }
    let waivers = apply_model_files(&mut model, &model_files)?;
    model.fill_defaults();
    let triage = args.triage.load(ReportKind::Threats, None)?;
    let (analysis, extras) = analyse(&triage, &model, &library, &findings, &waivers, today);
    write(args, &analysis, &extras)?;
    if let Some(e) = engine_error {
        return Err(format!("the Docker daemon could not be read: {e}"));
    }
    let open = analysis.instances.iter().filter(|i| i.status.is_open());
    let default = args.gate.fail_on.trips(open.map(|i| i.severity));
    let fail = super::triage::gate(args.triage.new_only, &extras, args.gate.fail_on, default);
    Ok(i32::from(fail))
}

/// Warnings on stderr, the output where it goes.
fn write(
    args: &ThreatsArgs,
    analysis: &crate::threat::Analysis<'_>,
    extras: &crate::report::baseline::Extras,
) -> Result<(), String> {
    for w in &analysis.warnings {
        args.out.warn(w);
    }
    let diagram = render::plan::DiagramOptions {
        all_flows: args.all_flows,
        no_collapse: args.no_collapse,
    };
    args.out
        .write(&render(analysis, args.format, diagram, extras))?;
    super::triage::warn(&args.out, extras, false);
    Ok(())
}

/// Evaluate the model, apply the ignore list, compare with the baseline.
fn analyse<'a>(
    triage: &super::triage::Triage,
    model: &'a SystemModel,
    library: &'a Library,
    findings: &[Finding],
    waivers: &[crate::threat::eval::Waiver],
    today: i64,
) -> (crate::threat::Analysis<'a>, crate::report::baseline::Extras) {
    let mut analysis = analyze(model, library, findings, waivers, today);
    let ignored = triage
        .ignoring()
        .then(|| crate::suppress::apply_threats(&mut analysis, &triage.ignore, today));
    let extras = triage.finish(threat_subjects(&analysis), ignored);
    (analysis, extras)
}

/// The CIS Kubernetes node findings (sections 1-4) for the snapshot: the
/// evidence of the Kubernetes threats, which the library links as
/// `kubernetes:ID` and [`crate::threat::analyze`] matches by benchmark and
/// id, so they sit in one list with the CIS Docker findings.
///
/// Integration point for the node checks: when the audit run above
/// (`rules::evaluate`) already returns them (`already` holds a
/// `Benchmark::CisKubernetes` finding), nothing is added; otherwise this is
/// where the node audit is called. Nothing when no Kubernetes component
/// was discovered.
fn kubernetes_node_findings(snap: &crate::snapshot::Snapshot, already: &[Finding]) -> Vec<Finding> {
    use crate::findings::Benchmark;
    if snap.kubernetes.is_empty()
        || already
            .iter()
            .any(|f| f.benchmark == Benchmark::CisKubernetes)
    {
        return Vec::new();
    }
    use crate::rules::kubernetes_node as node;
    let all: Vec<&node::KubeCheck> = node::checks().iter().collect();
    node::evaluate(&snap.kubernetes, &all)
}

/// Apply the model file and the files it includes, in order; the model is
/// named after the model file unless something named it already.
fn apply_model_files(
    model: &mut SystemModel,
    files: &[(String, modelfile::ModelFile)],
) -> Result<Vec<crate::threat::Waiver>, String> {
    if let Some((name, _)) = files.last() {
        if model.name.is_empty() {
            model.name = std::path::Path::new(name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
        }
    }
    let mut waivers = Vec::new();
    for (name, mf) in files {
        waivers.extend(modelfile::apply(model, name, mf)?);
    }
    Ok(waivers)
}

/// The built-in library and/or the --library files, with a warning for
/// every evidence check shipshape does not have.
fn load_library(args: &ThreatsArgs) -> Result<Library, String> {
    let mut library = if args.replace_library {
        Library::default()
    } else {
        Library::builtin()
    };
    for l in &args.library {
        library.add_file(l)?;
    }
    if args.no_host && args.model.is_none() && args.scan.is_empty() {
        return Err("--no-host needs --model FILE or --scan PATH".into());
    }
    // A library naming a check that does not exist would never see evidence.
    // Bare ids (`5.31`, `K8S-001`) and benchmark-qualified ones
    // (`kubernetes:1.2.1`, as the library cites the node checks).
    let known: Vec<String> = rules::registry::all()
        .flat_map(|r| {
            let m = r.meta();
            [m.id.to_string(), format!("{}:{}", m.benchmark.slug(), m.id)]
        })
        .collect();
    if !known.is_empty() {
        for t in &library.threats {
            for e in t
                .evidence
                .iter()
                .filter(|e| e.fact.is_none() && e.deps.is_none())
            {
                if !known.contains(&e.check) {
                    eprintln!(
                        "shipshape: warning: threat '{}' names evidence check '{}', which shipshape does not have",
                        crate::sanitize::visible(&t.id),
                        crate::sanitize::visible(&e.check)
                    );
                }
            }
        }
    }
    Ok(library)
}

/// `threats diff OLD NEW`.
fn run_diff(
    old: &std::path::Path,
    new: &std::path::Path,
    out: Option<&std::path::Path>,
) -> Result<i32, String> {
    use crate::threat::diff;
    let load = |p: &std::path::Path| {
        let text =
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        diff::read(&p.display().to_string(), &text)
    };
    let d = diff::diff(&load(old)?, &load(new)?);
    super::write_output(out, &diff::render(&d))?;
    Ok(0)
}

type ParsedFiles = Vec<(String, Vec<crate::manifest::yaml::Node>)>;

/// Scan `paths` as `shipshape scan` does; return the parsed Kubernetes
/// documents (for the model) and one finding per rule that ran (the
/// evidence). Files that cannot be read or parsed are reported and skipped.
fn scan_sources(paths: &[PathBuf]) -> Result<(ParsedFiles, Vec<Finding>), String> {
    use crate::scan::{scan, ScanOptions};
    for p in paths {
        std::fs::symlink_metadata(p).map_err(|e| format!("cannot scan {}: {e}", p.display()))?;
    }
    let report = scan(&ScanOptions {
        paths: paths.to_vec(),
        ..ScanOptions::default()
    })?;
    for e in &report.errors {
        eprintln!("shipshape: warning: {}", e.render());
    }
    Ok(scan_inputs(&report))
}

/// The parsed Kubernetes documents and the per-rule findings of a scan
/// that already ran (shared with `shipshape report`).
pub(super) fn scan_inputs(report: &crate::scan::ScanReport) -> (ParsedFiles, Vec<Finding>) {
    use crate::scan::walk::FileKind;
    use crate::threat::manifests::{findings_from_hits, Hit, RanRule};
    let mut docs = Vec::new();
    for (file, kind) in &report.files {
        if *kind != FileKind::Kubernetes {
            continue;
        }
        // Errors were reported by the scan above; such a file adds nothing.
        let parsed = std::fs::read_to_string(file)
            .ok()
            .and_then(|t| crate::manifest::yaml::parse_documents(&t).ok());
        if let Some(d) = parsed {
            docs.push((file.clone(), d));
        }
    }
    let ran: Vec<RanRule> = report
        .rules
        .iter()
        .map(|r| RanRule {
            id: r.meta.id,
            title: r.meta.title,
            severity: r.meta.severity,
            stride: r.meta.stride,
            remediation: r.meta.remediation,
        })
        .collect();
    let hits: Vec<Hit> = report
        .findings
        .iter()
        .map(|f| Hit {
            rule: f.rule_id,
            file: f.file.clone(),
            object: f.object.clone(),
            message: f.message.clone(),
        })
        .collect();
    (docs, findings_from_hits(&ran, &hits))
}

/// `--deps`: read the installed Python packages of every container the
/// model holds (not manifest workloads) and match them against the index.
fn deps_scan(model: &SystemModel, db: &std::path::Path, timeout: u64) -> Result<Finding, String> {
    use crate::deps::matcher::Matcher;
    use crate::findings::Target;
    use crate::threat::deps::{finding, ContainerScan};
    let index = crate::deps::db::Index::load(db)?;
    let age_days = index.age_secs(std::time::SystemTime::now()) / 86_400;
    if age_days > 7 {
        eprintln!(
            "shipshape: warning: --deps: the advisory index was built {age_days} days ago ({}); \
             newer advisories are missing. Refresh it with `shipshape db import`",
            crate::sanitize::visible(&index.built)
        );
    }
    let names: Vec<String> = model
        .components
        .iter()
        .flat_map(|c| &c.targets)
        .filter_map(|t| match t {
            Target::Container { id, name } if !id.starts_with("manifest:") && !name.is_empty() => {
                Some(name.clone())
            }
            _ => None,
        })
        .collect();
    let client = if names.is_empty() {
        None
    } else {
        Some(super::deps::engine(timeout)?)
    };
    let mut matcher = Matcher::new(&index);
    let mut scans = Vec::new();
    for name in names {
        let result = match client
            .as_ref()
            .map(|c| crate::deps::container::scan_container(c, &name))
        {
            Some(Ok(parsed)) => {
                let mut found = Vec::new();
                for p in parsed.packages.iter().filter(|p| !p.distro_owned) {
                    // A version that cannot be matched is not evidence either way.
                    found.extend(matcher.check(p).unwrap_or_default());
                }
                Ok(found)
            }
            Some(Err(e)) => Err(e.to_string()),
            None => Err("no Docker client".to_string()),
        };
        if let Err(e) = &result {
            eprintln!(
                "shipshape: warning: --deps: container {}: {}",
                crate::sanitize::visible(&name),
                crate::sanitize::visible(e)
            );
        }
        scans.push(ContainerScan { name, result });
    }
    Ok(finding(&scans, &index.built))
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
