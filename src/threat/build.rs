//! Build the system model from an audit snapshot.
//!
//! What is observed becomes a fact; what is not observed stays unset. The
//! builder sorts what it reads (containers by name, images by name) so that
//! ids and renderings are stable across runs.

use super::model::{
    Boundary, BoundaryKind, Component, ComponentKind, Fact, Flow, Origin, SystemModel,
};
use crate::findings::Target;
use crate::snapshot::daemon::same_socket;
use crate::snapshot::{Container, Image, Snapshot};

pub const HOST_BOUNDARY: &str = "host";
pub const INTERNET_BOUNDARY: &str = "internet";
pub const HOST: &str = "docker-host";
pub const DAEMON: &str = "docker-daemon";
pub const CLIENT: &str = "docker-client";
pub const RUNTIME: &str = "container-runtime";
pub const NETWORK_CLIENTS: &str = "network-clients";

/// The registry host of an image reference (`docker.io` when none is given).
pub fn registry_of(reference: &str) -> String {
    let name = reference.split('@').next().unwrap_or(reference);
    match name.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first.to_string()
        }
        _ => "docker.io".to_string(),
    }
}

/// The reference an image was pulled by. Only pulled (or pushed) images
/// have repo digests; an image with tags but no digest was built or loaded
/// locally and has no registry flow.
fn image_reference(img: &Image) -> Option<&str> {
    let digest = img.repo_digests.iter().find(|d| !d.starts_with("<none>"))?;
    let repo = digest.split('@').next().unwrap_or(digest);
    // Prefer the tag of the same repository, which is what was pulled.
    Some(
        img.repo_tags
            .iter()
            .find(|t| t.rsplit_once(':').is_some_and(|(r, _)| r == repo))
            .unwrap_or(digest),
    )
}

fn is_wildcard(ip: &str) -> bool {
    matches!(ip, "" | "0.0.0.0" | "::" | "[::]")
}

fn is_loopback(ip: &str) -> bool {
    ip.starts_with("127.") || ip == "::1" || ip == "localhost" || ip == "[::1]"
}

fn boundary(id: &str, kind: BoundaryKind, name: &str, parent: Option<&str>) -> Boundary {
    Boundary {
        id: id.to_string(),
        kind,
        name: name.to_string(),
        parent: parent.map(str::to_string),
        origin: Origin::Snapshot,
    }
}

/// The external actor for network clients, in the internet boundary.
pub fn ensure_network_clients(m: &mut SystemModel) {
    if m.component(NETWORK_CLIENTS).is_none() {
        m.add_boundary(boundary(
            INTERNET_BOUNDARY,
            BoundaryKind::Internet,
            "Internet / outside the host",
            None,
        ));
        m.add_component(
            Component::new(
                NETWORK_CLIENTS,
                ComponentKind::ExternalActor,
                "Network clients",
            )
            .in_boundary(INTERNET_BOUNDARY),
        );
    }
}

/// Build the model of one Docker host from its snapshot.
pub fn from_snapshot(snap: &Snapshot) -> SystemModel {
    from_snapshot_excluding(snap, &[])
}

/// Build the model, leaving out the containers named in `excluded` (those
/// the checks were told to skip), so they carry no threats either.
pub fn from_snapshot_excluding(snap: &Snapshot, excluded: &[&str]) -> SystemModel {
    let mut m = host_components(snap);
    add_daemon_access(&mut m, snap);
    super::kube::add_node(&mut m, &snap.kubernetes, &snap.host.hostname);
    let Some(engine) = snap.engine.ok() else {
        return m;
    };
    let image_ids = add_images(&mut m, snap, engine);
    // Containers.
    let mut containers: Vec<&Container> = engine
        .containers
        .iter()
        .filter(|c| !excluded.contains(&c.short_name()))
        .filter(|c| {
            !snap
                .self_container
                .as_deref()
                .is_some_and(|me| c.id.starts_with(me) || me.starts_with(&c.id))
        })
        .collect();
    containers.sort_by(|a, b| a.short_name().cmp(b.short_name()));
    for c in containers {
        add_container(&mut m, snap, c, &image_ids);
    }
    m
}

/// The host, daemon, client and runtime.
fn host_components(snap: &Snapshot) -> SystemModel {
    let host_name = if snap.host.hostname.is_empty() {
        "Docker host".to_string()
    } else {
        snap.host.hostname.clone()
    };
    let mut m = SystemModel {
        name: format!("Docker host {host_name}"),
        ..Default::default()
    };
    m.add_boundary(boundary(
        HOST_BOUNDARY,
        BoundaryKind::Host,
        &format!("Host {host_name}"),
        None,
    ));
    let mut host = Component::new(
        HOST,
        ComponentKind::DockerHost,
        format!("Host OS ({host_name})"),
    )
    .in_boundary(HOST_BOUNDARY)
    .target(Target::Host);
    if !snap.host.os.is_empty() {
        host = host.fact("os", Fact::Str(snap.host.os.clone()));
    }
    m.add_component(host);

    let engine = snap.engine.ok();
    let mut daemon = Component::new(
        DAEMON,
        ComponentKind::DockerDaemon,
        "Docker daemon (dockerd)",
    )
    .in_boundary(HOST_BOUNDARY)
    .target(Target::Daemon)
    .target(Target::Swarm);
    if let Some(e) = engine {
        if !e.version.version.is_empty() {
            daemon = daemon.fact("version", Fact::Str(e.version.version.clone()));
        }
    }
    m.add_component(daemon);
    m.add_component(
        Component::new(
            CLIENT,
            ComponentKind::DockerClient,
            "Docker client (docker CLI)",
        )
        .in_boundary(HOST_BOUNDARY),
    );
    m.add_component(
        Component::new(
            RUNTIME,
            ComponentKind::ContainerRuntime,
            "containerd / runc",
        )
        .in_boundary(HOST_BOUNDARY),
    );

    m
}

/// How clients reach the daemon, and the daemon the runtime.
fn add_daemon_access(m: &mut SystemModel, snap: &Snapshot) {
    // How clients reach the daemon.
    let (tls, verify) = (
        snap.daemon
            .bool_setting("tls", false)
            .map(|x| x.0)
            .unwrap_or(false),
        snap.daemon
            .bool_setting("tlsverify", false)
            .map(|x| x.0)
            .unwrap_or(false),
    );
    let hosts = snap
        .daemon
        .hosts()
        .unwrap_or_else(|_| vec!["unix:///var/run/docker.sock".to_string()]);
    let mut local_done = false;
    for h in &hosts {
        if h.starts_with("unix://") || h.starts_with("fd://") {
            if local_done {
                continue;
            }
            local_done = true;
            let mut f = Flow::new(CLIENT, DAEMON, "Engine API over the local Unix socket");
            f.protocol = Some("unix".into());
            f.encrypted = Some(false);
            m.add_flow(f.fact("transport", Fact::Str("unix-socket".into())));
        } else if let Some(addr) = h.strip_prefix("tcp://") {
            let (ip, port) = match addr.rsplit_once(':') {
                Some((ip, p)) => (ip, p.trim_end_matches('/').parse().ok()),
                None => (addr, None),
            };
            let port = port.or(Some(if tls || verify { 2376 } else { 2375 }));
            let from = if is_loopback(ip) {
                CLIENT
            } else {
                ensure_network_clients(m);
                NETWORK_CLIENTS
            };
            let mut f = Flow::new(from, DAEMON, format!("Engine API over TCP ({h})"));
            f.protocol = Some("tcp".into());
            f.port = port;
            f.encrypted = Some(tls || verify);
            f.authenticated = Some(verify);
            m.add_flow(
                f.fact("transport", Fact::Str("tcp".into()))
                    .fact("listen", Fact::Str(addr.to_string())),
            );
        }
    }
    let mut to_runtime = Flow::new(DAEMON, RUNTIME, "containerd API (gRPC over a Unix socket)");
    to_runtime.protocol = Some("grpc".into());
    m.add_flow(to_runtime);
}

/// Images and their registries; returns (image id, component id) pairs.
fn add_images(
    m: &mut SystemModel,
    snap: &Snapshot,
    engine: &crate::snapshot::Engine,
) -> Vec<(String, String)> {
    let insecure = snap
        .daemon
        .list_setting("insecure-registries")
        .map(|x| x.0)
        .unwrap_or_default();
    let mut images: Vec<&Image> = engine.images.iter().collect();
    images.sort_by_key(|i| (i.display_name(), i.id.clone()));
    let mut image_ids: Vec<(String, String)> = Vec::new(); // (image id, component id)
    for img in images {
        let name = img.display_name();
        let mut cid = format!("image:{name}").replace('@', "#");
        if m.component(&cid).is_some() {
            cid = format!("{cid}#{}", crate::snapshot::short_image_id(&img.id));
        }
        let mut c = Component::new(cid.clone(), ComponentKind::ContainerImage, name.clone())
            .in_boundary(HOST_BOUNDARY)
            .target(Target::Image {
                id: img.id.clone(),
                name: name.clone(),
            })
            .fact(
                "id",
                Fact::Str(crate::snapshot::short_image_id(&img.id).to_string()),
            )
            .fact(
                "healthcheck",
                Fact::Bool(
                    img.config
                        .healthcheck
                        .as_ref()
                        .is_some_and(|h| h.is_enabled()),
                ),
            )
            .fact("digest_known", Fact::Bool(!img.repo_digests.is_empty()));
        let user = img.config.user.trim();
        c = c.fact(
            "user",
            Fact::Str(if user.is_empty() {
                "root".into()
            } else {
                user.into()
            }),
        );
        image_ids.push((img.id.clone(), cid.clone()));
        m.add_component(c);
        add_pull_flow(m, img, &cid, &name, &insecure);
    }
    image_ids
}

/// The registry an image was pulled from and the pull flow, or the fact
/// that the image was built locally.
fn add_pull_flow(m: &mut SystemModel, img: &Image, cid: &str, name: &str, insecure: &[String]) {
    if let Some(reference) = image_reference(img) {
        let reg = registry_of(reference);
        let rid = format!("registry:{reg}");
        if m.component(&rid).is_none() {
            m.add_boundary(boundary(
                INTERNET_BOUNDARY,
                BoundaryKind::Internet,
                "Internet / outside the host",
                None,
            ));
            m.add_component(
                Component::new(
                    rid.clone(),
                    ComponentKind::ImageRegistry,
                    format!("Registry {reg}"),
                )
                .in_boundary(INTERNET_BOUNDARY)
                .fact("host", Fact::Str(reg.clone())),
            );
        }
        // Image findings about images pulled from here are evidence
        // about the registry too.
        m.component_mut(&rid)
            .expect("just added")
            .targets
            .push(Target::Image {
                id: img.id.clone(),
                name: name.to_string(),
            });
        let plain = insecure.iter().any(|r| r == &reg);
        let mut f = Flow::new(&rid, cid, format!("pull {reference}"));
        f.protocol = Some(if plain { "http" } else { "https" }.into());
        f.port = reg
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse().ok())
            .or(Some(if plain { 80 } else { 443 }));
        f.encrypted = Some(!plain);
        m.add_flow(f);
    } else {
        m.component_mut(cid)
            .expect("just added")
            .facts
            .insert("built_locally".into(), Fact::Bool(true));
    }
}

fn add_container(m: &mut SystemModel, snap: &Snapshot, c: &Container, images: &[(String, String)]) {
    let name = c.short_name().to_string();
    let bid = format!("ctr:{name}");
    m.add_boundary(boundary(
        &bid,
        BoundaryKind::Container,
        &format!("container {name}"),
        Some(HOST_BOUNDARY),
    ));
    let cid = format!("container:{name}");
    let mut comp = Component::new(cid.clone(), ComponentKind::Container, name.clone())
        .in_boundary(bid)
        .target(Target::Container {
            id: c.id.clone(),
            name: name.clone(),
        });
    comp.facts = container_facts(c);
    m.add_component(comp);

    // The image it runs.
    if let Some((_, img)) = images.iter().find(|(id, _)| id == &c.image) {
        let mut f = Flow::new(img, &cid, "image layers");
        f.protocol = Some("local".into());
        m.add_flow(f);
    }
    let mut spawn = Flow::new(RUNTIME, &cid, "creates and runs the container");
    spawn.protocol = Some("local".into());
    m.add_flow(spawn);

    // The daemon socket mounted inside.
    for mt in &c.mounts {
        let src = mt.source.as_str();
        let is_sock = same_socket(src, "/var/run/docker.sock")
            || (!snap.daemon.socket.is_empty() && same_socket(src, &snap.daemon.socket));
        if is_sock {
            let mut f = Flow::new(
                &cid,
                DAEMON,
                format!("Engine API via mounted {} -> {}", src, mt.destination),
            );
            f.protocol = Some("unix".into());
            f.encrypted = Some(false);
            f.authenticated = Some(false);
            m.add_flow(
                f.fact("via", Fact::Str("docker-socket".into()))
                    .fact("mount", Fact::Str(mt.destination.clone()))
                    .fact("writable", Fact::Bool(mt.rw)),
            );
        }
    }

    add_published_ports(m, c, &cid);
}

/// A flow from outside for each port published on a non-loopback address.
fn add_published_ports(m: &mut SystemModel, c: &Container, cid: &str) {
    // Published ports.
    for p in c.published_ports() {
        if is_loopback(&p.host_ip) {
            continue;
        }
        ensure_network_clients(m);
        let proto = p
            .container_port
            .rsplit('/')
            .next()
            .unwrap_or("tcp")
            .to_string();
        let host_port = p.host_port.map(|x| x.to_string()).unwrap_or_default();
        let bind = if is_wildcard(&p.host_ip) {
            "all-interfaces".to_string()
        } else {
            p.host_ip.clone()
        };
        // 0.0.0.0 and :: bindings of one port are one way in.
        let fid = if bind == "all-interfaces" {
            format!("{NETWORK_CLIENTS}->{cid}:{host_port}/{proto}")
        } else {
            format!("{NETWORK_CLIENTS}->{cid}:{bind}:{host_port}/{proto}")
        };
        if m.flows.iter().any(|f| f.id == fid) {
            continue;
        }
        let mut f = Flow::new(
            NETWORK_CLIENTS,
            cid,
            format!(
                "published {}:{} -> {}",
                if p.host_ip.is_empty() {
                    "0.0.0.0"
                } else {
                    &p.host_ip
                },
                host_port,
                p.container_port
            ),
        );
        f.id = fid;
        f.protocol = Some(proto);
        f.port = p.host_port;
        m.add_flow(f.fact("bind", Fact::Str(bind)));
    }
}

/// The security option value for `key` (`seccomp=unconfined` or the older
/// `seccomp:unconfined`).
fn security_opt<'c>(c: &'c Container, key: &str) -> Option<&'c str> {
    c.host_config.security_opt.iter().find_map(|o| {
        o.strip_prefix(key)
            .and_then(|r| r.strip_prefix('=').or_else(|| r.strip_prefix(':')))
    })
}

/// Capabilities that amount to root on the host.
const TAKEOVER_CAPS: [&str; 3] = ["SYS_ADMIN", "SYS_MODULE", "ALL"];

fn cap_name(c: &str) -> String {
    let u = c.trim().to_ascii_uppercase();
    u.strip_prefix("CAP_").unwrap_or(&u).to_string()
}

/// Everything the model records about a container, for library conditions,
/// fact evidence and users' own threats.
pub fn container_facts(c: &Container) -> std::collections::BTreeMap<String, Fact> {
    let hc = &c.host_config;
    let user = c.config.user.trim();
    let user = if user.is_empty() { "root" } else { user };
    let is_root = matches!(user.split(':').next(), Some("root" | "0"));
    let caps: Vec<String> = hc.cap_add.iter().map(|x| cap_name(x)).collect();
    let seccomp = security_opt(c, "seccomp").unwrap_or("default");
    let apparmor = match security_opt(c, "apparmor") {
        Some(p) => p.to_string(),
        None if c.app_armor_profile.is_empty() => "none".to_string(),
        None => c.app_armor_profile.clone(),
    };
    let writable_host_root = c.mounts.iter().any(|m| {
        m.rw && matches!(m.source.trim_end_matches('/'), "" | "/etc") && m.source.starts_with('/')
    });
    let no_new_privs = security_opt(c, "no-new-privileges").is_some_and(|v| v != "false")
        || hc.security_opt.iter().any(|o| o == "no-new-privileges");
    let b = |x: bool| Fact::Bool(x);
    let st = |x: &str| Fact::Str(x.to_string());
    [
        ("image", st(&c.config.image)),
        ("running", b(c.state.running)),
        ("privileged", b(hc.privileged)),
        ("user", st(user)),
        ("runs_as_root", b(is_root)),
        ("host_network", b(hc.network_mode == "host")),
        ("host_pid", b(hc.pid_mode == "host")),
        ("host_pid_root", b(hc.pid_mode == "host" && is_root)),
        ("host_ipc", b(hc.ipc_mode == "host")),
        ("host_uts", b(hc.uts_mode == "host")),
        ("host_userns", b(hc.userns_mode == "host")),
        ("memory_limited", b(hc.memory > 0)),
        ("pids_limited", b(hc.pids_limit.is_some_and(|p| p > 0))),
        ("read_only_rootfs", b(hc.readonly_rootfs)),
        ("cap_add", st(&caps.join(","))),
        (
            "cap_drop",
            st(&hc
                .cap_drop
                .iter()
                .map(|x| cap_name(x))
                .collect::<Vec<_>>()
                .join(",")),
        ),
        (
            "dangerous_caps",
            b(caps.iter().any(|x| TAKEOVER_CAPS.contains(&x.as_str()))),
        ),
        ("seccomp", st(seccomp)),
        ("apparmor", st(&apparmor)),
        ("no_new_privileges", b(no_new_privs)),
        ("host_devices", b(!hc.devices.is_empty())),
        ("devices", Fact::Int(hc.devices.len() as i64)),
        ("mounts", Fact::Int(c.mounts.len() as i64)),
        ("writable_host_root", b(writable_host_root)),
        (
            "restart",
            st(if hc.restart_policy.name.is_empty() {
                "no"
            } else {
                &hc.restart_policy.name
            }),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::registry_of;

    #[test]
    fn registry_hosts_come_from_the_reference() {
        assert_eq!(registry_of("nginx:1.27"), "docker.io");
        assert_eq!(registry_of("library/nginx"), "docker.io");
        assert_eq!(registry_of("ghcr.io/acme/runner:2.1"), "ghcr.io");
        assert_eq!(
            registry_of("registry.lab:5000/tools/scan:dev"),
            "registry.lab:5000"
        );
        assert_eq!(registry_of("localhost/x"), "localhost");
        assert_eq!(registry_of("quay.io/a/b@sha256:abcd"), "quay.io");
    }
}
