//! 6.x: image and container sprawl. Informational counts with the numbers.

use super::*;
use crate::findings::Severity;
use crate::rules::Scope;

pub(super) static CHECKS: &[Check] = &[
    Check {
        meta: RuleMeta::cis_docker("6.1", "Image sprawl is kept in check", Severity::Info, &[D, T], "Remove images no container uses (docker image prune -a) and keep only the versions you deploy.")
            .rationale(
                "Old and unused images pile up on hosts: they use disk, still contain the \
                vulnerabilities of their time and can be started by mistake or by an attacker \
                instead of the current version. Pruning images no container uses keeps the \
                host's image set small, current and easy to review.",
            )
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Engine,
        eval: image_sprawl,
    },
    Check {
        meta: RuleMeta::cis_docker("6.2", "Container sprawl is kept in check", Severity::Info, &[D], "Remove stopped containers you no longer need (docker container prune).")
            .rationale(
                "Stopped containers keep their filesystems, volumes and configuration on disk, \
                including any data or secrets written at run time, and can be restarted later \
                with old settings. Removing the ones no longer needed frees storage and leaves \
                fewer stale workloads to restart or mine for data.",
            )
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Engine,
        eval: container_sprawl,
    },
];

fn image_sprawl(cx: &Context) -> Verdict {
    let eng = engine(cx);
    let total = eng.images.len();
    let mut used: Vec<&str> = eng.containers.iter().map(|c| c.image.as_str()).collect();
    used.sort();
    used.dedup();
    let in_use = eng
        .images
        .iter()
        .filter(|i| used.contains(&i.id.as_str()))
        .count();
    let scope = if eng.all_containers {
        "any container"
    } else {
        "a running container (use --all to count stopped ones)"
    };
    Verdict::info(format!("{in_use} of {total} images are used by {scope}")).with(Evidence::new(
        Target::Host,
        Outcome::Info,
        format!("{total} images, {in_use} in use"),
        "",
    ))
}

fn container_sprawl(cx: &Context) -> Verdict {
    let eng = engine(cx);
    let total = eng.info.containers;
    let running = eng.info.containers_running;
    let stopped = total.saturating_sub(running);
    let msg = format!("{total} containers, {running} running, {stopped} not running");
    Verdict::info(msg.clone()).with(Evidence::new(Target::Host, Outcome::Info, msg, ""))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn sprawl_counts() {
        let mut s = hardened();
        let f = expect("6.1", &s, Outcome::Info);
        assert!(f.message.starts_with("0 of 1"), "{}", f.message);
        engine_mut(&mut s).images[0].id = "sha256:aaaa".into();
        let f = expect("6.1", &s, Outcome::Info);
        assert!(f.message.starts_with("1 of 1"), "{}", f.message);
        engine_mut(&mut s).info.containers = 30;
        engine_mut(&mut s).info.containers_running = 4;
        let f = expect("6.2", &s, Outcome::Info);
        assert!(f.message.contains("26 not running"));
    }
}
