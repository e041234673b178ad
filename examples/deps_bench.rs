//! Matching benchmark for `bench/deps.sh`: loads an advisory index and times
//! matching N installed packages (names from the index, versions spread
//! around the advisories' bounds, fixed seed).
//!
//!   cargo run --release --example deps_bench -- DB_DIR [N] [RUNS]

use shipshape::deps::db::Index;
use shipshape::deps::matcher::Matcher;
use shipshape::deps::osv::Event;
use shipshape::deps::{Origin, Package, SourceKind};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args.next().expect("usage: deps_bench DB_DIR [N] [RUNS]");
    let n: usize = args.next().map(|s| s.parse().unwrap()).unwrap_or(5000);
    let runs: usize = args.next().map(|s| s.parse().unwrap()).unwrap_or(5);

    let t = Instant::now();
    let index = Index::load(std::path::Path::new(&db)).unwrap_or_else(|e| panic!("{e}"));
    let load = t.elapsed();

    // Candidate (name, version) pairs from the index itself.
    let mut pool: Vec<(String, String)> = Vec::new();
    for a in &index.advisories {
        for e in &a.affected {
            for r in &e.ranges {
                for ev in r {
                    if let Event::Introduced(v) | Event::Fixed(v) = ev {
                        if v != "0" {
                            pool.push((e.package.clone(), v.clone()));
                        }
                    }
                }
            }
            pool.extend(e.versions.iter().take(3).map(|v| (e.package.clone(), v.clone())));
        }
    }
    pool.sort();
    pool.dedup();
    // A fixed-seed linear congruential pick of N packages.
    let mut x: u64 = 0x5eed;
    let packages: Vec<Package> = (0..n)
        .map(|_| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let (name, v) = &pool[(x >> 33) as usize % pool.len()];
            Package::exact(name, v, SourceKind::Installed, Origin::file("bench"))
        })
        .collect();

    let mut times = Vec::new();
    let mut findings = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let mut m = Matcher::new(&index);
        findings = 0;
        for p in &packages {
            findings += m.check(p).map(|f| f.len()).unwrap_or(0);
        }
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "index load: {:.1} ms ({} advisories, {} packages)",
        load.as_secs_f64() * 1000.0,
        index.advisories.len(),
        index.package_count()
    );
    println!(
        "match {n} packages: median {:.1} ms, min {:.1} ms over {runs} runs ({findings} findings)",
        times[times.len() / 2],
        times[0]
    );
}
