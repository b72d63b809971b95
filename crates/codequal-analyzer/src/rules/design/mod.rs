//! Design: pylint 4.1.4's too-many-* family (with its defaults and counting
//! rules), unused-argument, dangerous-default-value, bare-except,
//! broad-exception-caught, consider-using-with, consider-using-enumerate and
//! unused-variable (computed in the pyflakes pass).
//!
//! Per-function figures (statements, branches, returns, locals, names read)
//! are gathered in the one shared traversal: a [`State`] keeps one counter
//! frame per enclosing function and every statement and name updates them as
//! it goes by, the way pylint's checkers keep their stacks. Class figures
//! ([`classes`]) look at the class's own body once, when it is entered.

mod bare_except;
mod broad_exception_caught;
mod classes;
mod consider_using_enumerate;
mod consider_using_with;
mod dangerous_default_value;
mod too_few_public_methods;
mod too_many_ancestors;
mod too_many_arguments;
mod too_many_boolean_expressions;
mod too_many_branches;
mod too_many_instance_attributes;
mod too_many_locals;
mod too_many_nested_blocks;
mod too_many_positional_arguments;
mod too_many_public_methods;
mod too_many_return_statements;
mod too_many_statements;
mod unused_argument;
mod unused_variable;

use std::collections::{HashMap, HashSet};

use rustpython_parser::ast::Ranged;

use super::checker::Frame;
use super::{Checker, RuleMeta};
use crate::parse::ast::{self, Constant, Expr, ExprContext, Stmt};
use crate::parse::{TextRange, Tok};
use crate::report::Span;

/// pylint's `unused-variable` (W0612) for `name` at `span`: computed in
/// the pyflakes pass, which already resolves every scope and binding.
pub(crate) fn unused_variable_finding(name: &str, span: Span) -> crate::Finding {
    unused_variable::finding(name, span)
}

/// Whether `unused-variable` (W0612) is on in `rules`.
pub(crate) fn unused_variable_enabled(rules: &super::RuleSet) -> bool {
    rules.contains(&unused_variable::META)
}

/// The family's rules; a rule's `index` is its position here.
pub(crate) static RULES: &[&RuleMeta] = &[
    &too_many_arguments::META,
    &too_many_positional_arguments::META,
    &too_many_locals::META,
    &too_many_return_statements::META,
    &too_many_branches::META,
    &too_many_statements::META,
    &too_many_ancestors::META,
    &too_many_instance_attributes::META,
    &too_few_public_methods::META,
    &too_many_public_methods::META,
    &too_many_boolean_expressions::META,
    &too_many_nested_blocks::META,
    &unused_argument::META,
    &dangerous_default_value::META,
    &bare_except::META,
    &broad_exception_caught::META,
    &consider_using_with::META,
    &consider_using_enumerate::META,
    &unused_variable::META,
];

/// Thresholds of the design rules; defaults are pylint 4.1.4's. A rule
/// fires when the count is above its `max_*` (below `min_public_methods`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `too-many-arguments` (R0913) above this many (default 5).
    pub max_args: usize,
    /// `too-many-positional-arguments` (R0917) above this many (default 5).
    pub max_positional_arguments: usize,
    /// `too-many-locals` (R0914) above this many (default 15).
    pub max_locals: usize,
    /// `too-many-return-statements` (R0911) above this many (default 6).
    pub max_returns: usize,
    /// `too-many-branches` (R0912) above this many (default 12).
    pub max_branches: usize,
    /// `too-many-statements` (R0915) above this many (default 50).
    pub max_statements: usize,
    /// `too-many-ancestors` (R0901) above this many (default 7).
    pub max_parents: usize,
    /// `too-many-instance-attributes` (R0902) above this many (default 7).
    pub max_attributes: usize,
    /// `too-few-public-methods` (R0903) below this many (default 2).
    pub min_public_methods: usize,
    /// `too-many-public-methods` (R0904) above this many (default 20).
    pub max_public_methods: usize,
    /// `too-many-boolean-expressions` (R0916) above this many (default 5).
    pub max_bool_expr: usize,
    /// `too-many-nested-blocks` (R1702) above this many (default 5).
    pub max_nested_blocks: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_args: 5,
            max_positional_arguments: 5,
            max_locals: 15,
            max_returns: 6,
            max_branches: 12,
            max_statements: 50,
            max_parents: 7,
            max_attributes: 7,
            min_public_methods: 2,
            max_public_methods: 20,
            max_bool_expr: 5,
            max_nested_blocks: 5,
        }
    }
}

/// The family's state during one traversal.
#[derive(Debug, Default)]
pub struct State<'a> {
    /// One counter frame per enclosing function, outermost first.
    functions: Vec<FunctionStats<'a>>,
    /// Enclosing compound statements, outermost first.
    parents: Vec<&'a Stmt>,
    /// pylint's stack of nested blocks (`too-many-nested-blocks`).
    nested: Vec<&'a Stmt>,
    /// Resource-allocating calls assigned at module level, by name.
    module_resources: Vec<(&'a str, TextRange)>,
    /// Calls tracked through an assignment (reported at scope end).
    tracked_calls: HashSet<TextRange>,
    /// Calls passed to `enter_context` (released automatically).
    released_calls: HashSet<TextRange>,
    /// `return` statements being walked.
    returns: Vec<TextRange>,
    /// Open `for i in range(len(x))` loops.
    enumerate: Vec<EnumerateCandidate<'a>>,
    /// Facts about the module, computed on first use.
    module: Option<ModuleFacts<'a>>,
    /// The module's imports, to follow imported bases (on first use).
    imports: classes::ImportsCell,
    /// Each class's ancestors, computed once.
    ancestors: classes::AncestorCache<'a>,
}

/// What pylint counts for one function.
#[derive(Debug)]
struct FunctionStats<'a> {
    stmt: &'a Stmt,
    func: FnView<'a>,
    statements: usize,
    branches: usize,
    returns: usize,
    locals: HashSet<&'a str>,
    globals: HashSet<&'a str>,
    nonlocals: HashSet<&'a str>,
    used: HashSet<&'a str>,
    comprehension_targets: HashSet<&'a str>,
    resources: Vec<(&'a str, TextRange)>,
    /// Ignored parameters, subtracted from the locals as pylint does.
    ignored: usize,
}

/// A `def` or `async def`, seen through one type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FnView<'a> {
    pub(crate) name: &'a str,
    pub(crate) args: &'a ast::Arguments,
    pub(crate) body: &'a [Stmt],
    pub(crate) decorators: &'a [Expr],
    pub(crate) type_params: usize,
    /// The class whose body defines it directly.
    pub(crate) class: Option<&'a ast::StmtClassDef>,
}

impl<'a> FnView<'a> {
    fn of(stmt: &'a Stmt) -> Option<Self> {
        match stmt {
            Stmt::FunctionDef(f) => Some(Self {
                name: f.name.as_str(),
                args: &f.args,
                body: &f.body,
                decorators: &f.decorator_list,
                type_params: f.type_params.len(),
                class: None,
            }),
            Stmt::AsyncFunctionDef(f) => Some(Self {
                name: f.name.as_str(),
                args: &f.args,
                body: &f.body,
                decorators: &f.decorator_list,
                type_params: f.type_params.len(),
                class: None,
            }),
            _ => None,
        }
    }

    /// Whether a decorator's last name component is `name`.
    pub(crate) fn decorated_with(&self, name: &str) -> bool {
        self.decorators
            .iter()
            .any(|d| decorator_name(d).is_some_and(|n| n == name))
    }

    /// pylint's `node.type in {"method", "classmethod"}`: a method whose
    /// first positional parameter is bound implicitly.
    fn binds_first(&self) -> bool {
        self.class.is_some() && !self.decorated_with("staticmethod")
    }

    /// Parameter names in astroid's `argnames()` order.
    fn argnames(&self) -> Vec<&'a ast::Arg> {
        let a = self.args;
        let mut out: Vec<&ast::Arg> = a
            .posonlyargs
            .iter()
            .chain(&a.args)
            .map(|p| &p.def)
            .collect();
        out.extend(a.vararg.as_deref());
        out.extend(a.kwonlyargs.iter().map(|p| &p.def));
        out.extend(a.kwarg.as_deref());
        out
    }
}

/// An open `for i in range(len(seq))` loop.
#[derive(Debug)]
struct EnumerateCandidate<'a> {
    stmt: &'a Stmt,
    target: &'a str,
    sequence: SequenceRef<'a>,
    found: bool,
}

/// How the iterated sequence is spelled.
#[derive(Debug, Clone, Copy)]
enum SequenceRef<'a> {
    Name(&'a str),
    Attribute(&'a str),
}

/// Module-wide facts some rules need.
#[derive(Debug, Default)]
pub(crate) struct ModuleFacts<'a> {
    /// Names bound at module level by `def`, `class` or assignment.
    bound: HashSet<&'a str>,
    /// Module-level names bound exactly once, to a list/dict/set literal
    /// (the literal's builtin class); `None` when bound more than once.
    literals: HashMap<&'a str, Option<&'static str>>,
    /// Module-level names bound exactly once, by `name = other` or `name =
    /// a.b` (the value); `None` when bound more than once or otherwise.
    aliases: HashMap<&'a str, Option<&'a Expr>>,
    /// Classes defined at module level (also under `if`/`try`), by name:
    /// the first definition.
    pub(crate) classes: HashMap<&'a str, &'a ast::StmtClassDef>,
    /// Every module-level definition of each class name, in source order.
    pub(crate) all_classes: HashMap<&'a str, Vec<&'a ast::StmtClassDef>>,
}

impl<'a> ModuleFacts<'a> {
    fn new(suite: &'a [Stmt]) -> Self {
        let mut facts = Self::default();
        facts.collect(suite);
        facts
    }

    fn collect(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::FunctionDef(f) => {
                    self.bind(f.name.as_str(), None);
                }
                Stmt::AsyncFunctionDef(f) => {
                    self.bind(f.name.as_str(), None);
                }
                Stmt::ClassDef(c) => {
                    self.bind(c.name.as_str(), None);
                    self.classes.entry(c.name.as_str()).or_insert(c);
                    self.all_classes.entry(c.name.as_str()).or_default().push(c);
                }
                Stmt::Assign(a) => {
                    for t in &a.targets {
                        if let Expr::Name(n) = t {
                            let kind = if a.targets.len() == 1 {
                                dangerous_default_value::literal_kind(&a.value).map(|k| k.1)
                            } else {
                                None
                            };
                            let first = self.bind(n.id.as_str(), kind);
                            if first
                                && a.targets.len() == 1
                                && matches!(a.value.as_ref(), Expr::Name(_) | Expr::Attribute(_))
                            {
                                self.aliases.insert(n.id.as_str(), Some(&a.value));
                            }
                        } else {
                            for n in target_names(t) {
                                self.bind(n, None);
                            }
                        }
                    }
                }
                Stmt::AnnAssign(a) => {
                    if let Expr::Name(n) = a.target.as_ref() {
                        let kind = a
                            .value
                            .as_deref()
                            .and_then(dangerous_default_value::literal_kind)
                            .map(|k| k.1);
                        self.bind(n.id.as_str(), kind);
                    }
                }
                Stmt::AugAssign(a) => {
                    for n in target_names(&a.target) {
                        self.bind(n, None);
                    }
                }
                Stmt::For(f) => {
                    for n in target_names(&f.target) {
                        self.bind(n, None);
                    }
                    self.collect(&f.body);
                    self.collect(&f.orelse);
                }
                Stmt::If(i) => {
                    self.collect(&i.body);
                    self.collect(&i.orelse);
                }
                Stmt::While(w) => {
                    self.collect(&w.body);
                    self.collect(&w.orelse);
                }
                Stmt::With(w) => self.collect(&w.body),
                Stmt::Try(t) => {
                    self.collect(&t.body);
                    for h in &t.handlers {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        self.collect(&h.body);
                    }
                    self.collect(&t.orelse);
                    self.collect(&t.finalbody);
                }
                _ => {}
            }
        }
    }

    /// Records a binding; `true` for the name's first one.
    fn bind(&mut self, name: &'a str, literal: Option<&'static str>) -> bool {
        let first = self.bound.insert(name);
        self.literals
            .entry(name)
            .and_modify(|v| *v = None)
            .or_insert(literal);
        self.aliases
            .entry(name)
            .and_modify(|v| *v = None)
            .or_insert(None);
        first
    }
}

/// Names bound by an assignment target.
use crate::imports::summary::target_names;

/// The last name component of a decorator (`@a.b(...)` is `b`).
pub(crate) fn decorator_name(d: &Expr) -> Option<&str> {
    let d = match d {
        Expr::Call(c) => c.func.as_ref(),
        other => other,
    };
    match d {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}

/// Whether a body contains a `raise` statement at its top level (pylint's
/// `_is_raising`).
fn is_raising(body: &[Stmt]) -> bool {
    body.iter().any(|s| matches!(s, Stmt::Raise(_)))
}

/// Whether `stmt` is a string-literal expression statement.
fn is_string_statement(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(e) if matches!(e.value.as_ref(), Expr::Constant(c) if matches!(c.value, Constant::Str(_))))
}

/// A function or class body without its docstring (astroid drops it).
pub(crate) fn without_docstring(body: &[Stmt]) -> &[Stmt] {
    match body.first() {
        Some(first) if is_string_statement(first) => &body[1..],
        _ => body,
    }
}

/// Whether the module binds `name` itself, hiding the builtin.
fn is_shadowed(ch: &Checker<'_>, name: &str) -> bool {
    ch.design
        .module
        .as_ref()
        .is_some_and(|m| m.bound.contains(name))
}

/// What a module-level alias (`E = BaseException`, bound once, not
/// imported) stands for, as astroid infers the name; `expr` itself
/// otherwise.
pub(crate) fn through_alias<'a>(ch: &Checker<'a>, expr: &'a Expr) -> &'a Expr {
    let Expr::Name(n) = expr else {
        return expr;
    };
    let name = n.id.as_str();
    if ch.imports.contains_key(name) {
        return expr;
    }
    ch.design
        .module
        .as_ref()
        .and_then(|m| m.aliases.get(name).copied().flatten())
        .filter(|v| !matches!(v, Expr::Name(t) if t.id.as_str() == name))
        .unwrap_or(expr)
}

/// The builtin class of a module-level name bound once to a mutable literal.
fn module_literal(ch: &Checker<'_>, name: &str) -> Option<&'static str> {
    ch.design
        .module
        .as_ref()
        .and_then(|m| m.literals.get(name).copied().flatten())
}

/// Whether `name` is the builtin `name` here (not imported or rebound).
fn is_builtin(ch: &Checker<'_>, expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Name(n) if n.id.as_str() == name)
        && !ch.imports.contains_key(name)
        && !is_shadowed(ch, name)
}

/// The range pylint reports a `def` or `class` at: from the keyword
/// (`async` included) to the end of the name.
pub(crate) fn def_range(ch: &Checker<'_>, stmt: &Stmt) -> TextRange {
    let (decorators, name) = match stmt {
        Stmt::FunctionDef(f) => (&f.decorator_list, f.name.as_str()),
        Stmt::AsyncFunctionDef(f) => (&f.decorator_list, f.name.as_str()),
        Stmt::ClassDef(c) => (&c.decorator_list, c.name.as_str()),
        other => return other.range(),
    };
    let from = decorators.last().map_or(stmt.start(), Ranged::end);
    let tokens = &ch.parsed.tokens;
    let first = tokens.partition_point(|t| t.range.start() < from);
    let mut start = None;
    for t in tokens.iter().skip(first) {
        if t.range.start() >= stmt.end() {
            break;
        }
        match &t.tok {
            Tok::Async | Tok::Def | Tok::Class if start.is_none() => start = Some(t.range.start()),
            Tok::Name { .. } if start.is_some() && ch.parsed.text(t) == name => {
                if let Some(s) = start {
                    return TextRange::new(s, t.range.end());
                }
            }
            _ => {}
        }
    }
    stmt.range()
}

/// The innermost scope-making frame on the checker's stack.
fn innermost_scope<'a>(ch: &Checker<'a>) -> Option<Frame<'a>> {
    ch.stack
        .iter()
        .rev()
        .find(|f| {
            matches!(
                f,
                Frame::Function(_) | Frame::Class(_) | Frame::Lambda(_) | Frame::Comprehension(_)
            )
        })
        .copied()
}

/// How many counter frames belong to functions whose body is being walked
/// (the innermost one is not yet while its decorators and defaults are).
fn active_functions(ch: &Checker<'_>) -> usize {
    let n = ch.design.functions.len();
    match (ch.design.functions.last(), ch.current_function()) {
        (Some(top), Some(cur)) if std::ptr::eq(top.stmt, cur) => n,
        (Some(_), _) => n - 1,
        (None, _) => 0,
    }
}

/// The counters of the function whose body directly holds the current node
/// (`None` at module level, in a class body, lambda or comprehension).
fn local_scope<'s, 'a>(ch: &'s mut Checker<'a>) -> Option<&'s mut FunctionStats<'a>> {
    let Some(Frame::Function(f)) = innermost_scope(ch) else {
        return None;
    };
    ch.design
        .functions
        .last_mut()
        .filter(|top| std::ptr::eq(top.stmt, f))
}

/// Called for every statement before its children are walked.
pub(crate) fn enter_stmt<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    if ch.design.module.is_none() {
        let suite = ch.parsed.suite.as_deref().unwrap_or(&[]);
        ch.design.module = Some(ModuleFacts::new(suite));
    }
    count_statement(ch, stmt);
    bind_statement(ch, stmt);
    if matches!(
        stmt,
        Stmt::If(_) | Stmt::For(_) | Stmt::While(_) | Stmt::Try(_)
    ) && ch.enabled(&too_many_nested_blocks::META)
    {
        nested_block(ch, stmt);
    }
    match stmt {
        Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) => enter_function(ch, stmt),
        Stmt::ClassDef(c) => classes::check(ch, stmt, c),
        Stmt::If(i) => {
            if let Expr::BoolOp(b) = i.test.as_ref() {
                let limit = ch.config.design.max_bool_expr;
                too_many_boolean_expressions::check(
                    ch,
                    i.test.range(),
                    count_bool_operands(b),
                    limit,
                );
            }
        }
        Stmt::Try(t) => check_handlers(ch, &t.handlers),
        Stmt::TryStar(t) => check_handlers(ch, &t.handlers),
        Stmt::Assign(a) if ch.enabled(&consider_using_with::META) => track_resources(ch, a),
        Stmt::With(w) => release_resources(ch, &w.items),
        Stmt::AsyncWith(w) => release_resources(ch, &w.items),
        Stmt::For(f) if ch.enabled(&consider_using_enumerate::META) => {
            enumerate_candidate(ch, stmt, f);
        }
        Stmt::Return(r) => ch.design.returns.push(r.range),
        Stmt::AugAssign(a) => {
            // `x += 1` reads `x`.
            if let Expr::Name(n) = a.target.as_ref() {
                mark_used(ch, n.id.as_str());
            }
        }
        _ => {}
    }
    if is_compound(stmt) {
        ch.design.parents.push(stmt);
    }
}

/// Called for every statement after its children were walked.
pub(crate) fn leave_stmt<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    if is_compound(stmt) {
        ch.design.parents.pop();
    }
    match stmt {
        Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) => leave_function(ch, stmt),
        Stmt::For(_)
            if ch
                .design
                .enumerate
                .last()
                .is_some_and(|c| std::ptr::eq(c.stmt, stmt)) =>
        {
            if let Some(c) = ch.design.enumerate.pop() {
                if c.found {
                    consider_using_enumerate::report(ch, stmt.range());
                }
            }
        }
        Stmt::Return(_) => {
            ch.design.returns.pop();
        }
        _ => {}
    }
}

/// Called for every expression before its children are walked.
pub(crate) fn on_expr<'a>(ch: &mut Checker<'a>, expr: &'a Expr) {
    match expr {
        Expr::Name(n) => match n.ctx {
            ExprContext::Load | ExprContext::Del => mark_used(ch, n.id.as_str()),
            ExprContext::Store => {
                if let Some(f) = local_scope(ch) {
                    f.locals.insert(n.id.as_str());
                }
            }
        },
        Expr::NamedExpr(ne) => {
            // An assignment expression in a comprehension binds in the
            // enclosing function.
            if let (Some(Frame::Comprehension(_)), Expr::Name(n)) =
                (innermost_scope(ch), ne.target.as_ref())
            {
                let outer =
                    ch.stack.iter().rev().find(|f| {
                        matches!(f, Frame::Function(_) | Frame::Class(_) | Frame::Lambda(_))
                    });
                if let (Some(Frame::Function(f)), Some(top)) =
                    (outer, ch.design.functions.last_mut())
                {
                    if std::ptr::eq(*f, top.stmt) {
                        top.locals.insert(n.id.as_str());
                    }
                }
            }
        }
        Expr::ListComp(c) => comprehension_targets(ch, &c.generators),
        Expr::SetComp(c) => comprehension_targets(ch, &c.generators),
        Expr::DictComp(c) => comprehension_targets(ch, &c.generators),
        Expr::GeneratorExp(c) => comprehension_targets(ch, &c.generators),
        Expr::Call(c) if ch.enabled(&consider_using_with::META) => check_resource_call(ch, c),
        Expr::Subscript(s) if !ch.design.enumerate.is_empty() => enumerate_subscript(ch, s),
        _ => {}
    }
}

/// Called once after the whole module was walked.
pub(crate) fn finish<'a>(ch: &mut Checker<'a>, suite: &'a [Stmt]) {
    let _ = suite;
    let leftover = std::mem::take(&mut ch.design.module_resources);
    for (_, range) in leftover {
        consider_using_with::report(ch, range);
    }
}

fn is_compound(stmt: &Stmt) -> bool {
    matches!(
        stmt,
        Stmt::FunctionDef(_)
            | Stmt::AsyncFunctionDef(_)
            | Stmt::ClassDef(_)
            | Stmt::If(_)
            | Stmt::For(_)
            | Stmt::AsyncFor(_)
            | Stmt::While(_)
            | Stmt::With(_)
            | Stmt::AsyncWith(_)
            | Stmt::Try(_)
            | Stmt::TryStar(_)
            | Stmt::Match(_)
    )
}

fn mark_used<'a>(ch: &mut Checker<'a>, name: &'a str) {
    let active = active_functions(ch);
    for f in &mut ch.design.functions[..active] {
        f.used.insert(name);
    }
}

fn comprehension_targets<'a>(ch: &mut Checker<'a>, generators: &'a [ast::Comprehension]) {
    let active = active_functions(ch);
    if active == 0 {
        return;
    }
    for g in generators {
        for name in target_names(&g.target) {
            for f in &mut ch.design.functions[..active] {
                f.comprehension_targets.insert(name);
            }
        }
    }
}

/// `a and (b or c)` has three operands.
fn count_bool_operands(b: &ast::ExprBoolOp) -> usize {
    b.values
        .iter()
        .map(|v| match v {
            Expr::BoolOp(inner) => count_bool_operands(inner),
            _ => 1,
        })
        .sum()
}

/// pylint's statement and branch counting (`MisdesignChecker`).
fn count_statement<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    if ch.design.functions.is_empty() {
        return;
    }
    if is_docstring(ch, stmt) {
        return;
    }
    let (statements, branches) = match stmt {
        Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) | Stmt::ClassDef(_) => (0, 0),
        Stmt::Return(_) => {
            if let Some(f) = ch.design.functions.last_mut() {
                f.returns += 1;
            }
            (0, 0)
        }
        Stmt::If(i) => {
            let elif = i.orelse.len() == 1 && matches!(i.orelse[0], Stmt::If(_));
            let b = 1 + usize::from(!i.orelse.is_empty() && !elif);
            (b, b)
        }
        // Each handler is also a statement of its own.
        Stmt::Try(t) => {
            let b = t.handlers.len()
                + usize::from(!t.orelse.is_empty())
                + usize::from(!t.finalbody.is_empty());
            (b + t.handlers.len(), b)
        }
        // pylint has no visitor for these: they count as plain statements.
        Stmt::TryStar(t) => (1 + t.handlers.len(), 0),
        Stmt::AsyncFor(_) => (1, 0),
        Stmt::For(f) => (0, 1 + usize::from(!f.orelse.is_empty())),
        Stmt::While(w) => (0, 1 + usize::from(!w.orelse.is_empty())),
        Stmt::Match(m) => (1, m.cases.len()),
        _ => (1, 0),
    };
    for f in &mut ch.design.functions {
        f.statements += statements;
    }
    if branches > 0 {
        if let Some(f) = local_scope(ch) {
            f.branches += branches;
        }
    }
}

/// Whether `stmt` is the docstring of the function or class around it.
fn is_docstring(ch: &Checker<'_>, stmt: &Stmt) -> bool {
    let body = match ch.design.parents.last() {
        Some(Stmt::FunctionDef(f)) => &f.body,
        Some(Stmt::AsyncFunctionDef(f)) => &f.body,
        Some(Stmt::ClassDef(c)) => &c.body,
        _ => return false,
    };
    body.first().is_some_and(|first| std::ptr::eq(first, stmt)) && is_string_statement(stmt)
}

/// Names a statement binds in the current function (astroid's `locals`).
fn bind_statement<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    if let Stmt::Nonlocal(n) = stmt {
        let active = active_functions(ch);
        for f in &mut ch.design.functions[..active] {
            f.nonlocals.extend(n.names.iter().map(|n| n.as_str()));
        }
        return;
    }
    let Some(f) = local_scope(ch) else {
        return;
    };
    match stmt {
        Stmt::FunctionDef(d) => {
            f.locals.insert(d.name.as_str());
        }
        Stmt::AsyncFunctionDef(d) => {
            f.locals.insert(d.name.as_str());
        }
        Stmt::ClassDef(c) => {
            f.locals.insert(c.name.as_str());
        }
        Stmt::Import(i) => {
            for a in &i.names {
                let name = match &a.asname {
                    Some(n) => n.as_str(),
                    None => a.name.as_str().split('.').next().unwrap_or_default(),
                };
                f.locals.insert(name);
            }
        }
        Stmt::ImportFrom(i) => {
            for a in &i.names {
                if a.name.as_str() != "*" {
                    f.locals
                        .insert(a.asname.as_ref().unwrap_or(&a.name).as_str());
                }
            }
        }
        Stmt::Global(g) => f.globals.extend(g.names.iter().map(|n| n.as_str())),
        Stmt::Try(t) => bind_handlers(f, &t.handlers),
        Stmt::TryStar(t) => bind_handlers(f, &t.handlers),
        Stmt::Match(m) => {
            for case in &m.cases {
                bind_pattern(f, &case.pattern);
            }
        }
        _ => {}
    }
}

fn bind_handlers<'a>(f: &mut FunctionStats<'a>, handlers: &'a [ast::ExceptHandler]) {
    for h in handlers {
        let ast::ExceptHandler::ExceptHandler(h) = h;
        if let Some(n) = &h.name {
            f.locals.insert(n.as_str());
        }
    }
}

fn bind_pattern<'a>(f: &mut FunctionStats<'a>, p: &'a ast::Pattern) {
    use ast::Pattern as P;
    match p {
        P::MatchValue(_) | P::MatchSingleton(_) => {}
        P::MatchStar(s) => f.locals.extend(s.name.as_ref().map(|n| n.as_str())),
        P::MatchSequence(s) => s.patterns.iter().for_each(|p| bind_pattern(f, p)),
        P::MatchMapping(m) => {
            m.patterns.iter().for_each(|p| bind_pattern(f, p));
            f.locals.extend(m.rest.as_ref().map(|n| n.as_str()));
        }
        P::MatchClass(c) => c
            .patterns
            .iter()
            .chain(&c.kwd_patterns)
            .for_each(|p| bind_pattern(f, p)),
        P::MatchAs(a) => {
            if let Some(p) = &a.pattern {
                bind_pattern(f, p);
            }
            f.locals.extend(a.name.as_ref().map(|n| n.as_str()));
        }
        P::MatchOr(o) => o.patterns.iter().for_each(|p| bind_pattern(f, p)),
    }
}

/// pylint's `ignored-argument-names` default, `_.*|^ignored_|^unused_`.
fn is_ignored_argument(name: &str) -> bool {
    name.starts_with('_') || name.starts_with("ignored_") || name.starts_with("unused_")
}

fn enter_function<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    let Some(mut func) = FnView::of(stmt) else {
        return;
    };
    if let Some(Frame::Class(Stmt::ClassDef(c))) = innermost_scope(ch) {
        func.class = Some(c);
    }
    let range = def_range(ch, stmt);
    let a = func.args;
    let mut positional: Vec<&str> = a
        .posonlyargs
        .iter()
        .chain(&a.args)
        .map(|p| p.def.arg.as_str())
        .collect();
    if func.binds_first() && !positional.is_empty() {
        positional.remove(0);
    }
    let kwonly: Vec<&str> = a.kwonlyargs.iter().map(|p| p.def.arg.as_str()).collect();
    let ignored_pos = positional.iter().filter(|n| is_ignored_argument(n)).count();
    let ignored_kw = kwonly.iter().filter(|n| is_ignored_argument(n)).count();
    let ignored = if positional.is_empty() && kwonly.is_empty() {
        0
    } else {
        let d = &ch.config.design;
        let (max_args, max_pos) = (d.max_args, d.max_positional_arguments);
        let args = positional.len() + kwonly.len() - ignored_pos - ignored_kw;
        too_many_arguments::check(ch, range, args, max_args);
        too_many_positional_arguments::check(ch, range, positional.len() - ignored_pos, max_pos);
        ignored_pos + ignored_kw
    };
    if ch.enabled(&dangerous_default_value::META) {
        dangerous_default_value::check(ch, a, range);
    }
    let mut locals: HashSet<&str> = HashSet::new();
    locals.extend(func.argnames().iter().map(|p| p.arg.as_str()));
    ch.design.functions.push(FunctionStats {
        stmt,
        func,
        statements: 1,
        branches: 0,
        returns: 0,
        locals,
        globals: HashSet::new(),
        nonlocals: HashSet::new(),
        used: HashSet::new(),
        comprehension_targets: HashSet::new(),
        resources: Vec::new(),
        ignored,
    });
}

fn leave_function<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    if !ch
        .design
        .functions
        .last()
        .is_some_and(|f| std::ptr::eq(f.stmt, stmt))
    {
        return;
    }
    let Some(f) = ch.design.functions.pop() else {
        return;
    };
    let ignored = f.ignored;
    let range = def_range(ch, stmt);
    let d = ch.config.design.clone();
    too_many_return_statements::check(ch, range, f.returns, d.max_returns);
    too_many_branches::check(ch, range, f.branches, d.max_branches);
    too_many_statements::check(ch, range, f.statements, d.max_statements);
    let locals = f.locals.iter().filter(|n| !f.globals.contains(*n)).count();
    let locals = locals
        .saturating_sub(f.func.type_params)
        .saturating_sub(ignored)
        .saturating_sub(usize::from(
            f.locals.contains("_") && !f.globals.contains("_"),
        ));
    too_many_locals::check(ch, range, locals, d.max_locals);
    if ch.enabled(&unused_argument::META) {
        unused_arguments(ch, stmt, &f);
    }
    if ch.enabled(&too_many_nested_blocks::META) {
        let first = ch.design.nested.first().copied();
        let len = ch.design.nested.len();
        emit_nested(ch, first, len);
        ch.design.nested.clear();
    }
    for (_, r) in &f.resources {
        consider_using_with::report(ch, *r);
    }
}

fn unused_arguments<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt, f: &FunctionStats<'a>) {
    let func = &f.func;
    let body = without_docstring(func.body);
    // pylint skips functions that only raise, and abstract methods.
    if body.len() == 1 && matches!(body[0], Stmt::Raise(_)) {
        return;
    }
    if let Some(class) = func.class {
        if is_abstract(func, body) {
            return;
        }
        if func.name == "__new__" && classes::defines(class, "__init__") {
            return;
        }
        let dunder =
            func.name.len() > 4 && func.name.starts_with("__") && func.name.ends_with("__");
        if dunder && func.name != "__init__" && func.name != "__new__" {
            return;
        }
        if classes::is_protocol(class) {
            return;
        }
    }
    if func.name.starts_with("cb_") || func.name.ends_with("_cb") {
        return;
    }
    if func.decorated_with("register") || func.decorated_with("overload") {
        return;
    }
    // The overridden method's parameters, looked up only when some
    // parameter is otherwise unused.
    let mut overridden: Option<Option<Vec<String>>> = None;
    let names = func.argnames();
    let skip_first = func.binds_first();
    let (def_line, _) = ch.parsed.lines.location(def_range(ch, stmt).start());
    for (i, arg) in names.iter().enumerate() {
        let name = arg.arg.as_str();
        if (i == 0 && skip_first)
            || f.used.contains(name)
            || is_ignored_argument(name)
            || f.comprehension_targets.contains(name)
            || f.nonlocals.contains(name)
            || overridden
                .get_or_insert_with(|| {
                    func.class
                        .and_then(|c| classes::overridden_argnames(ch, c, func.name))
                })
                .as_ref()
                .is_some_and(|o| o.iter().any(|p| p == name))
        {
            continue;
        }
        let is_star = func
            .args
            .vararg
            .as_deref()
            .is_some_and(|v| std::ptr::eq(v, *arg))
            || func
                .args
                .kwarg
                .as_deref()
                .is_some_and(|v| std::ptr::eq(v, *arg));
        let span = if is_star {
            // astroid gives `*args`/`**kwargs` the position of the
            // `Arguments` node: from the first line of any parameter (but
            // not above the `def` line) to the last line of any parameter
            // (annotations included, defaults not), column 0, no end
            // column.
            let (first, last) = parameter_lines(ch, &names);
            Span {
                line: first.max(def_line),
                column: 0,
                end_line: last.max(first.max(def_line)),
                end_column: 0,
            }
        } else {
            let start = arg.range.start();
            let end = start + crate::parse::TextSize::of(name);
            ch.span(TextRange::new(start, end))
        };
        unused_argument::report(ch, name, span);
    }
}

/// The first and last lines the parameters span: astroid's `Arguments`
/// position (`min` of the parameters' start lines, `max` of their end
/// lines, `rebuilder.visit_arguments`).
fn parameter_lines(ch: &Checker<'_>, params: &[&ast::Arg]) -> (u32, u32) {
    let mut first = u32::MAX;
    let mut last = 0;
    for p in params {
        first = first.min(ch.parsed.lines.location(p.range.start()).0);
        last = last.max(ch.parsed.lines.location(p.range.end()).0);
    }
    (first, last)
}

/// astroid's `is_abstract()` with its defaults: decorated with
/// `abstractmethod`/`abstractproperty`, or a body that starts with `pass`
/// or `raise NotImplementedError`, or is empty.
fn is_abstract(func: &FnView<'_>, body: &[Stmt]) -> bool {
    if func.decorated_with("abstractmethod") || func.decorated_with("abstractproperty") {
        return true;
    }
    match body.first() {
        None | Some(Stmt::Pass(_)) => true,
        Some(Stmt::Raise(r)) => {
            let exc = match r.exc.as_deref() {
                Some(Expr::Call(c)) => Some(c.func.as_ref()),
                other => other,
            };
            matches!(exc, Some(Expr::Name(n)) if n.id.as_str() == "NotImplementedError")
        }
        Some(_) => false,
    }
}

fn check_handlers(ch: &mut Checker<'_>, handlers: &[ast::ExceptHandler]) {
    for h in handlers {
        let ast::ExceptHandler::ExceptHandler(h) = h;
        if ch.enabled(&bare_except::META) {
            bare_except::check(ch, h);
        }
        if ch.enabled(&broad_exception_caught::META) {
            broad_exception_caught::check(ch, h);
        }
    }
}

/// pylint's `_check_nested_blocks`.
fn nested_block<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    let parent = ch.design.parents.last().copied();
    let parent_is_scope = match parent {
        None => true,
        Some(p) => matches!(
            p,
            Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) | Stmt::ClassDef(_)
        ),
    };
    // Directly in an `except` handler, the parent is the handler, which is
    // not a block: the count starts again.
    let in_handler = match (parent, ch.stack.last()) {
        (Some(Stmt::Try(t)), Some(Frame::Handler(h))) => t.handlers.iter().any(|x| {
            let ast::ExceptHandler::ExceptHandler(x) = x;
            std::ptr::eq(x, *h)
        }),
        _ => false,
    };
    let old_first = ch.design.nested.first().copied();
    let old_len = ch.design.nested.len();
    if parent_is_scope {
        ch.design.nested.clear();
        ch.design.nested.push(stmt);
    } else {
        while let Some(&top) = ch.design.nested.last() {
            if !in_handler && parent.is_some_and(|p| std::ptr::eq(p, top)) {
                break;
            }
            ch.design.nested.pop();
        }
        if is_elif(ch, parent, stmt) {
            ch.design.nested.pop();
        }
        ch.design.nested.push(stmt);
    }
    if old_len > ch.design.nested.len() {
        emit_nested(ch, old_first, old_len);
    }
}

fn is_elif(ch: &Checker<'_>, parent: Option<&Stmt>, stmt: &Stmt) -> bool {
    let Some(Stmt::If(p)) = parent else {
        return false;
    };
    matches!(stmt, Stmt::If(_))
        && p.orelse.len() == 1
        && std::ptr::eq(&p.orelse[0], stmt)
        && ch.text(stmt.range()).starts_with("elif")
}

fn emit_nested(ch: &mut Checker<'_>, first: Option<&Stmt>, len: usize) {
    if let Some(first) = first {
        let limit = ch.config.design.max_nested_blocks;
        too_many_nested_blocks::check(ch, first.range(), len, limit);
    }
}

/// Whether the innermost function is `__enter__` or a `@contextmanager`.
fn in_context_manager(ch: &Checker<'_>) -> bool {
    let active = active_functions(ch);
    active > 0
        && ch
            .design
            .functions
            .get(active - 1)
            .is_some_and(|f| f.func.name == "__enter__" || f.func.decorated_with("contextmanager"))
}

fn is_resource_call(ch: &Checker<'_>, call: &ast::ExprCall) -> bool {
    let Some(name) = ch.call_name(call) else {
        return false;
    };
    consider_using_with::RESOURCE_CALLS.contains(&name.as_str())
        && !(name == "open" && is_shadowed(ch, "open"))
}

/// pylint's `_append_context_managers_to_stack`.
fn track_resources<'a>(ch: &mut Checker<'a>, a: &'a ast::StmtAssign) {
    if in_context_manager(ch) {
        return;
    }
    let Some(target) = a.targets.first() else {
        return;
    };
    let pairs: Vec<(&'a Expr, &'a Expr)> = match (target, a.value.as_ref()) {
        (Expr::Tuple(t), Expr::Tuple(v)) => t.elts.iter().zip(&v.elts).collect(),
        (Expr::List(t), Expr::List(v)) => t.elts.iter().zip(&v.elts).collect(),
        (Expr::Tuple(_) | Expr::List(_) | Expr::Set(_), _) => return,
        (t, v) => vec![(t, v)],
    };
    for (assignee, value) in pairs {
        let Expr::Call(call) = value else { continue };
        if !is_resource_call(ch, call) {
            continue;
        }
        let name = match assignee {
            Expr::Name(n) => n.id.as_str(),
            Expr::Attribute(at) => at.attr.as_str(),
            _ => continue,
        };
        ch.design.tracked_calls.insert(call.range);
        let active = active_functions(ch);
        let stack = match active {
            0 => &mut ch.design.module_resources,
            n => &mut ch.design.functions[n - 1].resources,
        };
        // A name assigned again before any `with` leaks the first
        // resource: pylint reports it then (unless the two assignments
        // are exclusive branches, which we do not track).
        let earlier = stack
            .iter()
            .position(|(n, _)| *n == name)
            .map(|i| stack.remove(i).1);
        stack.push((name, call.range));
        if let Some(range) = earlier {
            consider_using_with::report(ch, range);
        }
    }
}

/// `with f:` uses a tracked resource.
fn release_resources(ch: &mut Checker<'_>, items: &[ast::WithItem]) {
    for item in items {
        let Expr::Name(n) = &item.context_expr else {
            continue;
        };
        let name = n.id.as_str();
        let active = active_functions(ch);
        if let Some(f) = active
            .checked_sub(1)
            .and_then(|i| ch.design.functions.get_mut(i))
        {
            if let Some(pos) = f.resources.iter().position(|(r, _)| *r == name) {
                f.resources.remove(pos);
                continue;
            }
        }
        if let Some(pos) = ch
            .design
            .module_resources
            .iter()
            .position(|(r, _)| *r == name)
        {
            ch.design.module_resources.remove(pos);
        }
    }
}

/// pylint's `_check_consider_using_with` for a call not assigned to a name.
fn check_resource_call<'a>(ch: &mut Checker<'a>, call: &'a ast::ExprCall) {
    if let Expr::Attribute(a) = call.func.as_ref() {
        if a.attr.as_str() == "enter_context" {
            ch.design
                .released_calls
                .extend(call.args.iter().map(Ranged::range));
        }
    }
    if !is_resource_call(ch, call)
        || ch.design.tracked_calls.contains(&call.range)
        || ch.design.released_calls.contains(&call.range)
        || in_context_manager(ch)
    {
        return;
    }
    if ch
        .design
        .returns
        .last()
        .is_some_and(|r| r.contains_range(call.range))
        && !matches!(innermost_scope(ch), Some(Frame::Lambda(_)))
    {
        return;
    }
    // Part of the items of the nearest `with` (compared by line, as pylint).
    let line = ch.parsed.lines.line(call.range.start());
    for p in ch.design.parents.iter().rev() {
        let items = match p {
            Stmt::With(w) => &w.items,
            Stmt::AsyncWith(w) => &w.items,
            Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) | Stmt::ClassDef(_) => break,
            _ => continue,
        };
        if let (Some(first), Some(last)) = (items.first(), items.last()) {
            let from = ch.parsed.lines.line(first.context_expr.start());
            let to = ch.parsed.lines.line(last.context_expr.end());
            if (from..=to).contains(&line) {
                return;
            }
        }
        break;
    }
    consider_using_with::report(ch, call.range);
}

/// pylint's `_check_consider_using_enumerate`, first half: the loop shape.
fn enumerate_candidate<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt, f: &'a ast::StmtFor) {
    let Expr::Call(iter) = f.iter.as_ref() else {
        return;
    };
    if !is_builtin(ch, &iter.func, "range") || iter.args.is_empty() || iter.args.len() > 2 {
        return;
    }
    if iter.args.len() == 2 {
        let zero = matches!(&iter.args[0], Expr::Constant(c) if matches!(&c.value, Constant::Int(i) if i.to_string() == "0") || matches!(c.value, Constant::Bool(false)));
        if !zero {
            return;
        }
    }
    let Some(Expr::Call(len)) = iter.args.last() else {
        return;
    };
    if !is_builtin(ch, &len.func, "len") || len.args.len() != 1 {
        return;
    }
    let sequence = match &len.args[0] {
        Expr::Name(n) => {
            if n.id.as_str() == "self"
                && ch
                    .current_function()
                    .and_then(FnView::of)
                    .is_some_and(|f| f.name == "__iter__")
            {
                return;
            }
            SequenceRef::Name(n.id.as_str())
        }
        Expr::Attribute(a) => SequenceRef::Attribute(a.attr.as_str()),
        _ => return,
    };
    let Expr::Name(target) = f.target.as_ref() else {
        return;
    };
    ch.design.enumerate.push(EnumerateCandidate {
        stmt,
        target: target.id.as_str(),
        sequence,
        found: false,
    });
}

/// Second half: a `seq[i]` in the loop body, in the loop's scope.
fn enumerate_subscript(ch: &mut Checker<'_>, s: &ast::ExprSubscript) {
    let Expr::Name(index) = s.slice.as_ref() else {
        return;
    };
    for i in 0..ch.design.enumerate.len() {
        let c = &ch.design.enumerate[i];
        if c.found || c.target != index.id.as_str() {
            continue;
        }
        let same = match (c.sequence, s.value.as_ref()) {
            (SequenceRef::Name(n), Expr::Name(v)) => v.id.as_str() == n,
            (SequenceRef::Attribute(n), Expr::Attribute(v)) => v.attr.as_str() == n,
            _ => false,
        };
        if !same {
            continue;
        }
        let loop_stmt = c.stmt;
        let mut in_body = false;
        for frame in ch.stack.iter().rev() {
            match frame {
                Frame::Loop(l) if std::ptr::eq(*l, loop_stmt) => {
                    in_body = true;
                    break;
                }
                Frame::Function(_)
                | Frame::Class(_)
                | Frame::Lambda(_)
                | Frame::Comprehension(_) => break,
                _ => {}
            }
        }
        if in_body {
            ch.design.enumerate[i].found = true;
        }
    }
}
