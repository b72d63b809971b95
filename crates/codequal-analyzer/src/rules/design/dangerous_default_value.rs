use rustpython_parser::ast::Ranged;

use crate::parse::ast::{self, Expr};
use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a mutable default value (pylint W0102): a list, dict or set
/// literal, a call of `list`/`dict`/`set` or of a mutable `collections`
/// class, or a module-level name bound once to such a literal.
///
/// ## Why is this bad?
/// A default is evaluated once, when the `def` runs; every call that
/// mutates it changes the default seen by later calls.
///
/// ## Example
/// ```python
/// def append(item, items=[]):
///     items.append(item)
///     return items
/// ```
///
/// ## Use instead
/// ```python
/// def append(item, items=None):
///     items = [] if items is None else items
///     items.append(item)
///     return items
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "W0102",
    name: "dangerous-default-value",
    family: Family::Design,
    index: 13,
    characteristic: Characteristic::Maintainability,
    cwe: Some(665),
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "Dangerous default value %s as argument",
};

/// Mutable classes whose calls pylint reports (`collections.*` by name).
const MUTABLE_CALLS: &[(&str, &str)] = &[
    ("list", "list()"),
    ("dict", "dict()"),
    ("set", "set()"),
    ("collections.deque", "deque()"),
    ("collections.ChainMap", "ChainMap()"),
    ("collections.Counter", "Counter()"),
    ("collections.OrderedDict", "OrderedDict()"),
    ("collections.defaultdict", "defaultdict()"),
    ("collections.UserDict", "UserDict()"),
    ("collections.UserList", "UserList()"),
];

/// What a literal is shown as, and its builtin class.
pub(crate) fn literal_kind(expr: &Expr) -> Option<(&'static str, &'static str)> {
    match expr {
        Expr::List(_) => Some(("[]", "builtins.list")),
        Expr::Dict(_) => Some(("{}", "builtins.dict")),
        Expr::Set(_) => Some(("set()", "builtins.set")),
        _ => None,
    }
}

/// Reports every mutable default of a function, at `def_range`.
pub(crate) fn check<'a>(ch: &mut Checker<'a>, args: &'a ast::Arguments, def_range: TextRange) {
    let defaults = args
        .posonlyargs
        .iter()
        .chain(&args.args)
        .chain(&args.kwonlyargs)
        .filter_map(|a| a.default.as_deref());
    for default in defaults {
        let shown = match default {
            Expr::Call(call) => ch.qualified_name(&call.func).and_then(|name| {
                MUTABLE_CALLS
                    .iter()
                    .find(|(q, _)| *q == name && !super::is_shadowed(ch, q))
                    .map(|(_, shown)| (*shown).to_owned())
            }),
            Expr::Name(n) => {
                super::module_literal(ch, n.id.as_str()).map(|class| format!("{} ({class})", n.id))
            }
            other => literal_kind(other).map(|(shown, _)| shown.to_owned()),
        };
        if let Some(shown) = shown {
            let _ = default.range();
            ch.report(
                &META,
                def_range,
                format!("Dangerous default value {shown} as argument"),
            );
        }
    }
}
