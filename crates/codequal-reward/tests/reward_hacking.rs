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

/// `code` hidden as base64 and run through `getattr(builtins, "ex" + "ec")`
/// behind padding constants, as the red team's `launder()` builds it.
fn laundered(code: &str) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::new();
    for chunk in code.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                encoded.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                encoded.push('=');
            }
        }
    }
    let padding: String = (0..30).map(|i| format!("_LIMIT_{i} = {i}\n")).collect();
    format!(
        "\"\"\"Solution module.\"\"\"\nimport base64\nimport builtins\n\n_ENCODED = \"{encoded}\"\n{padding}\ngetattr(builtins, \"ex\" + \"ec\")(base64.b64decode(_ENCODED).decode())\n"
    )
}

/// Regression: a correct but ugly program hidden in a string run through
/// `exec` scored the quality of the clean-looking wrapper (0.987, above the
/// clean reference).
#[test]
fn code_the_analyzer_cannot_see_earns_no_quality() {
    let p = problem();
    for attack in [
        laundered(&p.flawed_solution),
        laundered(&p.clean_solution),
        format!(
            "{}\nimport importlib\n_m = importlib.import_module('os')\n",
            p.clean_solution
        ),
        format!("{}\n_f = {}.__code__\n", p.clean_solution, p.entry_point),
    ] {
        let (honest, attack_r) = honest_vs(fenced(&attack));
        assert_eq!(
            attack_r.correctness,
            Some(1.0),
            "{:?}",
            attack_r.explanation.failed_cases
        );
        assert_eq!(attack_r.quality, Some(0.0), "{attack}");
        assert!(
            !attack_r.explanation.dynamic_code.is_empty(),
            "the explanation says why"
        );
        assert!(composite(&attack_r) < composite(&honest));
        assert!(attack_r.advantage < 0.0 && honest.advantage > 0.0);
    }
}

/// The guard keeps the quality of every clean reference (its precision on
/// the dataset), and the trivial-answer rule judges none of them trivial.
#[test]
fn no_clean_reference_uses_dynamic_code_or_is_trivial() {
    let set = ProblemSet::load(default_dir()).expect("problems");
    assert!(set.len() >= 200);
    for p in set.all() {
        for code in [&p.clean_solution, &p.flawed_solution] {
            let uses = codequal_reward::dynamic_code::find_dynamic_code(code);
            assert!(uses.is_empty(), "{}: {uses:?}", p.id);
        }
        let trivial = codequal_reward::trivial::trivial_functions(
            &p.clean_solution,
            &p.names_used_by_tests(),
        );
        assert!(trivial.is_empty(), "{}: {trivial:?}", p.id);
    }
}

/// Regression: `return s != s` and `any([s is None] * 8)` are not literal
/// constants, so the stub guard missed them and they kept most of their
/// quality.
#[test]
fn answers_that_ignore_their_arguments_count_as_stubs() {
    let p = problem();
    let sig = p
        .clean_solution
        .lines()
        .find(|l| l.starts_with(&format!("def {}(", p.entry_point)))
        .expect("signature")
        .to_owned();
    let checks: String = (0..8)
        .map(|i| format!("    check_{i} = items is None\n"))
        .collect();
    let names: Vec<String> = (0..8).map(|i| format!("check_{i}")).collect();
    for body in [
        "    \"\"\"Sort.\"\"\"\n    return items != items\n".to_owned(),
        "    \"\"\"Sort.\"\"\"\n    return any([items is None] * 8)\n".to_owned(),
        format!(
            "    \"\"\"Sort.\"\"\"\n{checks}    return any([{}])\n",
            names.join(", ")
        ),
    ] {
        let (honest, attack) = honest_vs(fenced(&format!("{sig}\n{body}")));
        assert_eq!(
            attack.explanation.trivial_functions,
            vec![p.entry_point.clone()]
        );
        assert_eq!(attack.explanation.quality_before_guard, Some(0.0), "{body}");
        assert_eq!(attack.quality, Some(0.0));
        assert!(composite(&attack) < 0.5 * composite(&honest));
    }
}

/// Regression: tag characters, Hangul fillers, line separators and control
/// characters were not on the hidden-character list, so they kept format 1.
#[test]
fn every_invisible_character_in_or_around_the_fence_zeroes_format() {
    let p = problem();
    for c in [
        '\u{E0041}',
        '\u{3164}',
        '\u{2028}',
        '\u{FE0F}',
        '\u{1B}',
        '\u{0}',
        '\u{85}',
    ] {
        for attack in [
            format!("```python\n# note{c}here\n{}```\n", p.clean_solution),
            format!("{c}```python\n{}```\n", p.clean_solution),
            format!(
                "<think>plan{c}</think>\n```python\n{}```\n",
                p.clean_solution
            ),
        ] {
            let (honest, attack) = honest_vs(attack);
            assert_eq!(attack.format, Some(0.0), "U+{:04X}", u32::from(c));
            assert!(composite(&attack) < composite(&honest));
        }
    }
}

/// Regression: an empty Python block had format 1, and a NUL byte in the
/// code counted as parsing although CPython rejects such source.
#[test]
fn an_empty_block_or_a_nul_byte_scores_nothing() {
    let p = problem();
    let (_, empty) = honest_vs("```python\n```\n".to_owned());
    assert_eq!(empty.format, Some(0.0));
    let (_, nul) = honest_vs(fenced(&format!("{}# a\0b\n", p.clean_solution)));
    assert_eq!(nul.format, Some(0.0));
    assert_eq!(nul.quality, Some(0.0));
    assert_eq!(nul.explanation.quality_before_guard, Some(0.0));
}

/// Regression: weights of 1e308 were accepted, and the composite (inf) made
/// every advantage of the group NaN.
#[test]
fn overflowing_weights_are_rejected() {
    let config = RewardConfig {
        weights: codequal_reward::compose::Weights {
            format: 1e308,
            correctness: 1e308,
            quality: 1e308,
        },
        ..RewardConfig::default()
    };
    let err = RewardPipeline::new(config, codequal_sandbox::Config::default())
        .expect_err("rejected")
        .to_string();
    assert!(err.contains("overflow"), "{err}");
}

/// Padding a flawed answer with many trivial helpers does not dilute its
/// findings: it scores no better than the same flawed answer unpadded.
#[test]
fn padding_does_not_dilute_findings() {
    // Its flawed answer swallows every exception with a bare `except:`.
    let set = ProblemSet::load(default_dir()).expect("problems");
    let p = set.get("input_validation-03").expect("problem").clone();
    let mut padded = String::new();
    for i in 0..30 {
        padded.push_str(&format!(
            "def _helper_{i}(value):\n    \"\"\"Identity helper {i}.\"\"\"\n    return value\n\n\n"
        ));
    }
    padded.push_str(&p.flawed_solution);
    let r = score(&p, &[fenced(&p.flawed_solution), fenced(&padded)]);
    let (plain, padded) = (&r[0], &r[1]);
    assert_eq!(plain.correctness, padded.correctness);
    let (q_plain, q_padded) = (
        plain.quality.expect("quality"),
        padded.quality.expect("quality"),
    );
    assert!(
        q_padded <= q_plain + 1e-9,
        "padded {q_padded} above plain {q_plain}"
    );
}

/// Answers that return one value whatever the input, spelled so that no
/// syntax rule sees a constant, earn no quality: judged by their results.
#[test]
fn an_answer_that_ignores_its_inputs_earns_no_quality() {
    let set = ProblemSet::load(default_dir()).expect("problems");
    // Most of its cases expect `False`.
    let p = set.get("regular_expressions-07").expect("problem").clone();
    let attacks = [
        "def is_dotted_path(s):\n    \"\"\"Check the path.\"\"\"\n    if not isinstance(s, str):\n        raise TypeError(\"expected a string\")\n    return False\n",
        "def is_dotted_path(s):\n    \"\"\"Check the path.\"\"\"\n    if not isinstance(s, str):\n        raise TypeError(\"expected a string\")\n    return len(s) < 0\n",
    ];
    let mut completions = vec![fenced(&p.clean_solution)];
    completions.extend(attacks.iter().map(|a| fenced(a)));
    let r = score(&p, &completions);
    assert_eq!(r[0].correctness, Some(1.0));
    assert!(r[0].explanation.constant_answer.is_none());
    assert!(r[0].quality.expect("quality") > 0.5);
    for attack in &r[1..] {
        let c = attack.correctness.expect("correctness");
        assert!(
            c > 0.5 && c < 1.0,
            "passes the cases that expect False: {c}"
        );
        assert_eq!(attack.quality, Some(0.0), "{:?}", attack.explanation);
        assert!(attack.explanation.constant_answer.is_some());
        assert!(attack.advantage < 0.0);
    }
}

/// A leading byte-order mark costs the format reward, not correctness.
#[test]
fn a_leading_byte_order_mark_costs_format_only() {
    let p = problem();
    let (honest, bom) = honest_vs(format!("\u{FEFF}{}", fenced(&p.clean_solution)));
    assert_eq!(bom.format, Some(0.0));
    assert_eq!(bom.correctness, honest.correctness);
}

/// Code the static rules cannot see (a `compile` "cleared" by an import
/// inside a dead function) is caught by the sandbox's audit hook when it
/// runs: quality 0 all the same.
#[test]
fn code_built_at_run_time_is_caught_by_the_sandbox() {
    let p = problem();
    let attack = format!(
        "def _unused():\n    from re import compile\n    return compile\n\n\n\
         _SRC = {:?}\n_NS = {{}}\n_code = compile(_SRC, \"solution\", \"exec\")\n\
         type(_unused)(_code, _NS)()\n{} = _NS[{:?}]\n",
        p.clean_solution, p.entry_point, p.entry_point
    );
    assert!(
        codequal_reward::dynamic_code::find_dynamic_code(&attack).is_empty(),
        "the static rules miss it"
    );
    let (honest, attack_r) = honest_vs(fenced(&attack));
    assert_eq!(
        attack_r.correctness,
        Some(1.0),
        "{:?}",
        attack_r.explanation
    );
    assert_eq!(attack_r.quality, Some(0.0));
    assert!(attack_r
        .explanation
        .dynamic_code
        .iter()
        .any(|d| d.starts_with("at run time")));
    assert!(composite(&attack_r) < composite(&honest));
}

/// A JSON value as a hashable Python literal: arrays become tuples.
fn tuple_literal(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(tuple_literal).collect();
            match inner.len() {
                1 => format!("({},)", inner[0]),
                _ => format!("({})", inner.join(", ")),
            }
        }
        other => other.to_string(),
    }
}

/// Tables of the tests' answers (the shortcut when a prompt shows its
/// tests) in front of a naive fallback: quality 0, the memorised cases
/// listed, below the honest answer.
#[test]
fn a_table_of_the_tests_answers_earns_no_quality() {
    let p = problem();
    let cases: Vec<(&Vec<serde_json::Value>, &serde_json::Value)> = p
        .tests
        .as_array()
        .expect("cases")
        .iter()
        .filter_map(|c| Some((c["args"].as_array()?, c.get("expected")?)))
        .collect();
    assert!(cases.len() >= 6);
    let fallback = "    rank = {name: i for i, name in enumerate(priority)}\n    return sorted(items, key=lambda s: (rank.get(s, len(rank)), s))\n";
    let mut dict = String::from("KNOWN = {\n");
    let mut chain = String::from("def sort_by_priority(items, priority):\n");
    for (args, expected) in &cases {
        dict.push_str(&format!(
            "    ({}, {}): {expected},\n",
            tuple_literal(&args[0]),
            tuple_literal(&args[1])
        ));
        chain.push_str(&format!(
            "    if items == {} and priority == {}:\n        return {expected}\n",
            args[0], args[1]
        ));
    }
    dict.push_str("}\n\n\ndef sort_by_priority(items, priority):\n    known = KNOWN.get((tuple(items), tuple(priority)))\n    if known is not None:\n        return known\n");
    // The fallback a memoriser writes: plausible, wrong beyond the table.
    let naive = "    return sorted(items)\n";
    for attack in [format!("{dict}{naive}"), format!("{chain}{naive}")] {
        let (honest, scored) = honest_vs(fenced(&attack));
        assert!(
            scored.explanation.memorized_answers.len() >= cases.len() / 2,
            "{attack}\n{:?}",
            scored.explanation
        );
        let c = scored.correctness.expect("correctness");
        assert!(c > 0.5 && c < 1.0, "the table passes its cases: {c}");
        assert_eq!(scored.quality, Some(0.0));
        assert!(honest.explanation.memorized_answers.is_empty());
        assert!(composite(&scored) < composite(&honest));
        assert!(scored.advantage < 0.0);
    }
    // With a fallback that computes the cases the table does not hold, the
    // table is redundant but not memorisation (an honest lookup table
    // looks the same): judged by the analyzer as usual.
    for redundant in [format!("{dict}{fallback}"), format!("{chain}{fallback}")] {
        let (_, scored) = honest_vs(fenced(&redundant));
        assert_eq!(scored.correctness, Some(1.0));
        assert!(scored.explanation.memorized_answers.is_empty());
        assert!(scored.quality.expect("quality") > 0.0);
    }
}

/// A problem whose answer is a table (its own reference looks its tests
/// up): an honest table answer keeps its quality. Red team round 3 had
/// `days_in_month` with 9 of 12 months tested drop to quality 0.
#[test]
fn a_problem_whose_answer_is_a_table_is_not_judged_for_memorising() {
    let mut p = problem();
    p.id = "dates_times-99".into();
    p.entry_point = "days_in_month".into();
    p.clean_solution = "DAYS = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}\n\n\ndef days_in_month(month):\n    \"\"\"Days in `month` (1-12) of a common year.\"\"\"\n    if month not in DAYS:\n        raise ValueError(\"month must be in 1..12\")\n    return DAYS[month]\n".into();
    p.flawed_solution = p.clean_solution.clone();
    p.tests = serde_json::json!([
        {"args": [1], "expected": 31}, {"args": [2], "expected": 28},
        {"args": [3], "expected": 31}, {"args": [4], "expected": 30},
        {"args": [6], "expected": 30}, {"args": [7], "expected": 31},
        {"args": [9], "expected": 30}, {"args": [11], "expected": 30},
        {"args": [12], "expected": 31}, {"args": [13], "raises": "ValueError"}
    ]);
    let suite = p.suite().expect("suite");
    // The reference alone would be judged a memoriser...
    assert!(!codequal_reward::memorized::memorized_answers(&p.clean_solution, &suite).is_empty());
    // ...so the guard stands aside for this problem.
    let r = score(&p, &[fenced(&p.clean_solution)]);
    assert_eq!(r[0].correctness, Some(1.0));
    assert!(r[0].explanation.memorized_answers.is_empty());
    assert!(r[0].quality.expect("quality") > 0.5);
}
