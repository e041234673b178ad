//! CIS Docker Benchmark 1.6 checks, sections 1–7.

use super::Check;

/// Every Docker check, in benchmark order.
pub fn checks() -> &'static [Check] {
    &[]
}
