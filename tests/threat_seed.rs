//! The seed model file (`examples/seed-model.yaml`) declares the components
//! of the two hand-written seed threat models; every threat they describe
//! must come out of `shipshape threats` on it. Each seed threat is named here.

mod threat_support;

use shipshape::findings::Stride::{self, *};
use shipshape::threat::{analyze, modelfile, Library, SystemModel};
use threat_support::root;

/// (seed and item, threat instance id, STRIDE categories the seed names)
const SEED_THREATS: &[(&str, &str, &[Stride])] = &[
    // Seed 000: Docker
    (
        "000 Docker 1: namespace isolation and container escape",
        "docker.container.namespace-breakout@app-container",
        &[Tampering],
    ),
    (
        "000 Docker 2: insecure defaults (all capabilities)",
        "docker.container.default-capabilities@app-container",
        &[Tampering],
    ),
    (
        "000 Docker 3: host misconfiguration, SELinux enforcing",
        "docker.host.misconfiguration@docker-host",
        &[ElevationOfPrivilege],
    ),
    (
        "000 Docker 4: registry image spoofing and tampering (DCT, digests)",
        "docker.registry.spoofed-image@registry",
        &[Spoofing, Tampering],
    ),
    (
        "000 Docker 4: images exposing authentication secrets",
        "docker.image.secret-leak@registry",
        &[InformationDisclosure],
    ),
    (
        "000 Docker 5: client compromise",
        "docker.client.compromised-workstation@docker-client",
        &[ElevationOfPrivilege, Spoofing, Tampering],
    ),
    // Seed 000: Kubernetes
    (
        "000 Kubernetes 1: API server internet exposure, basic/anonymous auth",
        "k8s.apiserver.exposed-console@kube-apiserver",
        &[ElevationOfPrivilege],
    ),
    (
        "000 Kubernetes 2: controller-manager service-account credentials and RBAC",
        "k8s.controller-manager.service-account-scope@kube-controller-manager",
        &[ElevationOfPrivilege, Spoofing],
    ),
    (
        "000 Kubernetes 3: etcd configuration tampering",
        "k8s.etcd.tampering@etcd",
        &[Tampering],
    ),
    (
        "000 Kubernetes 3: etcd encryption at rest",
        "k8s.etcd.data-disclosure@etcd",
        &[InformationDisclosure],
    ),
    (
        "000 Kubernetes 3: etcd CA-issued certificates only",
        "k8s.etcd.self-signed-certs@etcd",
        &[Spoofing],
    ),
    (
        "000 Kubernetes 4: scheduler profiling and bind address",
        "k8s.scheduler.profiling-and-exposure@kube-scheduler",
        &[InformationDisclosure, Spoofing],
    ),
    (
        "000 Kubernetes 5: vulnerable Python application dependencies",
        "app.vulnerable-dependencies@python-service",
        &[Tampering],
    ),
    // Seed 002: Docker
    (
        "002 Docker 1: unencrypted client-daemon traffic, TLS",
        "docker.daemon.unencrypted-api@docker-daemon@docker-client->docker-daemon",
        &[Spoofing],
    ),
    (
        "002 Docker 2: Dockerfile with no USER",
        "docker.container.root-user@app-container",
        &[ElevationOfPrivilege],
    ),
    (
        "002 Docker 3: image spoofing, content trust",
        "docker.image.unverified-pull@app-image@registry->app-image",
        &[Spoofing],
    ),
    (
        "002 Docker 4: daemon config tampering, TLS CA ownership",
        "docker.daemon.config-tampering@docker-daemon",
        &[Tampering],
    ),
    (
        "002 Docker 5: memory denial of service",
        "docker.container.resource-exhaustion@app-container",
        &[DenialOfService],
    ),
    // Seed 002: Kubernetes
    (
        "002 Kubernetes 1: API server spoofing, TLS, no anonymous/basic auth",
        "k8s.apiserver.anonymous-access@kube-apiserver",
        &[Spoofing],
    ),
    (
        "002 Kubernetes 1: spoofed calls to the API server",
        "k8s.apiserver.spoofed-calls@kube-apiserver@python-service->kube-apiserver",
        &[Spoofing],
    ),
    (
        "002 Kubernetes 1: CAP_NET_RAW packet spoofing from pods",
        "docker.container.net-raw-spoofing@python-service",
        &[Spoofing],
    ),
    (
        "002 Kubernetes 2: etcd file permissions and ownership",
        "k8s.etcd.tampering@etcd",
        &[Tampering],
    ),
    (
        "002 Kubernetes 3: kubelet repudiation, TLS authn/authz",
        "k8s.kubelet.repudiation@kubelet",
        &[Repudiation],
    ),
    (
        "002 Kubernetes 4: kube-proxy kubeconfig permissions",
        "k8s.kube-proxy.kubeconfig-disclosure@kube-proxy",
        &[InformationDisclosure],
    ),
    (
        "002 Kubernetes 5: scheduler denial of service",
        "k8s.scheduler.resource-exhaustion@kube-scheduler",
        &[DenialOfService],
    ),
];

#[test]
fn seed_model_yields_every_seed_threat() {
    let path = root("examples/seed-model.yaml");
    let (name, mf) = modelfile::load(&path).unwrap();
    let mut model = SystemModel::default();
    let waivers = modelfile::apply(&mut model, &name, &mf).unwrap();
    model.fill_defaults();
    let lib = Library::builtin();
    let a = analyze(&model, &lib, &[], &waivers, 0);
    let mut missing = Vec::new();
    for (seed, id, stride) in SEED_THREATS {
        match a.instances.iter().find(|i| &i.id == id) {
            None => missing.push(format!("{seed}: no instance {id}")),
            Some(i) => {
                for s in *stride {
                    assert!(
                        a.stride_of(i).contains(s),
                        "{seed}: {id} lacks STRIDE {s:?} (has {:?})",
                        a.stride_of(i)
                    );
                }
                assert!(!a.threat(i).prevention.is_empty(), "{seed}: no prevention");
            }
        }
    }
    assert!(
        missing.is_empty(),
        "seed threats not reproduced:\n{}",
        missing.join("\n")
    );
}

#[test]
fn seed_threats_carry_the_seeds_preventions() {
    // Spot-check that the prevention advice of the seeds is present, in our words.
    let lib = Library::builtin();
    let has = |id: &str, needle: &str| {
        let t = lib.get(id).unwrap();
        t.prevention.iter().any(|p| p.contains(needle))
    };
    assert!(has("docker.container.namespace-breakout", "--privileged"));
    assert!(has(
        "docker.container.default-capabilities",
        "--cap-drop=ALL"
    ));
    assert!(has(
        "docker.host.misconfiguration",
        "SELinux in enforcing mode"
    ));
    assert!(has("docker.registry.spoofed-image", "Content Trust"));
    assert!(has("docker.registry.spoofed-image", "digest"));
    assert!(has(
        "docker.client.compromised-workstation",
        "endpoint detection"
    ));
    assert!(has(
        "k8s.apiserver.exposed-console",
        "anonymous access and basic"
    ));
    assert!(has("k8s.controller-manager.service-account-scope", "RBAC"));
    assert!(has("k8s.etcd.data-disclosure", "at rest"));
    assert!(has("k8s.etcd.self-signed-certs", "certificate authority"));
    assert!(has("k8s.etcd.tampering", "only from the API server"));
    assert!(has(
        "k8s.scheduler.profiling-and-exposure",
        "--profiling=false"
    ));
    assert!(has("docker.daemon.unencrypted-api", "TLS"));
    assert!(has("docker.daemon.config-tampering", "TLS CA certificate"));
    assert!(has("docker.container.resource-exhaustion", "memory limit"));
    assert!(has("k8s.kubelet.repudiation", "hostname"));
    assert!(has("k8s.kube-proxy.kubeconfig-disclosure", "644"));
    assert!(has("app.vulnerable-dependencies", "update them"));
}
