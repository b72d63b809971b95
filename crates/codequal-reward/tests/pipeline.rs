//! The batch API end to end (sandbox and analyzer): every reward in range
//! for any completion text, and identical programs run once per batch
//! without changing anyone's rewards.

use std::sync::OnceLock;

use codequal_reward::pipeline::{CompletionRewards, RewardConfig, RewardPipeline};
use codequal_reward::problems::{default_dir, Problem, ProblemSet};
use proptest::prelude::*;

fn problems() -> &'static ProblemSet {
    static SET: OnceLock<ProblemSet> = OnceLock::new();
    SET.get_or_init(|| ProblemSet::load(default_dir()).expect("problems"))
}

fn problem(id: &str) -> &'static Problem {
    problems().get(id).expect("problem")
}

fn pipeline(deduplicate_programs: bool) -> RewardPipeline {
    let config = RewardConfig {
        deduplicate_programs,
        ..RewardConfig::default()
    };
    RewardPipeline::new(config, codequal_sandbox::Config::default()).expect("pipeline")
}

/// One pipeline for all proptest cases: starting workers is the slow part.
fn shared_pipeline() -> &'static RewardPipeline {
    static PIPELINE: OnceLock<RewardPipeline> = OnceLock::new();
    PIPELINE.get_or_init(|| pipeline(true))
}

fn fenced(code: &str) -> String {
    format!("```python\n{code}```\n")
}

/// The numbers of a completion, without the explanation.
fn numbers(r: &CompletionRewards) -> [Option<f64>; 5] {
    [
        r.format,
        r.correctness,
        r.quality,
        r.composite,
        Some(r.advantage),
    ]
}

fn assert_in_range(scored: &[CompletionRewards]) {
    for r in scored {
        for v in r.values().into_iter().flatten() {
            assert!((0.0..=1.0).contains(&v), "reward {v} out of [0, 1]");
        }
        // The default weights sum to 1.
        if let Some(c) = r.composite {
            assert!((0.0..=1.0 + 1e-12).contains(&c), "composite {c}");
        }
        assert!(r.advantage.is_finite());
    }
    let sum: f64 = scored.iter().map(|r| r.advantage).sum();
    assert!(sum.abs() < 1e-6, "advantages sum to {sum}");
}

#[test]
fn identical_copies_in_a_batch_score_as_if_each_had_run() {
    let p = problem("searching_sorting-06");
    let group = vec![
        fenced(&p.clean_solution),
        format!(
            "<think>Sort by rank.</think>\n{}",
            fenced(&p.clean_solution)
        ),
        fenced(&p.flawed_solution),
        format!("```python\n{}", p.flawed_solution),
        fenced(&p.flawed_solution.replacen("return ", "return None and ", 1)),
        fenced(&p.clean_solution),
    ];
    let shared = pipeline(true).score_group(p, &group).expect("deduplicated");
    let every_copy = pipeline(false)
        .score_group(p, &group)
        .expect("every copy run");
    assert_eq!(shared.len(), group.len());
    for (a, b) in shared.iter().zip(&every_copy) {
        assert_eq!(numbers(a), numbers(b));
        assert_eq!(a.explanation.failed_cases, b.explanation.failed_cases);
    }
    assert_eq!(numbers(&shared[0]), numbers(&shared[5]));
    assert_in_range(&shared);
}

#[test]
fn the_same_code_for_two_problems_runs_against_each_problems_tests() {
    let a = problem("searching_sorting-06");
    let b = problem("recursion-01");
    let code = vec![fenced(&a.clean_solution)];
    let scored = pipeline(true)
        .score_batch(&[(a, code.as_slice()), (b, code.as_slice())])
        .expect("scored");
    assert_eq!(scored[0][0].correctness, Some(1.0));
    // `b`'s entry point is not defined by `a`'s solution.
    assert_eq!(scored[1][0].correctness, Some(0.0));
}

#[test]
fn huge_binary_and_deeply_nested_completions_score_in_range() {
    let p = problem("searching_sorting-06");
    let honest = fenced(&p.clean_solution);
    let binary: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
        .collect();
    let group = vec![
        honest.clone(),
        String::new(),
        // About 1 MB of repeated code: the analyzer and the sandbox see it all.
        fenced(&p.clean_solution.repeat(3_000)),
        String::from_utf8_lossy(&binary).into_owned(),
        format!(
            "```python\nx = {}1{}\n```",
            "(".repeat(5_000),
            ")".repeat(5_000)
        ),
        "```python\n".repeat(2_000),
        format!("{}{honest}", "</think>".repeat(100)),
        "\u{202E}".repeat(10_000),
    ];
    let scored = shared_pipeline().score_group(p, &group).expect("scored");
    assert_eq!(scored.len(), group.len());
    assert_in_range(&scored);
    assert_eq!(scored[0].correctness, Some(1.0));
    assert!(scored[1..]
        .iter()
        .all(|r| r.composite < scored[0].composite));
}

fn completion() -> impl Strategy<Value = String> {
    let p = problem("searching_sorting-06");
    let parts = vec![
        "```",
        "```python\n",
        "\n",
        "<think>",
        "</think>",
        "def sort_by_priority(items, priority):\n",
        "    return sorted(items)\n",
        "    return items\n",
        "    raise ValueError\n",
        "import os\n",
        "\u{200B}",
        "prose ",
        "x = (",
        "\0",
    ];
    let clean = p.clean_solution.clone();
    prop_oneof![
        "\\PC{0,200}",
        proptest::collection::vec(prop::sample::select(parts), 0..24)
            .prop_map(|parts| parts.concat()),
        Just(fenced(&clean)),
    ]
}

proptest! {
    // Each case runs the sandbox: few cases, each a whole group.
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_reward_of_any_group_is_in_range(group in proptest::collection::vec(completion(), 1..6)) {
        let p = problem("searching_sorting-06");
        let scored = shared_pipeline().score_group(p, &group).expect("scored");
        prop_assert_eq!(scored.len(), group.len());
        assert_in_range(&scored);
    }
}

fn pipeline_with_hints(problem_hints: bool) -> RewardPipeline {
    let config = RewardConfig {
        problem_hints,
        ..RewardConfig::default()
    };
    RewardPipeline::new(config, codequal_sandbox::Config::default()).expect("pipeline")
}

/// Dead-code findings of a scored completion that name `name`.
fn dead_code_naming(r: &CompletionRewards, name: &str) -> usize {
    let quoted = format!("'{name}'");
    r.explanation
        .findings
        .iter()
        .filter(|f| f.code.starts_with("CQD") && f.message.contains(&quoted))
        .count()
}

#[test]
fn problems_tell_the_analyzer_what_their_tests_call_and_how_long_an_answer_is() {
    use codequal_reward::problems::ProblemKind;
    let with = pipeline_with_hints(true);
    let without = pipeline_with_hints(false);
    for kind in [ProblemKind::Function, ProblemKind::Class] {
        let p = problems()
            .all()
            .iter()
            .find(|p| p.kind == kind)
            .expect("a problem of each kind");
        let answer = [fenced(&p.clean_solution)];
        let hinted = &with.score_group(p, &answer).expect("score")[0];
        let plain = &without.score_group(p, &answer).expect("score")[0];
        assert_eq!(hinted.correctness, Some(1.0), "{}", p.id);
        // vulture semantics alone: the entry point is never called in the file.
        assert_eq!(dead_code_naming(plain, &p.entry_point), 1, "{}", p.id);
        for name in p.names_used_by_tests() {
            assert_eq!(dead_code_naming(hinted, &name), 0, "{}: {name}", p.id);
        }
        let (q_hinted, q_plain) = (
            hinted.explanation.quality_before_guard.expect("quality"),
            plain.explanation.quality_before_guard.expect("quality"),
        );
        assert!(q_hinted > q_plain, "{}: {q_hinted} vs {q_plain}", p.id);
    }
    // An answer far shorter than the reference is scaled down by the
    // short-code guard only when the reference size is known.
    let p = problems()
        .all()
        .iter()
        .find(|p| p.kind == ProblemKind::Function && p.reference_lloc().is_some_and(|n| n >= 12))
        .expect("a problem with a reference of 12+ logical lines");
    let short = [fenced(&format!(
        "def {}(*args):\n    n = len(args)\n    return n\n",
        p.entry_point
    ))];
    let hinted = &with.score_group(p, &short).expect("score")[0];
    let plain = &without.score_group(p, &short).expect("score")[0];
    let (q_hinted, q_plain) = (
        hinted.explanation.quality_before_guard.expect("quality"),
        plain.explanation.quality_before_guard.expect("quality"),
    );
    assert!(
        q_hinted < 0.6 * q_plain,
        "{}: {q_hinted} vs {q_plain}",
        p.id
    );
}
