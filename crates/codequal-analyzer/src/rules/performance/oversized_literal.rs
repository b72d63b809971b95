use rustpython_parser::ast::Ranged;

use crate::parse::ast::Expr;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags oversized data literals: a dict display with more than
/// `max_dict_keys` keys (default 10), a list display with more than
/// `max_list_elements` elements (default 20), or list/tuple/set/dict
/// displays nested deeper than `max_literal_nesting` (default 5). Only the
/// outermost literal is reported.
///
/// ## Why is this bad?
/// Large inline data is rebuilt every time the expression runs and
/// inflates the code; it belongs in a module constant or a data file
/// (CWE-1043, the paper's thresholds).
///
/// ## Example
/// ```python
/// def grade(score):
///     table = {90: "A", 80: "B", 70: "C", 60: "D", 50: "E", 40: "F", 30: "G", 20: "H", 10: "I", 5: "J", 0: "K"}
///     ...
/// ```
///
/// ## Use instead
/// ```python
/// GRADES = {...}  # once, at module level, or loaded from a file
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQP006",
    name: "oversized-literal",
    family: Family::Performance,
    index: 5,
    characteristic: Characteristic::PerformanceEfficiency,
    cwe: Some(1043),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Oversized or deeply nested data literal",
};

fn nesting(e: &Expr, depth: usize, limit: usize) -> usize {
    if depth > limit + 1 {
        return depth;
    }
    let children: Box<dyn Iterator<Item = &Expr>> = match e {
        Expr::List(l) => Box::new(l.elts.iter()),
        Expr::Tuple(t) => Box::new(t.elts.iter()),
        Expr::Set(s) => Box::new(s.elts.iter()),
        Expr::Dict(d) => Box::new(d.values.iter()),
        _ => return depth - 1,
    };
    children
        .map(|c| nesting(c, depth + 1, limit))
        .max()
        .unwrap_or(depth)
        .max(depth)
}

/// A literal display (outermost ones only).
pub(crate) fn check(ch: &mut Checker<'_>, e: &Expr) {
    if e.start() < ch.performance.literal_end {
        return;
    }
    let s = &ch.config.performance;
    let (max_keys, max_elts, max_nest) =
        (s.max_dict_keys, s.max_list_elements, s.max_literal_nesting);
    let why = match e {
        Expr::Dict(d) if d.keys.len() > max_keys => Some(format!(
            "dict literal with {} keys (limit {max_keys})",
            d.keys.len()
        )),
        Expr::List(l) if l.elts.len() > max_elts => Some(format!(
            "list literal with {} elements (limit {max_elts})",
            l.elts.len()
        )),
        _ => {
            let depth = nesting(e, 1, max_nest);
            (depth > max_nest)
                .then(|| format!("literal nested {depth} levels deep (limit {max_nest})"))
        }
    };
    if let Some(why) = why {
        ch.performance.literal_end = e.end();
        ch.report(&META, e.range(), why);
    }
}
