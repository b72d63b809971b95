//! `codequal`: Python metrics and findings with the reference tools' output
//! shapes (radon, xenon, pyflakes), hundreds of times faster.
//!
//! A thin clap layer: every figure comes from `codequal-analyzer`.

mod analyze;
mod bandit;
mod check;
mod config_file;
mod eval;
mod pyflakes;
mod pylint;
mod radon;
mod reward;
mod score;
mod xenon;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Python code quality metrics and findings.
#[derive(Debug, Parser)]
#[command(name = "codequal", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Every metric and finding, as JSON lines or text; `--timings` measures.
    Analyze(analyze::AnalyzeArgs),
    /// Run completions against HumanEval, MBPP or codequal tests in the sandbox; pass@k.
    Eval(eval::EvalArgs),
    /// radon-compatible metrics: cc, raw, mi, hal.
    #[command(subcommand)]
    Radon(radon::RadonCommand),
    /// Score saved completions with the training reward (format, correctness, quality).
    Reward(reward::RewardArgs),
    /// xenon-compatible complexity thresholds (exit 1 on any infraction).
    Xenon(xenon::XenonArgs),
    /// pyflakes-compatible unused-import and unused-variable messages.
    Pyflakes(pyflakes::PyflakesArgs),
    /// bandit-compatible security findings as bandit's JSON report (exit 1
    /// on any issue).
    Bandit(bandit::BanditArgs),
    /// pylint-compatible JSON messages for the design checks.
    Pylint(pylint::PylintArgs),
    /// Rule findings (security, design, dead code, performance,
    /// reliability) as text, JSON lines or SARIF 2.1.0; exit 1 if any.
    Check(check::CheckArgs),
    /// Quality scores per file (`codequal` or the paper's `pycq` formula).
    Score(score::ScoreArgs),
}

/// Maps `f` over `items` on rayon's pool, in order; one item runs on the
/// calling thread, so a one-file command never starts the pool (whose idle
/// worker would spin while the main thread waits).
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    if items.len() <= 1 {
        items.iter().map(f).collect()
    } else {
        items.par_iter().map(f).collect()
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Analyze(args) => analyze::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Radon(cmd) => radon::run(cmd),
        Command::Reward(args) => reward::run(args),
        Command::Xenon(args) => xenon::run(args),
        Command::Pyflakes(args) => pyflakes::run(args),
        Command::Bandit(args) => bandit::run(args),
        Command::Pylint(args) => pylint::run(args),
        Command::Check(args) => check::run(args),
        Command::Score(args) => score::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("codequal: {e:#}");
            ExitCode::from(2)
        }
    }
}
