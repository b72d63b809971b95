//! `codequal reward`: scores saved completions offline with the training
//! reward (format, correctness, quality, composite, advantage).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use codequal_reward::pipeline::{CodeRewards, RewardConfig, RewardPipeline};
use codequal_reward::problems::ProblemSet;

/// Arguments of `reward`.
#[derive(Debug, clap::Args)]
pub struct RewardArgs {
    /// The problems directory (`fixtures/problems`).
    #[arg(long, default_value = "fixtures/problems")]
    pub problems: PathBuf,
    /// JSONL with `task_id` and `completion` per line. Lines of the same
    /// task that follow each other form one GRPO group.
    #[arg(long)]
    pub completions: PathBuf,
    /// A JSON or TOML file with a `RewardConfig` (weights, guard, scaling...).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print one JSON object per completion (with the explanation).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, serde::Deserialize)]
struct Line {
    task_id: String,
    completion: String,
}

/// Runs the command.
pub fn run(args: &RewardArgs) -> Result<ExitCode> {
    let set = ProblemSet::load(&args.problems)
        .with_context(|| format!("loading {}", args.problems.display()))?;
    let config: RewardConfig = match &args.config {
        None => RewardConfig::default(),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            if p.extension().is_some_and(|e| e == "toml") {
                toml::from_str(&text).with_context(|| format!("parsing {}", p.display()))?
            } else {
                serde_json::from_str(&text).with_context(|| format!("parsing {}", p.display()))?
            }
        }
    };
    let file = std::fs::File::open(&args.completions)
        .with_context(|| format!("opening {}", args.completions.display()))?;
    let mut ids = Vec::new();
    let mut completions = Vec::new();
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(&line).with_context(|| {
            format!(
                "{}:{}: expected {{\"task_id\", \"completion\"}}",
                args.completions.display(),
                n + 1
            )
        })?;
        if set.get(&l.task_id).is_none() {
            bail!(
                "{}:{}: unknown task_id `{}`",
                args.completions.display(),
                n + 1,
                l.task_id
            );
        }
        ids.push(l.task_id);
        completions.push(l.completion);
    }
    let rewards = CodeRewards::new(
        RewardPipeline::new(config, codequal_sandbox::Config::default())?,
        &set,
    );
    let scored = rewards.score_detailed(&ids, &completions)?;
    let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"));
    if !args.json {
        println!(
            "{:<32} {:>7} {:>11} {:>8} {:>9} {:>9}",
            "task_id", "format", "correctness", "quality", "composite", "advantage"
        );
    }
    for (id, r) in ids.iter().zip(&scored) {
        if args.json {
            let obj = serde_json::json!({
                "task_id": id,
                "format": r.format,
                "correctness": r.correctness,
                "quality": r.quality,
                "composite": r.composite,
                "advantage": r.advantage,
                "explanation": r.explanation,
            });
            println!("{obj}");
        } else {
            println!(
                "{id:<32} {:>7} {:>11} {:>8} {:>9} {:>9.3}",
                fmt(r.format),
                fmt(r.correctness),
                fmt(r.quality),
                fmt(r.composite),
                r.advantage
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
