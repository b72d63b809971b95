use rustpython_parser::ast::Ranged;

use crate::parse::ast::{self, Expr};
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a parameter default that is a mutable object: a list, dict or set
/// display or comprehension, or a call of `list`, `dict`, `set`,
/// `bytearray`, `collections.defaultdict`, `deque`, `OrderedDict` or
/// `Counter`.
///
/// ## Why is this bad?
/// The default is built once, when the function is defined, and shared by
/// every call: a mutation in one call leaks into the next (pylint W0102).
///
/// ## Example
/// ```python
/// def add(item, bucket=[]):
///     bucket.append(item)
///     return bucket
/// ```
///
/// ## Use instead
/// ```python
/// def add(item, bucket=None):
///     if bucket is None:
///         bucket = []
///     bucket.append(item)
///     return bucket
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQR010",
    name: "mutable-default-argument",
    family: Family::Reliability,
    index: 9,
    characteristic: Characteristic::Reliability,
    cwe: None,
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "Mutable default argument is shared between calls",
};

const MUTABLE_CALLS: &[&str] = &[
    "list",
    "dict",
    "set",
    "bytearray",
    "collections.defaultdict",
    "collections.deque",
    "collections.OrderedDict",
    "collections.Counter",
    "defaultdict",
    "deque",
    "OrderedDict",
    "Counter",
];

/// A function's parameters.
pub(crate) fn check(ch: &mut Checker<'_>, args: &ast::Arguments) {
    for a in args
        .posonlyargs
        .iter()
        .chain(&args.args)
        .chain(&args.kwonlyargs)
    {
        let Some(d) = a.default.as_deref() else {
            continue;
        };
        let mutable = match d {
            Expr::List(_)
            | Expr::Dict(_)
            | Expr::Set(_)
            | Expr::ListComp(_)
            | Expr::DictComp(_)
            | Expr::SetComp(_) => true,
            Expr::Call(c) => ch
                .call_name(c)
                .is_some_and(|n| MUTABLE_CALLS.contains(&n.as_str())),
            _ => false,
        };
        if mutable {
            ch.report(
                &META,
                d.range(),
                format!(
                    "mutable default for parameter `{}` is shared between calls",
                    a.def.arg
                ),
            );
        }
    }
}
