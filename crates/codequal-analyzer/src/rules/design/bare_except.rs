use crate::parse::ast;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags an `except:` clause without an exception type (pylint W0702),
/// unless its body re-raises.
///
/// ## Why is this bad?
/// A bare `except:` also catches `SystemExit` and `KeyboardInterrupt`, so
/// the program can no longer be stopped, and it hides programming errors.
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
    code: "W0702",
    name: "bare-except",
    family: Family::Design,
    index: 14,
    characteristic: Characteristic::Reliability,
    cwe: Some(396),
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "No exception type(s) specified",
};

/// Reports a bare handler whose body does not `raise`.
pub(crate) fn check(ch: &mut Checker<'_>, handler: &ast::ExceptHandlerExceptHandler) {
    if handler.type_.is_none() && !super::is_raising(&handler.body) {
        ch.report(&META, handler.range, META.summary);
    }
}
