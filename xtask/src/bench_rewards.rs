//! `cargo xtask bench-rewards [--json] [--sample N] [--limit N]`: the reward
//! pipeline against a Python reference of the paper's, side by side in one
//! run.
//!
//! Ours: `examples/bench_rewards.rs` of codequal-reward (release build) over
//! all problems x 8 completions (clean, flawed and broken variants wrapped as
//! model answers): completions per second per reward and composite, and the
//! median and p99 latency of a GRPO group of 8 (one problem) and of a batch
//! of 64 (8 problems x 8), plus where the sandbox's time went. Reference:
//! `xtask/scripts/paper_pipeline.py` on a spread sample of at least 32 of the
//! same completions: pylint, bandit, radon cc/raw and vulture processes per
//! completion as the paper's library runs them, plus a `python3` process per
//! test case as open-r1 does. The ratio of completions per second is the
//! speedup; the pipeline is also timed on exactly the reference's sample,
//! and the reference's pass counts are checked against ours.

use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::python_env::{PythonEnv, RequirementSet};

/// The goals.
const SPEEDUP_GOAL: f64 = 100.0;
const BATCH64_GOAL_S: f64 = 1.0;

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
    let ours: Value = serde_json::from_slice(&out.stdout).context("bench_rewards output")?;
    let sample_lines = std::fs::read_to_string(&sample_file).context("reading the sample")?;
    eprintln!("bench-rewards: running the Python reference on {sample} completions");
    let reference_load_before = crate::load_average();
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
    let mut reference: Value = serde_json::from_slice(&out.stdout).context("reference output")?;
    reference["load_average_before"] = json!(reference_load_before);
    reference["load_average_after"] = json!(crate::load_average());

    // The reference judges the same cases: its pass counts must be ours.
    let ours_passed: Vec<Value> = sample_lines
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let empty = Vec::new();
    let ref_passed = reference["passed"].as_array().unwrap_or(&empty);
    let disagreements: Vec<Value> = ours_passed
        .iter()
        .zip(ref_passed)
        .filter(|(o, r)| o["passed"] != r["passed"] || o["total"] != r["total"])
        .map(|(o, r)| {
            json!({"task_id": o["task_id"], "variant": o["variant"],
                   "ours": o["passed"], "reference": r["passed"], "total": o["total"]})
        })
        .collect();

    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let ours_rate = num(&ours["completions_per_s"]);
    let ref_rate = num(&reference["completions_per_s"]);
    let same_sample_rate = num(&ours["sample"]["completions_per_s"]);
    let batch = &ours["rewards"]["composite_batch64"];
    let group = &ours["rewards"]["composite_group8"];
    let speedup = ours_rate / ref_rate;
    // CPU seconds per completion, every process counted: a ratio that the
    // other work on a shared machine disturbs far less than wall time.
    let ref_cpu = num(&reference["cpu_s_per_completion"]);
    let result = json!({
        "completions_per_s": ours_rate,
        "reference_completions_per_s": ref_rate,
        "speedup": speedup,
        "same_sample_completions_per_s": same_sample_rate,
        "same_sample_speedup": same_sample_rate / ref_rate,
        "cpu_s_per_completion": batch["cpu_s_per_completion"],
        "reference_cpu_s_per_completion": ref_cpu,
        "cpu_speedup": ref_cpu / num(&batch["cpu_s_per_completion"]),
        "same_sample_cpu_speedup": ref_cpu / num(&ours["sample"]["cpu_s_per_completion"]),
        "group8_latency_median_s": group["latency_median_s"],
        "group8_latency_p99_s": group["latency_p99_s"],
        "batch64_latency_median_s": batch["latency_median_s"],
        "batch64_latency_p99_s": batch["latency_p99_s"],
        "batch64_floor_median_s": batch["floor_median_s"],
        "batch64_floor_p99_s": batch["floor_p99_s"],
        "goals": {
            "speedup_100x": speedup >= SPEEDUP_GOAL,
            "batch64_under_1s_median": num(&batch["latency_median_s"]) < BATCH64_GOAL_S,
            "batch64_under_1s_p99": num(&batch["latency_p99_s"]) < BATCH64_GOAL_S,
        },
        "reference_pass_counts_agree": disagreements.is_empty(),
        "reference_pass_disagreements": disagreements,
        "rewards": ours["rewards"],
        "ours": ours,
        "reference": reference,
    });
    if json {
        println!("{result}");
        return Ok(());
    }
    print_report(&ours, &reference, &result);
    Ok(())
}

fn print_report(ours: &Value, reference: &Value, result: &Value) {
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    println!(
        "bench-rewards: {} completions ({} problems x 8), {} test cases, {} sandbox workers; \
         load average {} before, {} after",
        ours["completions"],
        ours["problems"],
        ours["test_cases"],
        ours["workers"],
        ours["load_average_before"],
        ours["load_average_after"]
    );
    println!(
        "{:<28} {:>10} {:>14} {:>10} {:>10} {:>10} {:>10}",
        "reward", "seconds", "completions/s", "median s", "p99 s", "CPU s", "floor p50"
    );
    let rewards = &ours["rewards"];
    for (label, key) in [
        ("format (1 thread)", "format"),
        ("quality (1 thread)", "quality"),
        ("correctness (every copy)", "correctness"),
        ("composite, groups of 8", "composite_group8"),
        ("composite, batches of 64", "composite_batch64"),
    ] {
        let r = &rewards[key];
        let lat = |k: &str| {
            r.get(k)
                .map_or_else(|| "-".to_owned(), |v| format!("{:.3}", num(v)))
        };
        println!(
            "{label:<28} {:>10.3} {:>14.1} {:>10} {:>10} {:>10} {:>10}",
            num(&r["seconds"]),
            num(&r["completions_per_s"]),
            lat("latency_median_s"),
            lat("latency_p99_s"),
            lat("cpu_s"),
            lat("floor_median_s"),
        );
    }
    let prof = &ours["sandbox_profile"];
    println!(
        "sandbox: the candidates' cases took {:.1} s of CPU ({} distinct programs: {:.1} s); \
         on {} workers no runner of these cases exceeds {:.1} completions/s running every \
         copy, {:.1} running each distinct program once",
        num(&prof["case_cpu_s"]),
        prof["distinct_programs"],
        num(&prof["distinct_programs_case_cpu_s"]),
        ours["workers"],
        num(&prof["floor_every_copy_completions_per_s"]),
        num(&prof["floor_distinct_completions_per_s"]),
    );
    if let Some(by) = prof["by_variant"].as_object() {
        println!(
            "  {:<22} {:>8} {:>8} {:>12} {:>12} {:>14}",
            "variant", "cases", "passed", "case CPU s", "case wall s", "slowest case s"
        );
        for (name, p) in by {
            println!(
                "  {name:<22} {:>8} {:>8} {:>12.2} {:>12.2} {:>14.3}",
                p["cases"].as_u64().unwrap_or(0),
                p["passed"].as_u64().unwrap_or(0),
                num(&p["case_cpu_s"]),
                num(&p["case_wall_s"]),
                num(&p["slowest_case_cpu_s"])
            );
        }
    }
    println!(
        "  (CPU s: every process, workers' start-up excluded; floor p50: the median call's \
         lower bound from its distinct programs' case CPU over the workers, or its longest \
         program)"
    );
    println!(
        "Python reference (pylint, bandit, radon cc, radon raw, vulture + a python3 per case), \
         {} completions on {} workers: {:.3} s, {:.3} completions/s, {:.1} CPU s; \
         load average {} before, {} after",
        reference["completions"],
        reference["workers"],
        num(&reference["seconds"]),
        num(&reference["completions_per_s"]),
        num(&reference["cpu_s"]),
        reference["load_average_before"],
        reference["load_average_after"],
    );
    if let Some(parts) = reference["wall_seconds_by_part"].as_object() {
        let parts: Vec<String> = parts
            .iter()
            .map(|(k, v)| format!("{k} {:.1}", num(v)))
            .collect();
        println!("  wall seconds by part: {}", parts.join(", "));
    }
    let disagreements = result["reference_pass_disagreements"]
        .as_array()
        .map_or(0, Vec::len);
    println!(
        "  pass counts: the reference and the pipeline agree on {} of {} completions",
        num(&reference["completions"]) as usize - disagreements,
        reference["completions"]
    );
    println!(
        "speedup (composite, batches of 64, vs the reference): {:.1}x (goal {SPEEDUP_GOAL}x: {})",
        num(&result["speedup"]),
        met(result["goals"]["speedup_100x"].as_bool())
    );
    println!(
        "speedup on exactly the reference's sample: {:.1}x ({:.1} completions/s)",
        num(&result["same_sample_speedup"]),
        num(&result["same_sample_completions_per_s"])
    );
    println!(
        "CPU per completion: {:.4} s (batches of 64), {:.4} s (the reference's sample), \
         reference {:.3} s: {:.0}x and {:.0}x less",
        num(&result["cpu_s_per_completion"]),
        num(&ours["sample"]["cpu_s_per_completion"]),
        num(&result["reference_cpu_s_per_completion"]),
        num(&result["cpu_speedup"]),
        num(&result["same_sample_cpu_speedup"]),
    );
    println!(
        "a batch of 64: median {:.3} s, p99 {:.3} s; the candidates' own CPU alone needs \
         median {:.3} s, p99 {:.3} s (goal under {BATCH64_GOAL_S} s: median {}, p99 {})",
        num(&result["batch64_latency_median_s"]),
        num(&result["batch64_latency_p99_s"]),
        num(&result["batch64_floor_median_s"]),
        num(&result["batch64_floor_p99_s"]),
        met(result["goals"]["batch64_under_1s_median"].as_bool()),
        met(result["goals"]["batch64_under_1s_p99"].as_bool()),
    );
}

fn met(flag: Option<bool>) -> &'static str {
    if flag == Some(true) {
        "met"
    } else {
        "NOT met"
    }
}
