//! The memorised-answer guard on every reference solution we have (none
//! may be flagged) and on tables of answers built from every problem's own
//! tests (each must be flagged): our 200 problems, and HumanEval and MBPP
//! from `../shared/datasets` when it is there.

use std::fmt::Write as _;
use std::path::PathBuf;

use codequal_reward::memorized::{is_trivial, memorized_answers, MIN_MEMORIZED_CASES};
use codequal_reward::problems::{default_dir, ProblemSet};
use codequal_sandbox::eval::{load_humaneval, load_mbpp};
use codequal_sandbox::{Expectation, PyValue, TestCase, TestSuite};

/// The call cases a memoriser can write down: literal arguments and an
/// expected value, for the function `name`.
fn answerable(suite: &TestSuite) -> Vec<(String, Vec<PyValue>, PyValue)> {
    suite
        .cases
        .iter()
        .filter_map(|c| match c {
            TestCase::Call(call) if call.args_py.is_none() && call.kwargs.is_empty() => {
                match &call.expect {
                    Expectation::Value(v) => Some((
                        call.function
                            .clone()
                            .unwrap_or_else(|| suite.entry_point.clone()),
                        call.args.clone(),
                        v.clone(),
                    )),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

/// Python source for a value: `PyValue`'s `Display` is its repr, but its
/// strings are escaped the Rust way (`\u{a0}`), so strings are written as
/// JSON (whose escapes Python reads) and containers rebuilt around them.
fn py(v: &PyValue) -> String {
    let seq = |items: &[PyValue]| items.iter().map(py).collect::<Vec<_>>().join(", ");
    match v {
        PyValue::Str(s) => serde_json::to_string(s).expect("a string serialises"),
        PyValue::List(x) => format!("[{}]", seq(x)),
        PyValue::Tuple(x) if x.len() == 1 => format!("({},)", seq(x)),
        PyValue::Tuple(x) => format!("({})", seq(x)),
        PyValue::Set(x) if x.is_empty() => "set()".to_owned(),
        PyValue::Set(x) => format!("{{{}}}", seq(x)),
        PyValue::Dict(pairs) => format!(
            "{{{}}}",
            pairs
                .iter()
                .map(|(k, v)| format!("{}: {}", py(k), py(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// Three memorisers of the same answers: a dict keyed by the argument
/// tuple, an if-chain and a list of (arguments, answer) pairs.
fn memorisers(cases: &[(String, Vec<PyValue>, PyValue)]) -> [String; 3] {
    let name = &cases[0].0;
    let key = |args: &[PyValue]| py(&PyValue::Tuple(args.to_vec()));
    let mut dict = String::from("ANSWERS = {\n");
    let mut chain = format!("def {name}(*args):\n");
    let mut pairs = String::from("PAIRS = [\n");
    for (_, args, expected) in cases {
        let _ = writeln!(dict, "    {}: {},", key(args), py(expected));
        let _ = writeln!(
            chain,
            "    if args == {}:\n        return {}",
            key(args),
            py(expected)
        );
        let _ = writeln!(pairs, "    ({}, {}),", key(args), py(expected));
    }
    dict.push_str("}\n\n\n");
    let _ = write!(
        dict,
        "def {name}(*args):\n    return ANSWERS[tuple(args)]\n"
    );
    chain.push_str("    return None\n");
    pairs.push_str("]\n\n\n");
    let _ = write!(
        pairs,
        "def {name}(*args):\n    for key, answer in PAIRS:\n        if key == args:\n            return answer\n    return None\n"
    );
    [dict, chain, pairs]
}

/// Whether a memoriser of these cases must be caught: enough cases whose
/// answers are not trivial.
fn catchable(cases: &[(String, Vec<PyValue>, PyValue)]) -> bool {
    let same_function = cases.iter().all(|(f, _, _)| f == &cases[0].0);
    // Answers with NaN or infinities have no literal.
    let printable = cases.iter().all(|(_, a, e)| {
        !format!("{}{}", py(&PyValue::Tuple(a.clone())), py(e)).contains("inf")
            && !py(e).contains("NaN")
    });
    let counted = cases
        .iter()
        .filter(|(_, a, e)| !is_trivial(e) || a.iter().any(|x| !is_trivial(x)))
        .count();
    same_function && printable && counted >= MIN_MEMORIZED_CASES && counted * 2 >= cases.len()
}

struct Tally {
    references: usize,
    flagged_references: Vec<String>,
    memorisers: usize,
    missed_memorisers: Vec<String>,
}

fn tally<'a>(items: impl Iterator<Item = (String, Vec<&'a str>, &'a TestSuite)>) -> Tally {
    let mut t = Tally {
        references: 0,
        flagged_references: Vec::new(),
        memorisers: 0,
        missed_memorisers: Vec::new(),
    };
    for (id, references, suite) in items {
        for code in references {
            t.references += 1;
            let found = memorized_answers(code, suite);
            if !found.is_empty() {
                t.flagged_references.push(format!("{id}: {found:?}"));
            }
        }
        let cases = answerable(suite);
        // A memoriser of trivial answers only (`f(0) == 0`) is not told from
        // base cases, by design.
        if !catchable(&cases) {
            continue;
        }
        for (style, code) in memorisers(&cases).iter().enumerate() {
            let found = memorized_answers(code, suite);
            t.memorisers += 1;
            if found.is_empty() {
                t.missed_memorisers.push(format!("{id} (style {style})"));
            }
        }
    }
    t
}

fn report(name: &str, t: &Tally) {
    println!(
        "{name}: references flagged {}/{}, memorisers caught {}/{}",
        t.flagged_references.len(),
        t.references,
        t.memorisers - t.missed_memorisers.len(),
        t.memorisers
    );
    for f in t.flagged_references.iter().take(10) {
        println!("  flagged reference: {f}");
    }
    for m in t.missed_memorisers.iter().take(10) {
        println!("  missed memoriser: {m}");
    }
}

#[test]
fn our_references_are_not_memorisers_and_tables_of_their_tests_are() {
    let set = ProblemSet::load(default_dir()).expect("problems load");
    let suites: Vec<TestSuite> = set
        .all()
        .iter()
        .map(|p| p.suite().expect("suite"))
        .collect();
    let t = tally(set.all().iter().zip(&suites).map(|(p, s)| {
        (
            p.id.clone(),
            vec![p.clean_solution.as_str(), p.flawed_solution.as_str()],
            s,
        )
    }));
    report("fixtures/problems", &t);
    assert!(
        t.flagged_references.is_empty(),
        "{:?}",
        t.flagged_references
    );
    assert!(
        t.memorisers >= 300,
        "only {} memorisers built",
        t.memorisers
    );
    assert!(t.missed_memorisers.is_empty(), "{:?}", t.missed_memorisers);
}

fn datasets_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets");
    dir.exists().then_some(dir)
}

#[test]
fn humaneval_and_mbpp_references_are_not_memorisers_and_tables_of_their_tests_are() {
    let Some(dir) = datasets_dir() else {
        assert!(
            std::env::var("CI").is_err(),
            "../shared/datasets is missing in CI"
        );
        println!("datasets: DID NOT RUN (../shared/datasets not found)");
        return;
    };
    let humaneval = load_humaneval(&dir.join("humaneval/HumanEval.jsonl.gz")).expect("HumanEval");
    let mbpp = load_mbpp(&dir.join("mbpp/sanitized-mbpp.json")).expect("MBPP");
    for (name, problems) in [("HumanEval", &humaneval), ("MBPP", &mbpp)] {
        let t = tally(problems.iter().map(|p| {
            (
                p.task_id.clone(),
                vec![p.canonical_program.as_str()],
                &p.suite,
            )
        }));
        report(name, &t);
        assert!(
            t.flagged_references.is_empty(),
            "{name}: {:?}",
            t.flagged_references
        );
        assert!(
            t.memorisers >= 300,
            "{name}: only {} memorisers",
            t.memorisers
        );
        assert!(
            t.missed_memorisers.is_empty(),
            "{name}: {:?}",
            t.missed_memorisers
        );
    }
}
