//! The traversal: pyflakes' `Checker` reduced to what decides whether a
//! binding is used.
//!
//! Everything that changes a binding's `used` flag, replaces a binding or
//! removes one is modelled the way checker.py does it, in the same order:
//! module-level code first, then function bodies from a FIFO queue of
//! deferred functions (each seeing the scopes as they are by then), string
//! annotations parsed and checked as deferred functions too, class scopes
//! that nested functions cannot see, comprehension scopes, `global` and
//! `nonlocal` (which pyflakes treats alike), `del` outside conditionals,
//! `__all__`, `locals()`, star imports marked used by unresolved names, and
//! the typing constructs that switch annotation context on and off.
//! Messages other than unused imports and variables are not produced.

use std::borrow::Cow;
use std::collections::VecDeque;

use super::arena::Arena;
use super::bindings::{module_string, Binding, BindingKind, Import};
use super::builtins::BUILTINS;
use super::scope::{BindingId, Scope, ScopeId, ScopeKind};
use super::{unused_import, unused_variable};
use crate::parse::{ast, TextRange};

/// pyflakes' `AnnotationState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AnnotationState {
    /// Not in an annotation.
    None,
    /// Inside a string annotation.
    String,
    /// Inside a bare (unquoted) annotation.
    Bare,
}

/// Which of the two messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MessageKind {
    /// `UnusedImport` (F401).
    UnusedImport,
    /// `UnusedVariable` (F841).
    UnusedVariable,
    /// pylint's `unused-variable` (W0612), computed from the same scopes.
    PylintUnusedVariable,
}

/// A message as pyflakes reports it, in report order.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    /// Which message.
    pub(crate) kind: MessageKind,
    /// The message's `%r` argument.
    pub(crate) name: String,
    /// The node it is reported at.
    pub(crate) range: TextRange,
}

/// A function body scheduled by `deferFunction`.
#[derive(Debug)]
enum Deferred<'a> {
    /// A `def` or `lambda` body with its parameters.
    Function {
        args: &'a ast::Arguments,
        body: FunctionBody<'a>,
    },
    /// A string constant in annotation context, to be parsed.
    StringAnnotation { text: &'a str, range: TextRange },
    /// An annotation postponed by `from __future__ import annotations`.
    Annotation(&'a ast::Expr),
}

#[derive(Debug)]
enum FunctionBody<'a> {
    Statements(&'a [ast::Stmt]),
    Expression(&'a ast::Expr),
}

/// A deferred function with the state pyflakes restores for it.
#[derive(Debug)]
struct DeferredItem<'a> {
    what: Deferred<'a>,
    /// `self.scopeStack[:]` at the time it was deferred.
    stack: Vec<ScopeId>,
    /// Whether an `if`, `while` or conditional expression encloses it
    /// (pyflakes ignores `del` below one).
    conditional: bool,
    /// Position override inside string annotations.
    position: Option<TextRange>,
}

/// What a name is stored by, standing in for pyflakes' look at the parent
/// nodes of a `Name` in store context.
#[derive(Debug, Clone, Copy)]
enum Target<'a> {
    Assign {
        value: &'a ast::Expr,
        literal_unpacking: bool,
    },
    AugAssign {
        value: &'a ast::Expr,
    },
    AnnAssign {
        value: Option<&'a ast::Expr>,
    },
    For,
    Comprehension,
    With,
    NamedExpr,
    Delete,
    /// Anything else; binds an `Assignment`.
    Other,
}

/// Typing helpers whose arguments pyflakes treats specially (`CALL`).
const TYPING_CALLS: [&str; 8] = [
    "cast",
    "assert_type",
    "TypeVar",
    "ParamSpec",
    "TypeVarTuple",
    "NewType",
    "TypedDict",
    "NamedTuple",
];

fn is_typing_module(module: &str) -> bool {
    module == "typing" || module == "typing_extensions"
}

/// Runs the checker over a module and returns the unused-import and
/// unused-variable messages in pyflakes' report order (not yet sorted).
pub(crate) fn check<'a>(
    suite: &'a [ast::Stmt],
    arena: &'a Arena<Vec<ast::Stmt>>,
    pylint_unused_variable: bool,
) -> Vec<Message> {
    let mut checker = Checker {
        arena,
        bindings: Vec::with_capacity(BUILTINS.len() + 64),
        scopes: Vec::new(),
        stack: Vec::new(),
        deferred: VecDeque::new(),
        dead_scopes: Vec::new(),
        messages: Vec::new(),
        annotation: AnnotationState::None,
        annotations_future: false,
        conditional: 0,
        position: None,
        typing_imported: false,
        pylint_unused_variable,
    };
    checker.push_scope(ScopeKind::Module);
    for &name in BUILTINS {
        checker.add_binding(
            Cow::Borrowed(name),
            BindingKind::Builtin,
            TextRange::default(),
        );
    }
    checker.stmts(suite);
    checker.run_deferred();
    checker.pop_scope();
    checker.check_dead_scopes();
    checker.messages
}

struct Checker<'a> {
    arena: &'a Arena<Vec<ast::Stmt>>,
    bindings: Vec<Binding<'a>>,
    scopes: Vec<Scope<'a>>,
    stack: Vec<ScopeId>,
    deferred: VecDeque<DeferredItem<'a>>,
    dead_scopes: Vec<ScopeId>,
    messages: Vec<Message>,
    annotation: AnnotationState,
    annotations_future: bool,
    /// Number of enclosing `if` / `while` / conditional expressions.
    conditional: u32,
    /// Also report pylint's `unused-variable` (W0612).
    pylint_unused_variable: bool,
    /// Inside a string annotation every node takes the string's position.
    position: Option<TextRange>,
    /// Whether anything was imported from `typing` / `typing_extensions`
    /// yet; until then no typing lookup can succeed.
    typing_imported: bool,
}

impl<'a> Checker<'a> {
    // ----- scopes and bindings -------------------------------------------

    fn current(&self) -> ScopeId {
        self.stack.last().copied().unwrap_or(0)
    }

    fn current_kind(&self) -> ScopeKind {
        self.scopes[self.current() as usize].kind
    }

    fn scope(&self, id: ScopeId) -> &Scope<'a> {
        &self.scopes[id as usize]
    }

    fn scope_mut(&mut self, id: ScopeId) -> &mut Scope<'a> {
        &mut self.scopes[id as usize]
    }

    fn binding(&self, id: BindingId) -> &Binding<'a> {
        &self.bindings[id as usize]
    }

    fn mark_used(&mut self, id: BindingId) {
        self.bindings[id as usize].used = true;
    }

    fn push_scope(&mut self, kind: ScopeKind) {
        let id = ScopeId::try_from(self.scopes.len()).unwrap_or(ScopeId::MAX);
        self.scopes.push(Scope::new(kind));
        self.stack.push(id);
    }

    fn pop_scope(&mut self) {
        if let Some(id) = self.stack.pop() {
            self.dead_scopes.push(id);
        }
    }

    fn new_binding(
        &mut self,
        name: Cow<'a, str>,
        kind: BindingKind<'a>,
        used: bool,
        range: TextRange,
    ) -> BindingId {
        let id = BindingId::try_from(self.bindings.len()).unwrap_or(BindingId::MAX);
        self.bindings.push(Binding {
            name,
            kind,
            used,
            range: self.position.unwrap_or(range),
        });
        id
    }

    /// pyflakes' `addBinding`, minus the redefinition messages.
    fn add_binding(
        &mut self,
        name: Cow<'a, str>,
        kind: BindingKind<'a>,
        range: TextRange,
    ) -> BindingId {
        let current = self.current();
        let existing = self.scope(current).get(&name);
        // "then assume the rebound name is used as a global or within a loop"
        let used = existing.is_some_and(|b| self.binding(b).used);
        let is_annotation = matches!(kind, BindingKind::Annotation);
        let is_named_expr = matches!(kind, BindingKind::NamedExprAssignment);
        let future_used = matches!(kind, BindingKind::Import(Import::Future));
        if self.scope(current).kind == ScopeKind::Function && !is_named_expr {
            self.scope_mut(current)
                .first_bound
                .entry(name.clone())
                .or_insert((range, false));
        }
        let id = self.new_binding(name.clone(), kind, used, range);
        if future_used && !self.scope(current).contains(&name) {
            self.mark_used(id);
        }
        if self.scope(current).contains(&name) && is_annotation {
            // An annotation does not replace an existing value.
            return id;
        }
        if is_named_expr {
            // PEP 572: the scope in which the outermost comprehension is.
            let target = self
                .stack
                .iter()
                .rev()
                .copied()
                .find(|&s| !self.scope(s).kind.is_comprehension())
                .unwrap_or(0);
            let replaces_annotation = self
                .scope(target)
                .get(&name)
                .is_some_and(|b| matches!(self.binding(b).kind, BindingKind::Annotation));
            if replaces_annotation {
                self.scope_mut(target).set(name, id);
            } else {
                self.scope_mut(target).set_default(name, id);
            }
        } else {
            self.scope_mut(current).set(name, id);
        }
        id
    }

    /// The innermost binding of `name` in any scope of the stack (class
    /// scopes included), as `_is_typing_helper` looks it up.
    fn lookup(&self, name: &str) -> Option<&Binding<'a>> {
        self.stack
            .iter()
            .rev()
            .find_map(|&s| self.scope(s).get(name))
            .map(|b| self.binding(b))
    }

    /// The typing member that `node` names, if it names one
    /// (`_is_typing_helper`): a name imported from `typing` (its real
    /// name), or an attribute of the `typing` module.
    fn typing_member<'n>(&self, node: &'n ast::Expr) -> Option<&'n str>
    where
        'a: 'n,
    {
        if !self.typing_imported {
            return None;
        }
        match node {
            ast::Expr::Name(n) => match self.lookup(&n.id)?.kind {
                BindingKind::Import(Import::From {
                    level: 0,
                    module: Some(module),
                    real_name,
                }) if is_typing_module(module) => Some(real_name),
                _ => None,
            },
            ast::Expr::Attribute(a) => {
                let ast::Expr::Name(value) = a.value.as_ref() else {
                    return None;
                };
                match self.lookup(&value.id)?.kind {
                    BindingKind::Import(Import::Module { full_name })
                        if is_typing_module(full_name) =>
                    {
                        Some(a.attr.as_str())
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `_is_typing(node, member)`.
    fn is_typing(&self, node: &ast::Expr, member: &str) -> bool {
        self.typing_member(node) == Some(member)
    }

    /// `_is_any_typing_member(node)`.
    fn is_any_typing_member(&self, node: &ast::Expr) -> bool {
        self.typing_member(node).is_some()
    }

    fn in_postponed_annotation(&self) -> bool {
        self.annotation == AnnotationState::String
            || (self.annotation == AnnotationState::Bare && self.annotations_future)
    }

    /// pyflakes' `handleNodeLoad`, for its effect on `used` flags.
    fn load(&mut self, name: &str) {
        let mut can_access_class_vars: Option<bool> = None;
        let mut import_starred = false;
        for i in (0..self.stack.len()).rev() {
            let sid = self.stack[i];
            let scope = &self.scopes[sid as usize];
            if scope.kind == ScopeKind::Class {
                if name == "__class__" {
                    return;
                }
                if can_access_class_vars == Some(false) {
                    // Only comprehensions directly in a class body see it.
                    continue;
                }
            }
            if let Some(b) = scope.get(name) {
                if let Some(first) = self.scopes[sid as usize].first_bound.get_mut(name) {
                    first.1 = true;
                }
                if matches!(self.binding(b).kind, BindingKind::Annotation)
                    && !self.in_postponed_annotation()
                {
                    self.mark_used(b);
                    continue;
                }
                self.mark_used(b);
                // A used `import a as b` also uses a binding named `a`.
                if let BindingKind::Import(Import::Module { full_name }) = self.binding(b).kind {
                    if full_name != name && !full_name.contains('.') {
                        if let Some(other) = self.scope(sid).get(full_name) {
                            self.mark_used(other);
                        }
                    }
                }
                return;
            }
            import_starred |= scope.import_starred;
            if can_access_class_vars != Some(false) {
                can_access_class_vars = Some(scope.kind.is_comprehension());
            }
        }
        if import_starred {
            // An undefined name may come from any star import in reach.
            let stars: Vec<BindingId> = self
                .stack
                .iter()
                .flat_map(|&s| self.scope(s).bindings())
                .filter(|&b| {
                    matches!(
                        self.binding(b).kind,
                        BindingKind::Import(Import::Star { .. })
                    )
                })
                .collect();
            for b in stars {
                self.mark_used(b);
            }
        }
    }

    /// pyflakes' `handleNodeStore` for a `Name` target.
    fn store(&mut self, name: &'a str, range: TextRange, target: Target<'a>, nested: bool) {
        let module_all = name == "__all__" && !nested && self.current_kind() == ScopeKind::Module;
        let kind = match target {
            Target::AnnAssign { value: None } => BindingKind::Annotation,
            Target::For | Target::Comprehension => BindingKind::Plain,
            _ if nested
                && !matches!(
                    target,
                    Target::Assign {
                        literal_unpacking: true,
                        ..
                    }
                ) =>
            {
                BindingKind::Plain
            }
            Target::Assign { value, .. } | Target::AnnAssign { value: Some(value) }
                if module_all =>
            {
                BindingKind::Export(self.export_names(value, false))
            }
            Target::AugAssign { value } if module_all => {
                BindingKind::Export(self.export_names(value, true))
            }
            Target::NamedExpr => BindingKind::NamedExprAssignment,
            _ => BindingKind::Assignment,
        };
        self.add_binding(Cow::Borrowed(name), kind, range);
    }

    /// `ExportBinding.__init__`: the string literals of `__all__`'s value.
    fn export_names(&self, value: &'a ast::Expr, augmented: bool) -> Vec<&'a str> {
        let mut names = Vec::new();
        if augmented {
            if let Some(b) = self.scope(self.current()).get("__all__") {
                if let BindingKind::Export(existing) = &self.binding(b).kind {
                    names.clone_from(existing);
                }
            }
        }
        fn add<'a>(names: &mut Vec<&'a str>, container: &'a ast::Expr) -> bool {
            let elts = match container {
                ast::Expr::List(l) => &l.elts,
                ast::Expr::Tuple(t) => &t.elts,
                _ => return false,
            };
            for e in elts {
                if let ast::Expr::Constant(c) = e {
                    if let ast::Constant::Str(s) = &c.value {
                        names.push(s.as_str());
                    }
                }
            }
            true
        }
        match value {
            ast::Expr::List(_) | ast::Expr::Tuple(_) => {
                add(&mut names, value);
            }
            ast::Expr::BinOp(binop) => {
                let mut current = binop;
                // `['a'] + ['b'] + ['c']`: walk down the left spine.
                while add(&mut names, &current.right) {
                    match current.left.as_ref() {
                        ast::Expr::BinOp(left) => current = left,
                        left => {
                            add(&mut names, left);
                            break;
                        }
                    }
                }
            }
            _ => {}
        }
        names
    }

    /// pyflakes' `handleNodeDelete`.
    fn delete(&mut self, name: &str) {
        if self.conditional > 0 {
            // "We cannot predict if this conditional branch is going to be
            // executed."
            return;
        }
        let current = self.current();
        self.scope_mut(current).remove(name);
    }

    fn defer(&mut self, what: Deferred<'a>) {
        self.deferred.push_back(DeferredItem {
            what,
            stack: self.stack.clone(),
            conditional: self.conditional > 0,
            position: self.position,
        });
    }

    fn run_deferred(&mut self) {
        let original = std::mem::take(&mut self.stack);
        while let Some(item) = self.deferred.pop_front() {
            self.stack = item.stack;
            self.conditional = u32::from(item.conditional);
            self.position = item.position;
            self.annotation = AnnotationState::None;
            match item.what {
                Deferred::Function { args, body } => self.run_function(args, body),
                Deferred::StringAnnotation { text, range } => self.string_annotation(text, range),
                Deferred::Annotation(e) => {
                    self.with_annotation(AnnotationState::Bare, |c| c.expr(e))
                }
            }
        }
        self.stack = original;
        self.conditional = 0;
        self.position = None;
        self.annotation = AnnotationState::None;
    }

    fn with_annotation(&mut self, state: AnnotationState, f: impl FnOnce(&mut Self)) {
        let saved = std::mem::replace(&mut self.annotation, state);
        f(self);
        self.annotation = saved;
    }

    /// `checkDeadScopes`, for the two messages.
    fn check_dead_scopes(&mut self) {
        for i in 0..self.dead_scopes.len() {
            let sid = self.dead_scopes[i];
            let scope = &self.scopes[sid as usize];
            if scope.kind == ScopeKind::Class {
                // Imports and assignments in classes are public members.
                continue;
            }
            if scope.kind == ScopeKind::Function {
                unused_variable::report_scope(scope, &self.bindings, &mut self.messages);
                if self.pylint_unused_variable {
                    unused_variable::report_pylint_scope(scope, &self.bindings, &mut self.messages);
                }
            }
            let all_names: Vec<&'a str> = match scope
                .get("__all__")
                .map(|b| &self.bindings[b as usize].kind)
            {
                Some(BindingKind::Export(names)) => names.clone(),
                _ => Vec::new(),
            };
            if scope.import_starred && all_names.iter().any(|n| !scope.contains(n)) {
                // Names in `__all__` that are not defined may come from the
                // star imports, which therefore count as used.
                let stars: Vec<BindingId> = scope
                    .bindings()
                    .filter(|&b| {
                        matches!(
                            self.bindings[b as usize].kind,
                            BindingKind::Import(Import::Star { .. })
                        )
                    })
                    .collect();
                for b in stars {
                    self.mark_used(b);
                }
            }
            let scope = &self.scopes[sid as usize];
            unused_import::report_scope(scope, &self.bindings, &all_names, &mut self.messages);
        }
    }

    // ----- statements ----------------------------------------------------

    fn stmts(&mut self, body: &'a [ast::Stmt]) {
        for s in body {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &'a ast::Stmt) {
        use ast::Stmt as S;
        match s {
            S::FunctionDef(f) => self.function_def(
                &f.name,
                f.range,
                &f.decorator_list,
                &f.args,
                f.returns.as_deref(),
                &f.body,
            ),
            S::AsyncFunctionDef(f) => self.function_def(
                &f.name,
                f.range,
                &f.decorator_list,
                &f.args,
                f.returns.as_deref(),
                &f.body,
            ),
            S::ClassDef(c) => self.class_def(c),
            S::Return(r) => {
                if !matches!(self.current_kind(), ScopeKind::Class | ScopeKind::Module) {
                    self.expr_opt(r.value.as_deref());
                }
            }
            S::Delete(d) => {
                for t in &d.targets {
                    self.target(t, Target::Delete, false);
                }
            }
            S::Assign(a) => {
                self.expr(&a.value);
                let literal_unpacking = a
                    .targets
                    .iter()
                    .chain(std::iter::once(a.value.as_ref()))
                    .all(has_elts);
                let target = Target::Assign {
                    value: &a.value,
                    literal_unpacking,
                };
                for t in &a.targets {
                    self.target(t, target, false);
                }
            }
            S::AugAssign(a) => {
                if let ast::Expr::Name(n) = a.target.as_ref() {
                    self.load(&n.id);
                }
                self.expr(&a.value);
                self.target(&a.target, Target::AugAssign { value: &a.value }, false);
            }
            S::AnnAssign(a) => {
                self.annotation_expr(Some(&a.annotation));
                if let Some(value) = a.value.as_deref() {
                    if self.is_typing(&a.annotation, "TypeAlias") {
                        self.with_annotation(AnnotationState::Bare, |c| c.expr(value));
                    } else {
                        self.expr(value);
                    }
                }
                self.target(
                    &a.target,
                    Target::AnnAssign {
                        value: a.value.as_deref(),
                    },
                    false,
                );
            }
            S::For(f) => self.for_loop(&f.iter, &f.target, &f.body, &f.orelse),
            S::AsyncFor(f) => self.for_loop(&f.iter, &f.target, &f.body, &f.orelse),
            S::While(w) => {
                self.conditional += 1;
                self.expr(&w.test);
                self.stmts(&w.body);
                self.stmts(&w.orelse);
                self.conditional -= 1;
            }
            S::If(i) => {
                self.conditional += 1;
                self.expr(&i.test);
                self.stmts(&i.body);
                self.stmts(&i.orelse);
                self.conditional -= 1;
            }
            S::With(w) => self.with(&w.items, &w.body),
            S::AsyncWith(w) => self.with(&w.items, &w.body),
            S::Match(m) => {
                self.expr(&m.subject);
                for case in &m.cases {
                    self.pattern(&case.pattern);
                    self.expr_opt(case.guard.as_deref());
                    self.stmts(&case.body);
                }
            }
            S::Raise(r) => {
                self.expr_opt(r.exc.as_deref());
                self.expr_opt(r.cause.as_deref());
            }
            S::Try(t) => self.try_stmt(&t.body, &t.handlers, &t.orelse, &t.finalbody),
            S::TryStar(t) => self.try_stmt(&t.body, &t.handlers, &t.orelse, &t.finalbody),
            S::Assert(a) => {
                self.expr(&a.test);
                self.expr_opt(a.msg.as_deref());
            }
            S::Import(i) => self.import(i),
            S::ImportFrom(i) => self.import_from(i),
            S::Global(g) => self.global(&g.names, g.range),
            S::Nonlocal(n) => self.global(&n.names, n.range),
            S::Expr(e) => self.expr(&e.value),
            S::TypeAlias(t) => {
                // Python 3.12 syntax, which CPython 3.11 rejects; handled as
                // pyflakes does on 3.12 without the type-parameter scope.
                self.defer(Deferred::Annotation(&t.value));
                self.target(&t.name, Target::Other, false);
            }
            S::Pass(_) | S::Break(_) | S::Continue(_) => {}
        }
    }

    fn function_def(
        &mut self,
        name: &'a str,
        range: TextRange,
        decorators: &'a [ast::Expr],
        args: &'a ast::Arguments,
        returns: Option<&'a ast::Expr>,
        body: &'a [ast::Stmt],
    ) {
        for d in decorators {
            self.expr(d);
        }
        self.signature(args, Some(returns));
        self.defer(Deferred::Function {
            args,
            body: FunctionBody::Statements(body),
        });
        self.add_binding(Cow::Borrowed(name), BindingKind::FunctionDefinition, range);
    }

    /// The part of pyflakes' `LAMBDA` that runs in the enclosing scope:
    /// annotations, then default values. `returns` is `None` for lambdas.
    fn signature(&mut self, args: &'a ast::Arguments, returns: Option<Option<&'a ast::Expr>>) {
        for a in args
            .posonlyargs
            .iter()
            .chain(&args.args)
            .chain(&args.kwonlyargs)
        {
            self.annotation_expr(a.def.annotation.as_deref());
        }
        for a in args.vararg.iter().chain(&args.kwarg) {
            self.annotation_expr(a.annotation.as_deref());
        }
        if let Some(returns) = returns {
            self.annotation_expr(returns);
        }
        for a in args
            .posonlyargs
            .iter()
            .chain(&args.args)
            .chain(&args.kwonlyargs)
        {
            self.expr_opt(a.default.as_deref());
        }
    }

    /// `runFunction`: the body in a new function scope.
    fn run_function(&mut self, args: &'a ast::Arguments, body: FunctionBody<'a>) {
        self.push_scope(ScopeKind::Function);
        for a in args.posonlyargs.iter().chain(&args.args) {
            self.add_binding(
                Cow::Borrowed(&a.def.arg),
                BindingKind::Argument,
                a.def.range,
            );
        }
        if let Some(a) = &args.vararg {
            self.add_binding(Cow::Borrowed(&a.arg), BindingKind::Argument, a.range);
        }
        for a in &args.kwonlyargs {
            self.add_binding(
                Cow::Borrowed(&a.def.arg),
                BindingKind::Argument,
                a.def.range,
            );
        }
        if let Some(a) = &args.kwarg {
            self.add_binding(Cow::Borrowed(&a.arg), BindingKind::Argument, a.range);
        }
        match body {
            FunctionBody::Statements(body) => self.stmts(body),
            FunctionBody::Expression(body) => self.expr(body),
        }
        self.pop_scope();
    }

    /// `handleAnnotation`.
    fn annotation_expr(&mut self, annotation: Option<&'a ast::Expr>) {
        let Some(annotation) = annotation else { return };
        if self.annotations_future {
            self.defer(Deferred::Annotation(annotation));
        } else {
            self.with_annotation(AnnotationState::Bare, |c| c.expr(annotation));
        }
    }

    /// `handleStringAnnotation`: parse the string and check the expression
    /// in it, every node placed at the string.
    fn string_annotation(&mut self, text: &'a str, range: TextRange) {
        let parsed = crate::parse::parse(text);
        if parsed.error.is_some() {
            return;
        }
        let Some(suite) = parsed.suite else { return };
        let suite: &'a Vec<ast::Stmt> = self.arena.alloc(suite);
        let [ast::Stmt::Expr(e)] = suite.as_slice() else {
            return;
        };
        let saved = self.position.replace(range);
        self.with_annotation(AnnotationState::String, |c| c.expr(&e.value));
        self.position = saved;
    }

    fn class_def(&mut self, c: &'a ast::StmtClassDef) {
        for d in &c.decorator_list {
            self.expr(d);
        }
        for b in &c.bases {
            self.expr(b);
        }
        for k in &c.keywords {
            self.expr(&k.value);
        }
        self.push_scope(ScopeKind::Class);
        self.stmts(&c.body);
        self.pop_scope();
        self.add_binding(
            Cow::Borrowed(&c.name),
            BindingKind::ClassDefinition,
            c.range,
        );
    }

    fn for_loop(
        &mut self,
        iter: &'a ast::Expr,
        target: &'a ast::Expr,
        body: &'a [ast::Stmt],
        orelse: &'a [ast::Stmt],
    ) {
        self.expr(iter);
        self.target(target, Target::For, false);
        self.stmts(body);
        self.stmts(orelse);
    }

    fn with(&mut self, items: &'a [ast::WithItem], body: &'a [ast::Stmt]) {
        for item in items {
            self.expr(&item.context_expr);
            if let Some(vars) = item.optional_vars.as_deref() {
                self.target(vars, Target::With, false);
            }
        }
        self.stmts(body);
    }

    fn try_stmt(
        &mut self,
        body: &'a [ast::Stmt],
        handlers: &'a [ast::ExceptHandler],
        orelse: &'a [ast::Stmt],
        finalbody: &'a [ast::Stmt],
    ) {
        self.stmts(body);
        for ast::ExceptHandler::ExceptHandler(h) in handlers {
            self.except_handler(h);
        }
        self.stmts(orelse);
        self.stmts(finalbody);
    }

    /// `EXCEPTHANDLER`: the name is bound only inside the handler, and
    /// reported right away if the handler does not use it.
    fn except_handler(&mut self, h: &'a ast::ExceptHandlerExceptHandler) {
        let Some(name) = h.name.as_deref() else {
            self.expr_opt(h.type_.as_deref());
            self.stmts(&h.body);
            return;
        };
        let current = self.current();
        if self.scope(current).contains(name) {
            self.store(name, h.range, Target::Other, false);
        }
        let previous = self.scope_mut(current).remove(name);
        self.store(name, h.range, Target::Other, false);
        self.expr_opt(h.type_.as_deref());
        self.stmts(&h.body);
        if let Some(b) = self.scope_mut(current).remove(name) {
            if !self.binding(b).used {
                let range = self.position.unwrap_or(h.range);
                unused_variable::report_except_handler(name, range, &mut self.messages);
                if self.pylint_unused_variable && self.scope(current).kind == ScopeKind::Function {
                    unused_variable::report_pylint_except_handler(
                        name,
                        h.range,
                        &mut self.messages,
                    );
                }
            }
        }
        if let Some(previous) = previous {
            self.scope_mut(current).set(Cow::Borrowed(name), previous);
        }
    }

    fn import(&mut self, i: &'a ast::StmtImport) {
        for alias in &i.names {
            let full_name = alias.name.as_str();
            let (name, import) = match alias.asname.as_deref() {
                None if full_name.contains('.') => {
                    let package = full_name.split('.').next().unwrap_or(full_name);
                    (package, Import::Submodule { full_name })
                }
                asname => {
                    if is_typing_module(full_name) {
                        self.typing_imported = true;
                    }
                    (asname.unwrap_or(full_name), Import::Module { full_name })
                }
            };
            self.add_binding(Cow::Borrowed(name), BindingKind::Import(import), i.range);
        }
    }

    fn import_from(&mut self, i: &'a ast::StmtImportFrom) {
        let module = i.module.as_deref();
        let level = i.level.map_or(0, |l| l.to_u32());
        if level == 0 && module.is_some_and(is_typing_module) {
            self.typing_imported = true;
        }
        for alias in &i.names {
            let real_name = alias.name.as_str();
            let name = alias.asname.as_deref().unwrap_or(real_name);
            let (name, import) = if module == Some("__future__") {
                if real_name == "annotations" {
                    self.annotations_future = true;
                }
                (Cow::Borrowed(name), Import::Future)
            } else if real_name == "*" {
                if self.current_kind() != ScopeKind::Module {
                    continue;
                }
                let current = self.current();
                self.scope_mut(current).import_starred = true;
                let key = format!("{}.*", module_string(level, module));
                (Cow::Owned(key), Import::Star { level, module })
            } else {
                (
                    Cow::Borrowed(name),
                    Import::From {
                        level,
                        module,
                        real_name,
                    },
                )
            };
            self.add_binding(name, BindingKind::Import(import), i.range);
        }
    }

    /// `GLOBAL` (and `NONLOCAL`, which pyflakes handles identically): the
    /// name is bound, already used, in the module scope if unbound there and
    /// in every scope between the module and here.
    fn global(&mut self, names: &'a [ast::Identifier], range: TextRange) {
        let Some(&module) = self.stack.first() else {
            return;
        };
        if self.current() == module {
            return;
        }
        for name in names {
            let name: &'a str = name.as_str();
            let id = self.new_binding(Cow::Borrowed(name), BindingKind::Assignment, true, range);
            self.scope_mut(module).set_default(Cow::Borrowed(name), id);
            for i in 1..self.stack.len() {
                let sid = self.stack[i];
                self.scope_mut(sid).set(Cow::Borrowed(name), id);
            }
        }
    }

    fn pattern(&mut self, p: &'a ast::Pattern) {
        use ast::Pattern as P;
        match p {
            P::MatchValue(v) => self.expr(&v.value),
            P::MatchSingleton(_) => {}
            P::MatchSequence(s) => {
                for p in &s.patterns {
                    self.pattern(p);
                }
            }
            P::MatchMapping(m) => {
                if let Some(rest) = m.rest.as_deref() {
                    self.store(rest, m.range, Target::Other, false);
                }
                for k in &m.keys {
                    self.expr(k);
                }
                for p in &m.patterns {
                    self.pattern(p);
                }
            }
            P::MatchClass(c) => {
                self.expr(&c.cls);
                for p in c.patterns.iter().chain(&c.kwd_patterns) {
                    self.pattern(p);
                }
            }
            P::MatchStar(s) => {
                if let Some(name) = s.name.as_deref() {
                    self.store(name, s.range, Target::Other, false);
                }
            }
            P::MatchAs(a) => {
                if let Some(name) = a.name.as_deref() {
                    self.store(name, a.range, Target::Other, false);
                }
                if let Some(p) = a.pattern.as_deref() {
                    self.pattern(p);
                }
            }
            P::MatchOr(o) => {
                for p in &o.patterns {
                    self.pattern(p);
                }
            }
        }
    }

    // ----- expressions ---------------------------------------------------

    /// An assignment target: names are stored (or deleted), everything else
    /// is an ordinary expression.
    fn target(&mut self, e: &'a ast::Expr, target: Target<'a>, nested: bool) {
        match e {
            ast::Expr::Name(n) => match n.ctx {
                ast::ExprContext::Store => self.store(&n.id, n.range, target, nested),
                ast::ExprContext::Del => self.delete(&n.id),
                ast::ExprContext::Load => self.load(&n.id),
            },
            ast::Expr::Tuple(t) => {
                for e in &t.elts {
                    self.target(e, target, true);
                }
            }
            ast::Expr::List(l) => {
                for e in &l.elts {
                    self.target(e, target, true);
                }
            }
            ast::Expr::Starred(s) => self.target(&s.value, target, true),
            _ => self.expr(e),
        }
    }

    fn expr_opt(&mut self, e: Option<&'a ast::Expr>) {
        if let Some(e) = e {
            self.expr(e);
        }
    }

    fn exprs(&mut self, es: &'a [ast::Expr]) {
        for e in es {
            self.expr(e);
        }
    }

    fn expr(&mut self, e: &'a ast::Expr) {
        use ast::Expr as E;
        match e {
            E::BoolOp(b) => self.exprs(&b.values),
            E::NamedExpr(n) => {
                self.expr(&n.value);
                self.target(&n.target, Target::NamedExpr, false);
            }
            E::BinOp(b) => {
                self.expr(&b.left);
                self.expr(&b.right);
            }
            E::UnaryOp(u) => self.expr(&u.operand),
            E::Lambda(l) => {
                self.signature(&l.args, None);
                self.defer(Deferred::Function {
                    args: &l.args,
                    body: FunctionBody::Expression(&l.body),
                });
            }
            E::IfExp(i) => {
                self.conditional += 1;
                self.expr(&i.test);
                self.expr(&i.body);
                self.expr(&i.orelse);
                self.conditional -= 1;
            }
            E::Dict(d) => {
                for (k, v) in d.keys.iter().zip(&d.values) {
                    self.expr_opt(k.as_ref());
                    self.expr(v);
                }
            }
            E::Set(s) => self.exprs(&s.elts),
            E::ListComp(c) => {
                self.comprehension(&c.generators, ScopeKind::Comprehension, &c.elt, None)
            }
            E::SetComp(c) => {
                self.comprehension(&c.generators, ScopeKind::Comprehension, &c.elt, None)
            }
            E::DictComp(c) => self.comprehension(
                &c.generators,
                ScopeKind::Comprehension,
                &c.key,
                Some(&c.value),
            ),
            E::GeneratorExp(c) => {
                self.comprehension(&c.generators, ScopeKind::Generator, &c.elt, None)
            }
            E::Await(a) => self.yield_value(Some(&a.value)),
            E::Yield(y) => self.yield_value(y.value.as_deref()),
            E::YieldFrom(y) => self.yield_value(Some(&y.value)),
            E::Compare(c) => {
                self.expr(&c.left);
                self.exprs(&c.comparators);
            }
            E::Call(c) => self.call(c),
            E::FormattedValue(f) => {
                self.expr(&f.value);
                self.expr_opt(f.format_spec.as_deref());
            }
            E::JoinedStr(j) => self.exprs(&j.values),
            E::Constant(c) => {
                if let ast::Constant::Str(s) = &c.value {
                    if self.annotation != AnnotationState::None {
                        let range = self.position.unwrap_or(c.range);
                        self.defer(Deferred::StringAnnotation { text: s, range });
                    }
                }
            }
            E::Attribute(a) => self.expr(&a.value),
            E::Subscript(s) => self.subscript(s),
            E::Starred(s) => self.expr(&s.value),
            E::Name(n) => match n.ctx {
                ast::ExprContext::Load => self.load(&n.id),
                ast::ExprContext::Store => self.store(&n.id, n.range, Target::Other, false),
                ast::ExprContext::Del => self.delete(&n.id),
            },
            E::List(l) => self.exprs(&l.elts),
            E::Tuple(t) => self.exprs(&t.elts),
            E::Slice(s) => {
                self.expr_opt(s.lower.as_deref());
                self.expr_opt(s.upper.as_deref());
                self.expr_opt(s.step.as_deref());
            }
        }
    }

    /// `YIELD` / `AWAIT` / `YIELDFROM`: the value is not visited at module
    /// or class level.
    fn yield_value(&mut self, value: Option<&'a ast::Expr>) {
        if !matches!(self.current_kind(), ScopeKind::Class | ScopeKind::Module) {
            self.expr_opt(value);
        }
    }

    /// `GENERATOREXP`: the first iterable in the enclosing scope, the rest
    /// in a new comprehension scope.
    fn comprehension(
        &mut self,
        generators: &'a [ast::Comprehension],
        kind: ScopeKind,
        elt: &'a ast::Expr,
        value: Option<&'a ast::Expr>,
    ) {
        let Some((first, rest)) = generators.split_first() else {
            return;
        };
        self.expr(&first.iter);
        self.push_scope(kind);
        self.target(&first.target, Target::Comprehension, false);
        self.exprs(&first.ifs);
        for g in rest {
            self.expr(&g.iter);
            self.target(&g.target, Target::Comprehension, false);
            self.exprs(&g.ifs);
        }
        self.expr(elt);
        self.expr_opt(value);
        self.pop_scope();
    }

    fn subscript(&mut self, s: &'a ast::ExprSubscript) {
        if is_name_or_attr(&s.value, "Literal") {
            self.expr(&s.value);
            self.with_annotation(AnnotationState::None, |c| c.expr(&s.slice));
        } else if is_name_or_attr(&s.value, "Annotated") {
            self.expr(&s.value);
            match s.slice.as_ref() {
                ast::Expr::Tuple(t) if t.elts.len() >= 2 => {
                    self.expr(&t.elts[0]);
                    self.with_annotation(AnnotationState::None, |c| c.exprs(&t.elts[1..]));
                }
                slice => self.expr(slice),
            }
        } else if self.is_any_typing_member(&s.value) {
            self.with_annotation(AnnotationState::Bare, |c| {
                c.expr(&s.value);
                c.expr(&s.slice);
            });
        } else {
            self.expr(&s.value);
            self.expr(&s.slice);
        }
    }

    fn call(&mut self, c: &'a ast::ExprCall) {
        if self.current_kind() == ScopeKind::Function
            && (is_locals(&c.func) || c.args.iter().any(is_locals))
        {
            let current = self.current();
            self.scope_mut(current).uses_locals = true;
        }
        let member = self
            .typing_member(&c.func)
            .and_then(|m| TYPING_CALLS.iter().copied().find(|&t| t == m));
        let Some(member) = member else {
            self.expr(&c.func);
            self.exprs(&c.args);
            for k in &c.keywords {
                self.expr(&k.value);
            }
            return;
        };
        let (head, tail) = c.args.split_at(c.args.len().min(1));
        self.plain(&c.func);
        match member {
            "cast" => {
                self.annotations(head);
                self.plains(tail);
                self.keywords(&c.keywords, &["typ"]);
            }
            "assert_type" => {
                self.plains(head);
                self.annotations(tail);
                self.keywords(&c.keywords, &[]);
            }
            "TypeVar" => {
                self.plains(head);
                self.annotations(tail);
                self.keywords(&c.keywords, &["bound", "default"]);
            }
            "ParamSpec" | "TypeVarTuple" => {
                self.plains(&c.args);
                self.keywords(&c.keywords, &["bound", "default"]);
            }
            "NewType" => {
                self.plains(head);
                self.annotations(tail);
                self.keywords(&c.keywords, &["tp"]);
            }
            "TypedDict" => {
                self.plains(head);
                if let Some(ast::Expr::Dict(d)) = tail.first() {
                    for (k, v) in d.keys.iter().zip(&d.values) {
                        if let Some(k) = k {
                            self.plain(k);
                        }
                        self.annotation_of(v);
                    }
                    self.plains(&tail[1..]);
                } else {
                    self.plains(tail);
                }
                // Python < 3.13: keyword arguments are field types.
                for k in &c.keywords {
                    self.annotation_of(&k.value);
                }
            }
            _ => {
                // NamedTuple
                self.plains(head);
                match tail.first() {
                    Some(
                        ast::Expr::Tuple(ast::ExprTuple { elts, .. })
                        | ast::Expr::List(ast::ExprList { elts, .. }),
                    ) => {
                        for elt in elts {
                            match elt {
                                ast::Expr::Tuple(ast::ExprTuple { elts: pair, .. })
                                | ast::Expr::List(ast::ExprList { elts: pair, .. }) => {
                                    let (name, types) = pair.split_at(pair.len().min(1));
                                    self.plains(name);
                                    self.annotations(types);
                                }
                                other => self.plain(other),
                            }
                        }
                        self.plains(&tail[1..]);
                    }
                    _ => self.plains(tail),
                }
                // Python < 3.15: keyword arguments are field types.
                for k in &c.keywords {
                    self.annotation_of(&k.value);
                }
            }
        }
    }

    /// `_non_annotation`.
    fn plain(&mut self, e: &'a ast::Expr) {
        self.with_annotation(AnnotationState::None, |c| c.expr(e));
    }

    fn plains(&mut self, es: &'a [ast::Expr]) {
        for e in es {
            self.plain(e);
        }
    }

    /// `_annotation`.
    fn annotation_of(&mut self, e: &'a ast::Expr) {
        self.with_annotation(AnnotationState::Bare, |c| c.expr(e));
    }

    fn annotations(&mut self, es: &'a [ast::Expr]) {
        for e in es {
            self.annotation_of(e);
        }
    }

    /// Keyword arguments: those named in `typed` are annotations.
    fn keywords(&mut self, keywords: &'a [ast::Keyword], typed: &[&str]) {
        for k in keywords {
            if k.arg.as_deref().is_some_and(|a| typed.contains(&a)) {
                self.annotation_of(&k.value);
            } else {
                self.plain(&k.value);
            }
        }
    }
}

/// `hasattr(node, 'elts')`: list, tuple and set displays.
fn has_elts(e: &ast::Expr) -> bool {
    matches!(
        e,
        ast::Expr::Tuple(_) | ast::Expr::List(_) | ast::Expr::Set(_)
    )
}

/// `_is_name_or_attr`.
fn is_name_or_attr(e: &ast::Expr, name: &str) -> bool {
    match e {
        ast::Expr::Name(n) => n.id.as_str() == name,
        ast::Expr::Attribute(a) => a.attr.as_str() == name,
        _ => false,
    }
}

/// A `locals` name directly inside a call (as the callee or a positional
/// argument), which is what pyflakes takes for a `locals()` call.
fn is_locals(e: &ast::Expr) -> bool {
    matches!(e, ast::Expr::Name(n) if n.id.as_str() == "locals" && matches!(n.ctx, ast::ExprContext::Load))
}
