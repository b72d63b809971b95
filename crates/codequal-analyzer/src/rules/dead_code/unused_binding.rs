use crate::report::{Characteristic, Severity, Span};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a variable (60% confidence) or function parameter (100% confidence) whose name is never read anywhere in the file (vulture's `unused variable`). Names starting with one underscore, special names, `self` and `object` are exempt.
///
/// ## Why is this bad?
/// A value computed and never read is wasted work and usually a bug (the wrong name read instead).
///
/// ## Example
/// ```python
/// def area(w, h, unit):
///     result = w * h
///     return w * h
/// ```
///
/// ## Use instead
/// ```python
/// def area(w, h):
///     return w * h
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQD005",
    name: "unused-binding",
    family: Family::DeadCode,
    index: 4,
    characteristic: Characteristic::Maintainability,
    cwe: Some(561),
    severity: Severity::Low,
    confidence: Confidence::Medium,
    summary: "unused variable '%s' (60% confidence)",
};

/// Reports `name` with vulture's `confidence` (percent) at `span`.
pub(crate) fn report(ch: &mut Checker<'_>, span: Span, name: &str, confidence: u8) {
    super::report(ch, &META, span, name, confidence);
}
