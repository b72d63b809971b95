//! `codequal xenon`: xenon 0.9.3's thresholds and exit status.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `xenon`.
#[derive(Debug, clap::Args)]
pub struct XenonArgs {
    /// Files or directories (searched recursively for *.py).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Runs the command.
pub fn run(_args: &XenonArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("xenon: not implemented yet")
}
