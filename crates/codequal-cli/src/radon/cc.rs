//! `codequal radon cc`.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `radon cc`.
#[derive(Debug, clap::Args)]
pub struct CcArgs {
    /// Print JSON in radon's shape.
    #[arg(short = 'j', long)]
    pub json: bool,
    /// Files or directories (searched recursively for *.py).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Runs the command.
pub fn run(_args: &CcArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("radon cc: not implemented yet")
}
