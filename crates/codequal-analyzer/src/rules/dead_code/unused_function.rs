use crate::report::{Characteristic, Severity, Span};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a function (not a method) whose name is never read anywhere in the file (vulture's `unused function`, 60% confidence).
///
/// ## Why is this bad?
/// Code that nothing calls still has to be read, maintained and kept compiling; it misleads readers about what the program does.
///
/// ## Example
/// ```python
/// def helper():
///     return 1
///
/// def main():
///     return 2
/// ```
///
/// ## Use instead
/// ```python
/// def main():
///     return 2
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQD001",
    name: "unused-function",
    family: Family::DeadCode,
    index: 0,
    characteristic: Characteristic::Maintainability,
    cwe: Some(561),
    severity: Severity::Low,
    confidence: Confidence::Medium,
    summary: "unused function '%s' (60% confidence)",
};

/// Reports `name` with vulture's `confidence` (percent) at `span`.
pub(crate) fn report(ch: &mut Checker<'_>, span: Span, name: &str, confidence: u8) {
    super::report(ch, &META, span, name, confidence);
}
