//! Django: `QuerySet.extra` (B610), `RawSQL` (B611) and `mark_safe` on
//! values not proven constant (B703).

use rustpython_parser::ast::Ranged;

use super::call_context::is_str;
use super::{emit_default, meta, CallSite};
use crate::parse::ast::{self, Expr, Operator, Stmt};
use crate::report::Severity;
use crate::rules::checker::Ancestor;
use crate::rules::{Checker, Confidence, RuleMeta};

/// ## What it does
/// Flags `.extra(...)` calls whose `where`/`tables` are not lists of string
/// literals or whose `select` is not a dict of string literals (bandit
/// B610).
///
/// ## Why is this bad?
/// `extra` pastes raw SQL into the query.
///
/// ## Example
/// ```python
/// User.objects.extra(where=["name = '%s'" % name])
/// ```
///
/// ## Use instead
/// ```python
/// User.objects.filter(name=name)
/// ```
pub(crate) const EXTRA_USED: RuleMeta = meta(
    "B610",
    "django-extra-used",
    65,
    89,
    Severity::Medium,
    Confidence::Medium,
    "Use of extra potential SQL attack vector.",
);

/// ## What it does
/// Flags `RawSQL` with a non-literal SQL string (bandit B611).
///
/// ## Why is this bad?
/// See B608: values spliced into SQL text.
///
/// ## Example
/// ```python
/// RawSQL("SELECT * FROM t WHERE a = %s" % a)
/// ```
///
/// ## Use instead
/// ```python
/// RawSQL("SELECT * FROM t WHERE a = %s", (a,))
/// ```
pub(crate) const RAWSQL_USED: RuleMeta = meta(
    "B611",
    "django-rawsql-used",
    66,
    89,
    Severity::Medium,
    Confidence::Medium,
    "Use of RawSQL potential SQL attack vector.",
);

/// ## What it does
/// Flags `mark_safe` (and `SafeText`, `SafeString` ...) on values that are
/// not traced back to string literals in the same function (bandit B703).
///
/// ## Why is this bad?
/// Marking user data safe disables escaping: cross-site scripting.
///
/// ## Example
/// ```python
/// return mark_safe(request.GET["name"])
/// ```
///
/// ## Use instead
/// ```python
/// return format_html("{}", request.GET["name"])
/// ```
pub(crate) const MARK_SAFE: RuleMeta = meta(
    "B703",
    "django-mark-safe",
    73,
    80,
    Severity::Medium,
    Confidence::High,
    "Potential XSS on mark_safe function.",
);

/// Tests keyed on the call's last name.
pub(crate) fn check_by_name(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    match site.name.as_ref() {
        "extra" => check_extra(ch, site),
        "RawSQL" if ch.imports_so_far.like("django.db.models") => check_rawsql(ch, site),
        "mark_safe" | "SafeText" | "SafeUnicode" | "SafeString" | "SafeBytes"
            if ch.imports_so_far.like("django.utils.safestring") =>
        {
            check_mark_safe(ch, site);
        }
        _ => {}
    }
}

fn check_extra(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    const POSITIONAL: [&str; 6] = [
        "select",
        "where",
        "params",
        "tables",
        "order_by",
        "select_params",
    ];
    let arg = |name: &str| -> Option<&Expr> {
        let kw = site
            .call
            .keywords
            .iter()
            .rev()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
            .map(|k| &k.value);
        let pos = POSITIONAL
            .iter()
            .position(|p| *p == name)
            .and_then(|i| site.call.args.get(i));
        pos.or(kw)
    };
    let mut insecure = false;
    for key in ["where", "tables"] {
        if let Some(v) = arg(key) {
            match v {
                Expr::List(l) => {
                    if l.elts.iter().any(|e| !is_str(e)) {
                        insecure = true;
                    }
                }
                _ => insecure = true,
            }
            if insecure {
                break;
            }
        }
    }
    if !insecure {
        if let Some(select) = arg("select") {
            insecure = match select {
                Expr::Dict(d) => {
                    d.keys.iter().any(|k| !k.as_ref().is_some_and(is_str))
                        || d.values.iter().any(|v| !is_str(v))
                }
                _ => true,
            };
        }
    }
    if insecure {
        emit_default(ch, &EXTRA_USED, EXTRA_USED.summary, site.expr.range(), None);
    }
}

fn check_rawsql(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    let sql = match site.call.args.first() {
        Some(a) => a,
        None => match site
            .call
            .keywords
            .iter()
            .rev()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "sql"))
        {
            Some(k) => &k.value,
            // bandit's `kwargs['sql']` raises: no finding.
            None => return,
        },
    };
    if !is_str(sql) {
        emit_default(
            ch,
            &RAWSQL_USED,
            RAWSQL_USED.summary,
            site.expr.range(),
            None,
        );
    }
}

/// The function (or module) whose body bandit searches for assignments.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Module(&'a [Stmt]),
    Function(&'a ast::StmtFunctionDef),
}

impl<'a> Scope<'a> {
    fn body(self) -> &'a [Stmt] {
        match self {
            Scope::Module(b) => b,
            Scope::Function(f) => &f.body,
        }
    }

    fn is_param(self, name: &str) -> bool {
        match self {
            Scope::Module(_) => false,
            Scope::Function(f) => f.args.args.iter().any(|a| a.def.arg.as_str() == name),
        }
    }
}

/// Recursion budget: bandit's own evaluation can recurse without end and
/// then reports nothing (a `RecursionError` inside the test).
const MAX_DEPTH: usize = 64;

/// Total evaluation steps per `mark_safe` call, so that branching
/// assignments cannot make the search exponential.
const MAX_STEPS: usize = 10_000;

struct Evaluator<'c, 'a> {
    ch: &'c Checker<'a>,
    depth: usize,
    steps: usize,
    overflow: bool,
}

/// A value `DeepAssignation.is_assigned` found.
enum Assigned<'a> {
    Expr(&'a Expr),
    /// A `with ... as name` (bandit returns the `With` node itself).
    With,
}

impl<'a> Evaluator<'_, 'a> {
    fn line(&self, at: crate::parse::TextSize) -> u32 {
        self.ch.parsed.lines.line(at)
    }

    fn assigned_in(&self, var: &str, body: &'a [Stmt], out: &mut Vec<Assigned<'a>>) {
        for s in body {
            self.assigned(var, s, out);
        }
    }

    /// bandit's `is_assigned`, flattening lists into `out`.
    fn assigned(&self, var: &str, s: &'a Stmt, out: &mut Vec<Assigned<'a>>) {
        match s {
            Stmt::FunctionDef(f) => self.assigned_in(var, &f.body, out),
            Stmt::With(w) => {
                // bandit keeps only the last item's result.
                let mut last = Vec::new();
                for item in &w.items {
                    last.clear();
                    let named = matches!(item.optional_vars.as_deref(), Some(Expr::Name(n)) if n.id.as_str() == var);
                    if named {
                        last.push(Assigned::With);
                    } else {
                        self.assigned_in(var, &w.body, &mut last);
                    }
                }
                out.extend(last);
            }
            Stmt::Try(t) => {
                self.assigned_in(var, &t.body, out);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    self.assigned_in(var, &h.body, out);
                }
                self.assigned_in(var, &t.orelse, out);
                self.assigned_in(var, &t.finalbody, out);
            }
            Stmt::If(i) => {
                self.assigned_in(var, &i.body, out);
                self.assigned_in(var, &i.orelse, out);
            }
            Stmt::For(f) => {
                self.assigned_in(var, &f.body, out);
                self.assigned_in(var, &f.orelse, out);
            }
            Stmt::While(w) => {
                self.assigned_in(var, &w.body, out);
                self.assigned_in(var, &w.orelse, out);
            }
            Stmt::AugAssign(a) => {
                if matches!(a.target.as_ref(), Expr::Name(n) if n.id.as_str() == var) {
                    out.push(Assigned::Expr(&a.value));
                }
            }
            Stmt::Assign(a) => match (a.targets.first(), a.value.as_ref()) {
                (Some(Expr::Name(n)), value) if n.id.as_str() == var => {
                    out.push(Assigned::Expr(value));
                }
                (Some(Expr::Tuple(t)), Expr::Tuple(v)) => {
                    for (pos, name) in t.elts.iter().enumerate() {
                        if matches!(name, Expr::Name(n) if n.id.as_str() == var) {
                            if let Some(e) = v.elts.get(pos) {
                                out.push(Assigned::Expr(e));
                            }
                            break;
                        }
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// bandit's `evaluate_var`.
    fn var(&mut self, var: &str, scope: Scope<'a>, until: u32) -> bool {
        if self.depth >= MAX_DEPTH || self.steps >= MAX_STEPS {
            self.overflow = true;
            return false;
        }
        self.depth += 1;
        self.steps += 1;
        let r = self.var_inner(var, scope, until);
        self.depth -= 1;
        r
    }

    fn var_inner(&mut self, var: &str, scope: Scope<'a>, until: u32) -> bool {
        if scope.is_param(var) {
            return false;
        }
        let mut secure = false;
        for node in scope.body() {
            let node_line = self.line(node.start());
            if node_line >= until {
                break;
            }
            let mut found = Vec::new();
            self.assigned(var, node, &mut found);
            let single = matches!(node, Stmt::Assign(_) | Stmt::AugAssign(_))
                || matches!(node, Stmt::With(w) if w.items.last().is_some_and(|i| matches!(i.optional_vars.as_deref(), Some(Expr::Name(n)) if n.id.as_str() == var)));
            if found.is_empty() {
                continue;
            }
            if single && found.len() == 1 {
                match found[0] {
                    Assigned::Expr(e) if is_str(e) => secure = true,
                    Assigned::Expr(Expr::Name(n)) => {
                        let line = self.line(n.range.start());
                        secure = self.var(n.id.as_str(), scope, line);
                    }
                    Assigned::Expr(Expr::Call(c)) => secure = self.call(c, scope),
                    _ => return false,
                }
                continue;
            }
            let mut count = 0;
            for item in &found {
                match item {
                    Assigned::Expr(e) if is_str(e) => count += 1,
                    Assigned::Expr(Expr::Name(n)) => {
                        if self.var(n.id.as_str(), scope, node_line) {
                            count += 1;
                        } else {
                            break;
                        }
                    }
                    _ => break,
                }
            }
            secure = count == found.len();
            if !secure {
                break;
            }
        }
        secure
    }

    /// bandit's `evaluate_call` on `"...".format(args)` (no keywords).
    fn call(&mut self, call: &'a ast::ExprCall, scope: Scope<'a>) -> bool {
        let Expr::Attribute(a) = call.func.as_ref() else {
            return false;
        };
        if !matches!(a.value.as_ref(), Expr::Constant(_))
            || a.attr.as_str() != "format"
            || !call.keywords.is_empty()
        {
            return false;
        }
        let line = self.line(call.range.start());
        self.format_args(call.args.iter().collect(), scope, line)
    }

    fn format_args(&mut self, mut args: Vec<&'a Expr>, scope: Scope<'a>, line: u32) -> bool {
        let mut count = 0;
        let mut i = 0;
        while i < args.len() {
            let arg = args[i];
            i += 1;
            match arg {
                e if is_str(e) => count += 1,
                Expr::Name(n) => {
                    if self.var(n.id.as_str(), scope, line) {
                        count += 1;
                    } else {
                        break;
                    }
                }
                Expr::Call(c) => {
                    if self.call(c, scope) {
                        count += 1;
                    } else {
                        break;
                    }
                }
                Expr::Starred(s) => match s.value.as_ref() {
                    Expr::List(l) => {
                        args.extend(l.elts.iter());
                        count += 1;
                    }
                    Expr::Tuple(t) => {
                        args.extend(t.elts.iter());
                        count += 1;
                    }
                    _ => break,
                },
                _ => break,
            }
        }
        count == args.len()
    }
}

fn check_mark_safe(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    // bandit indexes `args[0]`; no argument raises and reports nothing.
    let Some(xss) = site.call.args.first() else {
        return;
    };
    if is_str(xss) {
        return;
    }
    let scope = ch
        .ancestors
        .iter()
        .rev()
        .find_map(|a| match a {
            Ancestor::Stmt(Stmt::FunctionDef(f)) => Some(Scope::Function(f)),
            _ => None,
        })
        .unwrap_or(Scope::Module(ch.module));
    let line = ch.parsed.lines.line(site.expr.start());
    let mut ev = Evaluator {
        ch,
        depth: 0,
        steps: 0,
        overflow: false,
    };
    let secure = match xss {
        Expr::Name(n) => !scope.is_param(n.id.as_str()) && ev.var(n.id.as_str(), scope, line),
        Expr::Call(c) => ev.call(c, scope),
        Expr::BinOp(b) if b.op == Operator::Mod && is_str(&b.left) => {
            let args: Vec<&Expr> = match b.right.as_ref() {
                Expr::Tuple(t) => t.elts.iter().collect(),
                other => vec![other],
            };
            let line = ev.line(b.range.start());
            ev.format_args(args, scope, line)
        }
        _ => false,
    };
    if ev.overflow || secure {
        return;
    }
    emit_default(ch, &MARK_SAFE, MARK_SAFE.summary, site.expr.range(), None);
}
