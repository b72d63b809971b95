//! `codequal pyflakes`: pyflakes 4.1.0's message lines for unused imports and
//! unused variables.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `pyflakes`.
#[derive(Debug, clap::Args)]
pub struct PyflakesArgs {
    /// Files or directories (searched recursively for *.py).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Runs the command.
pub fn run(_args: &PyflakesArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("pyflakes: not implemented yet")
}
