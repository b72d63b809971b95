//! CISQ performance efficiency: work that costs more than it needs to (string building in loops, I/O in loops, hoistable work, quadratic membership tests, oversized literals).

use super::{Checker, RuleMeta};
use crate::parse::ast::{Expr, Stmt};

/// The family's rules; a rule's `index` is its position here.
pub(crate) static RULES: &[&RuleMeta] = &[];

/// Called for every statement before its children are walked.
pub(crate) fn enter_stmt<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    let _ = (ch, stmt);
}

/// Called for every statement after its children were walked.
pub(crate) fn leave_stmt<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    let _ = (ch, stmt);
}

/// Called for every expression before its children are walked.
pub(crate) fn on_expr<'a>(ch: &mut Checker<'a>, expr: &'a Expr) {
    let _ = (ch, expr);
}

/// Called once after the whole module was walked.
pub(crate) fn finish<'a>(ch: &mut Checker<'a>, suite: &'a [Stmt]) {
    let _ = (ch, suite);
}
