//! Compose rules (`COMPOSE-*`): the CIS Docker Benchmark 1.6 section 5
//! runtime checks that a compose service can express.

mod access;
mod capabilities;
mod environment;
mod mounts;
mod namespaces;
mod ports;
mod privileged;
mod resources;
mod runtime;
mod security_opt;
mod service_extras;

use crate::manifest::compose::ServiceView;
use crate::rules::manifest::{Rule, Sink};

pub static RULES: &[&Rule] = &[
    &privileged::PRIVILEGED,
    &mounts::DOCKER_SOCKET,
    &mounts::SENSITIVE_MOUNT,
    &capabilities::CAP_ADD,
    &capabilities::CAP_DROP,
    &namespaces::NETWORK_HOST,
    &namespaces::PID_HOST,
    &namespaces::IPC_HOST,
    &security_opt::UNCONFINED,
    &security_opt::NO_NEW_PRIVILEGES,
    &resources::MEMORY,
    &resources::PIDS,
    &runtime::READ_ONLY,
    &ports::ALL_INTERFACES,
    &environment::PLAINTEXT_SECRETS,
    &runtime::DEVICES,
    &namespaces::USERNS_HOST,
    &runtime::RESTART,
    &namespaces::UTS_HOST,
    &ports::PRIVILEGED_PORT,
    &resources::CPU,
    &mounts::SHARED_PROPAGATION,
    &runtime::CGROUP_PARENT,
    &runtime::HEALTHCHECK_DISABLED,
    &runtime::DEFAULT_BRIDGE,
    &runtime::ROOT_USER,
    &access::AUTH_OFF,
    &access::INSECURE,
    &runtime::RAW_DEVICE,
    &capabilities::CAP_TAKEOVER,
    &mounts::WRITABLE_TAKEOVER,
    &service_extras::IMAGE_TAG,
    &service_extras::IMAGE_DIGEST,
    &service_extras::NO_HEALTHCHECK,
    &service_extras::SYSCTLS,
    &service_extras::ULIMITS,
    &service_extras::CGROUP_HOST,
];

/// Report at the service's own key (for settings that are missing).
pub(crate) fn at_service(svc: &ServiceView, s: &mut Sink, msg: String) {
    s.at_text(svc.pos, svc.name, msg);
}
