//! 1.1.3–1.1.18: audit rules for the daemon, its files and its binaries.
//!
//! A rule matches a path when it names that exact path, or when it watches
//! a directory above it (`-w DIR` and `-F dir=` cover the whole tree). Paths
//! are compared whole, never as substrings, so a rule for
//! `/usr/bin/containerd-shim` does not satisfy `/usr/bin/containerd`. Rules
//! are read from the kernel (`auditctl -l`) and from `audit.rules` and
//! `rules.d/*.rules`; a rule that is only on disk is reported as not loaded.

use super::*;
use crate::findings::Severity;
use crate::rules::Scope;
use crate::snapshot::{AuditFacts, AuditRule, Probe};

/// What a check wants audited.
#[derive(Clone, Copy)]
enum Subject {
    /// A binary, found on the host's bin directories.
    Binary(&'static str),
    /// A fixed path.
    Path(&'static str),
    /// The daemon's root directory (DockerRootDir).
    DockerRoot,
    /// A systemd unit file.
    Unit(&'static str),
    /// The containerd socket in use.
    ContainerdSocket,
    /// The daemon.json in effect.
    DaemonJson,
    /// The config.toml the running containerd uses (its `--config`), else
    /// the default path.
    ContainerdConfig,
}

const REMEDIATION: &str = "Add a watch for the path to the audit rules, e.g. a file \
    /etc/audit/rules.d/docker.rules with `-w PATH -p rwxa -k docker`, then load it with \
    `augenrules --load` (or restart auditd).";

macro_rules! audit_checks {
    ($( $id:literal, $fn:ident, $subject:expr, $title:literal, $why:literal ;)*) => {
        pub(super) static CHECKS: &[Check] = &[
            $( Check {
        meta: RuleMeta::cis_docker($id, $title, Severity::Medium, &[R, T], REMEDIATION)
            .rationale($why)
            .refs(&[cwe("778")])
            .fix(Fix::AuditWatch),
        automated: true,
        scope: Scope::Host,
        eval: $fn,
    }, )*
        ];
        $( fn $fn(cx: &Context) -> Verdict { audit(cx, $subject) } )*
    };
}

audit_checks! {
    "1.1.3", c_1_1_3, Subject::Binary("dockerd"), "The Docker daemon binary is audited",
        "dockerd runs as root and carries out every container operation, so replacing or \
        patching its binary gives an attacker a persistent foothold with full control of the \
        host. Without an audit watch on the binary, such a swap, or an unexpected execution of \
        it, leaves no record. A watch logs every write, attribute change and execution for \
        later investigation.";
    "1.1.4", c_1_1_4, Subject::Path("/run/containerd"), "/run/containerd is audited",
        "/run/containerd holds containerd's runtime state and sockets, including the shims that \
        manage each running container. Tampering there can redirect or hijack containers, and \
        without auditing nothing records who touched it. An audit watch on the directory \
        leaves a trail of every change made to it.";
    "1.1.5", c_1_1_5, Subject::DockerRoot, "Docker's root directory is audited",
        "Docker's root directory holds every image layer, container filesystem, volume and \
        local log. An attacker who writes there can plant code in images or containers, or \
        alter logs, all outside the API and its events. Auditing the directory records such \
        direct file access, which the daemon itself would never report.";
    "1.1.6", c_1_1_6, Subject::Path("/etc/docker"), "/etc/docker is audited",
        "/etc/docker holds the daemon's configuration, its TLS keys and registry certificates. \
        Changes there can turn off protections, trust a rogue registry or steal the daemon's \
        identity at the next restart. An audit watch records who changed which file and when, \
        so such edits can be noticed and traced.";
    "1.1.7", c_1_1_7, Subject::Unit("docker.service"), "The docker.service unit file is audited",
        "The docker.service unit decides how dockerd starts: its binary, flags and environment. \
        Editing it can add an open TCP listener or drop security options at the next restart \
        without touching daemon.json. Auditing the unit file records such edits so a weakened \
        configuration can be traced back to its author.";
    "1.1.8", c_1_1_8, Subject::ContainerdSocket, "The containerd socket is audited",
        "The containerd socket accepts unauthenticated commands that can create and control \
        containers outside Docker's API and authorization plugins. Access to it is as good as \
        root, so its use and any change to it should leave a record. An audit watch logs who \
        opened or modified the socket.";
    "1.1.9", c_1_1_9, Subject::Unit("docker.socket"), "The docker.socket unit file is audited",
        "The docker.socket unit defines the socket's path, owner, group and mode. Loosening \
        them, for example making the socket world-writable, hands root-equivalent API access \
        to every local user at the next start. An audit watch on the unit records such a \
        change and the account that made it.";
    "1.1.10", c_1_1_10, Subject::Path("/etc/default/docker"), "/etc/default/docker is audited",
        "/etc/default/docker supplies options and environment to dockerd on Debian-style \
        systems. A change there can quietly add insecure flags such as an unauthenticated \
        listener or an insecure registry. Auditing the file keeps a record of edits that would \
        otherwise only show up as a changed daemon after a restart.";
    "1.1.11", c_1_1_11, Subject::DaemonJson, "The daemon.json in effect is audited",
        "daemon.json holds most of the daemon's security settings: user namespaces, TLS, \
        logging, registries, default seccomp and more. An edit can disable several protections \
        in one go at the next restart or reload. An audit watch on the file in effect records \
        every change and who made it, so such a rollback can be spotted and traced.";
    "1.1.12", c_1_1_12, Subject::ContainerdConfig, "containerd's config.toml is audited",
        "containerd's config.toml chooses runtimes, plugins, registry mirrors and the socket's \
        permissions. A malicious edit can register a rogue runtime or trust an unsafe registry \
        for every container on the host. Auditing the file records when it was changed and by \
        whom.";
    "1.1.13", c_1_1_13, Subject::Path("/etc/sysconfig/docker"), "/etc/sysconfig/docker is audited",
        "/etc/sysconfig/docker supplies options and environment to dockerd on Red Hat-style \
        systems. An edit there can enable insecure flags or point the daemon at other settings \
        without changing daemon.json. Auditing the file keeps a record of such changes and the \
        account behind them.";
    "1.1.14", c_1_1_14, Subject::Binary("containerd"), "The containerd binary is audited",
        "containerd runs as root and manages every container's lifecycle below dockerd. A \
        replaced or modified containerd binary gives an attacker root-level persistence that \
        survives container restarts. An audit watch records writes to the binary and its \
        executions, so tampering leaves evidence.";
    "1.1.15", c_1_1_15, Subject::Binary("containerd-shim"), "The containerd-shim binary is audited",
        "The containerd-shim binary is started as root for running containers and stays \
        attached to them. Swapping it lets an attacker run code alongside, or inside, every \
        new container. Auditing the binary records any modification and each execution for \
        later investigation.";
    "1.1.16", c_1_1_16, Subject::Binary("containerd-shim-runc-v1"), "The containerd-shim-runc-v1 binary is audited",
        "containerd-shim-runc-v1 is the legacy shim containerd starts as root to drive runc for \
        each container. A tampered copy runs attacker code in the path of every container it \
        manages. An audit watch records writes to the binary and its executions, so a swap \
        does not go unseen.";
    "1.1.17", c_1_1_17, Subject::Binary("containerd-shim-runc-v2"), "The containerd-shim-runc-v2 binary is audited",
        "containerd-shim-runc-v2 is the shim containerd starts as root for each container or \
        pod group on current systems. Replacing it gives an attacker code execution inside the \
        setup of every new container. Auditing the binary records changes and executions, \
        leaving evidence of tampering.";
    "1.1.18", c_1_1_18, Subject::Binary("runc"), "The runc binary is audited",
        "runc is the low-level runtime that actually creates each container's namespaces and \
        cgroups as root, and past runc flaws allowed containers to overwrite it from inside. A \
        modified runc undermines every container's isolation. An audit watch records writes to \
        and executions of the binary, so such an overwrite is logged.";
}

/// Resolve the subject to a host path, or the N/A / ERROR verdict.
fn subject_path(cx: &Context, s: Subject) -> Result<String, Verdict> {
    let host = &cx.snap.host;
    let existing = |p: &str| -> Result<String, Verdict> {
        match file(cx, p)? {
            Some(_) => Ok(p.to_string()),
            None => Err(Verdict::not_applicable(format!(
                "{p} does not exist on this host"
            ))),
        }
    };
    match s {
        Subject::Binary(b) => match host.binaries.get(b) {
            None => Err(Verdict::error(format!(
                "binary {b} was not looked up in this snapshot"
            ))),
            Some(None) => Err(Verdict::not_applicable(format!("{b} is not installed"))),
            Some(Some(p)) => Ok(p.clone()),
        },
        Subject::Path(p) => existing(p),
        Subject::DockerRoot => existing(&cx.snap.docker_root_dir()),
        Subject::Unit(_)
            if host
                .init
                .as_ref()
                .and_then(|i| i.units_not_in_effect())
                .is_some() =>
        {
            Err(Verdict::not_applicable(
                host.init
                    .as_ref()
                    .and_then(|i| i.units_not_in_effect())
                    .unwrap_or_default(),
            ))
        }
        Subject::Unit(u) => match host.units.as_result() {
            Err(e) => Err(Verdict::error(e.to_string())),
            Ok(units) => match units
                .iter()
                .find(|x| x.name == u)
                .and_then(|x| x.fragment.clone())
            {
                Some(p) => Ok(p),
                None => Err(Verdict::not_applicable(format!("no {u} unit is installed"))),
            },
        },
        Subject::ContainerdSocket => match &host.containerd_socket {
            Some(p) => Ok(p.clone()),
            None => Err(Verdict::not_applicable("no containerd socket exists")),
        },
        Subject::DaemonJson => existing(&cx.snap.daemon.config_file.clone()),
        Subject::ContainerdConfig => existing(
            host.containerd_config
                .as_deref()
                .unwrap_or("/etc/containerd/config.toml"),
        ),
    }
}

/// Fold `/var/run` into `/run` and merged-/usr aliases into `/usr`.
fn canonical(p: &str) -> String {
    let p = crate::snapshot::daemon::normalize_run(p.trim_end_matches('/'));
    for (alias, real) in [
        ("/bin/", "/usr/bin/"),
        ("/sbin/", "/usr/sbin/"),
        ("/lib/", "/usr/lib/"),
    ] {
        if let Some(rest) = p.strip_prefix(alias) {
            return format!("{real}{rest}");
        }
    }
    p
}

pub(crate) fn rule_covers(rule: &AuditRule, path: &str) -> bool {
    let (r, p) = (canonical(&rule.path), canonical(path));
    r == p || (rule.recursive && p.starts_with(&format!("{r}/")))
}

/// A rule on disk that covers a path: the rule file and the rule.
type OnDisk<'a> = (String, &'a AuditRule);

/// The first rule-file rule that `covers` accepts, and the rule files that
/// could not be read.
fn on_disk<'a>(
    audit: &'a AuditFacts,
    covers: &dyn Fn(&AuditRule) -> bool,
) -> (Option<OnDisk<'a>>, Vec<String>) {
    let mut errors = Vec::new();
    let mut found = None;
    for f in &audit.files {
        match &f.rules {
            Probe::Ok(rules) => {
                if found.is_none() {
                    found = rules
                        .iter()
                        .find(|r| covers(r))
                        .map(|r| (f.path.clone(), r));
                }
            }
            Probe::Error(e) => errors.push(e.clone()),
        }
    }
    (found, errors)
}

fn disk_src((file, r): &OnDisk) -> String {
    format!("{file}:{}", r.line)
}

/// The kernel's rules are known: a loaded rule passes, one only on disk or
/// none at all fails.
fn judge_loaded(
    path: &str,
    target: Target,
    loaded: &[AuditRule],
    disk: Option<OnDisk>,
    covers: &dyn Fn(&AuditRule) -> bool,
) -> Verdict {
    if let Some(r) = loaded.iter().find(|r| covers(r)) {
        return Verdict::pass(format!("{path} is audited")).with(
            Evidence::new(
                target,
                Outcome::Pass,
                format!("loaded rule `{}`", r.text),
                "",
            )
            .with_source("auditctl -l"),
        );
    }
    match disk {
        Some(d) => Verdict::fail(format!("a rule for {path} is on disk but not loaded")).with(
            Evidence::new(
                target,
                Outcome::Fail,
                format!("`{}` is not in the kernel's rules", d.1.text),
                "the rule loaded (augenrules --load)",
            )
            .with_source(disk_src(&d)),
        ),
        None => Verdict::fail(format!("no audit rule covers {path}")).with(
            Evidence::new(
                target,
                Outcome::Fail,
                format!("none of {} loaded rules covers it", loaded.len()),
                format!("-w {path} -p rwxa -k docker"),
            )
            .with_source("auditctl -l"),
        ),
    }
}

/// The kernel's rules could not be read: a rule on disk is a WARN, none is
/// an ERROR (the answer is unknown).
fn judge_unreadable(path: &str, target: Target, e: &str, disk: Option<OnDisk>) -> Verdict {
    match disk {
        Some(d) => Verdict::warn(format!(
            "a rule for {path} is on disk, but the loaded rules could not be read: {e}"
        ))
        .with(
            Evidence::new(
                target,
                Outcome::Warn,
                format!("`{}` on disk; kernel rules unknown", d.1.text),
                "the rule loaded",
            )
            .with_source(disk_src(&d)),
        ),
        None => Verdict::error(format!(
            "loaded audit rules could not be read ({e}) and no rule file covers {path}"
        )),
    }
}

/// auditctl is not installed: the rule files decide.
fn judge_files_only(
    path: &str,
    target: Target,
    audit: &AuditFacts,
    disk: Option<OnDisk>,
    file_errors: Vec<String>,
) -> Verdict {
    match disk {
        Some(d) => Verdict::pass(format!(
            "{path} is audited by a rule file (auditctl unavailable, loaded rules not checked)"
        ))
        .with(
            Evidence::new(target, Outcome::Pass, format!("rule `{}`", d.1.text), "")
                .with_source(disk_src(&d)),
        ),
        None if !file_errors.is_empty() => Verdict::error(file_errors.join("; ")),
        None => {
            let where_ = if audit.files.is_empty() {
                "no audit rule files exist and auditctl is not installed".to_string()
            } else {
                format!("none of {} rule files covers it", audit.files.len())
            };
            Verdict::fail(format!("no audit rule covers {path}")).with(Evidence::new(
                target,
                Outcome::Fail,
                where_,
                format!("-w {path} -p rwxa -k docker"),
            ))
        }
    }
}

fn audit(cx: &Context, s: Subject) -> Verdict {
    let path = match subject_path(cx, s) {
        Ok(p) => p,
        Err(v) => return v,
    };
    let target = Target::File { path: path.clone() };
    // A binary reached through a symbolic link is covered by a rule on the
    // link or on the file it leads to.
    let link_target = cx.snap.host.binary_targets.get(&path).cloned();
    let covers = |r: &AuditRule| {
        rule_covers(r, &path) || link_target.as_deref().is_some_and(|t| rule_covers(r, t))
    };
    let audit = &cx.snap.host.audit;
    let (disk, file_errors) = on_disk(audit, &covers);
    match &audit.loaded {
        Some(Probe::Ok(loaded)) => judge_loaded(&path, target, loaded, disk, &covers),
        Some(Probe::Error(e)) => judge_unreadable(&path, target, e, disk),
        None => judge_files_only(&path, target, audit, disk, file_errors),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::snapshot::AuditRuleFile;

    fn rule(path: &str, recursive: bool) -> AuditRule {
        AuditRule {
            kind: "watch".into(),
            path: path.into(),
            recursive,
            perms: "wa".into(),
            key: "docker".into(),
            text: format!("-w {path} -p wa -k docker"),
            line: 1,
        }
    }

    #[test]
    fn whole_path_matching_not_substrings() {
        assert!(rule_covers(
            &rule("/usr/bin/containerd", true),
            "/usr/bin/containerd"
        ));
        assert!(!rule_covers(
            &rule("/usr/bin/containerd-shim", true),
            "/usr/bin/containerd"
        ));
        assert!(rule_covers(
            &rule("/etc/docker", true),
            "/etc/docker/daemon.json"
        ));
        assert!(!rule_covers(
            &rule("/etc/docker/daemon.json", true),
            "/etc/docker"
        ));
        assert!(rule_covers(
            &rule("/var/run/containerd", true),
            "/run/containerd"
        ));
        assert!(rule_covers(&rule("/bin/runc", false), "/usr/bin/runc"));
        assert!(
            !rule_covers(&rule("/usr/bin", false), "/usr/bin/runc"),
            "-F path= is exact"
        );
    }

    #[test]
    fn missing_rule_fails_present_rule_passes() {
        let mut s = hardened();
        expect("1.1.3", &s, Outcome::Pass);
        let strip = |s: &mut crate::snapshot::Snapshot, p: &str| {
            if let Some(Probe::Ok(r)) = &mut s.host.audit.loaded {
                r.retain(|r| r.path != p);
            }
            for f in &mut s.host.audit.files {
                if let Probe::Ok(r) = &mut f.rules {
                    r.retain(|r| r.path != p);
                }
            }
        };
        strip(&mut s, "/usr/bin/dockerd");
        expect("1.1.3", &s, Outcome::Fail);
        // A substring-alike rule must not satisfy it.
        if let Some(Probe::Ok(r)) = &mut s.host.audit.loaded {
            r.push(rule("/usr/bin/dockerd-rootless.sh", true));
        }
        expect("1.1.3", &s, Outcome::Fail);
    }

    #[test]
    fn rules_d_files_count_and_unloaded_rules_are_named() {
        let mut s = hardened();
        // Only on disk, in rules.d, and auditctl is unavailable: PASS from the file.
        s.host.audit.loaded = None;
        let f = expect("1.1.6", &s, Outcome::Pass);
        assert_eq!(
            f.evidence[0].source.as_deref(),
            Some("/etc/audit/rules.d/docker.rules:4")
        );
        // auditctl works but the kernel does not have the rule: FAIL, naming the file.
        s.host.audit.loaded = Some(Probe::Ok(vec![]));
        let f = expect("1.1.6", &s, Outcome::Fail);
        assert!(f.message.contains("not loaded"));
        // auditctl failed (no CAP_AUDIT_CONTROL) and no file covers it: ERROR, not FAIL/PASS.
        s.host.audit.loaded = Some(Probe::Error("Operation not permitted".into()));
        s.host.audit.files = vec![AuditRuleFile {
            path: "/etc/audit/audit.rules".into(),
            rules: Probe::Ok(vec![]),
        }];
        expect("1.1.6", &s, Outcome::Error);
    }

    #[test]
    fn absent_components_are_not_applicable() {
        let mut s = hardened();
        s.host.binaries.insert("containerd-shim".into(), None);
        expect("1.1.15", &s, Outcome::NotApplicable);
        expect("1.1.13", &s, Outcome::NotApplicable);
        s.host.containerd_socket = None;
        expect("1.1.8", &s, Outcome::NotApplicable);
    }

    #[test]
    fn binaries_outside_usr_bin_are_found_where_they_are() {
        let mut s = hardened();
        s.host
            .binaries
            .insert("runc".into(), Some("/usr/sbin/runc".into()));
        s.host
            .files
            .insert("/usr/sbin/runc".into(), stat("file", 0, 0, 0o755));
        let f = expect("1.1.18", &s, Outcome::Fail);
        assert!(f.message.contains("/usr/sbin/runc"));
    }

    #[test]
    fn a_symlinked_binary_is_covered_by_a_rule_on_the_link_or_its_target() {
        let mut s = hardened();
        // /usr/bin/runc -> /usr/sbin/runc; the rule names the real file.
        s.host
            .binary_targets
            .insert("/usr/bin/runc".into(), "/usr/sbin/runc".into());
        if let Some(Probe::Ok(r)) = &mut s.host.audit.loaded {
            r.retain(|r| !rule_covers(r, "/usr/bin/runc"));
            r.push(rule("/usr/sbin/runc", false));
        }
        expect("1.1.18", &s, Outcome::Pass);
        // Without the link, a rule on another file does not count.
        s.host.binary_targets.clear();
        expect("1.1.18", &s, Outcome::Fail);
    }

    #[test]
    fn unit_files_are_not_applicable_when_systemd_did_not_start_dockerd() {
        let mut s = hardened();
        expect("1.1.7", &s, Outcome::Pass);
        s.host.init = Some(crate::snapshot::InitFacts {
            systemd_running: false,
            dockerd_from_unit: Some(false),
            source: "/run/systemd/system absent".into(),
        });
        for id in ["1.1.7", "1.1.9", "3.1", "3.2", "3.3", "3.4"] {
            let f = expect(id, &s, Outcome::NotApplicable);
            assert!(
                f.message.contains("systemd is not running"),
                "{id}: {}",
                f.message
            );
        }
        // Under systemd the unit files count again.
        s.host.init.as_mut().unwrap().systemd_running = true;
        expect("1.1.7", &s, Outcome::Pass);
        expect("3.1", &s, Outcome::Pass);
    }

    #[test]
    fn containerd_config_follows_its_command_line() {
        let mut s = hardened();
        let p = "/var/run/docker/containerd/containerd.toml";
        s.host.containerd_config = Some(p.into());
        s.host.files.insert(p.into(), stat("file", 0, 0, 0o644));
        let f = expect("1.1.12", &s, Outcome::Fail);
        assert_eq!(f.evidence[0].target.label(), p);
        if let Some(Probe::Ok(r)) = &mut s.host.audit.loaded {
            r.push(rule(p, false));
        }
        expect("1.1.12", &s, Outcome::Pass);
    }

    #[test]
    fn every_audit_check_passes_with_its_rule_and_fails_without() {
        let mut base = hardened();
        let extra = [
            "/usr/bin/containerd-shim",
            "/usr/bin/containerd-shim-runc-v1",
            "/etc/sysconfig/docker",
        ];
        for p in extra {
            base.host.files.insert(p.into(), stat("file", 0, 0, 0o644));
            if let Some(Probe::Ok(r)) = &mut base.host.audit.loaded {
                r.push(rule(p, false));
            }
        }
        for b in ["containerd-shim", "containerd-shim-runc-v1"] {
            base.host
                .binaries
                .insert(b.into(), Some(format!("/usr/bin/{b}")));
        }
        let cases = [
            ("1.1.3", "/usr/bin/dockerd"),
            ("1.1.4", "/run/containerd"),
            ("1.1.5", "/var/lib/docker"),
            ("1.1.6", "/etc/docker"),
            ("1.1.7", "/lib/systemd/system/docker.service"),
            ("1.1.8", "/run/containerd/containerd.sock"),
            ("1.1.9", "/lib/systemd/system/docker.socket"),
            ("1.1.10", "/etc/default/docker"),
            ("1.1.11", "/etc/docker/daemon.json"),
            ("1.1.12", "/etc/containerd/config.toml"),
            ("1.1.13", "/etc/sysconfig/docker"),
            ("1.1.14", "/usr/bin/containerd"),
            ("1.1.15", "/usr/bin/containerd-shim"),
            ("1.1.16", "/usr/bin/containerd-shim-runc-v1"),
            ("1.1.17", "/usr/bin/containerd-shim-runc-v2"),
            ("1.1.18", "/usr/bin/runc"),
        ];
        for (id, path) in cases {
            let mut s = base.clone();
            let f = expect(id, &s, Outcome::Pass);
            assert_eq!(f.evidence[0].target.label(), path, "{id}");
            // Remove every rule that covers the path, loaded or on disk.
            if let Some(Probe::Ok(r)) = &mut s.host.audit.loaded {
                r.retain(|r| !rule_covers(r, path));
            }
            for file in &mut s.host.audit.files {
                if let Probe::Ok(r) = &mut file.rules {
                    r.retain(|r| !rule_covers(r, path));
                }
            }
            let f = expect(id, &s, Outcome::Fail);
            assert_eq!(f.evidence[0].target.label(), path, "{id}");
        }
    }
}
