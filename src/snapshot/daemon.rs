//! Effective daemon configuration: defaults, then daemon.json, then flags.
//!
//! dockerd refuses to start when a setting is given both as a flag and in
//! daemon.json, so at most one of the two sources applies; we still report the
//! flag first because that is what the running process received. These
//! helpers are pure, so collectors (which need the TLS and socket paths to
//! stat) and rules (which judge them) agree on one reading.

use super::{DaemonConfigFile, DaemonFacts};
use serde_json::Value;

/// Where an effective setting came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting {
    /// Given on the command line; every value of a repeatable flag, in order.
    Flag { name: String, values: Vec<String> },
    /// Set in daemon.json.
    Json { key: String, value: Value },
    /// Set nowhere: the daemon's built-in default applies.
    Unset,
}

/// Why a setting could not be determined.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingError(pub String);

/// CLI flag name(s) for a daemon.json key. Most are identical; lists are
/// plural in JSON and singular (repeatable) on the command line.
pub fn flag_names(key: &str) -> &'static [&'static str] {
    match key {
        "hosts" => &["host"],
        "insecure-registries" => &["insecure-registry"],
        "authorization-plugins" => &["authorization-plugin"],
        "default-ulimits" => &["default-ulimit"],
        "storage-opts" => &["storage-opt"],
        "log-opts" => &["log-opt"],
        "labels" => &["label"],
        "data-root" => &["data-root", "graph"],
        _ => &[],
    }
}

impl DaemonFacts {
    /// Look a setting up by its daemon.json key.
    pub fn setting(&self, key: &str) -> Result<Setting, SettingError> {
        let names = flag_names(key);
        let vals: Vec<String> = self
            .flags
            .iter()
            .filter(|f| {
                if names.is_empty() {
                    f.name == key
                } else {
                    names.contains(&f.name.as_str())
                }
            })
            .map(|f| f.value.clone().unwrap_or_else(|| "true".to_string()))
            .collect();
        if !vals.is_empty() {
            let name = self
                .flags
                .iter()
                .find(|f| names.contains(&f.name.as_str()) || f.name == key)
                .map(|f| f.name.clone())
                .unwrap_or_else(|| key.to_string());
            return Ok(Setting::Flag { name, values: vals });
        }
        match &self.config {
            DaemonConfigFile::Missing => Ok(Setting::Unset),
            DaemonConfigFile::Parsed { settings } => Ok(match settings.get(key) {
                Some(v) => Setting::Json {
                    key: key.to_string(),
                    value: v.clone(),
                },
                None => Setting::Unset,
            }),
            DaemonConfigFile::Invalid {
                line,
                column,
                message,
            } => Err(SettingError(format!(
                "{}:{line}:{column}: daemon.json is not valid JSON ({message}), so '{key}' is unknown",
                self.config_file
            ))),
            DaemonConfigFile::Unreadable { reason } => Err(SettingError(format!(
                "{}: cannot read daemon.json ({reason}), so '{key}' is unknown",
                self.config_file
            ))),
        }
    }

    /// A boolean setting with the daemon's default.
    pub fn bool_setting(&self, key: &str, default: bool) -> Result<(bool, String), SettingError> {
        Ok(match self.setting(key)? {
            Setting::Flag { name, values } => {
                let last = values.last().cloned().unwrap_or_default();
                (last != "false", format!("flag --{name}={last}"))
            }
            Setting::Json { key, value } => {
                let b = match &value {
                    Value::Bool(b) => *b,
                    Value::String(s) => s != "false",
                    _ => default,
                };
                (b, format!("{}: \"{key}\": {value}", self.config_file))
            }
            Setting::Unset => (default, format!("not set (default {default})")),
        })
    }

    /// A string setting (`None` when unset).
    pub fn str_setting(&self, key: &str) -> Result<(Option<String>, String), SettingError> {
        Ok(match self.setting(key)? {
            Setting::Flag { name, values } => {
                let last = values.last().cloned().unwrap_or_default();
                (Some(last.clone()), format!("flag --{name}={last}"))
            }
            Setting::Json { key, value } => {
                let s = match &value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (Some(s), format!("{}: \"{key}\": {value}", self.config_file))
            }
            Setting::Unset => (None, "not set".to_string()),
        })
    }

    /// A list setting: every flag occurrence, or the JSON array (a JSON
    /// object contributes its keys, e.g. `default-ulimits`).
    pub fn list_setting(&self, key: &str) -> Result<(Vec<String>, String), SettingError> {
        Ok(match self.setting(key)? {
            Setting::Flag { name, values } => {
                let src = values
                    .iter()
                    .map(|v| format!("--{name}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                (values, format!("flags {src}"))
            }
            Setting::Json { key, value } => {
                let items = match &value {
                    Value::Array(a) => a
                        .iter()
                        .map(|v| v.as_str().map(str::to_string).unwrap_or(v.to_string()))
                        .collect(),
                    Value::Object(m) => m.keys().cloned().collect(),
                    Value::Null => Vec::new(),
                    Value::String(s) if s.is_empty() => Vec::new(),
                    other => vec![other
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or(other.to_string())],
                };
                (items, format!("{}: \"{key}\": {value}", self.config_file))
            }
            Setting::Unset => (Vec::new(), "not set".to_string()),
        })
    }

    /// Every address the daemon listens on (`-H`/`hosts`), defaulting to the
    /// unix socket. `fd://` means socket activation by systemd.
    pub fn hosts(&self) -> Result<Vec<String>, SettingError> {
        let (hosts, _) = self.list_setting("hosts")?;
        Ok(if hosts.is_empty() {
            vec!["unix:///var/run/docker.sock".to_string()]
        } else {
            hosts
        })
    }

    /// Paths of the unix sockets the daemon serves: its `unix://` hosts,
    /// plus the socket shipshape itself uses.
    pub fn unix_socket_paths(&self, unit_listen: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        let hosts = self.hosts().unwrap_or_default();
        for h in &hosts {
            if let Some(p) = h.strip_prefix("unix://") {
                out.push(if p.is_empty() {
                    "/var/run/docker.sock".to_string()
                } else {
                    p.to_string()
                });
            } else if h.starts_with("fd://") {
                for l in unit_listen {
                    if l.starts_with('/') {
                        out.push(l.clone());
                    }
                }
            }
        }
        if !out.iter().any(|p| same_socket(p, &self.socket)) {
            out.push(self.socket.clone());
        }
        out.dedup();
        out
    }

    /// TLS file paths: (ca, cert, key). When TLS is requested without paths,
    /// dockerd uses `~/.docker/{ca,cert,key}.pem` of its user (root).
    pub fn tls_paths(&self) -> Result<Option<[String; 3]>, SettingError> {
        let (tls, _) = self.bool_setting("tls", false)?;
        let (verify, _) = self.bool_setting("tlsverify", false)?;
        let ca = self.str_setting("tlscacert")?.0;
        let cert = self.str_setting("tlscert")?.0;
        let key = self.str_setting("tlskey")?.0;
        if !(tls || verify || ca.is_some() || cert.is_some() || key.is_some()) {
            return Ok(None);
        }
        Ok(Some([
            ca.unwrap_or_else(|| "/root/.docker/ca.pem".into()),
            cert.unwrap_or_else(|| "/root/.docker/cert.pem".into()),
            key.unwrap_or_else(|| "/root/.docker/key.pem".into()),
        ]))
    }
}

/// Docker's root directory: what the daemon reports, else `data-root`,
/// else the default.
pub fn docker_root_dir(engine: Option<&super::Engine>, daemon: &DaemonFacts) -> String {
    engine
        .map(|e| e.info.docker_root_dir.clone())
        .filter(|d| !d.is_empty())
        .or_else(|| daemon.str_setting("data-root").ok().and_then(|v| v.0))
        .unwrap_or_else(|| "/var/lib/docker".to_string())
}

impl super::Snapshot {
    pub fn docker_root_dir(&self) -> String {
        docker_root_dir(self.engine.ok(), &self.daemon)
    }

    /// `ListenStream=` paths of the docker.socket unit, if any.
    pub fn socket_unit_listen(&self) -> Vec<String> {
        self.host
            .units
            .ok()
            .and_then(|u| u.iter().find(|u| u.name == "docker.socket"))
            .map(|u| u.listen_stream.clone())
            .unwrap_or_default()
    }

    /// Every unix socket the daemon serves (see [`DaemonFacts::unix_socket_paths`]).
    pub fn docker_sockets(&self) -> Vec<String> {
        self.daemon.unix_socket_paths(&self.socket_unit_listen())
    }
}

/// `/var/run` is a link to `/run` on every modern distribution.
pub fn same_socket(a: &str, b: &str) -> bool {
    normalize_run(a) == normalize_run(b)
}

pub fn normalize_run(p: &str) -> String {
    if p == "/var/run" {
        return "/run".to_string();
    }
    match p.strip_prefix("/var/run/") {
        Some(rest) => format!("/run/{rest}"),
        None => p.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{DaemonFlag, Probe};
    use std::collections::BTreeMap;

    fn facts(flags: &[(&str, Option<&str>)], json: Option<&str>) -> DaemonFacts {
        DaemonFacts {
            socket: "/var/run/docker.sock".into(),
            process: Probe::Ok(None),
            flags: flags
                .iter()
                .map(|(n, v)| DaemonFlag {
                    name: n.to_string(),
                    value: v.map(str::to_string),
                })
                .collect(),
            flags_source: String::new(),
            config_file: "/etc/docker/daemon.json".into(),
            config: match json {
                None => DaemonConfigFile::Missing,
                Some(j) => DaemonConfigFile::Parsed {
                    settings: serde_json::from_str::<BTreeMap<String, Value>>(j).unwrap(),
                },
            },
        }
    }

    #[test]
    fn flag_beats_json_and_default_applies_when_unset() {
        let f = facts(&[("icc", Some("false"))], Some(r#"{"iptables":false}"#));
        assert!(!f.bool_setting("icc", true).unwrap().0);
        assert!(!f.bool_setting("iptables", true).unwrap().0);
        assert!(!f.bool_setting("live-restore", false).unwrap().0);
    }

    #[test]
    fn repeatable_flags_map_to_plural_json_keys() {
        let f = facts(
            &[
                ("host", Some("unix:///run/d.sock")),
                ("host", Some("tcp://0.0.0.0:2375")),
            ],
            None,
        );
        assert_eq!(f.hosts().unwrap().len(), 2);
        let g = facts(&[], Some(r#"{"insecure-registries":["a:5000"]}"#));
        assert_eq!(
            g.list_setting("insecure-registries").unwrap().0,
            vec!["a:5000"]
        );
    }

    #[test]
    fn invalid_json_is_an_error_unless_the_flag_decides() {
        let mut f = facts(&[("icc", Some("false"))], None);
        f.config = DaemonConfigFile::Invalid {
            line: 3,
            column: 7,
            message: "expected `,`".into(),
        };
        assert!(f.bool_setting("icc", true).is_ok());
        let e = f.bool_setting("iptables", true).unwrap_err();
        assert!(e.0.contains("daemon.json:3:7"), "{}", e.0);
    }

    #[test]
    fn var_run_and_run_are_the_same_socket() {
        assert!(same_socket("/var/run/docker.sock", "/run/docker.sock"));
        assert!(!same_socket("/run/docker.sock", "/run/other.sock"));
    }
}
