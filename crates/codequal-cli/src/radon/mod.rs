//! `codequal radon cc|raw|mi|hal`: radon 6.0.1's commands and output shapes.

pub(crate) mod cc;
mod hal;
mod mi;
mod raw;

use std::process::ExitCode;

use clap::Subcommand;

/// The radon subcommands.
#[derive(Debug, Subcommand)]
pub enum RadonCommand {
    /// Cyclomatic complexity per block.
    Cc(cc::CcArgs),
    /// Raw metrics (loc, lloc, sloc, comments, multi, blank, single_comments).
    Raw(raw::RawArgs),
    /// Maintainability index.
    Mi(mi::MiArgs),
    /// Halstead metrics.
    Hal(hal::HalArgs),
}

/// Runs one radon subcommand.
pub fn run(cmd: &RadonCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        RadonCommand::Cc(a) => cc::run(a),
        RadonCommand::Raw(a) => raw::run(a),
        RadonCommand::Mi(a) => mi::run(a),
        RadonCommand::Hal(a) => hal::run(a),
    }
}
