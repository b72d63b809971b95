//! `codequal xenon`: xenon 0.9.3's thresholds, log lines and exit status.
//!
//! xenon logs through Python's `logging` with its default configuration:
//! every line goes to standard error as `LEVEL:xenon:message` (the bare
//! message with `--paths-in-front`). The exit status is 1 when any
//! threshold is exceeded, else 0; a file radon cannot read is only a
//! warning.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use codequal_analyzer::metrics::complexity::{self, ComplexityOptions};
use codequal_analyzer::metrics::xenon::{
    blocks_of_module, find_infractions, ModuleResult, Thresholds,
};

use crate::radon::cc::{par_map, radon_files, read_source, syntax_error_text};

/// Arguments of `xenon`.
#[derive(Debug, clap::Args)]
pub struct XenonArgs {
    /// Letter grade threshold for the average complexity of all blocks.
    #[arg(short = 'a', long = "max-average", value_name = "RANK")]
    pub average: Option<String>,
    /// Numeric threshold for the average complexity of all blocks.
    #[arg(long = "max-average-num", value_name = "NUM")]
    pub average_num: Option<f64>,
    /// Letter grade threshold for each module's average complexity.
    #[arg(short = 'm', long = "max-modules", value_name = "RANK")]
    pub modules: Option<String>,
    /// Letter grade threshold for every block's complexity.
    #[arg(short = 'b', long = "max-absolute", value_name = "RANK")]
    pub absolute: Option<String>,
    /// Exclude files whose path matches one of these comma-separated globs.
    #[arg(short = 'e', long)]
    pub exclude: Option<String>,
    /// Skip directories whose name matches one of these comma-separated
    /// globs (hidden directories are always skipped).
    #[arg(short = 'i', long)]
    pub ignore: Option<String>,
    /// Do not count `assert` statements.
    #[arg(long)]
    pub no_assert: bool,
    /// Start block and module messages with their path.
    #[arg(long)]
    pub paths_in_front: bool,
    /// Files or directories (searched recursively for Python files).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Runs the command.
pub fn run(args: &XenonArgs) -> anyhow::Result<ExitCode> {
    let options = ComplexityOptions {
        no_assert: args.no_assert,
    };
    let files = radon_files(&args.paths, args.exclude.as_deref(), args.ignore.as_deref());
    let results: Vec<ModuleResult> = par_map(&files, |name| {
        let report = read_source(Path::new(name)).and_then(|source| {
            complexity::analyze_source(&source, &options).map_err(syntax_error_text)
        });
        match report {
            Ok(cc) => ModuleResult::Blocks(blocks_of_module(&cc)),
            Err(e) => ModuleResult::Error(e),
        }
    });
    // radon's `_to_dicts` leaves out modules without blocks.
    let modules: Vec<(String, ModuleResult)> = files
        .into_iter()
        .zip(results)
        .filter(|(_, r)| !matches!(r, ModuleResult::Blocks(b) if b.is_empty()))
        .collect();
    let thresholds = Thresholds {
        absolute: args.absolute.clone(),
        modules: args.modules.clone(),
        average: args.average.clone(),
        average_num: args.average_num,
    };
    let outcome = find_infractions(&thresholds, &modules);
    let mut stderr = std::io::stderr().lock();
    for record in &outcome.records {
        writeln!(stderr, "{}", record.log_line(args.paths_in_front))?;
    }
    Ok(ExitCode::from(outcome.exit_code()))
}
