//! `threats --deps` evidence without a daemon: a real advisory index built
//! by `db import` from hand-written OSV records, the real matcher on
//! installed packages, and a hand-built model of four containers (one
//! vulnerable, one clean, one whose scan failed, one not scanned).

use serde_json::json;
use shipshape::deps::db;
use shipshape::deps::matcher::Matcher;
use shipshape::deps::{Origin, Package, SourceKind};
use shipshape::findings::{Outcome, Target};
use shipshape::threat::deps::{finding, ContainerScan, PYPI};
use shipshape::threat::model::Component;
use shipshape::threat::render::{self, ThreatFormat};
use shipshape::threat::{analyze, Analysis, ComponentKind, Library, Status, SystemModel};

const THREAT: &str = "app.vulnerable-dependencies";

fn index() -> db::Index {
    let d = tempfile::tempdir().unwrap();
    let rec = json!({"id": "TEST-DEP-1", "aliases": ["CVE-0002-0001"], "summary": "Demo pkg runs <b>code</b>",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "demo-pkg"},
          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]});
    std::fs::write(d.path().join("TEST-DEP-1.json"), rec.to_string()).unwrap();
    db::import(&[d.path().to_path_buf()], Some("CC-BY-4.0"))
        .unwrap()
        .index
}

fn installed(name: &str, version: &str) -> Package {
    let path =
        format!("/usr/local/lib/python3.11/site-packages/{name}-{version}.dist-info/METADATA");
    Package::exact(name, version, SourceKind::Installed, Origin::file(&path))
}

fn model() -> SystemModel {
    let mut m = SystemModel::default();
    for name in ["web", "api", "broken", "batch"] {
        m.add_component(
            Component::new(format!("container:{name}"), ComponentKind::Container, name).target(
                Target::Container {
                    id: format!("{name}0123456789"),
                    name: name.to_string(),
                },
            ),
        );
    }
    m.fill_defaults();
    m
}

fn on<'a>(a: &'a Analysis<'_>, container: &str) -> &'a shipshape::threat::Instance {
    a.instances
        .iter()
        .find(|i| i.id == format!("{THREAT}@container:{container}"))
        .unwrap_or_else(|| panic!("no {THREAT} on {container}"))
}

#[test]
fn vulnerable_package_confirms_clean_scan_mitigates_unscanned_is_not_assessed() {
    let index = index();
    let mut m = Matcher::new(&index);
    let web = m.check(&installed("demo-pkg", "1.5")).unwrap();
    assert_eq!(web.len(), 1, "{web:#?}");
    let api = m.check(&installed("demo-pkg", "2.0")).unwrap();
    assert!(api.is_empty(), "{api:#?}");
    let scans = vec![
        ContainerScan {
            name: "web".into(),
            result: Ok(web),
        },
        ContainerScan {
            name: "api".into(),
            result: Ok(api),
        },
        ContainerScan {
            name: "broken".into(),
            result: Err("cannot read /proc/1/root".into()),
        },
    ];
    let f = finding(&scans, &index.built);
    assert_eq!(f.id, PYPI);
    assert_eq!(f.outcome, Outcome::Fail);
    let day = &index.built[..10];

    let model = model();
    let lib = Library::builtin();
    let a = analyze(&model, &lib, std::slice::from_ref(&f), &[], 0);

    // The vulnerable container: confirmed, the advisory is the evidence.
    let w = on(&a, "web");
    assert_eq!(w.status, Status::OpenConfirmed, "{:#?}", w.explanation);
    let ev = &w.evidence[0];
    assert_eq!((ev.check.as_str(), ev.source), (PYPI, "deps"));
    assert_eq!(ev.outcome, Outcome::Fail);
    let t = &ev.targets[0];
    assert!(t.observed.contains("TEST-DEP-1"), "{t:?}");
    assert!(t.observed.contains("CVE-0002-0001"), "{t:?}");
    assert!(t.observed.contains("demo-pkg 1.5 → 2.0"), "{t:?}");
    assert!(t.observed.contains(day), "{t:?}");
    assert!(
        t.source
            .as_deref()
            .unwrap()
            .ends_with("demo-pkg-1.5.dist-info/METADATA"),
        "{t:?}"
    );
    assert!(ev.remediation.contains("2.0"), "{}", ev.remediation);

    // The clean one: mitigated as of the index's date.
    let c = on(&a, "api");
    assert_eq!(c.status, Status::Mitigated, "{:#?}", c.explanation);
    let why = c.explanation.join("\n");
    assert!(
        why.contains(&format!("as of advisory DB date {day}")),
        "{why}"
    );

    // A failed scan and no scan: not assessed, never mitigated.
    for n in ["broken", "batch"] {
        let i = on(&a, n);
        assert_eq!(i.status, Status::NotAssessed, "{n}: {:#?}", i.explanation);
        assert!(i.evidence.is_empty(), "{n}: {:#?}", i.evidence);
    }

    // Every renderer carries the advisory.
    let md = render::render(&a, ThreatFormat::Markdown);
    assert!(md.contains("TEST-DEP-1"), "{md}");
    // Advisory text is shown only inside a code span, never as markup.
    for line in md.lines().filter(|l| l.contains("<b>")) {
        let before = &line[..line.find("<b>").unwrap()];
        assert!(
            before.matches('`').count() % 2 == 1,
            "markup outside a code span: {line}"
        );
    }
    let js: serde_json::Value =
        serde_json::from_str(&render::render(&a, ThreatFormat::Json)).unwrap();
    assert!(js.to_string().contains("TEST-DEP-1"));
    let schema: serde_json::Value =
        serde_json::from_str(shipshape::threat::render::json::JSON_SCHEMA).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v.iter_errors(&js).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn without_a_dependency_scan_every_container_is_not_assessed() {
    let model = model();
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &[], &[], 0);
    for n in ["web", "api", "broken", "batch"] {
        let i = on(&a, n);
        assert_eq!(i.status, Status::NotAssessed, "{n}: {:#?}", i.explanation);
        assert!(
            i.explanation.iter().any(|e| e.contains("threats --deps")),
            "{:#?}",
            i.explanation
        );
    }
}
