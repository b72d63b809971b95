use crate::report::{Characteristic, Severity, Span};
use crate::rules::{Checker, Confidence, Family, RuleMeta};
use crate::Finding;

/// ## What it does
/// Flags a function parameter that the function never reads (pylint
/// W0613), with pylint's exemptions: the first parameter of a method,
/// parameters of special methods other than `__init__`/`__new__`, of
/// abstract methods and of functions whose body only raises, of methods
/// overriding a base method (in the file or, when imports are followed,
/// in an imported module) that has the same parameter, of
/// callbacks (`cb_*`, `*_cb`), overload stubs, `@x.register` functions and
/// protocol classes, and names matching `_.*|^ignored_|^unused_`.
///
/// ## Why is this bad?
/// An unused parameter is dead code at every call site: callers compute and
/// pass a value that has no effect, and readers look for a use that is not
/// there.
///
/// ## Example
/// ```python
/// def greet(name, punctuation):
///     return "Hello " + name
/// ```
///
/// ## Use instead
/// ```python
/// def greet(name):
///     return "Hello " + name
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "W0613",
    name: "unused-argument",
    family: Family::Design,
    index: 12,
    characteristic: Characteristic::Maintainability,
    cwe: Some(561),
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "Unused argument %r",
};

/// Reports parameter `name` at `span`.
pub(crate) fn report(ch: &mut Checker<'_>, name: &str, span: Span) {
    ch.report_finding(Finding::from_rule(
        &META,
        span,
        format!("Unused argument '{name}'"),
    ));
}
