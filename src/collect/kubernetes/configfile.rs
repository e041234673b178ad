//! Component config files (KubeletConfiguration, KubeProxyConfiguration, k3s
//! `config.yaml`) flattened into dotted keys, each with its line.

use crate::collect::hostfs::HostFs;
use crate::manifest::yaml::{self, Node, Value};

/// One key of a config file: dotted path, value as a flag would spell it,
/// and the 1-based line of the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub key: String,
    pub value: String,
    pub line: u32,
}

/// Read and flatten a config file. `kind` is the `kind:` the file must have
/// when it names one (`KubeletConfiguration`); `apiVersion` and `kind`
/// themselves are not settings. Errors carry `file:line:col` and what was
/// expected.
pub fn read(fs: &HostFs, path: &str, kind: Option<&str>) -> Result<Vec<Key>, String> {
    let text = fs
        .read_to_string(path)
        .map_err(|e| format!("{path}: cannot read: {e}"))?;
    parse(path, &text, kind)
}

/// Like [`read`], but a file missing on the host is looked for inside the
/// mount namespace of process `pid` (`/proc/PID/root`): kube-proxy runs in
/// a pod and its `--config` is a ConfigMap mounted there.
pub fn read_for(
    fs: &HostFs,
    path: &str,
    kind: Option<&str>,
    pid: Option<u32>,
) -> Result<Vec<Key>, String> {
    match (fs.read_to_string(path), pid) {
        (Ok(text), _) => parse(path, &text, kind),
        (Err(e), Some(pid)) if e.kind() == std::io::ErrorKind::NotFound => {
            let inside = fs
                .root
                .join("proc")
                .join(pid.to_string())
                .join("root")
                .join(path.trim_start_matches('/'));
            match std::fs::read_to_string(&inside) {
                Ok(text) => parse(path, &text, kind),
                Err(e2) => Err(format!(
                    "{path}: cannot read on the host ({e}) nor in process {pid}'s root ({e2})"
                )),
            }
        }
        (Err(e), _) => Err(format!("{path}: cannot read: {e}")),
    }
}

pub fn parse(path: &str, text: &str, kind: Option<&str>) -> Result<Vec<Key>, String> {
    let docs = yaml::parse_documents(text).map_err(|e| {
        let (l, c) = e.pos.map(|p| (p.line, p.col)).unwrap_or((1, 1));
        format!("{path}:{l}:{c}: expected YAML or JSON: {}", e.message)
    })?;
    let Some(doc) = docs.first() else {
        return Ok(Vec::new());
    };
    if doc.as_map().is_none() {
        return Err(format!(
            "{path}:{}:{}: expected a mapping of settings{}",
            doc.pos.line,
            doc.pos.col,
            kind.map(|k| format!(" ({k})")).unwrap_or_default()
        ));
    }
    if let (Some(want), Some(e)) = (kind, doc.entry("kind")) {
        if e.value.as_str() != Some(want) {
            return Err(format!(
                "{path}:{}:{}: expected kind {want}, found {}",
                e.value.pos.line,
                e.value.pos.col,
                e.value
                    .scalar_text()
                    .unwrap_or_else(|| "a non-string".into())
            ));
        }
    }
    let mut out = Vec::new();
    for e in doc.as_map().unwrap_or_default() {
        if e.key == "apiVersion" || e.key == "kind" {
            continue;
        }
        flatten(&e.key, e.key_pos.line, &e.value, &mut out);
    }
    Ok(out)
}

/// Mappings become dotted keys; scalars and lists are values (a list
/// replaces the whole key, as drop-in merging does).
fn flatten(key: &str, line: u32, node: &Node, out: &mut Vec<Key>) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                flatten(&format!("{key}.{}", e.key), e.key_pos.line, &e.value, out);
            }
        }
        Value::Null => {}
        _ => out.push(Key {
            key: key.to_string(),
            value: render(node),
            line,
        }),
    }
}

/// A value the way a flag would spell it: lists joined with `,`, mappings
/// inside lists as compact `{k: v}`.
pub fn render(node: &Node) -> String {
    match &node.value {
        Value::Seq(items) => items.iter().map(render).collect::<Vec<_>>().join(","),
        Value::Map(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|e| format!("{}: {}", e.key, render(&e.value)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        Value::Null => String::new(),
        _ => node.scalar_text().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_keys_flatten_with_lines() {
        let text = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
                    authentication:\n  anonymous:\n    enabled: false\nreadOnlyPort: 0\n\
                    tlsCipherSuites:\n- A\n- B\nfeatureGates:\n  X: true\n";
        let k = parse("/c.yaml", text, Some("KubeletConfiguration")).unwrap();
        let got: Vec<(&str, &str, u32)> = k
            .iter()
            .map(|k| (k.key.as_str(), k.value.as_str(), k.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("authentication.anonymous.enabled", "false", 5),
                ("readOnlyPort", "0", 6),
                ("tlsCipherSuites", "A,B", 7),
                ("featureGates.X", "true", 11),
            ]
        );
    }

    #[test]
    fn malformed_and_wrong_kind_say_where() {
        let e = parse("/c.yaml", "a: [1,\n", None).unwrap_err();
        assert!(e.starts_with("/c.yaml:"), "{e}");
        assert!(e.contains("expected YAML or JSON"), "{e}");
        let e = parse("/c.yaml", "- 1\n", Some("KubeletConfiguration")).unwrap_err();
        assert_eq!(
            e,
            "/c.yaml:1:1: expected a mapping of settings (KubeletConfiguration)"
        );
        let e = parse("/c.yaml", "kind: Pod\n", Some("KubeletConfiguration")).unwrap_err();
        assert_eq!(
            e,
            "/c.yaml:1:7: expected kind KubeletConfiguration, found Pod"
        );
    }

    #[test]
    fn json_is_read_too() {
        let k = parse("/c.json", r#"{"readOnlyPort": 10255}"#, None).unwrap();
        assert_eq!(k[0].key, "readOnlyPort");
        assert_eq!(k[0].value, "10255");
        assert_eq!(k[0].line, 1);
    }
}
