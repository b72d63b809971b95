//! Design: pylint's too-many-* family (with its defaults and counting rules), unused-argument, dangerous-default-value, bare-except, broad-exception-caught, consider-using-with, consider-using-enumerate.

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

/// Thresholds of the design rules; defaults are pylint 4.1.4's.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `too-many-arguments` above this many (default 5).
    pub max_args: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self { max_args: 5 }
    }
}
