#!/usr/bin/env bash
# Benchmark: time and peak memory of `shipshape collect` on a kubeadm-shaped
# control-plane tree (4 static pods, 22 PKI files, kubeconfigs, kubelet
# config + drop-in, systemd drop-in) with a stand-in kubelet process. Not a
# test: it prints figures. The Docker part is switched off (DOCKER_HOST
# names a socket that does not exist), and the same run on an empty root is
# the baseline, so the difference is the Kubernetes collection.
#
#   bench/kube-collect.sh          # 30 runs
#   bench/kube-collect.sh 100      # 100 runs
#   SHIPSHAPE_BIN=dist/shipshape bench/kube-collect.sh   # no build
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
work=$(mktemp -d)
standin_pid=""
cleanup() {
  [ -n "$standin_pid" ] && kill "$standin_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# SHIPSHAPE_BIN=path uses an already built binary (e.g. the static one).
if [ -n "${SHIPSHAPE_BIN:-}" ]; then
  bin=$SHIPSHAPE_BIN
else
  cargo build --release --quiet
  bin=${CARGO_TARGET_DIR:-$PWD/target}/release/shipshape
fi

root=$work/root
empty=$work/empty
mkdir -p "$empty/etc" "$root"/etc/kubernetes/{manifests,pki/etcd} "$root"/var/lib/{kubelet/config.conf.d,etcd} \
  "$root"/usr/lib/systemd/system/kubelet.service.d "$root"/etc/cni/net.d
printf 'root:x:0:0::/root:/bin/sh\netcd:x:998:998::/var/lib/etcd:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\netcd:x:998:\n' > "$root/etc/group"
cp "$root/etc/passwd" "$root/etc/group" "$empty/etc/"
ln -s /proc "$root/proc"
ln -s /proc "$empty/proc"
pod() { # name, then flags
  local name=$1; shift
  { printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  namespace: kube-system\nspec:\n  containers:\n  - name: %s\n    command:\n    - %s\n' "$name" "$name" "$name"
    for f in "$@"; do printf '    - %s\n' "$f"; done
    printf '    image: registry.k8s.io/%s:v1.32.0\n  hostNetwork: true\n' "$name"
  } > "$root/etc/kubernetes/manifests/$name.yaml"
}
pki=/etc/kubernetes/pki
pod kube-apiserver --advertise-address=10.0.0.10 --allow-privileged=true --authorization-mode=Node,RBAC \
  --client-ca-file=$pki/ca.crt --enable-admission-plugins=NodeRestriction --etcd-cafile=$pki/etcd/ca.crt \
  --etcd-certfile=$pki/apiserver-etcd-client.crt --etcd-keyfile=$pki/apiserver-etcd-client.key \
  --etcd-servers=https://127.0.0.1:2379 --kubelet-client-certificate=$pki/apiserver-kubelet-client.crt \
  --kubelet-client-key=$pki/apiserver-kubelet-client.key --secure-port=6443 \
  --service-account-key-file=$pki/sa.pub --service-account-signing-key-file=$pki/sa.key \
  --tls-cert-file=$pki/apiserver.crt --tls-private-key-file=$pki/apiserver.key
pod kube-controller-manager --bind-address=127.0.0.1 --kubeconfig=/etc/kubernetes/controller-manager.conf \
  --root-ca-file=$pki/ca.crt --service-account-private-key-file=$pki/sa.key --use-service-account-credentials=true
pod kube-scheduler --bind-address=127.0.0.1 --kubeconfig=/etc/kubernetes/scheduler.conf
pod etcd --cert-file=$pki/etcd/server.crt --key-file=$pki/etcd/server.key --client-cert-auth=true \
  --data-dir=/var/lib/etcd --peer-client-cert-auth=true --trusted-ca-file=$pki/etcd/ca.crt
for f in ca apiserver apiserver-kubelet-client apiserver-etcd-client front-proxy-ca front-proxy-client \
         etcd/ca etcd/server etcd/peer etcd/healthcheck-client; do
  echo cert > "$root$pki/$f.crt"; echo key > "$root$pki/$f.key"; chmod 600 "$root$pki/$f.key"
done
echo key > "$root$pki/sa.key"; echo pub > "$root$pki/sa.pub"
for k in admin super-admin controller-manager scheduler kubelet; do
  printf 'apiVersion: v1\nkind: Config\n' > "$root/etc/kubernetes/$k.conf"; chmod 600 "$root/etc/kubernetes/$k.conf"
done
printf 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: false\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\nauthorization:\n  mode: Webhook\nrotateCertificates: true\nstaticPodPath: /etc/kubernetes/manifests\n' \
  > "$root/var/lib/kubelet/config.yaml"
printf 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 0\nprotectKernelDefaults: true\n' \
  > "$root/var/lib/kubelet/config.conf.d/50-node.conf"
printf '[Service]\nExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS\n' \
  > "$root/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"
echo '{}' > "$root/etc/cni/net.d/10-flannel.conflist"

# The stand-in kubelet: a sleeping static binary copied to the name.
printf '#include <unistd.h>\nint main(void){for(;;)pause();}\n' > "$work/s.c"
gcc -static -Os -o "$work/kubelet" "$work/s.c"
(exec -a /usr/bin/kubelet "$work/kubelet" --kubeconfig=/etc/kubernetes/kubelet.conf \
  --config=/var/lib/kubelet/config.yaml --config-dir=/var/lib/kubelet/config.conf.d) &
standin_pid=$!
sleep 0.2

measure() { # root -> "median_ms max_rss_kb"
  local r=$1 i t0 t1 us=() rss=0 out
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    DOCKER_HOST=unix://$work/none.sock SHIPSHAPE_KUBE_PIDS=$standin_pid \
      /usr/bin/time -o "$work/rss" -f '%M' "$bin" collect --root "$r" --timeout 0.05 \
      -o "$work/snap.json" 2>/dev/null || true
    out=$(tail -1 "$work/rss")
    t1=$(date +%s%N)
    us+=($(( (t1 - t0) / 1000 )))
    [ "$out" -gt "$rss" ] && rss=$out
  done
  printf '%s\n' "${us[@]}" | sort -n | awk -v rss="$rss" '{a[NR]=$1} END{printf "%.1f %d\n", a[int((NR+1)/2)]/1000, rss}'
}
read -r base_ms base_rss < <(measure "$empty")
read -r kube_ms kube_rss < <(measure "$root")
micros=$(python3 -c "import json;print(json.load(open('$work/snap.json'))['collect_micros'])")
comps=$(python3 -c "import json;k=json.load(open('$work/snap.json'))['kubernetes'];print(len(k['components']),'components,',len(k['files']),'files,',len(k['dirs']),'dirs')")
echo "kube-collect: $runs runs, kubeadm tree ($comps)"
echo "  empty root:   median ${base_ms} ms wall, peak RSS ${base_rss} KiB"
echo "  kubeadm root: median ${kube_ms} ms wall, peak RSS ${kube_rss} KiB"
echo "  Kubernetes collection adds $(awk -v a="$kube_ms" -v b="$base_ms" 'BEGIN{printf "%.1f", a-b}') ms and $((kube_rss - base_rss)) KiB; last run's collect_micros: $micros"
