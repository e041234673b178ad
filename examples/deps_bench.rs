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

    // Candidate versions per package, from the index itself.
    let mut pool: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for a in &index.advisories {
        for e in &a.affected {
            let vs = pool.entry(e.package.clone()).or_default();
            for r in &e.ranges {
                for ev in r {
                    if let Event::Introduced(v) | Event::Fixed(v) = ev {
                        if v != "0" {
                            vs.push(v.clone());
                        }
                    }
                }
            }
            vs.extend(e.versions.iter().take(3).cloned());
        }
    }
    // An environment of N distinct distributions: every package the index
    // knows (once, at a version near one of its bounds, fixed seed), the rest
    // packages without advisories, as in a real site-packages.
    let mut x: u64 = 0x5eed;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as usize
    };
    let mut packages: Vec<Package> = pool
        .iter()
        .take(n)
        .map(|(name, vs)| {
            let v = if vs.is_empty() {
                "0"
            } else {
                &vs[next() % vs.len()]
            };
            Package::exact(name, v, SourceKind::Installed, Origin::file("bench"))
        })
        .collect();
    let known = packages.len();
    for i in packages.len()..n {
        packages.push(Package::exact(
            &format!("bench-filler-{i}"),
            "1.0",
            SourceKind::Installed,
            Origin::file("bench"),
        ));
    }

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
        "match {n} packages ({known} with advisories): median {:.1} ms, min {:.1} ms over {runs} runs ({findings} findings)",
        times[times.len() / 2],
        times[0]
    );
}
