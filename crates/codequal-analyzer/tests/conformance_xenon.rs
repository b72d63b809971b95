//! xenon 0.9.3 conformance: xenon's own test cases live in the module's
//! unit tests; here, threshold combinations over fixtures/analyzer/xenon
//! (expectations logged by the tool) and over standard-library directories
//! and single files, against the pinned tool. Compared: the exit status and
//! every log line (a `cannot parse` warning only up to the module name: its
//! message is the parser's).

mod support;

use std::path::{Path, PathBuf};

use codequal_analyzer::metrics::complexity::{self, ComplexityOptions};
use codequal_analyzer::metrics::xenon::{
    blocks_of_module, find_infractions, ModuleResult, Thresholds,
};
use serde_json::Value;
use support::{read_like_radon, stdlib_files, Agreement, Reference};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/analyzer/xenon")
}

/// xenon's options, from its command line.
#[derive(Debug, Default)]
struct Options {
    thresholds: Thresholds,
    no_assert: bool,
    paths_in_front: bool,
}

fn parse_args(args: &[String]) -> Options {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned();
        match a.as_str() {
            "-b" | "--max-absolute" => o.thresholds.absolute = value(),
            "-m" | "--max-modules" => o.thresholds.modules = value(),
            "-a" | "--max-average" => o.thresholds.average = value(),
            "--max-average-num" => o.thresholds.average_num = value().and_then(|v| v.parse().ok()),
            "--no-assert" => o.no_assert = true,
            "--paths-in-front" => o.paths_in_front = true,
            other => panic!("unsupported xenon option {other}"),
        }
    }
    o
}

/// The modules xenon visits for `paths` (relative to `base`), named as
/// xenon names them.
fn modules(base: &Path, paths: &[String]) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for p in paths {
        let full = base.join(p);
        if full.is_dir() {
            for f in
                codequal_analyzer::collect_python_files(std::slice::from_ref(&full)).expect("walk")
            {
                let rel = f.strip_prefix(&full).expect("under the directory");
                out.push((format!("{}/{}", p.trim_end_matches('/'), rel.display()), f));
            }
        } else {
            out.push((p.clone(), full));
        }
    }
    out
}

/// xenon's exit status and log lines, computed by the analyzer.
fn ours(base: &Path, args: &[String], paths: &[String]) -> (i32, Vec<String>) {
    let o = parse_args(args);
    let options = ComplexityOptions {
        no_assert: o.no_assert,
    };
    let results: Vec<(String, ModuleResult)> = modules(base, paths)
        .into_iter()
        .map(|(name, path)| {
            let report = read_like_radon(&path).and_then(|text| {
                if text.starts_with('\u{feff}') {
                    return Err("invalid non-printable character U+FEFF".to_owned());
                }
                complexity::analyze_source(&text, &options).map_err(|e| e.message)
            });
            let result = match report {
                Ok(cc) => ModuleResult::Blocks(blocks_of_module(&cc)),
                Err(e) => ModuleResult::Error(e),
            };
            (name, result)
        })
        // radon's `_to_dicts` leaves out modules without blocks.
        .filter(|(_, r)| !matches!(r, ModuleResult::Blocks(b) if b.is_empty()))
        .collect();
    let outcome = find_infractions(&o.thresholds, &results);
    let lines = outcome
        .records
        .iter()
        .map(|r| r.log_line(o.paths_in_front))
        .collect();
    (i32::from(outcome.exit_code()), lines)
}

/// A warning's message is the parser's; keep `cannot parse <module>:`.
fn normalize(lines: &[String], ordered: bool) -> Vec<String> {
    let mut out: Vec<String> = lines
        .iter()
        .map(|l| match l.find("cannot parse ") {
            Some(at) => match l[at..].find(".py: ") {
                Some(end) => l[..at + end + 4].to_owned(),
                None => l.clone(),
            },
            None => l.clone(),
        })
        .collect();
    if !ordered {
        out.sort();
    }
    out
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Every fixture case logs the same lines, in the same order, and exits
/// with the same status as xenon did (regenerate.py).
#[test]
fn fixtures_match_xenon_output() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("expected.json")).expect("expected.json"),
    )
    .expect("valid JSON");
    let cases = expected.as_array().expect("a list of cases");
    assert!(cases.len() >= 15, "fixture cases missing");
    let mut failures = Vec::new();
    for case in cases {
        let (args, paths) = (strings(&case["args"]), strings(&case["paths"]));
        let ordered = case["ordered"].as_bool().unwrap_or(false);
        let want_code = case["exit_code"].as_i64().unwrap_or(-1);
        let want = normalize(&strings(&case["stderr"]), ordered);
        let (code, lines) = ours(&fixtures(), &args, &paths);
        let got = normalize(&lines, ordered);
        if i64::from(code) != want_code || got != want {
            failures.push(format!(
                "xenon {args:?} {paths:?}\n  xenon ({want_code}): {want:#?}\n  ours  ({code}): {got:#?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs xenon; returns its exit status and log lines.
fn xenon(reference: &Reference, args: &[String], paths: &[String]) -> (i32, Vec<String>) {
    let out = reference
        .command("xenon")
        .args(args)
        .args(paths)
        .output()
        .expect("xenon runs");
    let lines = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(str::to_owned)
        .collect();
    (out.status.code().unwrap_or(-1), lines)
}

fn run_parallel<T: Send>(
    jobs: &[(Vec<String>, Vec<String>)],
    f: impl Fn(&[String], &[String]) -> T + Sync,
) -> Vec<T> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<T>>> =
        jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((args, paths)) = jobs.get(i) else {
                    break;
                };
                *slots[i].lock().expect("slot") = Some(f(args, paths));
            });
        }
    });
    slots
        .into_iter()
        .map(|s| s.into_inner().expect("slot").expect("ran"))
        .collect()
}

/// Threshold combinations over standard-library packages and single
/// modules: same exit status, same log lines (directories: in any order,
/// since xenon follows the file system's order).
#[test]
fn stdlib_xenon_agrees() {
    let Some(reference) = Reference::find("xenon stdlib", &["xenon"]) else {
        return;
    };
    let files = stdlib_files();
    let Some(root) = files
        .iter()
        .find(|f| f.ends_with("json/__init__.py"))
        .and_then(|f| f.parent()?.parent().map(Path::to_path_buf))
    else {
        panic!("no stdlib json package found");
    };
    let combos: Vec<Vec<String>> = [
        &["-b", "C", "-m", "B", "-a", "A"][..],
        &["-b", "B", "-m", "A", "-a", "A"],
        &["-b", "D", "-m", "C", "-a", "B", "--max-average-num", "6"],
        &["--no-assert", "-b", "B", "--paths-in-front", "-m", "A"],
    ]
    .iter()
    .map(|c| c.iter().map(|s| s.to_string()).collect())
    .collect();
    let mut jobs: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    for dir in [
        "json",
        "email",
        "asyncio",
        "concurrent",
        "importlib",
        "unittest",
        "logging",
        "http",
    ] {
        let path = root.join(dir);
        if path.is_dir() {
            for c in &combos {
                jobs.push((c.clone(), vec![path.display().to_string()]));
            }
        }
    }
    let step = (files.len() / 30).max(1);
    for f in files.iter().filter(|f| f.starts_with(&root)).step_by(step) {
        jobs.push((combos[1].clone(), vec![f.display().to_string()]));
    }
    let theirs = run_parallel(&jobs, |args, paths| xenon(&reference, args, paths));
    let mut agree_exit = 0;
    let mut agree_all = 0;
    let mut examples = Vec::new();
    for ((args, paths), (want_code, want_lines)) in jobs.iter().zip(&theirs) {
        let ordered = paths.len() == 1 && !Path::new(&paths[0]).is_dir();
        let (code, lines) = ours(Path::new("/"), args, paths);
        let (want, got) = (normalize(want_lines, ordered), normalize(&lines, ordered));
        agree_exit += usize::from(code == *want_code);
        if code == *want_code && want == got {
            agree_all += 1;
        } else if examples.len() < 10 {
            let missing: Vec<&String> = want.iter().filter(|l| !got.contains(l)).collect();
            let extra: Vec<&String> = got.iter().filter(|l| !want.contains(l)).collect();
            examples.push(format!(
                "xenon {args:?} {paths:?}: exit {want_code} / ours {code}\n    only xenon: {missing:?}\n    only ours: {extra:?}"
            ));
        }
    }
    for e in &examples {
        println!("xenon disagreement: {e}");
    }
    let exit = Agreement {
        metric: "xenon exit status".into(),
        agree: agree_exit,
        total: jobs.len(),
        target: 0.98,
    };
    exit.print();
    let all = Agreement {
        metric: "xenon exit status and log lines".into(),
        agree: agree_all,
        total: jobs.len(),
        target: 0.95,
    };
    all.print();
    assert!(exit.met() && all.met(), "xenon agreement below target");
}
