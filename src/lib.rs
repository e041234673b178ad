//! shipshape: audit, scan, threat-model and harden container platforms.
//!
//! The crate is laid out as its pipeline:
//!
//! ```text
//! collect/ ──▶ snapshot/ ──▶ rules/ ──▶ findings/ ──▶ threat/ ──▶ report/
//! (all I/O)    (typed facts)  (pure)     (verdicts)    (STRIDE)    (renderers)
//! ```
//!
//! `cli/` is a thin layer that parses arguments and drives these stages.

pub mod cli;
pub mod collect;
pub mod findings;
#[doc(hidden)]
pub mod fuzzing;
pub mod redact;
pub mod report;
pub mod rules;
pub mod sanitize;
pub mod scan;
pub mod snapshot;
pub mod threat;
