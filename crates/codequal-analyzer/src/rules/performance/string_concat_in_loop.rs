use rustpython_parser::ast::Ranged;

use super::kinds;
use crate::parse::ast::{self, Expr, Operator};
use crate::report::{Characteristic, Finding, Severity};
use crate::rules::name_facts::{expr_kind, kind, only};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a string built up with `+=` or `s = s + ...` inside a loop: the
/// target is a name whose bindings in the scope are all strings, or the
/// added value is itself a string. `count += 1` is not flagged.
///
/// ## Why is this bad?
/// Strings are immutable: each concatenation copies everything built so
/// far, so building a string of n pieces costs O(n^2) (CWE-1046).
///
/// ## Example
/// ```python
/// out = ""
/// for word in words:
///     out += word + " "
/// ```
///
/// ## Use instead
/// ```python
/// out = " ".join(words)
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQP001",
    name: "string-concat-in-loop",
    family: Family::Performance,
    index: 0,
    characteristic: Characteristic::PerformanceEfficiency,
    cwe: Some(1046),
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    summary: "String built by concatenation in a loop (quadratic copying); collect the parts and use str.join",
};

/// `s += <str>` in a loop.
pub(crate) fn check_aug(ch: &mut Checker<'_>, a: &ast::StmtAugAssign) {
    if a.op != Operator::Add || !ch.in_loop() {
        return;
    }
    let Expr::Name(n) = &*a.target else { return };
    let kinds = kinds(ch);
    if only(&kinds, n.id.as_str(), kind::STR) || expr_kind(&a.value) == kind::STR {
        report(ch, a.range());
    }
}

/// `s = s + <str>` in a loop.
pub(crate) fn check_assign(ch: &mut Checker<'_>, a: &ast::StmtAssign) {
    if !ch.in_loop() {
        return;
    }
    let [Expr::Name(t)] = &a.targets[..] else {
        return;
    };
    let Expr::BinOp(b) = &*a.value else { return };
    if b.op != Operator::Add {
        return;
    }
    // `s = s + a + b` parses as `(s + a) + b`: look at the leftmost operand.
    let mut left = &*b.left;
    while let Expr::BinOp(inner) = left {
        if inner.op != Operator::Add {
            break;
        }
        left = &inner.left;
    }
    let self_ref = matches!(left, Expr::Name(l) if l.id == t.id);
    if !self_ref {
        return;
    }
    let kinds = kinds(ch);
    if only(&kinds, t.id.as_str(), kind::STR) || expr_kind(&b.right) == kind::STR {
        report(ch, a.range());
    }
}

fn report(ch: &mut Checker<'_>, range: crate::parse::TextRange) {
    let mut f = Finding::from_rule(&META, ch.span(range), META.summary);
    // The paper's library escalates concatenation in nested loops.
    if ch.loop_depth() > 1 {
        f.severity = Severity::High;
    }
    ch.report_finding(f);
}
