use rustpython_parser::ast::Ranged;

use crate::parse::ast;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags `except:` with no exception type.
///
/// ## Why is this bad?
/// It catches everything, `KeyboardInterrupt` and `SystemExit` included,
/// and hides programming errors along with the fault it meant to handle
/// (CWE-396).
///
/// ## Example
/// ```python
/// try:
///     value = int(text)
/// except:
///     value = 0
/// ```
///
/// ## Use instead
/// ```python
/// try:
///     value = int(text)
/// except ValueError:
///     value = 0
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQR001",
    name: "bare-except",
    family: Family::Reliability,
    index: 0,
    characteristic: Characteristic::Reliability,
    cwe: Some(396),
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "Bare `except:` catches every exception, including KeyboardInterrupt and SystemExit",
};

/// An `except` handler.
pub(crate) fn check(ch: &mut Checker<'_>, h: &ast::ExceptHandlerExceptHandler) {
    if h.type_.is_none() {
        ch.report(&META, handler_head(h), META.summary);
    }
}

/// The range of a handler's `except ...:` line (its first statement's
/// line is not part of it).
pub(crate) fn handler_head(h: &ast::ExceptHandlerExceptHandler) -> crate::parse::TextRange {
    let end = h
        .type_
        .as_deref()
        .map_or_else(|| h.start() + crate::parse::TextSize::from(6), Ranged::end);
    crate::parse::TextRange::new(h.start(), end)
}
