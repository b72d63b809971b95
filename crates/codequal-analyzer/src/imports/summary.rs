//! What another module contributes to the class rules: its module-level
//! names (classes, imports, aliases) and, per class, its bases, the names
//! its body binds and its methods' parameters. Nothing else is kept.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::parse::ast::{self, Expr, Ranged, Stmt};

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
    /// Byte offset of the `class` statement (its bases are looked up among
    /// the bindings before it).
    pub start: u32,
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
            start: class.range.start().to_u32(),
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
    /// Every module-level binding of each name, in source order, with the
    /// byte offset of the statement that makes it.
    pub names: HashMap<String, Vec<(u32, Binding)>>,
    /// `from m import *` imports, in source order (each module once), with
    /// their offsets.
    pub star: Vec<(u32, ImportRef)>,
    /// The names a star import of this module takes, when it sets
    /// `__all__` to a literal list or tuple of strings.
    pub all: Option<Vec<String>>,
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

    /// The last binding of `name`, before byte offset `before` when given
    /// (a class's bases are evaluated before the class is bound).
    pub fn binding(&self, name: &str, before: Option<u32>) -> Option<(u32, &Binding)> {
        self.names
            .get(name)?
            .iter()
            .rev()
            .find(|(at, _)| before.is_none_or(|b| *at < b))
            .map(|(at, b)| (*at, b))
    }

    /// The star imports made before byte offset `before` (all when `None`),
    /// last first.
    pub fn stars_before(&self, before: Option<u32>) -> impl Iterator<Item = &ImportRef> {
        self.star
            .iter()
            .rev()
            .filter(move |(at, _)| before.is_none_or(|b| *at < b))
            .map(|(_, i)| i)
    }

    /// Whether `from this import *` takes `name`.
    pub fn exports(&self, name: &str) -> bool {
        match &self.all {
            Some(all) => all.iter().any(|n| n == name),
            None => !name.starts_with('_'),
        }
    }

    fn bind(&mut self, name: &str, at: u32, binding: Binding) {
        self.names
            .entry(name.to_owned())
            .or_default()
            .push((at, binding));
    }

    fn collect(&mut self, body: &[Stmt]) {
        for stmt in body {
            let at = stmt.range().start().to_u32();
            match stmt {
                Stmt::ClassDef(c) => {
                    let index = if self.with_classes {
                        self.classes.push(ClassSummary::of(c));
                        self.classes.len() - 1
                    } else {
                        usize::MAX
                    };
                    self.bind(c.name.as_str(), at, Binding::Class(index));
                }
                Stmt::FunctionDef(f) => self.bind(f.name.as_str(), at, Binding::Other),
                Stmt::AsyncFunctionDef(f) => self.bind(f.name.as_str(), at, Binding::Other),
                Stmt::Import(i) => {
                    for alias in &i.names {
                        let parts = dotted_parts(alias.name.as_str());
                        match &alias.asname {
                            Some(as_) => self.bind(
                                as_.as_str(),
                                at,
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
                                    at,
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
                            let import = ImportRef {
                                member: None,
                                ..import
                            };
                            if !self.star.iter().any(|(_, i)| *i == import) {
                                self.star.push((at, import));
                            }
                            continue;
                        }
                        let local = alias.asname.as_ref().unwrap_or(&alias.name);
                        self.bind(local.as_str(), at, Binding::Import(import));
                    }
                }
                Stmt::Assign(a) => {
                    if let ([Expr::Name(n)], Some(names)) =
                        (a.targets.as_slice(), string_list(&a.value))
                    {
                        if n.id.as_str() == "__all__" {
                            self.all = Some(names);
                        }
                    }
                    let value = match dotted(&a.value) {
                        Some(parts) => Binding::Alias(parts),
                        None => Binding::Other,
                    };
                    for t in &a.targets {
                        match t {
                            Expr::Name(n) => self.bind(n.id.as_str(), at, value.clone()),
                            other => {
                                for n in target_names(other) {
                                    self.bind(n, at, Binding::Other);
                                }
                            }
                        }
                    }
                }
                Stmt::AnnAssign(a) => {
                    if let (Expr::Name(n), Some(_)) = (a.target.as_ref(), &a.value) {
                        self.bind(n.id.as_str(), at, Binding::Other);
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

/// A literal list or tuple of strings.
fn string_list(e: &Expr) -> Option<Vec<String>> {
    let elts = match e {
        Expr::List(l) => &l.elts,
        Expr::Tuple(t) => &t.elts,
        _ => return None,
    };
    elts.iter()
        .map(|e| match e {
            Expr::Constant(c) => match &c.value {
                ast::Constant::Str(s) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
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

/// The names an assignment target binds (tuples, lists and starred
/// targets unpacked).
pub(crate) fn target_names(target: &Expr) -> Vec<&str> {
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

/// Calls `visit` on every statement of a class body that can bind a name
/// in the class scope, in source order: nested `if`/`try`/`with`/`for`/
/// `while` blocks included, nested scopes not.
fn for_each_class_stmt<'b>(body: &'b [Stmt], visit: &mut impl FnMut(&'b Stmt)) {
    for s in body {
        visit(s);
        match s {
            Stmt::If(i) => {
                for_each_class_stmt(&i.body, visit);
                for_each_class_stmt(&i.orelse, visit);
            }
            Stmt::Try(t) => {
                for_each_class_stmt(&t.body, visit);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    for_each_class_stmt(&h.body, visit);
                }
                for_each_class_stmt(&t.orelse, visit);
                for_each_class_stmt(&t.finalbody, visit);
            }
            Stmt::With(w) => for_each_class_stmt(&w.body, visit),
            Stmt::For(f) => {
                for_each_class_stmt(&f.body, visit);
                for_each_class_stmt(&f.orelse, visit);
            }
            Stmt::While(w) => {
                for_each_class_stmt(&w.body, visit);
                for_each_class_stmt(&w.orelse, visit);
            }
            _ => {}
        }
    }
}

/// Names bound in a class body (nested blocks included, nested scopes not),
/// in source order, each with whether its first binding is a `def`:
/// astroid's `mymethods()` are the names whose first binding is a function.
pub(crate) fn first_bindings(body: &[Stmt]) -> Vec<(&str, bool)> {
    let mut out: Vec<(&str, bool)> = Vec::new();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for_each_class_stmt(body, &mut |s| {
        let names: Vec<(&str, bool)> = match s {
            Stmt::FunctionDef(f) => vec![(f.name.as_str(), true)],
            Stmt::AsyncFunctionDef(f) => vec![(f.name.as_str(), true)],
            Stmt::ClassDef(c) => vec![(c.name.as_str(), false)],
            Stmt::Assign(a) => a
                .targets
                .iter()
                .flat_map(target_names)
                .map(|n| (n, false))
                .collect(),
            Stmt::AnnAssign(a) => match a.target.as_ref() {
                Expr::Name(n) => vec![(n.id.as_str(), false)],
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        for (n, d) in names {
            if seen.insert(n) {
                out.push((n, d));
            }
        }
    });
    out
}

/// The first `def` of `name` in a class body, in source order, over the
/// statements [`first_bindings`] reads.
pub(crate) fn first_def<'b>(body: &'b [Stmt], name: &str) -> Option<&'b ast::Arguments> {
    let mut found = None;
    for_each_class_stmt(body, &mut |s| {
        if found.is_some() {
            return;
        }
        match s {
            Stmt::FunctionDef(f) if f.name.as_str() == name => found = Some(f.args.as_ref()),
            Stmt::AsyncFunctionDef(f) if f.name.as_str() == name => found = Some(f.args.as_ref()),
            _ => {}
        }
    });
    found
}

/// Parameter names in astroid's `argnames()` order.
pub(crate) fn params_of(args: &ast::Arguments) -> Vec<String> {
    let mut params: Vec<String> = args
        .posonlyargs
        .iter()
        .chain(&args.args)
        .map(|p| p.def.arg.to_string())
        .collect();
    params.extend(args.vararg.as_deref().map(|a| a.arg.to_string()));
    params.extend(args.kwonlyargs.iter().map(|p| p.def.arg.to_string()));
    params.extend(args.kwarg.as_deref().map(|a| a.arg.to_string()));
    params
}

/// Parameter names of every method in a class body, first `def` of a
/// name first, in source order.
fn method_params(body: &[Stmt]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for_each_class_stmt(body, &mut |s| {
        let (name, args) = match s {
            Stmt::FunctionDef(f) => (f.name.as_str(), f.args.as_ref()),
            Stmt::AsyncFunctionDef(f) => (f.name.as_str(), f.args.as_ref()),
            _ => return,
        };
        if seen.insert(name.to_owned()) {
            out.push((name.to_owned(), params_of(args)));
        }
    });
    out
}
