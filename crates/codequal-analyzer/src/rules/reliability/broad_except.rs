use rustpython_parser::ast::Ranged;

use crate::parse::ast::{self, Expr, Stmt};
use crate::report::{Characteristic, Severity};
use crate::rules::name_facts::any_stmt;
use crate::rules::{Checker, Confidence, Family, RuleMeta};

use super::bare_except::handler_head;

/// ## What it does
/// Flags `except Exception` and `except BaseException` (alone or in a
/// tuple) when the handler does not re-raise, and `with
/// contextlib.suppress(Exception)` (or `BaseException`), which swallows
/// the same way.
///
/// ## Why is this bad?
/// Catching everything treats a typo, a `None` dereference and the fault
/// the code expected the same way, so real bugs turn into silent wrong
/// results (CWE-396).
///
/// ## Example
/// ```python
/// try:
///     rows = load(path)
/// except Exception:
///     rows = []
/// ```
///
/// ## Use instead
/// ```python
/// try:
///     rows = load(path)
/// except (OSError, ValueError):
///     rows = []
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQR002",
    name: "broad-except",
    family: Family::Reliability,
    index: 1,
    characteristic: Characteristic::Reliability,
    cwe: Some(396),
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "Catching too general an exception (Exception or BaseException)",
};

/// How much a handler catches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Broadness {
    /// `except:`.
    Bare,
    /// `except Exception` / `BaseException`.
    Broad,
    /// Anything narrower.
    Specific,
}

/// Classifies a handler's exception type.
pub(crate) fn broadness(ch: &Checker<'_>, h: &ast::ExceptHandlerExceptHandler) -> Broadness {
    let Some(t) = h.type_.as_deref() else {
        return Broadness::Bare;
    };
    let broad = match t {
        Expr::Tuple(tu) => tu.elts.iter().any(|e| is_broad(ch, e)),
        other => is_broad(ch, other),
    };
    if broad {
        Broadness::Broad
    } else {
        Broadness::Specific
    }
}

/// `Exception` or `BaseException`, also through a module-level alias
/// (`Broad = Exception`) when the design facts know it.
fn is_broad<'a>(ch: &Checker<'a>, e: &'a Expr) -> bool {
    let e = crate::rules::design::through_alias(ch, e);
    matches!(
        ch.qualified_name(e).as_deref(),
        Some("Exception" | "BaseException" | "builtins.Exception" | "builtins.BaseException")
    )
}

/// `with contextlib.suppress(Exception):` (or `BaseException`, alone or
/// among other types): the same as `except Exception: pass`.
pub(crate) fn check_with<'a>(ch: &mut Checker<'a>, items: &'a [ast::WithItem]) {
    for item in items {
        let Expr::Call(call) = &item.context_expr else {
            continue;
        };
        if ch.qualified_name(&call.func).as_deref() != Some("contextlib.suppress") {
            continue;
        }
        if call.args.iter().any(|a| is_broad(ch, a)) {
            ch.report(
                &META,
                item.context_expr.range(),
                "Suppressing too general an exception (contextlib.suppress of Exception or BaseException)",
            );
        }
    }
}

/// Whether a handler body re-raises (any `raise` outside nested functions).
pub(crate) fn reraises(body: &[Stmt]) -> bool {
    any_stmt(body, true, &|s| matches!(s, Stmt::Raise(_)))
}

/// An `except` handler.
pub(crate) fn check(ch: &mut Checker<'_>, h: &ast::ExceptHandlerExceptHandler, b: Broadness) {
    if b == Broadness::Broad && !reraises(&h.body) {
        ch.report(&META, handler_head(h), META.summary);
    }
}
