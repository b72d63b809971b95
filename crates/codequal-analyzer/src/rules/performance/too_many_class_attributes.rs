use std::collections::HashSet;

use rustpython_parser::ast::Ranged;

use crate::parse::ast::{self, Expr, Stmt};
use crate::report::{Characteristic, Severity};
use crate::rules::name_facts::any_stmt;
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a class with more than `max_class_attributes` (default 10)
/// distinct attributes: names assigned in the class body plus `self.x`
/// targets assigned in its methods.
///
/// ## Why is this bad?
/// Every instance carries every attribute; wide objects cost memory and
/// usually hold several responsibilities (CWE-1043).
///
/// ## Example
/// ```python
/// class Order:
///     def __init__(self):
///         self.a = ...  # eleven or more attributes
/// ```
///
/// ## Use instead
/// Group related attributes into smaller objects (or a `__slots__`
/// dataclass).
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQP008",
    name: "too-many-class-attributes",
    family: Family::Performance,
    index: 7,
    characteristic: Characteristic::PerformanceEfficiency,
    cwe: Some(1043),
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Class with too many attributes",
};

fn self_attrs<'a>(target: &'a Expr, out: &mut HashSet<&'a str>) {
    match target {
        Expr::Attribute(a) if matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "self") => {
            out.insert(a.attr.as_str());
        }
        Expr::Tuple(t) => t.elts.iter().for_each(|e| self_attrs(e, out)),
        Expr::List(t) => t.elts.iter().for_each(|e| self_attrs(e, out)),
        _ => {}
    }
}

/// A class statement.
pub(crate) fn check(ch: &mut Checker<'_>, stmt: &Stmt, c: &ast::StmtClassDef) {
    let mut attrs: HashSet<&str> = HashSet::new();
    for s in &c.body {
        match s {
            Stmt::Assign(a) => a.targets.iter().for_each(|t| {
                if let Expr::Name(n) = t {
                    attrs.insert(n.id.as_str());
                }
            }),
            Stmt::AnnAssign(a) => {
                if let Expr::Name(n) = &*a.target {
                    attrs.insert(n.id.as_str());
                }
            }
            Stmt::FunctionDef(f) => collect(&f.body, &mut attrs),
            Stmt::AsyncFunctionDef(f) => collect(&f.body, &mut attrs),
            _ => {}
        }
    }
    let max = ch.config.performance.max_class_attributes;
    if attrs.len() > max {
        ch.report(
            &META,
            stmt.range(),
            format!(
                "class `{}` has {} attributes (limit {max})",
                c.name,
                attrs.len()
            ),
        );
    }
}

fn collect<'a>(body: &'a [Stmt], attrs: &mut HashSet<&'a str>) {
    // `any_stmt` visits every statement; the predicate records targets and
    // never matches, so the whole body is seen.
    let cell = std::cell::RefCell::new(HashSet::new());
    any_stmt(body, true, &|s| {
        let mut set = cell.borrow_mut();
        match s {
            Stmt::Assign(a) => a.targets.iter().for_each(|t| self_attrs(t, &mut set)),
            Stmt::AugAssign(a) => self_attrs(&a.target, &mut set),
            Stmt::AnnAssign(a) => self_attrs(&a.target, &mut set),
            _ => {}
        }
        false
    });
    attrs.extend(cell.into_inner());
}
