#!/usr/bin/env bash
# Benchmark: time and peak RSS of one node's CIS Kubernetes audit
# (sections 1-4, 97 checks) as a whole process, from a snapshot, so the
# figure is the evaluation and reporting alone. Not a test: it prints figures.
# Target (issue 11): at most 30 ms and 20 MB.
#
#   bench/kube-audit.sh                 # the kubeadm fixture snapshot, 30 runs
#   bench/kube-audit.sh SNAPSHOT 50     # another snapshot, 50 runs
#   ROOT=/path bench/kube-audit.sh      # collect from a node tree instead
set -euo pipefail
cd "$(dirname "$0")/.."
snap=${1:-tests/fixtures/kube/snapshot-kubeadm.json}
runs=${2:-30}

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/shipshape
if [ -n "${ROOT:-}" ]; then
  src=(--root "$ROOT")
else
  src=(--snapshot "$snap")
fi

measure() {
  local fmt=$1 i walls=() rss=0 out
  for i in 1 2; do "$bin" audit --target kubernetes "${src[@]}" -f "$fmt" >/dev/null || true; done
  for ((i = 0; i < runs; i++)); do
    # shipshape exits 1 when checks fail; that is not a benchmark failure.
    t0=$(date +%s%N)
    out=$( { /usr/bin/time -f '%M' "$bin" audit --target kubernetes "${src[@]}" -f "$fmt" >/dev/null || true; } 2>&1 | tail -1 )
    t1=$(date +%s%N)
    walls+=("$(( (t1 - t0) / 1000 ))")
    [ "$out" -gt "$rss" ] && rss=$out
  done
  sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
  median=$(awk '{a[NR]=$1} END {print a[int((NR+1)/2)] / 1000}' <<<"$sorted")
  max=$(tail -1 <<<"$sorted" | awk '{print $1 / 1000}')
  printf 'format=%-16s runs=%-3s median wall=%6.1f ms  max wall=%6.1f ms  peak RSS=%5.1f MB\n' \
    "$fmt" "$runs" "$median" "$max" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')"
}

for fmt in text json kube-bench-json; do
  measure "$fmt"
done
