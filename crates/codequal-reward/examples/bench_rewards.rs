//! The reward pipeline's side of `cargo xtask bench-rewards`.
//!
//! Workload: every problem x 8 completions made from its clean and flawed
//! reference solutions and broken variants, wrapped as model answers (see
//! [`VARIANTS`]). Times each reward on its own over the whole workload, then
//! the composite pipeline as a trainer calls it: once per GRPO group of 8
//! (one problem), and once per batch of 64 (8 problems x 8, one
//! `score_batch` call). Prints one JSON object, with the load average before
//! and after, and where the sandbox's time went (CPU of the candidates' own
//! cases per variant). With `--emit-sample FILE N` it also writes N of the
//! completions, spread evenly over the workload, for the Python reference,
//! and times the pipeline on exactly those.
//!
//! ```sh
//! cargo run --release -p codequal-reward --example bench_rewards -- [--problems DIR] [--limit N] [--emit-sample FILE N]
//! ```

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use codequal_reward::extract::extract_code;
use codequal_reward::format::{format_reward, FormatConfig};
use codequal_reward::pipeline::{RewardConfig, RewardPipeline};
use codequal_reward::problems::{default_dir, Problem, ProblemSet};
use serde_json::json;

/// Completions per GRPO group.
const GROUP: usize = 8;
/// Groups per batch of 64 completions.
const GROUPS_PER_BATCH: usize = 8;

/// The eight answers of a group, by name: good, flawed, sloppy and broken.
const VARIANTS: [&str; GROUP] = [
    "clean",
    "clean_with_reasoning",
    "flawed",
    "flawed_with_prose",
    "stub",
    "returns_none",
    "syntax_error",
    "flawed_unterminated",
];

/// The completions of one problem, in the order of [`VARIANTS`].
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

/// The `q` quantile of sorted durations (nearest rank), in seconds.
fn percentile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i].as_secs_f64()
}

/// The 1-minute load average, for the record beside every figure.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// CPU seconds used so far by this process and by every descendant it has
/// waited for. Sandbox workers are long-lived descendants: their CPU (and
/// that of every case they forked and reaped) is counted once the pipeline
/// that owns them is dropped, so each phase below uses a pipeline of its own.
fn cpu_seconds() -> f64 {
    let mut total = 0.0;
    for who in [libc::RUSAGE_SELF, libc::RUSAGE_CHILDREN] {
        // SAFETY: an all-zero rusage is a valid value, and getrusage only
        // writes into the struct it is given.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: see above; `who` is one of the two documented values.
        if unsafe { libc::getrusage(who, &mut ru) } == 0 {
            for t in [ru.ru_utime, ru.ru_stime] {
                total += t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
            }
        }
    }
    total
}

/// A pipeline with its workers started.
fn warm_pipeline(config: &RewardConfig) -> Result<RewardPipeline, Box<dyn std::error::Error>> {
    let pipeline = RewardPipeline::new(config.clone(), codequal_sandbox::Config::default())?;
    pipeline
        .sandbox()
        .warm_up(pipeline.sandbox().config().workers)?;
    Ok(pipeline)
}

/// Runs `phase` on a fresh warm pipeline; returns its value, its wall time
/// and the CPU seconds it took in every process (the workers' start-up
/// excluded: `startup_cpu_s` is subtracted).
fn timed_phase<T>(
    config: &RewardConfig,
    startup_cpu_s: f64,
    phase: impl FnOnce(&RewardPipeline) -> Result<T, Box<dyn std::error::Error>>,
) -> Result<(T, f64, f64), Box<dyn std::error::Error>> {
    let cpu = cpu_seconds();
    let pipeline = warm_pipeline(config)?;
    let t = Instant::now();
    let value = phase(&pipeline)?;
    let wall = t.elapsed().as_secs_f64();
    drop(pipeline);
    Ok((value, wall, (cpu_seconds() - cpu - startup_cpu_s).max(0.0)))
}

/// Where the sandbox's time went for one variant.
#[derive(Default)]
struct Profile {
    programs: usize,
    cases: usize,
    passed: usize,
    program_wall_s: f64,
    case_wall_s: f64,
    case_cpu_s: f64,
    slowest_case_cpu_s: f64,
}

/// Latencies of one call pattern, with its CPU and the floor the candidates'
/// own CPU sets for each call.
fn latency_summary(
    mut latencies: Vec<Duration>,
    completions: usize,
    cpu_s: f64,
    floors: &[Duration],
) -> serde_json::Value {
    let total: f64 = latencies.iter().map(Duration::as_secs_f64).sum();
    latencies.sort();
    json!({
        "calls": latencies.len(),
        "seconds": total,
        "completions_per_s": completions as f64 / total.max(1e-12),
        "latency_median_s": percentile(&latencies, 0.5),
        "latency_p99_s": percentile(&latencies, 0.99),
        "latency_max_s": latencies.last().map_or(0.0, Duration::as_secs_f64),
        "cpu_s": cpu_s,
        "cpu_s_per_completion": cpu_s / completions.max(1) as f64,
        "floor_median_s": percentile(floors, 0.5),
        "floor_p99_s": percentile(floors, 0.99),
        "floor_max_s": floors.last().map_or(0.0, Duration::as_secs_f64),
    })
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
    let load_before = load_average();
    let set = ProblemSet::load(&problems_dir)?;
    let problems: Vec<&Problem> = set.all().iter().take(limit).collect();
    let groups: Vec<(&Problem, Vec<String>)> =
        problems.iter().map(|p| (*p, completions(p))).collect();
    let all: Vec<&String> = groups.iter().flat_map(|(_, c)| c).collect();
    let n = all.len();

    let config = RewardConfig::default();
    // What starting (and stopping) a pipeline's workers costs, to leave out
    // of every phase's CPU.
    let cpu = cpu_seconds();
    let workers = warm_pipeline(&config)?.sandbox().config().workers;
    let startup_cpu_s = cpu_seconds() - cpu;

    // Format alone, one thread: extraction, a parse, the rule.
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

    // Quality alone, one thread: the analyzer with its score.
    let codes: Vec<Option<String>> = all.iter().map(|c| extract_code(c).code).collect();
    let t = Instant::now();
    for code in codes.iter().flatten() {
        std::hint::black_box(codequal_analyzer::analyze_source_with(
            code,
            &config.analyzer,
        ));
    }
    let quality_s = t.elapsed().as_secs_f64();

    // Correctness alone: every completion's program on the sandbox's
    // workers, copies included, as a pipeline without deduplication runs it.
    let suites: Vec<_> = groups
        .iter()
        .map(|(p, _)| p.suite())
        .collect::<Result<_, _>>()?;
    let mut jobs: Vec<(&str, &codequal_sandbox::TestSuite)> = Vec::new();
    let mut job_variant: Vec<(usize, usize)> = Vec::new();
    for (g, suite) in suites.iter().enumerate() {
        for v in 0..GROUP {
            if let Some(code) = codes[g * GROUP + v].as_deref() {
                jobs.push((code, suite));
                job_variant.push((g, v));
            }
        }
    }
    let (ran, correctness_s, correctness_cpu_s) =
        timed_phase(&config, startup_cpu_s, |p| Ok(p.sandbox().run_many(&jobs)))?;
    let mut profile: BTreeMap<usize, Profile> = BTreeMap::new();
    let mut passed_of: BTreeMap<(usize, usize), (usize, usize)> = BTreeMap::new();
    let mut sandbox_errors = 0;
    for (r, &(g, v)) in ran.iter().zip(&job_variant) {
        let Ok(r) = r else {
            sandbox_errors += 1;
            continue;
        };
        let p = profile.entry(v).or_default();
        p.programs += 1;
        p.cases += r.total();
        p.passed += r.passed();
        p.program_wall_s += r.wall_s;
        for c in &r.cases {
            p.case_wall_s += c.wall_s;
            p.case_cpu_s += c.cpu_s;
            p.slowest_case_cpu_s = p.slowest_case_cpu_s.max(c.cpu_s);
        }
        passed_of.insert((g, v), (r.passed(), r.total()));
    }
    let cases: usize = profile.values().map(|p| p.cases).sum();
    let case_cpu_s: f64 = profile.values().map(|p| p.case_cpu_s).sum();
    // Copies of the same code share one run in the pipeline: the CPU its
    // distinct programs need, per program, group of 8 and batch of 64.
    let mut seen = std::collections::HashSet::new();
    let mut distinct_cpu_of_group = vec![0.0f64; groups.len()];
    let mut longest_program_of_group = vec![0.0f64; groups.len()];
    for ((r, (code, _)), &(g, _)) in ran.iter().zip(&jobs).zip(&job_variant) {
        if let (Ok(r), true) = (r, seen.insert((g, *code))) {
            let program_cpu: f64 = r.cases.iter().map(|c| c.cpu_s).sum();
            distinct_cpu_of_group[g] += program_cpu;
            longest_program_of_group[g] = longest_program_of_group[g].max(program_cpu);
        }
    }
    let distinct_programs = seen.len();
    let distinct_cpu_s: f64 = distinct_cpu_of_group.iter().sum();
    // A program's cases run one after another on one worker, so a call
    // cannot finish before its longest program, nor before its CPU spread
    // over the workers.
    let floor_of = |range: std::ops::Range<usize>| -> Duration {
        let total: f64 = distinct_cpu_of_group[range.clone()].iter().sum();
        let longest = longest_program_of_group[range]
            .iter()
            .fold(0.0f64, |a, b| a.max(*b));
        Duration::from_secs_f64((total / workers as f64).max(longest))
    };
    let mut group_floors: Vec<Duration> = (0..groups.len()).map(|g| floor_of(g..g + 1)).collect();
    let mut batch_floors: Vec<Duration> = (0..groups.len())
        .step_by(GROUPS_PER_BATCH)
        .map(|g| floor_of(g..(g + GROUPS_PER_BATCH).min(groups.len())))
        .collect();
    group_floors.sort();
    batch_floors.sort();

    // The composite, one GRPO group (one problem x 8) per call.
    let ((group_latencies, composite_sum), group8_wall_s, group8_cpu_s) =
        timed_phase(&config, startup_cpu_s, |pipeline| {
            let mut latencies = Vec::with_capacity(groups.len());
            let mut sum = 0.0;
            for (p, cs) in &groups {
                let t = Instant::now();
                let scored = pipeline.score_group(p, cs)?;
                latencies.push(t.elapsed());
                sum += scored.iter().filter_map(|r| r.composite).sum::<f64>();
            }
            Ok((latencies, sum))
        })?;
    // The composite, one batch of 64 (8 problems x 8) per call.
    let ((batch_latencies, batch_completions), batch64_wall_s, batch64_cpu_s) =
        timed_phase(&config, startup_cpu_s, |pipeline| {
            let mut latencies = Vec::new();
            let mut completions = 0;
            for chunk in groups.chunks(GROUPS_PER_BATCH) {
                let batch: Vec<(&Problem, &[String])> =
                    chunk.iter().map(|(p, c)| (*p, c.as_slice())).collect();
                completions += chunk.len() * GROUP;
                let t = Instant::now();
                std::hint::black_box(pipeline.score_batch(&batch)?);
                latencies.push(t.elapsed());
            }
            Ok((latencies, completions))
        })?;
    let full_batches = groups.len() / GROUPS_PER_BATCH;

    // The reference's sample: problems spread evenly, the variants in turn,
    // so that every variant is as common as in the workload.
    let mut sample = serde_json::Value::Null;
    if let Some((file, k)) = emit {
        let k = k.min(n);
        let picked: Vec<usize> = (0..k)
            .map(|i| (i * groups.len() / k) * GROUP + i % GROUP)
            .collect();
        let mut out = String::new();
        for &i in &picked {
            let (g, v) = (i / GROUP, i % GROUP);
            let (passed, total) = passed_of.get(&(g, v)).copied().unwrap_or((0, 0));
            let line = json!({
                "task_id": groups[g].0.id,
                "variant": VARIANTS[v],
                "code": codes[i].clone().unwrap_or_default(),
                "passed": passed,
                "total": total,
            });
            out.push_str(&line.to_string());
            out.push('\n');
        }
        std::fs::write(&file, out)?;
        // Ours on exactly those completions, in one call (each its own group).
        let singles: Vec<(&Problem, &[String])> = picked
            .iter()
            .map(|&i| (groups[i / GROUP].0, std::slice::from_ref(all[i])))
            .collect();
        let ((), s, cpu) = timed_phase(&config, startup_cpu_s, |pipeline| {
            std::hint::black_box(pipeline.score_batch(&singles)?);
            Ok(())
        })?;
        sample = json!({
            "completions": picked.len(),
            "seconds": s,
            "completions_per_s": picked.len() as f64 / s.max(1e-12),
            "cpu_s": cpu,
            "cpu_s_per_completion": cpu / picked.len() as f64,
        });
    }

    let per_s = |secs: f64| n as f64 / secs.max(1e-12);
    let batch64 = latency_summary(
        batch_latencies,
        batch_completions,
        batch64_cpu_s,
        &batch_floors,
    );
    let by_variant: serde_json::Map<String, serde_json::Value> = profile
        .iter()
        .map(|(v, p)| {
            (
                VARIANTS[*v].to_owned(),
                json!({
                    "programs": p.programs,
                    "cases": p.cases,
                    "passed": p.passed,
                    "program_wall_s": p.program_wall_s,
                    "case_wall_s": p.case_wall_s,
                    "case_cpu_s": p.case_cpu_s,
                    "slowest_case_cpu_s": p.slowest_case_cpu_s,
                }),
            )
        })
        .collect();
    let summary = json!({
        "problems": groups.len(),
        "completions": n,
        "test_cases": cases,
        "workers": workers,
        "deduplicate_programs": config.deduplicate_programs,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "completions_per_s": batch64["completions_per_s"],
        "mean_composite": composite_sum / n as f64,
        "sandbox_errors": sandbox_errors,
        "rewards": {
            "format": {"seconds": format_s, "completions_per_s": per_s(format_s), "threads": 1},
            "quality": {"seconds": quality_s, "completions_per_s": per_s(quality_s), "threads": 1},
            "correctness": {
                "seconds": correctness_s,
                "completions_per_s": per_s(correctness_s),
                "workers": workers,
                "every_copy_run": true,
                "cpu_s": correctness_cpu_s,
            },
            "composite_group8": latency_summary(group_latencies, n, group8_cpu_s, &group_floors),
            "composite_batch64": batch64,
        },
        "batches_of_64": full_batches,
        "phase_wall_s": {"group8": group8_wall_s, "batch64": batch64_wall_s},
        "worker_startup_cpu_s": startup_cpu_s,
        "sandbox_profile": {
            "case_cpu_s": case_cpu_s,
            "distinct_programs": distinct_programs,
            "distinct_programs_case_cpu_s": distinct_cpu_s,
            // No runner that runs the candidates' cases on these cores can be
            // faster than their CPU time spread over the workers.
            "floor_every_copy_completions_per_s": n as f64 / (case_cpu_s / workers as f64).max(1e-12),
            "floor_distinct_completions_per_s": n as f64 / (distinct_cpu_s / workers as f64).max(1e-12),
            "by_variant": by_variant,
        },
        "sample": sample,
    });
    println!("{summary}");
    Ok(())
}
