use crate::report::{Characteristic, Severity, Span};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a method (first parameter `self`, or `@staticmethod`/`@classmethod`) whose name is never read anywhere in the file (vulture's `unused method`, 60% confidence). Special methods (`__x__`) are exempt.
///
/// ## Why is this bad?
/// An uncalled method widens the class's interface for nothing.
///
/// ## Example
/// ```python
/// class Cart:
///     def total(self):
///         ...
///     def legacy_total(self):
///         ...
/// ```
///
/// ## Use instead
/// ```python
/// class Cart:
///     def total(self):
///         ...
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQD003",
    name: "unused-method",
    family: Family::DeadCode,
    index: 2,
    characteristic: Characteristic::Maintainability,
    cwe: Some(561),
    severity: Severity::Low,
    confidence: Confidence::Medium,
    summary: "unused method '%s' (60% confidence)",
};

/// Reports `name` with vulture's `confidence` (percent) at `span`.
pub(crate) fn report(ch: &mut Checker<'_>, span: Span, name: &str, confidence: u8) {
    super::report(ch, &META, span, name, confidence);
}
