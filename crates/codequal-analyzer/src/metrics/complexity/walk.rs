//! A generic walk over the syntax tree in the shape of Python's
//! `ast.NodeVisitor.generic_visit`: every node kind that CPython's `ast`
//! module has, with its children in CPython's field order.
//!
//! radon's visitors are `NodeVisitor` subclasses that override a few node
//! kinds and let `generic_visit` handle the rest; porting them faithfully
//! needs the same notion of "the children of a node" and of "which nodes
//! carry a `lineno`". Both visitors (complexity and Halstead) use it.

use crate::parse::ast::{self, Expr, Ranged, Stmt};
use crate::parse::TextSize;

/// One node of the tree, of any kind `ast.NodeVisitor` visits.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Node<'a> {
    /// A statement.
    Stmt(&'a Stmt),
    /// An expression.
    Expr(&'a Expr),
    /// An `except` clause.
    ExceptHandler(&'a ast::ExceptHandler),
    /// A `for ... in ... if ...` clause of a comprehension.
    Comprehension(&'a ast::Comprehension),
    /// A parameter list.
    Arguments(&'a ast::Arguments),
    /// One parameter.
    Arg(&'a ast::Arg),
    /// A keyword argument of a call or class statement.
    Keyword(&'a ast::Keyword),
    /// A name in an import statement.
    Alias(&'a ast::Alias),
    /// One `ctx as target` item of a `with` statement.
    WithItem(&'a ast::WithItem),
    /// One `case` of a `match` statement.
    MatchCase(&'a ast::MatchCase),
    /// A `match` pattern.
    Pattern(&'a ast::Pattern),
}

impl<'a> Node<'a> {
    /// Where CPython's `lineno` / `col_offset` of the node point, for the
    /// node kinds that have them (statements, expressions, handlers,
    /// parameters, keywords, aliases and patterns).
    pub(crate) fn start(self) -> Option<TextSize> {
        match self {
            Node::Stmt(s) => Some(s.start()),
            Node::Expr(e) => Some(e.start()),
            Node::ExceptHandler(h) => Some(h.start()),
            Node::Arg(a) => Some(a.start()),
            Node::Keyword(k) => Some(k.start()),
            Node::Alias(a) => Some(a.start()),
            Node::Pattern(p) => Some(p.start()),
            Node::Comprehension(_)
            | Node::Arguments(_)
            | Node::WithItem(_)
            | Node::MatchCase(_) => None,
        }
    }

    /// Calls `f` on every child node, in CPython's field order.
    pub(crate) fn for_each_child(self, f: &mut dyn FnMut(Node<'a>)) {
        match self {
            Node::Stmt(s) => stmt_children(s, f),
            Node::Expr(e) => expr_children(e, f),
            Node::ExceptHandler(ast::ExceptHandler::ExceptHandler(h)) => {
                exprs(h.type_.as_deref(), f);
                stmts(&h.body, f);
            }
            Node::Comprehension(c) => {
                f(Node::Expr(&c.target));
                f(Node::Expr(&c.iter));
                exprs(&c.ifs, f);
            }
            Node::Arguments(a) => arguments_children(a, f),
            Node::Arg(a) => exprs(a.annotation.as_deref(), f),
            Node::Keyword(k) => f(Node::Expr(&k.value)),
            Node::Alias(_) => {}
            Node::WithItem(w) => {
                f(Node::Expr(&w.context_expr));
                exprs(w.optional_vars.as_deref(), f);
            }
            Node::MatchCase(c) => {
                f(Node::Pattern(&c.pattern));
                exprs(c.guard.as_deref(), f);
                stmts(&c.body, f);
            }
            Node::Pattern(p) => pattern_children(p, f),
        }
    }
}

fn stmts<'a>(body: &'a [Stmt], f: &mut dyn FnMut(Node<'a>)) {
    for s in body {
        f(Node::Stmt(s));
    }
}

fn exprs<'a>(es: impl IntoIterator<Item = &'a Expr>, f: &mut dyn FnMut(Node<'a>)) {
    for e in es {
        f(Node::Expr(e));
    }
}

fn keywords<'a>(ks: &'a [ast::Keyword], f: &mut dyn FnMut(Node<'a>)) {
    for k in ks {
        f(Node::Keyword(k));
    }
}

fn stmt_children<'a>(s: &'a Stmt, f: &mut dyn FnMut(Node<'a>)) {
    use ast::Stmt as S;
    match s {
        S::FunctionDef(x) => {
            f(Node::Arguments(&x.args));
            stmts(&x.body, f);
            exprs(&x.decorator_list, f);
            exprs(x.returns.as_deref(), f);
        }
        S::AsyncFunctionDef(x) => {
            f(Node::Arguments(&x.args));
            stmts(&x.body, f);
            exprs(&x.decorator_list, f);
            exprs(x.returns.as_deref(), f);
        }
        S::ClassDef(x) => {
            exprs(&x.bases, f);
            keywords(&x.keywords, f);
            stmts(&x.body, f);
            exprs(&x.decorator_list, f);
        }
        S::Return(x) => exprs(x.value.as_deref(), f),
        S::Delete(x) => exprs(&x.targets, f),
        S::Assign(x) => {
            exprs(&x.targets, f);
            f(Node::Expr(&x.value));
        }
        S::TypeAlias(x) => {
            f(Node::Expr(&x.name));
            f(Node::Expr(&x.value));
        }
        S::AugAssign(x) => {
            f(Node::Expr(&x.target));
            f(Node::Expr(&x.value));
        }
        S::AnnAssign(x) => {
            f(Node::Expr(&x.target));
            f(Node::Expr(&x.annotation));
            exprs(x.value.as_deref(), f);
        }
        S::For(x) => {
            f(Node::Expr(&x.target));
            f(Node::Expr(&x.iter));
            stmts(&x.body, f);
            stmts(&x.orelse, f);
        }
        S::AsyncFor(x) => {
            f(Node::Expr(&x.target));
            f(Node::Expr(&x.iter));
            stmts(&x.body, f);
            stmts(&x.orelse, f);
        }
        S::While(x) => {
            f(Node::Expr(&x.test));
            stmts(&x.body, f);
            stmts(&x.orelse, f);
        }
        S::If(x) => {
            f(Node::Expr(&x.test));
            stmts(&x.body, f);
            stmts(&x.orelse, f);
        }
        S::With(x) => {
            for item in &x.items {
                f(Node::WithItem(item));
            }
            stmts(&x.body, f);
        }
        S::AsyncWith(x) => {
            for item in &x.items {
                f(Node::WithItem(item));
            }
            stmts(&x.body, f);
        }
        S::Match(x) => {
            f(Node::Expr(&x.subject));
            for case in &x.cases {
                f(Node::MatchCase(case));
            }
        }
        S::Raise(x) => {
            exprs(x.exc.as_deref(), f);
            exprs(x.cause.as_deref(), f);
        }
        S::Try(x) => {
            stmts(&x.body, f);
            for h in &x.handlers {
                f(Node::ExceptHandler(h));
            }
            stmts(&x.orelse, f);
            stmts(&x.finalbody, f);
        }
        S::TryStar(x) => {
            stmts(&x.body, f);
            for h in &x.handlers {
                f(Node::ExceptHandler(h));
            }
            stmts(&x.orelse, f);
            stmts(&x.finalbody, f);
        }
        S::Assert(x) => {
            f(Node::Expr(&x.test));
            exprs(x.msg.as_deref(), f);
        }
        S::Import(x) => {
            for a in &x.names {
                f(Node::Alias(a));
            }
        }
        S::ImportFrom(x) => {
            for a in &x.names {
                f(Node::Alias(a));
            }
        }
        S::Expr(x) => f(Node::Expr(&x.value)),
        S::Global(_) | S::Nonlocal(_) | S::Pass(_) | S::Break(_) | S::Continue(_) => {}
    }
}

fn arguments_children<'a>(a: &'a ast::Arguments, f: &mut dyn FnMut(Node<'a>)) {
    // CPython's order is posonlyargs, args, vararg, kwonlyargs,
    // kw_defaults, kwarg, defaults; rustpython keeps each default next to
    // its parameter. The visitors only sum and take maxima, so the order
    // inside a parameter list does not matter.
    for p in a.posonlyargs.iter().chain(&a.args) {
        f(Node::Arg(&p.def));
    }
    if let Some(v) = &a.vararg {
        f(Node::Arg(v));
    }
    for p in &a.kwonlyargs {
        f(Node::Arg(&p.def));
    }
    exprs(a.kwonlyargs.iter().filter_map(|p| p.default.as_deref()), f);
    if let Some(k) = &a.kwarg {
        f(Node::Arg(k));
    }
    exprs(
        a.posonlyargs
            .iter()
            .chain(&a.args)
            .filter_map(|p| p.default.as_deref()),
        f,
    );
}

fn comprehensions<'a>(gens: &'a [ast::Comprehension], f: &mut dyn FnMut(Node<'a>)) {
    for g in gens {
        f(Node::Comprehension(g));
    }
}

fn expr_children<'a>(e: &'a Expr, f: &mut dyn FnMut(Node<'a>)) {
    use ast::Expr as E;
    match e {
        E::BoolOp(x) => exprs(&x.values, f),
        E::NamedExpr(x) => {
            f(Node::Expr(&x.target));
            f(Node::Expr(&x.value));
        }
        E::BinOp(x) => {
            f(Node::Expr(&x.left));
            f(Node::Expr(&x.right));
        }
        E::UnaryOp(x) => f(Node::Expr(&x.operand)),
        E::Lambda(x) => {
            f(Node::Arguments(&x.args));
            f(Node::Expr(&x.body));
        }
        E::IfExp(x) => {
            f(Node::Expr(&x.test));
            f(Node::Expr(&x.body));
            f(Node::Expr(&x.orelse));
        }
        E::Dict(x) => {
            exprs(x.keys.iter().flatten(), f);
            exprs(&x.values, f);
        }
        E::Set(x) => exprs(&x.elts, f),
        E::ListComp(x) => {
            f(Node::Expr(&x.elt));
            comprehensions(&x.generators, f);
        }
        E::SetComp(x) => {
            f(Node::Expr(&x.elt));
            comprehensions(&x.generators, f);
        }
        E::DictComp(x) => {
            f(Node::Expr(&x.key));
            f(Node::Expr(&x.value));
            comprehensions(&x.generators, f);
        }
        E::GeneratorExp(x) => {
            f(Node::Expr(&x.elt));
            comprehensions(&x.generators, f);
        }
        E::Await(x) => f(Node::Expr(&x.value)),
        E::Yield(x) => exprs(x.value.as_deref(), f),
        E::YieldFrom(x) => f(Node::Expr(&x.value)),
        E::Compare(x) => {
            f(Node::Expr(&x.left));
            exprs(&x.comparators, f);
        }
        E::Call(x) => {
            f(Node::Expr(&x.func));
            exprs(&x.args, f);
            keywords(&x.keywords, f);
        }
        E::FormattedValue(x) => {
            f(Node::Expr(&x.value));
            exprs(x.format_spec.as_deref(), f);
        }
        E::JoinedStr(x) => exprs(&x.values, f),
        E::Attribute(x) => f(Node::Expr(&x.value)),
        E::Subscript(x) => {
            f(Node::Expr(&x.value));
            f(Node::Expr(&x.slice));
        }
        E::Starred(x) => f(Node::Expr(&x.value)),
        E::List(x) => exprs(&x.elts, f),
        E::Tuple(x) => exprs(&x.elts, f),
        E::Slice(x) => {
            exprs(x.lower.as_deref(), f);
            exprs(x.upper.as_deref(), f);
            exprs(x.step.as_deref(), f);
        }
        E::Constant(_) | E::Name(_) => {}
    }
}

fn pattern_children<'a>(p: &'a ast::Pattern, f: &mut dyn FnMut(Node<'a>)) {
    use ast::Pattern as P;
    let patterns = |ps: &'a [ast::Pattern], f: &mut dyn FnMut(Node<'a>)| {
        for p in ps {
            f(Node::Pattern(p));
        }
    };
    match p {
        P::MatchValue(x) => f(Node::Expr(&x.value)),
        P::MatchSingleton(_) | P::MatchStar(_) => {}
        P::MatchSequence(x) => patterns(&x.patterns, f),
        P::MatchMapping(x) => {
            exprs(&x.keys, f);
            patterns(&x.patterns, f);
        }
        P::MatchClass(x) => {
            f(Node::Expr(&x.cls));
            patterns(&x.patterns, f);
            patterns(&x.kwd_patterns, f);
        }
        P::MatchAs(x) => {
            if let Some(p) = &x.pattern {
                f(Node::Pattern(p));
            }
        }
        P::MatchOr(x) => patterns(&x.patterns, f),
    }
}
