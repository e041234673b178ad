#!/usr/bin/env python3
"""Generate the `shipshape scan` benchmark corpus.

Usage: scan_corpus.py OUT_DIR [N]   (default N = 4000)

Writes N Kubernetes manifests (1-3 KB each, unique object names, a mix of
workload kinds with Services, some multi-document) under OUT_DIR/k8s/ and N
Dockerfiles under OUT_DIR/docker/, deterministically (fixed seed).
"""
import os
import random
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
rnd = random.Random(42)
os.makedirs(os.path.join(out, "k8s"), exist_ok=True)
os.makedirs(os.path.join(out, "docker"), exist_ok=True)

KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"]
IMAGES = ["nginx", "nginx:1.27", "redis:7.2", "postgres:latest", "registry.example.com/team/app:2.3.1",
          "ghcr.io/org/api:1.0.0@sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac"]


def container(name, i):
    lines = [
        f"        - name: {name}",
        f"          image: {rnd.choice(IMAGES)}",
        "          ports:",
        f"            - containerPort: {8000 + i % 1000}",
    ]
    if rnd.random() < 0.2:
        lines.append(f"              hostPort: {9000 + i % 1000}")
    lines += ["          env:"]
    for k in range(rnd.randint(2, 6)):
        key = rnd.choice(["LOG_LEVEL", "DB_HOST", "DB_PASSWORD", "FEATURE_X", "REGION", "API_TOKEN"])
        lines += [f"            - name: {key}_{k}", f"              value: \"v{i}-{k}\""]
    if rnd.random() < 0.7:
        lines += [
            "          securityContext:",
            f"            privileged: {'true' if rnd.random() < 0.1 else 'false'}",
            f"            allowPrivilegeEscalation: {'true' if rnd.random() < 0.3 else 'false'}",
            "            readOnlyRootFilesystem: true",
            "            capabilities:",
            "              drop: [\"ALL\"]",
        ]
        if rnd.random() < 0.2:
            lines.append("              add: [\"NET_ADMIN\"]")
    if rnd.random() < 0.6:
        lines += [
            "          resources:",
            "            requests: {cpu: 100m, memory: 128Mi}",
            "            limits: {cpu: 500m, memory: 256Mi}",
        ]
    lines += [
        "          livenessProbe:",
        "            httpGet: {path: /healthz, port: 8080}",
        "            initialDelaySeconds: 5",
        "            periodSeconds: 10",
    ]
    return lines


def manifest(i):
    name = f"app-{i:05d}"
    kind = KINDS[i % len(KINDS)]
    api = "batch/v1" if kind in ("Job", "CronJob") else "apps/v1"
    pod = ["      metadata:", f"        labels: {{app: {name}}}", "      spec:"]
    if rnd.random() < 0.1:
        pod.append("        hostNetwork: true")
    if rnd.random() < 0.5:
        pod.append("        automountServiceAccountToken: false")
    pod.append("        containers:")
    for c in range(rnd.randint(1, 2)):
        pod += container(f"c{c}", i)
    if rnd.random() < 0.15:
        pod += ["        volumes:", "          - name: sock", "            hostPath:", "              path: /var/run/docker.sock"]
    if kind == "CronJob":
        spec = ["spec:", "  schedule: \"*/5 * * * *\"", "  jobTemplate:", "    spec:", "      template:"]
        pod = ["    " + l for l in pod]
    else:
        spec = ["spec:"]
        if kind != "Job":
            spec += ["  replicas: 2", f"  selector: {{matchLabels: {{app: {name}}}}}"]
        spec += ["  template:"]
    doc = [f"apiVersion: {api}", f"kind: {kind}", "metadata:", f"  name: {name}",
           f"  namespace: {rnd.choice(['default', 'shop', 'payments', 'ops'])}",
           "  labels:", f"    app: {name}", "    team: platform"] + spec + pod
    text = "\n".join(doc) + "\n"
    # Pad with a Service document until the file is at least 1 KB.
    svc = "---\n" + "\n".join([
        "apiVersion: v1", "kind: Service", "metadata:", f"  name: {name}-svc", "  namespace: shop", "spec:",
        f"  type: {rnd.choice(['ClusterIP', 'ClusterIP', 'NodePort', 'LoadBalancer'])}",
        f"  selector: {{app: {name}}}", "  ports:", "    - port: 80", "      targetPort: 8080"]) + "\n"
    if len(text) < 1024 or rnd.random() < 0.3:
        text += svc
    while len(text) < 1024:
        text += f"# padding comment for {name}\n"
    assert len(text) <= 3072, (name, len(text))
    return text


def dockerfile(i):
    base = rnd.choice(["alpine", "alpine:3.20", "ubuntu:latest", "debian:12", "golang:1.22", "node:20-slim"])
    lines = ["# syntax=docker/dockerfile:1", f"FROM golang:1.22 AS build{i}", "WORKDIR /src", "COPY . .",
             f"RUN go build -o /out/svc{i} ./cmd/svc{i}", "", f"FROM {base}"]
    r = rnd.random()
    if r < 0.3:
        lines.append("RUN apt-get update && apt-get install -y curl ca-certificates && \\\n    curl -fsSL https://get.example.com | sh")
    elif r < 0.6:
        lines.append("RUN apk add --no-cache curl=8.9.1-r0 jq=1.7.1-r0")
    else:
        lines.append("RUN apt-get update && apt-get install -y --no-install-recommends tini=0.19.0-1 \\\n    && rm -rf /var/lib/apt/lists/*")
    if rnd.random() < 0.2:
        lines.append(f"ENV API_TOKEN=tok{i}")
    if rnd.random() < 0.2:
        lines.append("RUN chmod 777 /tmp/app")
    if rnd.random() < 0.3:
        lines.append(f"ADD https://example.com/assets-{i}.tgz /opt/")
    lines.append(f"COPY --from=build{i} /out/svc{i} /usr/local/bin/svc")
    lines.append("EXPOSE 8080" + (" 22" if rnd.random() < 0.05 else ""))
    if rnd.random() < 0.6:
        lines.append("USER 10001")
    if rnd.random() < 0.5:
        lines.append("HEALTHCHECK CMD [\"/usr/local/bin/svc\", \"health\"]")
    lines.append(f"ENTRYPOINT [\"/usr/local/bin/svc\", \"--id\", \"{i}\"]")
    return "\n".join(lines) + "\n"


sizes = []
for i in range(n):
    m = manifest(i)
    sizes.append(len(m))
    with open(os.path.join(out, "k8s", f"app-{i:05d}.yaml"), "w") as f:
        f.write(m)
    with open(os.path.join(out, "docker", f"svc-{i:05d}.Dockerfile"), "w") as f:
        f.write(dockerfile(i))
print(f"{n} manifests ({min(sizes)}-{max(sizes)} bytes, mean {sum(sizes)//len(sizes)}), {n} Dockerfiles in {out}")
