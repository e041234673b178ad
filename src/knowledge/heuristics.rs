//! Small classifiers shared by the rule families: secret-looking names,
//! image references, sensitive host paths.

/// Whether an environment/build variable name looks like it holds a secret.
/// Names that only point at a secret (`*_FILE`, `*_PATH`, `*_URL`…) do not.
pub fn is_secret_name(name: &str) -> bool {
    let up = name.to_ascii_uppercase();
    let parts: Vec<&str> = up
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect();
    let Some(last) = parts.last() else {
        return false;
    };
    if matches!(
        *last,
        "FILE"
            | "PATH"
            | "DIR"
            | "URL"
            | "URI"
            | "NAME"
            | "ID"
            | "TTL"
            | "LENGTH"
            | "ENABLED"
            | "EXPIRY"
            | "TYPE"
            | "HEADER"
            | "REF"
            | "POLICY"
            | "SIZE"
            | "TIMEOUT"
    ) {
        return false;
    }
    let joined = parts.concat();
    parts.iter().any(|p| {
        matches!(
            *p,
            "PASSWORD"
                | "PASSWD"
                | "PASS"
                | "PWD"
                | "SECRET"
                | "TOKEN"
                | "APIKEY"
                | "CREDENTIALS"
                | "CREDENTIAL"
                | "PRIVATEKEY"
        )
    }) || [
        "APIKEY",
        "ACCESSKEY",
        "PRIVATEKEY",
        "SECRETKEY",
        "AUTHKEY",
        "CLIENTSECRET",
    ]
    .iter()
    .any(|k| joined.contains(k))
}

/// Whether a value is a reference to something else rather than a literal
/// (`$VAR`, `${VAR}`, empty).
pub fn is_reference(value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || v.starts_with('$')
}

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

/// Why a host path is sensitive to mount into a container, if it is.
pub fn sensitive_host_path(path: &str) -> Option<&'static str> {
    let p = path.trim();
    let p = if p.len() > 1 {
        p.trim_end_matches('/')
    } else {
        p
    };
    let sockets = [
        "/var/run/docker.sock",
        "/run/docker.sock",
        "/var/run/containerd/containerd.sock",
        "/run/containerd/containerd.sock",
        "/var/run/crio/crio.sock",
        "/run/crio/crio.sock",
        "/var/run/cri-dockerd.sock",
        "/run/cri-dockerd.sock",
        "/run/podman/podman.sock",
        "/var/run/podman/podman.sock",
    ];
    if sockets.contains(&p)
        || (p.ends_with(".sock")
            && (p.contains("docker")
                || p.contains("containerd")
                || p.contains("crio")
                || p.contains("podman")))
    {
        return Some("the container runtime socket, which gives full control of the host");
    }
    if p == "/" {
        return Some("the host's root filesystem");
    }
    if p.contains("/.ssh") || p == "/etc/ssh" || p.starts_with("/etc/ssh/") {
        return Some("SSH keys or configuration");
    }
    let under = |base: &str| p == base || p.starts_with(&format!("{base}/"));
    for (base, why) in [
        ("/etc", "host configuration (/etc)"),
        ("/proc", "the host's /proc"),
        ("/sys", "the host's /sys"),
        ("/root", "root's home directory"),
        ("/boot", "the host's boot files"),
        ("/dev", "host devices (/dev)"),
        ("/var/run", "host runtime state (/var/run)"),
        ("/run", "host runtime state (/run)"),
        ("/var/lib/kubelet", "kubelet state and credentials"),
        ("/var/lib/docker", "Docker's data directory"),
        ("/var/lib/containerd", "containerd's data directory"),
        ("/var/log", "host logs"),
        ("/usr", "host binaries (/usr)"),
        ("/lib", "host libraries (/lib)"),
        ("/bin", "host binaries (/bin)"),
        ("/sbin", "host binaries (/sbin)"),
    ] {
        if under(base) {
            return Some(why);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for n in [
            "DB_PASSWORD",
            "api-key",
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_TOKEN",
            "apiKey",
            "PRIVATE_KEY",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "PASSWORD_FILE",
            "TOKEN_URL",
            "KEYCLOAK_HOST",
            "PATH",
            "MONKEY",
            "DB_USER",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

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

    #[test]
    fn host_paths() {
        assert!(sensitive_host_path("/var/run/docker.sock")
            .unwrap()
            .contains("socket"));
        assert!(sensitive_host_path("/").is_some());
        assert!(sensitive_host_path("/etc/").is_some());
        assert!(sensitive_host_path("/home/u/.ssh").is_some());
        assert!(sensitive_host_path("/data/app").is_none());
        assert!(sensitive_host_path("/etcd-data").is_none());
    }
}
