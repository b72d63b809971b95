use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags an `if` whose condition is a boolean operation with more than `max-bool-expr` (5) operands (nested `and`/`or` flattened).
///
/// ## Why is this bad?
/// A long condition is hard to read and to test exhaustively.
///
/// ## Example
/// ```python
/// if a and b and c and d and e and f:
///     ...
/// ```
///
/// ## Use instead
/// ```python
/// ready = all((a, b, c, d, e, f))
/// if ready:
///     ...
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "R0916",
    name: "too-many-boolean-expressions",
    family: Family::Design,
    index: 10,
    characteristic: Characteristic::Maintainability,
    cwe: Some(1121),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Too many boolean expressions in if statement (%s/%s)",
};

/// Reports `count` at `range` when it is above `limit`.
pub(crate) fn check(ch: &mut Checker<'_>, range: TextRange, count: usize, limit: usize) {
    if count > limit && ch.enabled(&META) {
        ch.report(
            &META,
            range,
            format!("Too many boolean expressions in if statement ({count}/{limit})"),
        );
    }
}
