use rustpython_parser::ast::Ranged;

use crate::parse::ast;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags `assert` statements (bandit B101).
///
/// ## Why is this bad?
/// `python -O` removes asserts, so a check written as an assert silently
/// disappears in optimised runs; using one to enforce security or input
/// validation leaves the program open.
///
/// ## Example
/// ```python
/// def withdraw(account, amount):
///     assert amount <= account.balance
///     account.balance -= amount
/// ```
///
/// ## Use instead
/// ```python
/// def withdraw(account, amount):
///     if amount > account.balance:
///         raise ValueError("insufficient funds")
///     account.balance -= amount
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "B101",
    name: "assert-used",
    family: Family::Security,
    index: 0,
    characteristic: Characteristic::Security,
    cwe: Some(703),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Use of assert detected. The enclosed code will be removed when compiling to optimised byte code.",
};

/// Reports every `assert`.
pub(crate) fn check(ch: &mut Checker<'_>, stmt: &ast::StmtAssert) {
    super::emit_default(ch, &META, META.summary, stmt.range(), None);
}
