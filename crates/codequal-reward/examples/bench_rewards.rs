//! The reward pipeline's side of `cargo xtask bench-rewards`.
//!
//! Workload: every problem x 8 completions made from its clean and flawed
//! reference solutions and broken variants, wrapped as model answers. Times
//! each reward on its own over the whole workload, then the composite
//! pipeline group by group (a GRPO group = one problem's 8 completions), and
//! prints one JSON object. With `--emit-sample FILE N` it also writes N of the
//! completions (task id and extracted code) for the Python reference.
//!
//! ```sh
//! cargo run --release -p codequal-reward --example bench_rewards -- [--problems DIR] [--limit N] [--emit-sample FILE N]
//! ```

use std::time::{Duration, Instant};

use codequal_reward::extract::extract_code;
use codequal_reward::format::{format_reward, FormatConfig};
use codequal_reward::pipeline::{RewardConfig, RewardPipeline};
use codequal_reward::problems::{default_dir, Problem, ProblemSet};

const GROUP: usize = 8;

/// Eight answers per problem: good, flawed, sloppy and broken.
fn completions(p: &Problem) -> Vec<String> {
    let fence = |code: &str| format!("```python\n{code}```\n");
    let sig = p
        .clean_solution
        .lines()
        .find(|l| l.starts_with("def ") || l.starts_with("class "))
        .unwrap_or("def f():")
        .to_owned();
    vec![
        fence(&p.clean_solution),
        format!(
            "<think>Straightforward.</think>\n{}",
            fence(&p.clean_solution)
        ),
        fence(&p.flawed_solution),
        format!(
            "Here is a solution:\n\n{}\nIt handles the edge cases.",
            fence(&p.flawed_solution)
        ),
        fence(&format!("{sig}\n    pass\n")),
        fence(&p.clean_solution.replacen("return ", "return None and ", 1)),
        fence(&p.clean_solution.replacen(':', "", 1)),
        format!("```python\n{}", p.flawed_solution),
    ]
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i].as_secs_f64()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut problems_dir = default_dir();
    let mut limit = usize::MAX;
    let mut emit: Option<(String, usize)> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--problems" => {
                problems_dir = args.next().ok_or("--problems needs a directory")?.into()
            }
            "--limit" => limit = args.next().ok_or("--limit needs a number")?.parse()?,
            "--emit-sample" => {
                let file = args.next().ok_or("--emit-sample needs FILE N")?;
                let n = args.next().ok_or("--emit-sample needs FILE N")?.parse()?;
                emit = Some((file, n));
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let set = ProblemSet::load(&problems_dir)?;
    let problems: Vec<&Problem> = set.all().iter().take(limit).collect();
    let groups: Vec<(&Problem, Vec<String>)> =
        problems.iter().map(|p| (*p, completions(p))).collect();
    let all: Vec<&String> = groups.iter().flat_map(|(_, c)| c).collect();
    let n = all.len();

    let pipeline =
        RewardPipeline::new(RewardConfig::default(), codequal_sandbox::Config::default())?;
    pipeline
        .sandbox()
        .warm_up(pipeline.sandbox().config().workers)?;

    // Format alone.
    let t = Instant::now();
    for c in &all {
        let e = extract_code(c);
        let parses = e
            .code
            .as_deref()
            .is_some_and(|code| codequal_analyzer::parse::parse(code).error.is_none());
        std::hint::black_box(format_reward(c, &e, parses, &FormatConfig::default()));
    }
    let format_s = t.elapsed().as_secs_f64();

    // Quality alone (the analyzer with its score), one thread.
    let codes: Vec<String> = all.iter().filter_map(|c| extract_code(c).code).collect();
    let t = Instant::now();
    for code in &codes {
        std::hint::black_box(codequal_analyzer::analyze_source(code));
    }
    let quality_s = t.elapsed().as_secs_f64();

    // Correctness alone (sandbox, all workers).
    let suites: Vec<_> = groups
        .iter()
        .map(|(p, _)| p.suite())
        .collect::<Result<_, _>>()?;
    let jobs: Vec<(&str, &codequal_sandbox::TestSuite)> = groups
        .iter()
        .zip(&suites)
        .flat_map(|((_, cs), s)| cs.iter().map(move |c| (c, s)))
        .filter_map(|(c, s)| {
            let start = c.find("```python\n")? + 10;
            let end = c[start..].find("```").map_or(c.len(), |e| start + e);
            Some((&c[start..end], s))
        })
        .collect();
    let t = Instant::now();
    let ran = pipeline.sandbox().run_many(&jobs);
    let correctness_s = t.elapsed().as_secs_f64();
    let cases: usize = ran.iter().flatten().map(|r| r.total()).sum();

    // The composite, group by group, as a trainer would call it.
    let mut latencies = Vec::with_capacity(groups.len());
    let t = Instant::now();
    let mut composite_sum = 0.0;
    for (p, cs) in &groups {
        let g = Instant::now();
        let scored = pipeline.score_group(p, cs)?;
        latencies.push(g.elapsed());
        composite_sum += scored.iter().filter_map(|r| r.composite).sum::<f64>();
    }
    let composite_s = t.elapsed().as_secs_f64();
    // One GRPO batch of 64 completions (8 problems x 8), scored at once.
    let batch: Vec<(&Problem, &[String])> = groups
        .iter()
        .take(8)
        .map(|(p, c)| (*p, c.as_slice()))
        .collect();
    let t = Instant::now();
    let _ = pipeline.score_batch(&batch)?;
    let batch64_s = t.elapsed().as_secs_f64();
    latencies.sort();

    if let Some((file, k)) = emit {
        // An even spread over the workload.
        let step = (n / k.max(1)).max(1);
        let mut out = String::new();
        for (i, ((p, cs), _)) in groups.iter().zip(0..).enumerate() {
            for (j, c) in cs.iter().enumerate() {
                let idx = i * GROUP + j;
                if idx % step == 0 && out.lines().count() < k {
                    let code = extract_code(c).code.unwrap_or_default();
                    out.push_str(&serde_json::json!({"task_id": p.id, "code": code}).to_string());
                    out.push('\n');
                }
            }
        }
        std::fs::write(&file, out)?;
    }

    let per_s = |secs: f64| n as f64 / secs.max(1e-12);
    let summary = serde_json::json!({
        "problems": groups.len(),
        "completions": n,
        "test_cases": cases,
        "workers": pipeline.sandbox().config().workers,
        "completions_per_s": per_s(composite_s),
        "group_latency_median_s": percentile(&latencies, 0.5),
        "group_latency_p99_s": percentile(&latencies, 0.99),
        "batch64_s": batch64_s,
        "mean_composite": composite_sum / n as f64,
        "rewards": {
            "format": {"seconds": format_s, "completions_per_s": per_s(format_s)},
            "quality": {"seconds": quality_s, "completions_per_s": per_s(quality_s), "threads": 1},
            "correctness": {"seconds": correctness_s, "completions_per_s": per_s(correctness_s)},
            "composite": {"seconds": composite_s, "completions_per_s": per_s(composite_s)},
        },
    });
    println!("{summary}");
    Ok(())
}
