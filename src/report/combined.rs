//! The input of `shipshape report`: the audit of this host, the threat
//! model built from it, and a scan of the given paths, each optional. Every
//! format of `report` renders from one [`Combined`], so adding a format is
//! one match arm in `cli/report.rs`.

use super::Report;
use crate::scan::ScanReport;
use crate::threat::Analysis;

/// Everything one `shipshape report` run produced.
#[derive(Clone, Copy, Default)]
pub struct Combined<'a> {
    /// The CIS Docker audit of the host (absent for `scan`/`threats` alone).
    pub audit: Option<&'a Report>,
    /// The STRIDE threat model with its evidence.
    pub threats: Option<&'a Analysis<'a>>,
    /// The scan of the given paths (absent when no path was given).
    pub scan: Option<&'a ScanReport>,
}
