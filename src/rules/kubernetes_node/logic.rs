//! Checks with real logic: effective admission plugins, authorization mode
//! lists, cipher lists, feature gates, the PKI and CNI directories.

use super::eval::{file_evidence, lookup, setting_evidence, summarise, unset};
use super::spec::WhenUnset;
use super::KubeContext;
use crate::findings::{Evidence, Outcome, Target, Verdict};
use crate::snapshot::kubernetes::KubeComponent;

const NAMES: &[&str] = &[
    "admission_enabled",
    "admission_disabled",
    "authz_includes",
    "authz_excludes",
    "ciphers",
    "feature_gate",
    "kubelet_authz",
    "kubelet_serving_cert",
    "etcd_unique_ca",
    "encryption_providers",
    "pki",
    "cni_files",
];

/// Admission plugins kube-apiserver 1.32 enables when not told otherwise.
const DEFAULT_ADMISSION: &[&str] = &[
    "CertificateApproval",
    "CertificateSigning",
    "CertificateSubjectRestriction",
    "ClusterTrustBundleAttest",
    "DefaultIngressClass",
    "DefaultStorageClass",
    "DefaultTolerationSeconds",
    "LimitRanger",
    "MutatingAdmissionWebhook",
    "NamespaceLifecycle",
    "PersistentVolumeClaimResize",
    "PodSecurity",
    "Priority",
    "ResourceQuota",
    "RuntimeClass",
    "ServiceAccount",
    "StorageObjectInUseProtection",
    "TaintNodesByCondition",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionWebhook",
];

/// TLS suites with forward secrecy and AEAD (TLS 1.3 suites included).
const STRONG_CIPHERS: &[&str] = &[
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

pub(super) fn is_known(name: &str) -> bool {
    NAMES.contains(&name.split(':').next().unwrap_or(name))
}

pub(super) fn run(cx: &KubeContext, name: &str) -> Verdict {
    let mut parts = name.split(':');
    let (head, a, b) = (parts.next().unwrap_or(""), parts.next(), parts.next());
    let r = match (head, a, b) {
        ("admission_enabled", Some(p), _) => admission(cx, p, true),
        ("admission_disabled", Some(p), _) => admission(cx, p, false),
        ("authz_includes", Some(m), _) => authz(cx, m, true),
        ("authz_excludes", Some(m), _) => authz(cx, m, false),
        ("ciphers", Some(c), _) => ciphers(cx, c),
        ("feature_gate", Some(c), Some(g)) => feature_gate(cx, c, g),
        ("kubelet_authz", ..) => kubelet_authz(cx),
        ("kubelet_serving_cert", ..) => kubelet_serving_cert(cx),
        ("etcd_unique_ca", ..) => etcd_unique_ca(cx),
        ("encryption_providers", ..) => encryption(cx),
        ("pki", Some(what), _) => pki(cx, what),
        ("cni_files", Some(what), _) => cni(cx, what),
        _ => Err(Verdict::error(format!(
            "logic {name:?} is missing an argument"
        ))),
    };
    r.unwrap_or_else(|v| v)
}

type R = Result<Verdict, Verdict>;

fn list(v: &str) -> Vec<&str> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

fn comp_target(name: &str) -> Target {
    Target::Component { name: name.into() }
}

fn admission(cx: &KubeContext, plugin: &str, want_on: bool) -> R {
    const C: &str = "kube-apiserver";
    let c = cx.component(C)?;
    let en = lookup(c, "enable-admission-plugins");
    let dis = lookup(c, "disable-admission-plugins");
    let in_list = |s: Option<(&str, &crate::snapshot::kubernetes::Setting)>| {
        s.is_some_and(|(_, s)| list(&s.value).contains(&plugin))
    };
    let on = !in_list(dis) && (in_list(en) || DEFAULT_ADMISSION.contains(&plugin));
    let why = if in_list(dis) {
        "listed in --disable-admission-plugins"
    } else if in_list(en) {
        "listed in --enable-admission-plugins"
    } else if DEFAULT_ADMISSION.contains(&plugin) {
        "on by default"
    } else {
        "not enabled"
    };
    let expected = if want_on {
        format!("{plugin} enabled")
    } else {
        format!("{plugin} not enabled")
    };
    let outcome = if on == want_on {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    let mut ev = Vec::new();
    for s in [en, dis].into_iter().flatten() {
        ev.push(setting_evidence(C, s.0, s.1, outcome, &expected));
    }
    if ev.is_empty() {
        ev.push(Evidence::new(
            comp_target(C),
            outcome,
            "no admission plugin flags (defaults apply)",
            &expected,
        ));
    }
    let msg = format!(
        "{plugin} is {}: {why}",
        if on { "enabled" } else { "not enabled" }
    );
    Ok(Verdict::new(outcome, msg).with_all(ev))
}

fn authz(cx: &KubeContext, mode: &str, want: bool) -> R {
    const C: &str = "kube-apiserver";
    let c = cx.component(C)?;
    let expected = format!(
        "--authorization-mode {} {mode}",
        if want { "including" } else { "without" }
    );
    if let Some((k, s)) = lookup(c, "authorization-config") {
        let e = setting_evidence(C, k, s, Outcome::Warn, &expected);
        return Ok(Verdict::warn(format!(
            "authorizers come from the structured authorization file {}; review it for {mode}",
            s.value
        ))
        .with(e));
    }
    let Some((k, s)) = lookup(c, "authorization-mode") else {
        // kube-apiserver's default mode is AlwaysAllow.
        let has = mode == "AlwaysAllow";
        let o = if has == want {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        let e = unset(
            c,
            C,
            "authorization-mode",
            if o == Outcome::Pass {
                WhenUnset::Pass
            } else {
                WhenUnset::Fail
            },
            &expected,
        );
        return Ok(summarise(vec![e]));
    };
    let has = list(&s.value).contains(&mode);
    let o = if has == want {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    Ok(summarise(vec![setting_evidence(C, k, s, o, &expected)]))
}

fn ciphers(cx: &KubeContext, comp: &str) -> R {
    let c = cx.component(comp)?;
    let key = if comp == "kubelet" {
        "tlsCipherSuites"
    } else {
        "tls-cipher-suites"
    };
    let expected = "only ECDHE/TLS 1.3 suites with AES-GCM or ChaCha20-Poly1305";
    let Some((k, s)) = lookup(c, key) else {
        return Ok(summarise(vec![unset(
            c,
            comp,
            key,
            WhenUnset::Fail,
            expected,
        )]));
    };
    let weak: Vec<&str> = list(&s.value)
        .into_iter()
        .filter(|x| !STRONG_CIPHERS.contains(x))
        .collect();
    let o = if weak.is_empty() && !s.value.trim().is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    let mut e = setting_evidence(comp, k, s, o, expected);
    if !weak.is_empty() {
        e.observed = format!("{}; weak: {}", e.observed, weak.join(","));
    }
    Ok(summarise(vec![e]))
}

/// A feature gate's value from `featureGates.G`, or from a `A=true,B=false`
/// list under `feature-gates`/`featureGates`.
fn gate<'a>(
    c: &'a KubeComponent,
    g: &str,
) -> Option<(String, &'a crate::snapshot::kubernetes::Setting, String)> {
    let dotted = format!("featureGates.{g}");
    if let Some(s) = c.settings.get(&dotted) {
        return Some((dotted, s, s.value.clone()));
    }
    for key in ["feature-gates", "featureGates"] {
        if let Some(s) = c.settings.get(key) {
            let v = list(&s.value).into_iter().find_map(|kv| {
                kv.split_once('=')
                    .filter(|(n, _)| n.trim() == g)
                    .map(|(_, v)| v.trim().to_string())
            });
            if let Some(v) = v {
                return Some((key.to_string(), s, v));
            }
        }
    }
    None
}

fn feature_gate(cx: &KubeContext, comp: &str, g: &str) -> R {
    let c = cx.component(comp)?;
    let expected = format!("{g} not false (on by default)");
    let mut ev = Vec::new();
    let o = match gate(c, g) {
        Some((k, s, v)) => {
            let o = if v.eq_ignore_ascii_case("false") {
                Outcome::Fail
            } else {
                Outcome::Pass
            };
            let mut e = setting_evidence(comp, &k, s, o, &expected);
            e.observed = format!("{g}={v} ({})", s.origin.label());
            ev.push(e);
            o
        }
        None => {
            ev.push(Evidence::new(
                comp_target(comp),
                Outcome::Pass,
                format!("{g} not set (on by default)"),
                &expected,
            ));
            Outcome::Pass
        }
    };
    if comp == "kubelet" {
        if let Some((k, s)) = lookup(c, "serverTLSBootstrap") {
            ev.push(setting_evidence(
                comp,
                k,
                s,
                o,
                "serverTLSBootstrap true to request rotating serving certificates",
            ));
        }
    }
    Ok(summarise(ev))
}

fn kubelet_authz(cx: &KubeContext) -> R {
    const C: &str = "kubelet";
    let c = cx.component(C)?;
    let expected = "authorization.mode Webhook (not AlwaysAllow)";
    if let Some((k, s)) = lookup(c, "authorization.mode") {
        let o = if list(&s.value).contains(&"AlwaysAllow") {
            Outcome::Fail
        } else {
            Outcome::Pass
        };
        return Ok(summarise(vec![setting_evidence(C, k, s, o, expected)]));
    }
    // The KubeletConfiguration default is Webhook; the flag default is
    // AlwaysAllow, so a kubelet without a config file allows everything.
    let with_config = lookup(c, "config").is_some() || !c.config_files.is_empty();
    let when = if with_config {
        WhenUnset::Pass
    } else {
        WhenUnset::Fail
    };
    let mut e = unset(c, C, "authorization.mode", when, expected);
    e.observed = if with_config {
        format!("{} (config file default Webhook)", e.observed)
    } else {
        format!(
            "{} and no config file (flag default AlwaysAllow)",
            e.observed
        )
    };
    Ok(summarise(vec![e]))
}

fn kubelet_serving_cert(cx: &KubeContext) -> R {
    const C: &str = "kubelet";
    let c = cx.component(C)?;
    if let Some((k, s)) =
        lookup(c, "serverTLSBootstrap").filter(|(_, s)| s.value.eq_ignore_ascii_case("true"))
    {
        return Ok(summarise(vec![setting_evidence(
            C,
            k,
            s,
            Outcome::Pass,
            "serving certificate from the cluster CA",
        )]));
    }
    let expected = "set (or serverTLSBootstrap: true)";
    let ev = ["tlsCertFile", "tlsPrivateKeyFile"]
        .into_iter()
        .map(|key| match lookup(c, key) {
            Some((k, s)) if !s.value.is_empty() => {
                setting_evidence(C, k, s, Outcome::Pass, expected)
            }
            _ => unset(c, C, key, WhenUnset::Fail, expected),
        })
        .collect();
    Ok(summarise(ev))
}

fn etcd_unique_ca(cx: &KubeContext) -> R {
    let c = cx.component("etcd")?;
    let expected = "a CA for etcd only, not the cluster CA";
    let Some((k, s)) = lookup(c, "trusted-ca-file") else {
        return Ok(summarise(vec![unset(
            c,
            "etcd",
            "trusted-ca-file",
            WhenUnset::Fail,
            expected,
        )]));
    };
    let cluster_ca = cx
        .component("kube-apiserver")
        .ok()
        .and_then(|a| lookup(a, "client-ca-file"))
        .map(|(_, s)| s.value.clone());
    let shared = cluster_ca.as_deref() == Some(s.value.as_str());
    let mut e = setting_evidence(
        "etcd",
        k,
        s,
        if shared { Outcome::Fail } else { Outcome::Pass },
        expected,
    );
    if shared {
        e.observed = format!(
            "{}; the same file is kube-apiserver's --client-ca-file",
            e.observed
        );
    }
    Ok(summarise(vec![e]))
}

fn encryption(cx: &KubeContext) -> R {
    const C: &str = "kube-apiserver";
    let c = cx.component(C)?;
    let expected = "first provider kms, secretbox or aescbc";
    match lookup(c, "encryption-provider-config") {
        None => Ok(summarise(vec![unset(c, C, "encryption-provider-config", WhenUnset::Fail, expected)])),
        Some((k, s)) => Ok(Verdict::warn(format!(
            "review the providers listed in {}: the first of each resource must be kms, secretbox or aescbc, not identity",
            s.value
        ))
        .with(setting_evidence(C, k, s, Outcome::Warn, expected))),
    }
}

/// Every path under `dir` the collector listed, recursing into listed
/// sub-directories; a listing error becomes an ERROR evidence.
fn walk(cx: &KubeContext, dir: &str, out: &mut Vec<String>, errs: &mut Vec<Evidence>) {
    match cx.facts.dirs.get(dir) {
        Some(crate::snapshot::Probe::Ok(names)) => {
            for n in names {
                let p = format!("{}/{n}", dir.trim_end_matches('/'));
                out.push(p.clone());
                if cx.facts.dirs.contains_key(&p) {
                    walk(cx, &p, out, errs);
                }
            }
        }
        Some(crate::snapshot::Probe::Error(e)) => errs.push(Evidence::new(
            Target::File { path: dir.into() },
            Outcome::Error,
            format!("cannot list: {e}"),
            "",
        )),
        None => {}
    }
}

/// The first directory of a profile variable the collector listed.
fn listed_dir<'a>(cx: &KubeContext<'a>, var: &str) -> Option<&'a String> {
    cx.var(var).iter().find(|d| cx.facts.dirs.contains_key(*d))
}

fn dir_files(
    cx: &KubeContext,
    var: &str,
    comp: &str,
    pick: impl Fn(&str) -> bool,
    mode: Option<u32>,
    owner: Option<&str>,
) -> R {
    let Some(dir) = listed_dir(cx, var) else {
        return Err(unlisted(cx, var, comp));
    };
    let (mut paths, mut ev) = (Vec::new(), Vec::new());
    walk(cx, dir, &mut paths, &mut ev);
    if owner.is_some() {
        paths.insert(0, dir.clone());
    }
    for p in paths.iter().filter(|p| pick(p)) {
        match cx.facts.files.get(p.as_str()) {
            Some(crate::snapshot::FileFact::Present(st)) if st.kind == "dir" && owner.is_none() => {
            }
            f => ev.push(file_evidence(p, f, mode, owner, None)),
        }
    }
    if ev.is_empty() {
        return Err(Verdict::not_applicable(format!(
            "no matching file in {dir}"
        )));
    }
    Ok(summarise(ev))
}

/// No candidate directory was listed: N/A when the collector saw it
/// missing, ERROR when it exists unlisted or was not looked at.
fn unlisted(cx: &KubeContext, var: &str, comp: &str) -> Verdict {
    let cands = cx.var(var);
    let fact = |d: &String| cx.facts.files.get(d.as_str());
    if let Some(d) = cands
        .iter()
        .find(|d| matches!(fact(d), Some(crate::snapshot::FileFact::Present(_))))
    {
        return Verdict::error(format!("{d} exists but the collector did not list it"));
    }
    if let Some((d, reason)) = cands.iter().find_map(|d| match fact(d) {
        Some(crate::snapshot::FileFact::Error { reason }) => Some((d, reason)),
        _ => None,
    }) {
        return Verdict::error(format!("cannot read {d}: {reason}"));
    }
    if !cands.is_empty() && cands.iter().all(|d| fact(d).is_none()) {
        return Verdict::error(format!(
            "the collector recorded none of {}",
            cands.join(", ")
        ));
    }
    Verdict::not_applicable(format!(
        "{comp}: no directory at {} on this node",
        cands.join(", ")
    ))
}

fn pki(cx: &KubeContext, what: &str) -> R {
    cx.component("kube-apiserver")?;
    match what {
        "owner" => dir_files(
            cx,
            "pki_dir",
            "kube-apiserver",
            |_| true,
            None,
            Some("root:root"),
        ),
        "crt" => dir_files(
            cx,
            "pki_dir",
            "kube-apiserver",
            |p| p.ends_with(".crt"),
            Some(0o644),
            None,
        ),
        _ => dir_files(
            cx,
            "pki_dir",
            "kube-apiserver",
            |p| p.ends_with(".key"),
            Some(0o600),
            None,
        ),
    }
}

fn cni(cx: &KubeContext, what: &str) -> R {
    if cx.component("kubelet").is_err() {
        cx.component("kube-apiserver")?;
    }
    match what {
        "owner" => dir_files(
            cx,
            "cni_conf_dir",
            "kubelet",
            |_| true,
            None,
            Some("root:root"),
        ),
        _ => dir_files(cx, "cni_conf_dir", "kubelet", |_| true, Some(0o600), None),
    }
}
