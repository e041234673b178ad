//! The user's model file (YAML): adds components, boundaries and flows to the
//! model built from the snapshot, overrides what was observed, and records
//! waivers. Unknown keys and references to undeclared elements are errors
//! reported as `file:line:column`.

use super::eval::Waiver;
use super::model::{
    AuthMethod, Authorization, Boundary, BoundaryKind, Component, ComponentKind, DataAsset, Fact,
    Flow, Origin, Rating, SystemModel,
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
    /// Other model files, relative to this one, applied before it.
    #[serde(default, alias = "include")]
    pub includes: Vec<Located<String>>,
    #[serde(default)]
    pub data_assets: Vec<Located<DataAssetDecl>>,
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
    /// The reason this boundary, and everything in it, is out of scope.
    #[serde(default)]
    pub out_of_scope: Option<Located<String>>,
}

/// A data asset: what it is and how much its confidentiality, integrity and
/// availability matter (low, medium, high, very-high).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataAssetDecl {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub confidentiality: Rating,
    pub integrity: Rating,
    pub availability: Rating,
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
    /// Data assets kept by the component.
    #[serde(default)]
    pub stores: Vec<Located<String>>,
    /// Data assets the component handles without keeping them.
    #[serde(default)]
    pub processes: Vec<Located<String>>,
    /// The reason the component is out of scope.
    #[serde(default)]
    pub out_of_scope: Option<Located<String>>,
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
    /// Data assets the flow carries.
    #[serde(default, alias = "data_assets")]
    pub data: Vec<Located<String>>,
    #[serde(default)]
    pub authentication: Option<Located<AuthMethod>>,
    #[serde(default)]
    pub authorization: Option<Authorization>,
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

/// Read a model file and, depth first, the files it includes (paths
/// relative to the including file). Included files come first, so the
/// including file can refine what they declare; a file included twice is
/// read once; an include cycle is an error naming every file of the cycle.
pub fn load_all(path: &std::path::Path) -> Result<Vec<(String, ModelFile)>, String> {
    let mut out = Vec::new();
    let mut stack = Vec::new();
    let mut seen = std::collections::HashSet::new();
    load_rec(path, None, &mut stack, &mut seen, &mut out)?;
    Ok(out)
}

fn load_rec(
    path: &std::path::Path,
    from: Option<String>,
    stack: &mut Vec<(std::path::PathBuf, String)>,
    seen: &mut std::collections::HashSet<std::path::PathBuf>,
    out: &mut Vec<(String, ModelFile)>,
) -> Result<(), String> {
    let name = path.display().to_string();
    let place = |msg: String| match &from {
        Some(at) => format!("{at}: {msg}"),
        None => msg,
    };
    let canon = std::fs::canonicalize(path)
        .map_err(|e| place(format!("cannot read model file {name}: {e}")))?;
    if let Some(pos) = stack.iter().position(|(p, _)| *p == canon) {
        let mut chain: Vec<&str> = stack[pos..].iter().map(|(_, n)| n.as_str()).collect();
        chain.push(&name);
        return Err(place(format!("include cycle: {}", chain.join(" -> "))));
    }
    if !seen.insert(canon.clone()) {
        return Ok(());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| place(format!("cannot read model file {name}: {e}")))?;
    let mf = parse(&name, &text)?;
    stack.push((canon, name.clone()));
    let dir = path.parent().unwrap_or(std::path::Path::new(""));
    for inc in &mf.includes {
        load_rec(&dir.join(&inc.value), Some(inc.at(&name)), stack, seen, out)?;
    }
    stack.pop();
    out.push((name, mf));
    Ok(())
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
    apply_assets(model, file, mf)?;
    apply_boundaries(model, file, mf)?;
    apply_components(model, file, mf)?;
    apply_flows(model, file, mf)?;
    propagate_scope(model);
    read_waivers(file, mf)
}

/// Data assets: new ids only; each needs its three ratings (checked by
/// the parser).
fn apply_assets(model: &mut SystemModel, file: &str, mf: &ModelFile) -> Result<(), String> {
    for a in &mf.data_assets {
        let d = &a.value;
        if d.id.trim().is_empty() {
            return Err(format!("{}: a data asset needs an id", a.at(file)));
        }
        if model.data_assets.iter().any(|x| x.id == d.id) {
            return Err(format!(
                "{}: data asset '{}' is declared twice",
                a.at(file),
                d.id
            ));
        }
        model.data_assets.push(DataAsset {
            id: d.id.clone(),
            name: d.name.clone().unwrap_or_else(|| d.id.clone()),
            description: d.description.clone(),
            confidentiality: d.confidentiality,
            integrity: d.integrity,
            availability: d.availability,
        });
    }
    Ok(())
}

/// Check that every named data asset is declared; return the ids, deduplicated.
fn asset_refs<'r>(
    model: &SystemModel,
    file: &str,
    what: &str,
    refs: impl IntoIterator<Item = &'r Located<String>>,
    into: &mut Vec<String>,
) -> Result<(), String> {
    for r in refs {
        if !model.data_assets.iter().any(|a| a.id == r.value) {
            return Err(format!(
                "{}: {what} names data asset '{}', which is not declared under data_assets",
                r.at(file),
                r.value
            ));
        }
        if !into.contains(&r.value) {
            into.push(r.value.clone());
        }
    }
    Ok(())
}

/// A non-empty out-of-scope reason.
fn scope_reason(
    file: &str,
    what: &str,
    r: &Option<Located<String>>,
) -> Result<Option<String>, String> {
    match r {
        None => Ok(None),
        Some(l) if l.value.trim().is_empty() => Err(format!(
            "{}: {what} is marked out_of_scope without a reason; write the reason as the value",
            l.at(file)
        )),
        Some(l) => Ok(Some(l.value.clone())),
    }
}

/// Mark every component inside an out-of-scope boundary (at any depth).
fn propagate_scope(model: &mut SystemModel) {
    if model.out_of_scope_boundaries.is_empty() {
        return;
    }
    let parent: std::collections::HashMap<&str, Option<&str>> = model
        .boundaries
        .iter()
        .map(|b| (b.id.as_str(), b.parent.as_deref()))
        .collect();
    let mut marks = Vec::new();
    for (ci, c) in model.components.iter().enumerate() {
        if c.out_of_scope.is_some() {
            continue;
        }
        let mut cur = c.boundary.as_deref();
        let mut steps = 0;
        while let Some(b) = cur {
            if let Some(r) = model.out_of_scope_boundaries.get(b) {
                marks.push((ci, format!("in boundary '{b}', out of scope: {r}")));
                break;
            }
            steps += 1;
            if steps > parent.len() {
                break;
            }
            cur = parent.get(b).copied().flatten();
        }
    }
    for (ci, r) in marks {
        model.components[ci].out_of_scope = Some(r);
    }
}

/// New boundaries, overrides of existing ones, then parent checks.
fn apply_boundaries(model: &mut SystemModel, file: &str, mf: &ModelFile) -> Result<(), String> {
    for b in &mf.boundaries {
        let d = &b.value;
        if let Some(r) = scope_reason(file, &format!("boundary '{}'", d.id), &d.out_of_scope)? {
            model.out_of_scope_boundaries.insert(d.id.clone(), r);
        }
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
        let what = format!("component '{}'", d.id);
        let scope = scope_reason(file, &what, &d.out_of_scope)?;
        let mut assets = Vec::new();
        asset_refs(
            model,
            file,
            &what,
            d.stores.iter().chain(&d.processes),
            &mut assets,
        )?;
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
            Some(x) => override_component(x, file, c, assets, scope)?,
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
                comp.data_assets = assets;
                comp.out_of_scope = scope;
                comp.origin = Origin::ModelFile;
                model.components.push(comp);
            }
        }
    }
    Ok(())
}

/// Field-by-field override of an observed component.
fn override_component(
    x: &mut Component,
    file: &str,
    c: &Located<ComponentDecl>,
    assets: Vec<String>,
    scope: Option<String>,
) -> Result<(), String> {
    let d = &c.value;
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
    for a in assets {
        if !x.data_assets.contains(&a) {
            x.data_assets.push(a);
        }
    }
    if scope.is_some() {
        x.out_of_scope = scope;
    }
    x.origin = Origin::Overridden;
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
        let mut assets = Vec::new();
        asset_refs(model, file, "a flow", &d.data, &mut assets)?;
        let authenticated = flow_authenticated(file, d)?;
        let existing =
            d.id.as_ref()
                .and_then(|id| model.flows.iter().position(|x| &x.id == id));
        match existing {
            Some(i) => {
                let x = &mut model.flows[i];
                x.from = d.from.value.clone();
                x.to = d.to.value.clone();
                if let Some(l) = &d.label {
                    x.label = l.clone();
                }
                set_flow_fields(x, d, authenticated, assets);
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
                set_flow_fields(&mut fl, d, authenticated, assets);
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

/// `authenticated`, from the flag or the authentication method; the two
/// must agree when both are given.
fn flow_authenticated(file: &str, d: &FlowDecl) -> Result<Option<bool>, String> {
    let Some(m) = &d.authentication else {
        return Ok(d.authenticated);
    };
    let by_method = m.value != AuthMethod::None;
    match d.authenticated {
        Some(flag) if flag != by_method => Err(format!(
            "{}: authentication '{}' contradicts authenticated: {flag}",
            m.at(file),
            m.value.name()
        )),
        _ => Ok(Some(by_method)),
    }
}

/// Copy the optional flow fields the model file gives; unset ones stay.
fn set_flow_fields(x: &mut Flow, d: &FlowDecl, authenticated: Option<bool>, assets: Vec<String>) {
    if d.protocol.is_some() {
        x.protocol = d.protocol.clone();
    }
    if d.port.is_some() {
        x.port = d.port;
    }
    if d.encrypted.is_some() {
        x.encrypted = d.encrypted;
    }
    if authenticated.is_some() {
        x.authenticated = authenticated;
    }
    if let Some(m) = &d.authentication {
        x.authentication = Some(m.value);
    }
    if d.authorization.is_some() {
        x.authorization = d.authorization;
    }
    for a in assets {
        if !x.data_assets.contains(&a) {
            x.data_assets.push(a);
        }
    }
    for (k, v) in &d.facts {
        x.facts.insert(k.clone(), v.clone());
    }
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
