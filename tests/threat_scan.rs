//! Every source is evidence: `threats --scan` turns manifests into
//! components and flows, and the scan findings into evidence.

mod threat_support;

use threat_support::*;

fn threats(args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .arg("threats")
        .args(args)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null);
    (
        o.status.code(),
        v,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn inst<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    v["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

fn check<'a>(t: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    t["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["check"] == id)
        .unwrap_or_else(|| panic!("no evidence {id} in {t:#}"))
}

#[test]
fn a_privileged_pod_and_a_cluster_admin_binding_confirm_the_kubernetes_threats() {
    let dir = fixture("k8s");
    let (code, v, err) = threats(&[
        "--no-host",
        "--scan",
        dir.to_str().unwrap(),
        "-f",
        "json",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(code, Some(1), "{err}");

    // The privileged pod confirms breakout, with the scan finding as evidence.
    let b = inst(&v, "k8s.workload.breakout@k8s:shop/Pod/debug");
    assert_eq!(b["status"], "open-confirmed");
    assert_eq!(b["severity"], "critical");
    let e = check(b, "K8S-001");
    assert_eq!(e["outcome"], "FAIL");
    assert_eq!(e["source"], "check");
    assert_eq!(e["targets"][0]["name"], "Pod/debug");
    // The hardened deployment next to it passes the same rule.
    let w = inst(&v, "k8s.workload.breakout@k8s:shop/Deployment/web");
    assert_eq!(w["status"], "mitigated");

    // The ClusterRoleBinding makes the pod's account cluster-admin.
    let sa = inst(&v, "k8s.serviceaccount.overprivileged@sa:shop/ci");
    assert_eq!(sa["status"], "open-confirmed");
    assert_eq!(check(sa, "K8S-041")["outcome"], "FAIL");
    assert_eq!(
        check(sa, "K8S-041")["targets"][0]["name"],
        "ClusterRoleBinding/ci-admin"
    );
    // An account no binding names is not confirmed by that binding.
    let d = inst(&v, "k8s.serviceaccount.overprivileged@sa:shop/default");
    assert_ne!(d["status"], "open-confirmed");

    // Automounted token + broad RBAC: lateral movement confirmed.
    let lm = inst(&v, "k8s.workload.token-lateral-movement@k8s:shop/Pod/debug");
    assert_eq!(lm["status"], "open-confirmed");
    assert_eq!(check(lm, "K8S-021")["outcome"], "FAIL");
    assert_eq!(
        check(lm, "fact:token_with_broad_rbac")["source"],
        "observed"
    );
    // The deployment opted out of the token: the threat does not apply.
    assert!(!v["threats"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == "k8s.workload.token-lateral-movement@k8s:shop/Deployment/web"));

    // No NetworkPolicy: east-west exposure confirmed.
    let ew = inst(&v, "k8s.namespace.east-west@k8s:shop/Deployment/web");
    assert_eq!(ew["status"], "open-confirmed");
    // The LoadBalancer Service exposes the deployment.
    let lb = inst(
        &v,
        "k8s.service.external-exposure@k8s:shop/Deployment/web@network-clients->k8s:shop/Deployment/web",
    );
    assert_eq!(lb["status"], "open-confirmed");
    assert_eq!(check(lb, "K8S-053")["outcome"], "FAIL");
}

#[test]
fn a_network_policy_clears_east_west_and_no_host_needs_a_source() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["app.yaml", "rbac.yaml"] {
        std::fs::copy(fixture("k8s").join(f), dir.path().join(f)).unwrap();
    }
    std::fs::write(
        dir.path().join("netpol.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n",
    )
    .unwrap();
    let (_, v, err) = threats(&[
        "--no-host",
        "--scan",
        dir.path().to_str().unwrap(),
        "-f",
        "json",
    ]);
    let ew = inst(&v, "k8s.namespace.east-west@k8s:shop/Deployment/web");
    assert_eq!(ew["status"], "mitigated", "{err}");
    let (code, _, err) = threats(&["--no-host"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("--no-host needs --model FILE or --scan PATH"),
        "{err}"
    );
}
