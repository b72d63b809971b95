use crate::report::{Characteristic, Severity, Span};
use crate::rules::{Confidence, Family, RuleMeta};
use crate::Finding;

/// ## What it does
/// Flags a name that a function binds and never reads (pylint W0612): an
/// assignment, a loop or unpacking target (`for i in ...`, `a, b = ...`,
/// `first, *rest = ...`), a bare annotation (`x: int`), a `with ... as`
/// or `except ... as` name, a walrus target, a nested `def` or `class`. It
/// is reported at the name's first binding, and only when no load in the
/// function ever read any of its bindings (pylint judges the name: `x = 1;
/// print(x); del x; x = 2` is not reported). Imports are left to
/// unused-import and parameters to unused-argument; names matching
/// pylint's `dummy-variables-rgx` (`_`, `_x`, `dummy*`, `ignored_*`,
/// `unused_*`) and every name of a function that calls `locals()` are
/// exempt. Module and class scopes are not checked.
///
/// Unlike pyflakes' F841, loop and unpacking targets count: that is the
/// difference between the two tools' messages, and the one the paper's
/// library sees, because it runs pylint.
///
/// ## Why is this bad?
/// A name that is bound and never read is dead code at best; at worst it
/// is a typo, a result that was meant to be returned, or a loop whose
/// variable should have been used.
///
/// ## Example
/// ```python
/// def total(pairs):
///     result = 0
///     for key, value in pairs:
///         count = len(pairs)
///         result += value
///     return result
/// ```
///
/// ## Use instead
/// ```python
/// def total(pairs):
///     result = 0
///     for _key, value in pairs:
///         result += value
///     return result
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "W0612",
    name: "unused-variable",
    family: Family::Design,
    index: 18,
    characteristic: Characteristic::Maintainability,
    cwe: Some(563),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Unused variable %r",
};

/// The finding for `name` at `span` (computed by the pyflakes scopes).
pub(crate) fn finding(name: &str, span: Span) -> Finding {
    Finding::from_rule(&META, span, format!("Unused variable '{name}'"))
}
