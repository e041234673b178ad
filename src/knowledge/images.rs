//! Image references: name, tag and digest, and what makes a reference
//! mutable (CIS Docker 4.x, Kubernetes image policies).

/// An image reference split into its parts.
#[derive(Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

pub fn parse_image(image: &str) -> ImageRef<'_> {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    match rest[slash..].rfind(':') {
        Some(i) => ImageRef {
            name: &rest[..slash + i],
            tag: Some(&rest[slash + i + 1..]),
            digest,
        },
        None => ImageRef {
            name: rest,
            tag: None,
            digest,
        },
    }
}

/// What is wrong with an image's tag, if anything: `latest` or no tag at all
/// (a digest pins it either way). Variable references are not judged.
pub fn image_tag_problem(image: &str) -> Option<&'static str> {
    if image.contains('$') || image.contains("{{") {
        return None;
    }
    let r = parse_image(image);
    match (r.tag, r.digest) {
        (_, Some(_)) => None,
        (Some(t), None) if t.eq_ignore_ascii_case("latest") => Some("uses the mutable tag latest"),
        (None, None) => Some("has no tag, so it resolves to latest"),
        _ => None,
    }
}

/// The date the end-of-life table below was last checked. Lines that reach
/// their end of life after it are not listed yet; update both together.
pub const EOL_CHECKED: &str = "2026-12-01";

/// Release lines past their end of life on [`EOL_CHECKED`]: (image name,
/// highest dead version as (major, minor), end-of-life date of that line,
/// or `None` for an image that is dead in every version). A tag whose
/// leading version is at or below the bound is past its end of life.
/// (major, minor) of the newest dead version; `u32::MAX` as the minor
/// means every minor of that major.
type Version = (u32, u32);

const EOL: &[(&str, Option<Version>, &str)] = &[
    ("centos", None, "2024-06-30"),
    ("debian", Some((11, u32::MAX)), "2026-08-31"),
    ("ubuntu", Some((20, 4)), "2025-05-31"),
    ("python", Some((3, 9)), "2025-10-31"),
    ("node", Some((21, u32::MAX)), "2026-04-30"),
    ("alpine", Some((3, 21)), "2026-11-01"),
    ("golang", Some((1, 24)), "2026-02-11"),
    ("php", Some((8, 1)), "2025-12-31"),
    ("ruby", Some((3, 1)), "2025-03-31"),
    ("openjdk", None, "2022-07-01"),
    ("postgres", Some((13, u32::MAX)), "2025-11-13"),
    ("mysql", Some((8, 0)), "2026-04-30"),
    ("redis", Some((6, u32::MAX)), "2025-02-28"),
];

/// Debian and Ubuntu code names of dead lines.
const EOL_NAMES: &[(&str, &str, &str)] = &[
    ("debian", "wheezy", "2018-05-31"),
    ("debian", "jessie", "2020-06-30"),
    ("debian", "stretch", "2022-06-30"),
    ("debian", "buster", "2024-06-30"),
    ("debian", "bullseye", "2026-08-31"),
    ("ubuntu", "trusty", "2019-04-30"),
    ("ubuntu", "xenial", "2021-04-30"),
    ("ubuntu", "bionic", "2023-05-31"),
    ("ubuntu", "focal", "2025-05-31"),
];

/// Whether an image is a release line past its end of life, with the date.
/// Only official images are judged (`node`, `library/node`,
/// `docker.io/library/node`); a tag without a leading version is not.
pub fn end_of_life(image: &str) -> Option<&'static str> {
    let r = parse_image(image);
    let name = r
        .name
        .trim_start_matches("docker.io/")
        .trim_start_matches("library/");
    let tag = r.tag?;
    if let Some(&(_, _, date)) = EOL_NAMES
        .iter()
        .find(|(n, code, _)| *n == name && tag.split('-').next() == Some(*code))
    {
        return Some(date);
    }
    let &(_, bound, date) = EOL.iter().find(|(n, _, _)| *n == name)?;
    let Some((max_major, max_minor)) = bound else {
        return Some(date);
    };
    let version = tag.split(['-', '_']).next().unwrap_or("");
    let mut parts = version.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    // A bare major (`node:20`, `python:3`) means its newest minor.
    let minor: u32 = match parts.next() {
        Some(m) => m.parse().ok()?,
        None if major < max_major => 0,
        None if major == max_major && max_minor == u32::MAX => 0,
        None => return None,
    };
    let dead = major < max_major || (major == max_major && minor <= max_minor);
    dead.then_some(date)
}

/// Tags that move to a new release without the reference changing: a bare
/// major version (`:3`, `:20`) or a channel name. Returns why, if so.
pub fn floating_tag(image: &str) -> Option<&'static str> {
    let r = parse_image(image);
    if r.digest.is_some() || image.contains('$') {
        return None;
    }
    let tag = r.tag?;
    let base = tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
    if matches!(
        base.as_str(),
        "lts" | "stable" | "current" | "edge" | "rolling" | "mainline" | "slim" | "alpine"
    ) {
        return Some("a channel tag that moves to new releases");
    }
    if !base.is_empty() && base.bytes().all(|b| b.is_ascii_digit()) {
        return Some("a bare major version that moves to each new minor release");
    }
    None
}

#[cfg(test)]
mod eol_tests {
    use super::*;

    #[test]
    fn end_of_life_lines() {
        for img in [
            "centos:7",
            "debian:10",
            "debian:buster-slim",
            "ubuntu:18.04",
            "ubuntu:bionic",
            "python:2.7",
            "python:3.7-slim",
            "node:16-alpine",
            "node:20",
            "library/node:14",
            "alpine:3.19",
            "golang:1.22",
            "debian:11.9",
        ] {
            assert!(end_of_life(img).is_some(), "{img}");
        }
        for img in [
            "debian:12",
            "ubuntu:22.04",
            "ubuntu:24.04",
            "python:3.12",
            "node:22",
            "alpine:3.22",
            "golang:1.25",
            "myorg/node:14",
            "python",
            "python:3",
            "node:lts",
            "ubuntu:noble",
        ] {
            assert!(end_of_life(img).is_none(), "{img}");
        }
    }

    #[test]
    fn floating_tags() {
        assert!(floating_tag("python:3").is_some());
        assert!(floating_tag("node:lts").is_some());
        assert!(floating_tag("debian:stable-slim").is_some());
        assert!(floating_tag("node:20-alpine").is_some());
        assert!(floating_tag("node:20.11.1-alpine").is_none());
        assert!(floating_tag("python:3.12.2").is_none());
        assert!(floating_tag("nginx").is_none());
        assert!(floating_tag("python:3@sha256:abc").is_none());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_refs() {
        assert_eq!(
            image_tag_problem("nginx"),
            Some("has no tag, so it resolves to latest")
        );
        assert_eq!(
            image_tag_problem("nginx:latest"),
            Some("uses the mutable tag latest")
        );
        assert_eq!(
            image_tag_problem("localhost:5000/app"),
            Some("has no tag, so it resolves to latest")
        );
        assert_eq!(image_tag_problem("localhost:5000/app:1.2"), None);
        assert_eq!(image_tag_problem("nginx@sha256:abc"), None);
        assert_eq!(image_tag_problem("${IMAGE}"), None);
        assert_eq!(parse_image("r.io/a/b:1@sha256:x").tag, Some("1"));
    }
}
