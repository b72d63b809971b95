use crate::parse::ast::{self, Expr, Stmt};
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

use super::bare_except::handler_head;
use super::broad_except::Broadness;

/// ## What it does
/// Flags an exception handler that drops the exception: its body is only
/// `pass`, `...` or `continue` (any exception type), or, for a bare or
/// broad handler, only returns a constant (or nothing) without logging or
/// raising. A specific handler returning a default (`except ValueError:
/// return None`) is the ordinary way to map a known failure to a value and
/// is not flagged.
///
/// ## Why is this bad?
/// The failure leaves no trace: the program goes on with missing data and
/// the cause cannot be found later (CWE-703, CWE-390).
///
/// ## Example
/// ```python
/// for line in lines:
///     try:
///         total += float(line)
///     except Exception:
///         pass
/// ```
///
/// ## Use instead
/// ```python
/// for line in lines:
///     try:
///         total += float(line)
///     except ValueError:
///         logger.warning("skipping %r", line)
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQR003",
    name: "swallowed-exception",
    family: Family::Reliability,
    index: 2,
    characteristic: Characteristic::Reliability,
    cwe: Some(703),
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "Exception swallowed: the handler neither handles, logs nor re-raises it",
};

fn is_noop(s: &Stmt) -> bool {
    match s {
        Stmt::Pass(_) | Stmt::Continue(_) => true,
        Stmt::Expr(e) => matches!(&*e.value, Expr::Constant(_)),
        _ => false,
    }
}

fn returns_constant(s: &Stmt) -> bool {
    match s {
        Stmt::Return(r) => match r.value.as_deref() {
            None | Some(Expr::Constant(_)) => true,
            Some(Expr::List(l)) => l.elts.is_empty(),
            Some(Expr::Dict(d)) => d.keys.is_empty(),
            Some(Expr::Tuple(t)) => t.elts.iter().all(|e| matches!(e, Expr::Constant(_))),
            _ => false,
        },
        _ => false,
    }
}

/// An `except` handler.
pub(crate) fn check(ch: &mut Checker<'_>, h: &ast::ExceptHandlerExceptHandler, b: Broadness) {
    let body = &h.body;
    let noop = body.iter().all(is_noop);
    let constant = b != Broadness::Specific
        && body.iter().all(|s| is_noop(s) || returns_constant(s))
        && body.iter().any(returns_constant);
    if noop || constant {
        ch.report(&META, handler_head(h), META.summary);
    }
}
