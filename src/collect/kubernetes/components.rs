//! Effective configuration of etcd, kube-proxy and the control-plane
//! components (the kubelet has its own module).

use super::configfile;
use super::flags::Flag;
use super::kubelet::{resolve, set};
use crate::collect::hostfs::HostFs;
use crate::snapshot::kubernetes::{ComponentKind, FoundBy, KubeComponent, Origin};

/// Fill `comp` from its flags (and, for etcd, its `ETCD_*` environment).
/// `origin` is where the flags came from: the process's argv
/// ([`Origin::Flag`]) or a static pod's command ([`Origin::Manifest`]).
pub fn build(
    fs: &HostFs,
    comp: &mut KubeComponent,
    flags: &[Flag],
    env: Option<Result<Vec<(String, String)>, String>>,
    cwd: Option<&str>,
    origin: Origin,
) {
    match comp.kind {
        ComponentKind::Kubelet => {
            super::kubelet::build(fs, comp, flags, cwd, &|_| origin.clone());
        }
        ComponentKind::Etcd => etcd(fs, comp, flags, env, cwd, origin),
        ComponentKind::KubeProxy => kube_proxy(fs, comp, flags, cwd, origin),
        _ => {
            for f in flags {
                set(comp, &f.name, &f.value, origin.clone());
            }
        }
    }
}

/// etcd: flags together with `ETCD_*` variables. etcd refuses to start when
/// one setting comes both ways, so both being present is recorded as an
/// error (the flag's value is kept). A `--config-file` replaces both, as
/// it does in etcd.
fn etcd(
    fs: &HostFs,
    comp: &mut KubeComponent,
    flags: &[Flag],
    env: Option<Result<Vec<(String, String)>, String>>,
    cwd: Option<&str>,
    origin: Origin,
) {
    for f in flags {
        set(comp, &f.name, &f.value, origin.clone());
    }
    match env {
        Some(Ok(vars)) => {
            for (var, value) in vars {
                let Some(key) = etcd_key(&var) else { continue };
                if comp.settings.contains_key(&key) {
                    comp.errors.push(format!(
                        "etcd setting {key} is given both as --{key} and as {var}; \
                         etcd refuses to start like that, the flag's value is recorded"
                    ));
                    continue;
                }
                set(comp, &key, &value, Origin::Env { var });
            }
        }
        Some(Err(e)) => comp.errors.push(format!(
            "the ETCD_* environment is unknown: {e}; run shipshape as root"
        )),
        None => {}
    }
    if let Some(path) = comp.get("config-file").map(|p| resolve(cwd, p)) {
        etcd_config_file(fs, comp, &path);
    }
    // etcd's own default: `<name>.etcd` in its working directory.
    if let (None, Some(cwd)) = (comp.get("data-dir"), cwd) {
        let dir = format!("{}.etcd", comp.get("name").unwrap_or("default"));
        set(comp, "data-dir", &resolve(Some(cwd), &dir), Origin::Default);
    }
}

/// `ETCD_CLIENT_CERT_AUTH` -> `client-cert-auth`; `None` for other names.
pub fn etcd_key(var: &str) -> Option<String> {
    let rest = var.strip_prefix("ETCD_")?;
    if rest.is_empty() {
        return None;
    }
    Some(rest.to_ascii_lowercase().replace('_', "-"))
}

/// Read an etcd `--config-file` (YAML whose keys are the flag names, TLS
/// settings nested under `client-transport-security` /
/// `peer-transport-security`).
pub fn etcd_config_file(fs: &HostFs, comp: &mut KubeComponent, path: &str) {
    comp.config_files.push(path.to_string());
    let keys = match configfile::read(fs, path, None) {
        Ok(k) => k,
        Err(e) => {
            comp.errors.push(e);
            return;
        }
    };
    for k in keys {
        // The TLS blocks nest what the flags spell flat.
        let key = if let Some(r) = k.key.strip_prefix("client-transport-security.") {
            r.to_string()
        } else if let Some(r) = k.key.strip_prefix("peer-transport-security.") {
            format!("peer-{r}")
        } else {
            k.key.clone()
        };
        let origin = Origin::ConfigFile {
            path: path.to_string(),
            line: Some(k.line),
        };
        set(comp, &key, &k.value, origin);
    }
}

/// kube-proxy: flags under their names, then the `--config` file's keys
/// under their dotted KubeProxyConfiguration paths.
fn kube_proxy(
    fs: &HostFs,
    comp: &mut KubeComponent,
    flags: &[Flag],
    cwd: Option<&str>,
    origin: Origin,
) {
    for f in flags {
        let v = if matches!(f.name.as_str(), "config" | "kubeconfig") {
            resolve(cwd, &f.value)
        } else {
            f.value.clone()
        };
        set(comp, &f.name, &v, origin.clone());
    }
    let Some(path) = comp.get("config").map(str::to_string) else {
        return;
    };
    comp.config_files.push(path.clone());
    let pid = match &comp.found_by {
        FoundBy::Process {
            pid,
            embedded_in: None,
            ..
        } => Some(*pid),
        _ => None,
    };
    match configfile::read_for(fs, &path, Some("KubeProxyConfiguration"), pid) {
        Ok(keys) => {
            for k in keys {
                let origin = Origin::ConfigFile {
                    path: path.clone(),
                    line: Some(k.line),
                };
                set(comp, &k.key, &k.value, origin);
            }
        }
        Err(e) => comp.errors.push(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etcd_env_names() {
        assert_eq!(
            etcd_key("ETCD_CLIENT_CERT_AUTH").as_deref(),
            Some("client-cert-auth")
        );
        assert_eq!(etcd_key("ETCDCTL_API"), None);
        assert_eq!(etcd_key("ETCD_"), None);
    }
}
