//! Shared domain knowledge: the facts about containers that every stage
//! needs the same way — secret-looking names, image references, sensitive
//! host paths. The Docker audit, the manifest rules, the collector's
//! redaction and the threat model all read them from here, so one CIS id
//! never means two things.

pub mod heuristics;
