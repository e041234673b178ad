#!/usr/bin/env bash
# Builds the FROM scratch image of shipshape with the machine's docker,
# without a registry: a static glibc binary built on the host, then COPY.
# Usage: bash scripts/build-image.sh [TAG] [extra docker build args...]
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-shipshape:0.1.0}"
shift || true
target_dir="${CARGO_TARGET_DIR:-target}"
# SHIPSHAPE_IMAGE_PROFILE=dev builds faster (the tests use it); release by default.
profile="${SHIPSHAPE_IMAGE_PROFILE:-release}"
out_dir=$profile
[ "$profile" = dev ] && out_dir=debug
RUSTFLAGS='-C target-feature=+crt-static' \
  cargo build --quiet --profile "$profile" --target x86_64-unknown-linux-gnu
bin="$target_dir/x86_64-unknown-linux-gnu/$out_dir/shipshape"
# A static binary has no interpreter; refuse a dynamic one (it cannot run FROM scratch).
if readelf -l "$bin" 2>/dev/null | grep -q 'Requesting program interpreter'; then
  echo "build-image: $bin is not static" >&2
  exit 1
fi
install -D -m 0755 "$bin" dist/shipshape
docker build --quiet -t "$tag" "$@" .
