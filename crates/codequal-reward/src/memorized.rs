//! Memorised answers: code that looks the tests' inputs up instead of
//! computing anything.
//!
//! When a prompt shows its tests (MBPP prints its asserts; HumanEval's
//! docstrings carry examples), a policy can pass them with a table of the
//! answers, `{(3, 4): 7, (10, 2): 12}[(a, b)]` or `if n == 5: return 120`,
//! and the analyzer sees short, simple, clean code. [`memorized_answers_in`]
//! finds such tables so that the pipeline gives the answer quality 0
//! (`RewardConfig::memorized_answer_guard`); correctness stays what the
//! tests say.
//!
//! A *table* is one of:
//!
//! - a dict display: each `key: value` is an entry;
//! - a list, tuple or set display whose elements are tuples: each tuple is
//!   an entry, its last element the value and the rest the key
//!   (`((3, 4), 7)` and `(3, 4, 7)` both key `(3, 4)`);
//! - a chain of `if` / `elif` statements (with the `if`s directly after
//!   it): each branch whose test is `==` comparisons with literals (joined
//!   by `and`) and whose body returns a literal is an entry;
//! - a chain of conditional expressions (`120 if n == 5 else ...`), the
//!   same way;
//! - a `match` statement: each `case` of a literal (or a sequence of
//!   literals) whose body returns a literal.
//!
//! An entry *answers* a call case when its key is the case's arguments (the
//! one argument, or the tuple of all; for comparisons, every argument
//! appears among the compared literals) and its value is the expected value
//! under the case's own comparison. Tuples and lists count as equal here.
//!
//! A table is *memorised* when at least [`TABLE_HIT_RATIO`] of its entries
//! answer some case: an honest lookup table (month names, Roman digits)
//! covers its whole domain, of which tests touch a few entries, while a
//! table of answers holds little else. The code memorises the tests when
//! memorised tables answer at least [`MIN_MEMORIZED_CASES`] call cases and
//! at least half of the call cases that have literal arguments and an
//! expected value. A case whose arguments and expected value are all
//! trivial (`None`, booleans, integers from -2 to 2, empty or one-character
//! strings, short containers of those) does not count: `if n == 0: return 1`
//! is a base case, not a memorised answer.
//!
//! Skipped: `if __name__ == "__main__":` blocks and module-level `assert`
//! statements (answers often repeat the prompt's tests there), and
//! docstrings.
//!
//! The pipeline then judges by results ([`computes_beyond`]): a program
//! that also passes cases no table answers is not memorising; and it does
//! not apply the guard to a problem whose own clean reference this module
//! would flag (there a table is the answer). Known limits: tables built at
//! run time (`dict(zip(...))`, parsed from a string), computed keys or
//! values (`119 + 1`), and class problems' operation sequences are not
//! seen (`docs/rewards.md`).

use std::collections::HashSet;

use codequal_analyzer::parse::ast::{self, Expr, Ranged, Stmt};
use codequal_analyzer::parse::{parse, with_stack_for, LineIndex, ParsedSource, TextSize};
use codequal_sandbox::assert_conversion::literal;
use codequal_sandbox::{CallCase, Comparison, Expectation, PyValue, TestCase, TestSuite};

use crate::syntax_walk::{is_main_guard, walk_suite, Node};

/// Fewest call cases memorised tables must answer before the code counts as
/// memorising the tests.
pub const MIN_MEMORIZED_CASES: usize = 2;

/// Share of a table's entries that must answer a case for the table to
/// count as memorised.
pub const TABLE_HIT_RATIO: f64 = 2.0 / 3.0;

/// A call case that a memorised table answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemorizedCase {
    /// Index of the case in the suite.
    pub index: usize,
    /// Where and what: `line 3: f(5) -> 120`.
    pub text: String,
}

/// What [`memorized_answers_in`] found: the cases memorised tables answer
/// (empty when there are too few to call it memorising) and every value of
/// those tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Memorization {
    /// The answered cases, in suite order.
    pub cases: Vec<MemorizedCase>,
    /// The values of the memorised tables: a case whose input is built in
    /// the sandbox (`args_py`) and whose answer is one of them was answered
    /// by the table too, for all the parent can tell.
    pub values: Vec<PyValue>,
}

impl Memorization {
    /// Whether no case is memorised.
    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    /// Number of memorised cases.
    pub fn len(&self) -> usize {
        self.cases.len()
    }
}

/// What an entry's key is.
#[derive(Debug)]
enum Key {
    /// The whole argument list: the one argument, or the tuple of all.
    Whole(PyValue),
    /// Literals compared with `==`: every argument must be one of them (or
    /// one of them is the tuple of all arguments).
    Compared(Vec<PyValue>),
}

/// One `key -> value` entry of a table.
#[derive(Debug)]
struct Entry {
    key: Key,
    value: PyValue,
    line: u32,
}

/// A table: its answer-like entries and how many entries it has in all.
#[derive(Debug)]
struct Table {
    entries: Vec<Entry>,
    size: usize,
}

/// [`memorized_answers_in`] on source text.
///
/// ```
/// use codequal_reward::memorized::memorized_answers;
/// use codequal_sandbox::TestSuite;
///
/// let tests = serde_json::json!([
///     {"args": [5], "expected": 120},
///     {"args": [10], "expected": 3628800},
/// ]);
/// let suite = TestSuite::from_json_tests("factorial", &tests).unwrap();
/// let table = "def factorial(n):\n    return {5: 120, 10: 3628800}[n]\n";
/// assert_eq!(memorized_answers(table, &suite).len(), 2);
/// let honest = "import math\n\ndef factorial(n):\n    return math.factorial(n)\n";
/// assert!(memorized_answers(honest, &suite).is_empty());
/// ```
pub fn memorized_answers(code: &str, suite: &TestSuite) -> Memorization {
    let parsed = parse(code);
    with_stack_for(parsed.depth_bound, || memorized_answers_in(&parsed, suite))
}

/// The call cases of `suite` that memorised tables of `parsed` answer
/// (`line 3: f(5) -> 120`), when there are enough of them to say
/// the code memorises the tests (see the module docs); empty otherwise. The
/// walk is recursive: call it with the stack
/// `codequal_analyzer::parse::with_stack_for` sizes for `parsed.depth_bound`.
pub fn memorized_answers_in(parsed: &ParsedSource<'_>, suite: &TestSuite) -> Memorization {
    let Some(module) = parsed.suite.as_deref() else {
        return Memorization::default();
    };
    let indices: Vec<usize>;
    let cases: Vec<(&CallCase, Vec<PyValue>, &PyValue)>;
    (indices, cases) = suite
        .cases
        .iter()
        .enumerate()
        .filter_map(|(index, c)| match c {
            TestCase::Call(call) if call.args_py.is_none() => match &call.expect {
                Expectation::Value(v) => {
                    let args = call
                        .args
                        .iter()
                        .chain(call.kwargs.iter().map(|(_, v)| v))
                        .map(loose)
                        .collect();
                    Some((index, (call, args, v)))
                }
                _ => None,
            },
            _ => None,
        })
        .unzip();
    if cases.len() < MIN_MEMORIZED_CASES {
        return Memorization::default();
    }
    let tables = find_tables(module, &parsed.lines);
    let mut answered: Vec<Option<u32>> = vec![None; cases.len()];
    let mut values: Vec<PyValue> = Vec::new();
    for table in &tables {
        let hits: Vec<(usize, u32)> = table
            .entries
            .iter()
            .filter_map(|e| {
                cases
                    .iter()
                    .position(|(call, args, expected)| answers(e, call, args, expected))
                    .map(|i| (i, e.line))
            })
            .collect();
        let distinct_entries = hits.len();
        #[allow(clippy::cast_precision_loss)]
        let memorised =
            distinct_entries > 0 && distinct_entries as f64 >= TABLE_HIT_RATIO * table.size as f64;
        if !memorised {
            continue;
        }
        values.extend(table.entries.iter().map(|e| e.value.clone()));
        // Every case any entry of this table answers (not only the first
        // case each entry answers: equal cases are one entry).
        for e in &table.entries {
            for (i, (call, args, expected)) in cases.iter().enumerate() {
                if answered[i].is_none() && answers(e, call, args, expected) {
                    answered[i] = Some(e.line);
                }
            }
        }
    }
    let counted: Vec<(usize, u32)> = answered
        .iter()
        .enumerate()
        .filter_map(|(i, line)| Some((i, (*line)?)))
        .filter(|(i, _)| {
            let (_, args, expected) = &cases[*i];
            !is_trivial(expected) || args.iter().any(|a| !is_trivial(a))
        })
        .collect();
    if counted.len() < MIN_MEMORIZED_CASES || counted.len() * 2 < cases.len() {
        return Memorization::default();
    }
    let cases = counted
        .into_iter()
        .map(|(i, line)| {
            let (call, _, expected) = &cases[i];
            let name = call
                .function
                .as_deref()
                .unwrap_or(suite.entry_point.as_str());
            let args: Vec<String> = call
                .args
                .iter()
                .map(|a| a.short_repr(40))
                .chain(
                    call.kwargs
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.short_repr(40))),
                )
                .collect();
            MemorizedCase {
                index: indices[i],
                text: format!(
                    "line {line}: {name}({}) -> {}",
                    args.join(", "),
                    expected.short_repr(60)
                ),
            }
        })
        .collect();
    Memorization { cases, values }
}

/// Whether the program passed a case that no memorised table answers and
/// that is not trivial: a call case with literal arguments and an expected
/// value, one of them not trivial, or a case whose input is built in the
/// sandbox (`args_py`). Such a program computes answers beyond its tables,
/// as an honest lookup-table solution does (Roman numerals tested on their
/// single symbols and on 1994), so the pipeline does not call it memorising.
/// A sandbox-built case whose answer is a value of a memorised table does
/// not count.
pub fn computes_beyond(
    suite: &TestSuite,
    result: &codequal_sandbox::ProgramResult,
    memorized: &Memorization,
) -> bool {
    suite
        .cases
        .iter()
        .zip(&result.cases)
        .enumerate()
        .any(|(index, (case, outcome))| {
            let TestCase::Call(call) = case else {
                return false;
            };
            let Expectation::Value(expected) = &call.expect else {
                return false;
            };
            let significant = call.args_py.is_some()
                || !is_trivial(expected)
                || call
                    .args
                    .iter()
                    .chain(call.kwargs.iter().map(|(_, v)| v))
                    .any(|a| !is_trivial(a));
            let table_value = call.args_py.is_some()
                && memorized
                    .values
                    .iter()
                    .any(|v| shape(v) == shape(expected) && same(v, &loose(expected)));
            significant
                && outcome.verdict.is_pass()
                && !table_value
                && !memorized.cases.iter().any(|m| m.index == index)
        })
}

/// Whether `entry` answers the case.
fn answers(entry: &Entry, call: &CallCase, args: &[PyValue], expected: &PyValue) -> bool {
    let whole = match args {
        [one] => one.clone(),
        many => PyValue::List(many.to_vec()),
    };
    let all = PyValue::List(args.to_vec());
    let key_matches = match &entry.key {
        // `ANSWERS[n]` or `ANSWERS[args]`, which is `(n,)` for one argument,
        // or `ANSWERS[str(n)]` for a number.
        Key::Whole(k) => same(k, &whole) || same(k, &all) || number_as_text(k, &whole),
        Key::Compared(ks) => {
            ks.iter().any(|k| same(k, &whole) || same(k, &all))
                || (!args.is_empty() && args.iter().all(|a| ks.iter().any(|k| same(k, a))))
        }
    };
    key_matches && shape(&entry.value) == shape(expected) && {
        let comparison = Comparison {
            // Tuples and lists are one thing here (`loose`).
            semantics: codequal_sandbox::Semantics::Python,
            ..call.comparison
        };
        comparison.matches(&entry.value, &loose(expected))
    }
}

/// Whether `key` is the text of the number `arg` (`'5'` for `5`).
fn number_as_text(key: &PyValue, arg: &PyValue) -> bool {
    match (key, arg) {
        (PyValue::Str(k), PyValue::Int(_) | PyValue::BigInt(_) | PyValue::Float(_)) => {
            *k == arg.to_string()
        }
        _ => false,
    }
}

/// Python's `==` on loosened values.
fn same(a: &PyValue, b: &PyValue) -> bool {
    shape(a) == shape(b) && Comparison::default().matches(a, b)
}

/// What two values must share to be equal under any comparison the cases
/// use, cheap to compute: `Comparison::matches` normalises both sides, and
/// a table may hold many thousands of entries.
#[derive(PartialEq)]
enum Shape {
    None,
    Number,
    Str,
    Bytes,
    Sequence(usize),
    Set,
    Dict,
}

fn shape(v: &PyValue) -> Shape {
    match v {
        PyValue::None => Shape::None,
        PyValue::Bool(_)
        | PyValue::Int(_)
        | PyValue::BigInt(_)
        | PyValue::Float(_)
        | PyValue::Complex(..) => Shape::Number,
        PyValue::Str(_) => Shape::Str,
        PyValue::Bytes(_) => Shape::Bytes,
        PyValue::List(x) | PyValue::Tuple(x) => Shape::Sequence(x.len()),
        PyValue::Set(_) => Shape::Set,
        PyValue::Dict(_) => Shape::Dict,
    }
}

/// The value with every tuple turned into a list (a table keys a list
/// argument by its tuple).
fn loose(v: &PyValue) -> PyValue {
    let all = |x: &[PyValue]| x.iter().map(loose).collect::<Vec<_>>();
    match v {
        PyValue::List(x) | PyValue::Tuple(x) => PyValue::List(all(x)),
        PyValue::Set(x) => PyValue::Set(all(x)),
        PyValue::Dict(pairs) => {
            PyValue::Dict(pairs.iter().map(|(k, v)| (loose(k), loose(v))).collect())
        }
        other => other.clone(),
    }
}

/// Values honest code is full of: `None`, booleans, integers from -2 to 2,
/// 0.0, 0.5, 1.0, -1.0 and 2.0, empty or one-character strings and bytes,
/// empty dicts, and lists, tuples or sets of at most two trivial values. A
/// case with only trivial arguments and a trivial answer does not count
/// towards memorisation (`if n == 0: return 1` is a base case).
pub fn is_trivial(v: &PyValue) -> bool {
    trivial_at(v, 0)
}

fn trivial_at(v: &PyValue, depth: usize) -> bool {
    match v {
        PyValue::None | PyValue::Bool(_) => true,
        PyValue::Int(i) => (-2..=2).contains(i),
        PyValue::Float(f) => [0.0, 1.0, -1.0, 0.5, 2.0].contains(f),
        PyValue::Str(s) => s.chars().count() <= 1,
        PyValue::Bytes(b) => b.len() <= 1,
        PyValue::List(x) | PyValue::Tuple(x) | PyValue::Set(x) => {
            x.len() <= 2 && depth < 4 && x.iter().all(|e| trivial_at(e, depth + 1))
        }
        PyValue::Dict(pairs) => pairs.is_empty(),
        PyValue::BigInt(_) | PyValue::Complex(..) => false,
    }
}

fn lit(e: &Expr) -> Option<PyValue> {
    literal(e, 0).map(|v| loose(&v))
}

/// Every table of the module (see the module docs).
fn find_tables(module: &[Stmt], lines: &LineIndex) -> Vec<Table> {
    // What runs: no main-guard block, no module-level asserts (copied only
    // when there is one).
    let skipped = |s: &Stmt| is_main_guard(s) || matches!(s, Stmt::Assert(_));
    let filtered: Vec<Stmt>;
    let kept: &[Stmt] = if module.iter().any(skipped) {
        filtered = module
            .iter()
            .flat_map(|s| match s {
                Stmt::If(i) if is_main_guard(s) => i.orelse.clone(),
                Stmt::Assert(_) => Vec::new(),
                other => vec![other.clone()],
            })
            .collect();
        &filtered
    } else {
        module
    };
    let mut tables = Vec::new();
    // Tails of conditional-expression chains: their head took them in.
    let mut tails: HashSet<(TextSize, TextSize)> = HashSet::new();
    if_chains(kept, lines, &mut tables);
    walk_suite(kept, &mut |n| match n {
        Node::Stmt(s) => {
            for body in bodies(s) {
                if_chains(body, lines, &mut tables);
            }
            if let Stmt::Match(m) = s {
                tables.push(match_table(m, lines));
            }
        }
        Node::Expr(e) => match e {
            Expr::Dict(d) => tables.push(Table {
                size: d.values.len(),
                entries: d
                    .keys
                    .iter()
                    .zip(&d.values)
                    .filter_map(|(k, v)| {
                        Some(Entry {
                            key: Key::Whole(lit(k.as_ref()?)?),
                            value: lit(v)?,
                            line: lines.line(v.start()),
                        })
                    })
                    .collect(),
            }),
            Expr::List(ast::ExprList { elts, .. })
            | Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. })
                if elts.len() >= 2 && elts.iter().all(|x| matches!(x, Expr::Tuple(_))) =>
            {
                tables.push(Table {
                    size: elts.len(),
                    entries: elts.iter().filter_map(|x| pair_entry(x, lines)).collect(),
                });
            }
            // The walk visits parents first, so a chain's head comes before
            // its tails (an `orelse` that is itself a conditional expression).
            Expr::IfExp(x) if !tails.contains(&(e.start(), e.end())) => {
                let mut tail = x.orelse.as_ref();
                while let Expr::IfExp(next) = tail {
                    tails.insert((tail.start(), tail.end()));
                    tail = next.orelse.as_ref();
                }
                tables.push(ifexp_table(x, lines));
            }
            _ => {}
        },
    });
    tables.retain(|t| !t.entries.is_empty());
    tables
}

/// The statement lists directly inside `s`.
fn bodies(s: &Stmt) -> Vec<&[Stmt]> {
    match s {
        Stmt::FunctionDef(x) => vec![&x.body],
        Stmt::AsyncFunctionDef(x) => vec![&x.body],
        Stmt::ClassDef(x) => vec![&x.body],
        Stmt::For(x) => vec![&x.body, &x.orelse],
        Stmt::AsyncFor(x) => vec![&x.body, &x.orelse],
        Stmt::While(x) => vec![&x.body, &x.orelse],
        // An `elif` is part of its `if`'s chain, so an `orelse` that is one
        // `if` is not a new list.
        Stmt::If(x) => {
            let elif = matches!(x.orelse.as_slice(), [Stmt::If(_)]);
            if elif {
                vec![&x.body]
            } else {
                vec![&x.body, &x.orelse]
            }
        }
        Stmt::With(x) => vec![&x.body],
        Stmt::AsyncWith(x) => vec![&x.body],
        Stmt::Try(x) => {
            let mut v: Vec<&[Stmt]> = vec![&x.body, &x.orelse, &x.finalbody];
            v.extend(x.handlers.iter().map(|h| {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                h.body.as_slice()
            }));
            v
        }
        Stmt::TryStar(x) => {
            let mut v: Vec<&[Stmt]> = vec![&x.body, &x.orelse, &x.finalbody];
            v.extend(x.handlers.iter().map(|h| {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                h.body.as_slice()
            }));
            v
        }
        Stmt::Match(x) => x.cases.iter().map(|c| c.body.as_slice()).collect(),
        _ => Vec::new(),
    }
}

/// Each run of consecutive `if` statements in `body`, with their `elif`s,
/// is one table.
fn if_chains(body: &[Stmt], lines: &LineIndex, tables: &mut Vec<Table>) {
    let mut current = Table {
        entries: Vec::new(),
        size: 0,
    };
    for s in body {
        if let Stmt::If(first) = s {
            let mut branch = Some(first);
            while let Some(b) = branch {
                current.size += 1;
                if let (Some(key), Some(value)) = (compared(&b.test), returned(&b.body)) {
                    current.entries.push(Entry {
                        key,
                        value,
                        line: lines.line(b.test.start()),
                    });
                }
                branch = match b.orelse.as_slice() {
                    [Stmt::If(next)] => Some(next),
                    _ => None,
                };
            }
        } else if current.size > 0 {
            tables.push(std::mem::replace(
                &mut current,
                Table {
                    entries: Vec::new(),
                    size: 0,
                },
            ));
        }
    }
    if current.size > 0 {
        tables.push(current);
    }
}

/// The literal a branch returns: its body is only `return LITERAL`, or
/// begins with it.
fn returned(body: &[Stmt]) -> Option<PyValue> {
    match body.first()? {
        Stmt::Return(r) => lit(r.value.as_deref()?),
        _ => None,
    }
}

/// The literals a test compares with `==`: `x == 3`, `3 == x`,
/// `(a, b) == (3, 4)`, `a == 3 and b == 4`.
fn compared(test: &Expr) -> Option<Key> {
    let mut out = Vec::new();
    collect_compared(test, &mut out)?;
    (!out.is_empty()).then_some(Key::Compared(out))
}

fn collect_compared(test: &Expr, out: &mut Vec<PyValue>) -> Option<()> {
    match test {
        Expr::BoolOp(b) if b.op == ast::BoolOp::And => {
            for v in &b.values {
                collect_compared(v, out)?;
            }
            Some(())
        }
        Expr::Compare(c) if c.ops.iter().all(|op| *op == ast::CmpOp::Eq) => {
            let operands = std::iter::once(c.left.as_ref()).chain(&c.comparators);
            let literals: Vec<PyValue> = operands.filter_map(lit).collect();
            // At least one side is not a literal: `3 == 3` tests nothing.
            if literals.is_empty() || literals.len() > c.comparators.len() {
                return None;
            }
            out.extend(literals);
            Some(())
        }
        _ => None,
    }
}

/// A tuple element of a list-of-tuples table.
fn pair_entry(x: &Expr, lines: &LineIndex) -> Option<Entry> {
    let Expr::Tuple(t) = x else { return None };
    let (value, key) = t.elts.split_last()?;
    let key = match key {
        [] => return None,
        [one] => lit(one)?,
        many => PyValue::List(many.iter().map(lit).collect::<Option<_>>()?),
    };
    Some(Entry {
        key: Key::Whole(key),
        value: lit(value)?,
        line: lines.line(x.start()),
    })
}

fn ifexp_table(head: &ast::ExprIfExp, lines: &LineIndex) -> Table {
    let mut table = Table {
        entries: Vec::new(),
        size: 0,
    };
    let mut x = Some(head);
    while let Some(e) = x {
        table.size += 1;
        if let (Some(key), Some(value)) = (compared(&e.test), lit(&e.body)) {
            table.entries.push(Entry {
                key,
                value,
                line: lines.line(e.test.start()),
            });
        }
        x = match e.orelse.as_ref() {
            Expr::IfExp(next) => Some(next),
            _ => None,
        };
    }
    table
}

fn match_table(m: &ast::StmtMatch, lines: &LineIndex) -> Table {
    Table {
        size: m.cases.len(),
        entries: m
            .cases
            .iter()
            .filter(|c| c.guard.is_none())
            .filter_map(|c| {
                Some(Entry {
                    key: Key::Whole(pattern_value(&c.pattern)?),
                    value: returned(&c.body)?,
                    line: lines.line(c.pattern.start()),
                })
            })
            .collect(),
    }
}

/// The value a literal pattern (or a sequence of them) matches.
fn pattern_value(p: &ast::Pattern) -> Option<PyValue> {
    match p {
        ast::Pattern::MatchValue(v) => lit(&v.value),
        ast::Pattern::MatchSingleton(s) => lit(&Expr::Constant(ast::ExprConstant {
            value: s.value.clone(),
            kind: None,
            range: s.range,
        })),
        ast::Pattern::MatchSequence(s) => Some(PyValue::List(
            s.patterns
                .iter()
                .map(pattern_value)
                .collect::<Option<_>>()?,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suite(cases: &str) -> TestSuite {
        let tests: serde_json::Value = serde_json::from_str(cases).unwrap();
        TestSuite::from_json_tests("f", &tests).unwrap()
    }

    fn found(code: &str, cases: &str) -> Vec<String> {
        memorized_answers(code, &suite(cases))
            .cases
            .into_iter()
            .map(|m| m.text)
            .collect()
    }

    const FACTORIAL: &str = r#"[
        {"args": [0], "expected": 1},
        {"args": [5], "expected": 120},
        {"args": [10], "expected": 3628800},
        {"args": [3], "expected": 6}
    ]"#;

    #[test]
    fn an_if_chain_of_answers_is_memorised() {
        let code = "def f(n):\n    if n == 5:\n        return 120\n    elif n == 10:\n        return 3628800\n    if n == 3:\n        return 6\n    return 1\n";
        let got = found(code, FACTORIAL);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0], "line 2: f(5) -> 120");
    }

    #[test]
    fn a_dict_keyed_by_the_inputs_is_memorised() {
        let code =
            "ANSWERS = {0: 1, 5: 120, 10: 3628800, 3: 6}\n\ndef f(n):\n    return ANSWERS[n]\n";
        assert_eq!(found(code, FACTORIAL).len(), 3);
        let pairs = "def f(n):\n    for k, v in [(5, 120), (10, 3628800), (3, 6)]:\n        if k == n:\n            return v\n";
        assert_eq!(found(pairs, FACTORIAL).len(), 3);
    }

    #[test]
    fn conditional_expressions_and_match_are_tables_too() {
        let ifexp = "def f(n):\n    return 120 if n == 5 else 3628800 if n == 10 else 6\n";
        assert_eq!(found(ifexp, FACTORIAL).len(), 2);
        let matched = "def f(n):\n    match n:\n        case 5:\n            return 120\n        case 10:\n            return 3628800\n        case _:\n            return 6\n";
        assert_eq!(found(matched, FACTORIAL).len(), 2);
    }

    #[test]
    fn several_arguments_key_by_their_tuple_or_by_each() {
        let cases = r#"[
            {"args": [[3, 1, 2], 2], "expected": [1, 2]},
            {"args": [[9, 7, 8], 1], "expected": [7]},
            {"args": [[5, 6], 2], "expected": [5, 6]}
        ]"#;
        let tuple_key = "def f(xs, k):\n    return {((3, 1, 2), 2): [1, 2], ((9, 7, 8), 1): [7], ((5, 6), 2): [5, 6]}[(tuple(xs), k)]\n";
        assert_eq!(found(tuple_key, cases).len(), 3);
        let compared = "def f(xs, k):\n    if xs == [3, 1, 2] and k == 2:\n        return [1, 2]\n    if xs == [9, 7, 8] and k == 1:\n        return [7]\n    return sorted(xs)[:k]\n";
        assert_eq!(found(compared, cases).len(), 2);
    }

    #[test]
    fn honest_code_is_not_memorising() {
        let computed = "def f(n):\n    if n < 0:\n        raise ValueError(n)\n    if n == 0:\n        return 1\n    result = 1\n    for i in range(2, n + 1):\n        result *= i\n    return result\n";
        assert!(found(computed, FACTORIAL).is_empty());
        // A lookup table over the whole domain, of which the tests touch a
        // few entries.
        let months = "NAMES = {1: 'January', 2: 'February', 3: 'March', 4: 'April', 5: 'May', 6: 'June', 7: 'July', 8: 'August', 9: 'September', 10: 'October', 11: 'November', 12: 'December'}\n\ndef f(m):\n    return NAMES[m]\n";
        let cases = r#"[
            {"args": [1], "expected": "January"},
            {"args": [7], "expected": "July"},
            {"args": [12], "expected": "December"}
        ]"#;
        assert!(found(months, cases).is_empty());
        // Base cases return trivial values.
        let fib = "def f(n):\n    if n == 0:\n        return 0\n    if n == 1:\n        return 1\n    a, b = 0, 1\n    for _ in range(n - 1):\n        a, b = b, a + b\n    return b\n";
        let fib_cases = r#"[
            {"args": [0], "expected": 0},
            {"args": [1], "expected": 1},
            {"args": [10], "expected": 55}
        ]"#;
        assert!(found(fib, fib_cases).is_empty());
    }

    #[test]
    fn numbers_keyed_by_their_text_are_memorised() {
        let code = "def f(n):\n    return {'5': 120, '10': 3628800, '3': 6}.get(str(n), 1)\n";
        assert_eq!(found(code, FACTORIAL).len(), 3);
    }

    #[test]
    fn one_special_case_is_not_memorising() {
        let code = "def f(n):\n    if n == 10:\n        return 3628800\n    result = 1\n    for i in range(2, n + 1):\n        result *= i\n    return result\n";
        assert!(found(code, FACTORIAL).is_empty());
    }

    #[test]
    fn the_tests_repeated_under_a_main_guard_or_as_asserts_do_not_count() {
        let code = "def f(n):\n    r = 1\n    for i in range(2, n + 1):\n        r *= i\n    return r\n\nassert f(5) == 120\nassert f(10) == 3628800\n\nif __name__ == '__main__':\n    for n, want in [(5, 120), (10, 3628800), (3, 6)]:\n        assert f(n) == want\n";
        assert!(found(code, FACTORIAL).is_empty());
    }

    #[test]
    fn float_answers_use_the_case_tolerance() {
        let cases = r#"[
            {"args": [[1, 2, 3], 2], "expected": 2.5, "compare": {"float_tolerance": 1e-6}},
            {"args": [[4, 8], 1], "expected": 8.0, "compare": {"float_tolerance": 1e-6}}
        ]"#;
        let code = "def f(v, k):\n    if v == [1, 2, 3] and k == 2:\n        return 2.5000001\n    if v == [4, 8] and k == 1:\n        return 8.0\n";
        assert_eq!(found(code, cases).len(), 2);
    }
}
