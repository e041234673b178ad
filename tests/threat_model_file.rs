//! The model file on a par with Threagile: data assets drive impact, flows
//! carry data, authentication and authorisation, risk tracking per instance,
//! out-of-scope marking, includes, and a JSON Schema for editors.

mod threat_support;

use shipshape::threat::eval::Status;
use shipshape::threat::model::{AuthMethod, Authorization, SystemModel};
use shipshape::threat::{analyze, modelfile, Library};
use std::path::Path;

fn model_of(text: &str) -> Result<(SystemModel, Vec<shipshape::threat::Waiver>), String> {
    let mf = modelfile::parse("model.yaml", text)?;
    let mut m = SystemModel::default();
    let w = modelfile::apply(&mut m, "model.yaml", &mf)?;
    m.fill_defaults();
    Ok((m, w))
}

/// Score and impact of one instance of `threat` on component `db`.
fn rating(text: &str, threat: &str) -> (u8, &'static str) {
    let (m, w) = model_of(text).unwrap();
    let lib = Library::builtin();
    let a = analyze(&m, &lib, &[], &w, 0);
    let i = a
        .instances
        .iter()
        .find(|i| i.id == format!("{threat}@db"))
        .unwrap_or_else(|| panic!("no {threat}@db"));
    (i.score, i.impact.name())
}

const DB: &str = "components:\n  - {id: db, kind: datastore, name: DB";

#[test]
fn the_most_sensitive_asset_sets_impact_and_score() {
    let assets = "data_assets:\n  - {id: logs, confidentiality: low, integrity: low, availability: low}\n  - {id: cards, confidentiality: very-high, integrity: medium, availability: low}\n";
    // The library default: disclosure is likely (2) × high (3).
    assert_eq!(
        rating(&format!("{DB}}}\n"), "platform.datastore.disclosure"),
        (6, "high")
    );
    // Only public logs: confidentiality low, score 2 × 1.
    assert_eq!(
        rating(
            &format!("{assets}{DB}, stores: [logs]}}\n"),
            "platform.datastore.disclosure"
        ),
        (2, "low")
    );
    // Card data as well: the most sensitive asset wins, 2 × 4.
    assert_eq!(
        rating(
            &format!("{assets}{DB}, stores: [logs], processes: [cards]}}\n"),
            "platform.datastore.disclosure"
        ),
        (8, "very-high")
    );
    // Destruction reads availability (both low): unlikely (1) × low (1).
    assert_eq!(
        rating(
            &format!("{assets}{DB}, stores: [logs, cards]}}\n"),
            "platform.datastore.destruction"
        ),
        (1, "low")
    );
    // Tampering reads integrity: cards' medium.
    assert_eq!(
        rating(
            &format!("{assets}{DB}, stores: [logs, cards]}}\n"),
            "platform.datastore.tampering"
        ),
        (2, "medium")
    );
}

#[test]
fn the_explanation_names_the_asset_and_threagile_words_are_accepted() {
    let text = format!(
        "data_assets:\n  - {{id: pii, confidentiality: strictly-confidential, integrity: important, availability: archive}}\n{DB}, stores: [pii]}}\n"
    );
    let (m, w) = model_of(&text).unwrap();
    let lib = Library::builtin();
    let a = analyze(&m, &lib, &[], &w, 0);
    let i = a
        .instances
        .iter()
        .find(|i| i.id == "platform.datastore.disclosure@db")
        .unwrap();
    assert!(
        i.explanation
            .iter()
            .any(|e| e
                .contains("impact very-high from data asset(s) pii (confidentiality very-high)")),
        "{:?}",
        i.explanation
    );
}

#[test]
fn asset_mistakes_are_errors_with_position() {
    let e = model_of(&format!("{DB}, stores: [nope]}}\n")).unwrap_err();
    assert!(
        e.starts_with("model.yaml:2:")
            && e.contains("names data asset 'nope', which is not declared"),
        "{e}"
    );
    let e = model_of(
        "data_assets:\n  - {id: x, confidentiality: secret, integrity: low, availability: low}\n",
    )
    .unwrap_err();
    assert!(
        e.starts_with("model.yaml:2:") && e.contains("unknown variant `secret`"),
        "{e}"
    );
    let e =
        model_of("data_assets:\n  - {id: x, confidentiality: low, integrity: low}\n").unwrap_err();
    assert!(e.contains("availability"), "{e}");
    let e = model_of("data_assets:\n  - {id: x, confidentiality: low, integrity: low, availability: low, owner: me}\n").unwrap_err();
    assert!(
        e.starts_with("model.yaml:2:") && e.contains("unknown field `owner`"),
        "{e}"
    );
}

#[test]
fn flows_carry_data_authentication_and_authorization() {
    let base = "data_assets:\n  - {id: pii, confidentiality: high, integrity: high, availability: low}\ncomponents:\n  - {id: a, kind: app-service}\n  - {id: b, kind: datastore}\nflows:\n";
    let (m, _) = model_of(&format!(
        "{base}  - {{from: a, to: b, data: [pii], authentication: mtls, authorization: rbac}}\n  - {{from: b, to: a, authentication: none}}\n"
    ))
    .unwrap();
    let f = &m.flows[0];
    assert_eq!(f.data_assets, ["pii"]);
    assert_eq!(f.authentication, Some(AuthMethod::Mtls));
    assert_eq!(f.authorization, Some(Authorization::Rbac));
    assert_eq!(f.authenticated, Some(true), "mtls authenticates");
    assert_eq!(m.flows[1].authenticated, Some(false), "none does not");

    let e = model_of(&format!(
        "{base}  - {{from: a, to: b, authentication: none, authenticated: true}}\n"
    ))
    .unwrap_err();
    assert!(
        e.starts_with("model.yaml:7:") && e.contains("authentication 'none' contradicts"),
        "{e}"
    );
    let e = model_of(&format!(
        "{base}  - {{from: a, to: b, authentication: magic}}\n"
    ))
    .unwrap_err();
    assert!(
        e.starts_with("model.yaml:7:") && e.contains("unknown variant `magic`"),
        "{e}"
    );
    let e = model_of(&format!("{base}  - {{from: a, to: b, data: [cards]}}\n")).unwrap_err();
    assert!(e.contains("data asset 'cards'"), "{e}");
}

#[test]
fn flow_assets_set_the_impact_of_flow_threats() {
    let text = "data_assets:\n  - {id: creds, confidentiality: very-high, integrity: low, availability: low}\n  - {id: none, confidentiality: low, integrity: low, availability: low}\ncomponents:\n  - {id: app, kind: app-service}\n  - {id: imds, kind: cloud-metadata}\nflows:\n  - {from: app, to: imds, data: [DATA]}\n";
    let score = |asset: &str| {
        let (m, w) = model_of(&text.replace("DATA", asset)).unwrap();
        let lib = Library::builtin();
        let a = analyze(&m, &lib, &[], &w, 0);
        a.instances
            .iter()
            .find(|i| i.id.starts_with("platform.imds.pod-reach@app@"))
            .map(|i| i.score)
            .unwrap()
    };
    // likely (2) × very-high (4) against likely × low.
    assert_eq!(score("creds"), 8);
    assert_eq!(score("none"), 2);
}

#[test]
fn out_of_scope_components_and_boundaries_are_listed_not_counted() {
    let text = "boundaries:\n  - {id: vendor, kind: internet, out_of_scope: Run by the vendor}\n  - {id: inner, kind: container, parent: vendor}\ncomponents:\n  - {id: db, kind: datastore, out_of_scope: Decommissioned in Q1}\n  - {id: api, kind: app-service, boundary: inner}\n  - {id: ns, kind: namespace}\n";
    let (m, w) = model_of(text).unwrap();
    let lib = Library::builtin();
    let a = analyze(&m, &lib, &[], &w, 0);
    for c in ["db", "api"] {
        let mine: Vec<_> = a
            .instances
            .iter()
            .filter(|i| a.component(i).id == c)
            .collect();
        assert!(!mine.is_empty());
        assert!(
            mine.iter()
                .all(|i| i.status == Status::OutOfScope && !i.status.is_open()),
            "{c}"
        );
    }
    let api = m.component("api").unwrap();
    assert!(
        api.out_of_scope
            .as_deref()
            .is_some_and(|r| r.contains("'vendor'") && r.contains("Run by the vendor")),
        "nested boundary: {:?}",
        api.out_of_scope
    );
    // The namespace is in scope and still open; out-of-scope ones come last.
    let first_oos = a
        .instances
        .iter()
        .position(|i| i.status == Status::OutOfScope)
        .unwrap();
    assert!(a.instances[..first_oos]
        .iter()
        .all(|i| a.component(i).id == "ns" && i.status.is_open()));
    assert!(a.instances[first_oos..]
        .iter()
        .all(|i| i.status == Status::OutOfScope));
    let md = shipshape::threat::render::markdown::render(&a);
    assert!(md.contains("| out of scope |"), "{md}");
    assert!(md.contains("Decommissioned in Q1"), "{md}");
    let e =
        model_of("components:\n  - {id: x, kind: datastore, out_of_scope: \"\"}\n").unwrap_err();
    assert!(
        e.starts_with("model.yaml:2:") && e.contains("without a reason"),
        "{e}"
    );
}

#[test]
fn risk_tracking_statuses_owner_ticket_and_expiry() {
    let text = "components:\n  - {id: db, kind: datastore}\nrisk_tracking:\n  - {threat: platform.datastore.disclosure@db, status: accepted, reason: r, owner: alice, ticket: SEC-1, expires: 2030-01-01}\n  - {threat: platform.datastore.tampering@db, status: mitigating, reason: r, owner: bob, ticket: SEC-2}\n  - {threat: platform.datastore.destruction@db, status: false-positive, reason: r, expires: 2020-01-01}\n";
    let (m, w) = model_of(text).unwrap();
    let lib = Library::builtin();
    let today = modelfile::parse_date("2026-12-07").unwrap();
    let a = analyze(&m, &lib, &[], &w, today);
    let get = |t: &str| {
        a.instances
            .iter()
            .find(|i| i.id == format!("{t}@db"))
            .unwrap()
    };
    let acc = get("platform.datastore.disclosure");
    assert_eq!(acc.status, Status::Accepted);
    let wv = acc.waiver.as_ref().unwrap();
    assert_eq!(
        (wv.owner.as_deref(), wv.ticket.as_deref()),
        (Some("alice"), Some("SEC-1"))
    );
    let mit = get("platform.datastore.tampering");
    assert!(mit.status.is_open(), "mitigating keeps it open");
    assert!(mit.explanation.iter().any(|e| e.contains("bob, SEC-2")));
    let exp = get("platform.datastore.destruction");
    assert!(exp.status.is_open(), "an expired entry reopens the threat");
    assert!(exp
        .explanation
        .iter()
        .any(|e| e.contains("expired on 2020-01-01")));
    let e = model_of("risk_tracking:\n  - {threat: x, reason: r, status: ignored}\n").unwrap_err();
    assert!(
        e.starts_with("model.yaml:2:") && e.contains("unknown variant `ignored`"),
        "{e}"
    );
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn includes_are_relative_applied_first_and_read_once() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "parts/assets.yaml", "includes: [common.yaml]\ndata_assets:\n  - {id: pii, confidentiality: high, integrity: low, availability: low}\n");
    write(
        d.path(),
        "parts/common.yaml",
        "boundaries:\n  - {id: ns, kind: cluster-network}\n",
    );
    write(d.path(), "top.yaml", "includes: [parts/assets.yaml, parts/common.yaml]\ncomponents:\n  - {id: db, kind: datastore, boundary: ns, stores: [pii]}\n");
    let files = modelfile::load_all(&d.path().join("top.yaml")).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|(n, _)| {
            Path::new(n)
                .strip_prefix(d.path())
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(
        names,
        ["parts/common.yaml", "parts/assets.yaml", "top.yaml"],
        "depth first, each file once"
    );
    let mut m = SystemModel::default();
    for (n, mf) in &files {
        modelfile::apply(&mut m, n, mf).unwrap();
    }
    assert_eq!(m.component("db").unwrap().data_assets, ["pii"]);
}

#[test]
fn include_cycles_and_missing_files_name_the_files() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a.yaml", "includes: [b.yaml]\n");
    write(d.path(), "b.yaml", "version: 1\nincludes: [a.yaml]\n");
    let e = modelfile::load_all(&d.path().join("a.yaml")).unwrap_err();
    let a = d.path().join("a.yaml").display().to_string();
    let b = d.path().join("b.yaml").display().to_string();
    assert!(
        e.starts_with(&format!("{b}:2:"))
            && e.contains(&format!("include cycle: {a} -> {b} -> {a}")),
        "{e}"
    );
    write(d.path(), "c.yaml", "includes: [missing.yaml]\n");
    let e = modelfile::load_all(&d.path().join("c.yaml")).unwrap_err();
    assert!(e.contains("c.yaml:1:") && e.contains("missing.yaml"), "{e}");
    write(d.path(), "d.yaml", "includes: [bad.yaml]\n");
    write(
        d.path(),
        "bad.yaml",
        "components:\n  - {id: x, kind: app-service, colour: red}\n",
    );
    let e = modelfile::load_all(&d.path().join("d.yaml")).unwrap_err();
    assert!(
        e.contains("bad.yaml:2:") && e.contains("unknown field `colour`"),
        "{e}"
    );
}

/// YAML model file as JSON, for the schema validator.
fn yaml_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

fn schema() -> jsonschema::Validator {
    let s: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(threat_support::root("docs/schema/threat-model.v1.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&s).unwrap()
}

#[test]
fn example_model_files_validate_against_the_schema_and_load() {
    let v = schema();
    for f in [
        "examples/seed-model.yaml",
        "examples/platform-model.yaml",
        "examples/platform/assets.yaml",
        "tests/fixtures/threat/overlay.yaml",
    ] {
        let p = threat_support::root(f);
        let doc = yaml_json(&p);
        let errs: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errs.is_empty(), "{f}: {errs:?}");
        // Every file parses (the overlay needs its snapshot to apply).
        modelfile::load_all(&p).unwrap_or_else(|e| panic!("{e}"));
    }
    // The platform example: includes, assets, tracking and scope all used.
    let p = threat_support::root("examples/platform-model.yaml");
    let mut m = SystemModel::default();
    let mut w = Vec::new();
    for (n, mf) in &modelfile::load_all(&p).unwrap() {
        w.extend(modelfile::apply(&mut m, n, mf).unwrap());
    }
    assert_eq!(m.data_assets.len(), 4);
    let lib = Library::builtin();
    let a = analyze(&m, &lib, &[], &w, 0);
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert!(a.instances.iter().any(|i| i.status == Status::OutOfScope));
    assert!(a.instances.iter().any(|i| i.status == Status::Accepted));
}

#[test]
fn an_invalid_model_file_fails_the_schema() {
    let v = schema();
    let doc = yaml_json(&threat_support::root(
        "tests/fixtures/threat/model-invalid.yaml",
    ));
    let errs: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
    // A bad rating, a missing rating, an unknown key, an unknown method.
    assert!(errs.len() >= 4, "{errs:?}");
    assert!(errs.iter().any(|e| e.contains("colour")), "{errs:?}");
    assert!(errs.iter().any(|e| e.contains("availability")), "{errs:?}");
    // The binary rejects it too, with a position.
    let e = modelfile::load(&threat_support::root(
        "tests/fixtures/threat/model-invalid.yaml",
    ))
    .unwrap_err();
    assert!(e.contains("model-invalid.yaml:4:"), "{e}");
}

#[test]
fn the_schema_knows_every_component_kind() {
    use shipshape::threat::model::ComponentKind;
    let s: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(threat_support::root("docs/schema/threat-model.v1.json")).unwrap(),
    )
    .unwrap();
    let kinds: Vec<&str> = s["$defs"]["component_kind"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let all: Vec<&str> = ComponentKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(kinds, all);
}

#[test]
fn the_json_output_of_the_platform_example_matches_its_schema() {
    let p = threat_support::root("examples/platform-model.yaml");
    let mut m = SystemModel::default();
    let mut w = Vec::new();
    for (n, mf) in &modelfile::load_all(&p).unwrap() {
        w.extend(modelfile::apply(&mut m, n, mf).unwrap());
    }
    m.fill_defaults();
    let lib = Library::builtin();
    let a = analyze(&m, &lib, &[], &w, 0);
    let out: serde_json::Value =
        serde_json::from_str(&shipshape::threat::render::json::render(&a)).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(shipshape::threat::render::json::JSON_SCHEMA).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errs: Vec<String> = v.iter_errors(&out).map(|e| e.to_string()).collect();
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(out["model"]["data_assets"].as_array().unwrap().len(), 4);
    assert_eq!(out["summary"]["by_status"]["out-of-scope"], 2);
    let flow = &out["model"]["flows"][0];
    assert_eq!(flow["authentication"], "session-cookie");
    assert_eq!(flow["authorization"], "end-user");
}

#[test]
fn the_binary_reads_includes_and_reports_cycles_with_positions() {
    let bin = env!("CARGO_BIN_EXE_shipshape");
    let model = threat_support::root("examples/platform-model.yaml");
    let out = std::process::Command::new(bin)
        .args([
            "threats",
            "--no-host",
            "--fail-on",
            "none",
            "-f",
            "json",
            "--model",
        ])
        .arg(&model)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["model"]["name"], "Shop platform");
    assert_eq!(doc["model"]["data_assets"].as_array().unwrap().len(), 4);

    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a.yaml", "includes: [b.yaml]\n");
    write(d.path(), "b.yaml", "includes: [a.yaml]\n");
    let out = std::process::Command::new(bin)
        .args(["threats", "--no-host", "--model"])
        .arg(d.path().join("a.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("b.yaml:1:") && err.contains("include cycle:"),
        "{err}"
    );
}
