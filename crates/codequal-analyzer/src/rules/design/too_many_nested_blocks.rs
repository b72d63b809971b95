use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags more than `max-nested-blocks` (5) nested `if`/`for`/`while`/`try` blocks, with pylint's quirks: an `elif` is not a level, and a `with` body, an `except` handler or a `match` case starts a new count. Reported once per group, at its outermost block.
///
/// ## Why is this bad?
/// Deep nesting hides the condition under which a line runs.
///
/// ## Example
/// ```python
/// for a in xs:
///     if a:
///         for b in a:
///             if b:
///                 while b:
///                     if b.ok:
///                         ...
/// ```
///
/// ## Use instead
/// ```python
/// for b in flat(xs):
///     handle(b)
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "R1702",
    name: "too-many-nested-blocks",
    family: Family::Design,
    index: 11,
    characteristic: Characteristic::Maintainability,
    cwe: Some(1124),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Too many nested blocks (%s/%s)",
};

/// Reports `count` at `range` when it is above `limit`.
pub(crate) fn check(ch: &mut Checker<'_>, range: TextRange, count: usize, limit: usize) {
    if count > limit && ch.enabled(&META) {
        ch.report(
            &META,
            range,
            format!("Too many nested blocks ({count}/{limit})"),
        );
    }
}
