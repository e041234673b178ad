//! Every source is evidence: Kubernetes manifests (and compose services)
//! become components, boundaries and flows, and the findings of any rule
//! family become evidence about them.
//!
//! The mechanism is the one the Docker audit uses: a component lists the
//! [`Target`]s it stands for, and any [`Finding`] whose evidence names one of
//! them speaks about that component (per component, see
//! [`super::eval::relevant`]). Manifest objects are named by
//! [`manifest_target`]; [`findings_from_hits`] turns the hits of a scan (or of
//! a Kubernetes node audit later: CIS Kubernetes checks with ids such as
//! `1.2.1`, whose targets name the node's components) into findings, one per
//! rule that ran, PASS when the rule found nothing. The threat library links
//! those rule ids like any benchmark check.

use super::model::SystemModel;
use super::model::{Boundary, BoundaryKind, Component, ComponentKind, Fact, Flow, Origin};
use crate::findings::{Evidence, Finding, Outcome, Severity, Stride, Target};
use crate::manifest::k8s::{objects, Object};
use crate::manifest::yaml::Node;
use std::collections::{BTreeMap, BTreeSet};

pub const API_SERVER: &str = "kube-apiserver";
pub const CLUSTER: &str = "cluster";

/// The target that names one manifest object (`Deployment/web` in a file).
/// The trailing `#` keeps `web` from matching `web2` by id prefix.
pub fn manifest_target(file: &str, object: &str) -> Target {
    Target::Container {
        id: format!("manifest:{file}#{object}#"),
        name: object.to_string(),
    }
}

/// One hit of a rule on a manifest object.
pub struct Hit {
    pub rule: &'static str,
    pub file: String,
    pub object: String,
    pub message: String,
}

/// A rule that ran over the manifests.
pub struct RanRule {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub stride: &'static [Stride],
    pub remediation: &'static str,
}

/// One finding per rule that ran: FAIL naming each object it hit, PASS when
/// it hit nothing (so every other object passed it).
pub fn findings_from_hits(ran: &[RanRule], hits: &[Hit]) -> Vec<Finding> {
    ran.iter()
        .map(|r| {
            let evidence: Vec<Evidence> = hits
                .iter()
                .filter(|h| h.rule == r.id && !h.object.is_empty())
                .map(|h| {
                    Evidence::new(
                        manifest_target(&h.file, &h.object),
                        Outcome::Fail,
                        &h.message,
                        "",
                    )
                    .with_source(&h.file)
                })
                .collect();
            let outcome = if evidence.is_empty() {
                Outcome::Pass
            } else {
                Outcome::Fail
            };
            Finding {
                id: r.id,
                benchmark: crate::findings::Benchmark::Shipshape,
                section: r.id.split('-').next().unwrap_or(r.id),
                title: r.title,
                automated: true,
                severity: r.severity,
                stride: r.stride,
                outcome,
                message: format!("{}: {} object(s)", r.title, evidence.len()),
                remediation: r.remediation,
                evidence,
            }
        })
        .collect()
}

/// What the manifests say, collected before it goes into the model.
#[derive(Default)]
struct Cluster {
    /// Workload component ids per namespace.
    workloads: BTreeMap<String, Vec<String>>,
    /// Namespaces with at least one NetworkPolicy.
    policed: BTreeSet<String>,
    /// Service accounts bound to cluster-admin (or a wildcard role), with
    /// the bindings that do it: a binding is part of the identity it grants.
    broad: BTreeMap<String, Vec<Target>>,
    /// ServiceAccount objects, by service-account id.
    accounts: BTreeMap<String, Vec<Target>>,
    /// Externally exposed Services: namespace, selector, type, target.
    exposed: Vec<(String, BTreeMap<String, String>, String, Target)>,
}

fn str_map(n: Option<&Node>) -> BTreeMap<String, String> {
    n.and_then(Node::as_map)
        .map(|m| {
            m.iter()
                .filter_map(|e| Some((e.key.clone(), e.value.scalar_text()?)))
                .collect()
        })
        .unwrap_or_default()
}

fn namespace(o: &Object<'_>) -> String {
    o.namespace
        .and_then(|e| e.value.as_str())
        .unwrap_or("default")
        .to_string()
}

fn sa_id(ns: &str, name: &str) -> String {
    format!("sa:{ns}/{name}")
}

/// Roles whose rules grant `*` verbs on `*` resources.
fn wildcard_roles(objs: &[Object<'_>]) -> BTreeSet<String> {
    let star = |n: &Node, k: &str| {
        n.get(k)
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .any(|x| x.as_str() == Some("*"))
    };
    objs.iter()
        .filter(|o| matches!(o.kind, "ClusterRole" | "Role"))
        .filter(|o| {
            o.node
                .get("rules")
                .map(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .any(|r| star(r, "verbs") && star(r, "resources"))
        })
        .map(|o| o.name.to_string())
        .collect()
}

fn read_binding(file: &str, o: &Object<'_>, wild: &BTreeSet<String>, cl: &mut Cluster) {
    let role = o.node.path(&["roleRef", "name"]).and_then(Node::as_str);
    if !role.is_some_and(|r| r == "cluster-admin" || wild.contains(r)) {
        return;
    }
    for s in o.node.get("subjects").map(Node::as_seq).unwrap_or(&[]) {
        if s.get_str("kind") == Some("ServiceAccount") {
            let ns = s.get_str("namespace").unwrap_or("default");
            cl.broad
                .entry(sa_id(ns, s.get_str("name").unwrap_or("default")))
                .or_default()
                .push(manifest_target(file, &o.label()));
        }
    }
}

/// The facts of one workload.
fn workload_facts(o: &Object<'_>) -> Option<(BTreeMap<String, Fact>, String)> {
    let pod = o.pod()?;
    let yes = |e: Option<&crate::manifest::yaml::Entry>| {
        e.and_then(|e| e.value.as_bool()).unwrap_or(false)
    };
    let any_c = |path: &[&str]| pod.containers.iter().any(|c| yes(c.sc_entry(path)));
    let caps: Vec<String> = pod
        .containers
        .iter()
        .filter_map(|c| c.sc_entry(&["capabilities", "add"]))
        .flat_map(|e| e.value.as_seq().iter().filter_map(|x| x.scalar_text()))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let sa = pod
        .field("serviceAccountName")
        .and_then(|e| e.value.as_str())
        .unwrap_or("default")
        .to_string();
    let automount = pod
        .field("automountServiceAccountToken")
        .and_then(|e| e.value.as_bool())
        != Some(false);
    let b = Fact::Bool;
    let facts = [
        ("privileged", b(any_c(&["privileged"]))),
        ("host_pid", b(yes(pod.field("hostPID")))),
        ("host_network", b(yes(pod.field("hostNetwork")))),
        ("host_ipc", b(yes(pod.field("hostIPC")))),
        (
            "dangerous_caps",
            b(caps
                .iter()
                .any(|c| matches!(c.as_str(), "SYS_ADMIN" | "SYS_MODULE" | "ALL"))),
        ),
        ("automount_token", b(automount)),
        ("service_account", Fact::Str(sa.clone())),
        ("manifest_kind", Fact::Str(o.kind.to_string())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Some((facts, sa))
}

/// Add the objects of parsed Kubernetes documents (`(file, documents)`) to
/// the model: workloads, service accounts, their tokens' flows to the API
/// server, namespaces as boundaries, externally exposed Services.
pub fn add_kubernetes(model: &mut SystemModel, files: &[(String, Vec<Node>)]) {
    let objs: Vec<(&str, Object<'_>)> = files
        .iter()
        .flat_map(|(f, docs)| docs.iter().flat_map(objects).map(move |o| (f.as_str(), o)))
        .collect();
    if objs.is_empty() {
        return;
    }
    ensure_cluster(model);
    let all: Vec<Object<'_>> = files
        .iter()
        .flat_map(|(_, docs)| docs.iter().flat_map(objects))
        .collect();
    let wild = wildcard_roles(&all);
    let mut cl = Cluster::default();
    let mut labels: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (file, o) in &objs {
        let ns = namespace(o);
        match o.kind {
            "ClusterRoleBinding" | "RoleBinding" => read_binding(file, o, &wild, &mut cl),
            "ServiceAccount" => cl
                .accounts
                .entry(sa_id(&ns, o.name))
                .or_default()
                .push(manifest_target(file, &o.label())),
            "NetworkPolicy" => {
                cl.policed.insert(ns);
            }
            "Service" => {
                let ty = o.node.path(&["spec", "type"]).and_then(Node::as_str);
                if let Some(t @ ("LoadBalancer" | "NodePort")) = ty {
                    let sel = str_map(o.node.path(&["spec", "selector"]));
                    cl.exposed
                        .push((ns, sel, t.to_string(), manifest_target(file, &o.label())));
                }
            }
            _ => {
                if let Some(id) = add_workload(model, file, o, &ns) {
                    let tmpl = o
                        .pod()
                        .and_then(|p| p.template_meta.and_then(|m| m.get("labels")));
                    labels.insert(id.clone(), str_map(tmpl));
                    cl.workloads.entry(ns).or_default().push(id);
                }
            }
        }
    }
    finish(model, &cl, &labels);
}

fn ensure_cluster(model: &mut SystemModel) {
    model.add_boundary(Boundary {
        id: CLUSTER.into(),
        kind: BoundaryKind::ControlPlane,
        name: "Kubernetes control plane".into(),
        parent: None,
        origin: Origin::Snapshot,
    });
    if model.component(API_SERVER).is_none() {
        model.add_component(
            Component::new(
                API_SERVER,
                ComponentKind::KubeApiserver,
                "Kubernetes API server",
            )
            .in_boundary(CLUSTER),
        );
    }
}

fn add_workload(model: &mut SystemModel, file: &str, o: &Object<'_>, ns: &str) -> Option<String> {
    let (facts, sa) = workload_facts(o)?;
    let bid = format!("ns:{ns}");
    model.add_boundary(Boundary {
        id: bid.clone(),
        kind: BoundaryKind::ClusterNetwork,
        name: format!("namespace {ns}"),
        parent: None,
        origin: Origin::Snapshot,
    });
    let id = format!("k8s:{ns}/{}", o.label());
    let mut c = Component::new(
        id.clone(),
        ComponentKind::AppService,
        format!("{ns}/{}", o.label()),
    )
    .in_boundary(bid.clone())
    .target(manifest_target(file, &o.label()))
    .fact("source", Fact::Str(file.to_string()));
    c.facts.extend(facts);
    let automount = c.facts.get("automount_token") == Some(&Fact::Bool(true));
    model.add_component(c);
    let sid = sa_id(ns, &sa);
    if model.component(&sid).is_none() {
        model.add_component(
            Component::new(
                sid.clone(),
                ComponentKind::ServiceAccount,
                format!("service account {ns}/{sa}"),
            )
            .in_boundary(bid),
        );
    }
    if automount {
        let mut f = Flow::new(&id, &sid, "mounted service-account token");
        f.protocol = Some("local".into());
        model.add_flow(f);
    }
    Some(id)
}

/// Facts that need the whole cluster: broad RBAC behind a mounted token,
/// namespaces without a NetworkPolicy, token and exposure flows.
fn finish(
    model: &mut SystemModel,
    cl: &Cluster,
    labels: &BTreeMap<String, BTreeMap<String, String>>,
) {
    for (ns, ids) in &cl.workloads {
        let policed = cl.policed.contains(ns);
        for id in ids {
            let Some(c) = model.component_mut(id) else {
                continue;
            };
            let sa = match c.facts.get("service_account") {
                Some(Fact::Str(s)) => sa_id(ns, s),
                _ => continue,
            };
            let token = c.facts.get("automount_token") == Some(&Fact::Bool(true));
            let broad = cl.broad.contains_key(&sa);
            c.facts.insert("network_policy".into(), Fact::Bool(policed));
            c.facts
                .insert("token_with_broad_rbac".into(), Fact::Bool(token && broad));
            if let Some(s) = model.component_mut(&sa) {
                s.facts.insert("cluster_admin".into(), Fact::Bool(broad));
            }
        }
    }
    // Bindings and ServiceAccount objects speak about their account.
    for (sa, targets) in cl.broad.iter().chain(&cl.accounts) {
        if model.component(sa).is_none() {
            let name = sa.trim_start_matches("sa:");
            model.add_component(
                Component::new(
                    sa.clone(),
                    ComponentKind::ServiceAccount,
                    format!("service account {name}"),
                )
                .in_boundary(CLUSTER),
            );
        }
        let c = model.component_mut(sa).expect("just added");
        c.targets.extend(targets.iter().cloned());
        let broad = cl.broad.contains_key(sa);
        c.facts.insert("cluster_admin".into(), Fact::Bool(broad));
    }
    let sas: Vec<String> = model
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::ServiceAccount)
        .map(|c| c.id.clone())
        .collect();
    for sa in sas {
        let mut f = Flow::new(&sa, API_SERVER, "API calls with the service-account token");
        f.protocol = Some("https".into());
        f.encrypted = Some(true);
        f.authenticated = Some(true);
        model.add_flow(f);
    }
    expose(model, cl, labels);
}

fn expose(
    model: &mut SystemModel,
    cl: &Cluster,
    labels: &BTreeMap<String, BTreeMap<String, String>>,
) {
    for (ns, sel, ty, svc) in &cl.exposed {
        for id in cl.workloads.get(ns).into_iter().flatten() {
            let l = &labels[id];
            if sel.is_empty() || !sel.iter().all(|(k, v)| l.get(k) == Some(v)) {
                continue;
            }
            super::build::ensure_network_clients(model);
            // The Service object is part of how the workload is reached.
            if let Some(c) = model.component_mut(id) {
                c.targets.push(svc.clone());
            }
            let f = Flow::new(super::build::NETWORK_CLIENTS, id, format!("Service {ty}"))
                .fact("exposure", Fact::Str(ty.clone()))
                .fact("bind", Fact::Str("all-interfaces".into()));
            model.add_flow(f);
        }
    }
}
