//! A threat [`Analysis`] as a [`Run`] of the finding core, so `threats`
//! gets SARIF and JUnit from the shared writers: each library threat that
//! applied is a rule, each instance an item on its component. Confirmed
//! threats fail, unverified ones need review, mitigated ones pass, and
//! waived ones are suppressed with the waiver's reason.

use super::core::{Hit, Item, Loc, RuleInfo, Run, Verdict};
use crate::threat::eval::{Instance, Status};
use crate::threat::library::Threat;
use crate::threat::Analysis;
use std::collections::HashMap;

/// A library threat as a rule. Threats are library data, not registry rules,
/// so this is the one `RuleInfo` not built from a `RuleMeta`; its default
/// severity is that of its first instance (the rating is per instance).
fn rule(t: &Threat, i: &Instance) -> RuleInfo {
    let mut tags: Vec<String> = vec!["security".into(), "threat-model".into()];
    tags.extend(t.references.cwe.iter().map(|c| format!("CWE-{c}")));
    tags.extend(t.stride.iter().map(|s| format!("STRIDE:{}", s.name())));
    RuleInfo {
        id: t.id.clone(),
        name: t.id.clone(),
        title: t.title.clone(),
        description: format!("{} {}", t.risk, t.reason).trim().to_string(),
        help: t.prevention.join(" "),
        severity: i.severity,
        tags,
    }
}

fn verdict(s: Status) -> Verdict {
    match s {
        Status::OpenConfirmed | Status::PartiallyMitigated | Status::Accepted => Verdict::Fail,
        Status::OpenUnverified | Status::NotAssessed | Status::NeedsReview => Verdict::Review,
        Status::Mitigated => Verdict::Pass,
        Status::OutOfScope => Verdict::Skip,
    }
}

fn item<'a>(a: &Analysis<'a>, rule: usize, i: &'a Instance) -> Item<'a> {
    let t = a.threat(i);
    let c = a.component(i);
    let on = match a.flow(i) {
        Some(f) => format!("{} (flow {})", c.name, f.label),
        None => c.name.clone(),
    };
    let message = format!("{} on {on}: {}", t.title, i.status.label());
    Item {
        rule: Some(rule),
        verdict: verdict(i.status),
        severity: i.severity,
        message: message.clone().into(),
        details: i.explanation.iter().map(|e| e.as_str().into()).collect(),
        hits: vec![Hit {
            text: message.into(),
            loc: Loc::Logical {
                name: c.name.as_str().into(),
                kind: c.kind.name().into(),
            },
            related: Vec::new(),
        }],
        suppressed: i.waiver.as_ref().map(|w| w.reason.as_str().into()),
        object: i.id.as_str().into(),
        suite: c.name.as_str().into(),
        case: i.id.as_str().into(),
        classname: format!("threats.{}", t.surface).into(),
    }
}

/// The analysis in the shape of the finding core.
pub fn run<'a>(a: &'a Analysis<'a>) -> Run<'a> {
    let mut run = Run::new("threats");
    let mut index: HashMap<usize, usize> = HashMap::new();
    for i in &a.instances {
        let r = *index.entry(i.threat).or_insert_with(|| {
            run.rules.push(rule(a.threat(i), i));
            run.rules.len() - 1
        });
        run.items.push(item(a, r, i));
    }
    run
}
