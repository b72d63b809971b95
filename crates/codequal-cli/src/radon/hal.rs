//! `codequal radon hal`.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `radon hal`.
#[derive(Debug, clap::Args)]
pub struct HalArgs {
    /// Print JSON in radon's shape.
    #[arg(short = 'j', long)]
    pub json: bool,
    /// Files or directories (searched recursively for *.py).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Runs the command.
pub fn run(_args: &HalArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("radon hal: not implemented yet")
}
