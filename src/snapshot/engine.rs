//! Docker Engine API objects, reduced to the fields the checks and the threat
//! model use. Field names follow the Engine API (`docker inspect`), and every
//! field defaults when absent, so older API versions deserialise too.

use super::{null_default, Probe};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the Engine API told us.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Engine {
    /// The socket or address we talked to.
    pub endpoint: String,
    /// The API version negotiated with `/_ping` and `/version`.
    pub api_version: String,
    pub version: Version,
    pub info: Info,
    /// Containers in scope: running ones, or all with `--all`.
    pub containers: Vec<Container>,
    pub images: Vec<Image>,
    pub networks: Vec<Network>,
    /// `GET /swarm`, read only on a swarm manager.
    #[serde(default)]
    pub swarm: Option<SwarmSpecInfo>,
    /// Number of swarm secrets, read only on a swarm manager.
    #[serde(default)]
    pub swarm_secrets: Option<usize>,
    /// Whether stopped and created containers were collected (`--all`).
    #[serde(default)]
    pub all_containers: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Version {
    pub version: String,
    pub api_version: String,
    #[serde(rename = "MinAPIVersion")]
    pub min_api_version: String,
    pub os: String,
    pub arch: String,
    pub kernel_version: String,
    pub experimental: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Info {
    #[serde(rename = "ID")]
    pub id: String,
    pub name: String,
    pub server_version: String,
    pub driver: String,
    pub logging_driver: String,
    pub docker_root_dir: String,
    #[serde(deserialize_with = "null_default")]
    pub security_options: Vec<String>,
    pub live_restore_enabled: bool,
    pub experimental_build: bool,
    pub debug: bool,
    pub containers: u64,
    pub containers_running: u64,
    pub containers_stopped: u64,
    pub images: u64,
    pub operating_system: String,
    pub kernel_version: String,
    pub cgroup_version: String,
    pub default_runtime: String,
    #[serde(deserialize_with = "null_default")]
    pub registry_config: RegistryConfig,
    #[serde(deserialize_with = "null_default")]
    pub plugins: Plugins,
    #[serde(deserialize_with = "null_default")]
    pub swarm: SwarmInfo,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RegistryConfig {
    #[serde(rename = "InsecureRegistryCIDRs", deserialize_with = "null_default")]
    pub insecure_registry_cidrs: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub index_configs: BTreeMap<String, IndexConfig>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IndexConfig {
    pub name: String,
    pub secure: bool,
    pub official: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Plugins {
    #[serde(deserialize_with = "null_default")]
    pub authorization: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub log: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SwarmInfo {
    #[serde(rename = "NodeID")]
    pub node_id: String,
    pub node_addr: String,
    /// `inactive`, `pending`, `active`, `error` or `locked`.
    pub local_node_state: String,
    pub control_available: bool,
    pub nodes: u64,
    pub managers: u64,
    #[serde(deserialize_with = "null_default")]
    pub remote_managers: Vec<RemoteManager>,
}

impl SwarmInfo {
    pub fn is_active(&self) -> bool {
        matches!(
            self.local_node_state.as_str(),
            "active" | "locked" | "pending"
        )
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RemoteManager {
    #[serde(rename = "NodeID")]
    pub node_id: String,
    pub addr: String,
}

/// The parts of `GET /swarm` the swarm checks read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SwarmSpecInfo {
    #[serde(rename = "ID")]
    pub id: String,
    pub data_path_port: u64,
    pub spec: SwarmSpec,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SwarmSpec {
    #[serde(rename = "CAConfig")]
    pub ca_config: CaConfig,
    pub encryption_config: EncryptionConfig,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CaConfig {
    /// Node certificate lifetime in nanoseconds.
    pub node_cert_expiry: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EncryptionConfig {
    pub auto_lock_managers: bool,
}

/// `GET /containers/{id}/json`, reduced.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Container {
    pub id: String,
    /// As the API reports it, with a leading `/`.
    pub name: String,
    /// The image ID the container was created from.
    pub image: String,
    pub created: String,
    pub app_armor_profile: String,
    pub process_label: String,
    pub state: ContainerState,
    pub config: ContainerConfig,
    pub host_config: HostConfig,
    #[serde(deserialize_with = "null_default")]
    pub mounts: Vec<Mount>,
    pub network_settings: NetworkSettings,
    /// Processes inside the container (running containers only), read from
    /// the host's `/proc` or from `GET /containers/{id}/top`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<Probe<Vec<ProcessInfo>>>,
}

impl Container {
    /// The name without the API's leading slash.
    pub fn short_name(&self) -> &str {
        self.name.strip_prefix('/').unwrap_or(&self.name)
    }

    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(12)]
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ContainerState {
    /// `created`, `running`, `paused`, `restarting`, `removing`, `exited`, `dead`.
    pub status: String,
    pub running: bool,
    pub pid: i64,
    #[serde(deserialize_with = "null_default")]
    pub health: Option<Health>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Health {
    pub status: String,
    pub failing_streak: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ContainerConfig {
    pub hostname: String,
    pub user: String,
    /// The image reference the container was created with (`web:1.2`).
    pub image: String,
    #[serde(deserialize_with = "null_default")]
    pub labels: BTreeMap<String, String>,
    #[serde(deserialize_with = "null_default")]
    pub healthcheck: Option<HealthConfig>,
    #[serde(deserialize_with = "null_default")]
    pub env: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
    #[serde(deserialize_with = "null_default")]
    pub cmd: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub entrypoint: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HealthConfig {
    #[serde(deserialize_with = "null_default")]
    pub test: Vec<String>,
}

impl HealthConfig {
    /// A health check that is configured and not explicitly disabled.
    pub fn is_enabled(&self) -> bool {
        match self.test.first().map(String::as_str) {
            None | Some("NONE") => false,
            Some(_) => true,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HostConfig {
    pub privileged: bool,
    #[serde(deserialize_with = "null_default")]
    pub cap_add: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub cap_drop: Vec<String>,
    pub network_mode: String,
    pub pid_mode: String,
    pub ipc_mode: String,
    #[serde(rename = "UTSMode")]
    pub uts_mode: String,
    pub userns_mode: String,
    pub cgroup_parent: String,
    pub memory: i64,
    pub nano_cpus: i64,
    pub cpu_shares: i64,
    pub cpu_quota: i64,
    pub cpuset_cpus: String,
    /// `null`, 0 and -1 all mean unlimited.
    #[serde(deserialize_with = "null_default")]
    pub pids_limit: Option<i64>,
    pub readonly_rootfs: bool,
    #[serde(deserialize_with = "null_default")]
    pub security_opt: Vec<String>,
    pub restart_policy: RestartPolicy,
    #[serde(deserialize_with = "null_default")]
    pub devices: Vec<DeviceMapping>,
    #[serde(deserialize_with = "null_default")]
    pub ulimits: Vec<Ulimit>,
    #[serde(deserialize_with = "null_default")]
    pub port_bindings: BTreeMap<String, Option<Vec<PortBinding>>>,
    #[serde(deserialize_with = "null_default")]
    pub binds: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RestartPolicy {
    pub name: String,
    pub maximum_retry_count: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeviceMapping {
    pub path_on_host: String,
    pub path_in_container: String,
    pub cgroup_permissions: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PortBinding {
    pub host_ip: String,
    pub host_port: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Mount {
    /// `bind`, `volume`, `tmpfs`, `npipe`.
    #[serde(rename = "Type")]
    pub kind: String,
    pub name: String,
    pub source: String,
    pub destination: String,
    pub mode: String,
    #[serde(rename = "RW")]
    pub rw: bool,
    pub propagation: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NetworkSettings {
    /// `"80/tcp" -> [{HostIp, HostPort}]`, the bindings actually in effect.
    #[serde(deserialize_with = "null_default")]
    pub ports: BTreeMap<String, Option<Vec<PortBinding>>>,
    #[serde(deserialize_with = "null_default")]
    pub networks: BTreeMap<String, EndpointSettings>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EndpointSettings {
    #[serde(rename = "NetworkID")]
    pub network_id: String,
    #[serde(rename = "IPAddress")]
    pub ip_address: String,
}

/// One process inside a container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessInfo {
    pub pid: i64,
    /// The executable name (`comm`), e.g. `sshd`.
    pub comm: String,
    #[serde(default)]
    pub args: String,
}

/// A published port, whichever of the two API fields it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPort {
    pub container_port: String,
    pub host_ip: String,
    pub host_port: Option<u16>,
}

impl Container {
    /// Ports published on the host: the live bindings of a running
    /// container, or the configured ones of a created or stopped container.
    pub fn published_ports(&self) -> Vec<PublishedPort> {
        let live: Vec<_> = flatten_ports(&self.network_settings.ports);
        if !live.is_empty() || self.state.running {
            return live;
        }
        flatten_ports(&self.host_config.port_bindings)
    }

    pub fn is_running(&self) -> bool {
        self.state.running
    }
}

fn flatten_ports(map: &BTreeMap<String, Option<Vec<PortBinding>>>) -> Vec<PublishedPort> {
    let mut out = Vec::new();
    for (container_port, bindings) in map {
        for b in bindings.iter().flatten() {
            out.push(PublishedPort {
                container_port: container_port.clone(),
                host_ip: b.host_ip.clone(),
                host_port: b.host_port.parse().ok(),
            });
        }
    }
    out
}

/// `GET /images/{id}/json` plus history, reduced.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Image {
    pub id: String,
    #[serde(deserialize_with = "null_default")]
    pub repo_tags: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub repo_digests: Vec<String>,
    pub created: String,
    pub size: i64,
    #[serde(deserialize_with = "null_default")]
    pub config: ImageConfig,
    /// `GET /images/{id}/history`, newest layer first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Probe<Vec<HistoryEntry>>>,
}

impl Image {
    /// A readable name: the first tag, else the short id.
    pub fn display_name(&self) -> String {
        self.repo_tags
            .iter()
            .find(|t| t.as_str() != "<none>:<none>")
            .cloned()
            .unwrap_or_else(|| short_image_id(&self.id).to_string())
    }

    pub fn is_tagged(&self) -> bool {
        self.repo_tags.iter().any(|t| t != "<none>:<none>")
    }
}

pub fn short_image_id(id: &str) -> &str {
    let bare = id.strip_prefix("sha256:").unwrap_or(id);
    &bare[..bare.len().min(12)]
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ImageConfig {
    pub user: String,
    #[serde(deserialize_with = "null_default")]
    pub healthcheck: Option<HealthConfig>,
    #[serde(deserialize_with = "null_default")]
    pub env: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub labels: BTreeMap<String, String>,
    #[serde(deserialize_with = "null_default")]
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HistoryEntry {
    pub id: String,
    pub created_by: String,
    pub empty_layer: bool,
    #[serde(deserialize_with = "null_default")]
    pub tags: Vec<String>,
    pub comment: String,
}

/// `GET /networks`, reduced.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Network {
    pub name: String,
    pub id: String,
    pub driver: String,
    pub scope: String,
    pub internal: bool,
    pub ingress: bool,
    #[serde(deserialize_with = "null_default")]
    pub options: BTreeMap<String, String>,
    #[serde(deserialize_with = "null_default")]
    pub containers: BTreeMap<String, NetworkContainer>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NetworkContainer {
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspect_json_with_nulls_deserialises() {
        let c: Container = serde_json::from_str(
            r#"{"Id":"abc","Name":"/web","HostConfig":{"CapAdd":null,"PidsLimit":null,
                "Privileged":true,"UTSMode":"host"},"Mounts":null,
                "NetworkSettings":{"Ports":{"80/tcp":[{"HostIp":"::","HostPort":"8080"}],"81/tcp":null}}}"#,
        )
        .unwrap();
        assert!(c.host_config.privileged);
        assert!(c.host_config.cap_add.is_empty());
        assert_eq!(c.host_config.pids_limit, None);
        assert_eq!(c.host_config.uts_mode, "host");
        assert_eq!(c.short_name(), "web");
        let ports = c.published_ports();
        assert_eq!(ports.len(), 1);
        assert_eq!(ports[0].host_port, Some(8080));
        assert_eq!(ports[0].host_ip, "::");
    }
}
