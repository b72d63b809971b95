//! `train_qwen`: the paper's GRPO experiment (arXiv 2506.02211). Training
//! is not implemented yet; `sample` and `logprobs` check a checkpoint first.
//!
//! ```text
//! train_qwen sample   --model DIR --prompt "Write fizzbuzz." [--chat] [--json]
//! train_qwen logprobs --model DIR --prompt-ids 1,2,3 --completion-ids 4,5 --json
//! ```

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use codequal_grpo::{
    completion_logprobs, generate, AutoModel, LoadOptions, LogprobConfig, Message, SamplingConfig,
    Tokenizer,
};
use tch::{Device, Kind};

#[derive(Debug, Parser)]
#[command(about = "GRPO on code LLMs with a code-quality reward (arXiv 2506.02211)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sample completions of a prompt.
    Sample(SampleArgs),
    /// Per-token log-probs of a completion given a prompt.
    Logprobs(LogprobArgs),
    /// GRPO training (not implemented yet).
    Train,
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
    match Cli::parse().command {
        Command::Sample(args) => sample(&args),
        Command::Logprobs(args) => logprobs(&args),
        Command::Train => bail!("train: not implemented yet (issue 8); use `sample` or `logprobs` to check a checkpoint"),
    }
}

fn load(args: &ModelArgs) -> Result<(AutoModel, Tokenizer)> {
    let device = match args.device.as_str() {
        "cpu" => Device::Cpu,
        "cuda" => Device::Cuda(0),
        other => match other.strip_prefix("cuda:").map(str::parse) {
            Some(Ok(n)) => Device::Cuda(n),
            _ => bail!("unknown device `{other}` (cpu, cuda, cuda:N)"),
        },
    };
    let kind = match args.dtype.as_str() {
        "f32" => Kind::Float,
        "bf16" => Kind::BFloat16,
        "f16" => Kind::Half,
        other => bail!("unknown dtype `{other}` (f32, bf16, f16)"),
    };
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
