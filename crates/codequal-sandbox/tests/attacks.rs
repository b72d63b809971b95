//! The attack suite: every program in fixtures/sandbox/attacks scores 0,
//! finishes within its limits, and leaves no process, no file outside the
//! sandbox and no temporary directory behind.
//!
//! Each attack defines `solve(x)`. Its suite has two call cases: `solve(1)`
//! must return a nonce that exists only in this test process (in an
//! environment variable and in a host file), and `solve(2)` must return
//! `"ESCAPED"`, which the attacks return when their escape worked. A file
//! whose header says `# cases: nonce` (record forgers, which can make any
//! case return a guessable value) gets only the first.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use codequal_sandbox::{Config, ProgramResult, PyValue, TestSuite, Verdict};

const UID_BASE: u32 = 3_000_000;
const WORKER_MARKER: &str = "codequal-sandbox fork server";

fn attack_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(common::fixture("attacks"))
        .expect("fixtures/sandbox/attacks exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    files.sort();
    files
}

fn suite_for(source: &str, nonce: &str) -> TestSuite {
    let mut tests = vec![serde_json::json!({ "args": [1], "expected": nonce })];
    if !source.contains("# cases: nonce") {
        tests.push(serde_json::json!({ "args": [2], "expected": "ESCAPED" }));
    }
    TestSuite::from_json_tests("solve", &serde_json::Value::Array(tests)).expect("valid suite")
}

/// Host processes that belong to a sandbox of this test: a uid in our range
/// or the worker script in the command line.
fn sandbox_processes() -> Vec<String> {
    let mut found = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        let uid: Option<u32> = status
            .lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|u| u.parse().ok());
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        let in_range = uid.is_some_and(|u| (UID_BASE..UID_BASE + 1_000_000).contains(&u));
        if in_range || cmdline.contains(WORKER_MARKER) || cmdline.contains("CQATTACK") {
            found.push(format!(
                "pid {name} uid {uid:?}: {}",
                cmdline.chars().take(80).collect::<String>()
            ));
        }
    }
    found
}

fn host_traces() -> Vec<PathBuf> {
    [
        "/CQATTACK_pwned",
        "/tmp/CQATTACK_pwned",
        "/usr/CQATTACK_pwned",
        "/work/main/CQATTACK_pwned",
        "/root/CQATTACK_pwned",
    ]
    .iter()
    .map(PathBuf::from)
    .filter(|p| p.exists())
    .collect()
}

fn assert_contained(name: &str, r: &ProgramResult, config: &Config) {
    assert_eq!(r.passed(), 0, "{name} scored: {:?}", r.cases);
    let limit = config.program_wall_time_s + 10.0;
    assert!(
        r.wall_s < limit,
        "{name} ran {:.1}s, past its limits",
        r.wall_s
    );
    for case in &r.cases {
        // Generous: the worker enforces the deadline, but on a loaded
        // machine it may be scheduled late.
        assert!(
            case.wall_s <= config.case_wall_time_s + 5.0,
            "{name}: a case ran {:.1}s (limit {:.1}s)",
            case.wall_s,
            config.case_wall_time_s
        );
        assert!(case.compared_in_parent);
    }
}

#[test]
fn every_attack_scores_zero_and_leaves_nothing_behind() {
    let temp_root = tempfile::tempdir().expect("temp root");
    let nonce = format!(
        "CQNONCE-{:x}{:x}",
        std::process::id(),
        Instant::now().elapsed().as_nanos() ^ 0x5eed_1234_abcd
    );
    // The answer exists on the host: in our environment and in a file.
    // SAFETY (edition 2021: safe fn): set once, before any sandbox thread exists.
    std::env::set_var("CQ_SECRET", &nonce);
    let answers = std::env::temp_dir().join(format!("cq_answers_{}.json", std::process::id()));
    std::fs::write(&answers, format!("{{\"expected\": \"{nonce}\"}}")).expect("write answers");
    let config = Config {
        temp_root: Some(temp_root.path().to_owned()),
        sandbox_uid_base: UID_BASE,
        case_wall_time_s: 2.0,
        case_cpu_time_s: 2,
        program_wall_time_s: 20.0,
        memory_bytes: 256 << 20,
        worker_memory_bytes: 1 << 30,
        output_bytes: 256 << 10,
        ..Config::default()
    };
    let Some(sandbox) = common::sandbox(config.clone()) else {
        let _ = std::fs::remove_file(&answers);
        return;
    };
    let files = attack_files();
    assert!(
        files.len() >= 30,
        "attack fixtures missing: {}",
        files.len()
    );
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            let name = f.file_stem().expect("stem").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(f).expect("read attack"))
        })
        .collect();
    let suites: Vec<TestSuite> = sources.iter().map(|(_, s)| suite_for(s, &nonce)).collect();
    let jobs: Vec<(&str, &TestSuite)> = sources
        .iter()
        .zip(&suites)
        .map(|((_, s), t)| (s.as_str(), t))
        .collect();
    let started = Instant::now();
    let results = sandbox.run_many(&jobs);
    eprintln!(
        "{} attacks in {:.1}s",
        jobs.len(),
        started.elapsed().as_secs_f64()
    );
    let mut verdicts = Vec::new();
    for ((name, _), r) in sources.iter().zip(results) {
        let r = r.unwrap_or_else(|e| panic!("{name}: infrastructure error {e}"));
        eprintln!(
            "{name:>24}: {}",
            r.cases
                .iter()
                .map(|c| c.verdict.kind())
                .collect::<Vec<_>>()
                .join(", ")
        );
        assert_contained(name, &r, &config);
        verdicts.push((name.clone(), r));
    }

    // Specific verdicts, where the attack has one right answer.
    let verdict = |name: &str, case: usize| -> Verdict {
        verdicts
            .iter()
            .find(|(n, _)| n == name)
            .expect("attack ran")
            .1
            .cases[case]
            .verdict
            .clone()
    };
    assert_eq!(verdict("infinite_loop", 0), Verdict::Timeout);
    assert_eq!(verdict("sleep_forever", 0), Verdict::Timeout);
    assert_eq!(verdict("c_call_ignores_alarm", 0), Verdict::Timeout);
    // Under heavy machine load the 2 s wall clock can win the race against
    // the memory or output limit; tests/verdicts.rs checks those verdicts
    // with a generous clock.
    assert!(matches!(
        verdict("memory_hog", 0),
        Verdict::MemoryLimit | Verdict::Timeout
    ));
    assert!(matches!(
        verdict("output_flood_print", 0),
        Verdict::OutputLimit | Verdict::Timeout
    ));
    assert!(matches!(
        verdict("output_flood_oswrite", 0),
        Verdict::OutputLimit | Verdict::Timeout
    ));
    assert_eq!(verdict("ignore_signals", 0), Verdict::Timeout);
    assert!(
        matches!(verdict("deep_recursion", 0), Verdict::Error { exception, .. } if exception == "RecursionError")
    );
    assert!(matches!(
        verdict("deep_recursion", 1),
        Verdict::Crashed { .. } | Verdict::MemoryLimit | Verdict::Error { .. } | Verdict::Timeout
    ));
    assert!(
        matches!(verdict("always_equal", 0), Verdict::Failed { reason } if reason.contains("not plain data"))
    );
    assert!(
        matches!(verdict("sys_exit", 0), Verdict::Error { exception, .. } if exception == "SystemExit")
    );
    assert!(
        matches!(verdict("os_exit", 0), Verdict::Failed { reason } if reason.contains("no result record"))
    );
    assert!(matches!(
        verdict("stdin_input", 0),
        Verdict::Error { .. } | Verdict::Failed { .. }
    ));

    // The sandbox still works after all of that (workers were reused).
    let benign = TestSuite::from_json_tests(
        "solve",
        &serde_json::json!([{ "args": [20], "expected": 21 }]),
    )
    .expect("suite");
    let ok = sandbox
        .run("def solve(x):\n    return x + 1\n", &benign)
        .expect("runs");
    assert!(ok.all_passed(), "{:?}", ok.cases);
    let _ = PyValue::None;

    drop(sandbox);
    let _ = std::fs::remove_file(&answers);
    // Dropping the sandbox waits until every worker's pid namespace is
    // gone; give the kernel a moment to retire /proc entries under load.
    let mut leftovers = sandbox_processes();
    for _ in 0..50 {
        if leftovers.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        leftovers = sandbox_processes();
    }
    assert!(
        leftovers.is_empty(),
        "processes left behind: {leftovers:#?}"
    );
    let traces = host_traces();
    assert!(
        traces.is_empty(),
        "files written outside the sandbox: {traces:?}"
    );
    let remaining: Vec<_> = std::fs::read_dir(temp_root.path())
        .expect("temp root")
        .collect();
    assert!(remaining.is_empty(), "temp root not empty: {remaining:?}");
    assert_eq!(
        cgroup_children(),
        Vec::<PathBuf>::new(),
        "cgroups left behind"
    );
}

/// Our per-worker cgroups still present (those of this process only).
fn cgroup_children() -> Vec<PathBuf> {
    let prefix = format!("w{}-", std::process::id());
    ["memory", "pids"]
        .iter()
        .filter_map(|c| {
            std::fs::read_dir(Path::new("/sys/fs/cgroup").join(c).join("codequal-sandbox")).ok()
        })
        .flat_map(|d| d.flatten().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
        })
        .collect()
}
