//! Input models for files: the positioned YAML tree, Kubernetes object views,
//! Dockerfiles and compose files. These are the manifest-side twin of
//! `snapshot/`: parsed, typed facts with file positions, and no rules. Rules
//! read them; the scan driver (`scan/`) walks the files and feeds them in.

pub mod compose;
pub mod dockerfile;
pub mod k8s;
pub mod yaml;
