use crate::report::{Characteristic, Severity, Span};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags code that can never run (vulture's reachability analysis, 100% confidence): statements after `return`, `raise`, `continue`, `break` or a statement that cannot complete; the body of an `if`/`while` whose condition is always false; the `else` of an `if`, `while` or ternary whose condition is always true; a `try`'s `else` after a body that cannot complete; and an `if` whose condition is always true (redundant).
///
/// ## Why is this bad?
/// Unreachable code is never tested and misleads readers about what can happen.
///
/// ## Example
/// ```python
/// def sign(x):
///     return 1 if x > 0 else -1
///     print('done')
/// ```
///
/// ## Use instead
/// ```python
/// def sign(x):
///     return 1 if x > 0 else -1
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQD007",
    name: "unreachable-code",
    family: Family::DeadCode,
    index: 6,
    characteristic: Characteristic::Maintainability,
    cwe: Some(561),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "unreachable code after 'return' (100% confidence)",
};

/// Reports unreachable code described by `what` at `span`.
pub(crate) fn report(ch: &mut Checker<'_>, span: Span, what: &str) {
    super::report_message(ch, &META, span, format!("{what} (100% confidence)"), 100);
}
