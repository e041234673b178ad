//! Static pod manifests: which component each runs, its command and env.

use super::discover::classify;
use super::discover::What;
use crate::collect::hostfs::HostFs;
use crate::manifest::yaml::{self, Node};
use crate::snapshot::kubernetes::ComponentKind;

/// One control-plane component read from a static pod manifest.
#[derive(Debug, Clone)]
pub struct StaticPod {
    pub path: String,
    pub kind: ComponentKind,
    /// `command` followed by `args` of the component's container.
    pub argv: Vec<String>,
    /// `env` entries with a literal `value`.
    pub env: Vec<(String, String)>,
}

/// Read every manifest in `dir` (`*.yaml`, `*.yml`, `*.json`, `*.manifest`).
/// Files that do not parse, or run no known component, are reported in
/// `errors` (parse errors with file:line:col) and skipped.
pub fn read_dir(fs: &HostFs, dir: &str, errors: &mut Vec<String>) -> Vec<StaticPod> {
    let names = match fs.list_dir(dir) {
        Ok(n) => n,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            errors.push(format!("{dir}: cannot list static pod manifests: {e}"));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for n in names {
        let is_manifest = [".yaml", ".yml", ".json", ".manifest"]
            .iter()
            .any(|s| n.ends_with(s));
        if !is_manifest || n.starts_with('.') {
            continue;
        }
        let path = format!("{}/{n}", dir.trim_end_matches('/'));
        match fs.read_to_string(&path) {
            Ok(text) => match parse(&path, &text) {
                Ok(Some(p)) => out.push(p),
                Ok(None) => {}
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(format!("{path}: cannot read: {e}")),
        }
    }
    out
}

/// Parse one manifest. `Ok(None)` for a pod that runs no known component.
pub fn parse(path: &str, text: &str) -> Result<Option<StaticPod>, String> {
    let docs = yaml::parse_documents(text).map_err(|e| {
        let (l, c) = e.pos.map(|p| (p.line, p.col)).unwrap_or((1, 1));
        format!("{path}:{l}:{c}: expected a Pod manifest: {}", e.message)
    })?;
    let Some(doc) = docs.first() else {
        return Ok(None);
    };
    let Some(containers) = doc.path(&["spec", "containers"]) else {
        return Err(format!(
            "{path}:{}:{}: expected a Pod with spec.containers",
            doc.pos.line, doc.pos.col
        ));
    };
    for c in containers.as_seq() {
        let argv = strings(c.get("command"))
            .into_iter()
            .chain(strings(c.get("args")))
            .collect::<Vec<_>>();
        let name = c.get_str("name").unwrap_or("");
        let kind = match classify(&argv, name) {
            Some(What::Component(k)) => k,
            _ => continue,
        };
        let env = c
            .get("env")
            .map(|e| {
                e.as_seq()
                    .iter()
                    .filter_map(|v| {
                        Some((v.get_str("name")?.into(), v.get("value")?.scalar_text()?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Ok(Some(StaticPod {
            path: path.to_string(),
            kind,
            argv,
            env,
        }));
    }
    Ok(None)
}

fn strings(n: Option<&Node>) -> Vec<String> {
    n.map(|n| n.as_seq().iter().filter_map(|s| s.scalar_text()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_args_and_env() {
        let m = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd\nspec:\n  containers:\n  \
                 - name: etcd\n    command:\n    - etcd\n    - --data-dir=/var/lib/etcd\n    \
                 args: [--client-cert-auth=true]\n    env:\n    - name: ETCD_AUTO_TLS\n      \
                 value: \"false\"\n";
        let p = parse("/m/etcd.yaml", m).unwrap().unwrap();
        assert_eq!(p.kind, ComponentKind::Etcd);
        assert_eq!(
            p.argv,
            vec![
                "etcd",
                "--data-dir=/var/lib/etcd",
                "--client-cert-auth=true"
            ]
        );
        assert_eq!(p.env, vec![("ETCD_AUTO_TLS".into(), "false".into())]);
        assert!(parse(
            "/m/x.yaml",
            "kind: Pod\nspec:\n  containers:\n  - name: nginx\n"
        )
        .unwrap()
        .is_none());
        let e = parse("/m/bad.yaml", "kind: Pod\nspec: [\n").unwrap_err();
        assert!(e.starts_with("/m/bad.yaml:"), "{e}");
    }
}
