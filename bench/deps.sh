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
#     (examples/deps_bench.rs: names and versions drawn from the index with a
#     fixed seed; matching only, index load reported separately);
#   * an end-to-end `shipshape deps` over a site-packages tree of 5,000
#     *.dist-info directories (walk + parse + load + match).
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
trap 'rm -rf "$WORK"' EXIT
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

python3 - "$WORK/site" <<'PY'
import json, os, random, sys
idx = json.load(open(os.path.join(sys.argv[1], "..", "db", "index.json")))
pool = sorted({(e["package"], ev.get("introduced") or ev.get("fixed"))
               for a in idx["advisories"] for e in a["affected"]
               for r in e.get("ranges", []) for ev in r
               if (ev.get("introduced") or ev.get("fixed")) not in (None, "0")})
rnd = random.Random(14)
sp = os.path.join(sys.argv[1], "lib", "python3.11", "site-packages")
for i in range(5000):
    name, ver = rnd.choice(pool)
    d = os.path.join(sp, f"{name.replace('-', '_')}_{i}-{ver}.dist-info")
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
