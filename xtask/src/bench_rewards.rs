//! `cargo xtask bench-rewards [--json] [--sample N] [--limit N]`: the reward
//! pipeline against a Python reference of the paper's, side by side in one
//! run.
//!
//! Ours: `examples/bench_rewards.rs` of codequal-reward (release build) over
//! all problems x 8 completions (clean, flawed and broken variants wrapped as
//! model answers): completions per second per reward and composite, and the
//! median and p99 latency of a GRPO group. Reference:
//! `xtask/scripts/paper_pipeline.py` on a spread sample of at least 32 of the
//! same completions: pylint, bandit, radon cc/raw and vulture processes per
//! completion as the paper's library runs them, plus a `python3` process per
//! test case as open-r1 does. The ratio of completions per second is the
//! speedup.

use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::python_env::{PythonEnv, RequirementSet};

/// Runs the benchmark.
pub fn run(args: &[String]) -> Result<()> {
    let mut json = false;
    let mut sample = 48usize;
    let mut limit: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json = true,
            "--sample" => sample = it.next().context("--sample needs a number")?.parse()?,
            "--limit" => limit = Some(it.next().context("--limit needs a number")?.clone()),
            other => bail!(
                "bench-rewards: unknown argument `{other}` (use --json, --sample N, --limit N)"
            ),
        }
    }
    if sample < 32 {
        bail!("bench-rewards: the reference sample must hold at least 32 completions");
    }
    let env = PythonEnv::ensure(&[RequirementSet::REFERENCE_TOOLS])?;
    let root = crate::project_root();
    let sample_file = std::env::temp_dir().join(format!(
        "codequal-bench-sample-{}.jsonl",
        std::process::id()
    ));
    eprintln!("bench-rewards: building and running the Rust pipeline (release)");
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args([
        "run",
        "--release",
        "--quiet",
        "-p",
        "codequal-reward",
        "--example",
        "bench_rewards",
        "--",
    ])
    .arg("--emit-sample")
    .arg(&sample_file)
    .arg(sample.to_string())
    .current_dir(&root);
    if let Some(l) = &limit {
        cmd.args(["--limit", l]);
    }
    let out = cmd.output().context("running the bench_rewards example")?;
    if !out.status.success() {
        bail!(
            "bench_rewards failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let ours: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("bench_rewards output")?;
    eprintln!("bench-rewards: running the Python reference on {sample} completions");
    let out = Command::new(env.venv.join("bin/python"))
        .arg(root.join("xtask/scripts/paper_pipeline.py"))
        .arg(&sample_file)
        .arg(root.join("fixtures/problems"))
        .output()
        .context("running paper_pipeline.py")?;
    let _ = std::fs::remove_file(&sample_file);
    if !out.status.success() {
        bail!(
            "paper_pipeline.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let reference: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("reference output")?;
    let ours_rate = ours["completions_per_s"].as_f64().unwrap_or(f64::NAN);
    let ref_rate = reference["completions_per_s"].as_f64().unwrap_or(f64::NAN);
    let result = serde_json::json!({
        "completions_per_s": ours_rate,
        "reference_completions_per_s": ref_rate,
        "speedup": ours_rate / ref_rate,
        "group_latency_median_s": ours["group_latency_median_s"],
        "group_latency_p99_s": ours["group_latency_p99_s"],
        "batch64_s": ours["batch64_s"],
        "rewards": ours["rewards"],
        "ours": ours,
        "reference": reference,
    });
    if json {
        println!("{result}");
        return Ok(());
    }
    println!(
        "bench-rewards: {} completions ({} problems x 8), {} test cases, {} sandbox workers",
        ours["completions"], ours["problems"], ours["test_cases"], ours["workers"]
    );
    println!("{:<14} {:>12} {:>16}", "reward", "seconds", "completions/s");
    for name in ["format", "quality", "correctness", "composite"] {
        let r = &ours["rewards"][name];
        println!(
            "{name:<14} {:>12.3} {:>16.1}",
            r["seconds"].as_f64().unwrap_or(f64::NAN),
            r["completions_per_s"].as_f64().unwrap_or(f64::NAN)
        );
    }
    println!(
        "GRPO group of 8: median {:.3} s, p99 {:.3} s; a 64-completion batch: {:.3} s",
        ours["group_latency_median_s"].as_f64().unwrap_or(f64::NAN),
        ours["group_latency_p99_s"].as_f64().unwrap_or(f64::NAN),
        ours["batch64_s"].as_f64().unwrap_or(f64::NAN)
    );
    println!(
        "Python reference (paper's tools + a python3 per test case), {} completions: {:.3} completions/s",
        reference["completions"], ref_rate
    );
    println!("speedup (composite): {:.0}x", ours_rate / ref_rate);
    Ok(())
}
