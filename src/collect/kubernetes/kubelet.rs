//! The kubelet's effective configuration: built-in defaults, then the
//! `--config` file, then `--config-dir` drop-ins in alphanumeric order, then
//! flags. A flag with a KubeletConfiguration equivalent is stored under the
//! config's dotted key, so the later source simply overwrites the earlier.

use super::configfile;
use super::flags::Flag;
use crate::collect::hostfs::HostFs;
use crate::snapshot::kubernetes::{KubeComponent, Origin, Setting};
use std::collections::BTreeMap;

/// Built-in values the checks care about, whether or not a config file is
/// used (KubeletConfiguration v1beta1 defaulting, Kubernetes 1.32).
const DEFAULTS: &[(&str, &str)] = &[
    ("authentication.webhook.cacheTTL", "2m0s"),
    ("eventRecordQPS", "50"),
    ("featureGates.RotateKubeletServerCertificate", "true"),
    ("makeIPTablesUtilChains", "true"),
    ("podPidsLimit", "-1"),
    ("protectKernelDefaults", "false"),
    ("rotateCertificates", "false"),
    ("seccompDefault", "false"),
    ("serverTLSBootstrap", "false"),
    ("streamingConnectionIdleTimeout", "4h0m0s"),
];

/// With a `--config` file, the v1beta1 defaults are the safe ones.
const FILE_DEFAULTS: &[(&str, &str)] = &[
    ("authentication.anonymous.enabled", "false"),
    ("authentication.webhook.enabled", "true"),
    ("authorization.mode", "Webhook"),
    ("readOnlyPort", "0"),
];

/// Without one, the kubelet keeps its legacy flag defaults: anonymous
/// access, AlwaysAllow and the read-only port (kube-bench #1242).
const FLAG_DEFAULTS: &[(&str, &str)] = &[
    ("authentication.anonymous.enabled", "true"),
    ("authentication.webhook.enabled", "false"),
    ("authorization.mode", "AlwaysAllow"),
    ("readOnlyPort", "10255"),
];

/// Kubelet flags and the KubeletConfiguration key each sets.
const FLAG_KEYS: &[(&str, &str)] = &[
    ("address", "address"),
    ("anonymous-auth", "authentication.anonymous.enabled"),
    (
        "authentication-token-webhook",
        "authentication.webhook.enabled",
    ),
    ("authorization-mode", "authorization.mode"),
    ("cgroup-driver", "cgroupDriver"),
    ("client-ca-file", "authentication.x509.clientCAFile"),
    ("cluster-dns", "clusterDNS"),
    ("cluster-domain", "clusterDomain"),
    ("event-burst", "eventBurst"),
    ("event-qps", "eventRecordQPS"),
    ("healthz-bind-address", "healthzBindAddress"),
    ("healthz-port", "healthzPort"),
    ("make-iptables-util-chains", "makeIPTablesUtilChains"),
    ("max-pods", "maxPods"),
    ("pod-manifest-path", "staticPodPath"),
    ("pod-max-pids", "podPidsLimit"),
    ("port", "port"),
    ("protect-kernel-defaults", "protectKernelDefaults"),
    ("read-only-port", "readOnlyPort"),
    ("rotate-certificates", "rotateCertificates"),
    ("rotate-server-certificates", "serverTLSBootstrap"),
    ("seccomp-default", "seccompDefault"),
    (
        "streaming-connection-idle-timeout",
        "streamingConnectionIdleTimeout",
    ),
    ("tls-cert-file", "tlsCertFile"),
    ("tls-cipher-suites", "tlsCipherSuites"),
    ("tls-min-version", "tlsMinVersion"),
    ("tls-private-key-file", "tlsPrivateKeyFile"),
];

/// Config keys holding paths: relative ones are relative to the file.
const PATH_KEYS: &[&str] = &[
    "authentication.x509.clientCAFile",
    "staticPodPath",
    "tlsCertFile",
    "tlsPrivateKeyFile",
];

/// Durations the kubelet's config defaulting replaces when they are zero.
const ZERO_IS_DEFAULT: &[&str] = &["streamingConnectionIdleTimeout"];

fn is_zero_duration(v: &str) -> bool {
    let digits: String = v.chars().filter(|c| c.is_ascii_digit()).collect();
    !digits.is_empty() && digits.chars().all(|c| c == '0')
}

/// Flags holding paths: relative ones are relative to the process's cwd.
const PATH_FLAGS: &[&str] = &[
    "bootstrap-kubeconfig",
    "cert-dir",
    "config",
    "config-dir",
    "kubeconfig",
];

/// The config key a kubelet flag sets, or the flag name when it has none.
pub fn flag_key(name: &str) -> String {
    FLAG_KEYS
        .iter()
        .find(|(f, _)| *f == name)
        .map(|(_, k)| k.to_string())
        .unwrap_or_else(|| name.to_string())
}

/// Join a relative path to a base directory (host paths).
pub fn resolve(base: Option<&str>, p: &str) -> String {
    match base {
        Some(b) if !p.starts_with('/') && !p.is_empty() => {
            let joined = format!("{}/{p}", b.trim_end_matches('/'));
            normalise(&joined)
        }
        _ => p.to_string(),
    }
}

fn normalise(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

fn dir_of(p: &str) -> String {
    match p.rfind('/') {
        Some(0) => "/".into(),
        Some(i) => p[..i].to_string(),
        None => ".".into(),
    }
}

/// Build the kubelet's settings into `comp` from its flags. `cwd` resolves
/// relative flag paths; `flag_origin` says where a flag came from (the
/// process's argv, or a k3s `kubelet-arg`).
pub fn build(
    fs: &HostFs,
    comp: &mut KubeComponent,
    flags: &[Flag],
    cwd: Option<&str>,
    flag_origin: &dyn Fn(&str) -> Origin,
) {
    let last = |n: &str| flags.iter().rev().find(|f| f.name == n);
    let config = last("config").map(|f| resolve(cwd, &f.value));
    let table = if config.is_some() {
        FILE_DEFAULTS
    } else {
        FLAG_DEFAULTS
    };
    for (k, v) in DEFAULTS.iter().chain(table) {
        set(comp, k, v, Origin::Default);
    }
    if let Some(path) = &config {
        apply_file(fs, comp, path, false);
    }
    if let Some(dir) = last("config-dir").map(|f| resolve(cwd, &f.value)) {
        apply_dir(fs, comp, &dir);
    }
    for f in flags {
        let value = if PATH_FLAGS.contains(&f.name.as_str()) {
            resolve(cwd, &f.value)
        } else {
            f.value.clone()
        };
        if f.name == "feature-gates" {
            for (g, v) in value.split(',').filter_map(|kv| kv.split_once('=')) {
                let key = format!("featureGates.{}", g.trim());
                set(comp, &key, v.trim(), flag_origin(&f.name));
            }
            continue;
        }
        set(comp, &flag_key(&f.name), &value, flag_origin(&f.name));
    }
}

/// Apply every `*.conf` in a drop-in dir, in alphanumeric order.
pub fn apply_dir(fs: &HostFs, comp: &mut KubeComponent, dir: &str) {
    match fs.list_dir(dir) {
        Ok(names) => {
            for n in names.iter().filter(|n| n.ends_with(".conf")) {
                apply_file(
                    fs,
                    comp,
                    &format!("{}/{n}", dir.trim_end_matches('/')),
                    true,
                );
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => comp
            .errors
            .push(format!("{dir}: cannot list drop-ins: {e}")),
    }
}

/// Apply one KubeletConfiguration file (the `--config` file or a drop-in).
pub fn apply_file(fs: &HostFs, comp: &mut KubeComponent, path: &str, drop_in: bool) {
    comp.config_files.push(path.to_string());
    let keys = match configfile::read(fs, path, Some("KubeletConfiguration")) {
        Ok(k) => k,
        Err(e) => {
            comp.errors.push(e);
            return;
        }
    };
    let base = dir_of(path);
    for k in keys {
        // The kubelet defaults a zero duration in a file (kubeadm writes
        // `0s`): it is not a setting of 0.
        if ZERO_IS_DEFAULT.contains(&k.key.as_str()) && is_zero_duration(&k.value) {
            continue;
        }
        let value = if PATH_KEYS.contains(&k.key.as_str()) {
            resolve(Some(&base), &k.value)
        } else {
            k.value
        };
        let origin = if drop_in {
            Origin::DropIn {
                path: path.to_string(),
                line: Some(k.line),
            }
        } else {
            Origin::ConfigFile {
                path: path.to_string(),
                line: Some(k.line),
            }
        };
        set(comp, &k.key, &value, origin);
    }
}

pub fn set(comp: &mut KubeComponent, key: &str, value: &str, origin: Origin) {
    comp.settings
        .insert(key.to_string(), setting(key, value, origin));
}

/// A setting, with the value masked when the key names a secret (a
/// switch, a number or a path is never a secret: `anonymous-auth=true`).
pub fn setting(key: &str, value: &str, origin: Origin) -> Setting {
    let harmless = value.is_empty()
        || value.eq_ignore_ascii_case("true")
        || value.eq_ignore_ascii_case("false")
        || value.parse::<f64>().is_ok()
        || value.starts_with('/');
    let value = if crate::redact::is_secret_name(key) && !harmless {
        "***".to_string()
    } else {
        crate::redact::redact_text(value)
    };
    Setting { value, origin }
}

/// Settings as a plain map (for tests and the bench).
pub fn values(comp: &KubeComponent) -> BTreeMap<&str, &str> {
    comp.settings
        .iter()
        .map(|(k, s)| (k.as_str(), s.value.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_resolve() {
        assert_eq!(
            resolve(Some("/var/lib/kubelet"), "cfg/../config.yaml"),
            "/var/lib/kubelet/config.yaml"
        );
        assert_eq!(resolve(Some("/x"), "/abs"), "/abs");
        assert_eq!(resolve(None, "rel"), "rel");
        assert_eq!(flag_key("read-only-port"), "readOnlyPort");
        assert_eq!(flag_key("hostname-override"), "hostname-override");
        assert!(is_zero_duration("0s") && is_zero_duration("0h0m0s"));
        assert!(!is_zero_duration("5m") && !is_zero_duration("4h0m0s"));
    }
}
