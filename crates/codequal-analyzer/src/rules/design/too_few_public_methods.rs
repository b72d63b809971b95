use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a class with fewer than `min-public-methods` (2) public methods: its own and its ancestors' (bases defined in the file and, when imports are followed, in the modules it imports); special methods other than `__init__` count. Exception classes, metaclasses, enums, named tuples, typed dicts, dataclasses and subclasses of builtin classes are skipped. A base that cannot be followed contributes no methods, as in pylint when inference fails.
///
/// ## Why is this bad?
/// A class with one method is often a function in disguise.
///
/// ## Example
/// ```python
/// class Adder:
///     def add(self, a, b):
///         return a + b
/// ```
///
/// ## Use instead
/// ```python
/// def add(a, b):
///     return a + b
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "R0903",
    name: "too-few-public-methods",
    family: Family::Design,
    index: 8,
    characteristic: Characteristic::Maintainability,
    cwe: None,
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Too few public methods (%s/%s)",
};

/// Reports `count` at `range` when it is below `limit`.
pub(crate) fn check(ch: &mut Checker<'_>, range: TextRange, count: usize, limit: usize) {
    if count < limit && ch.enabled(&META) {
        ch.report(
            &META,
            range,
            format!("Too few public methods ({count}/{limit})"),
        );
    }
}
