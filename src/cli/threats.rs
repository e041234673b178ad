//! `shipshape threats`: placeholder until the threat model lands.

#[derive(clap::Args)]
pub struct ThreatsArgs {}

pub fn run(_args: ThreatsArgs) -> i32 {
    super::error("threats is not implemented yet");
    super::EXIT_TOOL_FAILED
}
