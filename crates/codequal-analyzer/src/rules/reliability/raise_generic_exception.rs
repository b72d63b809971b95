use rustpython_parser::ast::Ranged;

use crate::parse::ast::{self, Expr};
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags `raise Exception(...)` and `raise BaseException(...)`.
///
/// ## Why is this bad?
/// Callers cannot catch this failure without catching every other one too,
/// which forces the broad handlers that hide bugs (CWE-397).
///
/// ## Example
/// ```python
/// if amount < 0:
///     raise Exception("negative amount")
/// ```
///
/// ## Use instead
/// ```python
/// if amount < 0:
///     raise ValueError("negative amount")
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQR011",
    name: "raise-generic-exception",
    family: Family::Reliability,
    index: 10,
    characteristic: Characteristic::Reliability,
    cwe: Some(397),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Raising a generic Exception; raise a specific exception class",
};

/// A `raise` statement.
pub(crate) fn check(ch: &mut Checker<'_>, r: &ast::StmtRaise) {
    let Some(exc) = r.exc.as_deref() else { return };
    let class = match exc {
        Expr::Call(c) => &*c.func,
        other => other,
    };
    if matches!(
        ch.qualified_name(class).as_deref(),
        Some("Exception" | "BaseException")
    ) {
        ch.report(&META, r.range(), META.summary);
    }
}
