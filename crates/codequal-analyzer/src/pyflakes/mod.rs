//! Unused imports and unused local variables with pyflakes 4.1.0 semantics.
//!
//! pyflakes decides "unused" with a scope and binding model
//! (`pyflakes/checker.py`): names are bound in module, class, function and
//! comprehension scopes; loads mark bindings used; function bodies are
//! checked after the whole module, so an import used only inside a function
//! defined before it still counts as used; rebinding a name in the same
//! scope inherits the old binding's `used` flag; and finished scopes report
//! what was never used. This module reproduces that model for pyflakes'
//! two messages that matter to the score:
//!
//! - `F401` `unused-import`: `'os' imported but unused`,
//! - `F841` `unused-variable`: `local variable 'x' is assigned to but never used`.
//!
//! ```
//! let check = codequal_analyzer::pyflakes::check_source("import os\n\ndef f():\n    x = 1\n");
//! let lines: Vec<String> = check
//!     .findings
//!     .iter()
//!     .map(|f| codequal_analyzer::pyflakes::format_message("m.py", f))
//!     .collect();
//! assert_eq!(
//!     lines,
//!     [
//!         "m.py:1:1: 'os' imported but unused",
//!         "m.py:4:5: local variable 'x' is assigned to but never used",
//!     ]
//! );
//! ```
//!
//! The checker is a subset of pyflakes', not a port: it produces no other
//! message, but everything that affects whether a binding is used is
//! modelled (see [`checker`](self) internals and
//! `docs/conformance/pyflakes.md` for the known differences).

mod arena;
mod bindings;
mod builtins;
mod checker;
mod scope;
mod unused_import;
mod unused_variable;

use crate::parse::{self, ast, ParsedSource, SyntaxError};
use crate::report::{Characteristic, Finding, Severity, Span};

/// Rule code of unused imports.
pub const UNUSED_IMPORT: &str = "F401";
/// Rule code of unused local variables.
pub const UNUSED_VARIABLE: &str = "F841";

/// Reports unused imports (`F401`) and unused local variables (`F841`).
///
/// The findings come in the order the `pyflakes` command prints them: by
/// line, and within a line in the order pyflakes reports them (which is not
/// always by column).
pub fn unused(parsed: &ParsedSource<'_>, suite: &[ast::Stmt]) -> Vec<Finding> {
    unused_with(parsed, suite, false)
}

/// [`unused`], plus pylint's `unused-variable` (W0612, the design family's
/// rule) when `pylint_unused_variable` is set: it is computed from the same
/// scopes and bindings.
pub fn unused_with(
    parsed: &ParsedSource<'_>,
    suite: &[ast::Stmt],
    pylint_unused_variable: bool,
) -> Vec<Finding> {
    let arena = arena::Arena::default();
    let mut messages = checker::check(suite, &arena, pylint_unused_variable);
    // `w.messages.sort(key=lambda m: m.lineno)`: a stable sort by line.
    let mut findings: Vec<(u32, Finding)> = messages
        .drain(..)
        .map(|m| {
            let (line, column) = parsed.lines.location(m.range.start());
            let (end_line, end_column) = parsed.lines.location(m.range.end());
            let (code, rule, message) = match m.kind {
                checker::MessageKind::UnusedImport => (
                    UNUSED_IMPORT,
                    "unused-import",
                    format!("{} imported but unused", py_repr(&m.name)),
                ),
                checker::MessageKind::UnusedVariable => (
                    UNUSED_VARIABLE,
                    "unused-variable",
                    format!(
                        "local variable {} is assigned to but never used",
                        py_repr(&m.name)
                    ),
                ),
                checker::MessageKind::PylintUnusedVariable => {
                    let span = Span {
                        line,
                        column,
                        end_line,
                        end_column,
                    };
                    return (
                        line,
                        crate::rules::design::unused_variable_finding(&m.name, span),
                    );
                }
            };
            let finding = Finding {
                code: code.to_owned(),
                rule: rule.to_owned(),
                message,
                span: Span {
                    line,
                    column,
                    end_line,
                    end_column,
                },
                characteristic: Characteristic::Maintainability,
                confidence: crate::rules::Confidence::High,
                severity: Severity::Low,
                cwe: Some(561),
            };
            (line, finding)
        })
        .collect();
    findings.sort_by_key(|(line, _)| *line);
    findings.into_iter().map(|(_, f)| f).collect()
}

/// What `pyflakes` says about one module, restricted to the two messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Unused imports and variables, in pyflakes' print order; empty when
    /// the module does not parse.
    pub findings: Vec<Finding>,
    /// The syntax error, when the module does not parse (pyflakes then
    /// reports only that).
    pub syntax_error: Option<SyntaxError>,
}

/// Parses `source` and checks it as `pyflakes` would.
///
/// Unlike [`crate::analyze_source`] this computes nothing else, and keeps
/// pyflakes' message order.
pub fn check_source(source: &str) -> Check {
    let parsed = parse::parse(source);
    parse::with_stack_for(parsed.depth_bound, || {
        let Some(suite) = &parsed.suite else {
            return Check {
                findings: Vec::new(),
                syntax_error: parsed.error.clone(),
            };
        };
        if parse::nesting_depth(suite, parse::MAX_AST_DEPTH) > parse::MAX_AST_DEPTH {
            use rustpython_parser::ast::Ranged;
            let (line, column) = suite
                .iter()
                .find(|s| {
                    parse::nesting_depth(std::slice::from_ref(*s), parse::MAX_AST_DEPTH)
                        > parse::MAX_AST_DEPTH
                })
                .map_or((1, 0), |s| parsed.lines.location(s.start()));
            return Check {
                findings: Vec::new(),
                syntax_error: Some(SyntaxError {
                    message: "too many nested expressions (maximum recursion depth exceeded during ast construction)"
                        .to_owned(),
                    line,
                    column,
                }),
            };
        }
        Check {
            findings: unused(&parsed, suite),
            syntax_error: None,
        }
    })
}

/// Formats a finding the way pyflakes' `Message.__str__` does:
/// `path:line:column: message`, with a 1-based column.
pub fn format_message(path: &str, finding: &Finding) -> String {
    format!(
        "{path}:{}:{}: {}",
        finding.span.line,
        finding.span.column + 1,
        finding.message
    )
}

/// Python's `repr` of a string (what pyflakes' `%r` prints): single quotes
/// unless the text has a single quote and no double quote.
fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(source: &str) -> Vec<String> {
        check_source(source)
            .findings
            .iter()
            .map(|f| format_message("t.py", f))
            .collect()
    }

    #[test]
    fn import_used_only_in_a_function_defined_earlier_is_used() {
        assert!(messages("def f():\n    return os.sep\nimport os\n").is_empty());
    }

    #[test]
    fn class_scope_is_invisible_from_methods() {
        let src = "import os\nclass C:\n    os = 1\n    def f(self):\n        return os\n";
        assert!(messages(src).is_empty());
        let src = "class C:\n    import os\n    def f(self):\n        return os\n";
        assert!(messages(src).is_empty());
    }

    #[test]
    fn same_line_messages_keep_report_order() {
        assert_eq!(
            messages("import b, a\n"),
            [
                "t.py:1:1: 'b' imported but unused",
                "t.py:1:1: 'a' imported but unused"
            ]
        );
    }

    #[test]
    fn except_name_is_reported_at_module_level() {
        assert_eq!(
            messages("try:\n    pass\nexcept ValueError as e:\n    pass\n"),
            ["t.py:3:1: local variable 'e' is assigned to but never used"]
        );
    }

    #[test]
    fn string_annotation_uses_import() {
        assert!(messages("from typing import List\nx: 'List[int]' = []\n").is_empty());
        assert!(messages("import os\ndef f(x: 'os.PathLike'): pass\n").is_empty());
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        // At the parser's depth limit, in every recursive shape the checker
        // has: unary chains, calls, subscripts (typing ones switch
        // annotation context), displays, string annotations.
        let depth = parse::MAX_AST_DEPTH - 10;
        // Brackets are limited to 200 levels by the tokenizer.
        let brackets = parse::MAX_BRACKET_DEPTH - 1;
        let shapes = [
            format!("def f():\n    x = {}1\n", "-".repeat(depth)),
            format!("def f():\n    x = {}1\n", "not ".repeat(depth)),
            format!("def f():\n    x = a{}\n", ".a".repeat(depth)),
            format!("def f():\n    x = a{}\n", "+a".repeat(depth)),
            format!("def f():\n    x = a{}\n", " if a else a".repeat(depth / 2)),
            format!("def f():\n    x = {}1\n", "lambda: ".repeat(depth)),
            format!(
                "def f():\n    x = {}1{}\n",
                "f(".repeat(brackets),
                ")".repeat(brackets)
            ),
            format!(
                "from typing import List\nx = {}int{}\n",
                "List[".repeat(brackets),
                "]".repeat(brackets)
            ),
            format!("x = {}{}\n", "[".repeat(brackets), "]".repeat(brackets)),
            format!(
                "def f():\n    x: '{}int{}' = 1\n",
                "list[".repeat(brackets),
                "]".repeat(brackets)
            ),
        ];
        for src in &shapes {
            let check = check_source(src);
            assert!(check.syntax_error.is_none(), "{:?}", check.syntax_error);
        }
        assert_eq!(messages(&shapes[0]).len(), 1);
    }

    #[test]
    fn repr_quotes_like_python() {
        assert_eq!(py_repr("os"), "'os'");
        assert_eq!(py_repr("from . import *"), "'from . import *'");
        assert_eq!(py_repr("a'b"), "\"a'b\"");
    }
}
