//! `shipshape deps`: known-vulnerable Python dependencies, offline.

use crate::collect::engine_client::{negotiate, Client, Endpoint};
use crate::deps::cvss::Level;
use crate::deps::db::{self, Index};
use crate::deps::matcher::Matcher;
use crate::deps::parse::{self, Parsed};
use crate::deps::report::{self, DbInfo, DepsReport, DistroPackage, Suppressed};
use crate::deps::{container, image, Requirement};
use std::path::PathBuf;
use std::time::Duration;

/// Severity threshold for exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Never exit 1 because of findings
    None,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    /// JUnit XML from the shared writer: one case per vulnerable package
    Junit,
}

#[derive(clap::Args)]
#[command(
    after_help = "Reads requirements*.txt (pins, ranges, -r/-c includes, --hash, markers, \\ continuations), \
Pipfile.lock, poetry.lock, uv.lock, pdm.lock, pylock.toml and installed environments (*.dist-info/METADATA, \
*.egg-info); directories are walked for them. --image reads an image's layers through the Engine API \
(whiteouts honoured, nothing extracted to disk); --container reads a container's files through /proc/PID/root.\n\n\
Matching is offline, against the index built by `shipshape db import`. A requirement that is a range is reported \
as \"may resolve to a vulnerable version\". Packages under /usr/lib/python3/dist-packages belong to the \
distribution and are listed but not matched. Severity is the advisory's CVSS v3 score, or \"unknown\"; \
unknown severity fails at every --fail-on level except none.\n\n\
Exit codes: 0 = no finding at or above --fail-on, 1 = such findings (or, with --strict, an input that could not \
be read), 2 = shipshape failed (no index, a missing path, an image or container that could not be read)."
)]
pub struct DepsArgs {
    /// Dependency files or directories to read
    pub paths: Vec<PathBuf>,
    /// Read an image's layers (repeatable)
    #[arg(long = "image", value_name = "REF")]
    pub images: Vec<String>,
    /// Read a container's filesystem (repeatable)
    #[arg(long = "container", value_name = "NAME")]
    pub containers: Vec<String>,
    /// Read every running container
    #[arg(long)]
    pub all_containers: bool,
    /// State directory holding the advisory index
    #[arg(long, value_name = "PATH", env = "SHIPSHAPE_DB", default_value = db::DEFAULT_DB_DIR)]
    pub db: PathBuf,
    /// Warn when the index is older than this many days (the scan still runs)
    #[arg(long, value_name = "DAYS", default_value_t = 7.0)]
    pub max_db_age: f64,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: Format,
    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding has at least this severity
    #[arg(long, value_enum, value_name = "SEVERITY", default_value = "low")]
    pub fail_on: FailOn,
    /// Suppress findings carrying this advisory id or alias (repeatable)
    #[arg(long = "ignore", value_name = "ID")]
    pub ignore: Vec<String>,
    /// Also exit 1 when an input could not be read or parsed
    #[arg(long)]
    pub strict: bool,
    /// Seconds per Engine API request
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

pub(crate) fn engine(timeout: u64) -> Result<Client, String> {
    let ep = Endpoint::from_docker_host(std::env::var("DOCKER_HOST").ok().as_deref())?;
    let mut client = Client::new(&ep.socket, Duration::from_secs(timeout.max(1)));
    let mut conn = client.connect().map_err(|e| e.to_string())?;
    let ping = conn.get("/_ping").map_err(|e| e.to_string())?;
    let api = ping.api_version.unwrap_or_else(|| "1.24".into());
    let (maj, min) = negotiate(&api)?;
    client.prefix = format!("/v{maj}.{min}");
    Ok(client)
}

pub fn run(args: DepsArgs) -> i32 {
    if args.paths.is_empty()
        && args.images.is_empty()
        && args.containers.is_empty()
        && !args.all_containers
    {
        super::error("nothing to scan: name files or directories, --image REF, --container NAME or --all-containers");
        return super::EXIT_TOOL_FAILED;
    }
    for p in &args.paths {
        if let Err(e) = std::fs::symlink_metadata(p) {
            super::error(format!(
                "cannot read {}: {e}",
                crate::deps::escape(&p.display().to_string())
            ));
            return super::EXIT_TOOL_FAILED;
        }
    }
    let index = match Index::load(&args.db) {
        Ok(i) => i,
        Err(e) => {
            super::error(e);
            return super::EXIT_TOOL_FAILED;
        }
    };
    let mut tool_failed = false;
    let mut inputs = Vec::new();
    let mut parsed = Parsed::default();
    for p in &args.paths {
        inputs.push(p.display().to_string());
        parsed.extend(parse::parse_path(p));
    }
    let wants_engine =
        !args.images.is_empty() || !args.containers.is_empty() || args.all_containers;
    if wants_engine {
        match engine(args.timeout) {
            Ok(client) => {
                for r in &args.images {
                    inputs.push(format!("image:{r}"));
                    match image::scan_image(&client, r) {
                        Ok(p) => parsed.extend(p),
                        Err(e) => {
                            tool_failed = true;
                            parsed.errors.push(e);
                        }
                    }
                }
                let mut names = args.containers.clone();
                if args.all_containers {
                    match container::running_containers(&client) {
                        Ok(n) => names.extend(n),
                        Err(e) => {
                            tool_failed = true;
                            parsed
                                .errors
                                .push(crate::deps::InputError::file("containers", e));
                        }
                    }
                }
                for n in &names {
                    inputs.push(format!("container:{n}"));
                    match container::scan_container(&client, n) {
                        Ok(p) => parsed.extend(p),
                        Err(e) => {
                            tool_failed = true;
                            parsed.errors.push(e);
                        }
                    }
                }
            }
            Err(e) => {
                tool_failed = true;
                parsed
                    .errors
                    .push(crate::deps::InputError::file("docker", e));
            }
        }
    }

    let now = std::time::SystemTime::now();
    let age_days = index.age_secs(now) as f64 / 86_400.0;
    let stale = age_days > args.max_db_age;
    let mut warnings = Vec::new();
    if stale {
        warnings.push(format!(
            "the advisory index was built {age_days:.1} days ago ({}), more than --max-db-age {}; \
             newer advisories are missing. Refresh it with `shipshape db import`",
            index.built, args.max_db_age
        ));
    }

    let mut matcher = Matcher::new(&index);
    let mut findings = Vec::new();
    let mut unmatched = Vec::new();
    let mut distro = Vec::new();
    let mut scanned = 0;
    for p in &parsed.packages {
        if p.distro_owned {
            let version = match &p.requirement {
                Requirement::Exact { version } => version.clone(),
                Requirement::Range { specifier } => specifier.clone(),
            };
            distro.push(DistroPackage {
                package: p.raw_name.clone(),
                version,
                origin: p.origin.clone(),
            });
            continue;
        }
        scanned += 1;
        match matcher.check(p) {
            Ok(f) => findings.extend(f),
            Err(u) => unmatched.push(*u),
        }
    }
    let mut suppressed = Vec::new();
    findings.retain(|f| match f.ids.iter().find(|id| args.ignore.contains(id)) {
        Some(id) => {
            suppressed.push(Suppressed {
                package: f.package.clone(),
                ids: f.ids.clone(),
                origin: f.origin.clone(),
                by: id.clone(),
            });
            false
        }
        None => true,
    });
    let report = DepsReport {
        schema: report::SCHEMA.into(),
        schema_version: report::SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        generated: crate::util::clock::rfc3339(now),
        db: DbInfo {
            path: args.db.join(db::INDEX_FILE).display().to_string(),
            built: index.built.clone(),
            age_days: (age_days * 10.0).round() / 10.0,
            stale,
            advisories: index.advisories.len(),
            sources: index.sources.clone(),
        },
        inputs,
        packages_scanned: scanned,
        findings,
        suppressed,
        distro_owned: distro,
        unmatched,
        errors: parsed.errors,
        warnings,
    };
    let text = match args.format {
        Format::Text => report::to_text(&report),
        Format::Json => report::to_json(&report),
        Format::Sarif => crate::report::sarif::render(&crate::report::deps::run(&report)),
        Format::Junit => crate::report::junit::render(&crate::report::deps::run(&report)),
    };
    if let Err(e) = super::write_output(args.output.as_deref(), &text) {
        super::error(e);
        return super::EXIT_TOOL_FAILED;
    }
    if args.format != Format::Text || args.output.is_some() {
        for w in &report.warnings {
            eprintln!("shipshape: warning: {}", crate::deps::escape(w));
        }
        for e in &report.errors {
            eprintln!(
                "shipshape: warning: {}",
                crate::deps::escape(&e.to_string())
            );
        }
    }
    if tool_failed {
        return super::EXIT_TOOL_FAILED;
    }
    let threshold = match args.fail_on {
        FailOn::None => None,
        FailOn::Low => Some(Level::Low),
        FailOn::Medium => Some(Level::Medium),
        FailOn::High => Some(Level::High),
        FailOn::Critical => Some(Level::Critical),
    };
    let failing = threshold.is_some_and(|t| {
        report
            .findings
            .iter()
            .any(|f| f.severity.level == Level::Unknown || f.severity.level >= t)
    });
    i32::from(failing || (args.strict && !report.errors.is_empty()))
}
