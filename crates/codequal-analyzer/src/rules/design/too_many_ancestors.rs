use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a class with more than `max-parents` (7) ancestors. Single-file semantics: classes defined in the file are followed through their bases; a base the file cannot resolve (an imported class) counts as one ancestor; builtin containers and `object` are ignored as in pylint.
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
