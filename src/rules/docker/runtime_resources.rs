//! 5.x resources and lifecycle: memory, CPU, PIDs, restart policy, ulimits,
//! cgroup parent, health checks, image freshness.

use super::*;
use crate::findings::Severity;
use crate::rules::Scope;

pub(super) static CHECKS: &[Check] = &[
    Check { meta: RuleMeta::cis_docker("5.11", "Container memory is limited", Severity::Medium, &[D], "Set a memory limit (--memory 512m, compose mem_limit) sized for the workload."), automated: true, scope: Scope::Container, eval: memory },
    Check { meta: RuleMeta::cis_docker("5.12", "Container CPU use is bounded", Severity::Low, &[D], "Set --cpus (or --cpu-shares / --cpuset-cpus) so one container cannot starve the others."), automated: true, scope: Scope::Container, eval: cpu },
    Check { meta: RuleMeta::cis_docker("5.15", "The on-failure restart policy caps retries at 5", Severity::Low, &[D], "Use --restart on-failure:5; `always`, `unless-stopped` and `on-failure` without a count restart forever."), automated: true, scope: Scope::Container, eval: restart },
    Check { meta: RuleMeta::cis_docker("5.19", "Default ulimits are overridden only when needed", Severity::Low, &[D], "Rely on the daemon's default ulimits; override per container (--ulimit) only with a documented reason."), automated: false, scope: Scope::Container, eval: ulimits },
    Check { meta: RuleMeta::cis_docker("5.25", "Container cgroup placement is deliberate", Severity::Low, &[D], "Remove --cgroup-parent unless the container must live in a specific cgroup; document it when it does."), automated: true, scope: Scope::Container, eval: cgroup },
    Check { meta: RuleMeta::cis_docker("5.27", "Container health is checked at runtime", Severity::Low, &[D], "Give the image a HEALTHCHECK or start the container with --health-cmd, and watch its status."), automated: true, scope: Scope::Container, eval: health },
    Check { meta: RuleMeta::cis_docker("5.28", "Containers run the latest pulled version of their image", Severity::Low, &[T], "Pull before starting (docker run --pull always) or deploy by digest so stale cached images are not used."), automated: false, scope: Scope::Manual, eval: latest_image },
    Check { meta: RuleMeta::cis_docker("5.29", "Container process count is limited", Severity::Medium, &[D], "Set --pids-limit (e.g. 100) to stop fork bombs."), automated: true, scope: Scope::Container, eval: pids },
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
