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

impl Subject {
    pub fn new(rule: String, target: Identity, severity: Severity, title: String) -> Self {
        let canon = serde_json::to_string(&(&rule, &target)).unwrap_or_default();
        let digest = Sha256::digest(canon.as_bytes());
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut fingerprint = String::with_capacity(32);
        for b in &digest[..16] {
            fingerprint.push(HEX[usize::from(b >> 4)] as char);
            fingerprint.push(HEX[usize::from(b & 0xf)] as char);
        }
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
    let (kind, name) = match object.split_once('/') {
        Some((k, n)) => (k, n),
        None => (object, ""),
    };
    Identity {
        kind: "manifest".into(),
        path: file.to_string(),
        object_kind: kind.to_string(),
        object_name: name.to_string(),
        detail: message.to_string(),
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
