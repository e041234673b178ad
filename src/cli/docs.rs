//! `shipshape completions SHELL` and `shipshape man [COMMAND]`: generated
//! from the same clap definition as `--help`, so they cannot drift from it.

use super::common::OutputArgs;
use clap::CommandFactory;

#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(clap::Args)]
pub struct ManArgs {
    /// A subcommand's page (shipshape-audit(1)) instead of shipshape(1)
    pub command: Option<String>,
    #[command(flatten)]
    pub out: OutputArgs,
}

fn finish(out: &OutputArgs, bytes: Vec<u8>) -> i32 {
    match out.write(&String::from_utf8_lossy(&bytes)) {
        Ok(()) => 0,
        Err(e) => {
            super::error(e);
            super::EXIT_TOOL_FAILED
        }
    }
}

pub fn completions(args: CompletionsArgs) -> i32 {
    let mut cmd = super::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "shipshape", &mut buf);
    finish(&args.out, buf)
}

/// The roff man page of shipshape, or of one of its subcommands.
pub fn man_page(command: Option<&str>) -> Result<Vec<u8>, String> {
    let mut cmd = super::Cli::command();
    cmd.build();
    let page = match command {
        None => cmd,
        Some(name) => {
            let sub = cmd
                .find_subcommand(name)
                .ok_or_else(|| format!("no subcommand '{name}'; see `shipshape --help`"))?;
            sub.clone()
        }
    };
    let mut buf = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut buf)
        .map_err(|e| format!("cannot render the man page: {e}"))?;
    Ok(buf)
}

pub fn man(args: ManArgs) -> i32 {
    match man_page(args.command.as_deref()) {
        Ok(buf) => finish(&args.out, buf),
        Err(e) => {
            super::error(e);
            super::EXIT_TOOL_FAILED
        }
    }
}
