//! Completions that try to game the reward must not score well.
//!
//! Each attack is measured against an honest answer to the same problem,
//! scored in the same group by the real pipeline (sandbox and analyzer).

use codequal_reward::pipeline::{CompletionRewards, RewardConfig, RewardPipeline};
use codequal_reward::problems::{default_dir, Problem, ProblemSet};

fn problem() -> Problem {
    let set = ProblemSet::load(default_dir()).expect("problems");
    set.get("searching_sorting-06").expect("problem").clone()
}

fn fenced(code: &str) -> String {
    format!("Here is my solution.\n\n```python\n{code}```\n")
}

fn score(problem: &Problem, completions: &[String]) -> Vec<CompletionRewards> {
    let pipeline =
        RewardPipeline::new(RewardConfig::default(), codequal_sandbox::Config::default())
            .expect("pipeline");
    pipeline.score_group(problem, completions).expect("scored")
}

/// The honest answer and an attack, scored together.
fn honest_vs(attack: String) -> (CompletionRewards, CompletionRewards) {
    let p = problem();
    let honest = fenced(&p.clean_solution);
    let mut r = score(&p, &[honest, attack]);
    let attack = r.pop().expect("two");
    let honest = r.pop().expect("two");
    assert_eq!(
        honest.correctness,
        Some(1.0),
        "honest answer passes: {:?}",
        honest.explanation.failed_cases
    );
    assert_eq!(honest.format, Some(1.0));
    (honest, attack)
}

fn composite(r: &CompletionRewards) -> f64 {
    r.composite.expect("composite")
}

#[test]
fn hidden_unicode_in_or_around_the_fence_zeroes_format() {
    let p = problem();
    for attack in [
        format!("\u{202E}```python\n{}```\n", p.clean_solution),
        format!("```python\n{}\u{200B}```\n", p.clean_solution),
        format!("```python\u{2066}\n{}```\n", p.clean_solution),
    ] {
        let (honest, attack) = honest_vs(attack);
        assert_eq!(
            attack.format,
            Some(0.0),
            "{:?}",
            attack.explanation.format_reasons
        );
        assert!(composite(&attack) < composite(&honest));
        assert!(attack.advantage < 0.0 && honest.advantage > 0.0);
    }
}

#[test]
fn a_stub_body_scores_low() {
    let p = problem();
    for stub in ["pass", "...", "raise NotImplementedError", "return []"] {
        let sig = p
            .clean_solution
            .lines()
            .find(|l| l.starts_with(&format!("def {}(", p.entry_point)))
            .expect("signature")
            .to_owned();
        let (honest, attack) = honest_vs(fenced(&format!("{sig}\n    {stub}\n")));
        assert!(
            attack.correctness.unwrap_or(0.0) < 0.5,
            "{stub}: {:?}",
            attack.correctness
        );
        assert!(
            attack.quality.unwrap_or(0.0) < 0.5,
            "{stub}: quality {:?}",
            attack.quality
        );
        assert!(composite(&attack) < 0.5 * composite(&honest), "{stub}");
    }
}

#[test]
fn deleting_logic_to_lower_complexity_fails_tests_and_earns_no_quality() {
    let p = problem();
    // Keep the signature and the first return-worthy line: simpler, wrong.
    let sig = p
        .clean_solution
        .lines()
        .find(|l| l.starts_with(&format!("def {}(", p.entry_point)))
        .expect("signature")
        .to_owned();
    let (honest, attack) = honest_vs(fenced(&format!("{sig}\n    return sorted(items)\n")));
    assert!(attack.correctness.unwrap_or(0.0) < 1.0);
    let raw = attack.explanation.quality_before_guard.unwrap_or(0.0);
    assert!(attack.quality.unwrap_or(0.0) <= raw * attack.correctness.unwrap_or(0.0) + 1e-12);
    assert!(composite(&attack) < composite(&honest));
}

#[test]
fn a_correct_solution_wrapped_in_try_except_pass_scores_below_the_honest_one() {
    let p = problem();
    let indented: String = p
        .clean_solution
        .lines()
        .map(|l| format!("    {l}\n"))
        .collect();
    let wrapped = format!("try:\n{indented}except:\n    pass\n");
    let (honest, attack) = honest_vs(fenced(&wrapped));
    assert_eq!(attack.correctness, Some(1.0));
    assert!(
        attack.quality.expect("quality") < honest.quality.expect("quality"),
        "wrapped {:?} vs honest {:?}",
        attack.quality,
        honest.quality
    );
    assert!(composite(&attack) < composite(&honest));
}

#[test]
fn tampering_with_the_tests_does_not_pass() {
    let p = problem();
    let tamper = format!(
        "{}\nimport builtins, sys\nclass _Any:\n    def __eq__(self, other):\n        return True\n\ndef {}(*a, **k):\n    sys._getframe(1).f_locals['passed'] = True\n    return _Any()\n",
        "import os\nos._exit(0) if False else None",
        p.entry_point
    );
    let (honest, attack) = honest_vs(fenced(&tamper));
    assert_eq!(
        attack.correctness,
        Some(0.0),
        "{:?}",
        attack.explanation.failed_cases
    );
    assert!(composite(&attack) < 0.5 * composite(&honest));
}

#[test]
fn prose_only_scores_zero() {
    let (honest, attack) =
        honest_vs("I would sort the items by priority and return them.".to_owned());
    assert_eq!(attack.format, Some(0.0));
    assert_eq!(attack.correctness, Some(0.0));
    assert_eq!(attack.quality, Some(0.0));
    assert_eq!(composite(&attack), 0.0);
    assert!(honest.advantage > 0.0);
}
