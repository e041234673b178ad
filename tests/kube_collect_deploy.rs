//! The deployment artefacts: `shipshape scan` of `deploy/` and the
//! Dockerfile finds nothing unexplained, every mount is read-only, and the
//! FROM scratch image builds with the machine's docker (no registry) and
//! runs. Also `collect` then `audit --snapshot` keeps the Kubernetes facts.

mod kube_support;

use kube_support::*;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_shipshape");

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn scanning_the_deployment_finds_nothing_unexplained() {
    let out = Command::new(BIN)
        .current_dir(repo())
        .args(["scan", "deploy/", "Dockerfile", "-f", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    assert_eq!(v["findings"], serde_json::json!([]), "{v:#}");
    assert_eq!(v["errors"], serde_json::json!([]), "{v:#}");
    assert_eq!(v["summary"]["files"]["kubernetes"], 3);
    assert_eq!(v["summary"]["files"]["dockerfile"], 1);
    assert_eq!(out.status.code(), Some(0));
    // What the job needs is suppressed, each with its reason.
    let sup = v["suppressed"].as_array().unwrap();
    let ids: std::collections::BTreeSet<&str> =
        sup.iter().map(|s| s["rule_id"].as_str().unwrap()).collect();
    for needed in ["K8S-007", "K8S-010", "K8S-004", "DF-002"] {
        assert!(ids.contains(needed), "{needed} not suppressed: {ids:?}");
    }
    for s in sup {
        let reason = s["suppression"]["reason"].as_str().unwrap_or("");
        assert!(reason.len() > 15, "weak reason: {s:#}");
    }
}

#[test]
fn every_host_mount_is_read_only_and_no_token_is_mounted() {
    for f in ["job-control-plane.yaml", "daemonset-workers.yaml"] {
        let text = std::fs::read_to_string(repo().join("deploy/kubernetes").join(f)).unwrap();
        let mounts: Vec<&str> = text.lines().filter(|l| l.contains("mountPath:")).collect();
        assert!(mounts.len() >= 8, "{f}: {mounts:?}");
        for m in &mounts {
            assert!(m.contains("readOnly: true"), "{f}: {m}");
            assert!(m.contains("mountPath: /host/"), "{f}: {m}");
        }
        assert!(text.contains("automountServiceAccountToken: false"), "{f}");
        assert!(text.contains("hostPID: true"), "{f}");
        assert!(text.contains("\"--root\", \"/host\""), "{f}");
        assert!(text.contains("name: proc, hostPath: {path: /proc"), "{f}");
    }
}

/// Removes the test image even when the test fails.
struct Image(String);

impl Drop for Image {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["image", "rm", "-f", &self.0])
            .output();
    }
}

#[test]
fn the_scratch_image_builds_without_a_registry_and_runs() {
    let docker = Command::new("docker").arg("info").output();
    assert!(
        docker.is_ok_and(|o| o.status.success()),
        "the Docker daemon is not reachable; start it (see README Set-up)"
    );
    let tag = format!("shipshape-test-image:{}", std::process::id());
    let image = Image(tag.clone());
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target-static");
    let out = Command::new("bash")
        .current_dir(repo())
        .env("CARGO_TARGET_DIR", &target)
        // The same static linking as a release image, built faster.
        .env("SHIPSHAPE_IMAGE_PROFILE", "dev")
        .args([
            "scripts/build-image.sh",
            &tag,
            "--label",
            "shipshape.test=1",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "build-image.sh: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // FROM scratch: one layer, the binary.
    let hist = Command::new("docker")
        .args([
            "image",
            "inspect",
            "-f",
            "{{len .RootFS.Layers}} {{index .Config.Labels \"shipshape.test\"}}",
            &tag,
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&hist.stdout).trim(), "1 1");
    let run = Command::new("docker")
        .args([
            "run",
            "--rm",
            "--label",
            "shipshape.test=1",
            "--network",
            "none",
            &image.0,
            "--version",
        ])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stdout).starts_with("shipshape "));
}

#[test]
fn collect_then_audit_snapshot_keeps_the_kubernetes_facts() {
    require_root();
    let t = kubeadm(&NodeOptions::hardened());
    t.link_proc();
    let kubelet = StandIn::start(
        &t.scratch().join("bin"),
        "kubelet",
        &kubelet_cmd(&NodeOptions::default()),
        None,
    );
    let snap = t.scratch().join("snap.json");
    let out = Command::new(BIN)
        .env("SHIPSHAPE_KUBE_PIDS", Tree::pids_env(&[&kubelet]))
        .args(["collect", "--root"])
        .arg(&t.root)
        .arg("-o")
        .arg(&snap)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Exit 2 only when the Docker daemon could not be reached; the
    // snapshot is written either way.
    assert!(
        out.status.code() == Some(0) || stderr.contains("docker") || stderr.contains("Docker"),
        "collect: {stderr}"
    );
    let text = std::fs::read_to_string(&snap).unwrap();
    let loaded: shipshape::snapshot::Snapshot = serde_json::from_str(&text).unwrap();
    let k = &loaded.kubernetes;
    use shipshape::snapshot::kubernetes::*;
    assert_eq!(k.profile, Some(Profile::Kubeadm));
    assert_eq!(k.components.len(), 5, "{:#?}", k.components);
    let kl = k.component(ComponentKind::Kubelet).unwrap();
    assert!(matches!(kl.found_by, FoundBy::Process { pid, .. } if pid == kubelet.pid()));
    assert_eq!(kl.get("protectKernelDefaults"), Some("true"));
    // The same facts as collecting in-process.
    let direct = shipshape::collect::kubernetes::collect_with(
        &shipshape::collect::hostfs::HostFs::new(&t.root),
        Some(&[kubelet.pid()]),
    );
    assert_eq!(&direct, k);
    // And audit reads the snapshot back (whatever it then reports).
    let audit = Command::new(BIN)
        .args(["audit", "--snapshot"])
        .arg(&snap)
        .args(["-f", "json", "-o"])
        .arg(t.scratch().join("report.json"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&audit.stderr);
    assert!(!err.contains("not a shipshape snapshot"), "{err}");
    assert!(t.scratch().join("report.json").exists(), "{err}");
}
