#!/usr/bin/env bash
# Benchmark: time a whole `shipshape audit` process against the real Docker
# daemon with N labelled containers running. Not a test: it prints figures.
#
#   bench/audit.sh            # N = 30 and 100, 15 runs each
#   bench/audit.sh 30 10      # N = 30 only, 10 runs
#
# Containers get a mix of configurations (mounts, published ports, limits,
# capabilities) so every check has something to inspect. Everything is
# labelled shipshape.bench and removed on exit, even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("${1:-30}")
[ $# -eq 0 ] && counts=(30 100)
runs=${2:-15}
label="shipshape.bench=$$"
work=$(mktemp -d)
tag="shipshape-bench/app:$$"

cleanup() {
  ids=$(docker ps -aq --filter "label=$label")
  [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1 || true
  docker rmi -f "$tag" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --quiet
bin=target/release/shipshape

gcc -static -Os -o "$work/app" tests/fixtures/docker/app.c
printf 'FROM scratch\nCOPY app /app\nHEALTHCHECK CMD ["/app","ok"]\nCMD ["/app"]\n' > "$work/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$work" >/dev/null

start_containers() {
  local have=$1 want=$2 i opts
  for ((i = have; i < want; i++)); do
    case $((i % 5)) in
      0) opts=(--memory 64m --pids-limit 50 --read-only --cap-drop ALL) ;;
      1) opts=(-v /var/run/docker.sock:/var/run/docker.sock) ;;
      2) opts=(-p "127.0.0.1::80") ;;
      3) opts=(--cap-add NET_ADMIN --restart on-failure:3) ;;
      4) opts=(-v /etc:/host-etc:ro --security-opt no-new-privileges) ;;
    esac
    docker run -d --label "$label" "${opts[@]}" "$tag" >/dev/null
  done
}

measure() {
  local n=$1 i walls=() rss=0 out
  for i in 1 2; do "$bin" audit --format json >/dev/null || true; done   # warm caches
  for ((i = 0; i < runs; i++)); do
    # shipshape exits 1 when checks fail; that is not a benchmark failure.
    t0=$(date +%s%N)
    out=$( { /usr/bin/time -f '%M' "$bin" audit --format json >/dev/null || true; } 2>&1 | tail -1 )
    t1=$(date +%s%N)
    walls+=("$(( (t1 - t0) / 1000 ))")
    [ "$out" -gt "$rss" ] && rss=$out
  done
  sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
  median=$(awk '{a[NR]=$1} END {print a[int((NR+1)/2)] / 1000}' <<<"$sorted")
  max=$(tail -1 <<<"$sorted" | awk '{print $1 / 1000}')
  running=$(docker ps -q | wc -l)
  printf 'N=%-4s running=%-4s runs=%-3s median wall=%6.0f ms  max wall=%6.0f ms  peak RSS=%5.1f MB\n' \
    "$n" "$running" "$runs" "$median" "$max" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')"
echo "docker: $(docker version --format '{{.Server.Version}}')"
have=0
for n in "${counts[@]}"; do
  start_containers "$have" "$n"
  have=$n
  measure "$n"
done
