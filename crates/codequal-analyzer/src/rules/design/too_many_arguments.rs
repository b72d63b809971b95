use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a function or method that takes more than `max-args` (5) arguments. Like pylint, `self`/`cls` of a method and names matching `ignored-argument-names` (`_.*|^ignored_|^unused_`) are not counted; `*args` and `**kwargs` are not counted either.
///
/// ## Why is this bad?
/// A long parameter list is hard to call correctly and usually means the function does several things.
///
/// ## Example
/// ```python
/// def area(x0, y0, x1, y1, unit, precision):
///     ...
/// ```
///
/// ## Use instead
/// ```python
/// def area(box, unit, precision):
///     ...
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "R0913",
    name: "too-many-arguments",
    family: Family::Design,
    index: 0,
    characteristic: Characteristic::Maintainability,
    cwe: Some(1064),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Too many arguments (%s/%s)",
};

/// Reports `count` at `range` when it is above `limit`.
pub(crate) fn check(ch: &mut Checker<'_>, range: TextRange, count: usize, limit: usize) {
    if count > limit && ch.enabled(&META) {
        ch.report(
            &META,
            range,
            format!("Too many arguments ({count}/{limit})"),
        );
    }
}
