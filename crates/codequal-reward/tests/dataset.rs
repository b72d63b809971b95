//! The 200-problem training set: schema, counts, split, originality, and
//! every reference solution passing every case in the sandbox.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Read;
use std::path::PathBuf;

use codequal_reward::problems::{default_dir, Problem, ProblemSet, Split};

const CATEGORIES: [&str; 25] = [
    "string_processing",
    "parsing",
    "input_validation",
    "text_formatting",
    "regular_expressions",
    "recursion",
    "dynamic_programming",
    "graphs",
    "searching_sorting",
    "number_theory",
    "geometry",
    "matrices",
    "bit_manipulation",
    "dates_times",
    "aggregation_statistics",
    "dict_json_transformation",
    "intervals_scheduling",
    "simulation_state_machines",
    "iterators_generators",
    "caching_memoization",
    "class_design",
    "error_handling_retries",
    "resource_handling",
    "business_rules",
    "configuration_api_design",
];

fn load() -> ProblemSet {
    ProblemSet::load(default_dir()).expect("problems load")
}

#[test]
fn all_200_problems_load_with_the_documented_counts_and_split() {
    let set = load();
    assert_eq!(set.len(), 200);
    let by_cat = set.by_category();
    assert_eq!(
        by_cat.keys().copied().collect::<BTreeSet<_>>(),
        CATEGORIES.iter().copied().collect::<BTreeSet<_>>()
    );
    for (cat, problems) in &by_cat {
        assert_eq!(problems.len(), 8, "{cat}");
        let ids: Vec<String> = problems.iter().map(|p| p.id.clone()).collect();
        let want: Vec<String> = (1..=8).map(|i| format!("{cat}-{i:02}")).collect();
        assert_eq!(ids, want, "{cat}: ids");
        let val = problems
            .iter()
            .filter(|p| p.split == Split::Validation)
            .count();
        // Stratified: 15 categories hold out 2 problems, 10 hold out 1.
        assert!((1..=2).contains(&val), "{cat}: {val} validation problems");
    }
    assert_eq!(set.split(Split::Train).len(), 160);
    assert_eq!(set.split(Split::Validation).len(), 40);
    let two_held_out = by_cat
        .values()
        .filter(|ps| ps.iter().filter(|p| p.split == Split::Validation).count() == 2)
        .count();
    assert_eq!(two_held_out, 15);
}

fn has_large_case(tests: &serde_json::Value) -> bool {
    match tests {
        serde_json::Value::Object(m) => m.contains_key("args_py") || m.values().any(has_large_case),
        serde_json::Value::Array(a) => a.iter().any(has_large_case),
        _ => false,
    }
}

#[test]
fn every_problem_is_well_formed() {
    let mut bad = Vec::new();
    for p in load().all() {
        if let Err(e) = p.suite() {
            bad.push(format!("{}: {e}", p.id));
            continue;
        }
        assert!(p.case_count() >= 8, "{}: {} cases", p.id, p.case_count());
        assert!(
            has_large_case(&p.tests),
            "{}: no large (args_py) case",
            p.id
        );
        assert!(
            p.prompt.contains(&p.entry_point),
            "{}: prompt does not name the entry point",
            p.id
        );
        assert!(
            !p.trap.trim().is_empty() && !p.trap_tags.is_empty(),
            "{}: trap",
            p.id
        );
        assert_ne!(p.clean_solution, p.flawed_solution, "{}", p.id);
        for (which, src) in [("clean", &p.clean_solution), ("flawed", &p.flawed_solution)] {
            let report = codequal_analyzer::analyze_source(src);
            assert!(
                report.syntax_error.is_none(),
                "{} {which}: {:?}",
                p.id,
                report.syntax_error
            );
            let defines = format!("def {}(", p.entry_point);
            let class = format!("class {}", p.entry_point);
            assert!(
                src.contains(&defines) || src.contains(&class),
                "{} {which}: does not define {}",
                p.id,
                p.entry_point
            );
        }
    }
    assert!(
        bad.is_empty(),
        "{} problems with invalid tests:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Lower-case words, punctuation dropped.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Sets of consecutive word n-grams.
type Shingles = HashSet<Vec<String>>;

fn shingles(text: &str, n: usize) -> Shingles {
    let w = words(text);
    if w.len() < n {
        return std::iter::once(w).collect();
    }
    w.windows(n).map(<[String]>::to_vec).collect()
}

fn jaccard(a: &Shingles, b: &Shingles) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// Prompt text without the signature block (signatures share words).
fn prose(p: &Problem) -> String {
    p.prompt
        .lines()
        .filter(|l| !l.trim_start().starts_with("def ") && !l.trim_start().starts_with("class "))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn no_two_problems_duplicate_each_other() {
    let set = load();
    let ps = set.all();
    let prompts: Vec<_> = ps.iter().map(|p| shingles(&prose(p), 3)).collect();
    let clean: Vec<_> = ps.iter().map(|p| shingles(&p.clean_solution, 4)).collect();
    let mut worst = (0.0f64, String::new());
    for i in 0..ps.len() {
        for j in i + 1..ps.len() {
            let sp = jaccard(&prompts[i], &prompts[j]);
            let sc = jaccard(&clean[i], &clean[j]);
            let s = sp.max(sc);
            if s > worst.0 {
                worst = (s, format!("{} ~ {}", ps[i].id, ps[j].id));
            }
            assert!(
                sp < 0.5,
                "{} and {}: prompts {sp:.2} similar",
                ps[i].id,
                ps[j].id
            );
            assert!(
                sc < 0.6,
                "{} and {}: clean solutions {sc:.2} similar",
                ps[i].id,
                ps[j].id
            );
        }
    }
    println!("most similar pair: {} ({:.2})", worst.1, worst.0);
}

fn datasets_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets");
    dir.exists().then_some(dir)
}

#[test]
fn no_problem_copies_humaneval_or_mbpp() {
    let Some(dir) = datasets_dir() else {
        assert!(
            std::env::var("CI").is_err(),
            "../shared/datasets is missing in CI"
        );
        println!("datasets: DID NOT RUN (../shared/datasets not found)");
        return;
    };
    let mut refs: Vec<(String, Shingles, Shingles)> = Vec::new();
    let gz = std::fs::File::open(dir.join("humaneval/HumanEval.jsonl.gz")).expect("HumanEval");
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .expect("gunzip");
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("jsonl");
        let s = |k: &str| v[k].as_str().unwrap_or("").to_owned();
        refs.push((
            s("task_id"),
            shingles(&s("prompt"), 3),
            shingles(&s("canonical_solution"), 4),
        ));
    }
    let mbpp: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("mbpp/sanitized-mbpp.json")).expect("MBPP"),
    )
    .expect("json");
    for v in mbpp.as_array().expect("list") {
        let s = |k: &str| v[k].as_str().unwrap_or("").to_owned();
        refs.push((
            format!("MBPP/{}", v["task_id"]),
            shingles(&s("prompt"), 3),
            shingles(&s("code"), 4),
        ));
    }
    assert!(refs.len() > 500);
    let mut worst: BTreeMap<String, (f64, String)> = BTreeMap::new();
    for p in load().all() {
        let prompt = shingles(&prose(p), 3);
        let code = shingles(&p.clean_solution, 4);
        for (id, rp, rc) in &refs {
            let sp = jaccard(&prompt, rp);
            let sc = jaccard(&code, rc);
            assert!(
                sp < 0.4,
                "{} resembles {id}: prompt similarity {sp:.2}",
                p.id
            );
            assert!(
                sc < 0.5,
                "{} resembles {id}: solution similarity {sc:.2}",
                p.id
            );
            let e = worst.entry("prompt".into()).or_insert((0.0, String::new()));
            if sp > e.0 {
                *e = (sp, format!("{} ~ {id}", p.id));
            }
            let e = worst
                .entry("solution".into())
                .or_insert((0.0, String::new()));
            if sc > e.0 {
                *e = (sc, format!("{} ~ {id}", p.id));
            }
        }
    }
    for (what, (s, pair)) in worst {
        println!("closest to HumanEval/MBPP by {what}: {pair} ({s:.2})");
    }
}

#[test]
fn every_reference_solution_passes_every_case_in_the_sandbox() {
    let set = load();
    // Correctness, not speed, is checked here: the flawed solutions are slow
    // on purpose (up to ~1 s of CPU for a large case), and case children run
    // at nice 10, so a loaded machine can stretch a second of CPU into
    // minutes of wall time. Only CPU time judges them here (10 s a case);
    // the reference solutions never block.
    let config = codequal_sandbox::Config {
        case_wall_time_s: 900.0,
        case_cpu_time_s: 10,
        program_wall_time_s: 3600.0,
        program_cpu_time_s: 120.0,
        ..codequal_sandbox::Config::default()
    };
    let sandbox = codequal_sandbox::Sandbox::new(config).expect("sandbox starts");
    let suites: Vec<_> = set
        .all()
        .iter()
        .map(|p| p.suite().expect("suite"))
        .collect();
    let mut jobs = Vec::new();
    for (p, suite) in set.all().iter().zip(&suites) {
        jobs.push((p.clean_solution.as_str(), suite));
        jobs.push((p.flawed_solution.as_str(), suite));
    }
    let started = std::time::Instant::now();
    let results = sandbox.run_many(&jobs);
    let mut failures = Vec::new();
    let mut cases = 0;
    for (i, r) in results.iter().enumerate() {
        let p = &set.all()[i / 2];
        let which = if i % 2 == 0 { "clean" } else { "flawed" };
        match r {
            Ok(r) => {
                cases += r.total();
                if !r.all_passed() {
                    let bad: Vec<String> = r
                        .cases
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| !c.verdict.is_pass())
                        .map(|(k, c)| format!("case {k}: {:?}", c.verdict))
                        .collect();
                    failures.push(format!("{} {which}: {}", p.id, bad.join("; ")));
                }
            }
            Err(e) => failures.push(format!("{} {which}: sandbox error {e}", p.id)),
        }
    }
    println!(
        "dataset: {} programs, {cases} cases in {:.1} s; {} failed",
        jobs.len(),
        started.elapsed().as_secs_f64(),
        failures.len()
    );
    assert!(failures.is_empty(), "failures:\n{}", failures.join("\n"));
}
