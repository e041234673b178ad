//! `shipshape rules [ID]`: the check catalogue.

use crate::rules::docker::checks;

#[derive(clap::Args)]
pub struct RulesArgs {
    /// A check id (5.5) or section (5) to document; all checks when omitted
    pub id: Option<String>,
}

pub fn run(args: RulesArgs) -> i32 {
    let all = checks();
    let selected: Vec<_> = match &args.id {
        None => all.iter().collect(),
        Some(sel) => all.iter().filter(|c| c.matches(sel)).collect(),
    };
    if selected.is_empty() {
        super::error(format!(
            "no check matches '{}'; run `shipshape rules` for the list",
            args.id.unwrap_or_default()
        ));
        return super::EXIT_TOOL_FAILED;
    }
    let mut out = String::new();
    let detailed = selected.len() <= 3;
    for c in selected {
        let kind = if c.automated { "automated" } else { "manual" };
        let stride: String = c.stride.iter().map(|s| s.letter()).collect();
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
            out.push_str(&format!(
                "{:<7} {:<9} {:<8} {:<6} {}\n",
                c.id, kind, c.severity, stride, c.title
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
