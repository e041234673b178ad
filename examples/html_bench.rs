//! Benchmark of the HTML report (issue 13 §6): this host's snapshot with its
//! containers replaced by 100 synthetic ones (a mix of hardened and risky
//! settings), plus a scan of CORPUS (bench/html.sh generates 8,000 files).
//! Times the HTML rendering alone (median of RUNS) for both diagram
//! engines and prints the page size. `bench/html.sh` runs it in release mode:
//!
//! ```text
//! cargo run --release --example html_bench -- CORPUS [RUNS] [OUT.html] [SNAPSHOT.json]
//! ```
//!
//! SNAPSHOT.json receives the synthetic snapshot, for timing
//! `shipshape report --snapshot` end to end.

use shipshape::collect::{self, CollectOptions};
use shipshape::report::combined::Combined;
use shipshape::report::html::{render_report, DiagramEngine, HtmlOptions};
use shipshape::report::Report;
use shipshape::rules::{self, EvalOptions};
use shipshape::scan::{scan, ScanOptions};
use shipshape::snapshot::{Container, Mount, Probe};
use shipshape::threat::{analyze, build, Library};
use std::path::PathBuf;
use std::time::Instant;

fn container(i: usize) -> Container {
    let mut c = Container {
        id: format!("{i:064x}"),
        name: format!("/bench-app-{i:03}"),
        image: format!("sha256:{:064x}", i % 7),
        ..Default::default()
    };
    c.state.status = "running".into();
    c.state.running = true;
    c.config.image = format!("registry.local/app-{}:1.{}", i % 7, i % 3);
    c.config.user = if i.is_multiple_of(2) {
        "10001".into()
    } else {
        String::new()
    };
    c.config.labels.insert("tier".into(), format!("t{}", i % 4));
    let h = &mut c.host_config;
    h.network_mode = if i.is_multiple_of(10) {
        "host".into()
    } else {
        "appnet".into()
    };
    h.privileged = i.is_multiple_of(9);
    if i.is_multiple_of(5) {
        h.cap_add = vec!["SYS_ADMIN".into()];
    }
    h.memory = if i.is_multiple_of(3) { 0 } else { 256 << 20 };
    h.readonly_rootfs = i.is_multiple_of(4);
    if i.is_multiple_of(11) {
        c.mounts.push(Mount {
            kind: "bind".into(),
            source: "/var/run/docker.sock".into(),
            destination: "/var/run/docker.sock".into(),
            rw: true,
            ..Default::default()
        });
    }
    c
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let corpus = PathBuf::from(
        args.next()
            .expect("usage: html_bench CORPUS [RUNS] [OUT.html]"),
    );
    let runs: usize = args.next().map(|r| r.parse().expect("RUNS")).unwrap_or(5);
    let out = args.next();
    let snap_out = args.next();

    let mut snap = collect::collect(&CollectOptions::default());
    match &mut snap.engine {
        Probe::Ok(e) => e.containers = (0..100).map(container).collect(),
        Probe::Error(e) => panic!("the Docker daemon is needed for the host part: {e}"),
    }
    if let Some(p) = &snap_out {
        std::fs::write(p, serde_json::to_string(&snap).expect("json")).expect("write snapshot");
    }
    let t = Instant::now();
    let scanned = scan(&ScanOptions {
        paths: vec![corpus],
        ..ScanOptions::default()
    })
    .expect("scan");
    let scan_secs = t.elapsed().as_secs_f64();
    let checks: Vec<_> = rules::docker::checks().iter().collect();
    let eval = rules::evaluate(&snap, &EvalOptions::default(), &checks);
    let mut model = build::from_snapshot_excluding(&snap, &[]);
    model.fill_defaults();
    let library = Library::builtin();
    let analysis = analyze(&model, &library, &eval.findings, &[], 20_000);
    let audit = Report::new(&snap, eval.findings, &eval.excluded);
    let combined = Combined {
        audit: Some(&audit),
        threats: Some(&analysis),
        scan: Some(&scanned),
    };
    println!(
        "input: {} containers, {} files scanned ({:.2} s), {} scan findings, {} audit findings, {} threat instances",
        100,
        scanned.summary.files.total,
        scan_secs,
        scanned.findings.len(),
        audit.findings.len(),
        analysis.instances.len()
    );
    if std::env::var_os("HTML_BENCH_PARTS").is_some() {
        use shipshape::report::html::{data, dfd, view};
        let t = Instant::now();
        let table = data::table(&combined);
        println!("part table: {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let _ = data::script_json(&table);
        println!("part json: {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let _ = view::surfaces(&analysis);
        println!(
            "part surfaces: {:.1} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
        let t = Instant::now();
        let _ = dfd::diagram(&analysis, DiagramEngine::Builtin);
        println!(
            "part builtin diagram: {:.1} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
    for engine in [DiagramEngine::Builtin, DiagramEngine::Auto] {
        let opts = HtmlOptions {
            generated: "2026-01-01T00:00:00Z".into(),
            diagram: engine,
        };
        let mut times = Vec::new();
        let mut html = String::new();
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            html = render_report(&combined, &opts);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        println!(
            "render ({engine:?} diagram): median {:.1} ms over {} runs (min {:.1}, max {:.1}); size {} bytes ({:.2} MB)",
            median(times.clone()),
            times.len(),
            times.iter().cloned().fold(f64::MAX, f64::min),
            times.iter().cloned().fold(0.0, f64::max),
            html.len(),
            html.len() as f64 / 1_000_000.0
        );
        if let (Some(o), DiagramEngine::Auto) = (&out, engine) {
            std::fs::write(o, &html).expect("write OUT.html");
        }
    }
}
