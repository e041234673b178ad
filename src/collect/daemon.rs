//! The daemon's command line and daemon.json.

use super::hostfs::HostFs;
use crate::snapshot::{DaemonConfigFile, DaemonFlag};
use std::collections::BTreeMap;

/// dockerd flags that take no value (`--flag` or `--flag=false`). Every other
/// long flag takes one, either as `--flag=v` or as the next argument.
const BOOL_FLAGS: &[&str] = &[
    "debug",
    "tls",
    "tlsverify",
    "icc",
    "iptables",
    "ip6tables",
    "ip-forward",
    "ip-forward-no-drop",
    "ip-masq",
    "ipv6",
    "live-restore",
    "no-new-privileges",
    "selinux-enabled",
    "experimental",
    "userland-proxy",
    "raw-logs",
    "rootless",
    "init",
    "validate",
    "version",
    "help",
    "disable-legacy-registry",
    "cri-containerd",
    "bridge-accept-fwmark",
];

/// Short options and their long names; `None` marks a value-less one.
fn short_flag(c: char) -> Option<(&'static str, bool)> {
    Some(match c {
        'D' => ("debug", false),
        'H' => ("host", true),
        'l' => ("log-level", true),
        'G' => ("group", true),
        'p' => ("pidfile", true),
        's' => ("storage-driver", true),
        'b' => ("bridge", true),
        'g' => ("data-root", true),
        'v' => ("version", false),
        'h' => ("help", false),
        _ => return None,
    })
}

/// Tokenise dockerd's argv (argv[0] excluded) into flags, exactly as its
/// flag parser would: `--flag=value`, `--flag value`, `-H value`, `-Hvalue`,
/// `-H=value`, and clustered boolean shorts like `-D`.
pub fn parse_flags(args: &[String]) -> Vec<DaemonFlag> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None if BOOL_FLAGS.contains(&long) => (long.to_string(), None),
                None => {
                    let v = args.get(i).cloned();
                    if v.is_some() {
                        i += 1;
                    }
                    (long.to_string(), v)
                }
            };
            out.push(DaemonFlag {
                name: canonical(&name),
                value,
            });
        } else if let Some(short) = a.strip_prefix('-').filter(|s| !s.is_empty()) {
            let chars: Vec<char> = short.chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                match short_flag(c) {
                    Some((name, true)) => {
                        let rest: String = chars[j + 1..].iter().collect();
                        let value = if !rest.is_empty() {
                            Some(rest.strip_prefix('=').unwrap_or(&rest).to_string())
                        } else {
                            let v = args.get(i).cloned();
                            if v.is_some() {
                                i += 1;
                            }
                            v
                        };
                        out.push(DaemonFlag {
                            name: name.to_string(),
                            value,
                        });
                        break;
                    }
                    Some((name, false)) => {
                        let rest: String = chars[j + 1..].iter().collect();
                        if let Some(v) = rest.strip_prefix('=') {
                            out.push(DaemonFlag {
                                name: name.to_string(),
                                value: Some(v.to_string()),
                            });
                            break;
                        }
                        out.push(DaemonFlag {
                            name: name.to_string(),
                            value: None,
                        });
                    }
                    None => {
                        out.push(DaemonFlag {
                            name: format!("-{c}"),
                            value: None,
                        });
                    }
                }
                j += 1;
            }
        }
    }
    out
}

/// Old spellings that dockerd still accepts.
fn canonical(name: &str) -> String {
    match name {
        "graph" => "data-root".to_string(),
        other => other.to_string(),
    }
}

/// Read and parse daemon.json. Syntax errors keep their line and column.
pub fn read_config(fs: &HostFs, path: &str) -> DaemonConfigFile {
    let text = match fs.read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return DaemonConfigFile::Missing,
        Err(e) => {
            return DaemonConfigFile::Unreadable {
                reason: e.to_string(),
            }
        }
    };
    parse_config(&text)
}

pub fn parse_config(text: &str) -> DaemonConfigFile {
    if text.trim().is_empty() {
        // dockerd treats an empty file as no settings.
        return DaemonConfigFile::Parsed {
            settings: BTreeMap::new(),
        };
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(m)) => DaemonConfigFile::Parsed {
            // Mirror URLs and proxies may carry credentials: not in snapshots.
            settings: m
                .into_iter()
                .map(|(k, mut v)| {
                    crate::redact::redact_json(Some(&k), &mut v);
                    (k, v)
                })
                .collect(),
        },
        Ok(_) => DaemonConfigFile::Invalid {
            line: 1,
            column: 1,
            message: "expected a JSON object with daemon settings".into(),
        },
        Err(e) => DaemonConfigFile::Invalid {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<(String, Option<String>)> {
        parse_flags(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .into_iter()
            .map(|f| (f.name, f.value))
            .collect()
    }

    #[test]
    fn long_flags_with_and_without_equals() {
        assert_eq!(
            v(&[
                "--icc=false",
                "--log-level",
                "debug",
                "--live-restore",
                "--tlsverify"
            ]),
            vec![
                ("icc".into(), Some("false".into())),
                ("log-level".into(), Some("debug".into())),
                ("live-restore".into(), None),
                ("tlsverify".into(), None),
            ]
        );
    }

    #[test]
    fn short_flags_and_values_with_spaces() {
        assert_eq!(
            v(&[
                "-H",
                "fd://",
                "-Htcp://0.0.0.0:2376",
                "-D",
                "-l=warn",
                "--label",
                "a b"
            ]),
            vec![
                ("host".into(), Some("fd://".into())),
                ("host".into(), Some("tcp://0.0.0.0:2376".into())),
                ("debug".into(), None),
                ("log-level".into(), Some("warn".into())),
                ("label".into(), Some("a b".into())),
            ]
        );
    }

    #[test]
    fn prefix_lookalikes_are_distinct_flags() {
        // --iptables must not be mistaken for --ip, nor --icc-x for --icc.
        let f = v(&["--ip", "10.0.0.1", "--iptables=false"]);
        assert_eq!(f[0], ("ip".into(), Some("10.0.0.1".into())));
        assert_eq!(f[1], ("iptables".into(), Some("false".into())));
    }

    #[test]
    fn config_errors_carry_positions() {
        match parse_config("{\n  \"icc\": false\n  \"x\": 1\n}") {
            DaemonConfigFile::Invalid { line, column, .. } => {
                assert_eq!(line, 3);
                assert!(column > 0);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_config("[]"),
            DaemonConfigFile::Invalid { .. }
        ));
        assert!(matches!(
            parse_config("{}"),
            DaemonConfigFile::Parsed { .. }
        ));
    }
}
