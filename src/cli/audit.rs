//! `shipshape audit` and `shipshape collect`.

use super::common::{FailOnArgs, OutputArgs};
use crate::collect::{self, CollectOptions};
use crate::findings::Outcome;
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
    /// Run only these checks: ids (5.5) or sections (5, 1.1); comma-separated or repeated
    #[arg(long = "check", short = 'c', value_delimiter = ',', value_name = "ID")]
    pub check: Vec<String>,
    /// Skip these checks: ids or sections; comma-separated or repeated
    #[arg(long = "skip", short = 'e', value_delimiter = ',', value_name = "ID")]
    pub skip: Vec<String>,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Print each check's remediation in the terminal report
    #[arg(long, short = 'p')]
    pub remediation: bool,
    /// Show passing and not-applicable checks' evidence too
    #[arg(long, short = 'v')]
    pub verbose: bool,
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

pub fn run_audit(args: AuditArgs) -> i32 {
    let checks = match rules::select(rules::docker::checks(), &args.check, &args.skip) {
        Ok(c) => c,
        Err(e) => {
            super::error(e);
            return super::EXIT_TOOL_FAILED;
        }
    };
    let snap = match &args.snapshot {
        Some(p) => match load_snapshot(p) {
            Ok(s) => s,
            Err(e) => {
                super::error(e);
                return super::EXIT_TOOL_FAILED;
            }
        },
        None => {
            if let Err(e) = args.source.validate() {
                super::error(e);
                return super::EXIT_TOOL_FAILED;
            }
            collect::collect(&args.source.collect_options())
        }
    };
    let opts = args.eval.options();
    let eval = rules::evaluate(&snap, &opts, &checks);
    let rep = Report::new(&snap, eval.findings, &eval.excluded);
    let text = render(&rep, &args);
    if let Err(e) = args.out.write(&text) {
        super::error(e);
        return super::EXIT_TOOL_FAILED;
    }
    if let Some(e) = engine_error(&snap) {
        super::error(e);
        return super::EXIT_TOOL_FAILED;
    }
    let failing = rep.findings.iter().filter(|f| f.outcome == Outcome::Fail);
    i32::from(args.gate.fail_on.trips(failing.map(|f| f.severity)))
}

fn render(rep: &Report, args: &AuditArgs) -> String {
    match args.format {
        AuditFormat::Text => report::text::audit::render(
            rep,
            &report::text::audit::TextOptions {
                color: args.out.color(),
                remediation: args.remediation,
                verbose: args.verbose,
            },
        ),
        AuditFormat::Json => report::json::render(rep),
        AuditFormat::DockerBenchJson => report::docker_bench::render(rep),
        AuditFormat::Sarif => report::sarif::render(&report::audit::run(rep)),
        AuditFormat::Junit => report::junit::render(&report::audit::run(rep)),
        AuditFormat::Html => report::html::render_audit(
            rep,
            &report::html::HtmlOptions {
                generated: crate::util::clock::now_rfc3339(),
                ..Default::default()
            },
        ),
    }
}
