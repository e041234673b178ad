//! Shared domain knowledge: the facts about containers that every rule
//! family needs the same way. The Docker audit, the compose rules and the
//! Kubernetes rules all read them from here, so one CIS id never means two
//! things (see the agreement table test in `scan/cis_agreement.rs`).
//!
//! - [`capabilities`]: Docker's default set, the dangerous set, name
//!   normalisation (CIS Docker 5.4);
//! - [`host_paths`]: sensitive host directories and read-only semantics
//!   (CIS Docker 5.6);
//! - [`sockets`]: container runtime sockets and the directories that hold
//!   them (CIS Docker 5.32);
//! - [`secrets`]: secret-looking names and literal values (CIS Docker 4.10);
//! - [`devices`]: host devices that are a direct path to takeover;
//! - [`images`]: image references and mutable tags;
//! - [`sysctls`]: the kernel parameters a container may set safely;
//! - [`insecure`]: environment variables and flags that switch
//!   authentication or certificate checks off.

pub mod capabilities;
pub mod devices;
pub mod host_paths;
pub mod images;
pub mod insecure;
pub mod secrets;
pub mod sockets;
pub mod sysctls;
