//! shipshape: audit, scan, threat-model and harden container platforms.
//!
//! The crate is laid out as its pipeline:
//!
//! ```text
//! collect/ ──▶ snapshot/ ──┐                         ┌──▶ threat/ ────────┐
//! (host I/O)   (typed)     ├──▶ rules/ ──▶ findings/ ┤                    ├──▶ report/
//! scan/walk ─▶ manifest/ ──┘    (pure)    (verdicts) └──▶ remediate/ ─────┘   (renderers)
//! (file I/O)   (parsed)          ▲                        (plan, pure)
//!                           knowledge/                        │
//!                           (shared facts)                    ▼
//!                                                          harden/ (applies the plan;
//!                                                                   the only writer)
//! ```
//!
//! `scan/` drives the manifest side (walk, dispatch, suppressions); `cli/` is
//! a thin layer that parses arguments and drives these stages.

pub mod cli;
pub mod collect;
pub mod deps;
pub mod findings;
#[doc(hidden)]
pub mod fuzzing;
pub mod harden;
pub mod knowledge;
pub mod manifest;
pub mod redact;
pub mod remediate;
pub mod report;
pub mod rules;
pub mod sanitize;
pub mod scan;
pub mod snapshot;
pub mod suppress;
pub mod threat;
pub mod util;
