//! Stable identities of failing results: the data shared by baselines,
//! diffs and ignore files. The builders that read each command's report are
//! in `report::fingerprint`.
//!
//! An identity is the target's identity, never a line number: a container
//! is its name and image; a scanned file finding is its path, object and
//! message; a threat instance is its stable id. The fingerprint hashes the
//! benchmark-qualified rule id with the identity, so findings in different
//! files are never merged.

use super::{Severity, Target};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// Which command produced a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportKind {
    Audit,
    Scan,
    Threats,
}

impl ReportKind {
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Audit => "audit",
            ReportKind::Scan => "scan",
            ReportKind::Threats => "threats",
        }
    }
}

/// Where a subject is compared against a baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Not in the baseline.
    New,
    /// In the baseline too.
    Unchanged,
    /// In the baseline, gone now.
    Fixed,
}

impl BaselineState {
    pub fn name(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
            BaselineState::Fixed => "fixed",
        }
    }

    /// SARIF `result.baselineState`.
    pub fn sarif(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
            BaselineState::Fixed => "absent",
        }
    }
}

/// What a result is about, as far as its identity goes. Empty fields are
/// not part of the identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Identity {
    /// `container`, `image`, `file`, `host`, `daemon`, `network`, `swarm`,
    /// `manifest` (a scanned file) or `threat`.
    pub kind: String,
    /// Container, image or network name; threat instance id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The container's image.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub image: String,
    /// The file (host file or scanned file).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// Kubernetes kind / compose service / Dockerfile stage, from the scan.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub object_kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub object_name: String,
    /// Threat model component (threats only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub component: String,
    /// What distinguishes two results of one rule on one object (the scan
    /// message, which names the container inside a pod).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl Identity {
    /// Short human label: `container web (nginx:1)`, `k8s/app.yaml Deployment/web`.
    pub fn label(&self) -> String {
        let mut s = match self.kind.as_str() {
            "container" if !self.image.is_empty() => {
                format!("container {} (image {})", self.name, self.image)
            }
            "manifest" => self.path.clone(),
            "file" => format!("file {}", self.path),
            "threat" => self.name.clone(),
            k if self.name.is_empty() => k.to_string(),
            k => format!("{k} {}", self.name),
        };
        if !self.object_kind.is_empty() || !self.object_name.is_empty() {
            s.push(' ');
            s.push_str(&self.object_kind);
            if !self.object_name.is_empty() {
                s.push('/');
                s.push_str(&self.object_name);
            }
        }
        s
    }
}

/// One failing result with its stable fingerprint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Subject {
    pub fingerprint: String,
    /// Benchmark-qualified rule id: `docker:5.5`, `shipshape:K8S-001`,
    /// `threat:docker.socket-mount`.
    pub rule: String,
    pub target: Identity,
    pub severity: Severity,
    /// One line: the rule's title, or the finding's message.
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
    /// Where the result is in this run's SARIF (`rule|place`); not identity.
    #[serde(skip)]
    pub locator: String,
}

/// [`Identity`] with borrowed fields: the same JSON, for code that makes
/// tens of thousands of fingerprints and should not copy every string.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct IdentityRef<'a> {
    pub kind: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    pub name: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    pub image: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    pub path: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    pub object_kind: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    pub namespace: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    pub object_name: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    pub component: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    pub detail: &'a str,
}

fn is_empty(s: &&str) -> bool {
    s.is_empty()
}

impl Identity {
    pub fn as_ref(&self) -> IdentityRef<'_> {
        IdentityRef {
            kind: &self.kind,
            name: &self.name,
            image: &self.image,
            path: &self.path,
            object_kind: &self.object_kind,
            namespace: &self.namespace,
            object_name: &self.object_name,
            component: &self.component,
            detail: &self.detail,
        }
    }
}

/// The 128 bits of a fingerprint: SHA-256 over the compact JSON of the
/// qualified rule and the identity, cut to its first half. `scratch` is
/// reused between calls.
pub fn digest(rule: &str, target: &IdentityRef<'_>, scratch: &mut Vec<u8>) -> u128 {
    scratch.clear();
    // Writing plain data to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *scratch, &(rule, target));
    let d = Sha256::digest(scratch.as_slice());
    let mut first = [0u8; 16];
    first.copy_from_slice(&d[..16]);
    u128::from_be_bytes(first)
}

/// A fingerprint's text: 32 hex digits, then `#n` for the n-th result
/// with the same identity (n > 1), into `buf`.
pub fn fingerprint_text(digest: u128, n: usize, buf: &mut [u8; 48]) -> &str {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in digest.to_be_bytes().iter().enumerate() {
        buf[2 * i] = HEX[usize::from(b >> 4)];
        buf[2 * i + 1] = HEX[usize::from(b & 0xf)];
    }
    let mut len = 32;
    if n > 1 {
        let suffix = format!("#{n}");
        buf[len..len + suffix.len()].copy_from_slice(suffix.as_bytes());
        len += suffix.len();
    }
    // Only ASCII digits, letters and `#` were written.
    std::str::from_utf8(&buf[..len]).unwrap_or_default()
}

impl Subject {
    pub fn new(rule: String, target: Identity, severity: Severity, title: String) -> Self {
        let d = digest(&rule, &target.as_ref(), &mut Vec::new());
        let fingerprint = fingerprint_text(d, 1, &mut [0; 48]).to_string();
        Subject {
            fingerprint,
            rule,
            target,
            severity,
            title,
            baseline_state: None,
            locator: String::new(),
        }
    }

    /// The rule id without its benchmark prefix (`5.5`, `K8S-001`).
    pub fn bare_rule(&self) -> &str {
        self.rule.split_once(':').map_or(&self.rule, |(_, r)| r)
    }
}

/// Two results with one identity (two equal objects in one file) keep
/// distinct fingerprints: the later ones get `#2`, `#3`… in order.
pub fn disambiguate(subjects: &mut [Subject]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for s in subjects.iter_mut() {
        let n = seen.entry(s.fingerprint.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            s.fingerprint = format!("{}#{n}", s.fingerprint);
        }
    }
}

/// The identity of an audit evidence target; containers carry their image
/// from `images` (container name → image).
pub fn target_identity(t: &Target, images: &BTreeMap<String, String>) -> Identity {
    let mut id = Identity {
        kind: t.kind().to_string(),
        ..Default::default()
    };
    match t {
        Target::Container { name, .. } => {
            id.name = name.clone();
            id.image = images.get(name).cloned().unwrap_or_default();
        }
        Target::Image { name, .. } | Target::Network { name, .. } => id.name = name.clone(),
        Target::File { path } => id.path = path.clone(),
        Target::Component { name } => id.component = name.clone(),
        Target::Host | Target::Daemon | Target::Swarm => {}
    }
    id
}

/// The identity of one scan finding: file, object, message.
pub fn scan_identity(file: &str, object: &str, message: &str) -> Identity {
    let r = scan_identity_ref(file, object, message);
    Identity {
        kind: r.kind.into(),
        path: r.path.into(),
        object_kind: r.object_kind.into(),
        object_name: r.object_name.into(),
        detail: r.detail.into(),
        ..Default::default()
    }
}

/// [`scan_identity`], borrowed.
pub fn scan_identity_ref<'a>(file: &'a str, object: &'a str, message: &'a str) -> IdentityRef<'a> {
    let (kind, name) = match object.split_once('/') {
        Some((k, n)) => (k, n),
        None => (object, ""),
    };
    IdentityRef {
        kind: "manifest",
        path: file,
        object_kind: kind,
        object_name: name,
        detail: message,
        ..Default::default()
    }
}

/// The identity of one threat instance.
pub fn threat_identity(instance_id: &str, component: &str) -> Identity {
    Identity {
        kind: "threat".into(),
        name: instance_id.to_string(),
        component: component.to_string(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The borrowed identity hashes and prints exactly as the owned one,
    /// with every field set and with some left empty.
    #[test]
    fn borrowed_identity_has_the_same_json() {
        let full = Identity {
            kind: "container".into(),
            name: "web \"1\"".into(),
            image: "nginx:1".into(),
            path: "/etc/<x>".into(),
            object_kind: "Pod".into(),
            namespace: "ns".into(),
            object_name: "p".into(),
            component: "c".into(),
            detail: "d\n".into(),
        };
        let sparse = scan_identity("k8s/a.yaml", "Deployment/web", "runs as root");
        for id in [full, sparse, Identity::default()] {
            assert_eq!(
                serde_json::to_string(&id).unwrap(),
                serde_json::to_string(&id.as_ref()).unwrap()
            );
        }
        let d = digest("x:1", &IdentityRef::default(), &mut Vec::new());
        assert_eq!(fingerprint_text(d, 1, &mut [0; 48]).len(), 32);
        assert!(fingerprint_text(d, 12, &mut [0; 48]).ends_with("#12"));
    }

    #[test]
    fn the_same_rule_in_two_files_has_two_fingerprints() {
        let a = Subject::new(
            "shipshape:K8S-001".into(),
            scan_identity("a/app.yaml", "Deployment/web", "m"),
            Severity::High,
            String::new(),
        );
        let b = Subject::new(
            "shipshape:K8S-001".into(),
            scan_identity("b/app.yaml", "Deployment/web", "m"),
            Severity::High,
            String::new(),
        );
        assert_ne!(a.fingerprint, b.fingerprint);
        assert_eq!(a.fingerprint.len(), 32);
    }

    #[test]
    fn a_container_is_its_name_and_image() {
        let t = Target::Container {
            id: "abc".into(),
            name: "web".into(),
        };
        let mut images = BTreeMap::new();
        images.insert("web".to_string(), "nginx:1".to_string());
        let one = target_identity(&t, &images);
        images.insert("web".to_string(), "nginx:2".to_string());
        let two = target_identity(&t, &images);
        assert_eq!(one.label(), "container web (image nginx:1)");
        let fp = |i: Identity| Subject::new("docker:5.5".into(), i, Severity::High, "".into());
        assert_ne!(fp(one).fingerprint, fp(two).fingerprint);
    }

    #[test]
    fn equal_identities_are_numbered_not_merged() {
        let s = |p: &str| {
            Subject::new(
                "r".into(),
                scan_identity(p, "Pod/x", "m"),
                Severity::Low,
                "".into(),
            )
        };
        let mut v = vec![s("f"), s("f"), s("g")];
        disambiguate(&mut v);
        assert_eq!(v[1].fingerprint, format!("{}#2", v[0].fingerprint));
        assert!(!v[2].fingerprint.contains('#'));
    }
}
