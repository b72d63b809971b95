use rustpython_parser::ast::Ranged;

use crate::parse::ast;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a call with more than `max_call_args` (default 10) positional
/// and keyword arguments together.
///
/// ## Why is this bad?
/// Long argument lists are copied into a frame on every call and usually
/// mean that related values travel separately instead of as one object
/// (the paper's library counts them against performance efficiency).
///
/// ## Example
/// ```python
/// plot(x, y, z, c, s, alpha, marker, label, zorder, edgecolor, linewidth)
/// ```
///
/// ## Use instead
/// ```python
/// style = Style(c, s, alpha, marker, edgecolor, linewidth)
/// plot(points, style, label=label)
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQP007",
    name: "too-many-call-arguments",
    family: Family::Performance,
    index: 6,
    characteristic: Characteristic::PerformanceEfficiency,
    cwe: None,
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Call with too many arguments",
};

/// Any call.
pub(crate) fn check(ch: &mut Checker<'_>, call: &ast::ExprCall) {
    let n = call.args.len() + call.keywords.len();
    let max = ch.config.performance.max_call_args;
    if n > max {
        ch.report(
            &META,
            call.range(),
            format!("call with {n} arguments (limit {max})"),
        );
    }
}
