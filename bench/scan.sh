#!/usr/bin/env bash
# Benchmark of `shipshape scan` (issue §6). Not a test: it prints figures.
#
#   bench/scan.sh [RUNS]        (default 5 runs per measurement)
#
# Generates 4,000 Kubernetes manifests (1–3 KB, unique names) and 4,000
# Dockerfiles into a temporary directory (bench/scan_corpus.py, fixed seed),
# then measures with the release binary:
#   * wall time of a full scan (median of RUNS), files per second;
#   * peak RSS (maximum over the runs, from /usr/bin/time -v);
#   * start-up: wall time to scan one manifest (median of 50 runs).
# Set SKIP_BUILD=1 to reuse target/release/shipshape.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
N=4000
BIN=target/release/shipshape

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    cargo build --release --quiet
fi
[[ -x /usr/bin/time ]] || { echo "needs GNU time at /usr/bin/time" >&2; exit 2; }

CORPUS="$(mktemp -d "${TMPDIR:-/tmp}/shipshape-bench.XXXXXX")"
trap 'rm -rf "$CORPUS"' EXIT
python3 bench/scan_corpus.py "$CORPUS" "$N"
FILES=$((2 * N))

median() { python3 -c 'import sys,statistics; v=[float(x) for x in sys.stdin.read().split()]; print(f"{statistics.median(v):.4f}")'; }

measure() { # $1 = label, rest = extra args
    local label="$1"; shift
    local walls=() cpus=() rss=0
    "$BIN" scan "$CORPUS" --no-config --fail-on none "$@" >/dev/null 2>&1 || true # warm the page cache
    for _ in $(seq "$RUNS"); do
        local log; log="$(mktemp)"
        /usr/bin/time -v "$BIN" scan "$CORPUS" --no-config --fail-on none "$@" >/dev/null 2>"$log" || true
        local w r
        w="$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")"
        r="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")"
        c="$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$log")"
        walls+=("$w"); cpus+=("$c"); (( r > rss )) && rss=$r
        rm -f "$log"
    done
    local wall cpu; wall="$(printf '%s\n' "${walls[@]}" | median)"; cpu="$(printf '%s\n' "${cpus[@]}" | median)"
    python3 -c "import sys; w=float('$wall'); c=float('$cpu'); print(f'{sys.argv[1]:<24} wall {w*1000:5.0f} ms  {${FILES}/w:6.0f} files/s   CPU {c*1000:5.0f} ms ({${FILES}/c:6.0f} files per CPU-second)   peak RSS {int(sys.argv[2])/1024:5.1f} MiB   (walls: {sys.argv[3]})')" \
        "$label" "$rss" "${walls[*]}"
}

echo "note:    wall time depends on other load on the machine; CPU time does not"
echo "machine: $(nproc) CPUs, $(lscpu | awk -F: '/Model name/ {gsub(/^ +/,"",$2); print $2; exit}'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary:  $("$BIN" --version)"
echo "corpus:  $N Kubernetes manifests + $N Dockerfiles = $FILES files ($(du -sh "$CORPUS" | cut -f1))"
measure "scan, --format json" --format json --output /dev/null
measure "scan, --format text" --format text
measure "scan, --format sarif" --format sarif --output /dev/null

ONE="$CORPUS/k8s/app-00001.yaml"
starts=()
for _ in $(seq 50); do
    t0=$(date +%s%N)
    "$BIN" scan "$ONE" --no-config --fail-on none --format json --output /dev/null
    t1=$(date +%s%N)
    starts+=("$(( (t1 - t0) / 1000 ))")
done
echo "start-up, one file:          $(printf '%s\n' "${starts[@]}" | median | python3 -c 'import sys; print(f"{float(sys.stdin.read())/1000:.1f} ms (median of 50)")')"
