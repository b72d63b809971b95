//! Class figures for the class rules, with single-file semantics: a base
//! class is followed when the module defines it (by name, at module level);
//! a base the module cannot resolve (an imported class, `Generic[T]`, a
//! call) is counted as one ancestor whose own ancestors and methods are
//! unknown.

use std::collections::HashSet;

use super::{
    decorator_name, def_range, too_few_public_methods, too_many_ancestors,
    too_many_instance_attributes, too_many_public_methods, FnView,
};
use crate::parse::ast::{self, Expr, Stmt};
use crate::rules::Checker;

/// Builtin bases pylint does not count as ancestors
/// (`STDLIB_CLASSES_IGNORE_ANCESTOR`; `frozenset` is misspelt there, so it
/// counts).
const IGNORED_BUILTINS: &[&str] = &["object", "tuple", "dict", "list", "set"];

/// Builtin exception classes (astroid gives them and their subclasses the
/// type "exception").
fn is_builtin_exception(name: &str) -> bool {
    name == "BaseException"
        || name.ends_with("Error")
        || name.ends_with("Exception")
        || name.ends_with("Warning")
        || matches!(
            name,
            "StopIteration"
                | "StopAsyncIteration"
                | "GeneratorExit"
                | "KeyboardInterrupt"
                | "SystemExit"
                | "BaseExceptionGroup"
                | "ExceptionGroup"
        )
}

/// A base class as far as the file can tell.
enum Base<'a> {
    InFile(&'a ast::StmtClassDef),
    Builtin(&'a str),
    Unknown,
}

fn resolve<'a>(ch: &Checker<'a>, this: &ast::StmtClassDef, base: &'a Expr) -> Base<'a> {
    let Expr::Name(n) = base else {
        return Base::Unknown;
    };
    let name = n.id.as_str();
    if ch.imports.contains_key(name) {
        return Base::Unknown;
    }
    match ch.design.module.as_ref().and_then(|m| m.classes.get(name)) {
        Some(c) if !std::ptr::eq(*c, this) => Base::InFile(c),
        Some(_) => Base::Unknown,
        None if is_builtin_class(name) => Base::Builtin(name),
        None => Base::Unknown,
    }
}

fn is_builtin_class(name: &str) -> bool {
    is_builtin_exception(name)
        || matches!(
            name,
            "object"
                | "type"
                | "int"
                | "float"
                | "complex"
                | "str"
                | "bytes"
                | "bytearray"
                | "bool"
                | "tuple"
                | "list"
                | "dict"
                | "set"
                | "frozenset"
                | "property"
                | "staticmethod"
                | "classmethod"
                | "memoryview"
                | "range"
                | "slice"
                | "super"
        )
}

/// Ancestors of `class`: in-file classes (deduplicated), plus the count of
/// builtin ancestors beyond them; unresolved bases are not counted.
struct Ancestors<'a> {
    in_file: Vec<&'a ast::StmtClassDef>,
    others: usize,
    /// Some ancestor is a builtin other than `object`.
    builtin: bool,
    /// Some ancestor is a builtin exception or named like an exception.
    exception: bool,
    /// Some ancestor is `type`.
    metaclass: bool,
}

fn ancestors<'a>(ch: &Checker<'a>, class: &'a ast::StmtClassDef) -> Ancestors<'a> {
    let mut out = Ancestors {
        in_file: Vec::new(),
        others: 0,
        builtin: false,
        exception: false,
        metaclass: false,
    };
    let mut seen_builtin: HashSet<&str> = HashSet::new();
    let mut todo = vec![class];
    while let Some(c) = todo.pop() {
        for base in &c.bases {
            match resolve(ch, c, base) {
                Base::InFile(b) => {
                    if !std::ptr::eq(b, class) && !out.in_file.iter().any(|x| std::ptr::eq(*x, b)) {
                        out.in_file.push(b);
                        todo.push(b);
                    }
                }
                Base::Builtin(name) => {
                    if name == "type" {
                        out.metaclass = true;
                    }
                    if is_builtin_exception(name) {
                        out.exception = true;
                    }
                    if name != "object" {
                        out.builtin = true;
                    }
                    // Count the builtin and its exception parents once each.
                    let mut next = Some(name);
                    while let Some(n) = next {
                        if !IGNORED_BUILTINS.contains(&n) && seen_builtin.insert(n) {
                            out.others += 1;
                        }
                        next = builtin_parent(n);
                    }
                }
                // What the file cannot resolve is not counted (pylint, too,
                // counts nothing for a base it cannot infer).
                Base::Unknown => {}
            }
        }
    }
    out
}

/// The parent of a builtin class in the exception hierarchy (`None` for
/// `BaseException` and non-exception builtins).
fn builtin_parent(name: &str) -> Option<&'static str> {
    Some(match name {
        "BaseException" => return None,
        "Exception" | "SystemExit" | "KeyboardInterrupt" | "GeneratorExit"
        | "BaseExceptionGroup" => "BaseException",
        "ZeroDivisionError" | "OverflowError" | "FloatingPointError" => "ArithmeticError",
        "KeyError" | "IndexError" => "LookupError",
        "ModuleNotFoundError" => "ImportError",
        "UnboundLocalError" => "NameError",
        "NotImplementedError" | "RecursionError" => "RuntimeError",
        "UnicodeError" => "ValueError",
        "UnicodeDecodeError" | "UnicodeEncodeError" | "UnicodeTranslateError" => "UnicodeError",
        "IndentationError" => "SyntaxError",
        "TabError" => "IndentationError",
        "ConnectionError" | "BlockingIOError" | "ChildProcessError" | "FileExistsError"
        | "FileNotFoundError" | "InterruptedError" | "IsADirectoryError" | "NotADirectoryError"
        | "PermissionError" | "ProcessLookupError" | "TimeoutError" | "EnvironmentError"
        | "IOError" => "OSError",
        "BrokenPipeError"
        | "ConnectionAbortedError"
        | "ConnectionRefusedError"
        | "ConnectionResetError" => "ConnectionError",
        "Warning" => "Exception",
        n if n.ends_with("Warning") => "Warning",
        n if is_builtin_exception(n) => "Exception",
        _ => return None,
    })
}

/// Names bound in a class body (nested blocks included, nested scopes not),
/// each with whether its first binding is a `def`: astroid's
/// `mymethods()` are the names whose first binding is a function.
fn first_bindings(body: &[Stmt]) -> Vec<(&str, bool)> {
    fn walk<'b>(body: &'b [Stmt], out: &mut Vec<(&'b str, bool)>) {
        let add = |out: &mut Vec<(&'b str, bool)>, name: &'b str, is_def: bool| {
            if !out.iter().any(|(n, _)| *n == name) {
                out.push((name, is_def));
            }
        };
        for s in body {
            match s {
                Stmt::FunctionDef(f) => add(out, f.name.as_str(), true),
                Stmt::AsyncFunctionDef(f) => add(out, f.name.as_str(), true),
                Stmt::ClassDef(c) => add(out, c.name.as_str(), false),
                Stmt::Assign(a) => {
                    for t in &a.targets {
                        for n in super::target_names(t) {
                            add(out, n, false);
                        }
                    }
                }
                Stmt::AnnAssign(a) => {
                    if let Expr::Name(n) = a.target.as_ref() {
                        add(out, n.id.as_str(), false);
                    }
                }
                Stmt::If(i) => {
                    walk(&i.body, out);
                    walk(&i.orelse, out);
                }
                Stmt::Try(t) => {
                    walk(&t.body, out);
                    for h in &t.handlers {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        walk(&h.body, out);
                    }
                    walk(&t.orelse, out);
                    walk(&t.finalbody, out);
                }
                Stmt::With(w) => walk(&w.body, out),
                Stmt::For(f) => {
                    walk(&f.body, out);
                    walk(&f.orelse, out);
                }
                Stmt::While(w) => {
                    walk(&w.body, out);
                    walk(&w.orelse, out);
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(body, &mut out);
    out
}

/// The methods (`def`s) of a class body, nested blocks included.
fn methods(body: &[Stmt]) -> Vec<FnView<'_>> {
    let mut out = Vec::new();
    let mut todo: Vec<&[Stmt]> = vec![body];
    while let Some(b) = todo.pop() {
        for s in b {
            match s {
                Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) => out.extend(FnView::of(s)),
                Stmt::If(i) => {
                    todo.push(&i.body);
                    todo.push(&i.orelse);
                }
                Stmt::Try(t) => {
                    todo.push(&t.body);
                    todo.push(&t.orelse);
                    todo.push(&t.finalbody);
                }
                Stmt::With(w) => todo.push(&w.body),
                _ => {}
            }
        }
    }
    out
}

/// Whether the class body binds `name` to a `def`.
pub(super) fn defines(class: &ast::StmtClassDef, name: &str) -> bool {
    first_bindings(&class.body)
        .iter()
        .any(|(n, d)| *d && *n == name)
}

/// Whether `Protocol` is among the class's bases.
pub(super) fn is_protocol(class: &ast::StmtClassDef) -> bool {
    class.bases.iter().any(|b| {
        let b = match b {
            Expr::Subscript(s) => s.value.as_ref(),
            other => other,
        };
        matches!(b, Expr::Name(n) if n.id.as_str() == "Protocol")
            || matches!(b, Expr::Attribute(a) if a.attr.as_str() == "Protocol")
    })
}

/// Parameter names of the method `name` in the nearest in-file ancestor
/// that defines it (pylint's `overridden_method`).
pub(super) fn overridden_argnames<'a>(
    ch: &Checker<'a>,
    class: &'a ast::StmtClassDef,
    name: &str,
) -> Option<Vec<&'a str>> {
    let anc = ancestors(ch, class);
    for c in anc.in_file {
        if let Some(m) = methods(&c.body).into_iter().find(|m| m.name == name) {
            return Some(m.argnames().iter().map(|a| a.arg.as_str()).collect());
        }
    }
    None
}

/// Distinct attributes assigned on the instance (`self.x = ...`) in the
/// class's methods, nested functions included.
fn instance_attributes(class: &ast::StmtClassDef) -> usize {
    let mut names: HashSet<&str> = HashSet::new();
    for m in methods(&class.body) {
        if m.decorated_with("staticmethod") || m.decorated_with("classmethod") {
            continue;
        }
        let Some(first) = m.args.posonlyargs.iter().chain(&m.args.args).next() else {
            continue;
        };
        collect_self_stores(m.body, first.def.arg.as_str(), &mut names);
    }
    names.len()
}

fn collect_self_stores<'b>(body: &'b [Stmt], this: &str, out: &mut HashSet<&'b str>) {
    fn target<'b>(t: &'b Expr, this: &str, out: &mut HashSet<&'b str>) {
        match t {
            Expr::Attribute(a) => {
                if matches!(a.value.as_ref(), Expr::Name(n) if n.id.as_str() == this) {
                    out.insert(a.attr.as_str());
                }
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|e| target(e, this, out)),
            Expr::List(l) => l.elts.iter().for_each(|e| target(e, this, out)),
            Expr::Starred(s) => target(&s.value, this, out),
            _ => {}
        }
    }
    for s in body {
        match s {
            Stmt::Assign(a) => a.targets.iter().for_each(|t| target(t, this, out)),
            Stmt::AugAssign(a) => target(&a.target, this, out),
            Stmt::AnnAssign(a) => target(&a.target, this, out),
            Stmt::For(f) => {
                target(&f.target, this, out);
                collect_self_stores(&f.body, this, out);
                collect_self_stores(&f.orelse, this, out);
            }
            Stmt::AsyncFor(f) => {
                target(&f.target, this, out);
                collect_self_stores(&f.body, this, out);
                collect_self_stores(&f.orelse, this, out);
            }
            Stmt::While(w) => {
                collect_self_stores(&w.body, this, out);
                collect_self_stores(&w.orelse, this, out);
            }
            Stmt::If(i) => {
                collect_self_stores(&i.body, this, out);
                collect_self_stores(&i.orelse, this, out);
            }
            Stmt::With(w) => {
                for item in &w.items {
                    if let Some(v) = &item.optional_vars {
                        target(v, this, out);
                    }
                }
                collect_self_stores(&w.body, this, out);
            }
            Stmt::AsyncWith(w) => {
                for item in &w.items {
                    if let Some(v) = &item.optional_vars {
                        target(v, this, out);
                    }
                }
                collect_self_stores(&w.body, this, out);
            }
            Stmt::Try(t) => {
                collect_self_stores(&t.body, this, out);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    collect_self_stores(&h.body, this, out);
                }
                collect_self_stores(&t.orelse, this, out);
                collect_self_stores(&t.finalbody, this, out);
            }
            Stmt::TryStar(t) => {
                collect_self_stores(&t.body, this, out);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    collect_self_stores(&h.body, this, out);
                }
                collect_self_stores(&t.orelse, this, out);
                collect_self_stores(&t.finalbody, this, out);
            }
            Stmt::Match(m) => {
                for c in &m.cases {
                    collect_self_stores(&c.body, this, out);
                }
            }
            // A nested function closes over the same instance.
            Stmt::FunctionDef(f) => collect_self_stores(&f.body, this, out),
            Stmt::AsyncFunctionDef(f) => collect_self_stores(&f.body, this, out),
            _ => {}
        }
    }
}

/// Whether a name is special in pylint's sense (`^__[a-z]+__$`).
fn is_special(name: &str) -> bool {
    name.len() > 4
        && name.starts_with("__")
        && name.ends_with("__")
        && name[2..name.len() - 2]
            .bytes()
            .all(|b| b.is_ascii_lowercase())
}

/// Whether an unresolved base's name says the class is an exception, an
/// enum, a named tuple or a typed dict (classes pylint exempts).
fn exempt_by_base_name(class: &ast::StmtClassDef) -> bool {
    class.bases.iter().any(|b| {
        let b = match b {
            Expr::Subscript(s) => s.value.as_ref(),
            other => other,
        };
        let name = match b {
            Expr::Name(n) => n.id.as_str(),
            Expr::Attribute(a) => a.attr.as_str(),
            _ => return false,
        };
        is_builtin_exception(name)
            || name.ends_with("Enum")
            || name.ends_with("Flag")
            || matches!(name, "NamedTuple" | "TypedDict")
    })
}

/// Runs the class rules on `class`.
pub(super) fn check<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt, class: &'a ast::StmtClassDef) {
    let range = def_range(ch, stmt);
    let d = ch.config.design.clone();
    let anc = ancestors(ch, class);
    if ch.enabled(&too_many_ancestors::META) {
        too_many_ancestors::check(ch, range, anc.in_file.len() + anc.others, d.max_parents);
    }
    if ch.enabled(&too_many_instance_attributes::META) {
        too_many_instance_attributes::check(
            ch,
            range,
            instance_attributes(class),
            d.max_attributes,
        );
    }
    let own = first_bindings(&class.body);
    let own_public = own
        .iter()
        .filter(|(n, is_def)| *is_def && !n.starts_with('_'))
        .count();
    too_many_public_methods::check(ch, range, own_public, d.max_public_methods);
    // A base the file cannot resolve contributes no methods, as in pylint
    // when inference fails; bases named like exceptions or enums exempt
    // the class as their inferred type would.
    if !ch.enabled(&too_few_public_methods::META) || anc.builtin || exempt_by_base_name(class) {
        return;
    }
    let name = class.name.as_str();
    let special_type =
        |n: &str| n.ends_with("Interface") || n.ends_with("Exception") || n == "type";
    if anc.exception
        || anc.metaclass
        || special_type(name)
        || anc.in_file.iter().any(|c| special_type(c.name.as_str()))
    {
        return;
    }
    let dataclass = class.decorator_list.iter().any(|d| {
        decorator_name(d).is_some_and(|n| matches!(n, "dataclass" | "attrs" | "define" | "frozen"))
    });
    if dataclass {
        return;
    }
    let mut seen: HashSet<&str> = HashSet::new();
    let mut all = 0;
    for c in std::iter::once(class).chain(anc.in_file.iter().copied()) {
        for (n, is_def) in first_bindings(&c.body) {
            if is_def && seen.insert(n) && !n.starts_with('_') {
                all += 1;
            }
        }
    }
    all += own
        .iter()
        .filter(|(n, is_def)| *is_def && is_special(n) && *n != "__init__")
        .count();
    too_few_public_methods::check(ch, range, all, d.min_public_methods);
}
