use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a function with more than `max-returns` (6) `return` statements (those of nested functions count for them).
///
/// ## Why is this bad?
/// Many exits make the flow of a function hard to follow.
///
/// ## Example
/// ```python
/// def kind(c):
///     if c == 'a': return 1
///     if c == 'b': return 2
///     ...
/// ```
///
/// ## Use instead
/// ```python
/// KINDS = {'a': 1, 'b': 2}
///
/// def kind(c):
///     return KINDS.get(c, 0)
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "R0911",
    name: "too-many-return-statements",
    family: Family::Design,
    index: 3,
    characteristic: Characteristic::Maintainability,
    cwe: Some(1121),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Too many return statements (%s/%s)",
};

/// Reports `count` at `range` when it is above `limit`.
pub(crate) fn check(ch: &mut Checker<'_>, range: TextRange, count: usize, limit: usize) {
    if count > limit && ch.enabled(&META) {
        ch.report(
            &META,
            range,
            format!("Too many return statements ({count}/{limit})"),
        );
    }
}
