use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a class that defines more than `max-public-methods` (20) public methods itself.
///
/// ## Why is this bad?
/// A wide interface is hard to learn and usually mixes several concerns.
///
/// ## Example
/// ```python
/// class Everything:
///     def m1(self): ...
///     # ... m21
/// ```
///
/// ## Use instead
/// ```python
/// class Reader: ...
/// class Writer: ...
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "R0904",
    name: "too-many-public-methods",
    family: Family::Design,
    index: 9,
    characteristic: Characteristic::Maintainability,
    cwe: Some(1086),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Too many public methods (%s/%s)",
};

/// Reports `count` at `range` when it is above `limit`.
pub(crate) fn check(ch: &mut Checker<'_>, range: TextRange, count: usize, limit: usize) {
    if count > limit && ch.enabled(&META) {
        ch.report(
            &META,
            range,
            format!("Too many public methods ({count}/{limit})"),
        );
    }
}
