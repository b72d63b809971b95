//! `codequal radon mi`.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `radon mi`.
#[derive(Debug, clap::Args)]
pub struct MiArgs {
    /// Print JSON in radon's shape.
    #[arg(short = 'j', long)]
    pub json: bool,
    /// Files or directories (searched recursively for *.py).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Runs the command.
pub fn run(_args: &MiArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("radon mi: not implemented yet")
}
