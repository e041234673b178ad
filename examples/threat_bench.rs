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

fn main() {
    let text = synthetic_model(500, 1000);
    let t0 = Instant::now();
    let mf = modelfile::parse("synthetic.yaml", &text).unwrap();
    let mut model = SystemModel::default();
    let waivers = modelfile::apply(&mut model, "synthetic.yaml", &mf).unwrap();
    model.fill_defaults();
    let lib = Library::builtin();
    let t1 = Instant::now();
    let a = analyze(&model, &lib, &[], &waivers, 0);
    let t2 = Instant::now();
    let mut bytes = 0;
    let mut per = Vec::new();
    for f in [
        ThreatFormat::Markdown,
        ThreatFormat::Json,
        ThreatFormat::Dot,
        ThreatFormat::Mermaid,
    ] {
        let s = Instant::now();
        let out = render::render(&a, f);
        bytes += out.len();
        per.push(format!("{f:?} {:.1} ms", s.elapsed().as_secs_f64() * 1e3));
    }
    let t3 = Instant::now();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!(
        "BENCH components={} flows={} instances={} parse+library={:.1} ms analyze={:.1} ms render-all={:.1} ms ({}) total={:.1} ms output={} bytes",
        model.components.len(),
        model.flows.len(),
        a.instances.len(),
        ms(t1 - t0),
        ms(t2 - t1),
        ms(t3 - t2),
        per.join(", "),
        ms(t3 - t0),
        bytes
    );
    assert_eq!(model.components.len(), 500);
    assert_eq!(model.flows.len(), 1000);
}
