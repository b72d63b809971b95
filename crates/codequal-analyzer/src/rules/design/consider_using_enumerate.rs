use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags `for i in range(len(seq)):` (or `range(0, len(seq))`) whose body
/// indexes `seq[i]` in the same scope (pylint C0200).
///
/// ## Why is this bad?
/// Indexing by position is noisier than iterating and fails for iterables
/// that are not sequences; `enumerate` gives both the index and the item.
///
/// ## Example
/// ```python
/// for i in range(len(names)):
///     print(i, names[i])
/// ```
///
/// ## Use instead
/// ```python
/// for i, name in enumerate(names):
///     print(i, name)
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "C0200",
    name: "consider-using-enumerate",
    family: Family::Design,
    index: 17,
    characteristic: Characteristic::Maintainability,
    cwe: None,
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Consider using enumerate instead of iterating with range and len",
};

/// Reports the loop at `range`.
pub(crate) fn report(ch: &mut Checker<'_>, range: TextRange) {
    ch.report(&META, range, META.summary);
}
