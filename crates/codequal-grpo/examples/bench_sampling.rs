//! codequal-grpo's side of `cargo xtask bench-grpo`: sampling tokens per
//! second and one log-probs pass, for a checkpoint on the CPU.
//!
//! Workload: `--batch N` prompts of fixed token ids (lengths 16, 24 and 32 in
//! turn, so the batch is left padded), sampled with temperature 1, no top-k
//! or top-p and no EOS id, so every sequence runs exactly `--new-tokens T`
//! tokens; then one `completion_logprobs` pass over the prompts and the
//! completions just sampled. Each is run once to warm up, then `--repeats R`
//! times; the median is reported. `xtask/scripts/bench_generate.py` builds
//! the same prompts and does the same work with transformers.
//!
//! ```sh
//! cargo run --release -p codequal-grpo --example bench_sampling -- \
//!     --model DIR --batch 8 --new-tokens 64 --repeats 3 [--threads N] [--json]
//! ```

use std::time::Instant;

use anyhow::{bail, Context, Result};
use codequal_grpo::{
    completion_logprobs, generate_ids, AutoModel, LoadOptions, LogprobConfig, SamplingConfig,
    Tokenizer,
};
use serde_json::json;

/// Prompt lengths, used in turn; the Python side uses the same.
const PROMPT_LENGTHS: [usize; 3] = [16, 24, 32];

/// Prompt `i`: deterministic ids in `[4, vocab)`, the same formula as
/// `bench_generate.py`'s.
fn prompt(i: usize, vocab: usize) -> Vec<i64> {
    let len = PROMPT_LENGTHS[i % PROMPT_LENGTHS.len()];
    (0..len)
        .map(|j| (4 + (i * 131 + j * 17) % (vocab - 4)) as i64)
        .collect()
}

struct Args {
    model: String,
    batch: usize,
    new_tokens: usize,
    repeats: usize,
    threads: Option<i32>,
    json: bool,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        model: String::new(),
        batch: 1,
        new_tokens: 64,
        repeats: 3,
        threads: None,
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--model" => args.model = value()?,
            "--batch" => args.batch = value()?.parse()?,
            "--new-tokens" => args.new_tokens = value()?.parse()?,
            "--repeats" => args.repeats = value()?.parse()?,
            "--threads" => args.threads = Some(value()?.parse()?),
            "--json" => args.json = true,
            other => bail!("unknown argument `{other}`"),
        }
    }
    if args.model.is_empty() || args.batch == 0 || args.repeats == 0 {
        bail!("usage: bench_sampling --model DIR --batch N --new-tokens T --repeats R [--threads N] [--json]");
    }
    Ok(args)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() -> Result<()> {
    let args = parse_args()?;
    if let Some(n) = args.threads {
        tch::set_num_threads(n);
    }
    let model = AutoModel::load(&args.model, LoadOptions::default())?;
    let tokenizer = Tokenizer::load(&args.model)?;
    let pad = tokenizer.pad_token_id();
    let vocab = model.config.vocab_size;
    let prompts: Vec<Vec<i64>> = (0..args.batch).map(|i| prompt(i, vocab)).collect();
    let mut sampling = SamplingConfig {
        temperature: 1.0,
        top_p: 1.0,
        top_k: 0,
        max_new_tokens: args.new_tokens,
        num_samples: 1,
        seed: 0,
    };

    // No EOS ids: every sequence runs `new_tokens` tokens.
    let mut generate_s = Vec::new();
    let mut completions = Vec::new();
    for run in 0..=args.repeats {
        sampling.seed = run as u64;
        let start = Instant::now();
        let samples = tch::no_grad(|| generate_ids(&model, &prompts, &[], pad, &sampling))?;
        let seconds = start.elapsed().as_secs_f64();
        if samples.iter().any(|s| s.token_ids.len() != args.new_tokens) {
            bail!("a sequence did not run {} tokens", args.new_tokens);
        }
        completions = samples.into_iter().map(|s| s.token_ids).collect();
        // Run 0 warms up.
        if run > 0 {
            generate_s.push(seconds);
        }
    }

    let logprob_cfg = LogprobConfig::default();
    let mut logprobs_s = Vec::new();
    let mut mean_logprob = f64::NAN;
    for run in 0..=args.repeats {
        let start = Instant::now();
        let lp = tch::no_grad(|| {
            completion_logprobs(&model, &prompts, &completions, pad, &logprob_cfg)
        })?;
        mean_logprob = lp.logprobs.mean(tch::Kind::Float).double_value(&[]);
        if run > 0 {
            logprobs_s.push(start.elapsed().as_secs_f64());
        }
    }

    let generate_median = median(generate_s.clone());
    let tokens = (args.batch * args.new_tokens) as f64;
    let result = json!({
        "impl": "codequal-grpo",
        "batch": args.batch,
        "new_tokens": args.new_tokens,
        "repeats": args.repeats,
        "threads": tch::get_num_threads(),
        "generate_s": generate_median,
        "generate_runs_s": generate_s,
        "tokens_per_s": tokens / generate_median,
        "logprobs_s": median(logprobs_s.clone()),
        "logprobs_runs_s": logprobs_s,
        "mean_logprob": mean_logprob,
    });
    if args.json {
        println!("{result}");
    } else {
        println!(
            "batch {} x {} new tokens: {:.1} tokens/s, log-probs pass {:.4} s",
            args.batch,
            args.new_tokens,
            tokens / generate_median,
            result["logprobs_s"].as_f64().unwrap_or(f64::NAN)
        );
    }
    Ok(())
}
