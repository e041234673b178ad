//! `shipshape rules [ID]`: the catalogues of host checks and scan rules.

use crate::rules::docker::checks;
use crate::scan::registry;
use crate::scan::rule::Rule;

#[derive(clap::Args)]
pub struct RulesArgs {
    /// A CIS Docker check id (5.5) or section (5), or a scan rule id (K8S-001) or
    /// family (K8S, DF, COMPOSE); everything when omitted
    pub id: Option<String>,
}

fn scan_rule_matches(r: &Rule, sel: &str) -> bool {
    let sel = sel.to_ascii_uppercase();
    r.id.eq_ignore_ascii_case(&sel) || r.id.split('-').next() == Some(sel.as_str())
}

pub fn run(args: RulesArgs) -> i32 {
    let sel = args.id.as_deref();
    let host: Vec<_> = checks()
        .iter()
        .filter(|c| sel.is_none_or(|s| c.matches(s)))
        .collect();
    let scan: Vec<&Rule> = registry::all()
        .filter(|r| sel.is_none_or(|s| scan_rule_matches(r, s)))
        .collect();
    if host.is_empty() && scan.is_empty() {
        super::error(format!(
            "no check or rule matches '{}'; run `shipshape rules` for the list",
            sel.unwrap_or_default()
        ));
        return super::EXIT_TOOL_FAILED;
    }
    let detailed = host.len() + scan.len() <= 3;
    let mut out = String::new();
    for c in host {
        let kind = if c.automated { "automated" } else { "manual" };
        if detailed {
            out.push_str(&format!(
                "{} {}\n  CIS Docker Benchmark 1.6, {kind}; severity {}; STRIDE {}\n  Remediation: {}\n\n",
                c.id,
                c.title,
                c.severity,
                c.stride.iter().map(|s| s.name()).collect::<Vec<_>>().join(", "),
                c.remediation
            ));
        } else {
            let stride: String = c.stride.iter().map(|s| s.letter()).collect();
            out.push_str(&format!(
                "{:<11} {:<10} {:<8} {:<6} {}\n",
                c.id, kind, c.severity, stride, c.title
            ));
        }
    }
    for r in scan {
        let domain = format!("{:?}", r.domain).to_ascii_lowercase();
        if detailed {
            let refs: Vec<String> = r.refs.iter().map(|x| x.label()).collect();
            out.push_str(&format!(
                "{} {}\n  scan rule ({domain}); severity {}; STRIDE {}\n  References: {}\n  Remediation: {}\n\n",
                r.id,
                r.title,
                r.severity,
                r.stride.iter().map(|s| s.name()).collect::<Vec<_>>().join(", "),
                if refs.is_empty() { "none".to_string() } else { refs.join(", ") },
                r.remediation
            ));
        } else {
            let stride: String = r.stride.iter().map(|s| s.letter()).collect();
            out.push_str(&format!(
                "{:<11} {:<10} {:<8} {:<6} {}\n",
                r.id, domain, r.severity, stride, r.title
            ));
        }
    }
    match super::write_output(None, &out) {
        Ok(()) => 0,
        Err(e) => {
            super::error(e);
            super::EXIT_TOOL_FAILED
        }
    }
}
