use rustpython_parser::ast::Ranged;

use crate::parse::ast::{self, Constant, Expr, Stmt};
use crate::report::{Characteristic, Severity};
use crate::rules::name_facts::{any_stmt, body_has_expr};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags `while True:` (or any always-true constant condition) whose body
/// has no way out: no `break` of this loop, no `return`, no `raise`, no
/// call of `sys.exit`, `exit`, `quit` or `os._exit`. Loops that `yield` or
/// `await` are left alone: a generator or coroutine is stopped by its
/// consumer.
///
/// ## Why is this bad?
/// The loop can never finish: the program hangs, or is killed from the
/// outside with its state half-written (CWE-835).
///
/// ## Example
/// ```python
/// while True:
///     item = queue.get()
///     handle(item)
/// ```
///
/// ## Use instead
/// ```python
/// while True:
///     item = queue.get()
///     if item is None:
///         break
///     handle(item)
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQR007",
    name: "infinite-loop",
    family: Family::Reliability,
    index: 6,
    characteristic: Characteristic::Reliability,
    cwe: Some(835),
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "`while True` loop without break, return or raise",
};

fn always_true(e: &Expr) -> bool {
    match e {
        Expr::Constant(c) => match &c.value {
            Constant::Bool(b) => *b,
            Constant::Int(i) => i.to_string() != "0",
            Constant::Str(s) => !s.is_empty(),
            _ => false,
        },
        _ => false,
    }
}

/// Whether `body` can leave the loop it belongs to.
pub(crate) fn has_exit(ch: &Checker<'_>, body: &[Stmt]) -> bool {
    // `break` counts only at this loop's level; return and raise anywhere.
    any_stmt(body, false, &|s| matches!(s, Stmt::Break(_)))
        || any_stmt(body, true, &|s| {
            matches!(s, Stmt::Return(_) | Stmt::Raise(_))
        })
        || body_has_expr(body, &|e| match e {
            Expr::Call(c) => matches!(
                ch.call_name(c).as_deref(),
                Some("sys.exit" | "exit" | "quit" | "os._exit" | "os.abort")
            ),
            Expr::Yield(_) | Expr::YieldFrom(_) | Expr::Await(_) => true,
            _ => false,
        })
}

/// A `while` loop.
pub(crate) fn check(ch: &mut Checker<'_>, w: &ast::StmtWhile) {
    if always_true(&w.test) && !has_exit(ch, &w.body) {
        ch.report(&META, w.test.range(), META.summary);
    }
}
