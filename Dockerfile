# shipshape in a FROM scratch image: one static binary, nothing else, built
# without a registry. Build the binary on the host first, then the image:
#
#   bash scripts/build-image.sh            # does both steps below
#   RUSTFLAGS='-C target-feature=+crt-static' \
#     cargo build --release --target x86_64-unknown-linux-gnu
#   install -D target/x86_64-unknown-linux-gnu/release/shipshape dist/shipshape
#   docker build -t shipshape:0.1.0 .
#
# Run it on a Kubernetes node with deploy/kubernetes/ (docs/kubernetes-deploy.md).
# shipshape:ignore-file DF-010 a one-shot audit has nothing to health-check
FROM scratch
COPY dist/shipshape /shipshape
# Reading root-owned 0600 files on the audited node needs uid 0; the
# manifests in deploy/kubernetes/ drop every capability but two.
# shipshape:ignore DF-002 the node audit must read root-owned 0600 files
USER 0:0
ENTRYPOINT ["/shipshape"]
CMD ["audit", "--target", "kubernetes", "--root", "/host"]
