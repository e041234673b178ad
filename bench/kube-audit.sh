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

# Timed from python3, in-process around each spawn, so the wrapper's own
# forks (time, tail, date) are not counted; CPU is user + sys of the child.
measure() {
  python3 - "$runs" "$@" <<'PY'
import resource, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
for _ in range(2):
    subprocess.run(cmd, stdout=subprocess.DEVNULL)
wall, cpu = [], []
for _ in range(runs):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL)  # exit 1 on FAILs is fine
    t1 = time.perf_counter()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall.append((t1 - t0) * 1000)
    cpu.append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
wall.sort(); cpu.sort()
# Peak RSS from /usr/bin/time (a python fork would count python's pages).
rss = 0
for _ in range(5):
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True).stderr.strip().splitlines()[-1]
    rss = max(rss, int(out) / 1024)
fmt = cmd[cmd.index("-f") + 1]
print(f"format={fmt:<16} runs={runs:<3} median wall={wall[len(wall)//2]:6.1f} ms  "
      f"max wall={wall[-1]:6.1f} ms  median CPU={cpu[len(cpu)//2]:5.1f} ms  peak RSS={rss:5.1f} MB")
PY
}

for fmt in text json kube-bench-json; do
  measure "$bin" audit --target kubernetes "${src[@]}" -f "$fmt"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
