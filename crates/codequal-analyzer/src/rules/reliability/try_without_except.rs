use rustpython_parser::ast::Ranged;

use crate::parse::ast::{Expr, Stmt};
use crate::report::{Characteristic, Severity};
use crate::rules::name_facts::body_has_expr;
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags `try: ... finally: ...` without any `except` handler whose
/// `finally` block releases nothing (no call of `close`, `release`,
/// `unlock`, `shutdown`, `terminate`, `kill`, `cleanup`, `remove`,
/// `unlink`, `rmtree`, `join`, `cancel`, `reset` or `restore`). A
/// `finally` that releases a resource is the correct way to guard it and
/// is not flagged.
///
/// ## Why is this bad?
/// The block anticipates failure but handles none: errors pass through
/// unexamined while the `finally` runs code that may assume success
/// (CWE-703; the paper's library's "try with no handler", low).
///
/// ## Example
/// ```python
/// try:
///     result = compute()
/// finally:
///     print("done")
/// ```
///
/// ## Use instead
/// ```python
/// try:
///     result = compute()
/// except ComputeError:
///     log.exception("compute failed")
///     raise
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQR005",
    name: "try-without-except",
    family: Family::Reliability,
    index: 4,
    characteristic: Characteristic::Reliability,
    cwe: Some(703),
    severity: Severity::Low,
    confidence: Confidence::Low,
    summary: "`try` without an exception handler and without resource release in `finally`",
};

const RELEASES: &[&str] = &[
    "close",
    "release",
    "unlock",
    "shutdown",
    "terminate",
    "kill",
    "cleanup",
    "remove",
    "unlink",
    "rmtree",
    "join",
    "cancel",
    "reset",
    "restore",
];

/// A `try` with no handlers.
pub(crate) fn check(ch: &mut Checker<'_>, stmt: &Stmt, finalbody: &[Stmt]) {
    let releases = body_has_expr(finalbody, &|e| {
        let Expr::Call(c) = e else { return false };
        let name = match &*c.func {
            Expr::Attribute(a) => a.attr.as_str(),
            Expr::Name(n) => n.id.as_str(),
            _ => return false,
        };
        RELEASES
            .iter()
            .any(|r| name == *r || name.ends_with(&format!("_{r}")))
    });
    if !releases {
        let start = stmt.start();
        ch.report(
            &META,
            crate::parse::TextRange::new(start, start + crate::parse::TextSize::from(3)),
            META.summary,
        );
    }
}
