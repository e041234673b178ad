//! Settings that switch a service's own protection off: environment
//! variables that disable authentication or certificate checks, and
//! command-line flags that do the same. Kubernetes, compose and Dockerfile
//! rules read the same tables, so one setting means one thing everywhere.

/// What a setting switches off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    /// Anyone who reaches the service is let in (critical by policy).
    AuthOff,
    /// Transport security, certificate checks or an insecure API (high).
    Insecure,
}

/// Which values of a setting are the dangerous ones.
#[derive(Debug, Clone, Copy)]
pub enum Bad {
    /// Any value that is not false-like (`""`, `0`, `false`, `no`, `off`);
    /// for a flag, also the flag alone.
    Truthy,
    /// One of these values (case-insensitive).
    OneOf(&'static [&'static str]),
    /// A number other than 0 (an insecure port).
    NonZero,
    /// An empty value (an empty token or password).
    Empty,
}

/// One entry of a table: a name (environment variable or flag), the bad
/// values, what they switch off, and why in a few words.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub name: &'static str,
    pub bad: Bad,
    pub weakness: Weakness,
    pub why: &'static str,
}

const fn s(name: &'static str, bad: Bad, weakness: Weakness, why: &'static str) -> Setting {
    Setting {
        name,
        bad,
        weakness,
        why,
    }
}

use Bad::*;
use Weakness::*;

/// Environment variables (names compared case-insensitively).
pub const ENV: &[Setting] = &[
    s(
        "MYSQL_ALLOW_EMPTY_PASSWORD",
        Truthy,
        AuthOff,
        "MySQL/MariaDB root account with an empty password",
    ),
    s(
        "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD",
        Truthy,
        AuthOff,
        "MariaDB root account with an empty password",
    ),
    s(
        "MARIADB_ALLOW_EMPTY_PASSWORD",
        Truthy,
        AuthOff,
        "MariaDB root account with an empty password",
    ),
    s(
        "POSTGRES_HOST_AUTH_METHOD",
        OneOf(&["trust"]),
        AuthOff,
        "PostgreSQL accepts every connection without a password",
    ),
    s(
        "ALLOW_EMPTY_PASSWORD",
        Truthy,
        AuthOff,
        "the service runs without a password",
    ),
    s(
        "ALLOW_ANONYMOUS_LOGIN",
        Truthy,
        AuthOff,
        "anonymous clients are let in",
    ),
    s(
        "ALLOW_PLAINTEXT_LISTENER",
        Truthy,
        AuthOff,
        "Kafka listens without authentication or TLS",
    ),
    s(
        "GF_AUTH_ANONYMOUS_ENABLED",
        Truthy,
        AuthOff,
        "Grafana lets anonymous users in",
    ),
    s(
        "GF_AUTH_DISABLE_LOGIN_FORM",
        Truthy,
        AuthOff,
        "Grafana's login is switched off",
    ),
    s(
        "XPACK_SECURITY_ENABLED",
        OneOf(&["false"]),
        AuthOff,
        "Elasticsearch security (authentication) is off",
    ),
    s(
        "xpack.security.enabled",
        OneOf(&["false"]),
        AuthOff,
        "Elasticsearch security (authentication) is off",
    ),
    s(
        "DISABLE_SECURITY_PLUGIN",
        Truthy,
        AuthOff,
        "OpenSearch security (authentication) is off",
    ),
    s(
        "plugins.security.disabled",
        Truthy,
        AuthOff,
        "OpenSearch security (authentication) is off",
    ),
    s(
        "RABBITMQ_DEFAULT_PASS",
        OneOf(&["guest"]),
        AuthOff,
        "RabbitMQ keeps the well-known guest password",
    ),
    s(
        "JUPYTER_TOKEN",
        Empty,
        AuthOff,
        "Jupyter runs without a token",
    ),
    s(
        "DOCKER_TLS_VERIFY",
        OneOf(&["0", "false", "no"]),
        Insecure,
        "the Docker client does not verify the daemon's certificate",
    ),
    s(
        "NODE_TLS_REJECT_UNAUTHORIZED",
        OneOf(&["0"]),
        Insecure,
        "Node.js accepts any TLS certificate",
    ),
    s(
        "PYTHONHTTPSVERIFY",
        OneOf(&["0"]),
        Insecure,
        "Python accepts any HTTPS certificate",
    ),
    s(
        "GIT_SSL_NO_VERIFY",
        Truthy,
        Insecure,
        "git accepts any TLS certificate",
    ),
    s(
        "NPM_CONFIG_STRICT_SSL",
        OneOf(&["false", "0"]),
        Insecure,
        "npm accepts any TLS certificate",
    ),
    s(
        "PIP_TRUSTED_HOST",
        Truthy,
        Insecure,
        "pip skips certificate checks for a host",
    ),
    s(
        "CURL_INSECURE",
        Truthy,
        Insecure,
        "curl accepts any TLS certificate",
    ),
];

/// Command-line flags (compared exactly, `--flag=value` or `--flag value`).
pub const FLAGS: &[Setting] = &[
    s(
        "--anonymous-auth",
        OneOf(&["true"]),
        AuthOff,
        "anonymous requests are accepted",
    ),
    s(
        "--authorization-mode",
        OneOf(&["AlwaysAllow"]),
        AuthOff,
        "every request is authorised",
    ),
    s(
        "--skip-grant-tables",
        Truthy,
        AuthOff,
        "MySQL skips all privilege checks",
    ),
    s(
        "--enable-skip-login",
        Truthy,
        AuthOff,
        "the Kubernetes dashboard can be used without logging in",
    ),
    s(
        "--auth",
        OneOf(&["none"]),
        AuthOff,
        "the server runs without authentication",
    ),
    s(
        "--noauth",
        Truthy,
        AuthOff,
        "MongoDB runs without authentication",
    ),
    s(
        "--NotebookApp.token",
        Empty,
        AuthOff,
        "Jupyter runs without a token",
    ),
    s(
        "--ServerApp.token",
        Empty,
        AuthOff,
        "Jupyter runs without a token",
    ),
    s(
        "--NotebookApp.disable_check_xsrf",
        Truthy,
        Insecure,
        "Jupyter's cross-site request checks are off",
    ),
    s(
        "--protected-mode",
        OneOf(&["no"]),
        Insecure,
        "Redis answers remote clients without protected mode",
    ),
    s(
        "--auto-tls",
        Truthy,
        Insecure,
        "etcd uses self-signed client certificates",
    ),
    s(
        "--peer-auto-tls",
        Truthy,
        Insecure,
        "etcd uses self-signed peer certificates",
    ),
    s(
        "--client-cert-auth",
        OneOf(&["false"]),
        Insecure,
        "etcd does not check client certificates",
    ),
    s(
        "--enable-insecure-login",
        Truthy,
        Insecure,
        "the Kubernetes dashboard accepts logins over plain HTTP",
    ),
    s(
        "--api.insecure",
        Truthy,
        Insecure,
        "Traefik serves its API and dashboard without protection",
    ),
    s(
        "--insecure-port",
        NonZero,
        Insecure,
        "the API server serves an unauthenticated HTTP port",
    ),
    s(
        "--read-only-port",
        NonZero,
        Insecure,
        "the kubelet serves an unauthenticated read-only port",
    ),
    s(
        "--kubelet-https",
        OneOf(&["false"]),
        Insecure,
        "the API server talks to kubelets over plain HTTP",
    ),
    s(
        "--insecure-skip-tls-verify",
        Truthy,
        Insecure,
        "server certificates are not checked",
    ),
    s(
        "--insecure-registry",
        Truthy,
        Insecure,
        "a registry is used without TLS",
    ),
    s(
        "--tls-verify",
        OneOf(&["false"]),
        Insecure,
        "registry certificates are not checked",
    ),
    s(
        "--no-check-certificate",
        Truthy,
        Insecure,
        "server certificates are not checked",
    ),
    s(
        "--insecure",
        Truthy,
        Insecure,
        "TLS certificates are not checked, or TLS is off",
    ),
    s(
        "--trusted-host",
        Truthy,
        Insecure,
        "pip skips certificate checks for a host",
    ),
    s(
        "--allow-untrusted",
        Truthy,
        Insecure,
        "apk installs packages without a valid signature",
    ),
    s(
        "--allow-unauthenticated",
        Truthy,
        Insecure,
        "apt installs packages without a valid signature",
    ),
    s(
        "--force-yes",
        Truthy,
        Insecure,
        "apt installs packages without a valid signature",
    ),
    s(
        "--nogpgcheck",
        Truthy,
        Insecure,
        "yum/dnf install packages without checking signatures",
    ),
    s(
        "--nosignature",
        Truthy,
        Insecure,
        "rpm installs packages without checking signatures",
    ),
    s(
        "--nodigest",
        Truthy,
        Insecure,
        "rpm installs packages without checking digests",
    ),
    s(
        "--disable-content-trust",
        Truthy,
        Insecure,
        "image signatures are not checked",
    ),
];

fn false_like(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off" | "n"
    )
}

impl Setting {
    /// Whether `value` is a bad one. `None` is a flag written alone.
    pub fn is_bad(&self, value: Option<&str>) -> bool {
        let v = value.map(|v| v.trim().trim_matches(|c| c == '"' || c == '\''));
        match (self.bad, v) {
            (Truthy, None) => true,
            (Truthy, Some(v)) => !false_like(v),
            (OneOf(list), Some(v)) => list.iter().any(|x| x.eq_ignore_ascii_case(v)),
            (NonZero, Some(v)) => v.parse::<u64>().is_ok_and(|n| n != 0),
            (Empty, Some(v)) => v.is_empty(),
            _ => false,
        }
    }
}

/// The table entry for an environment variable name.
pub fn env_setting(name: &str) -> Option<&'static Setting> {
    ENV.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// An environment variable whose value switches protection off.
pub fn bad_env(name: &str, value: &str) -> Option<&'static Setting> {
    env_setting(name).filter(|s| s.is_bad(Some(value)))
}

/// Bad flags among command-line words: the index of the word that holds the
/// flag and its table entry. `--flag=value` and `--flag value` both count;
/// a flag written alone counts for flags whose bad values are true-like.
pub fn bad_flags<S: AsRef<str>>(words: &[S]) -> Vec<(usize, &'static Setting)> {
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let w = w.as_ref();
        if !w.starts_with("--") {
            continue;
        }
        let (name, inline) = match w.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (w, None),
        };
        let Some(set) = FLAGS.iter().find(|s| s.name == name) else {
            continue;
        };
        let value = match (inline, set.bad) {
            (Some(v), _) => Some(v),
            // A boolean flag alone: its presence is the value.
            (None, Truthy) => None,
            (None, _) => words.get(i + 1).map(|n| n.as_ref()),
        };
        if set.is_bad(value) {
            out.push((i, set));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_values() {
        assert!(bad_env("MYSQL_ALLOW_EMPTY_PASSWORD", "yes").is_some());
        assert!(bad_env("mysql_allow_empty_password", "1").is_some());
        assert!(bad_env("MYSQL_ALLOW_EMPTY_PASSWORD", "no").is_none());
        assert!(bad_env("MYSQL_ALLOW_EMPTY_PASSWORD", "").is_none());
        assert!(bad_env("POSTGRES_HOST_AUTH_METHOD", "trust").is_some());
        assert!(bad_env("POSTGRES_HOST_AUTH_METHOD", "scram-sha-256").is_none());
        assert!(bad_env("JUPYTER_TOKEN", "").is_some());
        assert!(bad_env("JUPYTER_TOKEN", "x").is_none());
        assert!(bad_env("NODE_TLS_REJECT_UNAUTHORIZED", "0").is_some());
        assert!(bad_env("NODE_TLS_REJECT_UNAUTHORIZED", "1").is_none());
        assert!(bad_env("DB_PASSWORD", "x").is_none());
    }

    #[test]
    fn flags_in_both_spellings() {
        let hits = |w: &[&str]| {
            bad_flags(w)
                .iter()
                .map(|(i, s)| (*i, s.name))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            hits(&["kubelet", "--anonymous-auth=true"]),
            [(1, "--anonymous-auth")]
        );
        assert!(hits(&["kubelet", "--anonymous-auth=false"]).is_empty());
        assert_eq!(
            hits(&["redis-server", "--protected-mode", "no"]),
            [(1, "--protected-mode")]
        );
        assert!(hits(&["redis-server", "--protected-mode", "yes"]).is_empty());
        assert_eq!(
            hits(&["mysqld", "--skip-grant-tables"]),
            [(1, "--skip-grant-tables")]
        );
        assert_eq!(hits(&["etcd", "--auto-tls=true"]), [(1, "--auto-tls")]);
        assert!(hits(&["etcd", "--auto-tls=false"]).is_empty());
        assert!(hits(&["kube-apiserver", "--insecure-port=0"]).is_empty());
        assert_eq!(
            hits(&["kube-apiserver", "--insecure-port=8080"]),
            [(1, "--insecure-port")]
        );
        assert_eq!(
            hits(&["jupyter", "--NotebookApp.token="]),
            [(1, "--NotebookApp.token")]
        );
        assert!(hits(&["jupyter", "--NotebookApp.token=abc"]).is_empty());
    }
}
