//! Kubernetes objects over the spanned YAML tree: object identity, `kind:
//! List` flattening, and the pod spec inside every workload kind.

use super::yaml::{Entry, Node, Pos};

/// One Kubernetes object from a manifest.
pub struct Object<'a> {
    pub node: &'a Node,
    pub kind: &'a str,
    pub api_version: &'a str,
    /// `metadata.name`, or empty.
    pub name: &'a str,
    pub namespace: Option<&'a Entry>,
    /// Position of the `kind` key: where object-wide findings point.
    pub kind_pos: Pos,
}

impl<'a> Object<'a> {
    /// Build an object from a document, if it looks like one.
    pub fn from_node(node: &'a Node) -> Option<Object<'a>> {
        let kind_e = node.entry("kind")?;
        let kind = kind_e.value.as_str()?;
        let api_version = node.get_str("apiVersion")?;
        let meta = node.get("metadata");
        Some(Object {
            node,
            kind,
            api_version,
            name: meta.and_then(|m| m.get_str("name")).unwrap_or(""),
            namespace: meta.and_then(|m| m.entry("namespace")),
            kind_pos: kind_e.key_pos,
        })
    }

    /// `Deployment/web`.
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            self.kind.to_string()
        } else {
            format!("{}/{}", self.kind, self.name)
        }
    }

    pub fn metadata(&self) -> Option<&'a Node> {
        self.node.get("metadata")
    }

    pub fn annotation(&self, key: &str) -> Option<&'a Entry> {
        self.metadata()?.get("annotations")?.entry(key)
    }

    pub fn label_value(&self, key: &str) -> Option<&'a Entry> {
        self.metadata()?.get("labels")?.entry(key)
    }

    /// The pod spec of a workload kind, with the key pointing at it.
    pub fn pod(&'a self) -> Option<PodView<'a>> {
        let (template_path, spec_path): (&[&str], &[&str]) = match self.kind {
            "Pod" => (&[], &["spec"]),
            "PodTemplate" => (&["template"], &["template", "spec"]),
            "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "Job"
            | "ReplicationController" => (&["spec", "template"], &["spec", "template", "spec"]),
            "CronJob" => (
                &["spec", "jobTemplate", "spec", "template"],
                &["spec", "jobTemplate", "spec", "template", "spec"],
            ),
            _ => return None,
        };
        let spec_entry = self.node.path_entry(spec_path)?;
        let spec = &spec_entry.value;
        spec.as_map()?;
        let template_meta = if template_path.is_empty() {
            self.metadata()
        } else {
            self.node
                .path(template_path)
                .and_then(|t| t.get("metadata"))
        };
        let mut containers = Vec::new();
        for (key, kind) in [
            ("initContainers", ContainerKind::Init),
            ("containers", ContainerKind::Regular),
            ("ephemeralContainers", ContainerKind::Ephemeral),
        ] {
            for c in spec.get(key).map(Node::as_seq).unwrap_or(&[]) {
                let name_e = c.entry("name");
                containers.push(Container {
                    node: c,
                    name: name_e.and_then(|e| e.value.as_str()).unwrap_or(""),
                    kind,
                    pos: name_e.map(|e| e.key_pos).unwrap_or(c.pos),
                });
            }
        }
        Some(PodView {
            obj: self,
            spec,
            spec_pos: spec_entry.key_pos,
            template_meta,
            containers,
        })
    }
}

/// Objects in a document, with `kind: List` (and `*List`) flattened.
pub fn objects(doc: &Node) -> Vec<Object<'_>> {
    let mut out = Vec::new();
    collect(doc, &mut out, 0);
    out
}

fn collect<'a>(n: &'a Node, out: &mut Vec<Object<'a>>, depth: usize) {
    let kind = n.get_str("kind").unwrap_or("");
    if depth < 8 && kind.ends_with("List") {
        if let Some(items) = n.get("items") {
            for item in items.as_seq() {
                collect(item, out, depth + 1);
            }
            return;
        }
    }
    if let Some(o) = Object::from_node(n) {
        out.push(o);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

pub struct Container<'a> {
    pub node: &'a Node,
    pub name: &'a str,
    pub kind: ContainerKind,
    /// Position of the container's `name` key (or of the container).
    pub pos: Pos,
}

impl<'a> Container<'a> {
    /// `container "web"`, `init container "setup"`.
    pub fn label(&self) -> String {
        let k = match self.kind {
            ContainerKind::Init => "init container",
            ContainerKind::Regular => "container",
            ContainerKind::Ephemeral => "ephemeral container",
        };
        format!("{k} \"{}\"", self.name)
    }

    pub fn security_context(&self) -> Option<&'a Node> {
        self.node.get("securityContext")
    }

    /// `securityContext.<path>` of the container.
    pub fn sc_entry(&self, path: &[&str]) -> Option<&'a Entry> {
        self.security_context()?.path_entry(path)
    }
}

/// A pod spec with its owner object and containers.
pub struct PodView<'a> {
    pub obj: &'a Object<'a>,
    pub spec: &'a Node,
    /// Position of the `spec` key holding the pod spec.
    pub spec_pos: Pos,
    /// Metadata of the pod template (or of the Pod).
    pub template_meta: Option<&'a Node>,
    pub containers: Vec<Container<'a>>,
}

impl<'a> PodView<'a> {
    /// `securityContext.<path>` of the pod.
    pub fn pod_sc_entry(&self, path: &[&str]) -> Option<&'a Entry> {
        self.spec.get("securityContext")?.path_entry(path)
    }

    /// A container setting, falling back to the pod-level security context
    /// (for fields that exist at both levels).
    pub fn effective(&self, c: &Container<'a>, path: &[&str]) -> Option<&'a Entry> {
        c.sc_entry(path).or_else(|| self.pod_sc_entry(path))
    }

    /// A top-level pod spec field.
    pub fn field(&self, key: &str) -> Option<&'a Entry> {
        self.spec.entry(key)
    }

    /// An annotation on the pod template (or the Pod).
    pub fn annotation(&self, key: &str) -> Option<&'a Entry> {
        self.template_meta?.get("annotations")?.entry(key)
    }

    /// Annotations of the pod template whose key starts with `prefix`.
    pub fn annotations_with_prefix(&self, prefix: &str) -> Vec<&'a Entry> {
        self.template_meta
            .and_then(|m| m.get("annotations"))
            .and_then(Node::as_map)
            .map(|m| m.iter().filter(|e| e.key.starts_with(prefix)).collect())
            .unwrap_or_default()
    }

    /// Where a finding about `c` with no offending key points.
    pub fn object_label(&self) -> String {
        self.obj.label()
    }
}
