use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a function with more than `max-locals` (15) local names. As in pylint (astroid's `locals`), parameters count, and so do names bound by assignments, loops, `with`/`except` targets, imports and nested `def`/`class` statements; `global` names, comprehension variables and `_` do not, and ignored argument names are subtracted.
///
/// ## Why is this bad?
/// A function juggling many names at once is hard to hold in one's head; it is usually several functions.
///
/// ## Example
/// ```python
/// def report(rows):
///     a = b = c = d = e = f = g = h = i = j = k = l = m = n = o = p = 0
///     ...
/// ```
///
/// ## Use instead
/// ```python
/// def report(rows):
///     totals = summarize(rows)
///     ...
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "R0914",
    name: "too-many-locals",
    family: Family::Design,
    index: 2,
    characteristic: Characteristic::Maintainability,
    cwe: Some(1121),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Too many local variables (%s/%s)",
};

/// Reports `count` at `range` when it is above `limit`.
pub(crate) fn check(ch: &mut Checker<'_>, range: TextRange, count: usize, limit: usize) {
    if count > limit && ch.enabled(&META) {
        ch.report(
            &META,
            range,
            format!("Too many local variables ({count}/{limit})"),
        );
    }
}
