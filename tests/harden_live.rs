//! `shipshape harden` against a throwaway second dockerd (never the
//! machine's own daemon): plan, apply (live and restart class), the daemon's
//! own report of the new settings, audit rules in the kernel, re-audit,
//! byte-exact rollback, idempotence, flag conflicts and injected failures.
//! Needs root, dockerd and auditd (scripts/setup.sh).

#[path = "support/throwaway.rs"]
mod throwaway;

use serde_json::Value;
use std::process::Output;
use throwaway::{machine_rules, sha256, Throwaway};

/// A weak daemon.json: debug logging and experimental features on.
const WEAK: &str = "{\n    \"debug\": true,\n    \"experimental\": true\n}\n";

/// The checks these tests work on: audit rules for the throwaway daemon's
/// own paths (root dir, config file) and section 2. 2.9 (userns-remap)
/// would make dockerd create a host user, so it is left out.
const ONLY: &str = "1.1.5,1.1.11,2";
const EXCLUDE: &str = "2.9";

fn harden(tw: &Throwaway, sub: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let state = tw.dir.join("state").display().to_string();
    let rules = tw.dir.join("90-shipshape.rules").display().to_string();
    let mut args = vec!["harden", sub, "--state-dir", &state];
    if sub == "plan" || sub == "apply" {
        args.extend(["--only", ONLY, "--exclude", EXCLUDE, "--rules-file", &rules]);
    }
    args.extend(extra);
    tw.shipshape(&args, env)
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn checks_in(v: &Value, field: &str) -> Vec<String> {
    v[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["check"].as_str().unwrap().to_string())
        .collect()
}

fn reason(v: &Value, check: &str) -> String {
    v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["check"] == check)
        .map(|s| s["reason"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("{check} not in skipped: {v:#}"))
}

fn audit_outcomes(tw: &Throwaway, ids: &str) -> Vec<(String, String)> {
    let o = tw.shipshape(&["audit", "-c", ids, "-f", "json"], &[]);
    let v = json_of(&o);
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn plan_apply_restart_and_rollback_on_a_throwaway_daemon() {
    let machine_before = machine_rules();
    let mut tw = Throwaway::start(WEAK, &[]);
    let cfg = tw.config();
    let original_sha = sha256(&cfg);
    let rules_file = tw.dir.join("90-shipshape.rules");
    assert_eq!(tw.info()["LiveRestoreEnabled"], false);
    assert_eq!(tw.info()["Debug"], true);

    // The plan: discovered config file and data root, classes, refusals.
    let o = harden(&tw, "plan", &["-f", "json"], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let plan = json_of(&o);
    let applied = checks_in(&plan, "apply");
    for c in ["1.1.5", "1.1.11", "2.14", "2.15", "2.16"] {
        assert!(applied.contains(&c.to_string()), "{c} missing: {plan:#}");
    }
    let files: Vec<&str> = plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(files.contains(&cfg.to_str().unwrap()), "{files:?}");
    let rules: Vec<&str> = plan["audit_rules_to_load"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        vec![
            format!("-w {} -p rwxa -k docker", tw.dir.join("data").display()),
            format!("-w {} -p rwxa -k docker", cfg.display()),
        ]
    );
    // The user's own values are kept without --force.
    assert!(reason(&plan, "2.3").contains("--force"));
    assert!(reason(&plan, "2.18").contains("--force"));
    // A key the command line sets (--iptables=false) is refused.
    assert!(reason(&plan, "2.4").starts_with("refused"), "{plan:#}");
    assert!(reason(&plan, "2.4").contains("--iptables=false"));
    assert!(plan["plan_ms"].as_u64().unwrap() <= 1000);

    // A canary rule shipshape did not load must survive its rollback.
    let canary = tw.dir.join("canary");
    std::fs::write(&canary, "x").unwrap();
    let ctl = "/sbin/auditctl";
    let c = canary.display().to_string();
    assert!(std::process::Command::new(ctl)
        .args(["-w", &c, "-p", "wa", "-k", "shipshape-canary"])
        .status()
        .unwrap()
        .success());

    // Apply the live class, forcing debug off.
    let o = harden(&tw, "apply", &["--yes", "--force", "-f", "json"], &[]);
    let ap = json_of(&o);
    assert!(
        o.status.success(),
        "{ap:#}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(ap["status"], "applied");
    let info = tw.info();
    assert_eq!(info["LiveRestoreEnabled"], true, "live-restore reloaded");
    assert_eq!(info["Debug"], false, "debug reloaded");
    assert_eq!(info["ExperimentalBuild"], true, "restart class held back");
    let mine = tw.my_rules();
    assert!(
        mine.iter().any(|l| l.contains("/data -p rwxa -k docker")),
        "{mine:?}"
    );
    assert!(
        mine.iter()
            .any(|l| l.contains("daemon.json -p rwxa -k docker")),
        "{mine:?}"
    );
    let after: Vec<(String, String)> = ap["reaudit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["check"].as_str().unwrap().to_string(),
                r["after"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for c in ["1.1.5", "1.1.11", "2.3", "2.15"] {
        assert!(
            after.contains(&(c.to_string(), "PASS".to_string())),
            "{c}: {after:?}"
        );
    }
    assert!(
        ap["apply_ms"].as_u64().unwrap() <= 1000,
        "{}",
        ap["apply_ms"]
    );

    // A second live apply changes nothing.
    let o = harden(&tw, "apply", &["--yes", "--force", "-f", "json"], &[]);
    assert_eq!(json_of(&o)["status"], "nothing-to-do");
    let o = harden(&tw, "apply", &["--yes", "--force"], &[]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("Nothing to change"));

    // Restart class: written, the command to run is printed (no systemd here).
    let o = harden(
        &tw,
        "apply",
        &["--yes", "--force", "--restart", "-f", "json"],
        &[],
    );
    let rs = json_of(&o);
    assert_eq!(rs["status"], "applied", "{rs:#}");
    assert_eq!(rs["restart_pending"], true);
    let log = rs["log"].to_string();
    assert!(
        log.contains("not managed by systemd") && log.contains("kill -TERM"),
        "{log}"
    );
    assert_eq!(tw.info()["ExperimentalBuild"], true, "not restarted yet");
    tw.restart();
    let info = tw.info();
    assert_eq!(
        info["ExperimentalBuild"], false,
        "the daemon came back with the change"
    );
    assert_eq!(info["LiveRestoreEnabled"], true);
    for (id, outcome) in audit_outcomes(&tw, "1.1.5,1.1.11,2.3,2.14,2.15,2.16,2.18") {
        assert_eq!(outcome, "PASS", "{id} after apply --restart");
    }

    // History lists both transactions; roll back the newest, then the first.
    let o = harden(&tw, "history", &["-f", "json"], &[]);
    let h = json_of(&o);
    assert_eq!(h.as_array().unwrap().len(), 2, "{h:#}");
    // The older one cannot go first: the newer changed the same file.
    let first = h[0]["id"].as_str().unwrap();
    let o = harden(&tw, "rollback", &[first, "--yes"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("roll it back first"));
    let o = harden(&tw, "rollback", &["--yes"], &[]);
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let o = harden(&tw, "rollback", &["--yes"], &[]);
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        o.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        sha256(&cfg),
        original_sha,
        "daemon.json restored byte for byte"
    );
    assert!(
        !rules_file.exists(),
        "the rules file shipshape created is gone"
    );
    assert!(
        tw.my_rules().iter().all(|l| l.contains("shipshape-canary")),
        "{:?}",
        tw.my_rules()
    );
    assert_eq!(tw.my_rules().len(), 1, "the canary rule stays");
    let info = tw.info();
    assert_eq!(info["Debug"], true, "old debug value reloaded");
    assert_eq!(info["LiveRestoreEnabled"], false, "live-restore reset");
    tw.restart();
    assert_eq!(
        tw.info()["ExperimentalBuild"],
        true,
        "old restart-class value back"
    );
    let o = harden(&tw, "rollback", &["--yes"], &[]);
    assert!(!o.status.success(), "nothing left to roll back");
    let _ = std::process::Command::new(ctl)
        .args(["-W", &c, "-p", "wa", "-k", "shipshape-canary"])
        .status();
    assert_eq!(
        machine_rules(),
        machine_before,
        "the machine's rules are untouched"
    );
}

#[test]
fn an_injected_failure_after_a_write_leaves_nothing_half_done() {
    let machine_before = machine_rules();
    let tw = Throwaway::start(WEAK, &[]);
    let cfg = tw.config();
    let original = sha256(&cfg);
    let rules_file = tw.dir.join("90-shipshape.rules");
    for n in ["1", "3"] {
        let o = harden(
            &tw,
            "apply",
            &["--yes", "--force"],
            &[("SHIPSHAPE_FAULT_AFTER_WRITES", n)],
        );
        let text = String::from_utf8_lossy(&o.stdout).to_string();
        assert_eq!(o.status.code(), Some(2), "{text}");
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(err.contains("injected fault"), "{err}");
        assert!(err.contains("was rolled back"), "{err}");
        assert!(text.contains("rollback: restored"), "{text}");
        assert_eq!(sha256(&cfg), original, "after fault {n}");
        assert!(!rules_file.exists(), "after fault {n}");
        assert!(
            tw.my_rules().is_empty(),
            "after fault {n}: {:?}",
            tw.my_rules()
        );
        let info = tw.info();
        assert_eq!(info["LiveRestoreEnabled"], false, "after fault {n}");
        assert_eq!(info["Debug"], true, "after fault {n}");
    }
    let h = json_of(&harden(&tw, "history", &["-f", "json"], &[]));
    let statuses: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["failed", "failed"]);
    // The same apply without the fault works, so the fault was the cause.
    let o = harden(&tw, "apply", &["--yes", "--force"], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert_ne!(sha256(&cfg), original);
    let o = harden(&tw, "rollback", &["--yes"], &[]);
    assert!(o.status.success());
    assert_eq!(sha256(&cfg), original);
    assert_eq!(machine_rules(), machine_before);
}

#[test]
fn a_write_that_fails_midway_is_rolled_back_and_dry_run_writes_nothing() {
    let tw = Throwaway::start(WEAK, &[]);
    let cfg = tw.config();
    let original = sha256(&cfg);
    let o = harden(&tw, "apply", &["--yes", "--force", "--dry-run"], &[]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("dry run: nothing was written"));
    assert_eq!(sha256(&cfg), original);
    assert!(tw.my_rules().is_empty());
    assert!(!tw.dir.join("state").join("transactions").exists());
    // Without --yes and without a terminal, apply refuses.
    let o = harden(&tw, "apply", &["--force"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(sha256(&cfg), original);

    // A real failure, not an injected one: daemon.json is written first,
    // then the rules file cannot be created in an immutable directory.
    let ro = tw.dir.join("ro");
    std::fs::create_dir(&ro).unwrap();
    let chattr = |flag: &str| {
        assert!(std::process::Command::new("chattr")
            .args([flag, ro.to_str().unwrap()])
            .status()
            .unwrap()
            .success())
    };
    chattr("+i");
    let rules = ro.join("90-shipshape.rules").display().to_string();
    let state = tw.dir.join("state").display().to_string();
    let o = tw.shipshape(
        &[
            "harden",
            "apply",
            "--yes",
            "--force",
            "--only",
            ONLY,
            "--exclude",
            EXCLUDE,
            "--rules-file",
            &rules,
            "--state-dir",
            &state,
        ],
        &[],
    );
    chattr("-i");
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(text.contains(&format!("wrote {}", cfg.display())), "{text}");
    assert!(text.contains("rollback: restored"), "{text}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write"));
    assert_eq!(sha256(&cfg), original);
    assert!(tw.my_rules().is_empty(), "{:?}", tw.my_rules());
    assert_eq!(tw.info()["LiveRestoreEnabled"], false);
}
