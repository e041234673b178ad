//! The system model: typed components, trust boundaries and data flows.
//!
//! Flow facts (protocol, port, encryption, authentication) are `Option`s:
//! `None` means "not known". Defaults are applied with [`SystemModel::fill_defaults`],
//! which only ever fills unset fields, so an observed or user-written value is
//! never overwritten by a default.

use crate::findings::{Stride, Target};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// What a component is. The kind decides which threats apply to it and which
/// STRIDE categories it must be covered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    /// The `docker` CLI or an engineer's workstation that drives the daemon.
    DockerClient,
    /// The Linux host (kernel, OS, users) that runs the Docker daemon.
    DockerHost,
    /// `dockerd`, the Engine API.
    DockerDaemon,
    /// containerd and runc.
    ContainerRuntime,
    /// A registry images are pulled from.
    ImageRegistry,
    /// An image stored on the host.
    ContainerImage,
    /// A running (or created) container.
    Container,
    KubeApiserver,
    Etcd,
    KubeControllerManager,
    KubeScheduler,
    Kubelet,
    KubeProxy,
    /// An application service or workload (e.g. the seeds' Python service).
    AppService,
    /// Someone or something outside the system: network clients, users.
    ExternalActor,
    /// A Kubernetes service account: an identity whose token workloads carry.
    ServiceAccount,
    /// A static pod manifest the kubelet runs a control-plane component from
    /// (an asset: whoever writes it decides the component's flags).
    StaticPodManifest,
    /// An ingress controller or load balancer that takes outside traffic in.
    Ingress,
    /// A database, object store or volume that keeps application data.
    Datastore,
    /// Where secrets live: Kubernetes Secrets, Vault, a cloud secret manager.
    SecretStore,
    /// A CI/CD pipeline that builds images and pushes or deploys them.
    CiPipeline,
    /// A Kubernetes namespace: the unit of RBAC, quotas and network policy.
    Namespace,
    /// A validating or mutating admission webhook the API server calls.
    AdmissionWebhook,
    /// A cloud instance-metadata service (IMDS, 169.254.169.254).
    CloudMetadata,
}

impl ComponentKind {
    pub const ALL: [ComponentKind; 24] = [
        ComponentKind::DockerClient,
        ComponentKind::DockerHost,
        ComponentKind::DockerDaemon,
        ComponentKind::ContainerRuntime,
        ComponentKind::ImageRegistry,
        ComponentKind::ContainerImage,
        ComponentKind::Container,
        ComponentKind::KubeApiserver,
        ComponentKind::Etcd,
        ComponentKind::KubeControllerManager,
        ComponentKind::KubeScheduler,
        ComponentKind::Kubelet,
        ComponentKind::KubeProxy,
        ComponentKind::AppService,
        ComponentKind::ExternalActor,
        ComponentKind::ServiceAccount,
        ComponentKind::StaticPodManifest,
        ComponentKind::Ingress,
        ComponentKind::Datastore,
        ComponentKind::SecretStore,
        ComponentKind::CiPipeline,
        ComponentKind::Namespace,
        ComponentKind::AdmissionWebhook,
        ComponentKind::CloudMetadata,
    ];

    /// The kebab-case name used in model files and libraries.
    pub fn name(self) -> &'static str {
        match self {
            ComponentKind::DockerClient => "docker-client",
            ComponentKind::DockerHost => "docker-host",
            ComponentKind::DockerDaemon => "docker-daemon",
            ComponentKind::ContainerRuntime => "container-runtime",
            ComponentKind::ImageRegistry => "image-registry",
            ComponentKind::ContainerImage => "container-image",
            ComponentKind::Container => "container",
            ComponentKind::KubeApiserver => "kube-apiserver",
            ComponentKind::Etcd => "etcd",
            ComponentKind::KubeControllerManager => "kube-controller-manager",
            ComponentKind::KubeScheduler => "kube-scheduler",
            ComponentKind::Kubelet => "kubelet",
            ComponentKind::KubeProxy => "kube-proxy",
            ComponentKind::AppService => "app-service",
            ComponentKind::ExternalActor => "external-actor",
            ComponentKind::ServiceAccount => "service-account",
            ComponentKind::StaticPodManifest => "static-pod-manifest",
            ComponentKind::Ingress => "ingress",
            ComponentKind::Datastore => "datastore",
            ComponentKind::SecretStore => "secret-store",
            ComponentKind::CiPipeline => "ci-pipeline",
            ComponentKind::Namespace => "namespace",
            ComponentKind::AdmissionWebhook => "admission-webhook",
            ComponentKind::CloudMetadata => "cloud-metadata",
        }
    }

    /// The STRIDE categories that apply to this kind of element. This is the
    /// STRIDE-per-element matrix: processes get all six, data stores lose
    /// elevation of privilege, external entities get spoofing and
    /// repudiation. The built-in library is tested to cover every cell.
    pub fn applicable_stride(self) -> &'static [Stride] {
        use Stride::*;
        match self {
            ComponentKind::ExternalActor => &[Spoofing, Repudiation],
            ComponentKind::ServiceAccount => {
                &[Spoofing, InformationDisclosure, ElevationOfPrivilege]
            }
            // A file: it can be changed or read, nothing more.
            ComponentKind::StaticPodManifest => &[Tampering, InformationDisclosure],
            ComponentKind::DockerClient => &[
                Spoofing,
                Tampering,
                Repudiation,
                InformationDisclosure,
                ElevationOfPrivilege,
            ],
            ComponentKind::ImageRegistry => &[
                Spoofing,
                Tampering,
                Repudiation,
                InformationDisclosure,
                DenialOfService,
            ],
            ComponentKind::ContainerImage => {
                &[Spoofing, Tampering, Repudiation, InformationDisclosure]
            }
            ComponentKind::Datastore => &[
                Tampering,
                Repudiation,
                InformationDisclosure,
                DenialOfService,
            ],
            ComponentKind::SecretStore => &[
                Spoofing,
                Tampering,
                Repudiation,
                InformationDisclosure,
                DenialOfService,
            ],
            ComponentKind::Namespace => &[
                Tampering,
                InformationDisclosure,
                DenialOfService,
                ElevationOfPrivilege,
            ],
            ComponentKind::CloudMetadata => {
                &[Spoofing, InformationDisclosure, ElevationOfPrivilege]
            }
            _ => &Stride::ALL,
        }
    }

    /// Process-like, data-store-like or external, for diagram shapes.
    pub fn shape(self) -> Shape {
        match self {
            ComponentKind::ImageRegistry
            | ComponentKind::ContainerImage
            | ComponentKind::Etcd
            | ComponentKind::StaticPodManifest
            | ComponentKind::Datastore
            | ComponentKind::SecretStore => Shape::Store,
            ComponentKind::ExternalActor | ComponentKind::DockerClient => Shape::External,
            _ => Shape::Process,
        }
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Data-flow-diagram element shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Process,
    Store,
    External,
}

/// What a trust boundary encloses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoundaryKind {
    Host,
    Container,
    ControlPlane,
    WorkerNode,
    ClusterNetwork,
    Internet,
}

impl BoundaryKind {
    pub fn name(self) -> &'static str {
        match self {
            BoundaryKind::Host => "host",
            BoundaryKind::Container => "container",
            BoundaryKind::ControlPlane => "control-plane",
            BoundaryKind::WorkerNode => "worker-node",
            BoundaryKind::ClusterNetwork => "cluster-network",
            BoundaryKind::Internet => "internet",
        }
    }
}

impl fmt::Display for BoundaryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A scalar fact about a component or flow (`privileged: true`, `user: root`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Fact {
    Bool(bool),
    Int(i64),
    Str(String),
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fact::Bool(b) => write!(f, "{b}"),
            Fact::Int(i) => write!(f, "{i}"),
            Fact::Str(s) => f.write_str(s),
        }
    }
}

/// Where an element of the model came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Observed in the audit snapshot.
    Snapshot,
    /// Declared in the user's model file.
    ModelFile,
    /// Observed, then changed by the model file.
    Overridden,
}

#[derive(Debug, Clone, Serialize)]
pub struct Boundary {
    pub id: String,
    pub kind: BoundaryKind,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct Component {
    pub id: String,
    pub kind: ComponentKind,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boundary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, Fact>,
    /// The snapshot objects this component stands for; finding evidence about
    /// these targets is evidence about this component.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
    pub origin: Origin,
    /// Facts written in the model file ("declared"), as opposed to observed.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub declared: BTreeSet<String>,
    /// Data assets (ids of [`SystemModel::data_assets`]) this component
    /// stores or processes; the most sensitive one sets its threats' impact.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_assets: Vec<String>,
    /// Set (with the reason) when the model file marks the component, or a
    /// boundary around it, out of scope: its threats are listed, not counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_scope: Option<String>,
}

impl Component {
    pub fn new(id: impl Into<String>, kind: ComponentKind, name: impl Into<String>) -> Self {
        Component {
            id: id.into(),
            kind,
            name: name.into(),
            boundary: None,
            description: None,
            facts: BTreeMap::new(),
            targets: Vec::new(),
            origin: Origin::Snapshot,
            declared: BTreeSet::new(),
            data_assets: Vec::new(),
            out_of_scope: None,
        }
    }

    pub fn in_boundary(mut self, b: impl Into<String>) -> Self {
        self.boundary = Some(b.into());
        self
    }

    pub fn fact(mut self, k: &str, v: Fact) -> Self {
        self.facts.insert(k.to_string(), v);
        self
    }

    pub fn target(mut self, t: Target) -> Self {
        self.targets.push(t);
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    pub id: String,
    pub from: String,
    pub to: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticated: Option<bool>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, Fact>,
    pub origin: Origin,
    /// Data assets the flow carries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_assets: Vec<String>,
    /// How the caller proves who it is (`None`: not known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication: Option<AuthMethod>,
    /// How the receiver decides what the caller may do (`None`: not known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization: Option<Authorization>,
}

impl Flow {
    pub fn new(from: &str, to: &str, label: impl Into<String>) -> Self {
        Flow {
            id: format!("{from}->{to}"),
            from: from.to_string(),
            to: to.to_string(),
            label: label.into(),
            protocol: None,
            port: None,
            encrypted: None,
            authenticated: None,
            facts: BTreeMap::new(),
            origin: Origin::Snapshot,
            data_assets: Vec::new(),
            authentication: None,
            authorization: None,
        }
    }

    pub fn fact(mut self, k: &str, v: Fact) -> Self {
        self.facts.insert(k.to_string(), v);
        self
    }
}

/// How a flow's caller authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMethod {
    None,
    Password,
    Token,
    ApiKey,
    SessionCookie,
    ClientCertificate,
    Mtls,
    Oidc,
    Kerberos,
    /// Peer credentials of a Unix socket (uid/gid of the caller).
    UnixPeer,
}

impl AuthMethod {
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::None => "none",
            AuthMethod::Password => "password",
            AuthMethod::Token => "token",
            AuthMethod::ApiKey => "api-key",
            AuthMethod::SessionCookie => "session-cookie",
            AuthMethod::ClientCertificate => "client-certificate",
            AuthMethod::Mtls => "mtls",
            AuthMethod::Oidc => "oidc",
            AuthMethod::Kerberos => "kerberos",
            AuthMethod::UnixPeer => "unix-peer",
        }
    }
}

/// How a flow's receiver authorises the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Authorization {
    /// Everyone who gets through may do everything.
    None,
    /// One technical identity (a service account, an API key) for all callers.
    TechnicalUser,
    /// The end user's identity is passed on and checked.
    EndUser,
    /// Role-based rules decide per caller (Kubernetes RBAC, ...).
    Rbac,
}

/// A rating of confidentiality, integrity or availability. The Threagile
/// words are accepted too (`public` ... `strictly-confidential`,
/// `archive` ... `mission-critical`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    #[serde(alias = "public", alias = "archive")]
    Low,
    #[serde(alias = "internal", alias = "operational")]
    Medium,
    #[serde(alias = "restricted", alias = "confidential", alias = "important")]
    High,
    #[serde(
        alias = "strictly-confidential",
        alias = "critical",
        alias = "mission-critical"
    )]
    VeryHigh,
}

impl Rating {
    pub fn name(self) -> &'static str {
        match self {
            Rating::Low => "low",
            Rating::Medium => "medium",
            Rating::High => "high",
            Rating::VeryHigh => "very-high",
        }
    }
}

/// Data a system holds or moves, with how much its confidentiality,
/// integrity and availability matter.
#[derive(Debug, Clone, Serialize)]
pub struct DataAsset {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub confidentiality: Rating,
    pub integrity: Rating,
    pub availability: Rating,
}

/// The whole model. Elements keep insertion order, which is deterministic
/// (the builder sorts what it reads), so renderings are stable.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SystemModel {
    pub name: String,
    pub boundaries: Vec<Boundary>,
    pub components: Vec<Component>,
    pub flows: Vec<Flow>,
    /// Data assets declared in the model file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_assets: Vec<DataAsset>,
    /// Boundaries the model file marks out of scope, with the reason.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub out_of_scope_boundaries: BTreeMap<String, String>,
}

/// The boundary crossing of one flow: the innermost boundary kinds at each end
/// (`None` = outside every boundary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crossing {
    pub from: Option<BoundaryKind>,
    pub to: Option<BoundaryKind>,
}

/// Lookup tables over a model, built once.
pub struct ModelIndex<'m> {
    pub components: HashMap<&'m str, usize>,
    pub boundaries: HashMap<&'m str, usize>,
}

impl SystemModel {
    pub fn index(&self) -> ModelIndex<'_> {
        ModelIndex {
            components: self
                .components
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id.as_str(), i))
                .collect(),
            boundaries: self
                .boundaries
                .iter()
                .enumerate()
                .map(|(i, b)| (b.id.as_str(), i))
                .collect(),
        }
    }

    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }

    pub fn component_mut(&mut self, id: &str) -> Option<&mut Component> {
        self.components.iter_mut().find(|c| c.id == id)
    }

    pub fn boundary(&self, id: &str) -> Option<&Boundary> {
        self.boundaries.iter().find(|b| b.id == id)
    }

    /// Add a component unless one with the same id exists; returns its id.
    pub fn add_component(&mut self, c: Component) -> String {
        let id = c.id.clone();
        if self.component(&id).is_none() {
            self.components.push(c);
        }
        id
    }

    pub fn add_boundary(&mut self, b: Boundary) {
        if self.boundary(&b.id).is_none() {
            self.boundaries.push(b);
        }
    }

    /// Add a flow, making its id unique (`a->b`, `a->b#2`, ...).
    pub fn add_flow(&mut self, mut f: Flow) {
        let base = f.id.clone();
        let mut n = 1;
        while self.flows.iter().any(|g| g.id == f.id) {
            n += 1;
            f.id = format!("{base}#{n}");
        }
        self.flows.push(f);
    }

    /// The crossing of a flow, from its endpoints' innermost boundaries.
    /// Returns `None` when both ends sit in the same boundary.
    pub fn crossing(&self, ix: &ModelIndex<'_>, flow: &Flow) -> Option<Crossing> {
        let b = |id: &str| {
            ix.components
                .get(id)
                .and_then(|&i| self.components[i].boundary.as_deref())
        };
        let (fb, tb) = (b(&flow.from), b(&flow.to));
        if fb == tb {
            return None;
        }
        let kind = |bid: Option<&str>| {
            bid.and_then(|id| ix.boundaries.get(id))
                .map(|&i| self.boundaries[i].kind)
        };
        Some(Crossing {
            from: kind(fb),
            to: kind(tb),
        })
    }

    /// Fill unset flow facts from what the endpoints imply. Never overwrites.
    pub fn fill_defaults(&mut self) {
        let kinds: HashMap<String, ComponentKind> = self
            .components
            .iter()
            .map(|c| (c.id.clone(), c.kind))
            .collect();
        for f in &mut self.flows {
            let to = kinds.get(&f.to).copied();
            let (proto, port) = match to {
                Some(ComponentKind::KubeApiserver) => ("https", Some(6443)),
                Some(ComponentKind::Etcd) => ("https", Some(2379)),
                Some(ComponentKind::Kubelet) => ("https", Some(10250)),
                Some(ComponentKind::ImageRegistry) => ("https", Some(443)),
                _ => continue,
            };
            if f.protocol.is_none() {
                f.protocol = Some(proto.to_string());
            }
            if f.port.is_none() {
                f.port = port;
            }
        }
    }
}
