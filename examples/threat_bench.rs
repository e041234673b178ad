//! Benchmark: builds a 500-component / 1,000-flow model and times evaluation
//! plus every output in one process. `bench/threat.sh` runs it in release
//! mode under `/usr/bin/time -v`:
//!
//! ```text
//! cargo run --release --example threat_bench
//! ```

use shipshape::threat::render::{self, ThreatFormat};
use shipshape::threat::{analyze, modelfile, Library, SystemModel};
use std::fmt::Write;
use std::time::Instant;

const KINDS: [&str; 15] = [
    "docker-client",
    "docker-host",
    "docker-daemon",
    "container-runtime",
    "image-registry",
    "container-image",
    "container",
    "kube-apiserver",
    "etcd",
    "kube-controller-manager",
    "kube-scheduler",
    "kubelet",
    "kube-proxy",
    "app-service",
    "external-actor",
];
const BKINDS: [&str; 6] = [
    "host",
    "container",
    "control-plane",
    "worker-node",
    "cluster-network",
    "internet",
];

/// The same synthetic model as bench/threat.sh generates.
pub fn synthetic_model(components: usize, flows: usize) -> String {
    let mut y = String::from("version: 1\nname: synthetic platform\nboundaries:\n");
    for b in 0..25 {
        let parent = if b >= 20 {
            format!(", parent: b{}", b - 20)
        } else {
            String::new()
        };
        let _ = writeln!(
            y,
            "  - {{id: b{b}, kind: {}, name: zone {b}{parent}}}",
            BKINDS[b % 6]
        );
    }
    y.push_str("components:\n");
    for i in 0..components {
        let _ = writeln!(
            y,
            "  - {{id: c{i}, kind: {}, name: component {i}, boundary: b{}}}",
            KINDS[i % 15],
            i % 25
        );
    }
    y.push_str("flows:\n");
    for f in 0..flows {
        let from = f % components;
        let mut to = (f * 7 + 13) % components;
        if to == from {
            to = (to + 1) % components;
        }
        let enc = match f % 3 {
            0 => ", encrypted: false",
            1 => ", encrypted: true, authenticated: true",
            _ => "",
        };
        let proto = if f % 4 == 0 {
            ", protocol: tcp, port: 2375"
        } else {
            ""
        };
        let _ = writeln!(
            y,
            "  - {{from: c{from}, to: c{to}, label: flow {f}{enc}{proto}}}"
        );
    }
    y.push_str("waivers:\n  - {threat: \"app.*@c13\", reason: synthetic waiver}\n");
    y
}

/// CPU time of this thread, in milliseconds: unlike wall time it does not
/// grow when other processes compete for the cores.
fn cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the pointer we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}

/// min / median of a sample, formatted.
fn stats(v: &mut [f64]) -> String {
    v.sort_by(|a, b| a.total_cmp(b));
    format!("{:.1}/{:.1}", v[0], v[v.len() / 2])
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(9);
    let text = synthetic_model(500, 1000);
    let t0 = Instant::now();
    let mf = modelfile::parse("synthetic.yaml", &text).unwrap();
    let mut model = SystemModel::default();
    let waivers = modelfile::apply(&mut model, "synthetic.yaml", &mf).unwrap();
    model.fill_defaults();
    let lib = Library::builtin();
    let parse_ms = t0.elapsed().as_secs_f64() * 1e3;
    let formats = [
        ThreatFormat::Markdown,
        ThreatFormat::Json,
        ThreatFormat::Dot,
        ThreatFormat::Mermaid,
    ];
    // Per run: [wall, cpu] of analyze, of each format, and of the total.
    let mut wall: Vec<Vec<f64>> = vec![Vec::new(); formats.len() + 2];
    let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); formats.len() + 2];
    let (mut instances, mut bytes) = (0, 0);
    for _ in 0..runs {
        let (w0, c0) = (Instant::now(), cpu_ms());
        let a = analyze(&model, &lib, &[], &waivers, 0);
        let (w1, c1) = (Instant::now(), cpu_ms());
        wall[0].push((w1 - w0).as_secs_f64() * 1e3);
        cpu[0].push(c1 - c0);
        bytes = 0;
        for (k, f) in formats.iter().enumerate() {
            let (ws, cs) = (Instant::now(), cpu_ms());
            let out = render::render(&a, *f);
            wall[k + 1].push(ws.elapsed().as_secs_f64() * 1e3);
            cpu[k + 1].push(cpu_ms() - cs);
            bytes += out.len();
        }
        wall[formats.len() + 1].push(w0.elapsed().as_secs_f64() * 1e3);
        cpu[formats.len() + 1].push(cpu_ms() - c0);
        instances = a.instances.len();
    }
    let names = [
        "analyze",
        "markdown",
        "json",
        "dot",
        "mermaid",
        "analyze+all-outputs",
    ];
    println!(
        "BENCH components={} flows={} instances={instances} output={bytes} bytes runs={runs} parse+library={parse_ms:.1} ms (first run)",
        model.components.len(),
        model.flows.len(),
    );
    println!(
        "{:<22} {:>16} {:>16}",
        "phase (ms)", "cpu min/median", "wall min/median"
    );
    for (k, n) in names.iter().enumerate() {
        println!(
            "{n:<22} {:>16} {:>16}",
            stats(&mut cpu[k]),
            stats(&mut wall[k])
        );
    }
    assert_eq!(model.components.len(), 500);
    assert_eq!(model.flows.len(), 1000);
}
