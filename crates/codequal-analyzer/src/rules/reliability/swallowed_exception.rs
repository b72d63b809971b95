use crate::parse::ast::{self, Expr, Stmt};
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

use super::bare_except::handler_head;
use super::broad_except::Broadness;

/// ## What it does
/// Flags an exception handler that drops the exception: its body only does
/// nothing (`pass`, `...`, `continue`, `n += 0`, `x = x`, `_ = None`; any
/// exception type), or, for a bare or
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

/// A statement that does nothing: `pass`, `continue`, a constant or a bare
/// name as a statement, `x = x`, `_ = <constant>`, or an augmented
/// assignment by its operator's identity (`n += 0`, `n *= 1`, `s += ""`,
/// `xs += []`).
fn is_noop(s: &Stmt) -> bool {
    match s {
        Stmt::Pass(_) | Stmt::Continue(_) => true,
        Stmt::Expr(e) => matches!(&*e.value, Expr::Constant(_) | Expr::Name(_)),
        Stmt::Assign(a) => {
            let value_name = match &*a.value {
                Expr::Name(n) => Some(n.id.as_str()),
                _ => None,
            };
            a.targets.iter().all(|t| match t {
                Expr::Name(n) => {
                    Some(n.id.as_str()) == value_name
                        || (n.id.as_str() == "_" && matches!(&*a.value, Expr::Constant(_)))
                }
                _ => false,
            })
        }
        Stmt::AugAssign(a) => is_identity(a.op, &a.value),
        _ => false,
    }
}

/// Whether `x op= value` leaves `x` as it was.
fn is_identity(op: ast::Operator, value: &Expr) -> bool {
    use ast::Operator as O;
    let Expr::Constant(c) = value else {
        return match value {
            Expr::List(l) => op == O::Add && l.elts.is_empty(),
            Expr::Tuple(t) => op == O::Add && t.elts.is_empty(),
            _ => false,
        };
    };
    match &c.value {
        ast::Constant::Int(i) => {
            let zero = i.to_string() == "0";
            let one = i.to_string() == "1";
            match op {
                O::Add | O::Sub | O::BitOr | O::BitXor | O::LShift | O::RShift => zero,
                O::Mult | O::FloorDiv | O::Pow => one,
                _ => false,
            }
        }
        ast::Constant::Float(f) => match op {
            O::Add | O::Sub => *f == 0.0,
            O::Mult | O::Div | O::Pow => *f == 1.0,
            _ => false,
        },
        ast::Constant::Bool(false) => matches!(op, O::Add | O::Sub | O::BitOr | O::BitXor),
        ast::Constant::Str(s) => op == O::Add && s.is_empty(),
        ast::Constant::Bytes(b) => op == O::Add && b.is_empty(),
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
