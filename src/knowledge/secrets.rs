//! Secret-like names and values (CIS Docker 4.10, CIS Kubernetes 5.4.1):
//! which variables hold credentials, and when a value is a literal rather
//! than a reference to a secret kept elsewhere.

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

/// Whether setting `name` to `value` writes a secret literally: a
/// secret-looking name with a value that is not a reference. A collected
/// value redacted to `***` still counts as set.
pub fn is_literal_secret(name: &str, value: &str) -> bool {
    is_secret_name(name) && !is_reference(value)
}

/// [`is_literal_secret`] for one `NAME=value` item (as in a container's or
/// image's environment); an item without `=` has no value.
pub fn is_literal_secret_item(item: &str) -> bool {
    match item.split_once('=') {
        Some((name, value)) => is_literal_secret(name, value),
        None => false,
    }
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
    fn literal_values() {
        assert!(is_literal_secret_item("DB_PASSWORD=hunter2"));
        assert!(is_literal_secret_item("DB_PASSWORD=***"));
        assert!(is_literal_secret_item("API_KEY=x"));
        assert!(!is_literal_secret_item("DB_PASSWORD="));
        assert!(!is_literal_secret_item("DB_PASSWORD=${DB_PASSWORD}"));
        assert!(!is_literal_secret_item("DB_PASSWORD_FILE=/run/secrets/db"));
        assert!(!is_literal_secret_item("DB_PASSWORD"));
        assert!(!is_literal_secret_item("PATH=/usr/bin"));
    }
}

/// Credentials written inside a URL (`scheme://user:password@host`): the
/// byte range of the `user:password` part in `text`. A password that is a
/// `$VAR` reference, or empty, does not count.
pub fn url_credentials(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let start = from + i + 3;
        let rest = &text[start..];
        let end = rest
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        if let Some(at) = authority.rfind('@') {
            let userinfo = &authority[..at];
            if let Some((_user, pass)) = userinfo.split_once(':') {
                if !pass.is_empty() && !is_reference(pass) {
                    return Some((start, start + at));
                }
            }
        }
        from = start;
    }
    None
}

#[cfg(test)]
mod url_tests {
    use super::url_credentials;

    #[test]
    fn credentials_in_urls() {
        assert_eq!(
            url_credentials("postgres://app:s3cret@db:5432/x"),
            Some((11, 21))
        );
        assert_eq!(url_credentials("https://example.com/a@b"), None);
        assert_eq!(url_credentials("https://token@example.com"), None);
        assert_eq!(url_credentials("redis://:${PASS}@r"), None);
        assert_eq!(url_credentials("redis://:pw@r"), Some((8, 11)));
        assert_eq!(url_credentials("https://u:${TOKEN}@git"), None);
    }
}
