use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a class whose methods assign more than `max-attributes` (7) distinct attributes on `self`.
///
/// ## Why is this bad?
/// A class holding many fields has many responsibilities and many invariants to keep.
///
/// ## Example
/// ```python
/// class Config:
///     def __init__(self):
///         self.a = self.b = self.c = self.d = 0
///         self.e = self.f = self.g = self.h = 0
/// ```
///
/// ## Use instead
/// ```python
/// class Config:
///     def __init__(self):
///         self.paths = Paths()
///         self.limits = Limits()
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "R0902",
    name: "too-many-instance-attributes",
    family: Family::Design,
    index: 7,
    characteristic: Characteristic::Maintainability,
    cwe: Some(1074),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Too many instance attributes (%s/%s)",
};

/// Reports `count` at `range` when it is above `limit`.
pub(crate) fn check(ch: &mut Checker<'_>, range: TextRange, count: usize, limit: usize) {
    if count > limit && ch.enabled(&META) {
        ch.report(
            &META,
            range,
            format!("Too many instance attributes ({count}/{limit})"),
        );
    }
}
