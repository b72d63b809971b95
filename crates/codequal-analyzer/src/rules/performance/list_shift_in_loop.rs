use rustpython_parser::ast::Ranged;

use super::kinds;
use crate::parse::ast::{self, Constant, Expr};
use crate::report::{Characteristic, Severity};
use crate::rules::name_facts::kind;
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags `items.pop(0)` and `items.insert(0, x)` inside a loop on a name
/// that is not a `deque`, and `items.remove(x)` on a name that is only
/// ever a list.
///
/// ## Why is this bad?
/// Each of these shifts every element of the list: O(n) per call, O(n^2)
/// over the loop (CWE-1050). `collections.deque` pops and pushes at both
/// ends in O(1).
///
/// ## Example
/// ```python
/// while queue:
///     node = queue.pop(0)
/// ```
///
/// ## Use instead
/// ```python
/// queue = deque(queue)
/// while queue:
///     node = queue.popleft()
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQP005",
    name: "list-shift-in-loop",
    family: Family::Performance,
    index: 4,
    characteristic: Characteristic::PerformanceEfficiency,
    cwe: Some(1050),
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    summary: "O(n) list shift (pop(0), insert(0, x), remove(x)) inside a loop; use collections.deque or a set",
};

fn is_zero(e: &Expr) -> bool {
    matches!(e, Expr::Constant(c) if matches!(&c.value, Constant::Int(i) if i.to_string() == "0"))
}

/// A list shift in a loop.
pub(crate) fn check<'a>(ch: &mut Checker<'a>, call: &'a ast::ExprCall) {
    let Expr::Attribute(a) = &*call.func else {
        return;
    };
    let Expr::Name(n) = &*a.value else { return };
    let method = a.attr.as_str();
    let shape = match method {
        "pop" => call.args.len() == 1 && is_zero(&call.args[0]),
        "insert" => call.args.len() == 2 && is_zero(&call.args[0]),
        "remove" => call.args.len() == 1,
        _ => false,
    };
    if !shape {
        return;
    }
    let kinds = kinds(ch);
    let k = kinds.get(n.id.as_str()).copied().unwrap_or(0);
    let flagged = if method == "remove" {
        k != 0 && k & !kind::LIST == 0
    } else {
        // `deque.pop(0)` is a TypeError, so a `pop(0)` that runs is a
        // list's; `deque.insert(0, x)` is O(1).
        k & kind::DEQUE == 0
    };
    if flagged {
        ch.report(
            &META,
            call.range(),
            format!(
                "`{}.{method}(...)` shifts the whole list on every iteration",
                n.id
            ),
        );
    }
}
