//! Kubernetes manifest rules (`K8S-*`). One family per file; every rule
//! carries its CIS Kubernetes 1.12 id, Pod Security Standards control and
//! NSA/CISA guidance section where they apply.

use crate::manifest::k8s::PodView;
use crate::manifest::yaml::Entry;

mod capabilities;
mod default_namespace;
mod env_secrets;
mod exposure;
mod host_namespaces;
mod host_path;
mod host_port;
mod images;
mod insecure_settings;
mod namespaces;
mod network;
mod pod_extras;
mod pod_hygiene;
mod privileged;
mod profiles;
mod rbac_bindings;
mod rbac_broad;
mod rbac_roles;
mod read_only_root;
mod resources;
mod run_as_root;
mod secrets;
mod service_account;

use crate::rules::manifest::Rule;

pub static RULES: &[&Rule] = &[
    &privileged::PRIVILEGED,
    &privileged::PRIVILEGE_ESCALATION,
    &run_as_root::RUN_AS_NON_ROOT,
    &run_as_root::RUN_AS_UID_0,
    &capabilities::ADDED,
    &capabilities::NOT_DROPPED,
    &host_namespaces::HOST_PID,
    &host_namespaces::HOST_IPC,
    &host_namespaces::HOST_NETWORK,
    &host_path::SENSITIVE,
    &host_path::ANY,
    &host_port::HOST_PORT,
    &profiles::SECCOMP,
    &profiles::APPARMOR,
    &read_only_root::READ_ONLY_ROOT,
    &resources::LIMITS,
    &resources::REQUESTS,
    &images::TAG,
    &images::DIGEST,
    &env_secrets::ENV_SECRETS,
    &service_account::POD_AUTOMOUNT,
    &service_account::DEFAULT_SA_AUTOMOUNT,
    &pod_extras::HOST_PROCESS,
    &pod_extras::PROC_MOUNT,
    &pod_extras::SYSCTLS,
    &pod_extras::SELINUX,
    &default_namespace::DEFAULT_NAMESPACE,
    &rbac_roles::WILDCARD,
    &rbac_roles::READ_SECRETS,
    &rbac_roles::ESCALATE_BIND_IMPERSONATE,
    &rbac_roles::POD_EXEC,
    &rbac_roles::SA_TOKEN,
    &rbac_roles::CSR_APPROVAL,
    &rbac_roles::NODES_PROXY,
    &rbac_roles::WEBHOOKS,
    &rbac_roles::CREATE_PODS,
    &rbac_bindings::ANONYMOUS,
    &rbac_bindings::CLUSTER_ADMIN,
    &rbac_bindings::SYSTEM_MASTERS,
    &rbac_broad::ADMIN_EQUIVALENT,
    &rbac_broad::NON_RESOURCE_WILDCARD,
    &rbac_broad::BROAD_GROUP,
    &rbac_broad::ADMIN_TO_BROAD,
    &rbac_broad::DEFAULT_SA_BINDING,
    &namespaces::PSA_PRIVILEGED,
    &namespaces::PSA_MISSING,
    &network::ALLOW_ALL,
    &network::EXPOSED_SERVICE,
    &secrets::SECRET_MANIFEST,
    &secrets::CONFIGMAP_SECRETS,
    &insecure_settings::AUTH_OFF,
    &insecure_settings::INSECURE,
    &pod_hygiene::SECCOMP_MISSING,
    &pod_hygiene::DEFAULT_SERVICE_ACCOUNT,
    &pod_hygiene::SYSTEM_NAMESPACE,
    &pod_hygiene::TOLERATE_ALL,
    &pod_hygiene::PROBES,
    &pod_hygiene::BIDIRECTIONAL,
    &pod_hygiene::ROOT_GROUP,
    &pod_hygiene::SECRET_ENV,
    &pod_hygiene::SSH_PORT,
    &pod_hygiene::WINDOWS_ADMIN,
    &capabilities::TAKEOVER,
    &exposure::EXTERNAL_IPS,
    &exposure::NGINX_SNIPPET,
    &exposure::GIT_REPO,
    &exposure::HOST_ALIASES,
];

/// A `securityContext` setting everywhere a pod writes it: the pod level
/// first (it applies to every container), then each container, each with
/// the label a finding names.
pub(crate) fn security_settings<'a>(p: &PodView<'a>, path: &[&str]) -> Vec<(String, &'a Entry)> {
    let pod = p.pod_sc_entry(path).map(|e| (p.object_label(), e));
    let containers = p
        .containers
        .iter()
        .filter_map(|c| c.sc_entry(path).map(|e| (c.label(), e)));
    pod.into_iter().chain(containers).collect()
}

/// Whether a pod runs on Windows nodes: `spec.os.name: windows`, a
/// `kubernetes.io/os: windows` node selector or required node affinity, or
/// Windows-only security settings (`windowsOptions`, HostProcess). Linux-only
/// rules (user ids, capabilities, seccomp, AppArmor, SELinux, procMount,
/// read-only root, privilege escalation, sysctls) stay silent for them.
pub(crate) fn is_windows(p: &PodView) -> bool {
    let windows = |n: &crate::manifest::yaml::Node| {
        n.as_str()
            .is_some_and(|v| v.eq_ignore_ascii_case("windows"))
    };
    if p.spec.path(&["os", "name"]).is_some_and(windows) {
        return true;
    }
    let selector = p.spec.get("nodeSelector");
    if ["kubernetes.io/os", "beta.kubernetes.io/os"]
        .iter()
        .any(|k| selector.and_then(|s| s.get(k)).is_some_and(windows))
    {
        return true;
    }
    let terms = p.spec.path(&[
        "affinity",
        "nodeAffinity",
        "requiredDuringSchedulingIgnoredDuringExecution",
        "nodeSelectorTerms",
    ]);
    let term_is_windows = |t: &crate::manifest::yaml::Node| {
        t.get("matchExpressions")
            .map(crate::manifest::yaml::Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .any(|m| {
                matches!(
                    m.get_str("key"),
                    Some("kubernetes.io/os" | "beta.kubernetes.io/os")
                ) && m.get_str("operator") == Some("In")
                    && {
                        let vals = m.get("values").map(|v| v.as_seq()).unwrap_or(&[]);
                        !vals.is_empty() && vals.iter().all(windows)
                    }
            })
    };
    if let Some(terms) = terms.map(|t| t.as_seq()).filter(|t| !t.is_empty()) {
        if terms.iter().all(term_is_windows) {
            return true;
        }
    }
    p.pod_sc_entry(&["windowsOptions"]).is_some()
        || p.containers
            .iter()
            .any(|c| c.sc_entry(&["windowsOptions"]).is_some())
}
