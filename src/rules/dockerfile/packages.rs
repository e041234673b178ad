//! Package installation hygiene: pinning, cache cleanup, lone updates.

use super::runs;
use crate::findings::{Severity, Stride};
use crate::manifest::dockerfile::{Command, Dockerfile, Instruction};
use crate::rules::manifest::*;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Manager {
    Apt,
    Apk,
    Yum,
    Pip,
}

/// Package installs of a command: manager, the command, package words.
fn install(c: &Command) -> Option<(Manager, Vec<&(String, usize)>)> {
    let w = c.effective();
    let name = w.first()?.0.as_str();
    let (mgr, sub): (Manager, &[&str]) = match name {
        "apt-get" | "apt" | "aptitude" => (Manager::Apt, &["install"]),
        "apk" => (Manager::Apk, &["add"]),
        "yum" | "dnf" | "microdnf" | "zypper" => (Manager::Yum, &["install", "in"]),
        "pip" | "pip3" => (Manager::Pip, &["install"]),
        "python" | "python3"
            if w.get(1).is_some_and(|x| x.0 == "-m") && w.get(2).is_some_and(|x| x.0 == "pip") =>
        {
            let rest = &w[2..];
            let at = rest.iter().position(|x| x.0 == "install")?;
            return Some((
                Manager::Pip,
                rest[at + 1..]
                    .iter()
                    .filter(|x| !x.0.starts_with('-'))
                    .collect(),
            ));
        }
        _ => return None,
    };
    let at = w.iter().position(|x| sub.contains(&x.0.as_str()))?;
    let mut pkgs = Vec::new();
    let mut skip_next = false;
    for x in &w[at + 1..] {
        if skip_next {
            skip_next = false;
            continue;
        }
        if x.0.starts_with('-') {
            // Options that take a value.
            skip_next = matches!(
                x.0.as_str(),
                "-r" | "--requirement"
                    | "-c"
                    | "--constraint"
                    | "-t"
                    | "--target"
                    | "-o"
                    | "--repository"
                    | "-X"
                    | "-i"
                    | "--index-url"
            );
            continue;
        }
        pkgs.push(x);
    }
    Some((mgr, pkgs))
}

fn pinned(mgr: Manager, pkg: &str) -> bool {
    if pkg.contains('$')
        || pkg.contains('/')
        || pkg.ends_with(".deb")
        || pkg.ends_with(".rpm")
        || pkg.ends_with(".whl")
        || pkg == "."
    {
        return true;
    }
    match mgr {
        Manager::Apt | Manager::Apk => pkg.contains('='),
        Manager::Yum => yum_pinned(pkg),
        Manager::Pip => pkg.contains("==") || pkg.contains("~=") || pkg.contains("==="),
    }
}

/// An rpm spec `name-version[-release]` (zypper also takes `name=1.2` and
/// `name>=1.2`). Names may hold `-<digit>` themselves
/// (`java-17-openjdk-headless`), so a version is a tail after a `-` that has
/// at most one more `-` and whose parts all start with a digit.
fn yum_pinned(pkg: &str) -> bool {
    if pkg.contains(['=', '<', '>']) {
        return true;
    }
    pkg.match_indices('-').any(|(i, _)| {
        let tail = &pkg[i + 1..];
        tail.split('-').count() <= 2
            && tail
                .split('-')
                .all(|part| part.starts_with(|c: char| c.is_ascii_digit()))
    })
}

pub static UNPINNED: Rule = Rule {
    meta: RuleMeta {
        id: "DF-011",
        benchmark: Benchmark::Shipshape,
        title: "Packages installed without pinned versions",
        rationale: "Installing packages without versions means each build takes whatever the repository \
            serves that day, so images change silently, a compromised or broken release slips in \
            unreviewed, and a build cannot be reproduced. Pinned versions make every change to \
            the image's contents a visible edit.",
        severity: Severity::Low,
        stride: &[Stride::Tampering],
        refs: &[cis_docker("4.3"), cis_docker("4.11")],
        remediation: "Pin versions (`apt-get install curl=8.5.0-2`, `apk add curl=8.9.1-r0`, `pip install requests==2.32.3`) so rebuilds are reproducible and reviewed.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(unpinned),
};

fn unpinned(df: &Dockerfile, s: &mut Sink) {
    for (i, cmds) in runs(df) {
        for c in cmds {
            let Some((mgr, pkgs)) = install(c) else {
                continue;
            };
            let loose: Vec<&str> = pkgs
                .iter()
                .filter(|p| !pinned(mgr, &p.0))
                .map(|p| p.0.as_str())
                .collect();
            if let Some(first) = pkgs.iter().find(|p| !pinned(mgr, &p.0)) {
                s.at_word(
                    i,
                    first.1,
                    &first.0,
                    format!(
                        "{} installs without a pinned version: {}",
                        c.name(),
                        loose.join(", ")
                    ),
                );
            }
        }
    }
}

pub static NO_CACHE_CLEANUP: Rule = Rule {
    meta: RuleMeta {
        id: "DF-012",
        benchmark: Benchmark::Shipshape,
        title: "Package manager cache left in the image",
        rationale: "Package manager caches and downloaded indexes left in the image make it larger \
            and ship stale metadata, so anyone who later installs packages in the container, \
            an intruder included, works from an outdated index. Cleaning up in the same RUN \
            step, or using a BuildKit cache mount, keeps the image small and free of \
            leftovers.",
        severity: Severity::Low,
        stride: &[Stride::InformationDisclosure],
        refs: &[cis_docker("4.3")],
        remediation: "Clean up in the same RUN: `rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `dnf clean all`, `pip install --no-cache-dir`, or use a BuildKit cache mount.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(cache),
};

fn cleaned(mgr: Manager, i: &Instruction, cmds: &[Command]) -> bool {
    let (flags, _) = i.flags();
    if flags
        .iter()
        .any(|(k, v)| *k == "mount" && v.contains("type=cache"))
    {
        return true;
    }
    let has_word = |w: &str| cmds.iter().any(|c| c.words.iter().any(|(x, _)| x == w));
    let text = &i.args;
    match mgr {
        Manager::Apt => text.contains("/var/lib/apt/lists"),
        Manager::Apk => has_word("--no-cache") || text.contains("/var/cache/apk"),
        Manager::Yum => {
            text.contains("clean all")
                || text.contains("/var/cache/yum")
                || text.contains("/var/cache/dnf")
        }
        Manager::Pip => has_word("--no-cache-dir") || text.contains("PIP_NO_CACHE_DIR"),
    }
}

fn cache(df: &Dockerfile, s: &mut Sink) {
    let pip_env = df
        .instructions
        .iter()
        .any(|i| i.keyword == "ENV" && i.args.contains("PIP_NO_CACHE_DIR"));
    for (i, cmds) in runs(df) {
        for c in cmds {
            let Some((mgr, _)) = install(c) else { continue };
            if (mgr == Manager::Pip && pip_env) || cleaned(mgr, i, cmds) {
                continue;
            }
            let (w, off) = &c.effective()[0];
            s.at_word(
                i,
                *off,
                w,
                format!("{w} leaves its package cache in the layer"),
            );
        }
    }
}

pub static UPDATE_ALONE: Rule = Rule {
    meta: RuleMeta {
        id: "DF-013",
        benchmark: Benchmark::Shipshape,
        title: "Package index update without install in the same RUN",
        rationale: "A package index update in its own RUN step is cached as a separate layer, so later \
            builds reuse the stale index and install outdated package versions, missing security \
            fixes released since. Updating and installing in one step refreshes the index \
            whenever the install list changes.",
        severity: Severity::Low,
        stride: &[Stride::Tampering],
        refs: &[cis_docker("4.7"), cwe("1104")],
        remediation: "Combine `apt-get update && apt-get install …` in one RUN so a cached stale index is never used.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(update_alone),
};

fn update_alone(df: &Dockerfile, s: &mut Sink) {
    for (i, cmds) in runs(df) {
        // An install or upgrade in the same RUN uses the fresh index.
        let uses_index = cmds.iter().any(|c| {
            install(c).is_some()
                || c.effective()
                    .iter()
                    .any(|(w, _)| matches!(w.as_str(), "upgrade" | "dist-upgrade" | "full-upgrade"))
        });
        if uses_index {
            continue;
        }
        for c in cmds {
            let w = c.effective();
            if matches!(w.first().map(|x| x.0.as_str()), Some("apt-get" | "apt"))
                && w.iter().any(|x| x.0 == "update")
            {
                s.at_word(
                    i,
                    w[0].1,
                    &w[0].0,
                    format!(
                        "{} update runs alone; a later cached install may use a stale index",
                        w[0].0
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod yum_tests {
    use super::yum_pinned;

    #[test]
    fn rpm_names_with_digits_are_not_versions() {
        assert!(!yum_pinned("java-17-openjdk-headless"));
        assert!(!yum_pinned("java-17-openjdk"));
        assert!(!yum_pinned("curl"));
        assert!(yum_pinned("java-17-openjdk-headless-17.0.9.0.9-2.el9"));
        assert!(yum_pinned("curl-7.76.1"));
        assert!(yum_pinned("curl-7.76.1-26.el9"));
        assert!(yum_pinned("curl=8.0.1"));
        assert!(yum_pinned("curl>=8.0"));
    }
}
