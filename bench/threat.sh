#!/usr/bin/env bash
# Benchmark of `shipshape threats` on a synthetic model of 500 components and
# 1,000 flows (target: threats + each output in <= 100 ms and <= 50 MB peak RSS).
#
#   bench/threat.sh            # builds the release binary, then measures
#   SHIPSHAPE=path bench/threat.sh
#
# Each format is a separate process run (model-file parse, library load,
# evaluation of every threat, rendering), timed with /usr/bin/time -v. The
# generated model and outputs go to bench/out/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
bin=${SHIPSHAPE:-target/release/shipshape}
if [ -z "${SHIPSHAPE:-}" ]; then
  cargo build --release --quiet
fi
model="$out/threat-model-500.yaml"

# 500 components of every kind in 25 boundaries (5 of them nested), 1,000
# flows with a mix of known and unknown encryption and authentication.
awk 'BEGIN {
  split("docker-client docker-host docker-daemon container-runtime image-registry container-image container kube-apiserver etcd kube-controller-manager kube-scheduler kubelet kube-proxy app-service external-actor", kinds, " ");
  split("host container control-plane worker-node cluster-network internet", bkinds, " ");
  print "version: 1";
  print "name: synthetic 500-component platform";
  print "boundaries:";
  for (b = 0; b < 25; b++) {
    parent = (b >= 20) ? ", parent: b" (b - 20) : "";
    printf "  - {id: b%d, kind: %s, name: zone %d%s}\n", b, bkinds[(b % 6) + 1], b, parent;
  }
  print "components:";
  for (i = 0; i < 500; i++)
    printf "  - {id: c%d, kind: %s, name: component %d, boundary: b%d}\n", i, kinds[(i % 15) + 1], i, i % 25;
  print "flows:";
  for (f = 0; f < 1000; f++) {
    from = f % 500; to = (f * 7 + 13) % 500; if (to == from) to = (to + 1) % 500;
    enc = (f % 3 == 0) ? ", encrypted: false" : (f % 3 == 1 ? ", encrypted: true, authenticated: true" : "");
    proto = (f % 4 == 0) ? ", protocol: tcp, port: 2375" : "";
    printf "  - {from: c%d, to: c%d, label: flow %d%s%s}\n", from, to, f, enc, proto;
  }
  print "waivers:";
  print "  - {threat: \"app.*@c13\", reason: synthetic waiver}";
}' > "$model"

printf '%-9s %10s %12s %10s %9s\n' format "wall (ms)" "max RSS (MB)" "bytes" threats
total_ms=0
max_rss=0
for fmt in markdown json dot mermaid; do
  dest="$out/threat-500.$fmt"
  /usr/bin/time -v "$bin" threats --no-host --model "$model" --format "$fmt" --output "$dest" \
    2> "$out/time-$fmt.txt" || { cat "$out/time-$fmt.txt"; exit 1; }
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out/time-$fmt.txt")
  # h:mm:ss or m:ss.ss -> milliseconds
  ms=$(awk -v t="$wall" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%d", s * 1000 + 0.5 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$out/time-$fmt.txt")
  n=$("$bin" threats --no-host --model "$model" --format json | grep -c '"id": "[^"]*@' || true)
  printf '%-9s %10s %12s %10s %9s\n' "$fmt" "$ms" "$rss" "$(wc -c < "$dest")" "$n"
  total_ms=$((total_ms + ms))
  max_rss=$(awk -v a="$max_rss" -v b="$rss" 'BEGIN { print (b > a) ? b : a }')
done
echo "all four outputs: ${total_ms} ms in total (four separate runs), peak RSS ${max_rss} MB"
if command -v dot > /dev/null; then
  /usr/bin/time -f "dot -Tsvg: %e s, %M KB" dot -Tsvg "$out/threat-500.dot" -o "$out/threat-500.svg"
fi

# One process: parse + library + evaluation + all four outputs.
cargo build --release --quiet --example threat_bench
# Reports thread CPU time next to wall time (min/median of BENCH_RUNS runs,
# default 9): on a loaded machine the CPU figures are the ones to compare.
/usr/bin/time -v target/release/examples/threat_bench 2> "$out/time-inprocess.txt"
uptime
awk -F': ' '/Maximum resident set size/ {printf "in-process peak RSS: %.1f MB\n", $2 / 1024} /Elapsed \(wall clock\)/ {print "in-process wall: " $2}' "$out/time-inprocess.txt"
