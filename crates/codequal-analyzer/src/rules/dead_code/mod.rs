//! Dead code in the spirit of vulture 2.16: unused functions, classes, variables, attributes and unreachable code, each with a confidence.

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

/// The family's state during one traversal.
#[derive(Debug, Default)]
pub struct State<'a> {
    _names: std::marker::PhantomData<&'a str>,
}
