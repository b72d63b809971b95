use rustpython_parser::ast::Ranged;

use crate::parse::ast::{self, Expr};
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags `except Exception:` and `except BaseException:` (also inside a
/// tuple of types, or through a module-level alias such as `Broad =
/// Exception`) whose body does not re-raise (pylint W0718).
///
/// ## Why is this bad?
/// Catching every exception hides bugs (a `NameError` or `TypeError` is
/// swallowed like the expected failure) and makes failures silent.
///
/// ## Example
/// ```python
/// try:
///     data = load(path)
/// except Exception:
///     data = None
/// ```
///
/// ## Use instead
/// ```python
/// try:
///     data = load(path)
/// except (OSError, ValueError):
///     data = None
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "W0718",
    name: "broad-exception-caught",
    family: Family::Design,
    index: 15,
    characteristic: Characteristic::Reliability,
    cwe: Some(396),
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "Catching too general exception %s",
};

/// Reports each overgeneral class named in the handler's type.
pub(crate) fn check(ch: &mut Checker<'_>, handler: &ast::ExceptHandlerExceptHandler) {
    let Some(type_) = handler.type_.as_deref() else {
        return;
    };
    if super::is_raising(&handler.body) {
        return;
    }
    let parts: Vec<&Expr> = match type_ {
        Expr::Tuple(t) => t.elts.iter().collect(),
        other => vec![other],
    };
    for part in parts {
        // `E = BaseException` at module level, then `except E:`.
        let part = super::through_alias(ch, part);
        let Some(name) = ch.qualified_name(part) else {
            continue;
        };
        let name = name.strip_prefix("builtins.").unwrap_or(&name);
        if matches!(name, "Exception" | "BaseException") && !super::is_shadowed(ch, name) {
            let message = format!("Catching too general exception {name}");
            ch.report(&META, type_.range(), message);
        }
    }
}
