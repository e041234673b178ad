//! `shipshape scan`: static analysis of Kubernetes manifests, Dockerfiles and
//! compose files.
pub mod yaml;
