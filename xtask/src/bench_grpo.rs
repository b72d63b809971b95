//! `cargo xtask bench-grpo [--json] [--repeats R] [--new-tokens T]
//! [--batches 1,8,64] [--threads N]`: codequal-grpo's sampling and log-probs
//! against transformers on the CPU, side by side in one run.
//!
//! Model: a small random Qwen2 (hidden 256, 4 layers, 4 heads / 2 KV heads,
//! intermediate 688, vocab 4096) that `xtask/scripts/bench_generate.py
//! make-model` saves into a temporary directory with transformers, next to
//! the tiny BPE tokenizer of codequal-grpo's goldens. Ours:
//! `examples/bench_sampling.rs` of codequal-grpo (release build). Theirs:
//! `bench_generate.py run`, `model.generate` with the same prompts, sampling
//! settings and no EOS, then a log-probs forward pass. For each batch size
//! the two run one after the other with the same number of torch threads;
//! each reports the median of R timed runs after one warm-up. Ratios: our
//! tokens per second over theirs, and their log-probs seconds over ours
//! (above 1: ours is faster).

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::python_env::{PythonEnv, RequirementSet};

/// Runs the benchmark.
pub fn run(args: &[String]) -> Result<()> {
    let mut json_out = false;
    let mut repeats = 3usize;
    let mut new_tokens = 64usize;
    let mut batches = vec![1usize, 8, 64];
    let mut threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--json" => json_out = true,
            "--repeats" => repeats = value()?.parse()?,
            "--new-tokens" => new_tokens = value()?.parse()?,
            "--threads" => threads = value()?.parse()?,
            "--batches" => {
                batches = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
            other => bail!(
                "bench-grpo: unknown argument `{other}` (use --json, --repeats R, \
                 --new-tokens T, --batches 1,8,64, --threads N)"
            ),
        }
    }
    if repeats == 0 || batches.is_empty() {
        bail!("bench-grpo: --repeats and --batches must not be empty");
    }
    let env = PythonEnv::ensure(&[RequirementSet::TORCH, RequirementSet::HF])?;
    let torch = env.link_libtorch()?;
    let root = crate::project_root();
    let script = root.join("xtask/scripts/bench_generate.py");
    let python = || {
        let mut cmd = Command::new(env.bin().join("python"));
        cmd.arg(&script)
            .env("CUDA_VISIBLE_DEVICES", "")
            // Everything is local; keep the Hugging Face libraries offline.
            .env("HF_HUB_OFFLINE", "1")
            .env("TRANSFORMERS_VERBOSITY", "error");
        cmd
    };

    let model_dir =
        std::env::temp_dir().join(format!("codequal-bench-grpo-{}", std::process::id()));
    eprintln!("bench-grpo: making the model in {}", model_dir.display());
    let status = python()
        .arg("make-model")
        .arg(&model_dir)
        .status()
        .context("running bench_generate.py make-model")?;
    if !status.success() {
        bail!("bench_generate.py make-model failed ({status})");
    }

    eprintln!("bench-grpo: building the bench_sampling example (release)");
    let status = crate::cargo()
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "codequal-grpo",
            "--example",
            "bench_sampling",
        ])
        .current_dir(&root)
        .status()
        .context("building bench_sampling")?;
    if !status.success() {
        bail!("building bench_sampling failed ({status})");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), std::path::PathBuf::from);
    let ours_bin = target.join("release/examples/bench_sampling");

    let common = |batch: usize| {
        vec![
            "--batch".to_owned(),
            batch.to_string(),
            "--new-tokens".to_owned(),
            new_tokens.to_string(),
            "--repeats".to_owned(),
            repeats.to_string(),
            "--threads".to_owned(),
            threads.to_string(),
        ]
    };
    let mut rows = Vec::new();
    for &batch in &batches {
        eprintln!("bench-grpo: batch {batch}: codequal-grpo");
        let load_before = crate::load_average();
        let mut cmd = Command::new(&ours_bin);
        cmd.arg("--model")
            .arg(&model_dir)
            .args(common(batch))
            .arg("--json")
            .env("LD_LIBRARY_PATH", library_path(&torch.join("lib")));
        let ours = json_output(&mut cmd, "bench_sampling")?;
        eprintln!("bench-grpo: batch {batch}: transformers");
        let mut cmd = python();
        cmd.arg("run")
            .arg("--model")
            .arg(&model_dir)
            .args(common(batch));
        let theirs = json_output(&mut cmd, "bench_generate.py")?;
        let num = |v: &Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
        rows.push(json!({
            "batch": batch,
            "tokens_per_s": num(&ours, "tokens_per_s"),
            "transformers_tokens_per_s": num(&theirs, "tokens_per_s"),
            "sampling_ratio": num(&ours, "tokens_per_s") / num(&theirs, "tokens_per_s"),
            "logprobs_s": num(&ours, "logprobs_s"),
            "transformers_logprobs_s": num(&theirs, "logprobs_s"),
            "logprobs_ratio": num(&theirs, "logprobs_s") / num(&ours, "logprobs_s"),
            "load_average_before": load_before,
            "load_average_after": crate::load_average(),
            "ours": ours,
            "transformers": theirs,
        }));
    }
    let _ = std::fs::remove_dir_all(&model_dir);

    let result = json!({
        "model": "random Qwen2: hidden 256, 4 layers, 4 heads / 2 KV heads, \
                  intermediate 688, vocab 4096, f32",
        "new_tokens": new_tokens,
        "repeats": repeats,
        "threads": threads,
        "rows": rows,
    });
    if json_out {
        println!("{result}");
        return Ok(());
    }
    print_table(&result);
    Ok(())
}

fn print_table(result: &Value) {
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let attn = result["rows"][0]["transformers"]["attn_implementation"]
        .as_str()
        .unwrap_or("?");
    println!(
        "bench-grpo: {}; {} new tokens per sequence, median of {} runs after a warm-up, \
         torch threads: {} each; transformers attention: {attn}",
        result["model"].as_str().unwrap_or(""),
        result["new_tokens"],
        result["repeats"],
        result["threads"],
    );
    println!(
        "{:>5} {:>12} {:>16} {:>7} {:>14} {:>18} {:>7} {:>11}",
        "batch",
        "ours tok/s",
        "transformers",
        "ratio",
        "ours logp s",
        "transformers logp",
        "ratio",
        "load avg"
    );
    for row in result["rows"].as_array().into_iter().flatten() {
        println!(
            "{:>5} {:>12.1} {:>16.1} {:>7.2} {:>14.4} {:>18.4} {:>7.2} {:>5.2}-{:<5.2}",
            row["batch"],
            num(&row["tokens_per_s"]),
            num(&row["transformers_tokens_per_s"]),
            num(&row["sampling_ratio"]),
            num(&row["logprobs_s"]),
            num(&row["transformers_logprobs_s"]),
            num(&row["logprobs_ratio"]),
            num(&row["load_average_before"]),
            num(&row["load_average_after"]),
        );
    }
    println!(
        "(ratio: ours over transformers' tokens/s, transformers' over our log-probs seconds; \
         above 1 means ours is faster; load avg: 1-minute, before and after each pair)"
    );
}

/// Runs `cmd` and parses its stdout as one JSON object.
fn json_output(cmd: &mut Command, name: &str) -> Result<Value> {
    let out = cmd.output().with_context(|| format!("running {name}"))?;
    if !out.status.success() {
        bail!(
            "{name} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    serde_json::from_slice(&out.stdout).with_context(|| format!("{name}'s output"))
}

/// `dir` in front of the current `LD_LIBRARY_PATH`.
fn library_path(dir: &Path) -> std::ffi::OsString {
    let mut dirs = vec![dir.to_path_buf()];
    if let Some(path) = std::env::var_os("LD_LIBRARY_PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}
