use rustpython_parser::ast::Ranged;

use super::{innermost_loop, loop_changes};
use crate::parse::ast::{self, Expr};
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags an O(n) call inside a loop whose arguments the loop never changes:
/// `sorted(x)`, `sum(x)`, `max(x)`, `min(x)`, `set(x)`, `list(x)`,
/// `tuple(x)`, `dict(x)`, `any(x)`, `all(x)`, `x.copy()`, `x.count(v)`
/// with `v` invariant too, and `re.compile` of constants. An argument is
/// invariant when it is a constant or a name that the loop does not
/// rebind, delete, augment, assign into, call a method on or pass to a
/// function that might change it. `len(x)` is O(1) and is not flagged.
///
/// ## Why is this bad?
/// The same result is recomputed on every iteration, turning O(n) work
/// into O(n*m) (CWE-1050).
///
/// ## Example
/// ```python
/// for x in queries:
///     if x > max(values):
///         hits += 1
/// ```
///
/// ## Use instead
/// ```python
/// top = max(values)
/// for x in queries:
///     if x > top:
///         hits += 1
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQP003",
    name: "loop-invariant-call",
    family: Family::Performance,
    index: 2,
    characteristic: Characteristic::PerformanceEfficiency,
    cwe: Some(1050),
    severity: Severity::Low,
    confidence: Confidence::Medium,
    summary: "Loop-invariant O(n) call recomputed on every iteration; hoist it out of the loop",
};

const BUILTINS: &[&str] = &[
    "sorted",
    "sum",
    "max",
    "min",
    "set",
    "frozenset",
    "list",
    "tuple",
    "dict",
    "any",
    "all",
];

/// An invariant call in a loop.
pub(crate) fn check<'a>(ch: &mut Checker<'a>, call: &'a ast::ExprCall) {
    let Some((lp, nested)) = innermost_loop(ch) else {
        return;
    };
    if nested {
        return;
    }
    let name = ch.call_name(call);
    let (what, args): (String, Vec<&Expr>) = match (&*call.func, name.as_deref()) {
        (_, Some("re.compile"))
            if !call.args.is_empty()
                && call.args.iter().all(|a| matches!(a, Expr::Constant(_))) =>
        {
            ("re.compile".to_owned(), Vec::new())
        }
        (Expr::Name(n), _) if BUILTINS.contains(&n.id.as_str()) => {
            if call.args.len() != 1 || !call.keywords.is_empty() {
                return;
            }
            (n.id.to_string(), call.args.iter().collect())
        }
        (Expr::Attribute(a), _) if matches!(a.attr.as_str(), "copy" | "count") => {
            if !matches!(&*a.value, Expr::Name(_)) {
                return;
            }
            let mut v: Vec<&Expr> = vec![&a.value];
            v.extend(call.args.iter());
            (format!(".{}", a.attr), v)
        }
        _ => return,
    };
    let changes = loop_changes(ch, lp);
    let mut has_name = args.is_empty();
    for a in &args {
        match a {
            Expr::Name(n) => {
                if changes.contains(n.id.as_str()) {
                    return;
                }
                has_name = true;
            }
            Expr::Constant(_) => {}
            _ => return,
        }
    }
    if has_name {
        ch.report(
            &META,
            call.range(),
            format!("`{what}(...)` has the same arguments on every iteration; compute it once before the loop"),
        );
    }
}
