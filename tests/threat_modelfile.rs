//! The user's model file: extends and overrides the built model; mistakes are
//! reported with file:line:column.

mod threat_support;

use shipshape::threat::build::from_snapshot;
use shipshape::threat::model::{ComponentKind, Fact, Origin, SystemModel};
use shipshape::threat::modelfile;
use threat_support::snapshot;

fn apply_text(model: &mut SystemModel, text: &str) -> Result<usize, String> {
    let mf = modelfile::parse("model.yaml", text)?;
    modelfile::apply(model, "model.yaml", &mf).map(|w| w.len())
}

#[test]
fn unknown_keys_are_errors_with_position() {
    let mut m = SystemModel::default();
    let e = apply_text(
        &mut m,
        "components:\n  - id: a\n    kind: app-service\n    colour: red\n",
    )
    .unwrap_err();
    assert!(
        e.starts_with("model.yaml:4:5: unknown field `colour`"),
        "{e}"
    );
    let e = apply_text(&mut m, "version: 1\nflowz: []\n").unwrap_err();
    assert!(
        e.starts_with("model.yaml:2:1: unknown field `flowz`"),
        "{e}"
    );
    let e = apply_text(&mut m, "components:\n  - id: a\n    kind: python\n").unwrap_err();
    assert!(
        e.starts_with("model.yaml:3:11: unknown variant `python`"),
        "{e}"
    );
}

#[test]
fn references_to_undeclared_elements_are_errors_with_position() {
    let mut m = SystemModel::default();
    let text =
        "components:\n  - {id: api, kind: kube-apiserver}\nflows:\n  - {from: api, to: etcd}\n";
    let e = apply_text(&mut m, text).unwrap_err();
    assert_eq!(
        e,
        "model.yaml:4:21: flow refers to component 'etcd', which is not declared"
    );

    let mut m = SystemModel::default();
    let text = "components:\n  - id: api\n    kind: kube-apiserver\n    boundary: control-plane\n";
    let e = apply_text(&mut m, text).unwrap_err();
    assert_eq!(e, "model.yaml:4:15: component 'api' is placed in boundary 'control-plane', which is not declared");

    let mut m = SystemModel::default();
    let e = apply_text(
        &mut m,
        "boundaries:\n  - {id: pod, kind: container, parent: node}\n",
    )
    .unwrap_err();
    assert_eq!(
        e,
        "model.yaml:2:40: boundary 'pod' names parent 'node', which is not declared"
    );

    let mut m = SystemModel::default();
    let e = apply_text(&mut m, "components:\n  - {id: x, name: no kind}\n").unwrap_err();
    assert_eq!(
        e,
        "model.yaml:2:5: component 'x' is new, so it needs a kind"
    );
}

#[test]
fn bad_waivers_and_versions_are_errors() {
    let mut m = SystemModel::default();
    let e = apply_text(
        &mut m,
        "waivers:\n  - threat: a@b\n    reason: ok\n    expires: 2026-02-30\n",
    )
    .unwrap_err();
    assert_eq!(
        e,
        "model.yaml:4:14: expiry '2026-02-30' is not a date of the form YYYY-MM-DD"
    );
    let e = apply_text(&mut m, "waivers:\n  - threat: a@b\n    reason: ' '\n").unwrap_err();
    assert_eq!(e, "model.yaml:2:5: a waiver needs a reason");
    let e = apply_text(&mut m, "version: 2\n").unwrap_err();
    assert!(
        e.starts_with("model.yaml:1:10: model file version 2 is not supported"),
        "{e}"
    );
    let e = apply_text(
        &mut m,
        "boundaries:\n  - {id: a, kind: container, parent: a}\n",
    )
    .unwrap_err();
    assert!(e.contains("its own ancestor"), "{e}");
}

#[test]
fn model_file_extends_and_overrides_the_snapshot_model() {
    let mut m = from_snapshot(&snapshot("snapshot-risky.json"));
    let before = m.flows.len();
    let text = r#"
name: build farm
boundaries:
  - {id: cluster, kind: control-plane, name: Remote cluster}
components:
  - id: container:web
    name: Public web front end
    facts: {tier: edge}
  - {id: python-service, kind: app-service, boundary: host}
  - {id: api, kind: kube-apiserver, boundary: cluster}
flows:
  - {id: app-api, from: python-service, to: api, label: deploys, encrypted: true}
  - {from: python-service, to: container:web, protocol: http, port: 8000}
"#;
    apply_text(&mut m, text).unwrap();
    assert_eq!(m.name, "build farm");
    let web = m.component("container:web").unwrap();
    assert_eq!(web.name, "Public web front end");
    assert_eq!(web.origin, Origin::Overridden);
    assert_eq!(web.facts.get("tier"), Some(&Fact::Str("edge".into())));
    assert_eq!(
        web.facts.get("privileged"),
        Some(&Fact::Bool(false)),
        "observed facts are kept"
    );
    assert_eq!(
        m.component("api").unwrap().kind,
        ComponentKind::KubeApiserver
    );
    assert_eq!(m.flows.len(), before + 2);

    // Changing an observed component's kind is refused.
    let e = apply_text(
        &mut m,
        "components:\n  - {id: docker-daemon, kind: kubelet}\n",
    )
    .unwrap_err();
    assert!(
        e.starts_with("model.yaml:2:5: component 'docker-daemon' is a docker-daemon"),
        "{e}"
    );
}

#[test]
fn defaults_never_overwrite_explicit_or_observed_flow_facts() {
    let mut m = SystemModel::default();
    let text = "components:\n  - {id: a, kind: app-service}\n  - {id: api, kind: kube-apiserver}\n  - {id: db, kind: etcd}\nflows:\n  - {id: f1, from: a, to: api, protocol: http, port: 8080}\n  - {id: f2, from: api, to: db}\n";
    apply_text(&mut m, text).unwrap();
    m.fill_defaults();
    let f1 = m.flows.iter().find(|f| f.id == "f1").unwrap();
    assert_eq!(f1.protocol.as_deref(), Some("http"));
    assert_eq!(f1.port, Some(8080));
    assert_eq!(f1.encrypted, None, "encryption is never guessed");
    let f2 = m.flows.iter().find(|f| f.id == "f2").unwrap();
    assert_eq!(f2.protocol.as_deref(), Some("https"));
    assert_eq!(f2.port, Some(2379));
    // Override by flow id keeps what the file does not mention.
    apply_text(
        &mut m,
        "flows:\n  - {id: f1, from: a, to: api, encrypted: true}\n",
    )
    .unwrap();
    let f1 = m.flows.iter().find(|f| f.id == "f1").unwrap();
    assert_eq!(
        (f1.protocol.as_deref(), f1.port, f1.encrypted),
        (Some("http"), Some(8080), Some(true))
    );
}

#[test]
fn the_example_seed_model_parses() {
    let (name, mf) = modelfile::load(&threat_support::root("examples/seed-model.yaml")).unwrap();
    let mut m = SystemModel::default();
    modelfile::apply(&mut m, &name, &mf).unwrap();
    assert_eq!(m.components.len(), 17);
    // The platform kinds (ingress, stores, CI, ...) are in the platform example.
    let mut p = SystemModel::default();
    for (n, mf) in
        &modelfile::load_all(&threat_support::root("examples/platform-model.yaml")).unwrap()
    {
        modelfile::apply(&mut p, n, mf).unwrap();
    }
    for k in ComponentKind::ALL {
        assert!(
            m.components
                .iter()
                .chain(&p.components)
                .any(|c| c.kind == k),
            "neither example model has a {k}"
        );
    }
}
