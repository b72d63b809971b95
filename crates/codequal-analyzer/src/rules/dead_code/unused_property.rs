use crate::report::{Characteristic, Severity, Span};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a `@property` whose name is never read anywhere in the file (vulture's `unused property`, 60% confidence).
///
/// ## Why is this bad?
/// An unread property is dead code with a misleading attribute-like face.
///
/// ## Example
/// ```python
/// class User:
///     @property
///     def legacy_id(self):
///         return self._id
/// ```
///
/// ## Use instead
/// ```python
/// class User:
///     ...
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQD004",
    name: "unused-property",
    family: Family::DeadCode,
    index: 3,
    characteristic: Characteristic::Maintainability,
    cwe: Some(561),
    severity: Severity::Low,
    confidence: Confidence::Medium,
    summary: "unused property '%s' (60% confidence)",
};

/// Reports `name` with vulture's `confidence` (percent) at `span`.
pub(crate) fn report(ch: &mut Checker<'_>, span: Span, name: &str, confidence: u8) {
    super::report(ch, &META, span, name, confidence);
}
