use rustpython_parser::ast::Ranged;

use super::kinds;
use crate::parse::ast::{self, CmpOp, Expr};
use crate::report::{Characteristic, Severity};
use crate::rules::name_facts::{kind, only};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags linear searches of a list inside a loop or comprehension: `x in
/// items` / `x not in items`, `items.index(x)` and `items.count(x)` where
/// every binding of `items` in the scope is a list (built at run time or
/// annotated `list`), and `in` on a list built on the spot (`list(...)`,
/// `sorted(...)`, a list comprehension). Short list displays of constants
/// are cheap and not flagged.
///
/// ## Why is this bad?
/// A list search is O(n); inside a loop it makes the whole O(n*m)
/// (CWE-407). A set or dict answers the same question in O(1).
///
/// ## Example
/// ```python
/// seen = []
/// for x in items:
///     if x not in seen:
///         seen.append(x)
/// ```
///
/// ## Use instead
/// ```python
/// seen = set()
/// for x in items:
///     if x not in seen:
///         seen.add(x)
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQP004",
    name: "quadratic-membership",
    family: Family::Performance,
    index: 3,
    characteristic: Characteristic::PerformanceEfficiency,
    cwe: Some(407),
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    summary: "Linear list search inside a loop (quadratic); use a set or dict",
};

/// `x in list` in a loop.
pub(crate) fn check_compare<'a>(ch: &mut Checker<'a>, c: &'a ast::ExprCompare) {
    for (op, right) in c.ops.iter().zip(&c.comparators) {
        if !matches!(op, CmpOp::In | CmpOp::NotIn) {
            continue;
        }
        let hit = match right {
            Expr::Name(n) => {
                let kinds = kinds(ch);
                only(&kinds, n.id.as_str(), kind::LIST).then(|| format!("`{}`", n.id))
            }
            Expr::ListComp(_) => Some("a list comprehension".to_owned()),
            Expr::Call(call) => match &*call.func {
                Expr::Name(f) if matches!(f.id.as_str(), "list" | "sorted") => {
                    Some(format!("`{}(...)`", f.id))
                }
                _ => None,
            },
            _ => None,
        };
        if let Some(what) = hit {
            ch.report(
                &META,
                c.range(),
                format!("membership test on list {what} inside a loop is O(n) per test; use a set"),
            );
            return;
        }
    }
}

/// `items.index(x)` / `items.count(x)` in a loop.
pub(crate) fn check_call<'a>(ch: &mut Checker<'a>, call: &'a ast::ExprCall) {
    let Expr::Attribute(a) = &*call.func else {
        return;
    };
    if !matches!(a.attr.as_str(), "index" | "count") || call.args.len() != 1 {
        return;
    }
    let Expr::Name(n) = &*a.value else { return };
    let kinds = kinds(ch);
    if only(&kinds, n.id.as_str(), kind::LIST) {
        ch.report(
            &META,
            call.range(),
            format!(
                "`{}.{}(...)` scans the list inside a loop; keep a dict or Counter instead",
                n.id, a.attr
            ),
        );
    }
}
