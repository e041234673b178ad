//! The user's model file (YAML): adds components, boundaries and flows to the
//! model built from the snapshot, overrides what was observed, and records
//! waivers. Unknown keys and references to undeclared elements are errors
//! reported as `file:line:column`.

use super::eval::Waiver;
use super::model::{
    Boundary, BoundaryKind, Component, ComponentKind, Fact, Flow, Origin, SystemModel,
};
use super::yaml::{self, Located};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Version of the model-file layout this build reads.
pub const MODEL_FILE_VERSION: u32 = 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    #[serde(default)]
    pub version: Option<Located<u32>>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub boundaries: Vec<Located<BoundaryDecl>>,
    #[serde(default)]
    pub components: Vec<Located<ComponentDecl>>,
    #[serde(default)]
    pub flows: Vec<Located<FlowDecl>>,
    /// Risk tracking per threat instance (`risk_tracking:` is accepted too).
    #[serde(default, alias = "risk_tracking")]
    pub waivers: Vec<Located<WaiverDecl>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundaryDecl {
    pub id: String,
    #[serde(default)]
    pub kind: Option<BoundaryKind>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub parent: Option<Located<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentDecl {
    pub id: String,
    #[serde(default)]
    pub kind: Option<ComponentKind>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub boundary: Option<Located<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub facts: BTreeMap<String, Fact>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowDecl {
    #[serde(default)]
    pub id: Option<String>,
    pub from: Located<String>,
    pub to: Located<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub encrypted: Option<bool>,
    #[serde(default)]
    pub authenticated: Option<bool>,
    #[serde(default)]
    pub facts: BTreeMap<String, Fact>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverDecl {
    /// Instance id pattern, `*` and `?` wildcards: `docker.container.root-user@container:web`.
    pub threat: String,
    pub reason: String,
    #[serde(default)]
    pub expires: Option<Located<String>>,
    /// accepted (default), mitigating, false-positive or compensating-control.
    #[serde(default)]
    pub status: Tracking,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub ticket: Option<String>,
}

/// Where a tracked threat instance stands. `mitigating` keeps the threat
/// open (work in progress); the others close it until the entry expires.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tracking {
    #[default]
    Accepted,
    Mitigating,
    FalsePositive,
    CompensatingControl,
}

/// Parse `YYYY-MM-DD` into days since 1970-01-01.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.trim().splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    let dim = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=dim).contains(&d) || s.trim().len() != 10 {
        return None;
    }
    Some(crate::util::clock::days_from_civil(y, m, d))
}

/// Read and parse a model file.
pub fn load(path: &std::path::Path) -> Result<(String, ModelFile), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read model file {}: {e}", path.display()))?;
    let name = path.display().to_string();
    let mf = parse(&name, &text)?;
    Ok((name, mf))
}

pub fn parse(file: &str, text: &str) -> Result<ModelFile, String> {
    let mf: ModelFile = yaml::parse(file, text)?;
    if let Some(v) = &mf.version {
        if v.value != MODEL_FILE_VERSION {
            return Err(format!(
                "{}: model file version {} is not supported (this build reads version {MODEL_FILE_VERSION})",
                v.at(file),
                v.value
            ));
        }
    }
    Ok(mf)
}

/// Apply a parsed model file to `model`. Returns the waivers it declares.
pub fn apply(model: &mut SystemModel, file: &str, mf: &ModelFile) -> Result<Vec<Waiver>, String> {
    if let Some(n) = &mf.name {
        model.name = n.clone();
    }
    apply_boundaries(model, file, mf)?;
    apply_components(model, file, mf)?;
    apply_flows(model, file, mf)?;
    read_waivers(file, mf)
}

/// New boundaries, overrides of existing ones, then parent checks.
fn apply_boundaries(model: &mut SystemModel, file: &str, mf: &ModelFile) -> Result<(), String> {
    for b in &mf.boundaries {
        let d = &b.value;
        match model.boundaries.iter_mut().find(|x| x.id == d.id) {
            Some(x) => {
                if let Some(k) = d.kind {
                    x.kind = k;
                }
                if let Some(n) = &d.name {
                    x.name = n.clone();
                }
                if let Some(p) = &d.parent {
                    x.parent = Some(p.value.clone());
                }
                x.origin = Origin::Overridden;
            }
            None => {
                let kind = d.kind.ok_or_else(|| {
                    format!(
                        "{}: boundary '{}' is new, so it needs a kind (one of host, container, control-plane, worker-node, cluster-network, internet)",
                        b.at(file),
                        d.id
                    )
                })?;
                model.boundaries.push(Boundary {
                    id: d.id.clone(),
                    kind,
                    name: d.name.clone().unwrap_or_else(|| d.id.clone()),
                    parent: d.parent.as_ref().map(|p| p.value.clone()),
                    origin: Origin::ModelFile,
                });
            }
        }
    }
    // Parents must exist and must not form a cycle.
    for b in &mf.boundaries {
        if let Some(p) = &b.value.parent {
            if model.boundary(&p.value).is_none() {
                return Err(format!(
                    "{}: boundary '{}' names parent '{}', which is not declared",
                    p.at(file),
                    b.value.id,
                    p.value
                ));
            }
            let mut cur = Some(p.value.as_str());
            let mut steps = 0;
            while let Some(c) = cur {
                if c == b.value.id || steps > model.boundaries.len() {
                    return Err(format!(
                        "{}: boundary '{}' is its own ancestor",
                        p.at(file),
                        b.value.id
                    ));
                }
                cur = model.boundary(c).and_then(|x| x.parent.as_deref());
                steps += 1;
            }
        }
    }
    Ok(())
}

/// New components and field-by-field overrides of observed ones.
fn apply_components(model: &mut SystemModel, file: &str, mf: &ModelFile) -> Result<(), String> {
    for c in &mf.components {
        let d = &c.value;
        if let Some(b) = &d.boundary {
            if model.boundary(&b.value).is_none() {
                return Err(format!(
                    "{}: component '{}' is placed in boundary '{}', which is not declared",
                    b.at(file),
                    d.id,
                    b.value
                ));
            }
        }
        match model.component_mut(&d.id) {
            Some(x) => {
                if let Some(k) = d.kind {
                    if k != x.kind {
                        return Err(format!(
                            "{}: component '{}' is a {} in the audited system; the model file says {}",
                            c.at(file),
                            d.id,
                            x.kind,
                            k
                        ));
                    }
                }
                if let Some(n) = &d.name {
                    x.name = n.clone();
                }
                if let Some(b) = &d.boundary {
                    x.boundary = Some(b.value.clone());
                }
                if let Some(desc) = &d.description {
                    x.description = Some(desc.clone());
                }
                for (k, v) in &d.facts {
                    x.facts.insert(k.clone(), v.clone());
                    x.declared.insert(k.clone());
                }
                x.origin = Origin::Overridden;
            }
            None => {
                let kind = d.kind.ok_or_else(|| {
                    format!(
                        "{}: component '{}' is new, so it needs a kind",
                        c.at(file),
                        d.id
                    )
                })?;
                if d.id.is_empty() || d.id.contains('@') {
                    return Err(format!(
                        "{}: component id '{}' must be non-empty and without '@'",
                        c.at(file),
                        d.id
                    ));
                }
                let mut comp = Component::new(
                    d.id.clone(),
                    kind,
                    d.name.clone().unwrap_or_else(|| d.id.clone()),
                );
                comp.boundary = d.boundary.as_ref().map(|b| b.value.clone());
                comp.description = d.description.clone();
                comp.facts = d.facts.clone();
                comp.declared = d.facts.keys().cloned().collect();
                comp.origin = Origin::ModelFile;
                model.components.push(comp);
            }
        }
    }
    Ok(())
}

/// New flows and overrides of flows with a known id.
fn apply_flows(model: &mut SystemModel, file: &str, mf: &ModelFile) -> Result<(), String> {
    for f in &mf.flows {
        let d = &f.value;
        for end in [&d.from, &d.to] {
            if model.component(&end.value).is_none() {
                return Err(format!(
                    "{}: flow refers to component '{}', which is not declared",
                    end.at(file),
                    end.value
                ));
            }
        }
        let existing =
            d.id.as_ref()
                .and_then(|id| model.flows.iter_mut().find(|x| &x.id == id));
        match existing {
            Some(x) => {
                x.from = d.from.value.clone();
                x.to = d.to.value.clone();
                if let Some(l) = &d.label {
                    x.label = l.clone();
                }
                if d.protocol.is_some() {
                    x.protocol = d.protocol.clone();
                }
                if d.port.is_some() {
                    x.port = d.port;
                }
                if d.encrypted.is_some() {
                    x.encrypted = d.encrypted;
                }
                if d.authenticated.is_some() {
                    x.authenticated = d.authenticated;
                }
                for (k, v) in &d.facts {
                    x.facts.insert(k.clone(), v.clone());
                }
                x.origin = Origin::Overridden;
            }
            None => {
                let mut fl = Flow::new(
                    &d.from.value,
                    &d.to.value,
                    d.label.clone().unwrap_or_default(),
                );
                if let Some(id) = &d.id {
                    if id.contains('@') {
                        return Err(format!(
                            "{}: flow id '{id}' must not contain '@'",
                            f.at(file)
                        ));
                    }
                    fl.id = id.clone();
                }
                fl.protocol = d.protocol.clone();
                fl.port = d.port;
                fl.encrypted = d.encrypted;
                fl.authenticated = d.authenticated;
                fl.facts = d.facts.clone();
                fl.origin = Origin::ModelFile;
                if d.id.is_some() && model.flows.iter().any(|x| x.id == fl.id) {
                    return Err(format!(
                        "{}: flow id '{}' is declared twice",
                        f.at(file),
                        fl.id
                    ));
                }
                model.add_flow(fl);
            }
        }
    }
    Ok(())
}

/// The waivers, with their expiry parsed.
fn read_waivers(file: &str, mf: &ModelFile) -> Result<Vec<Waiver>, String> {
    let mut waivers = Vec::new();
    for w in &mf.waivers {
        let d = &w.value;
        if d.reason.trim().is_empty() {
            return Err(format!("{}: a waiver needs a reason", w.at(file)));
        }
        let expires_day = match &d.expires {
            None => None,
            Some(e) => Some(parse_date(&e.value).ok_or_else(|| {
                format!(
                    "{}: expiry '{}' is not a date of the form YYYY-MM-DD",
                    e.at(file),
                    e.value
                )
            })?),
        };
        waivers.push(Waiver {
            pattern: d.threat.clone(),
            reason: d.reason.clone(),
            expires: d.expires.as_ref().map(|e| e.value.clone()),
            expires_day,
            at: w.at(file),
            tracking: d.status,
            owner: d.owner.clone(),
            ticket: d.ticket.clone(),
        });
    }
    Ok(waivers)
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates_are_validated() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2024-02-29"), Some(19_782));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("2026-1-1"), None);
        assert_eq!(parse_date("soon"), None);
    }
}
