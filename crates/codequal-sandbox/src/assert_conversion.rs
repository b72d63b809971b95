//! Turning assert-style tests into call cases, on the trusted side.
//!
//! An assert such as `assert f(1, (2, 3)) == [4.5, -1]` is parsed here, in
//! the parent (with rustpython-parser; nothing is evaluated). When the call
//! and the expected value are Python literals, it becomes a [`CallCase`]
//! with Python equality semantics: the child only calls `f` and sends back
//! the result, and the comparison happens in the parent. Shapes recognised:
//!
//! | assert | case |
//! | --- | --- |
//! | `CALL == LIT`, `LIT == CALL` | value, Python `==` |
//! | `CALL is True/False/None` | value, strict (no `1 is True`) |
//! | `W(CALL) == LIT` with W in set, frozenset, sorted, list, tuple | value of `W(result)` |
//! | `math.isclose(CALL, LIT, rel_tol=R, abs_tol=A)` (either order) | tolerance |
//! | `abs(CALL - LIT) < EPS` (also `<=`, `LIT - CALL`) | absolute tolerance |
//! | `CALL`, `not CALL` | `bool(result)` in the child, truthy / falsy |
//!
//! `LIT` also covers `set(LIT)`, `frozenset(LIT)`, `list(LIT)`, `tuple(LIT)`.
//!
//! `CALL` is `name(LIT, ..., key=LIT, ...)`, where `name` is the candidate
//! (`candidate` inside HumanEval's `check`, any non-builtin name in MBPP).
//! Everything else stays an [`AssertCase`] and runs in the candidate's
//! process, which a hostile candidate can fool; see docs/sandbox.md.

use rustpython_parser::ast::{self, Constant, Expr, Ranged, Stmt};
use rustpython_parser::lexer::lex;
use rustpython_parser::{Mode, Tok};

use crate::suite::{AssertCase, CallCase, Expectation, PostCall, TestCase};
use crate::value::{int_from_digits, Comparison, PyValue, Semantics, Tolerance, MAX_VALUE_DEPTH};

/// Names that are never "the candidate" in an MBPP assert: calling them is
/// part of the test, not of the program under test.
const BUILTIN_CALLS: &[&str] = &[
    "abs",
    "all",
    "any",
    "bool",
    "dict",
    "float",
    "frozenset",
    "int",
    "len",
    "list",
    "max",
    "min",
    "round",
    "set",
    "sorted",
    "str",
    "sum",
    "tuple",
    "type",
    "isinstance",
    "repr",
    "map",
    "filter",
    "zip",
    "range",
];

/// Converts one assert statement (MBPP form). `candidate` names the
/// variable that stands for the entry point (HumanEval's `candidate`), in
/// which case only calls of that name are converted and they call the
/// suite's entry point.
pub fn convert_assert(code: &str, candidate: Option<&str>) -> TestCase {
    let fallback = || {
        TestCase::Assert(AssertCase {
            code: code.to_owned(),
        })
    };
    let Ok(ast::Mod::Module(module)) = rustpython_parser::parse(code, Mode::Module, "<assert>")
    else {
        return fallback();
    };
    match module.body.as_slice() {
        [Stmt::Assert(a)] => convert_test(&a.test, candidate).map_or_else(fallback, TestCase::Call),
        _ => fallback(),
    }
}

/// Splits a HumanEval test module into cases: one per top-level statement
/// of `check`'s body that contains an `assert` (other statements, such as
/// imports, assignments and helper definitions, are replayed before each
/// later case). `assert True` placeholders are dropped. Statements that
/// are convertible asserts become call cases; the rest run as code in the
/// candidate's process, in their own fork each.
pub fn split_check(test_code: &str, entry_point: &str) -> Vec<TestCase> {
    let whole = || {
        vec![TestCase::Assert(AssertCase {
            code: format!("{test_code}\n\ncheck({entry_point})\n"),
        })]
    };
    let Ok(ast::Mod::Module(module)) = rustpython_parser::parse(test_code, Mode::Module, "<test>")
    else {
        return whole();
    };
    let Some(check) = module.body.iter().find_map(|s| match s {
        Stmt::FunctionDef(f) if f.name.as_str() == "check" => Some(f),
        _ => None,
    }) else {
        return whole();
    };
    let Some(param) = check.args.args.first().map(|a| a.def.arg.to_string()) else {
        return whole();
    };
    let assert_offsets: Vec<usize> = lex(test_code, Mode::Module)
        .filter_map(Result::ok)
        .filter(|(tok, _)| matches!(tok, Tok::Assert))
        .map(|(_, range)| range.start().to_usize())
        .collect();
    let contains_assert = |s: &Stmt| {
        let r = s.range();
        assert_offsets
            .iter()
            .any(|&o| o >= r.start().to_usize() && o < r.end().to_usize())
    };

    // What an assert-code case may see of the test module: everything but
    // `check` itself (imports, constants, helper definitions). The other
    // statements of `check` hold other cases' expected values.
    let mut header = String::new();
    for stmt in &module.body {
        if matches!(stmt, Stmt::FunctionDef(f) if f.name.as_str() == "check") {
            continue;
        }
        header.push_str(&statement_text(test_code, stmt));
        header.push('\n');
    }
    let mut prelude = String::new();
    let mut cases = Vec::new();
    for stmt in &check.body {
        let text = statement_text(test_code, stmt);
        let is_definition = matches!(
            stmt,
            Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) | Stmt::ClassDef(_)
        );
        if is_definition || !contains_assert(stmt) {
            prelude.push_str(&text);
            prelude.push('\n');
            continue;
        }
        if let Stmt::Assert(a) = stmt {
            if matches!(a.test.as_ref(), Expr::Constant(_)) {
                continue; // `assert True, "..."`: a placeholder, not a test
            }
            if let Some(call) = convert_test(&a.test, Some(&param)) {
                cases.push(TestCase::Call(call));
                continue;
            }
        }
        cases.push(TestCase::Assert(AssertCase {
            code: format!(
                "{header}\n\ndef __codequal_case({param}):\n    pass\n{prelude}{text}\n\n__codequal_case({entry_point})\n"
            ),
        }));
    }
    if cases.is_empty() {
        return whole();
    }
    cases
}

/// The statement's source, with its first line indented as in the file so
/// that continuation lines keep their relative indentation.
fn statement_text(source: &str, stmt: &Stmt) -> String {
    let range = stmt.range();
    let (mut start, end) = (range.start().to_usize(), range.end().to_usize());
    let decorators = match stmt {
        Stmt::FunctionDef(f) => f.decorator_list.as_slice(),
        Stmt::AsyncFunctionDef(f) => f.decorator_list.as_slice(),
        Stmt::ClassDef(c) => c.decorator_list.as_slice(),
        _ => &[],
    };
    if let Some(first) = decorators
        .iter()
        .map(|d| d.range().start().to_usize())
        .min()
    {
        if let Some(at) = source[..first].rfind('@') {
            start = start.min(at);
        }
    }
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = source[line_start..start]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    format!("{indent}{}", &source[start..end])
}

fn convert_test(test: &Expr, candidate: Option<&str>) -> Option<CallCase> {
    match test {
        Expr::Compare(c) if c.ops.len() == 1 && c.comparators.len() == 1 => {
            let (left, right) = (c.left.as_ref(), &c.comparators[0]);
            match c.ops[0] {
                ast::CmpOp::Eq => {
                    let (call, lit) = if let Some(call) = call_shape(left, candidate, true) {
                        (call, right)
                    } else {
                        (call_shape(right, candidate, true)?, left)
                    };
                    let expected = literal(lit, 0)?;
                    Some(call.into_case(Expectation::Value(expected), Comparison::default()))
                }
                ast::CmpOp::Is => {
                    let call = call_shape(left, candidate, false)?;
                    let expected = match literal(right, 0)? {
                        v @ (PyValue::None | PyValue::Bool(_)) => v,
                        _ => return None,
                    };
                    let strict = Comparison {
                        semantics: Semantics::Json,
                        ..Comparison::default()
                    };
                    Some(call.into_case(Expectation::Value(expected), strict))
                }
                ast::CmpOp::Lt | ast::CmpOp::LtE => {
                    // abs(CALL - LIT) < EPS
                    let Expr::Call(abs) = left else { return None };
                    if !is_name(&abs.func, "abs") || abs.args.len() != 1 || !abs.keywords.is_empty()
                    {
                        return None;
                    }
                    let Expr::BinOp(b) = &abs.args[0] else {
                        return None;
                    };
                    if b.op != ast::Operator::Sub {
                        return None;
                    }
                    let (call, lit) = if let Some(call) = call_shape(&b.left, candidate, false) {
                        (call, b.right.as_ref())
                    } else {
                        (call_shape(&b.right, candidate, false)?, b.left.as_ref())
                    };
                    // The literal keeps its type: int minus int is exact.
                    let expected = literal(lit, 0)?;
                    number(expected.clone())?;
                    let eps = number(literal(right, 0)?)?;
                    let tol = Comparison {
                        tolerance: Some(Tolerance {
                            rel: 0.0,
                            abs: eps,
                            exclusive: c.ops[0] == ast::CmpOp::Lt,
                        }),
                        ..Comparison::default()
                    };
                    Some(call.into_case(Expectation::Value(expected), tol))
                }
                _ => None,
            }
        }
        Expr::Call(c) if is_isclose(&c.func) => {
            if c.args.len() != 2 {
                return None;
            }
            let (call, lit) = if let Some(call) = call_shape(&c.args[0], candidate, false) {
                (call, &c.args[1])
            } else {
                (call_shape(&c.args[1], candidate, false)?, &c.args[0])
            };
            let expected = number(literal(lit, 0)?)?;
            let mut tol = Tolerance::isclose(1e-9, 0.0);
            for kw in &c.keywords {
                let value = number(literal(&kw.value, 0)?)?;
                match kw.arg.as_ref().map(|a| a.as_str()) {
                    Some("rel_tol") => tol.rel = value,
                    Some("abs_tol") => tol.abs = value,
                    _ => return None,
                }
            }
            let cmp = Comparison {
                tolerance: Some(tol),
                ..Comparison::default()
            };
            Some(call.into_case(Expectation::Value(PyValue::Float(expected)), cmp))
        }
        // Truthiness is taken in the child (`bool(result)`), so results
        // such as `re.Match` objects need not be plain data.
        Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => {
            let mut call = call_shape(&u.operand, candidate, false)?;
            call.post = Some(PostCall::Bool);
            Some(call.into_case(Expectation::Falsy, Comparison::default()))
        }
        Expr::Call(_) => {
            let mut call = call_shape(test, candidate, false)?;
            call.post = Some(PostCall::Bool);
            Some(call.into_case(Expectation::Truthy, Comparison::default()))
        }
        _ => None,
    }
}

struct CallShape {
    function: Option<String>,
    args: Vec<PyValue>,
    kwargs: Vec<(String, PyValue)>,
    post: Option<PostCall>,
}

impl CallShape {
    fn into_case(self, expect: Expectation, comparison: Comparison) -> CallCase {
        CallCase {
            function: self.function,
            args: self.args,
            kwargs: self.kwargs,
            args_py: None,
            expect,
            comparison,
            materialize: false,
            post: self.post,
        }
    }
}

/// `name(LIT, ..., k=LIT)`, optionally wrapped in one of [`PostCall`].
fn call_shape(expr: &Expr, candidate: Option<&str>, allow_wrapper: bool) -> Option<CallShape> {
    let Expr::Call(call) = expr else { return None };
    let Expr::Name(name) = call.func.as_ref() else {
        return None;
    };
    let name = name.id.as_str();
    if allow_wrapper && call.args.len() == 1 && call.keywords.is_empty() {
        let post = match name {
            "set" => Some(PostCall::Set),
            "frozenset" => Some(PostCall::FrozenSet),
            "sorted" => Some(PostCall::Sorted),
            "list" => Some(PostCall::List),
            "tuple" => Some(PostCall::Tuple),
            _ => None,
        };
        if let Some(post) = post {
            let mut inner = call_shape(&call.args[0], candidate, false)?;
            inner.post = Some(post);
            return Some(inner);
        }
    }
    let function = match candidate {
        Some(c) if name == c => None,
        Some(_) => return None,
        None if BUILTIN_CALLS.contains(&name) => return None,
        None => Some(name.to_owned()),
    };
    let args = call
        .args
        .iter()
        .map(|a| literal(a, 0))
        .collect::<Option<Vec<_>>>()?;
    let kwargs = call
        .keywords
        .iter()
        .map(|k| Some((k.arg.as_ref()?.to_string(), literal(&k.value, 0)?)))
        .collect::<Option<Vec<_>>>()?;
    Some(CallShape {
        function,
        args,
        kwargs,
        post: None,
    })
}

fn is_name(expr: &Expr, want: &str) -> bool {
    matches!(expr, Expr::Name(n) if n.id.as_str() == want)
}

fn is_isclose(func: &Expr) -> bool {
    match func {
        Expr::Attribute(a) => a.attr.as_str() == "isclose" && is_name(&a.value, "math"),
        other => is_name(other, "isclose"),
    }
}

fn number(v: PyValue) -> Option<f64> {
    match v {
        PyValue::Int(i) => Some(i as f64),
        PyValue::Float(f) => Some(f),
        _ => None,
    }
}

/// A Python literal expression as a value: constants, negated numbers,
/// lists, tuples, sets, dicts, nested to [`MAX_VALUE_DEPTH`].
pub fn literal(expr: &Expr, depth: usize) -> Option<PyValue> {
    if depth > MAX_VALUE_DEPTH {
        return None;
    }
    let items = |elts: &[Expr]| {
        elts.iter()
            .map(|e| literal(e, depth + 1))
            .collect::<Option<Vec<_>>>()
    };
    Some(match expr {
        Expr::Constant(c) => constant(&c.value, depth)?,
        Expr::List(l) => PyValue::List(items(&l.elts)?),
        Expr::Tuple(t) => PyValue::Tuple(items(&t.elts)?),
        Expr::Set(s) => PyValue::Set(items(&s.elts)?),
        Expr::Dict(d) => PyValue::Dict(
            d.keys
                .iter()
                .zip(&d.values)
                .map(|(k, v)| Some((literal(k.as_ref()?, depth + 1)?, literal(v, depth + 1)?)))
                .collect::<Option<Vec<_>>>()?,
        ),
        Expr::UnaryOp(u) => {
            let inner = literal(&u.operand, depth + 1)?;
            match (u.op, inner) {
                (ast::UnaryOp::USub, PyValue::Int(i)) => PyValue::Int(i.checked_neg()?),
                (ast::UnaryOp::USub, PyValue::BigInt(d)) => match d.strip_prefix('-') {
                    Some(pos) => int_from_digits(pos)?,
                    None => int_from_digits(&format!("-{d}"))?,
                },
                (ast::UnaryOp::USub, PyValue::Float(f)) => PyValue::Float(-f),
                (ast::UnaryOp::USub, PyValue::Complex(re, im)) => PyValue::Complex(-re, -im),
                (
                    ast::UnaryOp::UAdd,
                    v @ (PyValue::Int(_) | PyValue::BigInt(_) | PyValue::Float(_)),
                ) => v,
                _ => return None,
            }
        }
        // `set([1, 2])`, `tuple([..])`, `set()`: builtin constructors of
        // literals, common on the expected side of MBPP asserts. Evaluated
        // with builtin semantics here, even if the candidate shadows them.
        Expr::Call(c) if c.keywords.is_empty() && c.args.len() <= 1 => {
            let Expr::Name(name) = c.func.as_ref() else {
                return None;
            };
            let items = match c.args.first() {
                None => Vec::new(),
                Some(arg) => match literal(arg, depth + 1)? {
                    PyValue::List(v) | PyValue::Tuple(v) | PyValue::Set(v) => v,
                    PyValue::Str(s) => s.chars().map(|ch| PyValue::Str(ch.to_string())).collect(),
                    PyValue::Dict(pairs) => pairs.into_iter().map(|(k, _)| k).collect(),
                    _ => return None,
                },
            };
            match name.id.as_str() {
                "set" | "frozenset" => PyValue::Set(items),
                "list" => PyValue::List(items),
                "tuple" => PyValue::Tuple(items),
                _ => return None,
            }
        }
        // `1 + 2j` / `1 - 2j`: complex literals are written this way.
        Expr::BinOp(b) if matches!(b.op, ast::Operator::Add | ast::Operator::Sub) => {
            let re = number(literal(&b.left, depth + 1)?)?;
            let PyValue::Complex(0.0, im) = literal(&b.right, depth + 1)? else {
                return None;
            };
            PyValue::Complex(re, if b.op == ast::Operator::Sub { -im } else { im })
        }
        _ => return None,
    })
}

fn constant(c: &Constant, depth: usize) -> Option<PyValue> {
    if depth > MAX_VALUE_DEPTH {
        return None;
    }
    Some(match c {
        Constant::None => PyValue::None,
        Constant::Bool(b) => PyValue::Bool(*b),
        Constant::Str(s) => PyValue::Str(s.clone()),
        Constant::Bytes(b) => PyValue::Bytes(b.clone()),
        Constant::Int(i) => int_from_digits(&i.to_string())?,
        Constant::Float(f) => PyValue::Float(*f),
        Constant::Complex { real, imag } => PyValue::Complex(*real, *imag),
        Constant::Tuple(items) => PyValue::Tuple(
            items
                .iter()
                .map(|x| constant(x, depth + 1))
                .collect::<Option<Vec<_>>>()?,
        ),
        Constant::Ellipsis => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(code: &str) -> CallCase {
        match convert_assert(code, None) {
            TestCase::Call(c) => c,
            other => panic!("{code:?} was not converted: {other:?}"),
        }
    }

    #[test]
    fn equality_with_literals_becomes_a_call_case() {
        let c = call("assert similar_elements((3, 4, 5, 6),(5, 7, 4, 10)) == (4, 5)");
        assert_eq!(c.function.as_deref(), Some("similar_elements"));
        assert_eq!(c.args.len(), 2);
        assert_eq!(
            c.expect,
            Expectation::Value(PyValue::Tuple(vec![PyValue::Int(4), PyValue::Int(5)]))
        );
        let c = call("assert f(-1, x=-2.5) == {'a': [1, {2, 3}], 'b': None}");
        assert_eq!(c.args, vec![PyValue::Int(-1)]);
        assert_eq!(c.kwargs, vec![("x".to_owned(), PyValue::Float(-2.5))]);
        assert!(matches!(
            convert_assert("assert 10**0 == f(1)", None),
            TestCase::Assert(_)
        ));
    }

    #[test]
    fn shapes() {
        assert!(
            matches!(convert_assert("assert set(f(1)) == {1, 2}", None), TestCase::Call(c) if c.post == Some(PostCall::Set))
        );
        assert!(
            matches!(convert_assert("assert math.isclose(f(2), 3.14, rel_tol=0.001)", None), TestCase::Call(c) if c.comparison.tolerance == Some(Tolerance::isclose(0.001, 0.0)))
        );
        assert!(
            matches!(convert_assert("assert abs(f(2) - 3.5) < 1e-6", None), TestCase::Call(c) if c.comparison.tolerance.is_some())
        );
        assert!(
            matches!(convert_assert("assert f(2)", None), TestCase::Call(c) if c.expect == Expectation::Truthy)
        );
        assert!(
            matches!(convert_assert("assert not f(2)", None), TestCase::Call(c) if c.expect == Expectation::Falsy)
        );
        assert!(matches!(
            convert_assert("assert f(2) is None", None),
            TestCase::Call(_)
        ));
        assert!(matches!(
            convert_assert("assert f(x) == 1", None),
            TestCase::Assert(_)
        ));
        assert!(matches!(
            convert_assert("assert len(f(1)) == 1", None),
            TestCase::Assert(_)
        ));
        assert!(matches!(
            convert_assert("assert f(1) != 1", None),
            TestCase::Assert(_)
        ));
        assert!(matches!(
            convert_assert("assert f(1) == 1 == 1", None),
            TestCase::Assert(_)
        ));
        assert!(
            matches!(convert_assert("assert f(1j, 2-3j) == 1", None), TestCase::Call(c) if c.args[1] == PyValue::Complex(2.0, -3.0))
        );
        assert!(
            matches!(convert_assert("assert f(123456789012345678901234567890) == -99999999999999999999", None), TestCase::Call(c) if c.expect == Expectation::Value(PyValue::BigInt("-99999999999999999999".into())))
        );
        assert!(matches!(
            convert_assert("this is not python", None),
            TestCase::Assert(_)
        ));
    }

    #[test]
    fn check_bodies_split_into_cases() {
        let test = "\nMETADATA = {}\n\ndef check(candidate):\n    import math\n    assert candidate([1, 2]) == 3\n    assert True, 'placeholder'\n    x = [1] * 3\n    assert candidate(x) == 3, 'message'\n    for i in range(3):\n        assert candidate([i]) == i\n";
        let cases = split_check(test, "f");
        assert_eq!(cases.len(), 3, "{cases:?}");
        assert!(matches!(&cases[0], TestCase::Call(c) if c.function.is_none()));
        let TestCase::Assert(a) = &cases[1] else {
            panic!("second case should stay code")
        };
        assert!(a
            .code
            .contains("    import math\n    x = [1] * 3\n    assert candidate(x) == 3"));
        assert!(a.code.ends_with("__codequal_case(f)\n"));
        let TestCase::Assert(a) = &cases[2] else {
            panic!("loop stays code")
        };
        assert!(a
            .code
            .contains("    for i in range(3):\n        assert candidate([i]) == i"));
    }

    #[test]
    fn unparsable_check_is_one_case() {
        let cases = split_check("def check(candidate:\n", "f");
        assert_eq!(cases.len(), 1);
    }
}
