use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a function that takes more than `max-positional-arguments` (5) positional parameters (positional-only and ordinary ones, without `self`/`cls` and ignored names).
///
/// ## Why is this bad?
/// Six positional values at a call site are easy to pass in the wrong order; keyword-only parameters make calls self-describing.
///
/// ## Example
/// ```python
/// def line(x0, y0, x1, y1, width, colour):
///     ...
/// ```
///
/// ## Use instead
/// ```python
/// def line(x0, y0, x1, y1, *, width, colour):
///     ...
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "R0917",
    name: "too-many-positional-arguments",
    family: Family::Design,
    index: 1,
    characteristic: Characteristic::Maintainability,
    cwe: Some(1064),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Too many positional arguments (%s/%s)",
};

/// Reports `count` at `range` when it is above `limit`.
pub(crate) fn check(ch: &mut Checker<'_>, range: TextRange, count: usize, limit: usize) {
    if count > limit && ch.enabled(&META) {
        ch.report(
            &META,
            range,
            format!("Too many positional arguments ({count}/{limit})"),
        );
    }
}
