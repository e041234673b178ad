//! 5.x resources and lifecycle: memory, CPU, PIDs, restart policy, ulimits,
//! cgroup parent, health checks, image freshness.

use super::*;
use crate::findings::Severity;
use crate::rules::Scope;

pub(super) static CHECKS: &[Check] = &[
    Check {
        meta: RuleMeta::cis_docker("5.11", "Container memory is limited", Severity::Medium, &[D], "Set a memory limit (--memory 512m, compose mem_limit) sized for the workload.")
            .rationale(
                "A container without a memory limit can grow until the host runs out of memory, \
                and then the kernel's out-of-memory killer may pick the daemon or another \
                workload instead of the offender. A leak or a deliberate allocation attack \
                then takes down the whole host. A limit sized for the workload contains it to \
                the one container.",
            )
            .refs(&[cwe("770")])
            .fix(Fix::RunOption { flag: "--memory" }),
        automated: true,
        scope: Scope::Container,
        eval: memory,
    },
    Check {
        meta: RuleMeta::cis_docker("5.12", "Container CPU use is bounded", Severity::Low, &[D], "Set --cpus (or --cpu-shares / --cpuset-cpus) so one container cannot starve the others.")
            .rationale(
                "Without a CPU bound, one container spinning in a loop, by bug or abuse, can \
                take every core and starve the other workloads and the host's own services. \
                Setting a CPU quota or relative shares keeps the damage to its own share and \
                the rest of the host responsive.",
            )
            .refs(&[cwe("770")])
            .fix(Fix::RunOption { flag: "--cpus" }),
        automated: true,
        scope: Scope::Container,
        eval: cpu,
    },
    Check {
        meta: RuleMeta::cis_docker("5.15", "The on-failure restart policy caps retries at 5", Severity::Low, &[D], "Use --restart on-failure:5; `always`, `unless-stopped` and `on-failure` without a count restart forever.")
            .rationale(
                "A container that restarts forever, as with always, unless-stopped or \
                on-failure without a count, hides a crash loop and consumes CPU, logs and disk \
                with each attempt, and an attacker who can trigger the crash gets repeated \
                attempts at an exploit. Capping on-failure retries at five stops the loop and \
                leaves a clearly failed container to investigate.",
            )
            .refs(&[cwe("400")])
            .fix(Fix::RunOption { flag: "--restart=on-failure:5" }),
        automated: true,
        scope: Scope::Container,
        eval: restart,
    },
    Check {
        meta: RuleMeta::cis_docker("5.19", "Default ulimits are overridden only when needed", Severity::Low, &[D], "Rely on the daemon's default ulimits; override per container (--ulimit) only with a documented reason.")
            .rationale(
                "Ulimits cap per-process resources such as open files and processes. Overriding \
                the daemon's defaults for a container, especially by raising them, lets that \
                container consume resources shared with the rest of the host. Keeping the \
                defaults, and documenting the few justified overrides, keeps the limits \
                meaningful.",
            )
            .refs(&[cwe("770")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Container,
        eval: ulimits,
    },
    Check {
        meta: RuleMeta::cis_docker("5.25", "Container cgroup placement is deliberate", Severity::Low, &[D], "Remove --cgroup-parent unless the container must live in a specific cgroup; document it when it does.")
            .rationale(
                "The cgroup parent decides which resource limits and accounting a container \
                falls under. A container placed in a custom or host cgroup can escape the \
                limits applied to its peers, or starve the services sharing that group. \
                Leaving the default, or documenting a deliberate placement, keeps resource \
                control predictable.",
            )
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Container,
        eval: cgroup,
    },
    Check {
        meta: RuleMeta::cis_docker("5.27", "Container health is checked at runtime", Severity::Low, &[D], "Give the image a HEALTHCHECK or start the container with --health-cmd, and watch its status.")
            .rationale(
                "Without a health check, Docker only knows whether the process exists, not \
                whether it works. A hung or degraded service keeps running and receiving \
                traffic, so an outage, or an attack that wedges the service, goes unnoticed. A \
                runtime health check exposes the real state so orchestration and monitoring \
                can react.",
            )
            .fix(Fix::RunOption { flag: "--health-cmd" }),
        automated: true,
        scope: Scope::Container,
        eval: health,
    },
    Check {
        meta: RuleMeta::cis_docker("5.28", "Containers run the latest pulled version of their image", Severity::Low, &[T], "Pull before starting (docker run --pull always) or deploy by digest so stale cached images are not used.")
            .rationale(
                "Docker reuses an image already cached on the host, so a container may run an \
                old build with known vulnerabilities even after a patched image was published \
                under the same tag. Pulling before start, or deploying by digest, makes sure \
                the version that runs is the one intended.",
            )
            .refs(&[cwe("1104")])
            .fix(Fix::RunOption { flag: "--pull=always" }),
        automated: false,
        scope: Scope::Manual,
        eval: latest_image,
    },
    Check {
        meta: RuleMeta::cis_docker("5.29", "Container process count is limited", Severity::Medium, &[D], "Set --pids-limit (e.g. 100) to stop fork bombs.")
            .rationale(
                "Without a PIDs limit, a fork bomb or runaway process spawner in one container \
                can use up the host's process table, and then nothing on the host, the daemon \
                included, can start new processes. A limit on the number of processes keeps \
                that failure inside the container.",
            )
            .refs(&[cwe("770")])
            .fix(Fix::RunOption { flag: "--pids-limit" }),
        automated: true,
        scope: Scope::Container,
        eval: pids,
    },
];

fn memory(cx: &Context) -> Verdict {
    per_container(cx, |c| match c.host_config.memory {
        0 => obs(Outcome::Fail, "Memory=0 (unlimited)", "a memory limit"),
        m => obs(
            Outcome::Pass,
            format!("Memory={} MiB", m / (1024 * 1024)),
            "",
        ),
    })
}

fn cpu(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        let h = &c.host_config;
        let mut set = Vec::new();
        if h.nano_cpus > 0 {
            set.push(format!("NanoCpus={}", h.nano_cpus));
        }
        if h.cpu_shares > 0 {
            set.push(format!("CpuShares={}", h.cpu_shares));
        }
        if h.cpu_quota > 0 {
            set.push(format!("CpuQuota={}", h.cpu_quota));
        }
        if !h.cpuset_cpus.is_empty() {
            set.push(format!("CpusetCpus={}", h.cpuset_cpus));
        }
        if set.is_empty() {
            obs(
                Outcome::Fail,
                "no CPU limit, quota, shares or cpuset",
                "a CPU bound",
            )
        } else {
            obs(Outcome::Pass, set.join(", "), "")
        }
    })
}

fn restart(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        if c.config.labels.contains_key("com.docker.swarm.task.id") {
            return obs(
                Outcome::NotApplicable,
                "swarm task: the service's restart policy applies",
                "",
            );
        }
        let p = &c.host_config.restart_policy;
        match (p.name.as_str(), p.maximum_retry_count) {
            ("" | "no", _) => obs(Outcome::Pass, "restart policy no", ""),
            ("on-failure", n @ 1..=5) => obs(Outcome::Pass, format!("on-failure:{n}"), ""),
            ("on-failure", 0) => obs(
                Outcome::Fail,
                "on-failure with no retry count (unlimited)",
                "on-failure:5",
            ),
            ("on-failure", n) => obs(
                Outcome::Fail,
                format!("on-failure:{n}"),
                "on-failure:5 or fewer",
            ),
            (name, _) => obs(
                Outcome::Fail,
                format!("{name} (restarts without limit)"),
                "on-failure:5",
            ),
        }
    })
}

fn ulimits(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        let u = &c.host_config.ulimits;
        if u.is_empty() {
            obs(Outcome::Pass, "daemon default ulimits", "")
        } else {
            let list: Vec<String> = u
                .iter()
                .map(|l| format!("{}={}:{}", l.name, l.soft, l.hard))
                .collect();
            obs(
                Outcome::Warn,
                format!("overrides {}", list.join(", ")),
                "an override only when needed",
            )
        }
    })
}

fn cgroup(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        let p = &c.host_config.cgroup_parent;
        if p.is_empty() {
            obs(Outcome::Pass, "default cgroup parent", "")
        } else {
            obs(
                Outcome::Warn,
                format!("CgroupParent={p}"),
                "confirmed as intended",
            )
        }
    })
}

fn health(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        if c.config.labels.contains_key("io.kubernetes.pod.name") {
            return obs(
                Outcome::NotApplicable,
                "managed by Kubernetes, which uses probes",
                "",
            );
        }
        let configured = c
            .config
            .healthcheck
            .as_ref()
            .is_some_and(|h| h.is_enabled());
        match (&c.state.health, configured) {
            (Some(h), _) if h.status == "unhealthy" => obs(
                Outcome::Warn,
                format!(
                    "health check reports unhealthy (failing streak {})",
                    h.failing_streak
                ),
                "healthy",
            ),
            (Some(h), _) => obs(Outcome::Pass, format!("health {}", h.status), ""),
            (None, true) => obs(
                Outcome::Pass,
                "health check configured (not started yet)",
                "",
            ),
            (None, false) => obs(
                Outcome::Fail,
                "no health check",
                "a HEALTHCHECK or --health-cmd",
            ),
        }
    })
}

fn latest_image(_: &Context) -> Verdict {
    manual("container state does not show whether the image was pulled fresh; pull before run or deploy by digest")
}

fn pids(cx: &Context) -> Verdict {
    per_container(cx, |c| match c.host_config.pids_limit {
        Some(n) if n > 0 => obs(Outcome::Pass, format!("PidsLimit={n}"), ""),
        other => obs(
            Outcome::Fail,
            format!(
                "PidsLimit={} (unlimited)",
                other
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "null".into())
            ),
            "a positive limit",
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::snapshot::{RestartPolicy, Ulimit};

    #[test]
    fn limits_fire_when_unset() {
        let mut s = hardened();
        for id in ["5.11", "5.12", "5.29"] {
            expect(id, &s, Outcome::Pass);
        }
        let h = &mut web(&mut s).host_config;
        h.memory = 0;
        h.nano_cpus = 0;
        h.pids_limit = Some(-1);
        for id in ["5.11", "5.12", "5.29"] {
            expect(id, &s, Outcome::Fail);
        }
        web(&mut s).host_config.cpuset_cpus = "0".into();
        expect("5.12", &s, Outcome::Pass);
        web(&mut s).host_config.pids_limit = None;
        expect("5.29", &s, Outcome::Fail);
    }

    #[test]
    fn restart_policies() {
        let mut s = hardened();
        expect("5.15", &s, Outcome::Pass);
        for (name, n, want) in [
            ("always", 0, Outcome::Fail),
            ("unless-stopped", 0, Outcome::Fail),
            ("on-failure", 0, Outcome::Fail),
            ("on-failure", 6, Outcome::Fail),
            ("on-failure", 3, Outcome::Pass),
            ("no", 0, Outcome::Pass),
        ] {
            web(&mut s).host_config.restart_policy = RestartPolicy {
                name: name.into(),
                maximum_retry_count: n,
            };
            expect("5.15", &s, want);
        }
    }

    #[test]
    fn ulimit_override_and_cgroup_need_review() {
        let mut s = hardened();
        expect("5.19", &s, Outcome::Pass);
        expect("5.25", &s, Outcome::Pass);
        web(&mut s).host_config.ulimits.push(Ulimit {
            name: "nofile".into(),
            soft: 1024,
            hard: 2048,
        });
        web(&mut s).host_config.cgroup_parent = "/custom".into();
        expect("5.19", &s, Outcome::Warn);
        expect("5.25", &s, Outcome::Warn);
    }

    #[test]
    fn health_checks() {
        let mut s = hardened();
        expect("5.27", &s, Outcome::Pass);
        web(&mut s).state.health.as_mut().unwrap().status = "unhealthy".into();
        expect("5.27", &s, Outcome::Warn);
        web(&mut s).state.health = None;
        web(&mut s).config.healthcheck = None;
        expect("5.27", &s, Outcome::Fail);
        web(&mut s)
            .config
            .labels
            .insert("io.kubernetes.pod.name".into(), "p".into());
        expect("5.27", &s, Outcome::NotApplicable);
        expect("5.28", &s, Outcome::Warn);
    }
}
