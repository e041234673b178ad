#!/usr/bin/env bash
# Benchmark: `shipshape harden` plan and apply against a throwaway second
# dockerd (never the machine's own). Not a test: it prints figures.
#
#   bench/harden.sh        # 15 plans, 10 apply/rollback cycles
#   bench/harden.sh 5 3
#
# The throwaway daemon has its own socket, data root, exec root, pid file
# and config file in a temp dir, runs without iptables on a bridge this
# script creates, and is stopped (bridge, mounts, audit rules and dirs
# removed) on exit, even on failure. Needs root, dockerd and auditd.
set -euo pipefail
cd "$(dirname "$0")/.."
plans=${1:-15}
cycles=${2:-10}
id=$(printf '%08x' $(( $$ ^ $(date +%N) )))
dir=/tmp/shipshape-tw-$id
br=ssw${id:0:8}
pid=

cleanup() {
  set +e
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  /sbin/auditctl -l 2>/dev/null | grep -F "$dir" | sed 's/^-w /-W /' | while read -r rule; do
    /sbin/auditctl $rule >/dev/null 2>&1 || true
  done || true
  grep -F " $dir" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  ip link del "$br" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

cargo build --release --quiet
bin=$PWD/target/release/shipshape

mkdir -p "$dir/data" "$dir/exec"
printf '{\n    "debug": true,\n    "experimental": true\n}\n' > "$dir/daemon.json"
ip link add "$br" type bridge
ip addr add "10.233.$(( 0x${id:6:2} % 200 + 20 )).1/24" dev "$br"
ip link set "$br" up
dockerd -H "unix://$dir/docker.sock" --data-root "$dir/data" --exec-root "$dir/exec" \
  --pidfile "$dir/docker.pid" --config-file "$dir/daemon.json" \
  --iptables=false --ip6tables=false --storage-driver vfs --bridge "$br" \
  >"$dir/dockerd.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
  docker -H "unix://$dir/docker.sock" version >/dev/null 2>&1 && break
  sleep 0.2
done
export DOCKER_HOST="unix://$dir/docker.sock"
args=(--state-dir "$dir/state" --only 1.1.5,1.1.11,2 --exclude 2.9 --rules-file "$dir/90-shipshape.rules")

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
stats() { sort -n | awk '{a[NR]=$1} END {printf "median %d ms, min %d ms, max %d ms (n=%d)\n", a[int((NR+1)/2)], a[1], a[NR], NR}'; }

echo "plan (whole process: collect, audit, plan, read files, diff):"
for _ in $(seq "$plans"); do
  t=$(date +%s%N); "$bin" harden plan "${args[@]}" -f json >/dev/null; ms "$t"
done | stats

: > "$dir/apply.txt"; : > "$dir/reload.txt"; : > "$dir/wall.txt"; : > "$dir/rollback.txt"
for _ in $(seq "$cycles"); do
  t=$(date +%s%N)
  out=$("$bin" harden apply "${args[@]}" --force --yes -f json)
  ms "$t" >> "$dir/wall.txt"
  echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["apply_ms"])' >> "$dir/apply.txt"
  echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["apply_with_reload_ms"])' >> "$dir/reload.txt"
  t=$(date +%s%N)
  "$bin" harden rollback --state-dir "$dir/state" --yes >/dev/null
  ms "$t" >> "$dir/rollback.txt"
done
echo "apply, live class (journal + writes + audit rules loaded):"; stats < "$dir/apply.txt"
echo "apply, live class plus the SIGHUP reload confirmed by the API:"; stats < "$dir/reload.txt"
echo "apply, whole process (plan, apply, reload, re-audit):"; stats < "$dir/wall.txt"
echo "rollback, whole process (restore, remove rules, two reloads):"; stats < "$dir/rollback.txt"
