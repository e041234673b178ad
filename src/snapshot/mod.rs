//! The snapshot: everything the collectors read, once, in a typed and
//! serialisable form. Rules are pure functions of a [`Snapshot`], so a snapshot
//! written by `shipshape collect` on one host can be audited anywhere.
//!
//! Our own facts use snake_case. Engine API objects (under [`engine`]) keep the
//! field names Docker uses in `docker inspect`, so they read the way operators
//! already know them.

pub mod daemon;
pub mod engine;
pub mod host;
pub mod kubernetes;

use serde::{Deserialize, Deserializer, Serialize};

pub use engine::*;
pub use host::*;

/// Version of the snapshot JSON layout. Bump on incompatible changes.
pub const SNAPSHOT_SCHEMA: u32 = 1;

/// A fact that was either read, or could not be read (with the reason).
///
/// Serialised as `{"ok": value}` or `{"error": "reason"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Probe<T> {
    Ok(T),
    Error(String),
}

impl<T> Probe<T> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            Probe::Ok(v) => Some(v),
            Probe::Error(_) => None,
        }
    }

    pub fn as_result(&self) -> Result<&T, &str> {
        match self {
            Probe::Ok(v) => Ok(v),
            Probe::Error(e) => Err(e),
        }
    }

    pub fn from_result<E: std::fmt::Display>(r: Result<T, E>) -> Self {
        match r {
            Ok(v) => Probe::Ok(v),
            Err(e) => Probe::Error(e.to_string()),
        }
    }
}

impl<T: Default> Default for Probe<T> {
    fn default() -> Self {
        Probe::Ok(T::default())
    }
}

/// Everything one run collected.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema: u32,
    pub tool: String,
    pub tool_version: String,
    /// RFC 3339 UTC time the collection started.
    pub collected_at: String,
    /// The host filesystem root that was audited (`/` unless `--root`).
    pub root: String,
    pub host: HostFacts,
    pub daemon: DaemonFacts,
    /// The Engine API, or why it could not be reached.
    pub engine: Probe<Engine>,
    /// The container shipshape itself runs in, when it runs in one. It is
    /// excluded from the container checks.
    #[serde(default)]
    pub self_container: Option<String>,
    /// How long collection took, in microseconds (informational).
    #[serde(default)]
    pub collect_micros: u64,
    /// Kubernetes components found on this host (empty when none, and in
    /// snapshots that predate the Kubernetes audit).
    #[serde(default)]
    pub kubernetes: kubernetes::KubeFacts,
}

/// Deserialize `null` as the type's default, as the Engine API sends `null`
/// for empty lists and maps.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
