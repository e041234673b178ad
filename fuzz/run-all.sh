#!/bin/sh
# Run every fuzz target in turn for SECS seconds (default 300), seeded from
# tests/fuzz-corpus/<target>, with the limits the project requires: 1 s per
# input, 256 MB of memory. Logs go to fuzz/logs/, crashes to fuzz/artifacts/.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); RUSTC_BOOTSTRAP=1 lets the
# stable toolchain accept the flags cargo-fuzz passes.
set -u
SECS=${1:-300}
shift 2>/dev/null || true
cd "$(dirname "$0")"
TARGETS=${*:-"yaml_k8s dockerfile compose daemon_json audit_rules systemd_unit proc_files threat_model shipshape_toml engine_api"}
RUSTC_BOOTSTRAP=1 cargo fuzz build -O -s none || exit 1
BIN=target/x86_64-unknown-linux-gnu/release
mkdir -p logs
for t in $TARGETS; do
    mkdir -p "corpus/$t" "artifacts/$t"
    cp -n ../tests/fuzz-corpus/"$t"/* "corpus/$t/" 2>/dev/null
    echo "== $t ($SECS s) $(date -u +%H:%M:%S)"
    "$BIN/$t" "corpus/$t" -max_total_time="$SECS" -rss_limit_mb=256 -timeout=1 \
        -max_len=65536 -artifact_prefix="artifacts/$t/" -print_final_stats=1 \
        > "logs/$t.log" 2>&1
    echo "   exit $? $(grep -E '^#[0-9]+.*(DONE|pulse)' "logs/$t.log" | tail -1)"
done
