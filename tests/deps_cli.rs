//! `shipshape deps` and `shipshape db` end to end, with a small hand-written
//! OSV set whose answers are known: alias merging, withdrawn records, GIT
//! ranges, last_affected, ranges in requirements, stale index, bad input,
//! hostile strings, JSON and SARIF schemas, all.zip import.

mod support;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Output;

fn write(p: &Path, body: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, body).unwrap();
}

fn records() -> Vec<Value> {
    let cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    vec![
        json!({"id": "TEST-A-1", "aliases": ["CVE-0001-0001"], "summary": "A is bad",
               "severity": [{"type": "CVSS_V3", "score": cvss}],
               "affected": [{"package": {"ecosystem": "PyPI", "name": "Demo_Pkg"},
                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]}),
        json!({"id": "TEST-B-1", "aliases": ["CVE-0001-0001"], "details": "Same flaw, another database.",
               "affected": [{"package": {"ecosystem": "PyPI", "name": "demo-pkg"},
                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "2.1"}]}]}]}),
        json!({"id": "TEST-W-1", "withdrawn": "2024-01-01T00:00:00Z", "summary": "withdrawn",
               "affected": [{"package": {"ecosystem": "PyPI", "name": "demo-pkg"},
                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}),
        json!({"id": "TEST-G-1", "summary": "git only",
               "affected": [{"package": {"ecosystem": "PyPI", "name": "gitonly"},
                 "ranges": [{"type": "GIT", "repo": "https://example.org/r", "events": [{"introduced": "0"}, {"fixed": "abcdef"}]}]}]}),
        json!({"id": "TEST-L-1", "summary": "last affected",
               "affected": [{"package": {"ecosystem": "PyPI", "name": "other"},
                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": "1.4"}]}]}]}),
    ]
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        for r in records() {
            write(
                &dir.path()
                    .join(format!("osv/{}.json", r["id"].as_str().unwrap())),
                &r.to_string(),
            );
        }
        write(
            &dir.path().join("osv/LICENSE"),
            "Creative Commons Attribution 4.0 International",
        );
        let e = Env { dir };
        let o = e.run(&["db", "import", "--db", e.db(), e.p("osv").to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        e
    }
    fn db(&self) -> &str {
        self.dir.path().join("db").leak_str()
    }
    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    fn run(&self, args: &[&str]) -> Output {
        support::shipshape(args)
    }
    fn deps_json(&self, extra: &[&str]) -> (Value, Output) {
        let mut a = vec!["deps", "--db", self.db(), "-f", "json"];
        a.extend_from_slice(extra);
        let o = self.run(&a);
        let v = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
        (v, o)
    }
}

trait Leak {
    fn leak_str(self) -> &'static str;
}
impl Leak for PathBuf {
    fn leak_str(self) -> &'static str {
        Box::leak(
            self.into_os_string()
                .into_string()
                .unwrap()
                .into_boxed_str(),
        )
    }
}

#[test]
fn aliases_merge_withdrawn_is_ignored_and_the_next_fix_is_offered() {
    let e = Env::new();
    let req = e.p("app/requirements.txt");
    write(
        &req,
        "Demo.Pkg==1.5\ngitonly==0.1\nother==1.4\nother-fine==1.0\n",
    );
    let (r, o) = e.deps_json(&[req.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let f = r["findings"].as_array().unwrap();
    assert_eq!(f.len(), 2, "{f:#?}");
    let demo = &f[0];
    assert_eq!(demo["package"], "demo-pkg");
    assert_eq!(demo["advisories"], json!(["TEST-A-1", "TEST-B-1"]));
    assert_eq!(
        demo["ids"],
        json!(["CVE-0001-0001", "TEST-A-1", "TEST-B-1"])
    );
    assert_eq!(
        demo["fixed"], "2.1",
        "the smallest version neither record affects"
    );
    assert_eq!(demo["severity"]["level"], "critical");
    assert_eq!(demo["severity"]["score"], 9.8);
    assert_eq!(demo["origin"]["line"], 1);
    assert!(demo["remediation"]
        .as_str()
        .unwrap()
        .ends_with(":1: require Demo.Pkg>=2.1"));
    let other = &f[1];
    assert_eq!(other["package"], "other");
    assert_eq!(
        other["severity"]["level"], "unknown",
        "no CVSS: never invented"
    );
    assert!(other.get("fixed").is_none(), "last_affected gives no fix");
    // 1.5 is above last_affected 1.4: nothing.
    write(&req, "other==1.4.post1\ndemo-pkg==2.1\n");
    let (r, o) = e.deps_json(&[req.to_str().unwrap()]);
    assert_eq!(r["findings"], json!([]));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn ranges_may_resolve_to_a_vulnerable_version() {
    let e = Env::new();
    let req = e.p("requirements.txt");
    write(&req, "demo-pkg>=1.8,<3\nother>=1.5\n");
    let (r, _) = e.deps_json(&[req.to_str().unwrap()]);
    let f = r["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0]["status"], "may_resolve_vulnerable");
    assert_eq!(f[0]["specifier"], ">=1.8,<3");
    let o = e.run(&["deps", "--db", e.db(), req.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("demo-pkg >=1.8,<3 may resolve to a vulnerable version"),
        "{text}"
    );
}

#[test]
fn malformed_lockfiles_name_the_place_and_other_inputs_still_count() {
    let e = Env::new();
    let bad = e.p("svc/poetry.lock");
    write(&bad, "[[package]]\nname = \"demo-pkg\"\nversion = 1.0\n");
    let badjson = e.p("svc2/Pipfile.lock");
    write(
        &badjson,
        "{\n  \"default\": {\n    \"x\": {\"version\": \"==1\"},,\n  }\n}\n",
    );
    let good = e.p("svc3/uv.lock");
    write(
        &good,
        "version = 1\n\n[[package]]\nname = \"demo-pkg\"\nversion = \"1.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n",
    );
    let (r, o) = e.deps_json(&[
        bad.to_str().unwrap(),
        badjson.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    let errs = r["errors"].as_array().unwrap();
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert_eq!(errs[0]["line"], 3);
    assert!(errs[0]["column"].as_u64().unwrap() >= 1);
    assert_eq!(errs[1]["line"], 3);
    assert!(errs[1]["path"].as_str().unwrap().ends_with("Pipfile.lock"));
    assert_eq!(
        r["findings"].as_array().unwrap().len(),
        1,
        "uv.lock still read"
    );
    assert_eq!(r["findings"][0]["origin"]["line"], 4);
    assert_eq!(r["findings"][0]["remediation"], "uv add 'demo-pkg>=2.1'");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("poetry.lock:3:"), "{stderr}");
    assert_eq!(o.status.code(), Some(1));
    // --strict makes unreadable input fail even without findings.
    write(&good, "version = 1\n");
    let o = e.run(&[
        "deps",
        "--db",
        e.db(),
        "--strict",
        bad.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let o = e.run(&["deps", "--db", e.db(), good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn installed_environments_and_hostile_strings() {
    let e = Env::new();
    let root = e.p("root");
    let sp = root.join("venv/lib/python3.11/site-packages");
    write(
        &sp.join("demo_pkg-1.9.dist-info/METADATA"),
        "Metadata-Version: 2.1\nName: demo_pkg\nVersion: 1.9\n",
    );
    write(
        &sp.join("other-0.9-py3.11.egg-info"),
        "Metadata-Version: 1.1\nName: other\nVersion: 0.9\n",
    );
    write(
        &root.join("usr/lib/python3/dist-packages/evil\u{1b}[2J.dist-info/METADATA"),
        "Name: demo-pkg\u{1b}]0;pwned\u{7}\nVersion: 1.0\n",
    );
    let o = e.run(&["deps", "--db", e.db(), root.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("\\u{1b}"), "{text}");
    assert!(text.contains("demo_pkg 1.9"), "{text}");
    assert!(text.contains("distribution-owned"), "{text}");
    let (r, _) = e.deps_json(&[root.to_str().unwrap()]);
    assert_eq!(r["packages_scanned"], 2);
    assert_eq!(r["findings"].as_array().unwrap().len(), 2);
    assert_eq!(r["distro_owned"].as_array().unwrap().len(), 1);
    assert_eq!(
        r["findings"][0]["remediation"],
        "pip install 'demo_pkg>=2.1'"
    );
}

#[test]
fn stale_index_warns_but_still_reports() {
    let e = Env::new();
    let idx = Path::new(e.db()).join("index.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&idx).unwrap()).unwrap();
    v["built_unix"] = json!(1_600_000_000u64);
    std::fs::write(&idx, v.to_string()).unwrap();
    let req = e.p("requirements.txt");
    write(&req, "demo-pkg==1.0\n");
    let (r, o) = e.deps_json(&[req.to_str().unwrap()]);
    assert_eq!(r["db"]["stale"], true);
    assert_eq!(r["findings"].as_array().unwrap().len(), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--max-db-age"));
    let (r, _) = e.deps_json(&["--max-db-age", "100000", req.to_str().unwrap()]);
    assert_eq!(r["db"]["stale"], false);
    assert!(r["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn fail_on_ignore_and_missing_index() {
    let e = Env::new();
    let req = e.p("requirements.txt");
    write(&req, "other==1.0\n");
    let r = |args: &[&str]| {
        let mut a = vec!["deps", "--db", e.db()];
        a.extend_from_slice(args);
        a.push(req.to_str().unwrap());
        e.run(&a).status.code()
    };
    assert_eq!(
        r(&["--fail-on", "critical"]),
        Some(1),
        "unknown severity fails at every level"
    );
    assert_eq!(r(&["--fail-on", "none"]), Some(0));
    assert_eq!(r(&["--ignore", "TEST-L-1"]), Some(0));
    let (j, _) = e.deps_json(&["--ignore", "TEST-L-1", req.to_str().unwrap()]);
    assert_eq!(j["suppressed"][0]["by"], "TEST-L-1");
    let empty = tempfile::tempdir().unwrap();
    let o = e.run(&[
        "deps",
        "--db",
        empty.path().to_str().unwrap(),
        req.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("shipshape db import"));
}

#[test]
fn db_info_shows_date_sources_and_licences() {
    let e = Env::new();
    let o = e.run(&["db", "info", "--db", e.db()]);
    let t = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        t.contains("built:") && t.contains("CC-BY-4.0") && t.contains("osv-json"),
        "{t}"
    );
    assert!(t.contains("withdrawn 1"), "{t}");
    let o = e.run(&["db", "info", "--db", e.db(), "-f", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["advisories"], 4);
}

#[test]
fn osv_zip_export_imports_and_bad_records_are_named() {
    let e = Env::new();
    let zip = e.p("all.zip");
    let script = format!(
        "import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED)\n{}\nz.writestr('broken.json','{{\"id\": 5')\nz.close()\n",
        records()
            .iter()
            .map(|r| format!("z.writestr({:?}, {:?})", format!("{}.json", r["id"].as_str().unwrap()), r.to_string()))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let o = std::process::Command::new("python3")
        .args(["-c", &script, zip.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let db2 = e.p("db2");
    let o = e.run(&[
        "db",
        "import",
        "--db",
        db2.to_str().unwrap(),
        "--licence",
        "CC-BY-4.0",
        zip.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a rejected record exits 1 but the index is written"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("all.zip!broken.json"), "{err}");
    let o = e.run(&["db", "info", "--db", db2.to_str().unwrap(), "-f", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["advisories"], 4);
    assert_eq!(v["sources"][0]["kind"], "osv-zip");
    assert_eq!(v["sources"][0]["rejected"], 1);
}

#[test]
fn json_and_sarif_validate_against_their_schemas() {
    let e = Env::new();
    let req = e.p("requirements.txt");
    write(&req, "demo-pkg==1.0\nother>=0\nbad>>\n");
    let (r, _) = e.deps_json(&[req.to_str().unwrap()]);
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema/deps-report.v1.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errs: Vec<String> = v.iter_errors(&r).map(|e| e.to_string()).collect();
    assert!(errs.is_empty(), "{errs:#?}");
    assert_eq!(r["findings"].as_array().unwrap().len(), 2);
    let o = e.run(&["deps", "--db", e.db(), "-f", "sarif", req.to_str().unwrap()]);
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    let v = jsonschema::validator_for(&support::sarif_schema()).unwrap();
    let errs: Vec<String> = v.iter_errors(&s).map(|e| e.to_string()).collect();
    assert!(errs.is_empty(), "{errs:#?}");
    assert_eq!(s["runs"][0]["results"].as_array().unwrap().len(), 2);
    assert_eq!(s["runs"][0]["results"][0]["level"], "error");
}
