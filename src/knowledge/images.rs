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
