//! A pre-order walk over every statement and expression of a parsed module,
//! for the reward's own checks on the answer's code
//! ([`crate::dynamic_code`], [`crate::trivial`]).
//!
//! The analyzer's walks are private to it, so the reward keeps this small
//! one. It is recursive; the parser bounds a tree's depth
//! (`codequal_analyzer::parse::MAX_AST_DEPTH`) and callers run it under
//! `codequal_analyzer::parse::with_stack_for`, so any answer is walked
//! without overflowing the stack.

use codequal_analyzer::parse::ast::{self, Expr, Stmt};

/// One node of the tree that the checks look at.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Node<'a> {
    /// A statement.
    Stmt(&'a Stmt),
    /// An expression.
    Expr(&'a Expr),
}

/// Calls `f` on every node of `suite`, parents before their children.
pub(crate) fn walk_suite<'a>(suite: &'a [Stmt], f: &mut dyn FnMut(Node<'a>)) {
    for s in suite {
        walk_stmt(s, f);
    }
}

fn walk_exprs<'a>(es: impl IntoIterator<Item = &'a Expr>, f: &mut dyn FnMut(Node<'a>)) {
    for e in es {
        walk_expr(e, f);
    }
}

fn walk_arguments<'a>(a: &'a ast::Arguments, f: &mut dyn FnMut(Node<'a>)) {
    for p in a.posonlyargs.iter().chain(&a.args).chain(&a.kwonlyargs) {
        walk_exprs(p.def.annotation.as_deref(), f);
        walk_exprs(p.default.as_deref(), f);
    }
    for p in a.vararg.iter().chain(&a.kwarg) {
        walk_exprs(p.annotation.as_deref(), f);
    }
}

fn walk_handlers<'a>(handlers: &'a [ast::ExceptHandler], f: &mut dyn FnMut(Node<'a>)) {
    for h in handlers {
        let ast::ExceptHandler::ExceptHandler(h) = h;
        walk_exprs(h.type_.as_deref(), f);
        walk_suite(&h.body, f);
    }
}

fn walk_stmt<'a>(s: &'a Stmt, f: &mut dyn FnMut(Node<'a>)) {
    use ast::Stmt as S;
    f(Node::Stmt(s));
    match s {
        S::FunctionDef(x) => {
            walk_exprs(&x.decorator_list, f);
            walk_arguments(&x.args, f);
            walk_exprs(x.returns.as_deref(), f);
            walk_suite(&x.body, f);
        }
        S::AsyncFunctionDef(x) => {
            walk_exprs(&x.decorator_list, f);
            walk_arguments(&x.args, f);
            walk_exprs(x.returns.as_deref(), f);
            walk_suite(&x.body, f);
        }
        S::ClassDef(x) => {
            walk_exprs(&x.decorator_list, f);
            walk_exprs(&x.bases, f);
            walk_exprs(x.keywords.iter().map(|k| &k.value), f);
            walk_suite(&x.body, f);
        }
        S::Return(x) => walk_exprs(x.value.as_deref(), f),
        S::Delete(x) => walk_exprs(&x.targets, f),
        S::Assign(x) => {
            walk_exprs(&x.targets, f);
            walk_expr(&x.value, f);
        }
        S::TypeAlias(x) => {
            walk_expr(&x.name, f);
            walk_expr(&x.value, f);
        }
        S::AugAssign(x) => {
            walk_expr(&x.target, f);
            walk_expr(&x.value, f);
        }
        S::AnnAssign(x) => {
            walk_expr(&x.target, f);
            walk_expr(&x.annotation, f);
            walk_exprs(x.value.as_deref(), f);
        }
        S::For(x) => {
            walk_expr(&x.target, f);
            walk_expr(&x.iter, f);
            walk_suite(&x.body, f);
            walk_suite(&x.orelse, f);
        }
        S::AsyncFor(x) => {
            walk_expr(&x.target, f);
            walk_expr(&x.iter, f);
            walk_suite(&x.body, f);
            walk_suite(&x.orelse, f);
        }
        S::While(x) => {
            walk_expr(&x.test, f);
            walk_suite(&x.body, f);
            walk_suite(&x.orelse, f);
        }
        S::If(x) => {
            walk_expr(&x.test, f);
            walk_suite(&x.body, f);
            walk_suite(&x.orelse, f);
        }
        S::With(x) => {
            for item in &x.items {
                walk_expr(&item.context_expr, f);
                walk_exprs(item.optional_vars.as_deref(), f);
            }
            walk_suite(&x.body, f);
        }
        S::AsyncWith(x) => {
            for item in &x.items {
                walk_expr(&item.context_expr, f);
                walk_exprs(item.optional_vars.as_deref(), f);
            }
            walk_suite(&x.body, f);
        }
        S::Match(x) => {
            walk_expr(&x.subject, f);
            for case in &x.cases {
                walk_pattern(&case.pattern, f);
                walk_exprs(case.guard.as_deref(), f);
                walk_suite(&case.body, f);
            }
        }
        S::Raise(x) => {
            walk_exprs(x.exc.as_deref(), f);
            walk_exprs(x.cause.as_deref(), f);
        }
        S::Try(x) => {
            walk_suite(&x.body, f);
            walk_handlers(&x.handlers, f);
            walk_suite(&x.orelse, f);
            walk_suite(&x.finalbody, f);
        }
        S::TryStar(x) => {
            walk_suite(&x.body, f);
            walk_handlers(&x.handlers, f);
            walk_suite(&x.orelse, f);
            walk_suite(&x.finalbody, f);
        }
        S::Assert(x) => {
            walk_expr(&x.test, f);
            walk_exprs(x.msg.as_deref(), f);
        }
        S::Expr(x) => walk_expr(&x.value, f),
        S::Import(_)
        | S::ImportFrom(_)
        | S::Global(_)
        | S::Nonlocal(_)
        | S::Pass(_)
        | S::Break(_)
        | S::Continue(_) => {}
    }
}

fn walk_pattern<'a>(p: &'a ast::Pattern, f: &mut dyn FnMut(Node<'a>)) {
    use ast::Pattern as P;
    match p {
        P::MatchValue(x) => walk_expr(&x.value, f),
        P::MatchSingleton(_) | P::MatchStar(_) => {}
        P::MatchSequence(x) => x.patterns.iter().for_each(|p| walk_pattern(p, f)),
        P::MatchMapping(x) => {
            walk_exprs(&x.keys, f);
            x.patterns.iter().for_each(|p| walk_pattern(p, f));
        }
        P::MatchClass(x) => {
            walk_expr(&x.cls, f);
            x.patterns
                .iter()
                .chain(&x.kwd_patterns)
                .for_each(|p| walk_pattern(p, f));
        }
        P::MatchAs(x) => {
            if let Some(p) = &x.pattern {
                walk_pattern(p, f);
            }
        }
        P::MatchOr(x) => x.patterns.iter().for_each(|p| walk_pattern(p, f)),
    }
}

fn walk_comprehensions<'a>(gens: &'a [ast::Comprehension], f: &mut dyn FnMut(Node<'a>)) {
    for g in gens {
        walk_expr(&g.target, f);
        walk_expr(&g.iter, f);
        walk_exprs(&g.ifs, f);
    }
}

fn walk_expr<'a>(e: &'a Expr, f: &mut dyn FnMut(Node<'a>)) {
    use ast::Expr as E;
    f(Node::Expr(e));
    match e {
        E::BoolOp(x) => walk_exprs(&x.values, f),
        E::NamedExpr(x) => {
            walk_expr(&x.target, f);
            walk_expr(&x.value, f);
        }
        E::BinOp(x) => {
            walk_expr(&x.left, f);
            walk_expr(&x.right, f);
        }
        E::UnaryOp(x) => walk_expr(&x.operand, f),
        E::Lambda(x) => {
            walk_arguments(&x.args, f);
            walk_expr(&x.body, f);
        }
        E::IfExp(x) => {
            walk_expr(&x.test, f);
            walk_expr(&x.body, f);
            walk_expr(&x.orelse, f);
        }
        E::Dict(x) => {
            walk_exprs(x.keys.iter().flatten(), f);
            walk_exprs(&x.values, f);
        }
        E::Set(x) => walk_exprs(&x.elts, f),
        E::ListComp(x) => {
            walk_comprehensions(&x.generators, f);
            walk_expr(&x.elt, f);
        }
        E::SetComp(x) => {
            walk_comprehensions(&x.generators, f);
            walk_expr(&x.elt, f);
        }
        E::DictComp(x) => {
            walk_comprehensions(&x.generators, f);
            walk_expr(&x.key, f);
            walk_expr(&x.value, f);
        }
        E::GeneratorExp(x) => {
            walk_comprehensions(&x.generators, f);
            walk_expr(&x.elt, f);
        }
        E::Await(x) => walk_expr(&x.value, f),
        E::Yield(x) => walk_exprs(x.value.as_deref(), f),
        E::YieldFrom(x) => walk_expr(&x.value, f),
        E::Compare(x) => {
            walk_expr(&x.left, f);
            walk_exprs(&x.comparators, f);
        }
        E::Call(x) => {
            walk_expr(&x.func, f);
            walk_exprs(&x.args, f);
            walk_exprs(x.keywords.iter().map(|k| &k.value), f);
        }
        E::FormattedValue(x) => {
            walk_expr(&x.value, f);
            walk_exprs(x.format_spec.as_deref(), f);
        }
        E::JoinedStr(x) => walk_exprs(&x.values, f),
        E::Attribute(x) => walk_expr(&x.value, f),
        E::Subscript(x) => {
            walk_expr(&x.value, f);
            walk_expr(&x.slice, f);
        }
        E::Starred(x) => walk_expr(&x.value, f),
        E::List(x) => walk_exprs(&x.elts, f),
        E::Tuple(x) => walk_exprs(&x.elts, f),
        E::Slice(x) => {
            walk_exprs(x.lower.as_deref(), f);
            walk_exprs(x.upper.as_deref(), f);
            walk_exprs(x.step.as_deref(), f);
        }
        E::Constant(_) | E::Name(_) => {}
    }
}

/// `if __name__ == "__main__":` (either operand order).
pub(crate) fn is_main_guard(s: &Stmt) -> bool {
    let Stmt::If(i) = s else { return false };
    let Expr::Compare(c) = i.test.as_ref() else {
        return false;
    };
    if c.ops.len() != 1 || !matches!(c.ops[0], ast::CmpOp::Eq) || c.comparators.len() != 1 {
        return false;
    }
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::Constant(k) if matches!(&k.value, ast::Constant::Str(v) if v == "__main__"));
    let (l, r) = (c.left.as_ref(), &c.comparators[0]);
    (is_name(l) && is_main(r)) || (is_main(l) && is_name(r))
}
