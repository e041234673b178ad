//! `shipshape rules [ID]`: the one catalogue of every rule, as a table, as
//! one rule's documentation, or as JSON with the full metadata.

use crate::rules::meta::RuleMeta;
use crate::rules::registry::{self, AnyRule};
use serde::Serialize;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    /// A table, or a rule's documentation when few rules match
    Text,
    /// Every matching rule with its full metadata
    Json,
}

#[derive(clap::Args)]
pub struct RulesArgs {
    /// A CIS check id (5.5) or section (5, 1.1), or a scan rule id (K8S-001)
    /// or family (K8S, DF, COMPOSE); every rule when omitted. An id both CIS
    /// Docker and CIS Kubernetes use (1.1.1) lists both; qualify it as
    /// docker:1.1.1 or kubernetes:1.1.1 to pick one
    pub id: Option<String>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: RulesFormat,
    #[command(flatten)]
    pub out: super::common::OutputArgs,
}

/// One rule as `rules --format json` writes it.
#[derive(Serialize)]
struct RuleDoc<'a> {
    family: &'static str,
    kind: &'static str,
    benchmark_version: &'static str,
    #[serde(flatten)]
    meta: &'a RuleMeta,
    references: Vec<String>,
}

pub fn run(args: RulesArgs) -> i32 {
    let sel = args.id.as_deref();
    let rules: Vec<AnyRule> = registry::all()
        .filter(|r| sel.is_none_or(|s| registry::selects(r, s)))
        .collect();
    if rules.is_empty() {
        super::error(format!(
            "no check or rule matches '{}'; run `shipshape rules` for the list",
            sel.unwrap_or_default()
        ));
        return super::EXIT_TOOL_FAILED;
    }
    let out = match args.format {
        RulesFormat::Json => json(&rules),
        RulesFormat::Text if rules.len() <= 3 => rules.iter().map(document).collect(),
        RulesFormat::Text => rules.iter().map(row).collect(),
    };
    match args.out.write(&out) {
        Ok(()) => 0,
        Err(e) => {
            super::error(e);
            super::EXIT_TOOL_FAILED
        }
    }
}

fn json(rules: &[AnyRule]) -> String {
    let docs: Vec<RuleDoc> = rules
        .iter()
        .map(|r| RuleDoc {
            family: r.family(),
            kind: r.kind(),
            benchmark_version: r.meta().benchmark.version(),
            meta: r.meta(),
            references: r.meta().references().iter().map(|x| x.label()).collect(),
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&docs).unwrap_or_default();
    s.push('\n');
    s
}

fn row(r: &AnyRule) -> String {
    let m = r.meta();
    let stride: String = m.stride.iter().map(|s| s.letter()).collect();
    format!(
        "{:<14} {:<10} {:<10} {:<8} {:<6} {}\n",
        // CIS Kubernetes ids collide with CIS Docker ones: show them qualified.
        match r {
            AnyRule::Kube(_) => format!("kubernetes:{}", m.id),
            _ => m.id.to_string(),
        },
        r.family(),
        r.kind(),
        m.severity,
        stride,
        m.title
    )
}

fn document(r: &AnyRule) -> String {
    let m = r.meta();
    let refs: Vec<String> = m.references().iter().map(|x| x.label()).collect();
    let stride: Vec<&str> = m.stride.iter().map(|s| s.name()).collect();
    format!(
        "{} {}\n  {} {} ({}, {}); severity {}; STRIDE {}\n  Why: {}\n  References: {}\n  Remediation: {}\n\n",
        m.id,
        m.title,
        m.benchmark.name(),
        m.benchmark.version(),
        r.family(),
        r.kind(),
        m.severity,
        stride.join(", "),
        if m.rationale.is_empty() { "-" } else { m.rationale },
        if refs.is_empty() { "none".to_string() } else { refs.join(", ") },
        m.remediation
    )
}
