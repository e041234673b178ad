//! ADD instead of COPY.

use crate::findings::{Severity, Stride};
use crate::manifest::dockerfile::{shell_commands, Dockerfile};
use crate::rules::manifest::*;

pub(crate) fn is_remote(src: &str) -> bool {
    let l = src.to_ascii_lowercase();
    l.starts_with("http://")
        || l.starts_with("https://")
        || l.starts_with("git@")
        || l.starts_with("ftp://")
}

pub(crate) fn is_archive(src: &str) -> bool {
    let l = src.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
    ]
    .iter()
    .any(|e| l.ends_with(e))
}

/// (source, byte offset) of each ADD source.
pub(crate) fn sources(i: &crate::manifest::dockerfile::Instruction) -> Vec<(String, usize)> {
    let (rest, off) = i.operands();
    let first_line = rest.lines().next().unwrap_or("");
    let text = first_line
        .trim_start_matches(['[', ' '])
        .trim_end_matches([']', ' ']);
    let base = off + first_line.find(text).unwrap_or(0);
    let mut words: Vec<(String, usize)> = shell_commands(&text.replace(',', " "))
        .into_iter()
        .flat_map(|c| c.words)
        .map(|(w, o)| (w, base + o))
        .collect();
    words.pop(); // destination
    words
}

pub static ADD_LOCAL: Rule = Rule {
    meta: RuleMeta {
        id: "DF-003",
        benchmark: Benchmark::Shipshape,
        title: "ADD used where COPY would do",
        rationale: "ADD does more than copy: it unpacks local archives and can fetch URLs, so what lands \
            in the image is not obvious from the build context and a changed archive can slip \
            new files in unnoticed. COPY copies exactly the named files, which keeps the image's \
            contents predictable and easy to review.",
        severity: Severity::Low,
        stride: &[Stride::Tampering],
        refs: &[cis_docker("4.9")],
        remediation: "Use COPY for local files; ADD also unpacks archives and fetches URLs, which hides what enters the image.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(add_local),
};

fn add_local(df: &Dockerfile, s: &mut Sink) {
    for i in df.instructions.iter().filter(|i| i.keyword == "ADD") {
        let srcs = sources(i);
        if srcs.iter().any(|(w, _)| is_remote(w))
            || (!srcs.is_empty() && srcs.iter().all(|(w, _)| is_archive(w)))
        {
            continue;
        }
        s.at_keyword(
            i,
            "ADD copies local files; COPY is explicit and cannot unpack or download",
        );
    }
}

pub static ADD_REMOTE: Rule = Rule {
    meta: RuleMeta {
        id: "DF-004",
        benchmark: Benchmark::Shipshape,
        title: "ADD fetches a remote URL",
        rationale: "ADD with a URL downloads at build time with no checksum or signature check, so a \
            compromised server, a hijacked domain or a man in the middle can put arbitrary \
            content into the image, and the download may change between builds. Pinning a \
            checksum, or vendoring the file, makes tampering fail the build.",
        severity: Severity::Medium,
        stride: &[Stride::Tampering],
        refs: &[cis_docker("4.9"), cis_docker("4.11"), cwe("494")],
        remediation: "Download with a pinned checksum (`ADD --checksum=sha256:…` or `curl` plus `sha256sum -c`) or vendor the file and COPY it.",
        fix: Fix::Manual,
    },
    domain: Domain::Dockerfile,
    subject: Subject::Dockerfile(add_remote),
};

fn add_remote(df: &Dockerfile, s: &mut Sink) {
    for i in df.instructions.iter().filter(|i| i.keyword == "ADD") {
        let (flags, _) = i.flags();
        if flags.iter().any(|(k, _)| *k == "checksum") {
            continue;
        }
        for (w, off) in sources(i) {
            if is_remote(&w) {
                s.at_word(
                    i,
                    off,
                    &w,
                    format!("ADD downloads {w} without verifying a checksum"),
                );
            }
        }
    }
}
