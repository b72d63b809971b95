//! CISQ reliability: code that fails badly under faults (overbroad or swallowed exceptions, leaked resources, loops that cannot end, lock-order inversions, mutable defaults).
//!
//! Codes `CQR001`-`CQR011`, with the severities of the paper's library's
//! reliability checks (arXiv 2506.02211, `pycq_analyzer`) minus its known
//! false positive: a `while` condition name counts as updated when the
//! body calls a method on it (`while queue: queue.popleft()`).

mod bare_except;
mod broad_except;
mod infinite_loop;
mod lock_order_inversion;
mod loop_condition_not_updated;
mod mutable_default_argument;
mod raise_generic_exception;
mod raise_without_from;
mod swallowed_exception;
mod try_without_except;
mod unclosed_resource;

use super::{Checker, RuleMeta};
use crate::parse::ast::{self, Expr, Stmt};

pub(crate) use lock_order_inversion::LockPair;

/// The family's rules; a rule's `index` is its position here.
pub(crate) static RULES: &[&RuleMeta] = &[
    &bare_except::META,
    &broad_except::META,
    &swallowed_exception::META,
    &unclosed_resource::META,
    &try_without_except::META,
    &raise_without_from::META,
    &infinite_loop::META,
    &loop_condition_not_updated::META,
    &lock_order_inversion::META,
    &mutable_default_argument::META,
    &raise_generic_exception::META,
];

/// What the family remembers during one traversal: the nested lock
/// acquisitions seen so far, compared at the end.
#[derive(Debug, Default)]
pub(crate) struct State<'a> {
    locks: Vec<LockPair<'a>>,
}

/// Called for every statement before its children are walked.
pub(crate) fn enter_stmt<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    match stmt {
        Stmt::Try(t) => try_stmt(ch, stmt, &t.handlers, &t.finalbody),
        Stmt::TryStar(t) => try_stmt(ch, stmt, &t.handlers, &t.finalbody),
        Stmt::While(w) => {
            if ch.enabled(&infinite_loop::META) {
                infinite_loop::check(ch, w);
            }
            if ch.enabled(&loop_condition_not_updated::META) {
                loop_condition_not_updated::check(ch, stmt, w);
            }
        }
        Stmt::Raise(r) => {
            if ch.enabled(&raise_without_from::META) {
                raise_without_from::check(ch, r);
            }
            if ch.enabled(&raise_generic_exception::META) {
                raise_generic_exception::check(ch, r);
            }
        }
        Stmt::FunctionDef(f) if ch.enabled(&mutable_default_argument::META) => {
            mutable_default_argument::check(ch, &f.args);
        }
        Stmt::AsyncFunctionDef(f) if ch.enabled(&mutable_default_argument::META) => {
            mutable_default_argument::check(ch, &f.args);
        }
        Stmt::With(w) => with_stmt(ch, &w.items),
        Stmt::AsyncWith(w) => with_stmt(ch, &w.items),
        _ => {}
    }
    if ch.enabled(&unclosed_resource::META) {
        unclosed_resource::check(ch, stmt);
    }
}

fn with_stmt<'a>(ch: &mut Checker<'a>, items: &'a [ast::WithItem]) {
    if ch.enabled(&lock_order_inversion::META) {
        lock_order_inversion::enter_with(ch, items);
    }
    if ch.enabled(&broad_except::META) {
        broad_except::check_with(ch, items);
    }
}

fn try_stmt<'a>(
    ch: &mut Checker<'a>,
    stmt: &'a Stmt,
    handlers: &'a [ast::ExceptHandler],
    finalbody: &'a [Stmt],
) {
    for h in handlers {
        let ast::ExceptHandler::ExceptHandler(h) = h;
        let broadness = broad_except::broadness(ch, h);
        if ch.enabled(&bare_except::META) {
            bare_except::check(ch, h);
        }
        if ch.enabled(&broad_except::META) {
            broad_except::check(ch, h, broadness);
        }
        if ch.enabled(&swallowed_exception::META) {
            swallowed_exception::check(ch, h, broadness);
        }
    }
    if handlers.is_empty() && ch.enabled(&try_without_except::META) {
        try_without_except::check(ch, stmt, finalbody);
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
    let _ = suite;
    if ch.enabled(&lock_order_inversion::META) {
        lock_order_inversion::finish(ch);
    }
}
