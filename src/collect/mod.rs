//! Collectors: all I/O lives here. They fill a [`Snapshot`] once per run.

pub mod clock;

use crate::snapshot::*;
use std::path::PathBuf;
use std::time::Duration;

/// What to collect and how long to wait.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// The audited host's filesystem root.
    pub root: PathBuf,
    /// `DOCKER_HOST`, when set.
    pub docker_host: Option<String>,
    /// Collect created and stopped containers too.
    pub all: bool,
    /// Bound on every Engine API exchange.
    pub timeout: Duration,
}

/// Collect everything into a snapshot. Never fails as a whole: what could
/// not be read is recorded as an error inside the snapshot.
pub fn collect(opts: &CollectOptions) -> Snapshot {
    let _ = opts;
    todo!("collector")
}
