use rustpython_parser::ast::Ranged;

use crate::parse::ast::{self, Stmt};
use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::checker::Frame;
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags two locks acquired in opposite orders in different places of the
/// module: `with a_lock: with b_lock:` in one function and `with b_lock:
/// with a_lock:` in another (also `with a_lock, b_lock:`). A `with` item
/// is a lock when its source text mentions `lock` or `mutex`
/// (case-insensitive); locks are identified by that text.
///
/// ## Why is this bad?
/// Two threads taking the same locks in opposite orders can each hold one
/// and wait forever for the other: a deadlock (CWE-833).
///
/// ## Example
/// ```python
/// def transfer(self):
///     with self.accounts_lock:
///         with self.log_lock:
///             ...
///
/// def audit(self):
///     with self.log_lock:
///         with self.accounts_lock:
///             ...
/// ```
///
/// ## Use instead
/// Acquire the locks in one global order everywhere.
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQR009",
    name: "lock-order-inversion",
    family: Family::Reliability,
    index: 8,
    characteristic: Characteristic::Reliability,
    cwe: Some(833),
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "Locks acquired in opposite orders in different places (possible deadlock)",
};

/// One nested acquisition: `inner` taken while `outer` is held.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LockPair<'a> {
    outer: &'a str,
    inner: &'a str,
    at: TextRange,
}

fn is_lock(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("lock") || t.contains("mutex")
}

fn lock_items<'a>(ch: &Checker<'a>, items: &'a [ast::WithItem]) -> Vec<(&'a str, TextRange)> {
    items
        .iter()
        .map(|i| (ch.text(i.context_expr.range()), i.context_expr.range()))
        .filter(|(t, _)| is_lock(t))
        .collect()
}

/// A `with` statement: records every (held, newly taken) pair.
pub(crate) fn enter_with<'a>(ch: &mut Checker<'a>, items: &'a [ast::WithItem]) {
    let taken = lock_items(ch, items);
    if taken.is_empty() {
        return;
    }
    let mut held: Vec<&'a str> = Vec::new();
    for f in ch.stack.iter() {
        match f {
            Frame::Function(_) | Frame::Class(_) | Frame::Lambda(_) => held.clear(),
            Frame::With(Stmt::With(w)) => {
                held.extend(lock_items(ch, &w.items).into_iter().map(|(t, _)| t))
            }
            Frame::With(Stmt::AsyncWith(w)) => {
                held.extend(lock_items(ch, &w.items).into_iter().map(|(t, _)| t));
            }
            _ => {}
        }
    }
    for (inner, at) in taken {
        for outer in &held {
            if *outer != inner {
                ch.reliability.locks.push(LockPair { outer, inner, at });
            }
        }
        held.push(inner);
    }
}

/// After the module: reports each inverted pair once, at its later site.
pub(crate) fn finish(ch: &mut Checker<'_>) {
    let pairs = std::mem::take(&mut ch.reliability.locks);
    let mut reported: Vec<(&str, &str)> = Vec::new();
    for (i, p) in pairs.iter().enumerate() {
        let inverted = pairs[..i]
            .iter()
            .find(|q| q.outer == p.inner && q.inner == p.outer);
        if let Some(q) = inverted {
            if reported
                .iter()
                .any(|&(a, b)| (a == p.outer && b == p.inner) || (a == p.inner && b == p.outer))
            {
                continue;
            }
            reported.push((p.outer, p.inner));
            let line = ch.span(q.at).line;
            ch.report(
                &META,
                p.at,
                format!(
                    "`{}` is taken while holding `{}`, but line {line} takes them in the opposite order",
                    p.inner, p.outer
                ),
            );
        }
    }
}
