//! Test harness for the live Docker tests: builds tiny images from a static
//! binary (no registry needed), starts labelled containers, and removes
//! everything it created when dropped, even when a test panics.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

pub const SOCKET: &str = "/var/run/docker.sock";

pub fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run the docker CLI ({e}); install docker.io and start the daemon")
        })
}

pub fn docker_ok(args: &[&str]) -> String {
    let o = docker(args);
    assert!(
        o.status.success(),
        "docker {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Fail loudly (never skip) when no daemon answers.
pub fn require_daemon() {
    let o = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output();
    match o {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "these tests need a running Docker daemon at {SOCKET}, and it did not answer: {}\n\
             Start it with `sudo systemctl start docker` (or `sudo dockerd &`), then rerun.",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => panic!("these tests need the docker CLI and a running daemon ({e}); install docker.io and start dockerd"),
    }
}

/// Everything one test run creates, named and labelled with a unique id.
pub struct Lab {
    pub id: String,
    pub dir: tempfile::TempDir,
    images: Vec<String>,
}

impl Lab {
    pub fn new(tag: &str) -> Lab {
        require_daemon();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let id = format!("{tag}-{}-{nanos:x}", std::process::id());
        Lab {
            id,
            dir: tempfile::tempdir().unwrap(),
            images: Vec::new(),
        }
    }

    pub fn label(&self) -> String {
        format!("shipshape.test={}", self.id)
    }

    pub fn name(&self, short: &str) -> String {
        format!("ss-{}-{short}", self.id)
    }

    /// Compile the static test program once per lab.
    pub fn binary(&self) -> PathBuf {
        let out = self.dir.path().join("app");
        if !out.exists() {
            let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docker/app.c");
            let o = Command::new("gcc")
                .args(["-static", "-Os", "-o"])
                .arg(&out)
                .arg(&src)
                .output()
                .expect("gcc is needed to build the test image (scripts/setup.sh installs it)");
            assert!(
                o.status.success(),
                "gcc -static failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        out
    }

    /// Build an image FROM scratch with the test program at `path_in_image`
    /// and extra Dockerfile lines. Returns the tag.
    pub fn image(&mut self, short: &str, path_in_image: &str, extra: &[&str]) -> String {
        let ctx = self.dir.path().join(format!("ctx-{short}"));
        std::fs::create_dir_all(&ctx).unwrap();
        std::fs::copy(self.binary(), ctx.join("app")).unwrap();
        let mut df = format!(
            "FROM scratch\nCOPY app {path_in_image}\nLABEL {}\n",
            self.label()
        );
        for l in extra {
            df.push_str(l);
            df.push('\n');
        }
        df.push_str(&format!("CMD [\"{path_in_image}\"]\n"));
        std::fs::write(ctx.join("Dockerfile"), df).unwrap();
        let tag = format!("shipshape-test/{}:{short}", self.id);
        self.images.push(tag.clone());
        docker_ok(&["build", "-q", "-t", &tag, ctx.to_str().unwrap()]);
        tag
    }

    /// Build an image from a prepared context directory. Returns the tag.
    pub fn image_from_context(&mut self, short: &str, ctx: &Path) -> String {
        let tag = format!("shipshape-test/{}:{short}", self.id);
        self.images.push(tag.clone());
        docker_ok(&["build", "-q", "-t", &tag, ctx.to_str().unwrap()]);
        tag
    }

    /// `docker run -d` a labelled container; returns its name.
    pub fn run(&self, short: &str, opts: &[&str], image: &str) -> String {
        self.container("run", short, opts, image)
    }

    /// `docker create` (never started).
    pub fn create(&self, short: &str, opts: &[&str], image: &str) -> String {
        self.container("create", short, opts, image)
    }

    fn container(&self, verb: &str, short: &str, opts: &[&str], image: &str) -> String {
        let name = self.name(short);
        let label = self.label();
        let mut args = vec![verb];
        if verb == "run" {
            args.push("-d");
        }
        args.extend(["--name", &name, "--label", &label]);
        args.extend(opts);
        args.push(image);
        docker_ok(&args);
        name
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let filter = format!("label={}", self.label());
        let ids = docker(&["ps", "-aq", "--filter", &filter]);
        let ids: Vec<String> = String::from_utf8_lossy(&ids.stdout)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if !ids.is_empty() {
            let mut args = vec!["rm", "-f", "-v"];
            args.extend(ids.iter().map(String::as_str));
            let _ = docker(&args);
        }
        for img in &self.images {
            let _ = docker(&["rmi", "-f", img]);
        }
    }
}

/// Run the shipshape binary.
pub fn shipshape(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(args)
        .env_remove("DOCKER_HOST")
        .env("NO_COLOR", "1")
        .output()
        .expect("run shipshape")
}

/// The outcome a finding's evidence gives one target (container, image…).
pub fn outcome_for(report: &serde_json::Value, check: &str, target: &str) -> Option<String> {
    let f = finding(report, check);
    f["evidence"]
        .as_array()?
        .iter()
        .find(|e| e["target"]["name"] == target || e["target"]["path"] == target)
        .map(|e| e["outcome"].as_str().unwrap_or("").to_string())
}

pub fn finding<'a>(report: &'a serde_json::Value, check: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .find(|f| f["id"] == check)
        .unwrap_or_else(|| panic!("no finding {check}"))
}

/// Run shipshape with extra environment variables and a working directory.
pub fn shipshape_in(dir: &Path, envs: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shipshape"));
    c.args(args)
        .current_dir(dir)
        .env_remove("DOCKER_HOST")
        .env("NO_COLOR", "1");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().expect("run shipshape")
}

/// The official OASIS SARIF 2.1.0 schema (vendored from the serde-sarif
/// crate, see tests/scan_sarif_schema.rs), with its one regex that the
/// `jsonschema` crate cannot compile replaced by an equivalent.
pub fn sarif_schema() -> serde_json::Value {
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    fn fix(v: &mut serde_json::Value, n: &mut usize) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if k == "pattern" && x.as_str() == Some(BROKEN) {
                        *x = serde_json::json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
                        *n += 1;
                    } else {
                        fix(x, n);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| fix(x, n)),
            _ => {}
        }
    }
    let p =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/sarif-schema-2.1.0.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let mut n = 0;
    fix(&mut v, &mut n);
    assert_eq!(n, 2, "schema changed; revisit the adjustment");
    v
}

/// How many CIS Docker checks the catalogue holds: every audit reports one
/// finding per check. The catalogue itself is pinned by the insta snapshot
/// `src/rules/snapshots/shipshape__rules__registry__tests__catalogue.snap`,
/// so no test repeats the number.
pub fn cis_check_count() -> usize {
    shipshape::rules::docker::checks().len()
}
