use std::cell::RefCell;

use rustpython_parser::ast::Ranged;

use super::infinite_loop::has_exit;
use crate::parse::ast::{self, Expr, Stmt};
use crate::report::{Characteristic, Severity};
use crate::rules::name_facts::{any_expr, base_name, loop_changes};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a `while` loop none of whose condition variables can change in
/// the body, when the body has no `break`, `return` or `raise`. A name
/// counts as changed when the body rebinds it, assigns into it, deletes
/// it, calls a method on it (`queue.popleft()`) or passes it to a function
/// that may mutate it. Conditions that call functions (`while not
/// done():`) are not judged.
///
/// ## Why is this bad?
/// If the condition is true once it stays true: the loop never ends
/// (CWE-835).
///
/// ## Example
/// ```python
/// i = 0
/// while i < len(items):
///     print(items[i])
/// ```
///
/// ## Use instead
/// ```python
/// i = 0
/// while i < len(items):
///     print(items[i])
///     i += 1
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQR008",
    name: "loop-condition-not-updated",
    family: Family::Reliability,
    index: 7,
    characteristic: Characteristic::Reliability,
    cwe: Some(835),
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    summary: "`while` condition variables are never updated in the loop body",
};

/// A `while` loop.
pub(crate) fn check<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt, w: &'a ast::StmtWhile) {
    let names = RefCell::new(Vec::new());
    let mut opaque = false;
    let _ = any_expr(&w.test, &|e| {
        match e {
            Expr::Name(n) => names.borrow_mut().push(n.id.as_str()),
            Expr::Call(c) => {
                // Pure builtins over names (`len(q)`) are judged by their
                // arguments; anything else may change on its own.
                let pure = matches!(&*c.func, Expr::Name(f)
                    if crate::rules::name_facts::PURE_BUILTINS.contains(&f.id.as_str()));
                if !pure {
                    return true;
                }
            }
            Expr::Attribute(a) => {
                if let Some(b) = base_name(&a.value) {
                    names.borrow_mut().push(b);
                }
            }
            Expr::Await(_) | Expr::NamedExpr(_) | Expr::Yield(_) => return true,
            _ => {}
        }
        false
    })
    .then(|| opaque = true);
    let mut names = names.into_inner();
    names.retain(|n| !crate::rules::name_facts::PURE_BUILTINS.contains(n));
    if opaque || names.is_empty() || has_exit(ch, &w.body) {
        return;
    }
    let changes = loop_changes(stmt);
    if names.iter().all(|n| !changes.contains(n)) {
        ch.report(
            &META,
            w.test.range(),
            format!(
                "`while` condition on {} never changes in the loop body",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
}
