//! `shipshape scan`: placeholder until the scanner lands.

use std::path::PathBuf;

#[derive(clap::Args)]
pub struct ScanArgs {
    /// Files or directories to scan
    pub paths: Vec<PathBuf>,
}

pub fn run(_args: ScanArgs) -> i32 {
    super::error("scan is not implemented yet");
    super::EXIT_TOOL_FAILED
}
