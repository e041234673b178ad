use super::*;
use crate::rules::docker::fixtures::*;
use crate::rules::{docker::checks, evaluate, EvalOptions};
use crate::snapshot::{DaemonFlag, EnvSetting, Probe, Snapshot};
use serde_json::json;

fn plan_for(s: &Snapshot, opts: &PlanOptions) -> Plan {
    let all: Vec<_> = checks().iter().collect();
    let findings = evaluate(s, &EvalOptions::default(), &all).findings;
    plan(s, &findings, opts)
}

fn plan_of(s: &Snapshot) -> Plan {
    plan_for(s, &PlanOptions::default())
}

fn strip_rules(s: &mut Snapshot, path: &str) {
    if let Some(Probe::Ok(r)) = &mut s.host.audit.loaded {
        r.retain(|r| r.path != path);
    }
    for f in &mut s.host.audit.files {
        if let Probe::Ok(r) = &mut f.rules {
            r.retain(|r| r.path != path);
        }
    }
}

#[test]
fn a_hardened_host_needs_no_action() {
    let p = plan_of(&hardened());
    assert!(p.actions.is_empty(), "{:#?}", p.actions);
    assert!(p.skipped.is_empty(), "{:#?}", p.skipped);
}

#[test]
fn audit_rule_names_the_real_dockerd_path() {
    let mut s = hardened();
    s.host
        .binaries
        .insert("dockerd".into(), Some("/usr/sbin/dockerd".into()));
    s.host
        .files
        .insert("/usr/sbin/dockerd".into(), stat("file", 0, 0, 0o755));
    let p = plan_of(&s);
    let a: Vec<_> = p.for_check("1.1.3").collect();
    assert_eq!(a.len(), 1, "{:#?}", p.actions);
    assert_eq!(a[0].effect, Effect::Live);
    match &a[0].change {
        Change::AuditRule {
            line, file, path, ..
        } => {
            assert_eq!(line, "-w /usr/sbin/dockerd -p rwxa -k docker");
            assert_eq!(path, "/usr/sbin/dockerd");
            assert_eq!(file, DEFAULT_RULES_FILE);
        }
        c => panic!("{c:?}"),
    }
}

#[test]
fn audit_rules_follow_docker_root_and_config_file() {
    let mut s = hardened();
    s.daemon.config_file = "/srv/docker/conf.json".into();
    s.host
        .files
        .insert("/srv/docker/conf.json".into(), stat("file", 0, 0, 0o644));
    engine_mut(&mut s).info.docker_root_dir = "/data/docker".into();
    s.host
        .files
        .insert("/data/docker".into(), stat("dir", 0, 0, 0o710));
    let p = plan_of(&s);
    let lines: Vec<String> = p
        .actions
        .iter()
        .filter_map(|a| match &a.change {
            Change::AuditRule { line, .. } => Some(format!("{} {line}", a.check)),
            _ => None,
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            "1.1.5 -w /data/docker -p rwxa -k docker",
            "1.1.11 -w /srv/docker/conf.json -p rwxa -k docker"
        ]
    );
}

#[test]
fn a_rule_on_disk_but_not_loaded_is_loaded_and_named() {
    let mut s = hardened();
    if let Some(Probe::Ok(r)) = &mut s.host.audit.loaded {
        r.retain(|r| r.path != "/etc/docker");
    }
    let p = plan_of(&s);
    let a = p.for_check("1.1.6").next().expect("1.1.6 action");
    match &a.change {
        Change::AuditRule { on_disk, .. } => {
            assert_eq!(
                on_disk.as_deref(),
                Some("/etc/audit/rules.d/docker.rules:4")
            )
        }
        c => panic!("{c:?}"),
    }
    strip_rules(&mut s, "/etc/docker");
    let p = plan_of(&s);
    assert!(matches!(
        &p.for_check("1.1.6").next().unwrap().change,
        Change::AuditRule { on_disk: None, .. }
    ));
}

#[test]
fn daemon_keys_are_classed_live_or_restart() {
    let mut s = hardened();
    let set = settings_mut(&mut s);
    set.remove("icc");
    set.remove("live-restore");
    set.remove("no-new-privileges");
    engine_mut(&mut s).info.live_restore_enabled = false;
    let p = plan_of(&s);
    let key = |id: &str| -> (String, Value, Effect) {
        let a = p
            .for_check(id)
            .next()
            .unwrap_or_else(|| panic!("{id}: {:#?}", p));
        match &a.change {
            Change::DaemonJson { key, value, .. } => (key.clone(), value.clone(), a.effect),
            c => panic!("{c:?}"),
        }
    };
    assert_eq!(key("2.2"), ("icc".into(), json!(false), Effect::Restart));
    assert_eq!(
        key("2.14"),
        ("no-new-privileges".into(), json!(true), Effect::Restart)
    );
    assert_eq!(
        key("2.15"),
        ("live-restore".into(), json!(true), Effect::Live)
    );
    // live-restore is switched on live before any restart, so a restart stops nothing.
    assert!(p.live_restore_after_live);
    assert!(p.restart_stops.is_empty());
}

#[test]
fn a_restart_names_the_containers_it_would_stop() {
    let mut s = hardened();
    settings_mut(&mut s).remove("icc");
    settings_mut(&mut s).insert("live-restore".into(), json!(false));
    engine_mut(&mut s).info.live_restore_enabled = false;
    let p = plan_of(&s);
    assert!(p.count(Effect::Restart) >= 1);
    // live-restore is the user's own false: kept, so the restart stops "web".
    assert!(p.skipped.iter().any(|k| k.check == "2.15"));
    assert_eq!(p.restart_stops, vec!["web"]);
}

#[test]
fn the_user_s_own_value_is_kept_unless_forced() {
    let mut s = hardened();
    settings_mut(&mut s).insert("icc".into(), json!(true));
    let p = plan_of(&s);
    assert!(p.for_check("2.2").next().is_none());
    let sk = p.skipped.iter().find(|k| k.check == "2.2").unwrap();
    assert!(sk.reason.contains("--force"), "{}", sk.reason);
    let p = plan_for(
        &s,
        &PlanOptions {
            force: true,
            ..Default::default()
        },
    );
    match &p.for_check("2.2").next().unwrap().change {
        Change::DaemonJson { old, value, .. } => {
            assert_eq!(old, &Some(json!(true)));
            assert_eq!(value, &json!(false));
        }
        c => panic!("{c:?}"),
    };
}

#[test]
fn a_key_set_by_a_flag_is_refused_even_with_force() {
    let mut s = hardened();
    settings_mut(&mut s).remove("icc");
    s.daemon.flags.push(DaemonFlag {
        name: "icc".into(),
        value: Some("true".into()),
    });
    let p = plan_for(
        &s,
        &PlanOptions {
            force: true,
            ..Default::default()
        },
    );
    assert!(p.for_check("2.2").next().is_none());
    let sk = p.skipped.iter().find(|k| k.check == "2.2").unwrap();
    assert!(
        sk.reason.starts_with("refused") && sk.reason.contains("--icc=true"),
        "{}",
        sk.reason
    );
}

#[test]
fn icc_is_refused_when_iptables_is_off() {
    let mut s = hardened();
    settings_mut(&mut s).remove("icc");
    assert!(plan_of(&s).for_check("2.2").next().is_some());
    s.daemon.flags.push(DaemonFlag {
        name: "iptables".into(),
        value: Some("false".into()),
    });
    let p = plan_of(&s);
    assert!(p.for_check("2.2").next().is_none());
    let sk = p.skipped.iter().find(|k| k.check == "2.2").unwrap();
    assert!(sk.reason.contains("needs iptables"), "{}", sk.reason);
}

#[test]
fn userns_is_manual_with_images_and_automatic_on_an_empty_host() {
    let mut s = hardened();
    settings_mut(&mut s).remove("userns-remap");
    let p = plan_of(&s);
    let a = p.for_check("2.9").next().unwrap();
    assert_eq!(a.effect, Effect::Manual);
    match &a.change {
        Change::Manual { steps } => assert!(steps.iter().any(|s| s.contains("/etc/subuid"))),
        c => panic!("{c:?}"),
    }
    engine_mut(&mut s).images.clear();
    engine_mut(&mut s).containers.clear();
    let p = plan_of(&s);
    assert_eq!(p.for_check("2.9").next().unwrap().effect, Effect::Restart);
}

#[test]
fn file_modes_and_owners_name_the_real_files() {
    let mut s = hardened();
    s.host.files.insert(
        "/etc/docker/daemon.json".into(),
        stat("file", 1000, 1000, 0o666),
    );
    s.host
        .files
        .insert("/var/run/docker.sock".into(), stat("socket", 0, 5, 0o666));
    let p = plan_of(&s);
    assert_eq!(
        p.for_check("3.18").next().unwrap().change,
        Change::Chmod {
            path: "/etc/docker/daemon.json".into(),
            from: 0o666,
            to: 0o644
        }
    );
    match &p.for_check("3.17").next().unwrap().change {
        Change::Chown {
            uid, gid, owner, ..
        } => assert_eq!((*uid, *gid, owner.as_str()), (0, 0, "root:root")),
        c => panic!("{c:?}"),
    }
    match &p.for_check("3.15").next().unwrap().change {
        Change::Chown { gid, owner, .. } => {
            assert_eq!((*gid, owner.as_str()), (999, "root:docker"))
        }
        c => panic!("{c:?}"),
    }
    assert_eq!(p.for_check("3.16").next().unwrap().effect, Effect::Live);
}

#[test]
fn content_trust_is_added_to_etc_environment() {
    let mut s = hardened();
    s.host.content_trust.clear();
    let p = plan_of(&s);
    assert_eq!(
        p.for_check("4.5").next().unwrap().change,
        Change::EnvLine {
            file: "/etc/environment".into(),
            name: "DOCKER_CONTENT_TRUST".into(),
            value: "1".into(),
            old_line: None,
            old_value: None
        }
    );
    s.host.content_trust.push(EnvSetting {
        file: "/etc/environment".into(),
        line: 2,
        value: "0".into(),
    });
    assert!(plan_of(&s).for_check("4.5").next().is_none());
    s.host.content_trust[0].file = "/etc/profile.d/dct.sh".into();
    assert_eq!(
        plan_of(&s).for_check("4.5").next().unwrap().effect,
        Effect::Manual
    );
}

#[test]
fn plans_round_trip_through_json() {
    let mut s = hardened();
    settings_mut(&mut s).remove("icc");
    strip_rules(&mut s, "/usr/bin/runc");
    let p = plan_of(&s);
    let text = serde_json::to_string(&p).unwrap();
    assert!(text.contains(r#""effect":"restart""#), "{text}");
    assert!(text.contains(r#""kind":"audit_rule""#), "{text}");
    let back: Plan = serde_json::from_str(&text).unwrap();
    assert_eq!(back, p);
}

#[test]
fn every_known_key_type_is_checked() {
    assert_eq!(key_type("icc"), Some(KeyType::Bool));
    assert!(KeyType::Bool.accepts(&json!(true)));
    assert!(!KeyType::Bool.accepts(&json!("true")));
    assert!(KeyType::StrList.accepts(&json!(["a"])));
    assert!(!KeyType::StrList.accepts(&json!([1])));
    assert_eq!(key_type("no-such-key"), None);
    assert!(is_reloadable("live-restore"));
    assert!(!is_reloadable("icc"));
}

#[test]
fn audit_p_prints_the_action_with_the_real_path_and_json_carries_it() {
    let mut s = hardened();
    s.host
        .binaries
        .insert("dockerd".into(), Some("/opt/dock\x1b[31mer/dockerd".into()));
    s.host.files.insert(
        "/opt/dock\x1b[31mer/dockerd".into(),
        stat("file", 0, 0, 0o755),
    );
    let all: Vec<_> = checks().iter().collect();
    let opts = EvalOptions::default();
    let eval = evaluate(&s, &opts, &all);
    let rep = crate::report::Report::new(&s, eval.findings, &eval.excluded);
    let text = crate::report::text::audit::render(
        &rep,
        &crate::report::text::audit::TextOptions {
            color: false,
            remediation: true,
            verbose: false,
        },
    );
    let line = text
        .lines()
        .find(|l| l.contains("action [live]"))
        .expect("an action line");
    assert!(
        line.contains("-w /opt/dock\\u{1b}[31mer/dockerd -p rwxa -k docker"),
        "{line}"
    );
    assert!(
        text.lines()
            .filter(|l| l.contains("action ["))
            .all(|l| !l.contains('\x1b')),
        "control characters in actions are escaped"
    );
    let without = crate::report::text::audit::render(
        &rep,
        &crate::report::text::audit::TextOptions {
            color: false,
            remediation: false,
            verbose: false,
        },
    );
    assert!(!without.contains("action ["));
    let json: Value = serde_json::from_str(&crate::report::json::render(&rep)).unwrap();
    assert_eq!(
        json["remediation_plan"]["actions"][0]["change"]["line"],
        json!("-w /opt/dock\u{1b}[31mer/dockerd -p rwxa -k docker")
    );
}
