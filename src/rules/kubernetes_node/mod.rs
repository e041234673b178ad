//! CIS Kubernetes 1.12 node checks, sections 1–4 (control plane, etcd,
//! control-plane configuration, worker node): 97 checks evaluated purely on
//! [`KubeFacts`], the facts the Kubernetes collector gathered (no I/O here).
//!
//! | file | what |
//! |---|---|
//! | `data/{master,etcd,controlplane,node}.yaml` | every check: metadata and its test, as data |
//! | `data/profiles.yaml` | paths per distribution (kubeadm, k3s, RKE2) |
//! | `spec.rs` | the strict data model of those files and of `--checks-file` overrides |
//! | `eval.rs` | the data tests: file mode/owner, setting compared with values |
//! | `logic.rs` | checks with real logic (admission plugins, authorization modes, ciphers, PKI dir) |
//! | `fixtures.rs` | KubeFacts of a kubeadm v1.32 node and variants, for tests |
//!
//! Outcomes: a component that is absent is N/A, and so is a file that is
//! absent because nothing uses it; a file a flag names but which is missing
//! is FAIL; an unreadable file or config is ERROR with the reason; manual
//! checks are WARN with what to review, and a manual check whose test fails
//! is WARN too (CIS does not score them).

mod eval;
#[doc(hidden)]
pub mod fixtures;
mod logic;
pub mod spec;

use super::meta::{Benchmark, Fix, RuleMeta};
use crate::findings::{Finding, Outcome, Stride, Verdict};
use crate::snapshot::kubernetes::{ComponentKind, KubeComponent, KubeFacts, Profile};
pub use spec::Test;
use spec::{CheckFile, CheckSpec, ProfilePaths};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const SECTION_FILES: [(&str, &str); 4] = [
    ("data/master.yaml", include_str!("data/master.yaml")),
    ("data/etcd.yaml", include_str!("data/etcd.yaml")),
    (
        "data/controlplane.yaml",
        include_str!("data/controlplane.yaml"),
    ),
    ("data/node.yaml", include_str!("data/node.yaml")),
];
const PROFILES: &str = include_str!("data/profiles.yaml");

/// One CIS Kubernetes check: its metadata and its test.
#[derive(Debug, Clone)]
pub struct KubeCheck {
    pub meta: RuleMeta,
    /// CIS marks it Automated (true) or Manual.
    pub automated: bool,
    pub test: Test,
    /// Id in CIS Kubernetes 2.0 where it differs.
    pub v2_id: Option<&'static str>,
    /// Our title for 2.0 where the recommendation changed.
    pub v2_title: Option<&'static str>,
}

impl std::ops::Deref for KubeCheck {
    type Target = RuleMeta;
    fn deref(&self) -> &RuleMeta {
        &self.meta
    }
}

/// Title of a CIS Kubernetes section or group, in our words.
pub fn section_title(id: &str) -> &'static str {
    match id {
        "1" => "Control plane components",
        "1.1" => "Control plane node files",
        "1.2" => "API server",
        "1.3" => "Controller manager",
        "1.4" => "Scheduler",
        "2" => "etcd",
        "3" => "Control plane configuration",
        "3.1" => "Authentication and authorization",
        "3.2" => "Logging",
        "4" => "Worker node",
        "4.1" => "Worker node files",
        "4.2" => "Kubelet",
        "4.3" => "kube-proxy",
        "5" => "Policies",
        "5.1" => "RBAC and service accounts",
        "5.2" => "Pod security",
        "5.3" => "Network policies and CNI",
        "5.4" => "Secrets management",
        "5.5" => "Extensible admission control",
        "5.6" => "General policies",
        _ => "Other",
    }
}

/// The kube-bench target name of a section (`master`, `etcd`, …).
pub fn node_type(section: &str) -> &'static str {
    match section {
        "1" => "master",
        "2" => "etcd",
        "3" => "controlplane",
        "4" => "node",
        _ => "policies",
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The component a data file names (`kube-apiserver`).
pub fn component_kind(name: &str) -> Option<ComponentKind> {
    ComponentKind::ALL.into_iter().find(|k| k.binary() == name)
}

/// The built-in checks, in benchmark order.
pub fn checks() -> &'static [KubeCheck] {
    static ALL: OnceLock<Vec<KubeCheck>> = OnceLock::new();
    ALL.get_or_init(|| build(None).unwrap_or_else(|e| panic!("built-in CIS Kubernetes data: {e}")))
}

/// The built-in checks changed and extended by an override file
/// (`--checks-file`). Errors name the file, line and column.
pub fn checks_with_override(file: &str, text: &str) -> Result<&'static [KubeCheck], String> {
    let over: CheckFile = spec::parse(file, text)?;
    if over.section.is_some() || over.title.is_some() {
        return Err(format!(
            "{file}: an override file has only `checks:` (section and title come from the ids)"
        ));
    }
    Ok(Box::leak(build(Some((file, over)))?.into_boxed_slice()))
}

fn build(over: Option<(&str, CheckFile)>) -> Result<Vec<KubeCheck>, String> {
    let mut specs: Vec<(String, CheckSpec)> = Vec::new();
    for (file, text) in SECTION_FILES {
        let f: CheckFile = spec::parse(file, text)?;
        specs.extend(f.checks.into_iter().map(|c| (file.to_string(), c)));
    }
    if let Some((file, o)) = over {
        for c in o.checks {
            match specs.iter_mut().find(|(_, s)| s.id == c.id) {
                Some((origin, s)) => {
                    merge(s, c);
                    *origin = file.to_string();
                }
                None => specs.push((file.to_string(), c)),
            }
        }
    }
    let mut out = specs
        .into_iter()
        .map(|(file, s)| to_check(s).map_err(|e| format!("{file}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_by_key(|c| super::docker::id_key(c.meta.id));
    Ok(out)
}

fn merge(base: &mut CheckSpec, o: CheckSpec) {
    macro_rules! take {
        ($($f:ident),*) => { $( if o.$f.is_some() { base.$f = o.$f; } )* };
    }
    take!(
        title,
        automated,
        severity,
        stride,
        rationale,
        remediation,
        v2_id,
        v2_title,
        test
    );
}

fn to_check(s: CheckSpec) -> Result<KubeCheck, String> {
    let id = s.id.clone();
    let need = |what: &str| format!("check {id}: `{what}` is required for a new check");
    let valid_id = !id.is_empty() && id.split('.').all(|p| p.parse::<u32>().is_ok());
    if !valid_id || !matches!(id.split('.').next(), Some("1" | "2" | "3" | "4")) {
        return Err(format!(
            "check id {id:?}: expected a dotted CIS id in sections 1-4, such as 1.2.3"
        ));
    }
    let test = s.test.ok_or_else(|| need("test"))?;
    validate_test(&id, &test)?;
    let stride: &'static [Stride] =
        Box::leak(s.stride.ok_or_else(|| need("stride"))?.into_boxed_slice());
    let meta = RuleMeta {
        id: leak(id.clone()),
        benchmark: Benchmark::CisKubernetes,
        title: leak(s.title.ok_or_else(|| need("title"))?),
        rationale: leak(s.rationale.ok_or_else(|| need("rationale"))?),
        severity: s.severity.ok_or_else(|| need("severity"))?,
        stride,
        refs: &[],
        remediation: leak(s.remediation.ok_or_else(|| need("remediation"))?),
        fix: fix_of(&test),
    };
    Ok(KubeCheck {
        meta,
        automated: s.automated.ok_or_else(|| need("automated"))?,
        test,
        v2_id: s.v2_id.map(leak),
        v2_title: s.v2_title.map(leak),
    })
}

fn fix_of(test: &Test) -> Fix {
    match test {
        Test::File(f) => match (&f.mode, &f.owner) {
            (Some(m), None) => spec::octal(m).map_or(Fix::Manual, |max| Fix::FileMode { max }),
            (None, Some(o)) => Fix::FileOwner {
                owner: leak(o.clone()),
            },
            _ => Fix::Manual,
        },
        _ => Fix::Manual,
    }
}

fn validate_test(id: &str, test: &Test) -> Result<(), String> {
    let bad = |what: String| Err(format!("check {id}: {what}"));
    let comp = |c: &str| {
        match component_kind(c) {
        Some(_) => Ok(()),
        None => bad(format!("unknown component {c:?} (expected kube-apiserver, kube-controller-manager, kube-scheduler, etcd, kubelet or kube-proxy)")),
    }
    };
    match test {
        Test::File(f) => {
            comp(&f.component)?;
            if f.setting.is_none() && f.var.is_none() {
                return bad("a file test needs `setting` or `var`".into());
            }
            if let Some(v) = &f.var {
                if !profiles().values().all(|p| p.contains_key(v)) {
                    return bad(format!(
                        "path variable {v:?} is not defined by every profile"
                    ));
                }
            }
            if f.mode.is_none() == f.owner.is_none() {
                return bad("a file test needs exactly one of `mode` or `owner`".into());
            }
            if let Some(m) = &f.mode {
                spec::octal(m).map_err(|e| format!("check {id}: {e}"))?;
            }
            Ok(())
        }
        Test::Setting(s) => {
            comp(&s.component)?;
            eval::validate_setting(s).map_err(|e| format!("check {id}: {e}"))
        }
        Test::Logic(name) if !logic::is_known(name) => bad(format!("unknown logic {name:?}")),
        Test::Logic(_) => Ok(()),
        Test::Manual(t) if t.trim().is_empty() => bad("a manual test says what to review".into()),
        Test::Manual(_) => Ok(()),
    }
}

/// Path variables of every profile, from `data/profiles.yaml`.
pub fn profiles() -> &'static BTreeMap<Profile, ProfilePaths> {
    static P: OnceLock<BTreeMap<Profile, ProfilePaths>> = OnceLock::new();
    P.get_or_init(|| {
        spec::parse("data/profiles.yaml", PROFILES)
            .unwrap_or_else(|e| panic!("built-in profiles: {e}"))
    })
}

/// What every check reads: the facts and the profile's paths.
pub struct KubeContext<'a> {
    pub facts: &'a KubeFacts,
    pub profile: Profile,
    pub paths: &'a ProfilePaths,
}

impl<'a> KubeContext<'a> {
    pub fn new(facts: &'a KubeFacts) -> Self {
        let profile = facts.profile.unwrap_or(Profile::Kubeadm);
        let paths = profiles()
            .get(&profile)
            .or_else(|| profiles().get(&Profile::Kubeadm))
            .expect("kubeadm profile");
        KubeContext {
            facts,
            profile,
            paths,
        }
    }

    /// The component, or an N/A verdict saying it is not on this node.
    pub fn component(&self, name: &str) -> Result<&'a KubeComponent, Verdict> {
        component_kind(name)
            .and_then(|k| self.facts.component(k))
            .ok_or_else(|| Verdict::not_applicable(format!("{name} does not run on this node")))
    }

    /// Candidate paths of a profile variable.
    pub fn var(&self, name: &str) -> &'a [String] {
        self.paths.get(name).map(Vec::as_slice).unwrap_or(&[])
    }
}

impl KubeCheck {
    pub fn run(&self, cx: &KubeContext) -> Finding {
        let mut v = match &self.test {
            Test::File(f) => eval::file(cx, f),
            Test::Setting(s) => eval::setting(cx, s),
            Test::Logic(name) => logic::run(cx, name),
            Test::Manual(text) => eval::manual(cx, self.section(), text),
        };
        if !self.automated && v.outcome == Outcome::Fail {
            v.outcome = Outcome::Warn;
            v.message = format!("review (manual check): {}", v.message);
            for e in &mut v.evidence {
                if e.outcome == Outcome::Fail {
                    e.outcome = Outcome::Warn;
                }
            }
        }
        Finding {
            id: self.meta.id,
            benchmark: self.meta.benchmark,
            section: self.meta.section(),
            title: self.meta.title,
            automated: self.automated,
            severity: self.meta.severity,
            stride: self.meta.stride,
            outcome: v.outcome,
            message: v.message,
            remediation: self.meta.remediation,
            evidence: v.evidence,
        }
    }
}

/// Select checks by `--check`/`--skip` selectors (ids, sections, or
/// `kubernetes:`-qualified forms). Selectors qualified for another
/// benchmark are ignored here; unqualified ones that match nothing are the
/// caller's to report.
pub fn select<'c>(all: &'c [KubeCheck], only: &[String], skip: &[String]) -> Vec<&'c KubeCheck> {
    all.iter()
        .filter(|c| only.is_empty() || only.iter().any(|s| matches(c, s)))
        .filter(|c| !skip.iter().any(|s| matches(c, s)))
        .collect()
}

/// Whether a selector names this check: `1.2.1`, `1.2`, `kubernetes:1.2.1`.
pub fn matches(c: &KubeCheck, selector: &str) -> bool {
    match selector.split_once(':') {
        Some((b, id)) => b.eq_ignore_ascii_case("kubernetes") && c.meta.matches(id),
        None => c.meta.matches(selector),
    }
}

/// Evaluate the checks against the facts, in order.
pub fn evaluate(facts: &KubeFacts, checks: &[&KubeCheck]) -> Vec<Finding> {
    let cx = KubeContext::new(facts);
    checks.iter().map(|c| c.run(&cx)).collect()
}
