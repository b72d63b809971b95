//! CISQ performance efficiency: work that costs more than it needs to (string building in loops, I/O in loops, hoistable work, quadratic membership tests, oversized literals).
//!
//! Codes `CQP001`-`CQP009`. The checks follow the performance pattern
//! checks of the paper's library (arXiv 2506.02211, `pycq_analyzer`) with
//! its severities, minus its known false positives: `count += 1` in a loop
//! is not string building, and only names whose every binding in the scope
//! is a list count as lists.

mod comprehension_in_loop;
mod io_in_loop;
mod list_shift_in_loop;
mod loop_invariant_call;
mod oversized_literal;
mod quadratic_membership;
mod string_concat_in_loop;
mod too_many_call_arguments;
mod too_many_class_attributes;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::name_facts::{self, Kinds};
use super::{checker::Frame, Checker, RuleMeta};
use crate::parse::ast::{Expr, Stmt};
use crate::parse::TextSize;

/// The family's rules; a rule's `index` is its position here.
pub(crate) static RULES: &[&RuleMeta] = &[
    &string_concat_in_loop::META,
    &io_in_loop::META,
    &loop_invariant_call::META,
    &quadratic_membership::META,
    &list_shift_in_loop::META,
    &oversized_literal::META,
    &too_many_call_arguments::META,
    &too_many_class_attributes::META,
    &comprehension_in_loop::META,
];

/// Thresholds of the performance rules. The defaults are the paper's
/// library's: a rule fires when a count is strictly greater than its limit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `too-many-class-attributes` (CQP008) above this many distinct
    /// attributes (default 10).
    pub max_class_attributes: usize,
    /// `oversized-literal` (CQP006) when list/tuple/set/dict displays nest
    /// deeper than this (default 5).
    pub max_literal_nesting: usize,
    /// `oversized-literal` when a dict display has more keys (default 10).
    pub max_dict_keys: usize,
    /// `oversized-literal` when a list display has more elements (default 20).
    pub max_list_elements: usize,
    /// `too-many-call-arguments` (CQP007) above this many positional and
    /// keyword arguments in one call (default 10).
    pub max_call_args: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_class_attributes: 10,
            max_literal_nesting: 5,
            max_dict_keys: 10,
            max_list_elements: 20,
            max_call_args: 10,
        }
    }
}

/// What the family remembers during one traversal: per-scope name kinds
/// and per-loop changed names (computed once, on first need) and the end
/// of the last literal reported, so literals nested in it are not reported
/// again.
#[derive(Debug, Default)]
pub(crate) struct State<'a> {
    kinds: HashMap<usize, Rc<Kinds<'a>>>,
    changes: HashMap<usize, Rc<HashSet<&'a str>>>,
    literal_end: TextSize,
}

/// Called for every statement before its children are walked.
pub(crate) fn enter_stmt<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    match stmt {
        Stmt::AugAssign(a) if ch.enabled(&string_concat_in_loop::META) => {
            string_concat_in_loop::check_aug(ch, a);
        }
        Stmt::Assign(a) => {
            if ch.enabled(&string_concat_in_loop::META) {
                string_concat_in_loop::check_assign(ch, a);
            }
            if ch.enabled(&comprehension_in_loop::META) {
                comprehension_in_loop::check(ch, a);
            }
        }
        Stmt::ClassDef(c) if ch.enabled(&too_many_class_attributes::META) => {
            too_many_class_attributes::check(ch, stmt, c);
        }
        _ => {}
    }
}

/// Called for every statement after its children were walked.
pub(crate) fn leave_stmt<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    let _ = (ch, stmt);
}

/// Called for every expression before its children are walked.
pub(crate) fn on_expr<'a>(ch: &mut Checker<'a>, expr: &'a Expr) {
    match expr {
        Expr::Call(c) => {
            if ch.enabled(&too_many_call_arguments::META) {
                too_many_call_arguments::check(ch, c);
            }
            if !ch.in_loop() && !in_comprehension(ch) {
                return;
            }
            if ch.enabled(&io_in_loop::META) {
                io_in_loop::check(ch, c);
            }
            if ch.enabled(&loop_invariant_call::META) {
                loop_invariant_call::check(ch, c);
            }
            if ch.enabled(&quadratic_membership::META) {
                quadratic_membership::check_call(ch, c);
            }
            if ch.enabled(&list_shift_in_loop::META) {
                list_shift_in_loop::check(ch, c);
            }
        }
        Expr::Compare(c)
            if ch.enabled(&quadratic_membership::META)
                && (ch.in_loop() || in_comprehension(ch)) =>
        {
            quadratic_membership::check_compare(ch, c);
        }
        Expr::List(_) | Expr::Dict(_) | Expr::Tuple(_) | Expr::Set(_)
            if ch.enabled(&oversized_literal::META) =>
        {
            oversized_literal::check(ch, expr);
        }
        _ => {}
    }
}

/// Called once after the whole module was walked.
pub(crate) fn finish<'a>(ch: &mut Checker<'a>, suite: &'a [Stmt]) {
    let _ = (ch, suite);
}

/// Kinds of the names of the innermost function (or the module).
fn kinds<'a>(ch: &mut Checker<'a>) -> Rc<Kinds<'a>> {
    let scope = ch.current_function();
    let key = scope.map_or(0, |s| std::ptr::from_ref(s) as usize);
    let suite: &'a [Stmt] = ch.parsed.suite.as_deref().unwrap_or(&[]);
    ch.performance
        .kinds
        .entry(key)
        .or_insert_with(|| Rc::new(name_facts::scope_kinds(scope, suite)))
        .clone()
}

/// The innermost loop around the current node in the current function,
/// and whether a comprehension or lambda sits between it and the node.
fn innermost_loop<'a>(ch: &Checker<'a>) -> Option<(&'a Stmt, bool)> {
    let mut nested_scope = false;
    for f in ch.stack.iter().rev() {
        match f {
            Frame::Loop(s) => return Some((s, nested_scope)),
            Frame::Comprehension(_) | Frame::Lambda(_) => nested_scope = true,
            Frame::Function(_) | Frame::Class(_) => return None,
            _ => {}
        }
    }
    None
}

/// Names the innermost loop changes on each iteration.
fn loop_changes<'a>(ch: &mut Checker<'a>, lp: &'a Stmt) -> Rc<HashSet<&'a str>> {
    let key = std::ptr::from_ref(lp) as usize;
    ch.performance
        .changes
        .entry(key)
        .or_insert_with(|| Rc::new(name_facts::loop_changes(lp)))
        .clone()
}

/// Whether the current node is inside a comprehension (of the current
/// function): it runs once per element.
fn in_comprehension(ch: &Checker<'_>) -> bool {
    ch.stack
        .iter()
        .rev()
        .take_while(|f| !matches!(f, Frame::Function(_) | Frame::Class(_) | Frame::Lambda(_)))
        .any(|f| matches!(f, Frame::Comprehension(_)))
}
