//! Many runs, sequential and parallel, leak no process, descriptor or
//! directory. The count comes from `CODEQUAL_SANDBOX_SOAK_RUNS`; it
//! defaults to 10,000 under `CI=true` and to 1,000 elsewhere.

mod common;

use std::time::Instant;

use codequal_sandbox::{Config, TestSuite};

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

fn runs() -> usize {
    std::env::var("CODEQUAL_SANDBOX_SOAK_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if common::on_ci() { 10_000 } else { 1_000 })
}

#[test]
fn ten_thousand_runs_leak_nothing() {
    let temp_root = tempfile::tempdir().expect("temp root");
    let uid_base = 4_000_000;
    let config = Config {
        temp_root: Some(temp_root.path().to_owned()),
        sandbox_uid_base: uid_base,
        ..Config::default()
    };
    let Some(sandbox) = common::sandbox(config) else {
        return;
    };
    let suite =
        TestSuite::from_json_tests("f", &serde_json::json!([{ "args": [1], "expected": 2 }]))
            .expect("suite");
    let program = "def f(x):\n    return x + 1\n";
    let n = runs();
    // Warm up once so the idle worker's pipes are part of the baseline.
    assert!(sandbox.run(program, &suite).expect("runs").all_passed());
    let fds_before = open_fds();

    let half = n / 2;
    let started = Instant::now();
    for _ in 0..half {
        let r = sandbox.run(program, &suite).expect("runs");
        assert!(r.all_passed(), "{:?}", r.cases);
    }
    let sequential = started.elapsed();
    let jobs: Vec<(&str, &TestSuite)> = (0..n - half).map(|_| (program, &suite)).collect();
    let started = Instant::now();
    let results = sandbox.run_many(&jobs);
    let parallel = started.elapsed();
    assert!(results
        .iter()
        .all(|r| r.as_ref().is_ok_and(|r| r.all_passed())));
    eprintln!(
        "soak: {half} sequential runs in {:.1}s ({:.2} ms/run), {} parallel in {:.1}s ({:.2} ms/run)",
        sequential.as_secs_f64(),
        sequential.as_secs_f64() * 1e3 / half.max(1) as f64,
        n - half,
        parallel.as_secs_f64(),
        parallel.as_secs_f64() * 1e3 / (n - half).max(1) as f64,
    );
    // Idle workers hold three descriptors each (request, reply, stderr);
    // the parallel phase may have left one more idle worker than before.
    let fds_after = open_fds();
    assert!(
        fds_after <= fds_before + 3 * sandbox.config().workers,
        "descriptors leaked: {fds_before} -> {fds_after}"
    );

    drop(sandbox);
    assert!(open_fds() < fds_before, "descriptors remain after drop");
    let left: Vec<_> = std::fs::read_dir(temp_root.path())
        .expect("temp root")
        .collect();
    assert!(left.is_empty(), "directories left: {left:?}");
    let procs: Vec<String> = std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|e| {
            let status = std::fs::read_to_string(e.path().join("status")).ok()?;
            let uid: u32 = status
                .lines()
                .find(|l| l.starts_with("Uid:"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            (uid_base..uid_base + 1_000_000)
                .contains(&uid)
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    assert!(procs.is_empty(), "processes left: {procs:?}");
}
