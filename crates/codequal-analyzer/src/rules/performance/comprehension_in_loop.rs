use rustpython_parser::ast::Ranged;

use crate::parse::ast::{self, Expr};
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a list, set or dict comprehension assigned to a name inside a
/// loop (the paper's library's low-severity check).
///
/// ## Why is this bad?
/// A whole new collection is materialised on every iteration; when it
/// does not depend on the loop variable it can be built once, and when it
/// does, a generator or an incremental update is often enough (CWE-1050).
///
/// ## Example
/// ```python
/// for q in queries:
///     evens = [x for x in data if x % 2 == 0]
///     total += len(evens) * q
/// ```
///
/// ## Use instead
/// ```python
/// evens = [x for x in data if x % 2 == 0]
/// for q in queries:
///     total += len(evens) * q
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQP009",
    name: "comprehension-in-loop",
    family: Family::Performance,
    index: 8,
    characteristic: Characteristic::PerformanceEfficiency,
    cwe: Some(1050),
    severity: Severity::Low,
    confidence: Confidence::Low,
    summary: "Comprehension materialised on every iteration of a loop",
};

/// An assignment in a loop.
pub(crate) fn check(ch: &mut Checker<'_>, a: &ast::StmtAssign) {
    if !ch.in_loop() {
        return;
    }
    if matches!(
        &*a.value,
        Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_)
    ) {
        ch.report(&META, a.range(), META.summary);
    }
}
