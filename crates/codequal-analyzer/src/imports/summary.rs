//! What another module contributes to the class rules: its module-level
//! names (classes, imports, aliases) and, per class, its bases, the names
//! its body binds and its methods' parameters. Nothing else is kept.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::parse::ast::{self, Expr, Stmt};

/// An `import` as written: `level` leading dots, the module's dotted
/// parts, and the imported member for `from ... import name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImportRef {
    /// Leading dots of a relative import (0 for absolute).
    pub level: u32,
    /// The module's dotted parts (empty for `from . import x`).
    pub module: Vec<String>,
    /// The member a `from` import takes (`None` for `import m`).
    pub member: Option<String>,
}

/// What a module-level name is bound to, by its last binding in source
/// order (astroid infers a base from its last binding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Binding {
    /// A class the module defines (an index into [`ModuleSummary::classes`]).
    Class(usize),
    /// An import.
    Import(ImportRef),
    /// A plain alias of a dotted name (`Base = other.Base`).
    Alias(Vec<String>),
    /// Anything else (a function, a call's result, a literal).
    Other,
}

/// A base class expression reduced to what can be followed: a dotted name
/// (`a.b.C`, also under a subscript: `Generic[T]` is `Generic`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BaseRef {
    /// A dotted name.
    Dotted(Vec<String>),
    /// A call, a lambda or anything else that cannot be followed.
    Other,
}

/// One class as another module defines it.
#[derive(Debug, Clone)]
pub(crate) struct ClassSummary {
    /// The class's name.
    pub name: String,
    /// Its bases, in order.
    pub bases: Vec<BaseRef>,
    /// Names its body binds, each with whether the first binding is a
    /// `def` (astroid's `mymethods()` are those).
    pub bindings: Vec<(String, bool)>,
    /// Parameter names of each method, in astroid's `argnames()` order
    /// (first `def` of a name wins).
    pub methods: Vec<(String, Vec<String>)>,
}

impl ClassSummary {
    fn of(class: &ast::StmtClassDef) -> Self {
        Self {
            name: class.name.to_string(),
            bases: class.bases.iter().map(base_ref).collect(),
            bindings: first_bindings(&class.body)
                .into_iter()
                .map(|(n, d)| (n.to_owned(), d))
                .collect(),
            methods: method_params(&class.body),
        }
    }

    /// Parameter names of the method `name`, when the body's first binding
    /// of `name` is a `def`; `None` otherwise.
    pub fn method(&self, name: &str) -> Option<Option<&[String]>> {
        let (_, is_def) = self.bindings.iter().find(|(n, _)| n == name)?;
        if !is_def {
            return Some(None);
        }
        Some(
            self.methods
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, p)| p.as_slice()),
        )
    }
}

/// A module's names as the class rules need them.
#[derive(Debug, Clone, Default)]
pub(crate) struct ModuleSummary {
    /// The module's dotted name (`email.mime.text`).
    pub name: String,
    /// The source file; `None` for a namespace package.
    pub file: Option<PathBuf>,
    /// For a package, the directory its submodules live in.
    pub package_dir: Option<PathBuf>,
    /// Classes defined at module level.
    pub classes: Vec<ClassSummary>,
    /// Module-level names and what their last binding is.
    pub names: HashMap<String, Binding>,
    /// `from m import *` imports, in source order.
    pub star: Vec<ImportRef>,
    /// Whether class bodies were summarised.
    pub with_classes: bool,
}

impl ModuleSummary {
    /// Reads the module-level names of a parsed module and its classes.
    pub fn of_suite(suite: &[Stmt]) -> Self {
        let mut out = Self {
            with_classes: true,
            ..Self::default()
        };
        out.collect(suite);
        out
    }

    /// Reads only the module-level names (classes are bound to
    /// [`Binding::Class`] with an index past the end): what a checked
    /// file, whose classes the rules see directly, needs.
    pub fn names_of(suite: &[Stmt]) -> Self {
        let mut out = Self::default();
        out.collect(suite);
        out
    }

    fn bind(&mut self, name: &str, binding: Binding) {
        self.names.insert(name.to_owned(), binding);
    }

    fn collect(&mut self, body: &[Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::ClassDef(c) => {
                    let index = if self.with_classes {
                        self.classes.push(ClassSummary::of(c));
                        self.classes.len() - 1
                    } else {
                        usize::MAX
                    };
                    self.bind(c.name.as_str(), Binding::Class(index));
                }
                Stmt::FunctionDef(f) => self.bind(f.name.as_str(), Binding::Other),
                Stmt::AsyncFunctionDef(f) => self.bind(f.name.as_str(), Binding::Other),
                Stmt::Import(i) => {
                    for alias in &i.names {
                        let parts = dotted_parts(alias.name.as_str());
                        match &alias.asname {
                            Some(as_) => self.bind(
                                as_.as_str(),
                                Binding::Import(ImportRef {
                                    level: 0,
                                    module: parts,
                                    member: None,
                                }),
                            ),
                            None => {
                                // `import a.b` binds `a`.
                                let head = parts.first().cloned().unwrap_or_default();
                                self.bind(
                                    &head,
                                    Binding::Import(ImportRef {
                                        level: 0,
                                        module: vec![head.clone()],
                                        member: None,
                                    }),
                                );
                            }
                        }
                    }
                }
                Stmt::ImportFrom(i) => {
                    let module = i
                        .module
                        .as_ref()
                        .map_or_else(Vec::new, |m| dotted_parts(m.as_str()));
                    let level = i.level.map_or(0, |l| l.to_u32());
                    for alias in &i.names {
                        let import = ImportRef {
                            level,
                            module: module.clone(),
                            member: Some(alias.name.to_string()),
                        };
                        if alias.name.as_str() == "*" {
                            self.star.push(ImportRef {
                                member: None,
                                ..import
                            });
                            continue;
                        }
                        let local = alias.asname.as_ref().unwrap_or(&alias.name);
                        self.bind(local.as_str(), Binding::Import(import));
                    }
                }
                Stmt::Assign(a) => {
                    let value = match dotted(&a.value) {
                        Some(parts) => Binding::Alias(parts),
                        None => Binding::Other,
                    };
                    for t in &a.targets {
                        match t {
                            Expr::Name(n) => self.bind(n.id.as_str(), value.clone()),
                            other => {
                                for n in target_names(other) {
                                    self.bind(n, Binding::Other);
                                }
                            }
                        }
                    }
                }
                Stmt::AnnAssign(a) => {
                    if let (Expr::Name(n), Some(_)) = (a.target.as_ref(), &a.value) {
                        self.bind(n.id.as_str(), Binding::Other);
                    }
                }
                Stmt::If(i) => {
                    self.collect(&i.body);
                    self.collect(&i.orelse);
                }
                Stmt::Try(t) => {
                    self.collect(&t.body);
                    for h in &t.handlers {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        self.collect(&h.body);
                    }
                    self.collect(&t.orelse);
                    self.collect(&t.finalbody);
                }
                Stmt::TryStar(t) => {
                    self.collect(&t.body);
                    self.collect(&t.orelse);
                    self.collect(&t.finalbody);
                }
                Stmt::With(w) => self.collect(&w.body),
                _ => {}
            }
        }
    }
}

fn dotted_parts(s: &str) -> Vec<String> {
    s.split('.').map(str::to_owned).collect()
}

/// `a.b.C` (also `a.b.C[...]`) as its parts; `None` for anything else.
pub(crate) fn dotted(expr: &Expr) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut e = match expr {
        Expr::Subscript(s) => s.value.as_ref(),
        other => other,
    };
    loop {
        match e {
            Expr::Attribute(a) => {
                parts.push(a.attr.to_string());
                e = a.value.as_ref();
            }
            Expr::Name(n) => {
                parts.push(n.id.to_string());
                parts.reverse();
                return Some(parts);
            }
            _ => return None,
        }
    }
}

fn base_ref(expr: &Expr) -> BaseRef {
    dotted(expr).map_or(BaseRef::Other, BaseRef::Dotted)
}

fn target_names(target: &Expr) -> Vec<&str> {
    let mut out = Vec::new();
    let mut todo = vec![target];
    while let Some(t) = todo.pop() {
        match t {
            Expr::Name(n) => out.push(n.id.as_str()),
            Expr::Tuple(t) => todo.extend(t.elts.iter()),
            Expr::List(l) => todo.extend(l.elts.iter()),
            Expr::Starred(s) => todo.push(&s.value),
            _ => {}
        }
    }
    out
}

/// Names bound in a class body (nested blocks included, nested scopes not),
/// each with whether its first binding is a `def`: astroid's
/// `mymethods()` are the names whose first binding is a function.
pub(crate) fn first_bindings(body: &[Stmt]) -> Vec<(&str, bool)> {
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
                        for n in target_names(t) {
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

/// Parameter names of every method in a class body (nested `if`/`try`/
/// `with` blocks included), in astroid's `argnames()` order; the first
/// `def` of a name wins.
fn method_params(body: &[Stmt]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut todo: Vec<&[Stmt]> = vec![body];
    while let Some(b) = todo.pop() {
        for s in b {
            let (name, args) = match s {
                Stmt::FunctionDef(f) => (f.name.as_str(), f.args.as_ref()),
                Stmt::AsyncFunctionDef(f) => (f.name.as_str(), f.args.as_ref()),
                Stmt::If(i) => {
                    todo.push(&i.body);
                    todo.push(&i.orelse);
                    continue;
                }
                Stmt::Try(t) => {
                    todo.push(&t.body);
                    todo.push(&t.orelse);
                    todo.push(&t.finalbody);
                    continue;
                }
                Stmt::With(w) => {
                    todo.push(&w.body);
                    continue;
                }
                _ => continue,
            };
            if out.iter().any(|(n, _)| n == name) {
                continue;
            }
            let mut params: Vec<String> = args
                .posonlyargs
                .iter()
                .chain(&args.args)
                .map(|p| p.def.arg.to_string())
                .collect();
            params.extend(args.vararg.as_deref().map(|a| a.arg.to_string()));
            params.extend(args.kwonlyargs.iter().map(|p| p.def.arg.to_string()));
            params.extend(args.kwarg.as_deref().map(|a| a.arg.to_string()));
            out.push((name.to_owned(), params));
        }
    }
    out
}
