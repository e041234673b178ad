//! Command-line flags of the Kubernetes components, the way Go's `pflag`
//! (Kubernetes) and `flag` (etcd) read them.

/// Flags that take no value: `--profiling somearg` leaves `somearg` alone.
/// Only needed when a boolean flag is followed by a word that does not start
/// with `-`; `--profiling=false` and `--profiling --x` read right without it.
const BOOL_FLAGS: &[&str] = &[
    "allow-privileged",
    "anonymous-auth",
    "authentication-token-webhook",
    "auto-tls",
    "client-cert-auth",
    "cluster-init",
    "debug",
    "disable-kube-proxy",
    "enable-aggregator-routing",
    "enable-v2",
    "fail-swap-on",
    "leader-elect",
    "make-iptables-util-chains",
    "peer-auto-tls",
    "peer-client-cert-auth",
    "profiling",
    "protect-kernel-defaults",
    "rotate-certificates",
    "rotate-server-certificates",
    "seccomp-default",
    "secrets-encryption",
    "service-account-extend-token-expiration",
    "service-account-lookup",
    "use-service-account-credentials",
];

/// One flag as given: the name without dashes and its value (`true` for a
/// bare boolean flag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: String,
}

/// Parse the arguments after argv[0]. Accepts `--name=value`,
/// `--name value`, `-name value` (etcd) and bare booleans. Words that are not
/// flags (k3s's `server`) are skipped; `--` ends the flags. A flag given
/// twice keeps both; the caller lets the later one win.
pub fn parse(args: &[String]) -> Vec<Flag> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            break;
        }
        if !a.starts_with('-') || a == "-" {
            continue;
        }
        let body = a.trim_start_matches('-');
        if let Some((n, v)) = body.split_once('=') {
            out.push(Flag {
                name: n.to_string(),
                value: v.to_string(),
            });
            continue;
        }
        let takes_next = !BOOL_FLAGS.contains(&body)
            && args
                .get(i)
                .is_some_and(|next| !next.starts_with('-') || next == "-");
        let value = if takes_next {
            i += 1;
            args[i - 1].clone()
        } else {
            "true".to_string()
        };
        out.push(Flag {
            name: body.to_string(),
            value,
        });
    }
    out
}

/// Split a command line that a process rewrote into one string (k3s sets
/// its title to `/usr/local/bin/k3s server`), so argv has one element.
pub fn normalise_argv(argv: Vec<String>) -> Vec<String> {
    if argv.len() == 1 && argv[0].contains(' ') {
        argv[0].split_whitespace().map(str::to_string).collect()
    } else {
        argv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn every_spelling_of_a_flag() {
        let f = parse(&v(&[
            "server",
            "--a=1",
            "--b",
            "2",
            "-c",
            "3",
            "--profiling",
            "x",
            "--d",
            "--e=",
            "--",
            "--f=9",
        ]));
        let got: Vec<(&str, &str)> = f
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", "1"),
                ("b", "2"),
                ("c", "3"),
                ("profiling", "true"),
                ("d", "true"),
                ("e", "")
            ]
        );
    }

    #[test]
    fn a_rewritten_title_is_split() {
        assert_eq!(
            normalise_argv(v(&["/usr/local/bin/k3s server"])),
            v(&["/usr/local/bin/k3s", "server"])
        );
        assert_eq!(normalise_argv(v(&["a b", "c"])), v(&["a b", "c"]));
    }
}
