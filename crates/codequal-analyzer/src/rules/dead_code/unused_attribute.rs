use crate::report::{Characteristic, Severity, Span};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags an attribute that is assigned (`obj.name = ...`) but whose name is never read anywhere in the file (vulture's `unused attribute`, 60% confidence).
///
/// ## Why is this bad?
/// State that is written and never read costs memory and attention and hides which fields matter.
///
/// ## Example
/// ```python
/// class Job:
///     def __init__(self):
///         self.started = time.time()
/// ```
///
/// ## Use instead
/// ```python
/// class Job:
///     def __init__(self):
///         pass
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQD006",
    name: "unused-attribute",
    family: Family::DeadCode,
    index: 5,
    characteristic: Characteristic::Maintainability,
    cwe: Some(561),
    severity: Severity::Low,
    confidence: Confidence::Medium,
    summary: "unused attribute '%s' (60% confidence)",
};

/// Reports `name` with vulture's `confidence` (percent) at `span`.
pub(crate) fn report(ch: &mut Checker<'_>, span: Span, name: &str, confidence: u8) {
    super::report(ch, &META, span, name, confidence);
}
