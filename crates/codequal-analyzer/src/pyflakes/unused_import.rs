//! F401 `unused-import`: pyflakes' `UnusedImport`.
//!
//! ## What it does
//! Reports imports that nothing in the module uses, checked when their
//! scope is finished (`checkDeadScopes`): every import still bound in a
//! module, function or comprehension scope whose binding was never used and
//! whose name is not listed in a module-level `__all__`. Imports in class
//! bodies are public members and never reported.
//!
//! ## Why is this bad?
//! An unused import costs start-up time, can hide a missing dependency
//! behind a working one and misleads readers about what the module needs.
//!
//! ## Example
//! ```python
//! import os
//! import os.path as osp
//!
//! print(osp.join("a", "b"))
//! ```
//! pyflakes reports `'os' imported but unused`.
//!
//! Use instead:
//! ```python
//! import os.path as osp
//!
//! print(osp.join("a", "b"))
//! ```

use super::bindings::{Binding, BindingKind};
use super::checker::{Message, MessageKind};
use super::scope::Scope;

/// Reports the unused imports of a dead (finished) scope, in dict order.
pub(crate) fn report_scope(
    scope: &Scope<'_>,
    bindings: &[Binding<'_>],
    all_names: &[&str],
    out: &mut Vec<Message>,
) {
    for id in scope.bindings() {
        let binding = &bindings[id as usize];
        let BindingKind::Import(import) = &binding.kind else {
            continue;
        };
        if binding.used || all_names.contains(&binding.name.as_ref()) {
            continue;
        }
        out.push(Message {
            kind: MessageKind::UnusedImport,
            name: import.imported_name(&binding.name),
            range: binding.range,
        });
    }
}
