//! SQL built from strings (B608).

use rustpython_parser::ast::Ranged;

use super::call_context::str_value;
use super::{emit_in, meta};
use crate::parse::ast::{self, Expr};
use crate::report::Severity;
use crate::rules::checker::Ancestor;
use crate::rules::{Checker, Confidence, RuleMeta};

/// ## What it does
/// Flags SQL-looking strings (`SELECT ... FROM`, `DELETE FROM`, `INSERT
/// INTO ... VALUES`, `UPDATE ... SET`) that are concatenated, formatted or
/// interpolated (bandit B608); medium confidence when the result goes
/// straight into `execute`/`executemany`.
///
/// ## Why is this bad?
/// Values spliced into SQL text can change the query (SQL injection).
///
/// ## Example
/// ```python
/// cur.execute("SELECT * FROM users WHERE name = '%s'" % name)
/// ```
///
/// ## Use instead
/// ```python
/// cur.execute("SELECT * FROM users WHERE name = ?", (name,))
/// ```
pub(crate) const HARDCODED_SQL: RuleMeta = meta(
    "B608",
    "hardcoded-sql-expressions",
    63,
    89,
    Severity::Medium,
    Confidence::Low,
    "Possible SQL injection vector through string-based query construction.",
);

/// Checks one `str` constant (bandit's `_evaluate_ast`).
pub(crate) fn check(ch: &mut Checker<'_>, expr: &Expr, value: &str, context: (u32, u32)) {
    if !ch.enabled(&HARDCODED_SQL) {
        return;
    }
    let n = ch.ancestors.len();
    let Some(Ancestor::Expr(parent)) = ch.ancestors.last().copied() else {
        return;
    };
    let (statement, wrapper_call, str_replace) = match parent {
        Expr::BinOp(_) => {
            // Climb to the topmost BinOp of the chain.
            let mut top = n - 1;
            while top > 0 && matches!(ch.ancestors[top - 1], Ancestor::Expr(Expr::BinOp(_))) {
                top -= 1;
            }
            let Ancestor::Expr(top_expr) = ch.ancestors[top] else {
                return;
            };
            let mut bits = vec![value];
            collect_leaves(top_expr, parent, &mut bits);
            let statement = bits.join(" ");
            let wrapper = top.checked_sub(1).map(|i| ch.ancestors[i]);
            (statement, calls_with_arg(wrapper, top_expr), false)
        }
        Expr::Attribute(a) if matches!(a.attr.as_str(), "format" | "replace") => {
            let grand = n.checked_sub(2).map(|i| ch.ancestors[i]);
            let great = n.checked_sub(3).map(|i| ch.ancestors[i]);
            let wrapper = match grand {
                Some(Ancestor::Expr(g)) => calls_with_arg(great, g),
                _ => None,
            };
            (value.to_owned(), wrapper, a.attr.as_str() == "replace")
        }
        Expr::JoinedStr(j) => {
            let mut parts = j.values.iter().filter_map(|v| str_value(v).map(|s| (v, s)));
            let Some((first, _)) = parts.next() else {
                return;
            };
            if !std::ptr::eq(first, expr) {
                return;
            }
            let statement: String = j.values.iter().filter_map(str_value).collect();
            let wrapper = n.checked_sub(2).map(|i| ch.ancestors[i]);
            (statement, calls_with_arg(wrapper, parent), false)
        }
        _ => return,
    };
    if !looks_like_sql(&statement) {
        return;
    }
    let execute = wrapper_call.is_some_and(|c| {
        let name = match c.func.as_ref() {
            Expr::Attribute(a) => a.attr.as_str(),
            Expr::Name(n) => n.id.as_str(),
            _ => "",
        };
        matches!(name, "execute" | "executemany")
    });
    let confidence = if execute && !str_replace {
        Confidence::Medium
    } else {
        Confidence::Low
    };
    emit_in(
        ch,
        &HARDCODED_SQL,
        (Severity::Medium, confidence),
        HARDCODED_SQL.summary,
        expr.range(),
        None,
        context,
    );
}

/// The call `wrapper` when `child` is its callee or one of its positional
/// arguments (bandit's `_bandit_parent` is then the call; for a keyword
/// argument it is the keyword).
fn calls_with_arg<'a>(wrapper: Option<Ancestor<'a>>, child: &Expr) -> Option<&'a ast::ExprCall> {
    let Some(Ancestor::Expr(Expr::Call(c))) = wrapper else {
        return None;
    };
    let direct =
        std::ptr::eq(c.func.as_ref(), child) || c.args.iter().any(|a| std::ptr::eq(a, child));
    direct.then_some(c)
}

/// bandit's `concat_string`: the string leaves of the BinOp tree under
/// `node`, in order, skipping the subtree of `stop` (the string's own
/// parent, whose string was added first).
fn collect_leaves<'a>(node: &'a Expr, stop: &Expr, bits: &mut Vec<&'a str>) {
    if std::ptr::eq(node, stop) {
        return;
    }
    let Expr::BinOp(b) = node else { return };
    for side in [b.left.as_ref(), b.right.as_ref()] {
        match side {
            Expr::BinOp(_) => collect_leaves(side, stop, bits),
            other => {
                if let Some(s) = str_value(other) {
                    bits.push(s);
                }
            }
        }
    }
}

fn is_re_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Finds `word` (ASCII, lower case) case-insensitively at or after `from`,
/// returning the byte offset just past it.
fn find_word(s: &str, word: &str, from: usize) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let w = word.as_bytes();
    let mut i = from;
    while i + w.len() <= b.len() {
        if b[i..i + w.len()].eq_ignore_ascii_case(w) {
            return Some((i, i + w.len()));
        }
        i += 1;
    }
    None
}

fn space_at(s: &str, at: usize) -> Option<usize> {
    let c = s.get(at..)?.chars().next()?;
    is_re_space(c).then(|| at + c.len_utf8())
}

/// Whether `word` followed by a whitespace char occurs at or after `from`;
/// returns the offset after the whitespace of the first occurrence.
fn word_space(s: &str, word: &str, mut from: usize) -> Option<usize> {
    while let Some((start, end)) = find_word(s, word, from) {
        if let Some(after) = space_at(s, end) {
            return Some(after);
        }
        from = start + 1;
    }
    None
}

/// bandit's `SIMPLE_SQL_RE`: `(select\s.*from\s|delete\s+from\s|insert\s+into\s.*values[\s(]|update\s.*set\s)`,
/// case-insensitive, `.` matching newlines.
pub(crate) fn looks_like_sql(s: &str) -> bool {
    if let Some(after) = word_space(s, "select", 0) {
        if word_space(s, "from", after).is_some() {
            return true;
        }
    }
    if let Some(after) = word_space(s, "update", 0) {
        if word_space(s, "set", after).is_some() {
            return true;
        }
    }
    // delete\s+from\s
    let mut from = 0;
    while let Some((start, end)) = find_word(s, "delete", from) {
        let mut i = end;
        let mut spaced = false;
        while let Some(next) = space_at(s, i) {
            i = next;
            spaced = true;
        }
        if spaced {
            if let Some((fs, fe)) = find_word(s, "from", i) {
                if fs == i && space_at(s, fe).is_some() {
                    return true;
                }
            }
        }
        from = start + 1;
    }
    // insert\s+into\s.*values[\s(]
    let mut from = 0;
    while let Some((start, end)) = find_word(s, "insert", from) {
        let mut i = end;
        let mut spaced = false;
        while let Some(next) = space_at(s, i) {
            i = next;
            spaced = true;
        }
        if spaced {
            if let Some((is, ie)) = find_word(s, "into", i) {
                if is == i {
                    if let Some(after) = space_at(s, ie) {
                        let mut f = after;
                        while let Some((vs, ve)) = find_word(s, "values", f) {
                            let next = s.get(ve..).and_then(|r| r.chars().next());
                            if next.is_some_and(|c| c == '(' || is_re_space(c)) {
                                return true;
                            }
                            f = vs + 1;
                        }
                    }
                }
            }
        }
        from = start + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::looks_like_sql;

    #[test]
    fn sql_pattern_matches_bandits() {
        assert!(looks_like_sql("SELECT * FROM users WHERE id = "));
        assert!(looks_like_sql("select a\nfrom b "));
        assert!(looks_like_sql("DELETE   FROM t WHERE "));
        assert!(looks_like_sql("insert into t (a) values("));
        assert!(looks_like_sql("UPDATE t SET a = "));
        assert!(!looks_like_sql("selected items from "));
        assert!(!looks_like_sql("select from"));
        assert!(!looks_like_sql("delete from"));
        assert!(!looks_like_sql("update the settings"));
    }
}
