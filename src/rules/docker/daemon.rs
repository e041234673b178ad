//! 2.x: how the daemon is configured. Settings are read as the daemon sees
//! them: a flag on its command line, else daemon.json, else the built-in
//! default. When daemon.json cannot be parsed, every check whose setting is
//! not decided by a flag is ERROR, with the file's line and column.

use super::*;
use crate::findings::Severity;
use crate::rules::Scope;
use crate::snapshot::daemon::SettingError;

pub(super) static CHECKS: &[Check] = &[
    Check {
        meta: RuleMeta::cis_docker("2.1", "The daemon runs without root where possible (rootless mode)", Severity::Medium, &[E], "Consider Docker's rootless mode (dockerd-rootless-setuptool.sh install) so that a daemon or container escape lands in an unprivileged account.")
            .rationale(
                "A rootful dockerd runs as uid 0, so any bug that lets a process break out of a \
                container or abuse the API lands with full control of the host. Rootless mode \
                runs the daemon and its containers inside an unprivileged user's namespaces, \
                so the same escape only reaches that account and the damage stays bounded.",
            )
            .refs(&[cwe("250")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Manual,
        eval: rootless,
    },
    Check {
        meta: RuleMeta::cis_docker("2.2", "Containers on the default bridge cannot talk to each other", Severity::Medium, &[I, T], "Set \"icc\": false in daemon.json (or --icc=false) and connect containers that must talk through user-defined networks.")
            .rationale(
                "With inter-container communication on, every container on the default bridge \
                can open connections to every other, so one compromised service can probe and \
                attack its neighbours' unauthenticated ports. Turning icc off blocks that \
                traffic by default, and the links that are really needed are made explicit \
                through user-defined networks.",
            )
            .refs(&[cwe("668")])
            .fix(Fix::DaemonJson {
                key: "icc",
                value: "false",
            }),
        automated: true,
        scope: Scope::DaemonConfig,
        eval: icc,
    },
    Check {
        meta: RuleMeta::cis_docker("2.3", "The daemon logs at level info", Severity::Low, &[R], "Set \"log-level\": \"info\" in daemon.json (or remove --log-level/--debug) so events are recorded without debug noise.")
            .rationale(
                "The daemon's log is where failed API calls, pull errors and configuration \
                problems show up. At warn or error level those events are never written, \
                leaving an investigator blind; at debug level the volume buries them and can \
                expose request details. The info level records the operational events without \
                that noise.",
            )
            .refs(&[cwe("778")])
            .fix(Fix::DaemonJson {
                key: "log-level",
                value: "\"info\"",
            }),
        automated: true,
        scope: Scope::DaemonConfig,
        eval: log_level,
    },
    Check {
        meta: RuleMeta::cis_docker("2.4", "The daemon may manage iptables", Severity::Medium, &[I, T], "Remove \"iptables\": false / --iptables=false so Docker keeps its firewall rules consistent with container networking.")
            .rationale(
                "Docker writes the NAT and filter rules that isolate its networks and publish \
            ports. If it may not touch iptables, someone has to maintain those rules by hand \
            and they drift: networks meant to be separate can reach each other, or broad \
            hand-written rules expose more than the published ports. Letting the daemon \
            manage them keeps the firewall in step with the containers that actually run.",
            )
            .fix(Fix::DaemonJson {
                key: "iptables",
                value: "true",
            }),
        automated: true,
        scope: Scope::DaemonConfig,
        eval: iptables,
    },
    Check {
        meta: RuleMeta::cis_docker("2.5", "No insecure registries are configured", Severity::High, &[S, T, I], "Remove \"insecure-registries\" / --insecure-registry entries and serve every registry over TLS with a trusted certificate.")
            .rationale(
                "An insecure registry is contacted over plain HTTP or with certificate checks \
                switched off. Anyone on the network path can then read pull credentials or \
                swap the image layers the daemon downloads, and the tampered image runs with \
                the container's full privileges. Requiring TLS with a trusted certificate \
                authenticates the registry and protects the content in transit.",
            )
            .refs(&[cwe("319"), cwe("295")])
            .fix(Fix::DaemonJson {
                key: "insecure-registries",
                value: "[]",
            }),
        automated: true,
        scope: Scope::DaemonConfig,
        eval: insecure_registries,
    },
    Check {
        meta: RuleMeta::cis_docker("2.6", "The aufs storage driver is not used", Severity::Medium, &[E, D], "Switch the storage driver to overlay2 (\"storage-driver\": \"overlay2\") and migrate images.")
            .rationale(
                "aufs is an out-of-tree storage driver that current kernels do not ship and \
            recent Docker releases have dropped, so it no longer receives fixes for crashes \
            or security bugs. Staying on it means running unmaintained kernel code \
            underneath every container. overlay2 is the maintained default and gets the \
            kernel's ongoing fixes.",
            )
            .refs(&[cwe("1104")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Engine,
        eval: aufs,
    },
    Check {
        meta: RuleMeta::cis_docker("2.7", "A TCP listener requires TLS client authentication", Severity::Critical, &[S, I, E], "Serve TCP only with \"tlsverify\": true plus tlscacert, tlscert and tlskey, or drop the tcp:// host and use the unix socket (or SSH).")
            .rationale(
                "The Docker API is root on the host: whoever can call it can start a privileged \
                container that mounts the host's disk. A TCP listener without mutual TLS lets \
                anyone who reaches the port do exactly that, and credentials travel in clear. \
                Requiring client certificates signed by a trusted CA limits the API to holders \
                of those keys and encrypts the channel.",
            )
            .refs(&[cwe("306"), cwe("319")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::DaemonConfig,
        eval: tls,
    },
    Check {
        meta: RuleMeta::cis_docker("2.8", "Default ulimits are configured", Severity::Low, &[D], "Set \"default-ulimits\" in daemon.json (e.g. nofile and nproc) appropriate to the workloads.")
            .rationale(
                "Without daemon-wide defaults, containers inherit the daemon's own, usually \
                very high, limits on open files and processes. A leaking or hostile container \
                can then exhaust file descriptors or process slots shared with the rest of the \
                host. Sensible default ulimits cap what any one container can take unless it \
                is deliberately given more.",
            )
            .refs(&[cwe("770")])
            .fix(Fix::DaemonJson {
                key: "default-ulimits",
                value: "{\"nofile\":{\"Name\":\"nofile\",\"Hard\":64000,\"Soft\":64000}}",
            }),
        automated: false,
        scope: Scope::DaemonConfig,
        eval: default_ulimit,
    },
    Check {
        meta: RuleMeta::cis_docker("2.9", "User namespace remapping is enabled", Severity::High, &[E], "Set \"userns-remap\": \"default\" (or a dedicated user) in daemon.json and provide /etc/subuid and /etc/subgid ranges.")
            .rationale(
                "Without user namespace remapping, uid 0 inside a container is uid 0 on the \
                host, so a process that escapes through a kernel or runtime bug keeps full \
                root rights over host files. With remapping, container root maps to an \
                unprivileged range of host ids, and an escape arrives as a user that owns \
                nothing important.",
            )
            .refs(&[cwe("250")])
            .fix(Fix::DaemonJson {
                key: "userns-remap",
                value: "\"default\"",
            }),
        automated: true,
        scope: Scope::DaemonConfig,
        eval: userns,
    },
    Check {
        meta: RuleMeta::cis_docker("2.10", "A daemon-wide cgroup parent is deliberate", Severity::Low, &[D], "Leave \"cgroup-parent\" unset unless a specific cgroup hierarchy is required; document it when it is.")
            .rationale(
                "The cgroup parent decides which resource limits and accounting every container \
                falls under. A daemon-wide parent that nobody chose on purpose can place all \
                containers under a group with loose limits or shared with host services, so \
                one busy container can starve them. Leaving the default, or documenting a \
                deliberate choice, keeps resource control predictable.",
            )
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::DaemonConfig,
        eval: cgroup_parent,
    },
    Check {
        meta: RuleMeta::cis_docker("2.11", "The devicemapper base device size is left at its default", Severity::Low, &[D], "Remove dm.basesize from \"storage-opts\" unless a larger base device is needed.")
            .rationale(
                "The devicemapper base size sets how much disk every container's root \
                filesystem may grow to. Raising it daemon-wide lets any single container fill \
                the thin pool and take the storage of every other container down with it. \
                Keeping the default, and granting more only where needed, bounds the damage a \
                runaway writer can do.",
            )
            .refs(&[cwe("400")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::DaemonConfig,
        eval: base_device_size,
    },
    Check {
        meta: RuleMeta::cis_docker("2.12", "An authorization plugin guards Docker API commands", Severity::Medium, &[E, R], "Install an authorization plugin and list it in \"authorization-plugins\" so API requests are checked per user.")
            .rationale(
                "Out of the box, anyone who can reach the Docker socket may call every API \
                endpoint, including ones that start privileged containers or mount the host \
                root. An authorization plugin checks each request against a policy, so \
                ordinary users can be limited to harmless operations and the denials are \
                recorded.",
            )
            .refs(&[cwe("862")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::DaemonConfig,
        eval: authz,
    },
    Check {
        meta: RuleMeta::cis_docker("2.13", "Container logs are shipped to a central service", Severity::Low, &[R], "Set \"log-driver\" to a remote driver (syslog, fluentd, gelf, awslogs, splunk…) or forward the local logs with an agent.")
            .rationale(
                "Logs kept only on the Docker host are lost when the host fails and can be \
                erased by whoever compromises it, which is exactly when they are needed. \
                Shipping container logs to a central service keeps an independent copy that an \
                attacker on the host cannot quietly rewrite, and lets events be correlated \
                across hosts.",
            )
            .refs(&[cwe("778")])
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Engine,
        eval: remote_logging,
    },
    Check {
        meta: RuleMeta::cis_docker("2.14", "Containers cannot gain new privileges by default", Severity::High, &[E], "Set \"no-new-privileges\": true in daemon.json so setuid binaries cannot raise privileges inside containers.")
            .rationale(
                "Setuid and setgid programs, and file capabilities, let a process raise its \
                privileges when it executes them. Inside a container that gives an attacker \
                who gets a shell an easy path back to root. Making no-new-privileges the \
                daemon default sets the kernel flag for every container, so exec can no longer \
                grant more rights than the parent had.",
            )
            .refs(&[cwe("269")])
            .fix(Fix::DaemonJson {
                key: "no-new-privileges",
                value: "true",
            }),
        automated: true,
        scope: Scope::DaemonConfig,
        eval: no_new_privs,
    },
    Check {
        meta: RuleMeta::cis_docker("2.15", "Live restore is enabled", Severity::Low, &[D], "Set \"live-restore\": true so containers keep running while the daemon restarts or upgrades.")
            .rationale(
                "Without live restore, stopping or upgrading dockerd stops every container, so \
                routine patching means an outage and a daemon crash takes all workloads with \
                it. With live restore the containers keep running while the daemon is away and \
                are reattached when it returns, which also makes it easier to apply daemon \
                security fixes promptly.",
            )
            .fix(Fix::DaemonJson {
                key: "live-restore",
                value: "true",
            }),
        automated: true,
        scope: Scope::Engine,
        eval: live_restore,
    },
    Check {
        meta: RuleMeta::cis_docker("2.16", "The userland proxy is disabled", Severity::Low, &[I, D], "Set \"userland-proxy\": false so published ports are handled by iptables rules instead of a proxy process per port.")
            .rationale(
                "The userland proxy starts a root-owned docker-proxy process for each published \
            port and relays the traffic in user space. That is extra privileged code on the \
            network path, extra memory per port, and it hides the client's real address from \
            the container. With the proxy disabled, published ports are handled by kernel \
            NAT rules alone.",
            )
            .fix(Fix::DaemonJson {
                key: "userland-proxy",
                value: "false",
            }),
        automated: true,
        scope: Scope::DaemonConfig,
        eval: userland_proxy,
    },
    Check {
        meta: RuleMeta::cis_docker("2.17", "A daemon-wide seccomp profile is applied", Severity::Medium, &[E], "Keep the default seccomp profile enabled, or set \"seccomp-profile\" to a stricter custom profile; never \"unconfined\".")
            .rationale(
                "Seccomp filters the system calls a container may make, closing off rarely \
                needed kernel interfaces that are a common route for container escapes. If the \
                daemon-wide profile is disabled or replaced by a permissive one, every \
                container gets the whole kernel surface. Keeping the default profile, or a \
                stricter reviewed one, keeps that surface small.",
            )
            .refs(&[cwe("693")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Engine,
        eval: seccomp,
    },
    Check {
        meta: RuleMeta::cis_docker("2.18", "Experimental features are off in production", Severity::Low, &[T, E], "Remove \"experimental\": true / --experimental from the daemon configuration.")
            .rationale(
                "Experimental features have not been through the review and hardening of stable \
                ones, may change without notice and can expose new API surface. Enabling them \
                on a production daemon adds risk without a supported fix path. Keeping them \
                off leaves only the supported, documented behaviour in place.",
            )
            .fix(Fix::DaemonJson {
                key: "experimental",
                value: "false",
            }),
        automated: true,
        scope: Scope::Engine,
        eval: experimental,
    },
];

fn err(e: SettingError) -> Verdict {
    Verdict::error(e.0)
}

fn daemon_ev(outcome: Outcome, observed: String, expected: &str, source: String) -> Evidence {
    Evidence::new(Target::Daemon, outcome, observed, expected).with_source(source)
}

/// A boolean setting that should have value `want`.
fn bool_check(cx: &Context, key: &str, default: bool, want: bool, fail_msg: &str) -> Verdict {
    match cx.snap.daemon.bool_setting(key, default) {
        Err(e) => err(e),
        Ok((v, src)) => {
            let outcome = if v == want {
                Outcome::Pass
            } else {
                Outcome::Fail
            };
            let msg = if v == want {
                format!("{key} is {v}")
            } else {
                fail_msg.to_string()
            };
            Verdict::new(outcome, msg).with(daemon_ev(
                outcome,
                format!("{key}={v}"),
                &format!("{key}={want}"),
                src,
            ))
        }
    }
}

fn rootless(cx: &Context) -> Verdict {
    let rootless_opt = cx
        .snap
        .engine
        .ok()
        .is_some_and(|e| e.info.security_options.iter().any(|o| o == "name=rootless"));
    match cx.snap.daemon.process.as_result() {
        _ if rootless_opt => Verdict::pass("the daemon runs in rootless mode"),
        Ok(Some(p)) if p.uid != 0 => {
            Verdict::pass(format!("dockerd (pid {}) runs as uid {}", p.pid, p.uid))
        }
        Ok(Some(p)) => manual(&format!(
            "dockerd (pid {}) runs as root; decide whether rootless mode fits",
            p.pid
        ))
        .with(daemon_ev(
            Outcome::Warn,
            "uid 0".into(),
            "rootless where possible",
            format!("/proc/{}/status", p.pid),
        )),
        Ok(None) => manual("no dockerd process was found to inspect"),
        Err(e) => manual(&format!("the daemon process could not be inspected: {e}")),
    }
}

fn icc(cx: &Context) -> Verdict {
    bool_check(
        cx,
        "icc",
        true,
        false,
        "inter-container communication is open on the default bridge",
    )
}

fn log_level(cx: &Context) -> Verdict {
    let d = &cx.snap.daemon;
    let (debug, dsrc) = match d.bool_setting("debug", false) {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let (level, src) = match d.str_setting("log-level") {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let level = level.unwrap_or_else(|| "info".into());
    if debug {
        return Verdict::fail("debug logging is on").with(daemon_ev(
            Outcome::Fail,
            "debug=true".into(),
            "log-level=info",
            dsrc,
        ));
    }
    let outcome = if level == "info" {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    Verdict::new(outcome, format!("log level is {level}")).with(daemon_ev(
        outcome,
        format!("log-level={level}"),
        "log-level=info",
        src,
    ))
}

fn iptables(cx: &Context) -> Verdict {
    bool_check(
        cx,
        "iptables",
        true,
        true,
        "Docker is not allowed to manage iptables",
    )
}

fn insecure_registries(cx: &Context) -> Verdict {
    let (cfg, src) = match cx.snap.daemon.list_setting("insecure-registries") {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let mut ev: Vec<Evidence> = cfg
        .iter()
        .map(|r| {
            daemon_ev(
                Outcome::Fail,
                format!("insecure registry {r}"),
                "none",
                src.clone(),
            )
        })
        .collect();
    if let Some(eng) = cx.snap.engine.ok() {
        let rc = &eng.info.registry_config;
        for cidr in rc
            .insecure_registry_cidrs
            .iter()
            .filter(|c| c.as_str() != "127.0.0.0/8")
        {
            if !cfg.contains(cidr) {
                ev.push(daemon_ev(
                    Outcome::Fail,
                    format!("insecure registry range {cidr}"),
                    "none",
                    "GET /info RegistryConfig".into(),
                ));
            }
        }
        for (name, ic) in rc.index_configs.iter().filter(|(_, ic)| !ic.secure) {
            if !cfg.contains(name) {
                ev.push(daemon_ev(
                    Outcome::Fail,
                    format!("registry {} is not secure", ic.name),
                    "none",
                    "GET /info RegistryConfig".into(),
                ));
            }
        }
    }
    if ev.is_empty() {
        Verdict::pass("no insecure registries")
    } else {
        Verdict::fail(format!("{} insecure registry entries", ev.len())).with_all(ev)
    }
}

fn aufs(cx: &Context) -> Verdict {
    let eng = engine(cx);
    let drv = &eng.info.driver;
    let outcome = if drv == "aufs" {
        Outcome::Fail
    } else {
        Outcome::Pass
    };
    Verdict::new(outcome, format!("storage driver is {drv}")).with(daemon_ev(
        outcome,
        format!("Driver={drv}"),
        "not aufs",
        "GET /info".into(),
    ))
}

fn tls(cx: &Context) -> Verdict {
    let d = &cx.snap.daemon;
    let hosts = match d.hosts() {
        Ok(h) => h,
        Err(e) => return err(e),
    };
    let tcp: Vec<&String> = hosts
        .iter()
        .filter(|h| h.starts_with("tcp://") || h.starts_with("http://"))
        .collect();
    if tcp.is_empty() {
        return Verdict::not_applicable(format!(
            "the daemon listens on no TCP address ({})",
            hosts.join(", ")
        ));
    }
    let (verify, vsrc) = match d.bool_setting("tlsverify", false) {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let (tls, _) = match d.bool_setting("tls", false) {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let (outcome, observed) = if verify {
        (Outcome::Pass, "tlsverify=true")
    } else if tls {
        (
            Outcome::Fail,
            "TLS without client verification (tls=true, tlsverify=false)",
        )
    } else {
        (Outcome::Fail, "plain TCP without TLS")
    };
    let ev = tcp.iter().map(|h| {
        daemon_ev(
            outcome,
            format!("{h}: {observed}"),
            "tlsverify with a CA, certificate and key",
            vsrc.clone(),
        )
    });
    Verdict::new(
        outcome,
        format!(
            "TCP listener(s) {}: {observed}",
            tcp.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .with_all(ev)
}

fn default_ulimit(cx: &Context) -> Verdict {
    match cx.snap.daemon.list_setting("default-ulimits") {
        Err(e) => err(e),
        Ok((v, src)) if !v.is_empty() => {
            Verdict::pass(format!("default ulimits: {}", v.join(", "))).with(daemon_ev(
                Outcome::Pass,
                format!("default-ulimits {}", v.join(", ")),
                "",
                src,
            ))
        }
        Ok(_) => Verdict::warn("no default ulimits; containers inherit the daemon's limits"),
    }
}

fn userns(cx: &Context) -> Verdict {
    match cx.snap.daemon.str_setting("userns-remap") {
        Err(e) => err(e),
        Ok((Some(v), src)) if !v.is_empty() => Verdict::pass(format!("userns-remap={v}")).with(
            daemon_ev(Outcome::Pass, format!("userns-remap={v}"), "", src),
        ),
        Ok((_, src)) => Verdict::fail(
            "user namespace remapping is off: root in a container is root on the host",
        )
        .with(daemon_ev(
            Outcome::Fail,
            "userns-remap unset".into(),
            "userns-remap=default",
            src,
        )),
    }
}

fn cgroup_parent(cx: &Context) -> Verdict {
    match cx.snap.daemon.str_setting("cgroup-parent") {
        Err(e) => err(e),
        Ok((Some(v), src)) if !v.is_empty() => Verdict::warn(format!(
            "daemon-wide cgroup parent {v}: confirm it is intended"
        ))
        .with(daemon_ev(
            Outcome::Warn,
            format!("cgroup-parent={v}"),
            "unset unless required",
            src,
        )),
        Ok(_) => Verdict::pass("the default cgroup parent is used"),
    }
}

fn base_device_size(cx: &Context) -> Verdict {
    match cx.snap.daemon.list_setting("storage-opts") {
        Err(e) => err(e),
        Ok((opts, src)) => {
            match opts.iter().find(|o| o.starts_with("dm.basesize")) {
                Some(o) => Verdict::warn(format!("{o} is set: confirm it is needed")).with(
                    daemon_ev(Outcome::Warn, o.clone(), "default base size", src),
                ),
                None => Verdict::pass("the base device size is not changed"),
            }
        }
    }
}

fn authz(cx: &Context) -> Verdict {
    match cx.snap.daemon.list_setting("authorization-plugins") {
        Err(e) => err(e),
        Ok((p, src)) if !p.is_empty() => Verdict::pass(format!(
            "authorization plugins: {}",
            p.join(", ")
        ))
        .with(daemon_ev(Outcome::Pass, p.join(", "), "", src)),
        Ok((_, src)) => {
            Verdict::fail("no authorization plugin: anyone who reaches the API can do anything")
                .with(daemon_ev(
                    Outcome::Fail,
                    "authorization-plugins unset".into(),
                    "an authorization plugin",
                    src,
                ))
        }
    }
}

fn remote_logging(cx: &Context) -> Verdict {
    let eng = engine(cx);
    let drv = eng.info.logging_driver.as_str();
    let (outcome, why) = match drv {
        "json-file" | "local" => (Outcome::Fail, "logs stay on this host"),
        "none" => (Outcome::Fail, "container logs are discarded"),
        "journald" => (
            Outcome::Warn,
            "logs go to the local journal; confirm it is forwarded",
        ),
        "" => (
            Outcome::Error,
            "the daemon did not report its logging driver",
        ),
        _ => (Outcome::Pass, "logs are shipped off the host"),
    };
    Verdict::new(outcome, format!("logging driver {drv}: {why}")).with(daemon_ev(
        outcome,
        format!("LoggingDriver={drv}"),
        "a remote logging driver",
        "GET /info".into(),
    ))
}

fn no_new_privs(cx: &Context) -> Verdict {
    bool_check(
        cx,
        "no-new-privileges",
        false,
        true,
        "containers may gain new privileges through setuid binaries",
    )
}

fn live_restore(cx: &Context) -> Verdict {
    let eng = engine(cx);
    if eng.info.live_restore_enabled {
        Verdict::pass("live restore is enabled")
    } else if eng.info.swarm.is_active() {
        Verdict::not_applicable("live restore is not available in swarm mode")
    } else {
        Verdict::fail("live restore is disabled: restarting the daemon stops every container").with(
            daemon_ev(
                Outcome::Fail,
                "LiveRestoreEnabled=false".into(),
                "true",
                "GET /info".into(),
            ),
        )
    }
}

fn userland_proxy(cx: &Context) -> Verdict {
    bool_check(
        cx,
        "userland-proxy",
        true,
        false,
        "the userland proxy is enabled",
    )
}

fn seccomp(cx: &Context) -> Verdict {
    let eng = engine(cx);
    let opt = eng
        .info
        .security_options
        .iter()
        .find(|o| o.starts_with("name=seccomp"));
    let profile = opt
        .and_then(|o| o.split(',').find_map(|kv| kv.strip_prefix("profile=")))
        .unwrap_or("");
    let (outcome, msg) = match (opt, profile) {
        (None, _) => (
            Outcome::Fail,
            "seccomp is not enabled on the daemon".to_string(),
        ),
        (Some(_), "unconfined") => (
            Outcome::Fail,
            "the daemon-wide seccomp profile is unconfined".to_string(),
        ),
        (Some(_), "default" | "builtin" | "") => (
            Outcome::Pass,
            "Docker's default seccomp profile is applied".to_string(),
        ),
        (Some(_), p) => (Outcome::Pass, format!("custom seccomp profile {p}")),
    };
    Verdict::new(outcome, msg).with(daemon_ev(
        outcome,
        opt.cloned()
            .unwrap_or_else(|| "no name=seccomp security option".into()),
        "name=seccomp with a profile",
        "GET /info SecurityOptions".into(),
    ))
}

fn experimental(cx: &Context) -> Verdict {
    let eng = engine(cx);
    let on = eng.version.experimental || eng.info.experimental_build;
    let outcome = if on { Outcome::Fail } else { Outcome::Pass };
    Verdict::new(
        outcome,
        if on {
            "experimental features are enabled"
        } else {
            "experimental features are off"
        },
    )
    .with(daemon_ev(
        outcome,
        format!("Experimental={on}"),
        "false",
        "GET /version".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::snapshot::{DaemonConfigFile, DaemonFlag};
    use serde_json::json;

    fn flag(s: &mut crate::snapshot::Snapshot, name: &str, value: Option<&str>) {
        s.daemon.flags.push(DaemonFlag {
            name: name.into(),
            value: value.map(str::to_string),
        });
    }

    #[test]
    fn icc_from_json_and_flag() {
        let mut s = hardened();
        expect("2.2", &s, Outcome::Pass);
        settings_mut(&mut s).remove("icc");
        expect("2.2", &s, Outcome::Fail);
        flag(&mut s, "icc", Some("false"));
        expect("2.2", &s, Outcome::Pass);
    }

    #[test]
    fn log_level_flag_is_read() {
        let mut s = hardened();
        expect("2.3", &s, Outcome::Pass);
        settings_mut(&mut s).remove("log-level");
        expect("2.3", &s, Outcome::Pass);
        // docker-bench never reaches its flag branch; we do.
        flag(&mut s, "log-level", Some("debug"));
        expect("2.3", &s, Outcome::Fail);
        let mut s = hardened();
        flag(&mut s, "debug", None);
        expect("2.3", &s, Outcome::Fail);
    }

    #[test]
    fn iptables_and_userland_proxy_and_nnp() {
        let mut s = hardened();
        expect("2.4", &s, Outcome::Pass);
        settings_mut(&mut s).insert("iptables".into(), json!(false));
        expect("2.4", &s, Outcome::Fail);
        expect("2.16", &s, Outcome::Pass);
        settings_mut(&mut s).remove("userland-proxy");
        expect("2.16", &s, Outcome::Fail);
        expect("2.14", &s, Outcome::Pass);
        settings_mut(&mut s).insert("no-new-privileges".into(), json!(false));
        expect("2.14", &s, Outcome::Fail);
    }

    #[test]
    fn insecure_registries_from_config_and_info() {
        let mut s = hardened();
        expect("2.5", &s, Outcome::Pass);
        settings_mut(&mut s).insert("insecure-registries".into(), json!(["reg.local:5000"]));
        expect("2.5", &s, Outcome::Fail);
        let mut s = hardened();
        engine_mut(&mut s)
            .info
            .registry_config
            .insecure_registry_cidrs
            .push("10.0.0.0/8".into());
        expect("2.5", &s, Outcome::Fail);
    }

    #[test]
    fn aufs_and_experimental_and_seccomp() {
        let mut s = hardened();
        expect("2.6", &s, Outcome::Pass);
        engine_mut(&mut s).info.driver = "aufs".into();
        expect("2.6", &s, Outcome::Fail);
        expect("2.18", &s, Outcome::Pass);
        engine_mut(&mut s).version.experimental = true;
        expect("2.18", &s, Outcome::Fail);
        expect("2.17", &s, Outcome::Pass);
        engine_mut(&mut s).info.security_options = vec!["name=seccomp,profile=unconfined".into()];
        expect("2.17", &s, Outcome::Fail);
        engine_mut(&mut s).info.security_options = vec![];
        expect("2.17", &s, Outcome::Fail);
    }

    #[test]
    fn tls_verdicts() {
        let mut s = hardened();
        expect("2.7", &s, Outcome::Pass);
        settings_mut(&mut s).remove("tlsverify");
        expect("2.7", &s, Outcome::Fail);
        settings_mut(&mut s).insert("tls".into(), json!(true));
        let f = expect("2.7", &s, Outcome::Fail);
        assert!(f.message.contains("without client verification"));
        settings_mut(&mut s).insert("hosts".into(), json!(["unix:///var/run/docker.sock"]));
        expect("2.7", &s, Outcome::NotApplicable);
        // Several -H flags, one of them TCP, TLS set in daemon.json.
        let mut s = hardened();
        settings_mut(&mut s).remove("hosts");
        flag(&mut s, "host", Some("fd://"));
        flag(&mut s, "host", Some("tcp://0.0.0.0:2376"));
        expect("2.7", &s, Outcome::Pass);
    }

    #[test]
    fn list_and_string_settings() {
        let mut s = hardened();
        expect("2.8", &s, Outcome::Pass);
        expect("2.9", &s, Outcome::Pass);
        expect("2.10", &s, Outcome::Pass);
        expect("2.11", &s, Outcome::Pass);
        expect("2.12", &s, Outcome::Pass);
        let st = settings_mut(&mut s);
        st.remove("default-ulimits");
        st.remove("userns-remap");
        st.insert("cgroup-parent".into(), json!("/mygroup"));
        st.insert("storage-opts".into(), json!(["dm.basesize=20G"]));
        st.insert("authorization-plugins".into(), json!([]));
        expect("2.8", &s, Outcome::Warn);
        expect("2.9", &s, Outcome::Fail);
        expect("2.10", &s, Outcome::Warn);
        expect("2.11", &s, Outcome::Warn);
        expect("2.12", &s, Outcome::Fail);
    }

    #[test]
    fn logging_and_live_restore() {
        let mut s = hardened();
        expect("2.13", &s, Outcome::Pass);
        engine_mut(&mut s).info.logging_driver = "local".into();
        expect("2.13", &s, Outcome::Fail);
        engine_mut(&mut s).info.logging_driver = "journald".into();
        expect("2.13", &s, Outcome::Warn);
        expect("2.15", &s, Outcome::Pass);
        engine_mut(&mut s).info.live_restore_enabled = false;
        expect("2.15", &s, Outcome::Fail);
        engine_mut(&mut s).info.swarm.local_node_state = "active".into();
        expect("2.15", &s, Outcome::NotApplicable);
    }

    #[test]
    fn malformed_daemon_json_is_an_error_with_position() {
        let mut s = hardened();
        s.daemon.config = DaemonConfigFile::Invalid {
            line: 4,
            column: 9,
            message: "trailing comma".into(),
        };
        let f = expect("2.2", &s, Outcome::Error);
        assert!(
            f.message.contains("/etc/docker/daemon.json:4:9"),
            "{}",
            f.message
        );
        // A flag decides the setting regardless of the broken file.
        flag(&mut s, "icc", Some("false"));
        expect("2.2", &s, Outcome::Pass);
        // Checks that read the Engine API are unaffected.
        expect("2.6", &s, Outcome::Pass);
    }

    #[test]
    fn rootless_is_manual_unless_detected() {
        let mut s = hardened();
        expect("2.1", &s, Outcome::Warn);
        engine_mut(&mut s)
            .info
            .security_options
            .push("name=rootless".into());
        expect("2.1", &s, Outcome::Pass);
    }
}
