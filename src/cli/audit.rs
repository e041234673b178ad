//! `shipshape audit` and `shipshape collect`.

use super::common::{FailOnArgs, OutputArgs, TriageArgs};
use crate::collect::{self, CollectOptions};
use crate::findings::{Benchmark, Outcome};
use crate::report::{self, AuditFormat, Report};
use crate::rules::{self, EvalOptions};
use crate::snapshot::{Probe, Snapshot};
use std::path::PathBuf;
use std::time::Duration;

/// Where and how to collect.
#[derive(clap::Args, Clone)]
pub struct SourceArgs {
    /// Audit a host filesystem mounted at DIR (e.g. /host when shipshape runs
    /// in a container with the host's / mounted read-only)
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
    /// Include created, stopped and paused containers, not only running ones
    #[arg(long)]
    pub all: bool,
    /// Seconds to wait for the Docker daemon before giving up
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub timeout: f64,
    /// Seconds the whole collection may take; Engine API requests still
    /// running then fail as ERROR (default: no bound beyond --timeout)
    #[arg(long, value_name = "SECS")]
    pub deadline: Option<f64>,
}

impl SourceArgs {
    pub fn collect_options(&self) -> CollectOptions {
        CollectOptions {
            root: self.root.clone(),
            docker_host: std::env::var("DOCKER_HOST").ok().filter(|s| !s.is_empty()),
            all: self.all,
            timeout: Duration::from_secs_f64(self.timeout.max(0.05)),
            deadline: self.deadline.map(|d| Duration::from_secs_f64(d.max(0.05))),
        }
    }

    /// Refuse arguments that would give a plausible but meaningless report:
    /// `--root` must be an existing directory with an `etc/`, and the
    /// bounds must be positive numbers.
    pub fn validate(&self) -> Result<(), String> {
        let r = &self.root;
        let shown = crate::sanitize::visible(&r.to_string_lossy()).into_owned();
        match std::fs::metadata(r) {
            Err(e) => return Err(format!("--root {shown}: {e}")),
            Ok(m) if !m.is_dir() => return Err(format!("--root {shown}: not a directory")),
            Ok(_) => {}
        }
        if !r.join("etc").is_dir() {
            return Err(format!(
                "--root {shown}: no etc/ directory there, so it is not a host's root filesystem"
            ));
        }
        for (name, v) in [
            ("--timeout", Some(self.timeout)),
            ("--deadline", self.deadline),
        ] {
            if let Some(v) = v {
                if !v.is_finite() || v <= 0.0 {
                    return Err(format!("{name} {v}: must be a positive number of seconds"));
                }
            }
        }
        Ok(())
    }
}

/// How the checks judge what was collected (shared by `audit` and `threats`).
#[derive(clap::Args, Clone)]
pub struct EvalArgs {
    /// Leave out containers whose name matches PATTERN (* and ? wildcards)
    #[arg(
        long = "exclude-containers",
        short = 'x',
        value_delimiter = ',',
        value_name = "PATTERN"
    )]
    pub exclude_containers: Vec<String>,
    /// Users trusted to be in the docker group (check 1.1.2); others FAIL
    #[arg(
        long = "trusted-users",
        short = 'u',
        value_delimiter = ',',
        value_name = "USER"
    )]
    pub trusted_users: Vec<String>,
}

impl EvalArgs {
    pub fn options(&self) -> EvalOptions {
        EvalOptions {
            trusted_users: self.trusted_users.clone(),
            exclude_containers: self.exclude_containers.clone(),
        }
    }
}

#[derive(clap::Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Evaluate a snapshot written by `shipshape collect` instead of this host
    #[arg(long, value_name = "FILE", conflicts_with_all = ["root", "all"])]
    pub snapshot: Option<PathBuf>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: AuditFormat,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub gate: FailOnArgs,
    #[command(flatten)]
    pub triage: TriageArgs,
    /// Run only these checks: ids (5.5) or sections (5, 1.1); comma-separated or
    /// repeated; kubernetes:1.2.1 or docker:1.1.1 names one benchmark's check
    #[arg(long = "check", short = 'c', value_delimiter = ',', value_name = "ID")]
    pub check: Vec<String>,
    /// Skip these checks: ids or sections; comma-separated or repeated.
    /// Bare ids apply to every targeted benchmark; docker:1.1.1 or
    /// kubernetes:1.1.1 names one
    #[arg(long = "skip", short = 'e', value_delimiter = ',', value_name = "ID")]
    pub skip: Vec<String>,
    /// Audit only this target (repeatable): docker (CIS Docker 1.6) or
    /// kubernetes (CIS Kubernetes 1.12, sections 1-4). Default: Docker, and
    /// Kubernetes when a component runs on the host
    #[arg(long = "target", short = 't', value_enum, value_name = "TARGET")]
    pub target: Vec<AuditTarget>,
    /// Change or add CIS Kubernetes data checks (file mode/owner, setting
    /// values) with a YAML file; see docs/kube-checks.md
    #[arg(long = "checks-file", value_name = "FILE")]
    pub checks_file: Option<PathBuf>,
    /// Evaluate CIS Kubernetes section 5 (policies) on manifests or
    /// `kubectl get ... -o yaml` output in DIR, through the scan rules
    /// (repeatable; implies the Kubernetes target)
    #[arg(long = "cluster-objects", value_name = "DIR")]
    pub cluster_objects: Vec<PathBuf>,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Print each check's remediation in the terminal report
    #[arg(long, short = 'p')]
    pub remediation: bool,
    /// Show passing and not-applicable checks' evidence too
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

/// What `audit --target` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditTarget {
    /// The Docker Engine (CIS Docker Benchmark 1.6)
    Docker,
    /// Kubernetes components on this node (CIS Kubernetes Benchmark 1.12)
    Kubernetes,
}

#[derive(clap::Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

pub fn run_collect(args: CollectArgs) -> i32 {
    if let Err(e) = args.source.validate() {
        super::error(e);
        return super::EXIT_TOOL_FAILED;
    }
    let snap = collect::collect(&args.source.collect_options());
    let engine_failed = engine_error(&snap);
    let json = match serde_json::to_string_pretty(&snap) {
        Ok(j) => j + "\n",
        Err(e) => {
            super::error(format!("cannot serialise the snapshot: {e}"));
            return super::EXIT_TOOL_FAILED;
        }
    };
    if let Err(e) = args.out.write(&json) {
        super::error(e);
        return super::EXIT_TOOL_FAILED;
    }
    if let Some(e) = engine_failed {
        super::error(e);
        return super::EXIT_TOOL_FAILED;
    }
    0
}

fn engine_error(snap: &Snapshot) -> Option<String> {
    match &snap.engine {
        Probe::Error(e) => Some(e.clone()),
        Probe::Ok(_) => None,
    }
}

pub fn load_snapshot(path: &std::path::Path) -> Result<Snapshot, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read snapshot {}: {e}", path.display()))?;
    let snap: Snapshot = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not a shipshape snapshot: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    let mut snap = snap;
    // A snapshot from elsewhere may predate redaction: never render a
    // secret from it.
    if let Probe::Ok(engine) = &mut snap.engine {
        crate::collect::engine::scrub_engine(engine);
    }
    if let Some(p) = snap.daemon.process.ok().cloned().flatten() {
        let mut p = p;
        crate::redact::redact_argv(&mut p.argv);
        snap.daemon.process = Probe::Ok(Some(p));
    }
    if snap.schema != crate::snapshot::SNAPSHOT_SCHEMA {
        return Err(format!(
            "{}: snapshot schema {} is not supported (expected {})",
            path.display(),
            snap.schema,
            crate::snapshot::SNAPSHOT_SCHEMA
        ));
    }
    Ok(snap)
}

/// A selector as it applies to one benchmark: bare ones to all, qualified
/// ones (`kubernetes:1.2.1`) only to theirs.
fn selector_for<'s>(sel: &'s str, slug: &str) -> Option<&'s str> {
    match sel.split_once(':') {
        Some((b, id)) => b.trim().eq_ignore_ascii_case(slug).then_some(id),
        None => Some(sel),
    }
}

fn selectors_for(sels: &[String], slug: &str) -> Vec<String> {
    sels.iter()
        .filter_map(|s| selector_for(s, slug))
        .map(String::from)
        .collect()
}

/// The checks of each benchmark that `-c`/`-e` leave, validated against the
/// benchmarks in play: a selector matching nothing is an error.
struct Selected {
    docker: Vec<&'static rules::Check>,
    kube: Vec<&'static rules::kubernetes_node::KubeCheck>,
}

fn select_checks(
    args: &AuditArgs,
    kube_all: &'static [rules::kubernetes_node::KubeCheck],
) -> Result<Selected, String> {
    let docker_all = rules::docker::checks();
    let want = |t| args.target.is_empty() || args.target.contains(&t);
    for sel in args.check.iter().chain(&args.skip) {
        let d = want(AuditTarget::Docker)
            && selector_for(sel, "docker").is_some_and(|s| docker_all.iter().any(|c| c.matches(s)));
        let k = want(AuditTarget::Kubernetes)
            && selector_for(sel, "kubernetes").is_some_and(|s| {
                kube_all.iter().any(|c| c.meta.matches(s))
                    || (!args.cluster_objects.is_empty() && super::audit_policies::matches(s))
            });
        if !d && !k {
            return Err(format!(
                "no check matches '{sel}' (use an id such as 5.5 or a section such as 5 or 1.1; \
                 kubernetes:1.2.1 or docker:1.1.1 to name one benchmark's check)"
            ));
        }
    }
    let pick = |slug: &str| {
        let only = selectors_for(&args.check, slug);
        let none = !args.check.is_empty() && only.is_empty();
        (only, selectors_for(&args.skip, slug), none)
    };
    let (only, skip, none) = pick("docker");
    let docker = if none {
        Vec::new()
    } else {
        docker_all
            .iter()
            .filter(|c| only.is_empty() || only.iter().any(|s| c.matches(s)))
            .filter(|c| !skip.iter().any(|s| c.matches(s)))
            .collect()
    };
    let (only, skip, none) = pick("kubernetes");
    let kube = if none {
        Vec::new()
    } else {
        rules::kubernetes_node::select(kube_all, &only, &skip)
    };
    Ok(Selected { docker, kube })
}

fn kube_checks(args: &AuditArgs) -> Result<&'static [rules::kubernetes_node::KubeCheck], String> {
    match &args.checks_file {
        None => Ok(rules::kubernetes_node::checks()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read --checks-file {}: {e}", p.display()))?;
            rules::kubernetes_node::checks_with_override(&p.display().to_string(), &text)
        }
    }
}

fn load_or_collect(args: &AuditArgs) -> Result<Snapshot, String> {
    match &args.snapshot {
        Some(p) => load_snapshot(p),
        None => {
            args.source.validate()?;
            let opts = args.source.collect_options();
            // `--target kubernetes` alone: the Docker side is not read at all.
            let kube_only = !args.target.is_empty()
                && args.target.iter().all(|t| *t == AuditTarget::Kubernetes);
            Ok(if kube_only {
                collect::collect_kubernetes(&opts)
            } else {
                collect::collect(&opts)
            })
        }
    }
}

/// The targets audited: those asked for, else Docker (unless only
/// Kubernetes runs and the Engine is unreachable) and Kubernetes when a
/// component was found.
fn targets(args: &AuditArgs, snap: &Snapshot) -> Vec<AuditTarget> {
    if !args.target.is_empty() {
        let mut t = args.target.clone();
        t.sort_by_key(|t| *t as u8);
        t.dedup();
        return t;
    }
    let kube = !snap.kubernetes.is_empty();
    let mut t = Vec::new();
    if !kube || snap.engine.ok().is_some() {
        t.push(AuditTarget::Docker);
    }
    if kube || !args.cluster_objects.is_empty() {
        t.push(AuditTarget::Kubernetes);
    }
    t
}

pub fn run_audit(args: AuditArgs) -> i32 {
    match audit(&args) {
        Ok(code) => code,
        Err(e) => {
            super::error(e);
            super::EXIT_TOOL_FAILED
        }
    }
}

fn audit(args: &AuditArgs) -> Result<i32, String> {
    let kube_all = kube_checks(args)?;
    let sel = select_checks(args, kube_all)?;
    if args.format == AuditFormat::DockerBenchJson && args.target == [AuditTarget::Kubernetes] {
        return Err("-f docker-bench-json is the Docker audit's layout; use -f kube-bench-json for Kubernetes".into());
    }
    let snap = load_or_collect(args)?;
    let targets = targets(args, &snap);
    let docker = targets.contains(&AuditTarget::Docker);
    let opts = args.eval.options();
    let eval = rules::evaluate(&snap, &opts, if docker { &sel.docker } else { &[] });
    let mut findings = eval.findings;
    if targets.contains(&AuditTarget::Kubernetes) {
        findings.extend(rules::kubernetes_node::evaluate(
            &snap.kubernetes,
            &sel.kube,
        ));
    }
    let benchmarks: Vec<Benchmark> = targets
        .iter()
        .map(|t| match t {
            AuditTarget::Docker => Benchmark::CisDocker,
            AuditTarget::Kubernetes => Benchmark::CisKubernetes,
        })
        .collect();
    let mut policy_errors = Vec::new();
    if !args.cluster_objects.is_empty() && targets.contains(&AuditTarget::Kubernetes) {
        let (fs, errs) = super::audit_policies::evaluate(&args.cluster_objects)?;
        let (only, skip) = (
            selectors_for(&args.check, "kubernetes"),
            selectors_for(&args.skip, "kubernetes"),
        );
        let picked = |id: &str| {
            let m = |s: &String| {
                id == s.as_str() || id.starts_with(&format!("{}.", s.trim_end_matches('.')))
            };
            (args.check.is_empty() || only.iter().any(m)) && !skip.iter().any(m)
        };
        findings.extend(fs.into_iter().filter(|f| picked(f.id)));
        policy_errors = errs;
    }
    let (mut rep, extras) = triage(args, &snap, findings, &eval.excluded, &benchmarks)?;
    rep.errors.extend(policy_errors);
    let text = render(&rep, args, &snap, &extras);
    args.out.write(&text)?;
    let text_out = args.format == AuditFormat::Text && args.out.output.is_none();
    super::triage::warn(&args.out, &extras, text_out);
    if docker {
        if let Some(e) = engine_error(&snap) {
            return Err(e);
        }
    }
    let failing = rep.findings.iter().filter(|f| f.outcome == Outcome::Fail);
    let default = args.gate.fail_on.trips(failing.map(|f| f.severity));
    Ok(i32::from(super::triage::gate(
        args.triage.new_only,
        &extras,
        args.gate.fail_on,
        default,
    )))
}

/// Container name → image reference, for fingerprints and ignore scopes.
pub fn container_images(snap: &Snapshot) -> std::collections::BTreeMap<String, String> {
    snap.engine
        .ok()
        .map(|e| {
            e.containers
                .iter()
                .map(|c| {
                    let image = if c.config.image.is_empty() {
                        c.image.clone()
                    } else {
                        c.config.image.clone()
                    };
                    (c.short_name().to_string(), image)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Apply the ignore list, build the report, compare with the baseline.
fn triage(
    args: &AuditArgs,
    snap: &Snapshot,
    findings: Vec<crate::findings::Finding>,
    excluded: &[(String, String)],
    benchmarks: &[Benchmark],
) -> Result<(Report, report::baseline::Extras), String> {
    use crate::report::fingerprint::{audit_subjects, ReportKind};
    let t = args.triage.load(ReportKind::Audit, None)?;
    let images = container_images(snap);
    let mut findings = findings;
    let ignored = t.ignoring().then(|| {
        crate::suppress::apply_audit(&mut findings, &images, &t.ignore, crate::suppress::today())
    });
    let rep = Report::for_targets(snap, findings, excluded, benchmarks);
    let extras = t.finish(audit_subjects(&rep.findings, &images), ignored);
    Ok((rep, extras))
}

fn render(rep: &Report, args: &AuditArgs, snap: &Snapshot, x: &report::baseline::Extras) -> String {
    use report::baseline;
    match args.format {
        AuditFormat::Text => {
            report::text::audit::render(
                rep,
                &report::text::audit::TextOptions {
                    color: args.out.color(),
                    remediation: args.remediation,
                    verbose: args.verbose,
                },
            ) + &baseline::text(x)
        }
        AuditFormat::Json => baseline::splice_json(&report::json::render(rep), x),
        AuditFormat::Markdown => report::writeup::render_host(rep, snap, None, Some(x)),
        AuditFormat::DockerBenchJson => report::docker_bench::render(rep),
        AuditFormat::KubeBenchJson => report::kube_bench::render(rep),
        AuditFormat::Sarif => {
            let mut run = report::audit::run(rep);
            baseline::add_ignored_items(&mut run, x);
            baseline::sarif(&report::sarif::render(&run), x)
        }
        AuditFormat::Junit => {
            let mut run = report::audit::run(rep);
            baseline::add_ignored_items(&mut run, x);
            report::junit::render(&run)
        }
        AuditFormat::Html => report::html::render_audit(
            rep,
            &report::html::HtmlOptions {
                generated: crate::util::clock::now_rfc3339(),
                ..Default::default()
            },
        ),
    }
}
