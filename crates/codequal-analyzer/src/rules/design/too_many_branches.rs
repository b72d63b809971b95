use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a function with more than `max-branches` (12) branches, counted as pylint does: `if` 1 (+1 for an `else` that is not an `elif`), `try` one per handler (+1 `else`, +1 `finally`), `for`/`while` 1 (+1 `else`), `match` one per case.
///
/// ## Why is this bad?
/// Every branch doubles the paths a reader and a test suite must cover.
///
/// ## Example
/// ```python
/// def parse(tok):
///     if tok == 'a':
///         ...
///     elif tok == 'b':
///         ...
///     # ... eleven more
///
/// ```
///
/// ## Use instead
/// ```python
/// HANDLERS = {'a': on_a, 'b': on_b}
///
/// def parse(tok):
///     return HANDLERS[tok]()
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "R0912",
    name: "too-many-branches",
    family: Family::Design,
    index: 4,
    characteristic: Characteristic::Maintainability,
    cwe: Some(1121),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Too many branches (%s/%s)",
};

/// Reports `count` at `range` when it is above `limit`.
pub(crate) fn check(ch: &mut Checker<'_>, range: TextRange, count: usize, limit: usize) {
    if count > limit && ch.enabled(&META) {
        ch.report(&META, range, format!("Too many branches ({count}/{limit})"));
    }
}
