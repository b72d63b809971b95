use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a function with more than `max-statements` (50) statements, counted as pylint does (statements of nested functions count for the enclosing ones too; a docstring does not count; `if` and `try` count their branches).
///
/// ## Why is this bad?
/// A long function does many things; it is hard to name, test and change.
///
/// ## Example
/// ```python
/// def main():
///     # 60 statements
///     ...
/// ```
///
/// ## Use instead
/// ```python
/// def main():
///     config = load()
///     run(config)
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "R0915",
    name: "too-many-statements",
    family: Family::Design,
    index: 5,
    characteristic: Characteristic::Maintainability,
    cwe: Some(1121),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Too many statements (%s/%s)",
};

/// Reports `count` at `range` when it is above `limit`.
pub(crate) fn check(ch: &mut Checker<'_>, range: TextRange, count: usize, limit: usize) {
    if count > limit && ch.enabled(&META) {
        ch.report(
            &META,
            range,
            format!("Too many statements ({count}/{limit})"),
        );
    }
}
