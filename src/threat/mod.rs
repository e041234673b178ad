//! STRIDE threat model of the audited system.
//!
//! ```text
//! snapshot ──build──▶ SystemModel ◀──apply── model file (YAML)
//!                          │
//! library (YAML data) ─────┼──analyze(findings, waivers)──▶ Analysis ──▶ render::{markdown,json,dot,mermaid}
//! ```

pub mod build;
pub mod deps;
pub mod diff;
pub mod eval;
pub mod kube;
pub mod library;
pub mod manifests;
pub mod model;
pub mod modelfile;
pub mod render;
pub mod sort;
pub mod yaml;

pub use eval::{analyze, Analysis, Instance, Status, Waiver};
pub use library::Library;
pub use model::{ComponentKind, SystemModel};
