use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a class with more than `max-parents` (7) ancestors. Bases are followed through the file's classes and, when imports are followed, into the modules it imports; a base that cannot be followed counts nothing; builtin containers, `object` and the `collections`, `collections.abc` and `typing` classes pylint lists are not counted.
///
/// ## Why is this bad?
/// A deep hierarchy spreads one object's behaviour over many places.
///
/// ## Example
/// ```python
/// class H(A):  # A has seven ancestors of its own
///     ...
/// ```
///
/// ## Use instead
/// ```python
/// class H:
///     def __init__(self, a):
///         self.a = a
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "R0901",
    name: "too-many-ancestors",
    family: Family::Design,
    index: 6,
    characteristic: Characteristic::Maintainability,
    cwe: Some(1074),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Too many ancestors (%s/%s)",
};

/// Reports `count` at `range` when it is above `limit`.
pub(crate) fn check(ch: &mut Checker<'_>, range: TextRange, count: usize, limit: usize) {
    if count > limit && ch.enabled(&META) {
        ch.report(
            &META,
            range,
            format!("Too many ancestors ({count}/{limit})"),
        );
    }
}
