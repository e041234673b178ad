#!/usr/bin/env bash
# Benchmark of `shipshape db import` and dependency matching (issue 14 §7).
# Not a test: it prints figures.
#
#   bench/deps.sh [RUNS]        (default 5 runs per measurement)
#
# Measures with the release build:
#   * wall time and peak RSS of importing the whole PyPA advisory set
#     (../shared/data/pypa-advisories, or $SHIPSHAPE_PYPA_DATA), median of RUNS;
#   * matching 5,000 installed packages against that index
#     (examples/deps_bench.rs: every package the index knows, once, at a
#     version near one of its bounds, fixed seed; the rest without advisories;
#     matching only, index load reported separately);
#   * an end-to-end `shipshape deps` over a site-packages tree of 5,000
#     *.dist-info directories (walk + parse + load + match);
#   * `shipshape deps --image` on a 200 MB image built FROM scratch (four
#     50 MB layers of random bytes plus 300 dist-info directories), wall time
#     and peak RSS. The image is labelled and removed afterwards.
# Set SKIP_BUILD=1 to reuse target/release/.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
BIN=target/release/shipshape
DATA="${SHIPSHAPE_PYPA_DATA:-}"
for c in "$DATA" ../shared/data/pypa-advisories ../../shared/data/pypa-advisories /work/shared/data/pypa-advisories; do
    [[ -n "$c" && -d "$c/vulns" ]] && { DATA="$c"; break; }
done
[[ -d "$DATA/vulns" ]] || { echo "PyPA advisory data not found; set SHIPSHAPE_PYPA_DATA" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "needs GNU time at /usr/bin/time" >&2; exit 2; }

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    cargo build --release --quiet
    cargo build --release --quiet --example deps_bench
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/shipshape-deps-bench.XXXXXX")"
TAG="shipshape-bench/deps-$$:200mb"
trap 'rm -rf "$WORK"; docker rmi -f "$TAG" >/dev/null 2>&1 || true' EXIT
median() { python3 -c 'import sys,statistics; v=[float(x) for x in sys.stdin.read().split()]; print(f"{statistics.median(v):.3f}")'; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }

"$BIN" db import --db "$WORK/db" "$DATA" >/dev/null # warm the page cache
walls=(); peak=0
for _ in $(seq "$RUNS"); do
    /usr/bin/time -v "$BIN" db import --db "$WORK/db" "$DATA" >/dev/null 2>"$WORK/log"
    walls+=("$(wall "$WORK/log")"); r="$(rss "$WORK/log")"; (( r > peak )) && peak=$r
done
echo "db import (PyPA, $(find "$DATA/vulns" -type f | wc -l) records): median $(printf '%s\n' "${walls[@]}" | median) s, peak RSS $((peak / 1024)) MiB"

target/release/examples/deps_bench "$WORK/db" 5000 "$RUNS"

python3 - "$WORK/site" "$WORK/db/index.json" <<'PY'
import json, os, random, sys
idx = json.load(open(sys.argv[2]))
pool = {}
for a in idx["advisories"]:
    for e in a["affected"]:
        for r in e.get("ranges", []):
            for ev in r:
                v = ev.get("introduced") or ev.get("fixed")
                if v not in (None, "0"):
                    pool.setdefault(e["package"], set()).add(v)
rnd = random.Random(14)
sp = os.path.join(sys.argv[1], "lib", "python3.11", "site-packages")
# Every package the index knows once, near one of its bounds; the rest of
# the 5,000 have no advisories.
dists = [(n, rnd.choice(sorted(vs))) for n, vs in sorted(pool.items())]
dists += [(f"filler-{i}", "1.0") for i in range(5000 - len(dists))]
for name, ver in dists:
    d = os.path.join(sp, f"{name.replace('-', '_')}-{ver}.dist-info")
    os.makedirs(d)
    with open(os.path.join(d, "METADATA"), "w") as f:
        f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: {ver}\n\n")
PY
"$BIN" deps --db "$WORK/db" --fail-on none -f json "$WORK/site" >/dev/null # warm
walls=(); peak=0
for _ in $(seq "$RUNS"); do
    /usr/bin/time -v "$BIN" deps --db "$WORK/db" --fail-on none -f json "$WORK/site" >/dev/null 2>"$WORK/log"
    walls+=("$(wall "$WORK/log")"); r="$(rss "$WORK/log")"; (( r > peak )) && peak=$r
done
echo "deps on a site-packages tree of 5,000 distributions (end to end): median $(printf '%s\n' "${walls[@]}" | median) s, peak RSS $((peak / 1024)) MiB"

# A 200 MB image: four 50 MB random layers and a layer of metadata.
CTX="$WORK/ctx"; mkdir -p "$CTX/meta"
for i in 1 2 3 4; do head -c 50000000 /dev/urandom > "$CTX/blob$i"; done
python3 - "$CTX/meta" "$WORK/db/index.json" <<'PY'
import json, os, random, sys
idx = json.load(open(sys.argv[2]))
names = sorted({e["package"] for a in idx["advisories"] for e in a["affected"]})
rnd = random.Random(7)
for i, n in enumerate(rnd.sample(names, 300)):
    d = os.path.join(sys.argv[1], "usr/local/lib/python3.11/site-packages", f"{n}-1.0.dist-info")
    os.makedirs(d)
    open(os.path.join(d, "METADATA"), "w").write(f"Metadata-Version: 2.1\nName: {n}\nVersion: 1.0\n\n")
PY
printf 'FROM scratch\nLABEL shipshape.bench=deps\nCOPY blob1 /b1\nCOPY blob2 /b2\nCOPY blob3 /b3\nCOPY blob4 /b4\nCOPY meta/ /\n' > "$CTX/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "$TAG" "$CTX" >/dev/null
"$BIN" deps --db "$WORK/db" --fail-on none -f json --image "$TAG" >/dev/null # warm
walls=(); peak=0
for _ in $(seq "$RUNS"); do
    /usr/bin/time -v "$BIN" deps --db "$WORK/db" --fail-on none -f json --image "$TAG" >"$WORK/out.json" 2>"$WORK/log"
    walls+=("$(wall "$WORK/log")"); r="$(rss "$WORK/log")"; (( r > peak )) && peak=$r
done
pk="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packages_scanned"])' "$WORK/out.json")"
echo "deps --image on a 200 MB image ($pk packages): median $(printf '%s\n' "${walls[@]}" | median) s, peak RSS $((peak / 1024)) MiB"
