//! `try`/`except` handlers that swallow errors: `pass` (B110) and
//! `continue` (B112).
//!
//! Like bandit's defaults (`check_typed_exception: False`), only bare
//! handlers and `except Exception` count.

use rustpython_parser::ast::Ranged;

use super::{emit_default, meta};
use crate::parse::ast::{self, Expr, Stmt};
use crate::report::Severity;
use crate::rules::{Checker, Confidence, RuleMeta};

/// ## What it does
/// Flags `except:` / `except Exception:` handlers whose only statement is
/// `pass` (bandit B110).
///
/// ## Why is this bad?
/// Every error, including the ones that signal an attack or corruption,
/// disappears without a trace.
///
/// ## Example
/// ```python
/// try:
///     check(token)
/// except Exception:
///     pass
/// ```
///
/// ## Use instead
/// ```python
/// try:
///     check(token)
/// except InvalidToken:
///     log.warning("rejected token")
/// ```
pub(crate) const TRY_EXCEPT_PASS: RuleMeta = meta(
    "B110",
    "try-except-pass",
    8,
    703,
    Severity::Low,
    Confidence::High,
    "Try, Except, Pass detected.",
);

/// ## What it does
/// Flags `except:` / `except Exception:` handlers whose only statement is
/// `continue` (bandit B112).
///
/// ## Why is this bad?
/// See B110: the loop goes on as if nothing happened.
///
/// ## Example
/// ```python
/// for item in items:
///     try:
///         handle(item)
///     except Exception:
///         continue
/// ```
///
/// ## Use instead
/// ```python
/// for item in items:
///     try:
///         handle(item)
///     except ValueError:
///         log.warning("skipped %r", item)
/// ```
pub(crate) const TRY_EXCEPT_CONTINUE: RuleMeta = meta(
    "B112",
    "try-except-continue",
    9,
    703,
    Severity::Low,
    Confidence::High,
    "Try, Except, Continue detected.",
);

/// Checks every handler of one `try`.
pub(crate) fn check(ch: &mut Checker<'_>, handlers: &[ast::ExceptHandler]) {
    for h in handlers {
        let ast::ExceptHandler::ExceptHandler(h) = h;
        let [only] = h.body.as_slice() else { continue };
        if let Some(t) = &h.type_ {
            if !matches!(t.as_ref(), Expr::Name(n) if n.id.as_str() == "Exception") {
                continue;
            }
        }
        let rule = match only {
            Stmt::Pass(_) => &TRY_EXCEPT_PASS,
            Stmt::Continue(_) => &TRY_EXCEPT_CONTINUE,
            _ => continue,
        };
        emit_default(ch, rule, rule.summary, h.range(), None);
    }
}
