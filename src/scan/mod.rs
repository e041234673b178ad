//! `shipshape scan`: static analysis of Kubernetes manifests, Dockerfiles and
//! compose files.
pub mod yaml;
pub mod dockerfile;
pub mod k8s;
