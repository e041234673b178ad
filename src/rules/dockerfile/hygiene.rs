//! Build hygiene: apt flags and upgrades, pipes without pipefail,
//! MAINTAINER, relative WORKDIR, `npm install`, `cd` in RUN, shell-form and
//! repeated CMD/ENTRYPOINT, legacy ENV, dead or floating base images, and
//! ADD of local archives.

use super::add::{is_archive, is_remote, sources};
use super::{env_pairs, runs};
use crate::findings::{Severity, Stride};
use crate::knowledge::images::{end_of_life, floating_tag, EOL_CHECKED};
use crate::manifest::dockerfile::Dockerfile;
use crate::rules::manifest::*;

macro_rules! df_rule {
    ($name:ident, $id:literal, $sev:ident, $stride:expr, $refs:expr, $title:literal, $rationale:literal, $fix:literal, $f:expr) => {
        pub static $name: Rule = Rule {
            meta: RuleMeta {
                id: $id,
                benchmark: Benchmark::Shipshape,
                title: $title,
                rationale: $rationale,
                severity: Severity::$sev,
                stride: $stride,
                refs: $refs,
                remediation: $fix,
                fix: Fix::Manual,
            },
            domain: Domain::Dockerfile,
            subject: Subject::Dockerfile($f),
        };
    };
}

df_rule!(
    APT_FLAGS,
    "DF-022",
    Low,
    &[Stride::Tampering],
    &[cis_docker("4.3")],
    "apt-get install without -y or --no-install-recommends",
    "Without --no-install-recommends apt pulls in recommended packages nobody asked for, which \
    enlarges the image and its attack surface with software no one reviews or patches. Without \
    -y the install waits for an answer that never comes, so the build either fails or depends on \
    an environment override.",
    "Use `apt-get install -y --no-install-recommends …`.",
    apt_flags
);

fn apt_flags(df: &Dockerfile, s: &mut Sink) {
    for (i, cmds) in runs(df) {
        for c in cmds {
            let w = c.effective();
            if !matches!(c.name(), "apt-get" | "apt") {
                continue;
            }
            let Some((_, off)) = w.iter().find(|(x, _)| x == "install") else {
                continue;
            };
            let has = |f: &[&str]| w.iter().any(|(x, _)| f.contains(&x.as_str()));
            let combined_y = w
                .iter()
                .any(|(x, _)| x.starts_with('-') && !x.starts_with("--") && x.contains('y'));
            let mut missing = Vec::new();
            if !has(&["-y", "--yes", "--assume-yes", "-qy", "-yq"]) && !combined_y {
                missing.push("-y");
            }
            if !has(&["--no-install-recommends"]) {
                missing.push("--no-install-recommends");
            }
            if !missing.is_empty() {
                s.at_word(
                    i,
                    *off,
                    "install",
                    format!("{} install lacks {}", c.name(), missing.join(" and ")),
                );
            }
        }
    }
}

df_rule!(UPGRADE, "DF-023", Low, &[Stride::Tampering], &[cis_docker("4.7")],
    "Distribution upgrade inside the build (apt-get upgrade, dist-upgrade, apk upgrade, dnf upgrade)",
    "Upgrading every package during the build makes the image depend on the day it was built, \
    can pull in changes that break the application, and hides which versions it contains. \
    Rebuilding from a freshly patched base image gives the fixes in a reviewable, reproducible \
    way instead.",
    "Use a current, patched base image and rebuild it regularly instead of upgrading inside the build.",
    upgrade);

fn upgrade(df: &Dockerfile, s: &mut Sink) {
    for (i, cmds) in runs(df) {
        for c in cmds {
            let w = c.effective();
            let verbs: &[&str] = match c.name() {
                "apt-get" | "apt" => &["upgrade", "dist-upgrade", "full-upgrade"],
                "apk" | "yum" | "dnf" | "microdnf" => &["upgrade", "update"],
                "zypper" => &["update", "up", "dist-upgrade", "dup"],
                _ => continue,
            };
            // `apk update` refreshes the index only; `yum update` upgrades.
            if let Some((verb, off)) = w
                .iter()
                .skip(1)
                .find(|(x, _)| verbs.contains(&x.as_str()) && !(c.name() == "apk" && x == "update"))
            {
                s.at_word(
                    i,
                    *off,
                    verb,
                    format!(
                        "{} {verb} upgrades every package during the build",
                        c.name()
                    ),
                );
            }
        }
    }
}

df_rule!(PIPEFAIL, "DF-024", Low, &[Stride::Tampering], &[cis_docker("4.11")],
    "RUN pipes without set -o pipefail",
    "In a pipeline the shell only reports the exit status of the last command, so a failed \
    download in `curl … | tar x` or a failed check before a pipe goes unnoticed and the build \
    carries on with a missing or partial file. `set -o pipefail`, or a SHELL with it, makes \
    such a failure stop the build.",
    "Start the RUN with `set -o pipefail &&`, or set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]`.",
    pipefail);

fn pipefail(df: &Dockerfile, s: &mut Sink) {
    let mut shell_has_pipefail = false;
    for i in &df.instructions {
        if i.keyword == "FROM" {
            shell_has_pipefail = false;
        }
        if i.keyword == "SHELL" {
            shell_has_pipefail = i.args.contains("pipefail");
            continue;
        }
        if i.keyword != "RUN"
            || i.is_exec_form()
            || shell_has_pipefail
            || i.args.contains("pipefail")
        {
            continue;
        }
        let cmds = i.commands();
        if let Some(c) = cmds.iter().find(|c| c.piped) {
            let (w, off) = &c.words[0];
            s.at_word(
                i,
                *off,
                w,
                format!(
                    "{w} reads a pipe, but a failure earlier in the pipe does not fail the build"
                ),
            );
        }
    }
}

df_rule!(
    MAINTAINER,
    "DF-025",
    Info,
    &[Stride::Repudiation],
    &[cis_docker("4.1")],
    "Deprecated MAINTAINER instruction",
    "MAINTAINER has been deprecated for years and is not shown by most tools; ownership written \
    there is easily lost. The org.opencontainers.image.authors label is the standard place and is \
    read by registries and scanners, so the image keeps a findable owner for security contacts.",
    "Replace it with `LABEL org.opencontainers.image.authors=\"…\"`.",
    |df, s| {
        for i in df.instructions.iter().filter(|i| i.keyword == "MAINTAINER") {
            s.at_keyword(
                i,
                "MAINTAINER is deprecated; use the org.opencontainers.image.authors label",
            );
        }
    }
);

df_rule!(RELATIVE_WORKDIR, "DF-026", Info, &[Stride::Tampering], &[cis_docker("4.1")],
    "WORKDIR is a relative path",
    "A relative WORKDIR is resolved against whatever the previous WORKDIR was, which may come from \
    a base image the author does not control. Files then land in unexpected places and later \
    instructions or the entrypoint may act on the wrong directory. An absolute path says exactly \
    where the work happens.",
    "Use an absolute path (`WORKDIR /app`).",
    |df, s| {
        for i in df.instructions.iter().filter(|i| i.keyword == "WORKDIR") {
            let (path, off) = i.operands();
            let path = path.trim();
            let abs = path.starts_with('/') || path.starts_with('$') || path.starts_with("\"/")
                || path.chars().nth(1) == Some(':');
            if !path.is_empty() && !abs {
                s.at_word(i, off, path, format!("WORKDIR {path} is relative"));
            }
        }
    });

df_rule!(NPM_INSTALL, "DF-027", Low, &[Stride::Tampering], &[cis_docker("4.3"), cwe("1104")],
    "npm install where npm ci belongs",
    "npm install resolves version ranges again and may rewrite the lock file, so each build can get \
    different dependency versions, including a freshly compromised release. npm ci installs exactly \
    what package-lock.json records and fails when the two disagree, which keeps the image's \
    dependencies reviewable.",
    "Copy package-lock.json and run `npm ci` (add `--omit=dev` for production images).",
    |df, s| {
        for (i, cmds) in runs(df) {
            for c in cmds {
                let w = c.effective();
                if c.name() == "npm" && w.len() >= 2 && matches!(w[1].0.as_str(), "install" | "i") {
                    // `npm install -g tool@1.2` installs a tool, not the project.
                    if w.iter().skip(2).any(|(x, _)| !x.starts_with('-')) {
                        continue;
                    }
                    let (verb, off) = &w[1];
                    s.at_word(i, *off, verb, "npm install re-resolves dependencies; npm ci installs the locked versions");
                }
            }
        }
    });

df_rule!(CD_IN_RUN, "DF-028", Info, &[Stride::Tampering], &[cis_docker("4.1")],
    "cd used inside RUN instead of WORKDIR",
    "A cd inside RUN lasts only for that instruction, so later instructions silently run somewhere \
    else, and long `cd … && …` chains hide where files are written. WORKDIR states the directory \
    once and applies it to every following instruction and to the running container.",
    "Use `WORKDIR /path` before the RUN instead of `cd /path &&`.",
    |df, s| {
        for (i, cmds) in runs(df) {
            for c in cmds {
                if c.name() == "cd" {
                    let (w, off) = &c.effective()[0];
                    s.at_word(i, *off, w, "cd inside RUN only lasts for this instruction; use WORKDIR");
                }
            }
        }
    });

df_rule!(
    SHELL_FORM,
    "DF-029",
    Low,
    &[Stride::DenialOfService],
    &[cis_docker("4.1")],
    "CMD or ENTRYPOINT in shell form",
    "The shell form runs the program under /bin/sh -c, so the shell is PID 1 and the application \
    never receives SIGTERM: stops wait for the kill timeout and the process cannot shut down \
    cleanly. It also needs a shell in the image. The JSON exec form starts the program directly.",
    "Use the exec form: `CMD [\"program\", \"arg\"]`.",
    |df, s| {
        for i in df
            .final_image_instructions("CMD")
            .into_iter()
            .chain(df.final_image_instructions("ENTRYPOINT"))
        {
            if !i.is_exec_form() && !i.args.trim().is_empty() {
                s.at_keyword(
                    i,
                    format!(
                        "{} uses the shell form, so signals go to /bin/sh, not the program",
                        i.keyword
                    ),
                );
            }
        }
    }
);

df_rule!(REPEATED_CMD, "DF-030", Info, &[Stride::Tampering], &[cis_docker("4.1")],
    "More than one CMD or ENTRYPOINT in a stage",
    "Only the last CMD and the last ENTRYPOINT of a stage take effect; the earlier ones are silently \
    ignored. A reader, or a reviewer, can easily take an ignored line for the real start command \
    and miss what the container actually runs.",
    "Keep one CMD and one ENTRYPOINT per stage.",
    |df, s| {
        for kw in ["CMD", "ENTRYPOINT"] {
            for st in 0..df.stages.len() {
                let list: Vec<_> = df.stage_instructions(st).filter(|i| i.keyword == kw).collect();
                for i in list.iter().take(list.len().saturating_sub(1)) {
                    s.at_keyword(i, format!("this {kw} is overridden by a later one in the same stage"));
                }
            }
        }
    });

df_rule!(
    LEGACY_ENV,
    "DF-031",
    Info,
    &[Stride::Tampering],
    &[cis_docker("4.1")],
    "Legacy ENV key value syntax",
    "The `ENV key value` form takes everything after the key as the value, spaces and quotes \
    included, and is deprecated. It is easy to misread what is set, and a later edit adding a \
    second variable silently changes the first value. The `ENV key=value` form is unambiguous.",
    "Write `ENV KEY=value`.",
    |df, s| {
        for i in df.instructions.iter().filter(|i| i.keyword == "ENV") {
            if let Some((k, _, off)) = env_pairs(i).first() {
                if !i.args[*off..].trim_start().starts_with(&format!("{k}=")) {
                    s.at_word(
                        i,
                        *off,
                        k,
                        format!("ENV {k} uses the legacy `ENV key value` form"),
                    );
                }
            }
        }
    }
);

df_rule!(EOL_BASE, "DF-032", Medium, &[Stride::Tampering, Stride::ElevationOfPrivilege], &[cis_docker("4.7"), cwe("1104")],
    "Base image is a release line past its end of life",
    "A release line past its end of life gets no more security fixes, so every vulnerability found \
    after that date stays in the image for good, however often it is rebuilt. Scanners report more \
    of them over time and fixes must be backported by hand. A supported release keeps patches \
    arriving with each rebuild.",
    "Move to a supported release line of the base image.",
    |df, s| {
        for st in &df.stages {
            if st.parent.is_some() {
                continue;
            }
            if end_of_life(&st.image).is_some() {
                let i = &df.instructions[st.from];
                s.at_word(i, st.image_offset, &st.image, format!("base image {} is a release line past its end of life (table checked {EOL_CHECKED})", st.image));
            }
        }
    });

df_rule!(
    FLOATING_TAG,
    "DF-033",
    Low,
    &[Stride::Tampering],
    &[cis_docker("4.2")],
    "Base image uses a floating tag (a bare major version or a channel such as lts or stable)",
    "A tag like :3, :lts or :stable is moved to each new release, so two builds of the same \
    Dockerfile can start from different systems and a change nobody reviewed enters the image. \
    A full version, better pinned by digest, keeps the base fixed until someone changes it \
    on purpose.",
    "Use a full version tag (`python:3.12.2-slim`), ideally with its digest.",
    |df, s| {
        for st in &df.stages {
            if st.parent.is_some() {
                continue;
            }
            if let Some(why) = floating_tag(&st.image) {
                let i = &df.instructions[st.from];
                s.at_word(
                    i,
                    st.image_offset,
                    &st.image,
                    format!("base image {} uses {why}", st.image),
                );
            }
        }
    }
);

df_rule!(ADD_ARCHIVE, "DF-034", Low, &[Stride::Tampering], &[cis_docker("4.9")],
    "ADD of a local archive, which is unpacked silently",
    "ADD unpacks a local tar archive into the image without saying so, so the Dockerfile does not \
    show which files arrive, and a replaced archive can add or overwrite anything, including \
    files outside the expected directory. COPY plus an explicit, checked extraction in RUN makes \
    the contents visible.",
    "COPY the archive and unpack it in RUN after checking its checksum, or COPY the unpacked files.",
    |df, s| {
        for i in df.instructions.iter().filter(|i| i.keyword == "ADD") {
            for (src, off) in sources(i) {
                if is_archive(&src) && !is_remote(&src) {
                    s.at_word(i, off, &src, format!("ADD unpacks the local archive {src} into the image"));
                }
            }
        }
    });
