//! `train_qwen`: the paper's GRPO experiment (arXiv 2506.02211).
//!
//! ```text
//! train_qwen [train] [--out DIR] [--config FILE.json] [--model DIR] [--resume]
//!                    [--quality-weight W] [--max-steps N] [--seed N] [--json]
//! train_qwen sample   --model DIR --prompt "Write fizzbuzz." [--chat] [--json]
//! train_qwen logprobs --model DIR --prompt-ids 1,2,3 --completion-ids 4,5 --json
//! ```
//!
//! `train` is the default: with no `--model` it builds the embedded tiny
//! Qwen2 model and trains it on the CPU (see `src/run.rs` for every
//! default). `sample` and `logprobs` check a checkpoint before training.

mod plot;
mod run;
mod tiny;

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use codequal_grpo::{
    completion_logprobs, generate, AutoModel, LoadOptions, LogprobConfig, Message, SamplingConfig,
    Tokenizer,
};

#[derive(Debug, Parser)]
#[command(about = "GRPO on code LLMs with a code-quality reward (arXiv 2506.02211)")]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// `train`'s options, for `train_qwen` without a subcommand.
    #[command(flatten)]
    train: TrainArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sample completions of a prompt.
    Sample(SampleArgs),
    /// Per-token log-probs of a completion given a prompt.
    Logprobs(LogprobArgs),
    /// GRPO training with the code-quality reward (the default).
    Train(TrainArgs),
    /// Print the default training config (JSON), to edit into a --config file.
    DefaultConfig {
        /// The defaults for training this checkpoint instead of the
        /// embedded model.
        #[arg(long)]
        model: Option<PathBuf>,
    },
}

#[derive(Debug, Default, Args)]
struct TrainArgs {
    /// Run directory [default: runs/train-qwen-YYYYMMDD-HHMMSS].
    #[arg(long)]
    out: Option<PathBuf>,
    /// JSON file of settings that differ from the defaults (see
    /// `train_qwen default-config`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Hugging Face checkpoint to train instead of the embedded model.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Continue the run in --out from its newest checkpoint.
    #[arg(long, requires = "out")]
    resume: bool,
    /// Weight of the quality reward (0 is the paper's control run).
    #[arg(long)]
    quality_weight: Option<f64>,
    /// Generation batches to train on.
    #[arg(long)]
    max_steps: Option<usize>,
    /// Seed of the prompt order and of sampling.
    #[arg(long)]
    seed: Option<u64>,
    /// cpu, cuda, cuda:N.
    #[arg(long)]
    device: Option<String>,
    /// f32, bf16, f16.
    #[arg(long)]
    dtype: Option<String>,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ModelArgs {
    /// Hugging Face checkpoint directory (config.json, safetensors, tokenizer.json).
    #[arg(long)]
    model: PathBuf,
    /// cpu, cuda, cuda:N.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// f32, bf16, f16.
    #[arg(long, default_value = "f32")]
    dtype: String,
}

#[derive(Debug, Args)]
struct PromptArgs {
    /// Prompt text (raw, or a user message with --chat).
    #[arg(long, conflicts_with = "prompt_ids")]
    prompt: Option<String>,
    /// Prompt token ids, comma separated.
    #[arg(long, value_delimiter = ',')]
    prompt_ids: Option<Vec<i64>>,
    /// Wrap --prompt as a user message in the chat template.
    #[arg(long)]
    chat: bool,
}

#[derive(Debug, Args)]
struct SampleArgs {
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    prompt: PromptArgs,
    /// Samples.
    #[arg(long, default_value_t = 1)]
    num_samples: usize,
    /// New tokens at most.
    #[arg(long, default_value_t = 128)]
    max_new_tokens: usize,
    /// Temperature (0: greedy).
    #[arg(long, default_value_t = 1.0)]
    temperature: f64,
    /// Nucleus mass.
    #[arg(long, default_value_t = 1.0)]
    top_p: f64,
    /// Top-k (0: off).
    #[arg(long, default_value_t = 0)]
    top_k: usize,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct LogprobArgs {
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    prompt: PromptArgs,
    /// Completion text.
    #[arg(long, conflicts_with = "completion_ids")]
    completion: Option<String>,
    /// Completion token ids, comma separated.
    #[arg(long, value_delimiter = ',')]
    completion_ids: Option<Vec<i64>>,
    /// Temperature the logits are divided by.
    #[arg(long, default_value_t = 1.0)]
    temperature: f64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Sample(args)) => sample(&args),
        Some(Command::Logprobs(args)) => logprobs(&args),
        Some(Command::Train(args)) => train(&args),
        Some(Command::DefaultConfig { model }) => {
            let config = match model {
                Some(m) => run::RunConfig::for_checkpoint(m),
                None => run::RunConfig::default(),
            };
            println!("{}", serde_json::to_string_pretty(&config)?);
            Ok(())
        }
        None => train(&cli.train),
    }
}

/// The run's config: the run's own saved one when resuming, else the file
/// (or the defaults); then the flags.
fn run_config(args: &TrainArgs, out: &std::path::Path) -> Result<run::RunConfig> {
    let saved = out.join(run::CONFIG_FILE);
    let mut config = match (&args.config, &args.model) {
        (Some(file), _) => run::RunConfig::from_file(file)?,
        (None, _) if args.resume && saved.is_file() => {
            let text = std::fs::read_to_string(&saved)
                .with_context(|| format!("reading {}", saved.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{}: invalid config", saved.display()))?
        }
        (None, Some(model)) => run::RunConfig::for_checkpoint(model.clone()),
        (None, None) => run::RunConfig::default(),
    };
    if let Some(m) = &args.model {
        config.model = Some(m.clone());
    }
    if let Some(w) = args.quality_weight {
        config.reward.weights.quality = w;
    }
    if let Some(n) = args.max_steps {
        config.trainer.max_steps = n;
    }
    if let Some(s) = args.seed {
        config.trainer.seed = s;
    }
    if let Some(d) = &args.device {
        config.device = d.clone();
    }
    if let Some(d) = &args.dtype {
        config.dtype = d.clone();
    }
    Ok(config)
}

fn train(args: &TrainArgs) -> Result<()> {
    let out = args.out.clone().unwrap_or_else(run::default_run_dir);
    let mut config = run_config(args, &out)?;
    config.model = config.model.map(|m| m.canonicalize().unwrap_or(m));
    eprintln!(
        "train_qwen: run directory {}\nconfig:\n{}",
        out.display(),
        serde_json::to_string_pretty(&config)?
    );
    let summary = run::train(&config, &out, args.resume)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!("\n{}", run::summary_table(&summary));
        if let Some(c) = &summary.checkpoint {
            println!("final checkpoint: {}", c.display());
        }
        for p in &summary.plots {
            println!("plot: {}", p.display());
        }
    }
    Ok(())
}

fn load(args: &ModelArgs) -> Result<(AutoModel, Tokenizer)> {
    let device = run::parse_device(&args.device)?;
    let kind = run::parse_dtype(&args.dtype)?;
    let model = AutoModel::load(&args.model, LoadOptions { device, kind })
        .with_context(|| format!("loading {}", args.model.display()))?;
    let tokenizer = Tokenizer::load(&args.model)?;
    Ok((model, tokenizer))
}

fn prompt_ids(args: &PromptArgs, tokenizer: &Tokenizer) -> Result<Vec<i64>> {
    match (&args.prompt, &args.prompt_ids) {
        (_, Some(ids)) => Ok(ids.clone()),
        (Some(text), None) if args.chat => {
            Ok(tokenizer.chat_prompt_ids(&[Message::new("user", text.as_str())])?)
        }
        (Some(text), None) => Ok(tokenizer.encode(text)?),
        (None, None) => bail!("give --prompt or --prompt-ids"),
    }
}

fn sample(args: &SampleArgs) -> Result<()> {
    let (model, tokenizer) = load(&args.model)?;
    let prompt = prompt_ids(&args.prompt, &tokenizer)?;
    let cfg = SamplingConfig {
        temperature: args.temperature,
        top_p: args.top_p,
        top_k: args.top_k,
        max_new_tokens: args.max_new_tokens,
        num_samples: args.num_samples,
        seed: args.seed,
    };
    let samples = generate(&model, &tokenizer, std::slice::from_ref(&prompt), &cfg)?;
    if args.json {
        let out = serde_json::json!({ "prompt_ids": prompt, "samples": samples });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for (i, s) in samples.iter().enumerate() {
            let end = if s.finished { "eos" } else { "truncated" };
            println!(
                "--- sample {i} ({} tokens, {end})\n{}",
                s.token_ids.len(),
                s.text
            );
        }
    }
    Ok(())
}

fn logprobs(args: &LogprobArgs) -> Result<()> {
    let (model, tokenizer) = load(&args.model)?;
    let prompt = prompt_ids(&args.prompt, &tokenizer)?;
    let completion = match (&args.completion, &args.completion_ids) {
        (_, Some(ids)) => ids.clone(),
        (Some(text), None) => tokenizer.encode(text)?,
        (None, None) => bail!("give --completion or --completion-ids"),
    };
    let cfg = LogprobConfig {
        temperature: args.temperature,
        ..LogprobConfig::default()
    };
    let out = tch::no_grad(|| {
        completion_logprobs(
            &model,
            std::slice::from_ref(&prompt),
            std::slice::from_ref(&completion),
            tokenizer.pad_token_id(),
            &cfg,
        )
    })?;
    let values: Vec<f32> = Vec::try_from(out.logprobs.view([-1]))?;
    if args.json {
        let out = serde_json::json!({
            "prompt_ids": prompt,
            "completion_ids": completion,
            "logprobs": values,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for (id, lp) in completion.iter().zip(&values) {
            let piece = tokenizer.decode(&[*id], false)?;
            println!("{id:>8} {lp:>10.4} {piece:?}");
        }
        println!("sum {:.4}", values.iter().sum::<f32>());
    }
    Ok(())
}
