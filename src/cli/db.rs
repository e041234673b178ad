//! `shipshape db`: build and describe the offline advisory index.

use crate::deps::db::{self, Index};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(clap::Subcommand)]
pub enum DbCommand {
    /// Build the index from OSV JSON files, an OSV all.zip export or the PyPA advisory-database YAML layout
    Import(ImportArgs),
    /// Print the index's build date, sources and licences
    Info(InfoArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// Directories of OSV JSON/YAML records, single records, or all.zip exports
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// State directory holding index.json
    #[arg(long, value_name = "PATH", env = "SHIPSHAPE_DB", default_value = db::DEFAULT_DB_DIR)]
    pub db: PathBuf,
    /// Licence of the imported data, when no LICENSE file says it (e.g. CC-BY-4.0)
    #[arg(long, value_name = "SPDX")]
    pub licence: Option<String>,
}

#[derive(clap::Args)]
pub struct InfoArgs {
    /// State directory holding index.json
    #[arg(long, value_name = "PATH", env = "SHIPSHAPE_DB", default_value = db::DEFAULT_DB_DIR)]
    pub db: PathBuf,
    /// Output format
    #[arg(long, short = 'f', default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

pub fn run(args: DbArgs) -> i32 {
    match args.command {
        DbCommand::Import(a) => import(a),
        DbCommand::Info(a) => info(a),
    }
}

fn import(a: ImportArgs) -> i32 {
    let t = std::time::Instant::now();
    let imp = match db::import(&a.paths, a.licence.as_deref()) {
        Ok(i) => i,
        Err(e) => {
            super::error(crate::deps::escape(&e));
            return super::EXIT_TOOL_FAILED;
        }
    };
    for r in imp.rejected.iter().take(50) {
        eprintln!(
            "shipshape: warning: rejected {}",
            crate::deps::escape(&r.to_string())
        );
    }
    if imp.rejected.len() > 50 {
        eprintln!(
            "shipshape: warning: … and {} more rejected records",
            imp.rejected.len() - 50
        );
    }
    if imp.index.advisories.is_empty() {
        super::error("no PyPI advisory could be imported; the index was not written");
        return super::EXIT_TOOL_FAILED;
    }
    let path = match imp.index.save(&a.db) {
        Ok(p) => p,
        Err(e) => {
            super::error(e);
            return super::EXIT_TOOL_FAILED;
        }
    };
    let mut out = String::new();
    for s in &imp.index.sources {
        out.push_str(&format!(
            "{} ({}): {} records, {} indexed, {} withdrawn, {} not PyPI, {} rejected; licence {}\n",
            crate::deps::escape(&s.path),
            s.kind,
            s.records,
            s.indexed,
            s.withdrawn,
            s.not_pypi,
            s.rejected,
            crate::deps::escape(&s.licence)
        ));
    }
    out.push_str(&format!(
        "wrote {} ({} advisories for {} packages) in {:.2}s\n",
        path.display(),
        imp.index.advisories.len(),
        imp.index.package_count(),
        t.elapsed().as_secs_f64()
    ));
    if let Err(e) = super::write_output(None, &out) {
        super::error(e);
        return super::EXIT_TOOL_FAILED;
    }
    i32::from(!imp.rejected.is_empty())
}

fn info(a: InfoArgs) -> i32 {
    let idx = match Index::load(&a.db) {
        Ok(i) => i,
        Err(e) => {
            super::error(e);
            return super::EXIT_TOOL_FAILED;
        }
    };
    let age_days = idx.age_secs(std::time::SystemTime::now()) as f64 / 86_400.0;
    let text = if a.format == "json" {
        let v = serde_json::json!({
            "path": a.db.join(db::INDEX_FILE).display().to_string(),
            "format": idx.format,
            "version": idx.version,
            "built": idx.built,
            "age_days": (age_days * 10.0).round() / 10.0,
            "advisories": idx.advisories.len(),
            "packages": idx.package_count(),
            "sources": idx.sources,
        });
        format!("{}\n", serde_json::to_string_pretty(&v).expect("json"))
    } else {
        let mut o = format!(
            "index:      {}\nbuilt:      {} ({age_days:.1} days ago)\nadvisories: {} for {} packages\nsources:\n",
            a.db.join(db::INDEX_FILE).display(),
            idx.built,
            idx.advisories.len(),
            idx.package_count()
        );
        for s in &idx.sources {
            o.push_str(&format!(
                "  {} ({})\n    licence: {}\n    records: {}, indexed {}, withdrawn {}, not PyPI {}, rejected {}\n",
                crate::deps::escape(&s.path),
                s.kind,
                crate::deps::escape(&s.licence),
                s.records,
                s.indexed,
                s.withdrawn,
                s.not_pypi,
                s.rejected
            ));
        }
        o
    };
    match super::write_output(None, &text) {
        Ok(()) => 0,
        Err(e) => {
            super::error(e);
            super::EXIT_TOOL_FAILED
        }
    }
}
