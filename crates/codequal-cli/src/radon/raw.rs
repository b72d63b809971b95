//! `codequal radon raw`.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `radon raw`.
#[derive(Debug, clap::Args)]
pub struct RawArgs {
    /// Print JSON in radon's shape.
    #[arg(short = 'j', long)]
    pub json: bool,
    /// Files or directories (searched recursively for *.py).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Runs the command.
pub fn run(_args: &RawArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("radon raw: not implemented yet")
}
