//! Peak memory of one training forward + backward through the log-probs, with
//! plain autograd (`completion_logprobs`) against the chunk-recomputing path
//! (`completion_logprobs_for_training` + `TrainingLogprobs::backward`), on
//! the CPU.
//!
//! Workload: a random one-layer Qwen2 with Qwen2.5's vocabulary (151,936
//! tokens) and a small hidden size, so the vocabulary projection dominates
//! memory as it does in real GRPO steps; `--batch` completions of
//! `--completion` tokens after 16-token prompts; loss = -mean(log-probs).
//! Each configuration runs in a fresh process of this example, which reports
//! its peak resident memory (`VmHWM`) above the resident memory after loading
//! the model, and the step's seconds.
//!
//! ```sh
//! cargo run --release -p codequal-grpo --example logprob_memory -- \
//!     [--batch 8] [--completion 512] [--json]
//! ```

use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use codequal_grpo::{
    completion_logprobs, completion_logprobs_for_training, AutoModel, LoadOptions, LogprobConfig,
};
use serde_json::{json, Value};
use tch::{Device, Kind};

const VOCAB: usize = 151_936;
const PROMPT: usize = 16;

/// Resident-memory figures of this process, in bytes.
fn status_bytes(field: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status").context("read /proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .with_context(|| format!("no {field} in /proc/self/status"))?;
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .context("malformed status line")?
        .parse()?;
    Ok(kb * 1024)
}

fn write_model(dir: &std::path::Path) -> Result<()> {
    let config = json!({
        "model_type": "qwen2",
        "architectures": ["Qwen2ForCausalLM"],
        "vocab_size": VOCAB,
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 1,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "max_position_embeddings": 4096,
        "rms_norm_eps": 1e-6,
        "rope_theta": 1_000_000.0,
        "tie_word_embeddings": true,
    });
    std::fs::write(dir.join("config.json"), config.to_string())?;
    let cfg = codequal_grpo::Config::from_file(&dir.join("config.json"))?;
    tch::manual_seed(0);
    let vs = tch::nn::VarStore::new(Device::Cpu);
    let _model = codequal_grpo::models::qwen2::Model::new(&cfg, vs.root())?;
    codequal_grpo::models::init_random_weights(&vs, 0.02);
    codequal_grpo::checkpoint::save_weights(&vs, &dir.join("model.safetensors"))?;
    Ok(())
}

/// One measurement, in this process.
fn measure(
    model_dir: &str,
    mode: &str,
    chunk: usize,
    batch: usize,
    completion: usize,
) -> Result<Value> {
    let model = AutoModel::load(model_dir, LoadOptions::default())?;
    let prompts: Vec<Vec<i64>> = (0..batch)
        .map(|i| {
            (0..PROMPT)
                .map(|j| ((i * 131 + j * 17) % VOCAB) as i64)
                .collect()
        })
        .collect();
    let completions: Vec<Vec<i64>> = (0..batch)
        .map(|i| {
            (0..completion)
                .map(|j| ((i * 7919 + j * 31) % VOCAB) as i64)
                .collect()
        })
        .collect();
    let cfg = LogprobConfig {
        temperature: 1.0,
        chunk_size: chunk,
        compute_entropy: false,
    };
    let base = status_bytes("VmRSS:")?;
    let start = Instant::now();
    match mode {
        "autograd" => {
            let out = completion_logprobs(&model, &prompts, &completions, 0, &cfg)?;
            (-out.logprobs.mean(Kind::Float)).backward();
        }
        "recompute" => {
            let out = completion_logprobs_for_training(&model, &prompts, &completions, 0, &cfg)?;
            (-out.logprobs.mean(Kind::Float)).backward();
            out.backward(&model)?;
        }
        other => bail!("unknown mode {other}"),
    }
    let seconds = start.elapsed().as_secs_f64();
    let peak = status_bytes("VmHWM:")?;
    let grad_norm: f64 = model
        .vs
        .trainable_variables()
        .iter()
        .map(|v| {
            v.grad()
                .pow_tensor_scalar(2)
                .sum(Kind::Float)
                .double_value(&[])
        })
        .sum::<f64>()
        .sqrt();
    Ok(json!({
        "mode": mode,
        "chunk_size": chunk,
        "batch": batch,
        "completion_tokens": completion,
        "peak_above_model_mib": (peak.saturating_sub(base)) as f64 / (1 << 20) as f64,
        "seconds": seconds,
        "grad_norm": grad_norm,
    }))
}

fn main() -> Result<()> {
    let mut batch = 8;
    let mut completion = 512;
    let mut json_out = false;
    let mut child: Option<(String, String, usize)> = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--batch" => batch = value()?.parse()?,
            "--completion" => completion = value()?.parse()?,
            "--json" => json_out = true,
            "--child" => {
                let dir = value()?;
                let mode = value()?;
                let chunk = value()?.parse()?;
                child = Some((dir, mode, chunk));
            }
            other => bail!("unknown argument {other}"),
        }
    }
    if let Some((dir, mode, chunk)) = child {
        println!("{}", measure(&dir, &mode, chunk, batch, completion)?);
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    write_model(dir.path())?;
    let model_dir = dir.path().to_str().context("non-UTF-8 temp dir")?;
    let exe = std::env::current_exe()?;
    let logits_mib = (batch * completion * VOCAB * 4) as f64 / (1 << 20) as f64;
    let mut rows = Vec::new();
    for (mode, chunk) in [
        ("autograd", 128),
        ("recompute", 128),
        ("recompute", 32),
        ("autograd", 32),
    ] {
        let out = Command::new(&exe)
            .args(["--batch", &batch.to_string()])
            .args(["--completion", &completion.to_string()])
            .args(["--child", model_dir, mode, &chunk.to_string()])
            .output()?;
        if !out.status.success() {
            bail!(
                "{mode} chunk {chunk} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let row: Value = serde_json::from_slice(&out.stdout)?;
        if !json_out {
            println!(
                "{:<9} chunk {:>4}: peak {:>8.0} MiB above the model, {:.2} s, grad norm {:.6}",
                mode,
                chunk,
                row["peak_above_model_mib"].as_f64().unwrap_or(f64::NAN),
                row["seconds"].as_f64().unwrap_or(f64::NAN),
                row["grad_norm"].as_f64().unwrap_or(f64::NAN),
            );
        }
        rows.push(row);
    }
    if json_out {
        println!(
            "{}",
            json!({"vocab": VOCAB, "full_logits_f32_mib": logits_mib, "runs": rows})
        );
    } else {
        println!(
            "(full [B, C, vocab] f32 logits for this batch: {logits_mib:.0} MiB; batch {batch}, {completion} completion tokens, vocab {VOCAB})"
        );
    }
    Ok(())
}
