use crate::report::{Characteristic, Severity, Span};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a class whose name is never read anywhere in the file (vulture's `unused class`, 60% confidence).
///
/// ## Why is this bad?
/// An unused class is dead weight that readers must understand before they can tell it is unused.
///
/// ## Example
/// ```python
/// class OldParser:
///     ...
///
/// class Parser:
///     ...
///
/// parser = Parser()
/// ```
///
/// ## Use instead
/// ```python
/// class Parser:
///     ...
///
/// parser = Parser()
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQD002",
    name: "unused-class",
    family: Family::DeadCode,
    index: 1,
    characteristic: Characteristic::Maintainability,
    cwe: Some(561),
    severity: Severity::Low,
    confidence: Confidence::Medium,
    summary: "unused class '%s' (60% confidence)",
};

/// Reports `name` with vulture's `confidence` (percent) at `span`.
pub(crate) fn report(ch: &mut Checker<'_>, span: Span, name: &str, confidence: u8) {
    super::report(ch, &META, span, name, confidence);
}
