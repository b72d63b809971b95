use rustpython_parser::ast::Ranged;

use crate::parse::ast::{self, Expr};
use crate::report::{Characteristic, Severity};
use crate::rules::checker::Frame;
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags `raise NewError(...)` inside an `except` handler without `from`
/// (`from err` or `from None`). Re-raising (`raise`, `raise err` of the
/// caught exception) is not flagged.
///
/// ## Why is this bad?
/// The new exception reads as if it happened while handling the old one
/// ("During handling of the above exception, another exception
/// occurred"), hiding the causal chain from whoever debugs it (CWE-703;
/// pylint W0707).
///
/// ## Example
/// ```python
/// try:
///     port = int(text)
/// except ValueError:
///     raise ConfigError("bad port")
/// ```
///
/// ## Use instead
/// ```python
/// try:
///     port = int(text)
/// except ValueError as err:
///     raise ConfigError("bad port") from err
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQR006",
    name: "raise-without-from",
    family: Family::Reliability,
    index: 5,
    characteristic: Characteristic::Reliability,
    cwe: Some(703),
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "Exception raised in an `except` block without `from`",
};

/// A `raise` statement.
pub(crate) fn check(ch: &mut Checker<'_>, r: &ast::StmtRaise) {
    let (Some(exc), None) = (r.exc.as_deref(), r.cause.as_deref()) else {
        return;
    };
    let handler = ch
        .stack
        .iter()
        .rev()
        .take_while(|f| !matches!(f, Frame::Function(_) | Frame::Class(_) | Frame::Lambda(_)))
        .find_map(|f| match f {
            Frame::Handler(h) => Some(*h),
            _ => None,
        });
    let Some(h) = handler else { return };
    if let (Expr::Name(n), Some(bound)) = (exc, &h.name) {
        if n.id == *bound {
            return;
        }
    }
    ch.report(&META, r.range(), META.summary);
}
