//! Trivial answers: functions the tests call whose return value does not
//! depend on their arguments, beyond the analyzer's stubs.
//!
//! The `codequal` score scales every score by `1 - s/n` for `s` stub
//! functions of `n` (a body of only a docstring, `pass`, `...`,
//! `raise NotImplementedError` or `return <constant>`; `docs/scoring.md`).
//! A policy dodges that with a return value that is not a literal but is
//! just as constant: `return s != s`, `return any([s is None] * 8)`, or
//! eight `check_i = s is None` lines and `return any([check_0, ...])`.
//! [`trivial_functions`] finds such functions so that the pipeline counts
//! them as stubs too (`RewardConfig::trivial_answer_guard`).
//!
//! A function is trivial when its body, after an optional docstring, is
//! straight-line code (no `if`, loop, `try`, `with` or `match`) of only
//! `pass`, constant expressions, `raise NotImplementedError`, assignments
//! of trivial values to plain names, and `return` of a trivial value (or of
//! nothing). A value is trivial when it is:
//!
//! - a constant, or a list, tuple, set or dict of trivial values;
//! - a name assigned a trivial value earlier in the function;
//! - a comparison of a name with itself (`x != x`, `x == x`, `x is x`);
//! - an `is None` / `is not None` / `== None` / `!= None` test of a name;
//! - `not`, `and`, `or`, `*`, `if ... else` of trivial values, or a call
//!   of `any`, `all` or `bool` on them;
//! - a call of a function of the module that is itself trivial, whatever
//!   its arguments.
//!
//! Conservative by construction: only functions that the problem's tests
//! call (the entry point, a class's tested methods) are judged, since a
//! helper such as `def is_missing(v): return v is None` or a NaN test
//! `return x != x` is ordinary code; and any branch or loop makes a
//! function non-trivial, however constant its returns. Known limit: a
//! problem whose answer really is a self-comparison or a `None` test would
//! be misjudged; none of `fixtures/problems` is.

use std::collections::HashSet;

use codequal_analyzer::parse::ast::{self, Constant, Expr, Stmt};
use codequal_analyzer::parse::{parse, with_stack_for, ParsedSource};

use crate::syntax_walk::{walk_suite, Node};

/// The functions named in `tested` whose return value does not depend on
/// their arguments (see the module docs) and that the analyzer's own stub
/// guard does not already count, in source order (a name defined twice is
/// listed twice). Code that does not parse has none.
///
/// ```
/// use codequal_reward::trivial::trivial_functions;
///
/// let tested = ["is_valid".to_owned()];
/// let code = "def is_valid(s):\n    \"\"\"Check.\"\"\"\n    return s != s\n";
/// assert_eq!(trivial_functions(code, &tested), vec!["is_valid".to_owned()]);
/// let honest = "def is_valid(s):\n    return s.isdigit()\n";
/// assert!(trivial_functions(honest, &tested).is_empty());
/// ```
pub fn trivial_functions(code: &str, tested: &[String]) -> Vec<String> {
    let parsed = parse(code);
    with_stack_for(parsed.depth_bound, || trivial_functions_in(&parsed, tested))
}

/// [`trivial_functions`] on a parse the caller already has. The walk is
/// recursive: call it with the stack [`with_stack_for`] sizes for
/// `parsed.depth_bound`.
pub fn trivial_functions_in(parsed: &ParsedSource<'_>, tested: &[String]) -> Vec<String> {
    let Some(suite) = parsed.suite.as_deref() else {
        return Vec::new();
    };
    {
        let mut functions: Vec<(&str, &[Stmt])> = Vec::new();
        walk_suite(suite, &mut |n| match n {
            Node::Stmt(Stmt::FunctionDef(f)) => functions.push((f.name.as_str(), &f.body)),
            Node::Stmt(Stmt::AsyncFunctionDef(f)) => functions.push((f.name.as_str(), &f.body)),
            _ => {}
        });
        // Trivial helpers make their callers trivial: grow the set until it
        // stops changing (at most once per function).
        let mut helpers: HashSet<&str> = HashSet::new();
        for _ in 0..=functions.len() {
            let before = helpers.len();
            for (name, body) in &functions {
                if is_trivial(body, &helpers) {
                    helpers.insert(name);
                }
            }
            if helpers.len() == before {
                break;
            }
        }
        functions
            .iter()
            .filter(|(name, body)| {
                tested.iter().any(|t| t == name)
                    && !codequal_analyzer::score::code_stats::is_stub(body)
                    && is_trivial(body, &helpers)
            })
            .map(|(name, _)| (*name).to_owned())
            .collect()
    }
}

fn docstring_len(body: &[Stmt]) -> usize {
    match body.first() {
        Some(Stmt::Expr(e)) if matches!(&*e.value, Expr::Constant(c) if matches!(c.value, Constant::Str(_))) => {
            1
        }
        _ => 0,
    }
}

fn raises_not_implemented(r: &ast::StmtRaise) -> bool {
    r.exc.as_deref().is_some_and(|e| {
        let f = match e {
            Expr::Call(c) => &*c.func,
            other => other,
        };
        matches!(f, Expr::Name(n) if n.id.as_str() == "NotImplementedError")
    })
}

fn is_trivial(body: &[Stmt], helpers: &HashSet<&str>) -> bool {
    let mut locals: HashSet<&str> = HashSet::new();
    for s in &body[docstring_len(body)..] {
        let ok = match s {
            Stmt::Pass(_) => true,
            Stmt::Expr(e) => matches!(&*e.value, Expr::Constant(_)),
            Stmt::Raise(r) => raises_not_implemented(r),
            Stmt::Return(r) => r
                .value
                .as_deref()
                .is_none_or(|v| trivial_value(v, &locals, helpers)),
            Stmt::Assign(a) => {
                let names: Option<Vec<&str>> = a
                    .targets
                    .iter()
                    .map(|t| match t {
                        Expr::Name(n) => Some(n.id.as_str()),
                        _ => None,
                    })
                    .collect();
                match names {
                    Some(names) if trivial_value(&a.value, &locals, helpers) => {
                        locals.extend(names);
                        true
                    }
                    _ => false,
                }
            }
            Stmt::AnnAssign(a) => match (&*a.target, a.value.as_deref()) {
                (Expr::Name(n), Some(v)) if trivial_value(v, &locals, helpers) => {
                    locals.insert(n.id.as_str());
                    true
                }
                _ => false,
            },
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

fn is_none(e: &Expr) -> bool {
    matches!(e, Expr::Constant(c) if matches!(c.value, Constant::None))
}

fn name_of(e: &Expr) -> Option<&str> {
    match e {
        Expr::Name(n) => Some(n.id.as_str()),
        _ => None,
    }
}

fn trivial_value(e: &Expr, locals: &HashSet<&str>, helpers: &HashSet<&str>) -> bool {
    let all = |es: &[Expr]| es.iter().all(|e| trivial_value(e, locals, helpers));
    match e {
        Expr::Constant(_) => true,
        Expr::Name(n) => locals.contains(n.id.as_str()),
        Expr::List(l) => all(&l.elts),
        Expr::Tuple(t) => all(&t.elts),
        Expr::Set(s) => all(&s.elts),
        Expr::Dict(d) => {
            d.keys
                .iter()
                .flatten()
                .all(|k| trivial_value(k, locals, helpers))
                && all(&d.values)
        }
        Expr::BinOp(b) => {
            matches!(b.op, ast::Operator::Mult)
                && trivial_value(&b.left, locals, helpers)
                && trivial_value(&b.right, locals, helpers)
        }
        Expr::BoolOp(b) => all(&b.values),
        Expr::UnaryOp(u) => trivial_value(&u.operand, locals, helpers),
        Expr::IfExp(i) => {
            trivial_value(&i.test, locals, helpers)
                && trivial_value(&i.body, locals, helpers)
                && trivial_value(&i.orelse, locals, helpers)
        }
        Expr::Compare(c) => {
            let mut left = &*c.left;
            for (op, right) in c.ops.iter().zip(&c.comparators) {
                let constant =
                    trivial_value(left, locals, helpers) && trivial_value(right, locals, helpers);
                let self_compare = name_of(left).is_some() && name_of(left) == name_of(right);
                let none_test = matches!(
                    op,
                    ast::CmpOp::Is | ast::CmpOp::IsNot | ast::CmpOp::Eq | ast::CmpOp::NotEq
                ) && ((name_of(left).is_some() && is_none(right))
                    || (is_none(left) && name_of(right).is_some()));
                if !(constant || self_compare || none_test) {
                    return false;
                }
                left = right;
            }
            true
        }
        Expr::Call(c) => match name_of(&c.func) {
            Some("any" | "all" | "bool") => c.keywords.is_empty() && all(&c.args),
            Some(f) => helpers.contains(f),
            None => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trivial(code: &str) -> bool {
        !trivial_functions(code, &["f".to_owned()]).is_empty()
    }

    #[test]
    fn constant_returns_in_disguise_are_trivial() {
        for body in [
            "return s != s",
            "return s is s",
            "return any([s is None] * 8)",
            "check_0 = s is None\n    check_1 = s is None\n    return any([check_0, check_1])",
            "ok = True\n    return ok",
            "return not (s is None or s is not None)",
            "return _helper(s)\ndef _helper(x):\n    return x == x",
        ] {
            assert!(
                trivial(&format!("def f(s):\n    \"\"\"Doc.\"\"\"\n    {body}\n")),
                "{body}"
            );
        }
    }

    #[test]
    fn answers_that_use_their_arguments_are_not_trivial() {
        for body in [
            "return s.isdigit()",
            "return s",
            "return len(s) > 3",
            "return s is None or s.strip() == ''",
            "if s is None:\n        return False\n    return True",
            "for c in s:\n        return False\n    return True",
            "x = s.strip()\n    return x is None",
        ] {
            assert!(!trivial(&format!("def f(s):\n    {body}\n")), "{body}");
        }
    }

    #[test]
    fn only_tested_functions_are_judged_and_analyzer_stubs_are_left_to_it() {
        let helper = "def is_nan(x):\n    return x != x\n";
        assert!(trivial_functions(helper, &["f".to_owned()]).is_empty());
        assert!(!trivial("def f(s):\n    return 0\n"));
        assert!(!trivial("def f(s):\n    pass\n"));
    }
}
