//! F841 `unused-variable`: pyflakes' `UnusedVariable`.
//!
//! ## What it does
//! Reports local variables that are assigned but never read. pyflakes
//! checks function scopes (lambdas included) when they are finished and
//! reports every name still bound by a plain assignment (`x = ...`,
//! `x: T = ...`, `x += ...`, `with ... as x`, `x := ...`, match captures)
//! that was never used, except `_`, the traceback-hiding names, and every
//! name in a function that calls `locals()`. Loop variables, tuple
//! unpacking (unless both sides are literal tuples or lists), arguments and
//! `global` / `nonlocal` names are never reported.
//!
//! Exception names are checked on their own, in every scope: `except E as
//! e:` whose handler never reads `e` is reported at the `except` clause.
//!
//! ## Why is this bad?
//! A variable that is assigned and never read is dead code at best and a
//! typo (a misspelt name, a result that was meant to be returned) at worst.
//!
//! ## Example
//! ```python
//! def f():
//!     x = compute()
//!     try:
//!         return g()
//!     except ValueError as e:
//!         return None
//! ```
//! pyflakes reports `local variable 'x' is assigned to but never used` and
//! the same for `'e'`.
//!
//! Use instead:
//! ```python
//! def f():
//!     compute()
//!     try:
//!         return g()
//!     except ValueError:
//!         return None
//! ```

use super::bindings::Binding;
use super::checker::{Message, MessageKind};
use super::scope::Scope;
use crate::parse::TextRange;

/// Names pyflakes never reports as unused locals (`FunctionScope.always_used`).
const ALWAYS_USED: [&str; 4] = [
    "__tracebackhide__",
    "__traceback_info__",
    "__traceback_supplement__",
    "__debuggerskip__",
];

/// Reports the unused assignments of a dead function scope
/// (`FunctionScope.unused_assignments`), in dict order.
pub(crate) fn report_scope(scope: &Scope<'_>, bindings: &[Binding<'_>], out: &mut Vec<Message>) {
    if scope.uses_locals {
        return;
    }
    for id in scope.bindings() {
        let binding = &bindings[id as usize];
        let name = binding.name.as_ref();
        if binding.used
            || name == "_"
            || ALWAYS_USED.contains(&name)
            || !binding.kind.is_assignment()
        {
            continue;
        }
        out.push(Message {
            kind: MessageKind::UnusedVariable,
            name: name.to_owned(),
            range: binding.range,
        });
    }
}

/// pylint's `dummy-variables-rgx` default,
/// `_+$|(_[a-zA-Z0-9_]*[a-zA-Z0-9]+?$)|dummy|^ignored_|^unused_`, matched
/// at the start of the name as `re.match` does.
pub(crate) fn is_pylint_dummy(name: &str) -> bool {
    let b = name.as_bytes();
    let alnum = |c: u8| c.is_ascii_alphanumeric();
    (!b.is_empty() && b.iter().all(|&c| c == b'_'))
        || (b.first() == Some(&b'_')
            && b.last().is_some_and(|&c| alnum(c))
            && b.iter().all(|&c| alnum(c) || c == b'_'))
        || name.starts_with("dummy")
        || name.starts_with("ignored_")
        || name.starts_with("unused_")
}

/// pylint's `unused-variable` (W0612) for a dead function scope: every name
/// bound here by an assignment, a loop or unpacking target, an annotation,
/// a nested `def` or `class`, that nothing read, reported where it was
/// first bound; not imports (`unused-import`), arguments
/// (`unused-argument`), dummy names, or anything in a scope that calls
/// `locals()`.
pub(crate) fn report_pylint_scope(
    scope: &Scope<'_>,
    bindings: &[Binding<'_>],
    out: &mut Vec<Message>,
) {
    use super::bindings::BindingKind as K;
    if scope.uses_locals {
        return;
    }
    for id in scope.bindings() {
        let binding = &bindings[id as usize];
        let name = binding.name.as_ref();
        let counted = matches!(
            binding.kind,
            K::Plain
                | K::Assignment
                | K::NamedExprAssignment
                | K::Annotation
                | K::FunctionDefinition
                | K::ClassDefinition
        );
        // pylint judges the name: any load of any of its bindings here
        // counts as a use.
        let first = scope.first_bound.get(name).copied();
        let ever_loaded = first.is_some_and(|(_, loaded)| loaded);
        if binding.used
            || ever_loaded
            || !counted
            || is_pylint_dummy(name)
            || ALWAYS_USED.contains(&name)
        {
            continue;
        }
        out.push(Message {
            kind: MessageKind::PylintUnusedVariable,
            name: name.to_owned(),
            range: first.map_or(binding.range, |(range, _)| range),
        });
    }
}

/// pylint's `unused-variable` for `except ... as name:` in a function.
pub(crate) fn report_pylint_except_handler(name: &str, range: TextRange, out: &mut Vec<Message>) {
    if !is_pylint_dummy(name) {
        out.push(Message {
            kind: MessageKind::PylintUnusedVariable,
            name: name.to_owned(),
            range,
        });
    }
}

/// Reports an `except ... as name:` whose handler never used `name`.
pub(crate) fn report_except_handler(name: &str, range: TextRange, out: &mut Vec<Message>) {
    out.push(Message {
        kind: MessageKind::UnusedVariable,
        name: name.to_owned(),
        range,
    });
}
