#!/usr/bin/env bash
# Benchmark of the HTML report (issue 13 §6). Not a test: it prints figures.
#
#   bench/html.sh [RUNS]        (default 5 runs per measurement)
#
# Builds this host's snapshot with 100 synthetic containers (a mix of hardened
# and risky settings) and generates 4,000 Kubernetes manifests + 4,000
# Dockerfiles (bench/scan_corpus.py, fixed seed). Then, in release mode:
#   * examples/html_bench.rs: the time to render the HTML from the audit, threat
#     model and scan results alone (median of RUNS), with the built-in diagram
#     and with Graphviz, and the page size. Targets: <= 200 ms, <= 5 MB;
#   * `shipshape report --snapshot SNAP CORPUS -f html` end to end (collect is
#     replaced by the snapshot; the scan of 8,000 files and the threat model of
#     every scanned workload are included), wall time and output size.
# Set SKIP_BUILD=1 to reuse the release build. Needs the Docker daemon (the
# host part of the snapshot is collected live).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
N=4000
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    cargo build --release --quiet --example html_bench --bin shipshape
fi
BIN=target/release/shipshape
WORK="$(mktemp -d "${TMPDIR:-/tmp}/shipshape-html-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
python3 bench/scan_corpus.py "$WORK/corpus" "$N"

echo "note:    wall time depends on other load on the machine"
echo "machine: $(nproc) CPUs, $(lscpu | awk -F: '/Model name/ {gsub(/^ +/,"",$2); print $2; exit}'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "graphviz: $(command -v dot >/dev/null && dot -V 2>&1 || echo 'not installed (Auto falls back to the built-in layout)')"
target/release/examples/html_bench "$WORK/corpus" "$RUNS" "$WORK/bench.html" "$WORK/snap.json"

for diagram in builtin auto; do
    t0=$(date +%s%N)
    "$BIN" report --snapshot "$WORK/snap.json" "$WORK/corpus" --diagram "$diagram" --fail-on none -o "$WORK/report.html" 2>/dev/null
    t1=$(date +%s%N)
    echo "end to end: shipshape report --snapshot (100 containers) + scan of $((2 * N)) files, --diagram $diagram: $(( (t1 - t0) / 1000000 )) ms, $(stat -c %s "$WORK/report.html") bytes"
done
