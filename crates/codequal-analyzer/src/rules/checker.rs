//! One traversal of the tree that runs every enabled rule.
//!
//! The [`Checker`] walks statements and expressions in source order, keeps
//! the context rules ask about (enclosing functions, classes, loops, `try`
//! blocks, handlers), resolves names through the module's imports
//! ([`Checker::qualified_name`]) and collects findings. Families hook in
//! through four functions in their `mod.rs`: `enter_stmt` (before the
//! statement's children), `leave_stmt` (after them), `on_expr` and `finish`
//! (once, after the whole module).

use std::collections::HashMap;

use rustpython_parser::ast::Ranged;

use super::{dead_code, design, performance, reliability, security, Family, RuleMeta, RuleSet};
use crate::config::Config;
use crate::parse::ast::{self, Expr, Stmt};
use crate::parse::{ParsedSource, TextRange, Tok};
use crate::report::{Finding, Span};

/// An enclosing construct, innermost last on [`Checker::stack`].
#[derive(Debug, Clone, Copy)]
pub enum Frame<'a> {
    /// A `def` or `async def` (the statement).
    Function(&'a Stmt),
    /// A `class` (the statement).
    Class(&'a Stmt),
    /// A `for`, `async for` or `while` body or `else` (the statement).
    Loop(&'a Stmt),
    /// The body of a `try` (the statement).
    Try(&'a Stmt),
    /// An `except` handler.
    Handler(&'a ast::ExceptHandlerExceptHandler),
    /// The `finally` block of a `try` (the statement).
    Finally(&'a Stmt),
    /// The body of a `with` (the statement).
    With(&'a Stmt),
    /// A lambda.
    Lambda(&'a ast::ExprLambda),
    /// A comprehension or generator expression.
    Comprehension(&'a Expr),
}

/// What `# nosec` on a line suppresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nosec {
    /// Every security finding on the line.
    All,
    /// Only these test ids (`# nosec B101, B602`).
    Only(Vec<&'static str>),
}

/// A node on the path from the module to the node being visited.
#[derive(Debug, Clone, Copy)]
pub enum Ancestor<'a> {
    /// A statement.
    Stmt(&'a Stmt),
    /// An expression.
    Expr(&'a Expr),
}

/// The imports seen so far in traversal order, recorded the way bandit's
/// node visitor records them (bandit resolves names only through imports
/// that come before the use, and module-wide after that).
#[derive(Debug, Default)]
pub struct ImportsSoFar<'a> {
    /// Every imported name: `import a.b` adds `a.b`, `from m import n` adds
    /// `m.n`, `from . import n` adds `n`.
    pub modules: Vec<String>,
    /// Local alias -> dotted name: `import a.b as c` maps `c`; `from m
    /// import n` maps `n` (or its `as` name) to `m.n`. A plain `import a`
    /// adds no alias.
    pub aliases: HashMap<&'a str, String>,
}

impl<'a> ImportsSoFar<'a> {
    /// Records one `import` or `from ... import` statement.
    pub fn record(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(i) => self.record_plain(&i.names),
            Stmt::ImportFrom(i) => match &i.module {
                None => self.record_plain(&i.names),
                Some(module) => {
                    for alias in &i.names {
                        let full = format!("{module}.{}", alias.name);
                        let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                        self.aliases.insert(local, full.clone());
                        self.modules.push(full);
                    }
                }
            },
            _ => {}
        }
    }

    fn record_plain(&mut self, names: &'a [ast::Alias]) {
        for alias in names {
            if let Some(as_) = &alias.asname {
                self.aliases.insert(as_.as_str(), alias.name.to_string());
            }
            self.modules.push(alias.name.to_string());
        }
    }

    /// Whether `module` was imported exactly (bandit's
    /// `is_module_imported_exact`).
    pub fn exact(&self, module: &str) -> bool {
        self.modules.iter().any(|m| m == module)
    }

    /// Whether any import contains `module` as a substring (bandit's
    /// `is_module_imported_like`).
    pub fn like(&self, module: &str) -> bool {
        self.modules.iter().any(|m| m.contains(module))
    }
}

/// The state shared by every rule during one traversal.
#[derive(Debug)]
pub struct Checker<'a> {
    /// The module being checked.
    pub parsed: &'a ParsedSource<'a>,
    /// The resolved configuration.
    pub config: &'a Config,
    /// Which rules are on.
    pub rules: RuleSet,
    /// Enclosing constructs, outermost first.
    pub stack: Vec<Frame<'a>>,
    /// Local name -> fully qualified name, from every import in the module
    /// (`import subprocess as sp` maps `sp` to `subprocess`; `from os import
    /// system` maps `system` to `os.system`).
    pub imports: HashMap<&'a str, String>,
    /// `# nosec` comments by 1-based line.
    pub nosec: HashMap<u32, Nosec>,
    /// Imports before the current node, bandit-style.
    pub imports_so_far: ImportsSoFar<'a>,
    /// Statements and expressions enclosing the node being visited,
    /// outermost first; the node itself is not on it during its hooks.
    pub ancestors: Vec<Ancestor<'a>>,
    /// The module's statements.
    pub module: &'a [Stmt],
    /// The checked file, when it has a path (imports are followed from it).
    pub file: Option<&'a std::path::Path>,
    /// The design family's counters (per-function stacks, pylint-style).
    pub design: design::State<'a>,
    /// The dead-code family's definitions and uses.
    pub dead_code: dead_code::State<'a>,
    /// What the performance family remembers during the traversal.
    pub(crate) performance: performance::State<'a>,
    /// What the reliability family remembers during the traversal.
    pub(crate) reliability: reliability::State<'a>,
    findings: Vec<Finding>,
}

impl<'a> Checker<'a> {
    /// Sets the path of the checked file.
    #[must_use]
    pub fn with_file(mut self, file: Option<&'a std::path::Path>) -> Self {
        self.file = file;
        self
    }

    /// A checker for one module.
    pub fn new(parsed: &'a ParsedSource<'a>, suite: &'a [Stmt], config: &'a Config) -> Self {
        let mut imports = HashMap::new();
        collect_imports(suite, &mut imports);
        Self {
            parsed,
            config,
            rules: config.rule_set(),
            stack: Vec::new(),
            imports,
            nosec: nosec_comments(parsed),
            imports_so_far: ImportsSoFar::default(),
            ancestors: Vec::new(),
            module: suite,
            file: None,
            design: design::State::default(),
            dead_code: dead_code::State::default(),
            performance: performance::State::default(),
            reliability: reliability::State::default(),
            findings: Vec::new(),
        }
    }

    /// Whether a rule is on.
    #[inline]
    pub fn enabled(&self, rule: &RuleMeta) -> bool {
        self.rules.contains(rule)
    }

    /// Reports a finding of `rule` at `range` with the rule's defaults.
    pub fn report(&mut self, rule: &RuleMeta, range: TextRange, message: impl Into<String>) {
        self.report_finding(Finding::from_rule(rule, self.span(range), message));
    }

    /// Reports a prepared finding (e.g. with a severity other than the
    /// rule's default). Security findings suppressed by `# nosec` on one of
    /// the lines the finding spans are dropped (see
    /// [`Self::report_finding_in`]).
    pub fn report_finding(&mut self, finding: Finding) {
        let lines = (finding.span.line, finding.span.end_line);
        self.report_finding_in(finding, lines);
    }

    /// Reports a prepared finding whose `# nosec` context is the lines
    /// `context.0..=context.1` (bandit: the lines of the node the test
    /// looked at, which can differ from the finding's line).
    ///
    /// bandit's semantics, exactly: the tests named on the finding's own
    /// line and on the first line of the context that has a `# nosec` are
    /// pooled; a bare `# nosec` adds none; nothing pooled but a `# nosec`
    /// seen suppresses every test, otherwise only the pooled ones.
    pub fn report_finding_in(&mut self, finding: Finding, context: (u32, u32)) {
        if self.suppressed(&finding, context) {
            return;
        }
        self.findings.push(finding);
    }

    fn suppressed(&self, f: &Finding, context: (u32, u32)) -> bool {
        if self.nosec.is_empty() {
            return false;
        }
        let is_security = super::find_rule(&f.code).is_some_and(|r| r.family == Family::Security);
        if !is_security {
            return false;
        }
        let own = self.nosec.get(&f.span.line);
        let ctx = (context.0..=context.1).find_map(|l| self.nosec.get(&l));
        if own.is_none() && ctx.is_none() {
            return false;
        }
        let mut pooled = own.into_iter().chain(ctx).filter_map(|n| match n {
            Nosec::All => None,
            Nosec::Only(codes) => Some(codes),
        });
        let mut any = false;
        let hit = pooled.any(|codes| {
            any |= !codes.is_empty();
            codes.iter().any(|c| *c == f.code)
        });
        hit || !any
    }

    /// The CPython-style span of a byte range.
    pub fn span(&self, range: TextRange) -> Span {
        let (line, column) = self.parsed.lines.location(range.start());
        let (end_line, end_column) = self.parsed.lines.location(range.end());
        Span {
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// The source text of a byte range.
    pub fn text(&self, range: TextRange) -> &'a str {
        self.parsed
            .source
            .get(usize::from(range.start())..usize::from(range.end()))
            .unwrap_or("")
    }

    /// The innermost enclosing function statement, if any.
    pub fn current_function(&self) -> Option<&'a Stmt> {
        self.stack.iter().rev().find_map(|f| match f {
            Frame::Function(s) => Some(*s),
            _ => None,
        })
    }

    /// The innermost enclosing class statement, if any.
    pub fn current_class(&self) -> Option<&'a Stmt> {
        self.stack.iter().rev().find_map(|f| match f {
            Frame::Class(s) => Some(*s),
            _ => None,
        })
    }

    /// Loops around the current node inside the innermost function (or the
    /// module), comprehensions not counted.
    pub fn loop_depth(&self) -> usize {
        self.stack
            .iter()
            .rev()
            .take_while(|f| !matches!(f, Frame::Function(_) | Frame::Class(_) | Frame::Lambda(_)))
            .filter(|f| matches!(f, Frame::Loop(_)))
            .count()
    }

    /// Whether the current node runs repeatedly in a loop of the current
    /// function (or module).
    pub fn in_loop(&self) -> bool {
        self.loop_depth() > 0
    }

    /// Whether the current node is inside the body of a `try` (of the
    /// current function).
    pub fn in_try_body(&self) -> bool {
        self.stack
            .iter()
            .rev()
            .take_while(|f| !matches!(f, Frame::Function(_) | Frame::Class(_) | Frame::Lambda(_)))
            .any(|f| matches!(f, Frame::Try(_)))
    }

    /// The fully qualified dotted name of a `Name` or `Attribute` chain,
    /// resolved through the module's imports: `sp.Popen` after `import
    /// subprocess as sp` is `subprocess.Popen`. `None` for anything else
    /// (calls, subscripts) in the chain.
    pub fn qualified_name(&self, expr: &Expr) -> Option<String> {
        let mut parts: Vec<&str> = Vec::new();
        let mut e = expr;
        loop {
            match e {
                Expr::Attribute(a) => {
                    parts.push(a.attr.as_str());
                    e = &a.value;
                }
                Expr::Name(n) => {
                    let head = n.id.as_str();
                    let mut out = self
                        .imports
                        .get(head)
                        .cloned()
                        .unwrap_or_else(|| head.to_owned());
                    for p in parts.iter().rev() {
                        out.push('.');
                        out.push_str(p);
                    }
                    return Some(out);
                }
                _ => return None,
            }
        }
    }

    /// The qualified name of a call's callee (see [`Self::qualified_name`]).
    pub fn call_name(&self, call: &ast::ExprCall) -> Option<String> {
        self.qualified_name(&call.func)
    }

    /// Runs every enabled rule over `suite` and returns the findings,
    /// sorted by position.
    pub fn run(mut self, suite: &'a [Stmt]) -> Vec<Finding> {
        self.walk_body(suite);
        if self.rules.any_in(Family::Security) {
            security::finish(&mut self, suite);
        }
        if self.rules.any_in(Family::Design) {
            design::finish(&mut self, suite);
        }
        if self.rules.any_in(Family::DeadCode) {
            dead_code::finish(&mut self, suite);
        }
        if self.rules.any_in(Family::Performance) {
            performance::finish(&mut self, suite);
        }
        if self.rules.any_in(Family::Reliability) {
            reliability::finish(&mut self, suite);
        }
        let mut findings = self.findings;
        findings.sort_by(|a, b| a.span.cmp(&b.span).then_with(|| a.code.cmp(&b.code)));
        findings
    }

    fn enter_stmt(&mut self, stmt: &'a Stmt) {
        if self.rules.any_in(Family::Security) {
            security::enter_stmt(self, stmt);
        }
        if self.rules.any_in(Family::Design) {
            design::enter_stmt(self, stmt);
        }
        if self.rules.any_in(Family::DeadCode) {
            dead_code::enter_stmt(self, stmt);
        }
        if self.rules.any_in(Family::Performance) {
            performance::enter_stmt(self, stmt);
        }
        if self.rules.any_in(Family::Reliability) {
            reliability::enter_stmt(self, stmt);
        }
    }

    fn leave_stmt(&mut self, stmt: &'a Stmt) {
        if self.rules.any_in(Family::Security) {
            security::leave_stmt(self, stmt);
        }
        if self.rules.any_in(Family::Design) {
            design::leave_stmt(self, stmt);
        }
        if self.rules.any_in(Family::DeadCode) {
            dead_code::leave_stmt(self, stmt);
        }
        if self.rules.any_in(Family::Performance) {
            performance::leave_stmt(self, stmt);
        }
        if self.rules.any_in(Family::Reliability) {
            reliability::leave_stmt(self, stmt);
        }
    }

    fn on_expr(&mut self, expr: &'a Expr) {
        if self.rules.any_in(Family::Security) {
            security::on_expr(self, expr);
        }
        if self.rules.any_in(Family::Design) {
            design::on_expr(self, expr);
        }
        if self.rules.any_in(Family::DeadCode) {
            dead_code::on_expr(self, expr);
        }
        if self.rules.any_in(Family::Performance) {
            performance::on_expr(self, expr);
        }
        if self.rules.any_in(Family::Reliability) {
            reliability::on_expr(self, expr);
        }
    }

    fn walk_body(&mut self, body: &'a [Stmt]) {
        for s in body {
            self.walk_stmt(s);
        }
    }

    fn walk_exprs(&mut self, exprs: impl IntoIterator<Item = &'a Expr>) {
        for e in exprs {
            self.walk_expr(e);
        }
    }

    fn walk_in(&mut self, frame: Frame<'a>, body: &'a [Stmt]) {
        self.stack.push(frame);
        self.walk_body(body);
        self.stack.pop();
    }

    fn walk_arguments(&mut self, args: &'a ast::Arguments) {
        for a in args
            .posonlyargs
            .iter()
            .chain(&args.args)
            .chain(&args.kwonlyargs)
        {
            if let Some(ann) = &a.def.annotation {
                self.walk_expr(ann);
            }
            if let Some(d) = &a.default {
                self.walk_expr(d);
            }
        }
        for a in args.vararg.iter().chain(&args.kwarg) {
            if let Some(ann) = &a.annotation {
                self.walk_expr(ann);
            }
        }
    }

    fn walk_stmt(&mut self, stmt: &'a Stmt) {
        if matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)) {
            self.imports_so_far.record(stmt);
        }
        self.enter_stmt(stmt);
        self.ancestors.push(Ancestor::Stmt(stmt));
        match stmt {
            Stmt::FunctionDef(f) => {
                self.walk_exprs(&f.decorator_list);
                self.walk_arguments(&f.args);
                self.walk_exprs(f.returns.as_deref());
                self.walk_in(Frame::Function(stmt), &f.body);
            }
            Stmt::AsyncFunctionDef(f) => {
                self.walk_exprs(&f.decorator_list);
                self.walk_arguments(&f.args);
                self.walk_exprs(f.returns.as_deref());
                self.walk_in(Frame::Function(stmt), &f.body);
            }
            Stmt::ClassDef(c) => {
                self.walk_exprs(&c.decorator_list);
                self.walk_exprs(&c.bases);
                self.walk_exprs(c.keywords.iter().map(|k| &k.value));
                self.walk_in(Frame::Class(stmt), &c.body);
            }
            Stmt::Return(r) => self.walk_exprs(r.value.as_deref()),
            Stmt::Delete(d) => self.walk_exprs(&d.targets),
            Stmt::Assign(a) => {
                self.walk_expr(&a.value);
                self.walk_exprs(&a.targets);
            }
            Stmt::TypeAlias(a) => {
                self.walk_expr(&a.name);
                self.walk_expr(&a.value);
            }
            Stmt::AugAssign(a) => {
                self.walk_expr(&a.value);
                self.walk_expr(&a.target);
            }
            Stmt::AnnAssign(a) => {
                self.walk_exprs(a.value.as_deref());
                self.walk_expr(&a.annotation);
                self.walk_expr(&a.target);
            }
            Stmt::For(f) => {
                self.walk_expr(&f.iter);
                self.stack.push(Frame::Loop(stmt));
                self.walk_expr(&f.target);
                self.walk_body(&f.body);
                self.stack.pop();
                self.walk_body(&f.orelse);
            }
            Stmt::AsyncFor(f) => {
                self.walk_expr(&f.iter);
                self.stack.push(Frame::Loop(stmt));
                self.walk_expr(&f.target);
                self.walk_body(&f.body);
                self.stack.pop();
                self.walk_body(&f.orelse);
            }
            Stmt::While(w) => {
                self.stack.push(Frame::Loop(stmt));
                self.walk_expr(&w.test);
                self.walk_body(&w.body);
                self.stack.pop();
                self.walk_body(&w.orelse);
            }
            Stmt::If(i) => {
                self.walk_expr(&i.test);
                self.walk_body(&i.body);
                self.walk_body(&i.orelse);
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.walk_expr(&item.context_expr);
                    self.walk_exprs(item.optional_vars.as_deref());
                }
                self.walk_in(Frame::With(stmt), &w.body);
            }
            Stmt::AsyncWith(w) => {
                for item in &w.items {
                    self.walk_expr(&item.context_expr);
                    self.walk_exprs(item.optional_vars.as_deref());
                }
                self.walk_in(Frame::With(stmt), &w.body);
            }
            Stmt::Match(m) => {
                self.walk_expr(&m.subject);
                for case in &m.cases {
                    self.walk_pattern(&case.pattern);
                    self.walk_exprs(case.guard.as_deref());
                    self.walk_body(&case.body);
                }
            }
            Stmt::Raise(r) => {
                self.walk_exprs(r.exc.as_deref());
                self.walk_exprs(r.cause.as_deref());
            }
            Stmt::Try(t) => self.walk_try(stmt, &t.body, &t.handlers, &t.orelse, &t.finalbody),
            Stmt::TryStar(t) => self.walk_try(stmt, &t.body, &t.handlers, &t.orelse, &t.finalbody),
            Stmt::Assert(a) => {
                self.walk_expr(&a.test);
                self.walk_exprs(a.msg.as_deref());
            }
            Stmt::Expr(e) => self.walk_expr(&e.value),
            Stmt::Import(_)
            | Stmt::ImportFrom(_)
            | Stmt::Global(_)
            | Stmt::Nonlocal(_)
            | Stmt::Pass(_)
            | Stmt::Break(_)
            | Stmt::Continue(_) => {}
        }
        self.ancestors.pop();
        self.leave_stmt(stmt);
    }

    fn walk_try(
        &mut self,
        stmt: &'a Stmt,
        body: &'a [Stmt],
        handlers: &'a [ast::ExceptHandler],
        orelse: &'a [Stmt],
        finalbody: &'a [Stmt],
    ) {
        self.walk_in(Frame::Try(stmt), body);
        for h in handlers {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            self.walk_exprs(h.type_.as_deref());
            self.walk_in(Frame::Handler(h), &h.body);
        }
        self.walk_body(orelse);
        self.walk_in(Frame::Finally(stmt), finalbody);
    }

    fn walk_pattern(&mut self, p: &'a ast::Pattern) {
        use ast::Pattern as P;
        match p {
            P::MatchValue(v) => self.walk_expr(&v.value),
            P::MatchSingleton(_) | P::MatchStar(_) => {}
            P::MatchSequence(s) => s.patterns.iter().for_each(|p| self.walk_pattern(p)),
            P::MatchMapping(m) => {
                self.walk_exprs(&m.keys);
                m.patterns.iter().for_each(|p| self.walk_pattern(p));
            }
            P::MatchClass(c) => {
                self.walk_expr(&c.cls);
                c.patterns
                    .iter()
                    .chain(&c.kwd_patterns)
                    .for_each(|p| self.walk_pattern(p));
            }
            P::MatchAs(a) => {
                if let Some(p) = &a.pattern {
                    self.walk_pattern(p);
                }
            }
            P::MatchOr(o) => o.patterns.iter().for_each(|p| self.walk_pattern(p)),
        }
    }

    fn walk_comprehension(
        &mut self,
        expr: &'a Expr,
        gens: &'a [ast::Comprehension],
        elts: &[&'a Expr],
    ) {
        // The first iterable is evaluated in the enclosing scope.
        if let Some(first) = gens.first() {
            self.walk_expr(&first.iter);
        }
        self.stack.push(Frame::Comprehension(expr));
        for (i, g) in gens.iter().enumerate() {
            if i > 0 {
                self.walk_expr(&g.iter);
            }
            self.walk_expr(&g.target);
            self.walk_exprs(&g.ifs);
        }
        for e in elts {
            self.walk_expr(e);
        }
        self.stack.pop();
    }

    fn walk_expr(&mut self, expr: &'a Expr) {
        self.on_expr(expr);
        if matches!(expr, Expr::Constant(_) | Expr::Name(_)) {
            return;
        }
        self.ancestors.push(Ancestor::Expr(expr));
        self.walk_expr_children(expr);
        self.ancestors.pop();
    }

    fn walk_expr_children(&mut self, expr: &'a Expr) {
        match expr {
            Expr::BoolOp(b) => self.walk_exprs(&b.values),
            Expr::NamedExpr(n) => {
                self.walk_expr(&n.value);
                self.walk_expr(&n.target);
            }
            Expr::BinOp(b) => {
                self.walk_expr(&b.left);
                self.walk_expr(&b.right);
            }
            Expr::UnaryOp(u) => self.walk_expr(&u.operand),
            Expr::Lambda(l) => {
                self.walk_arguments(&l.args);
                self.stack.push(Frame::Lambda(l));
                self.walk_expr(&l.body);
                self.stack.pop();
            }
            Expr::IfExp(i) => {
                self.walk_expr(&i.test);
                self.walk_expr(&i.body);
                self.walk_expr(&i.orelse);
            }
            Expr::Dict(d) => {
                for (k, v) in d.keys.iter().zip(&d.values) {
                    self.walk_exprs(k.as_ref());
                    self.walk_expr(v);
                }
            }
            Expr::Set(s) => self.walk_exprs(&s.elts),
            Expr::ListComp(c) => self.walk_comprehension(expr, &c.generators, &[&c.elt]),
            Expr::SetComp(c) => self.walk_comprehension(expr, &c.generators, &[&c.elt]),
            Expr::GeneratorExp(c) => self.walk_comprehension(expr, &c.generators, &[&c.elt]),
            Expr::DictComp(c) => self.walk_comprehension(expr, &c.generators, &[&c.key, &c.value]),
            Expr::Await(a) => self.walk_expr(&a.value),
            Expr::Yield(y) => self.walk_exprs(y.value.as_deref()),
            Expr::YieldFrom(y) => self.walk_expr(&y.value),
            Expr::Compare(c) => {
                self.walk_expr(&c.left);
                self.walk_exprs(&c.comparators);
            }
            Expr::Call(c) => {
                self.walk_expr(&c.func);
                self.walk_exprs(&c.args);
                self.walk_exprs(c.keywords.iter().map(|k| &k.value));
            }
            Expr::FormattedValue(f) => {
                self.walk_expr(&f.value);
                self.walk_exprs(f.format_spec.as_deref());
            }
            Expr::JoinedStr(j) => self.walk_exprs(&j.values),
            Expr::Attribute(a) => self.walk_expr(&a.value),
            Expr::Subscript(s) => {
                self.walk_expr(&s.value);
                self.walk_expr(&s.slice);
            }
            Expr::Starred(s) => self.walk_expr(&s.value),
            Expr::List(l) => self.walk_exprs(&l.elts),
            Expr::Tuple(t) => self.walk_exprs(&t.elts),
            Expr::Slice(s) => {
                self.walk_exprs(s.lower.as_deref());
                self.walk_exprs(s.upper.as_deref());
                self.walk_exprs(s.step.as_deref());
            }
            Expr::Constant(_) | Expr::Name(_) => {}
        }
    }
}

/// Records every import in the module (nested ones included), in source
/// order, so later bindings of the same name win.
fn collect_imports<'a>(body: &'a [Stmt], out: &mut HashMap<&'a str, String>) {
    for stmt in body {
        match stmt {
            Stmt::Import(i) => {
                for alias in &i.names {
                    let full = alias.name.as_str();
                    match &alias.asname {
                        Some(as_) => {
                            out.insert(as_.as_str(), full.to_owned());
                        }
                        None => {
                            // `import a.b` binds `a`, which names module `a`.
                            let head = full.split('.').next().unwrap_or(full);
                            out.insert(head, head.to_owned());
                        }
                    }
                }
            }
            Stmt::ImportFrom(i) => {
                let module = i.module.as_ref().map_or("", |m| m.as_str());
                for alias in &i.names {
                    if alias.name.as_str() == "*" {
                        continue;
                    }
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    let full = if module.is_empty() {
                        alias.name.to_string()
                    } else {
                        format!("{module}.{}", alias.name)
                    };
                    out.insert(local, full);
                }
            }
            Stmt::FunctionDef(f) => collect_imports(&f.body, out),
            Stmt::AsyncFunctionDef(f) => collect_imports(&f.body, out),
            Stmt::ClassDef(c) => collect_imports(&c.body, out),
            Stmt::For(f) => {
                collect_imports(&f.body, out);
                collect_imports(&f.orelse, out);
            }
            Stmt::AsyncFor(f) => {
                collect_imports(&f.body, out);
                collect_imports(&f.orelse, out);
            }
            Stmt::While(w) => {
                collect_imports(&w.body, out);
                collect_imports(&w.orelse, out);
            }
            Stmt::If(i) => {
                collect_imports(&i.body, out);
                collect_imports(&i.orelse, out);
            }
            Stmt::With(w) => collect_imports(&w.body, out),
            Stmt::AsyncWith(w) => collect_imports(&w.body, out),
            Stmt::Try(t) => {
                collect_imports(&t.body, out);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    collect_imports(&h.body, out);
                }
                collect_imports(&t.orelse, out);
                collect_imports(&t.finalbody, out);
            }
            Stmt::TryStar(t) => {
                collect_imports(&t.body, out);
                collect_imports(&t.orelse, out);
                collect_imports(&t.finalbody, out);
            }
            Stmt::Match(m) => {
                for c in &m.cases {
                    collect_imports(&c.body, out);
                }
            }
            _ => {}
        }
    }
}

/// Parses `# nosec` comments the way bandit 1.9.4 does (`manager.py`):
/// the first `#` followed by optional whitespace and `nosec` (lower case),
/// an optional `:`, then the text up to the next `#`. Each run of
/// `(B\d+|[a-z\d_]+),?` in that text contributes its *last* item, kept when
/// it is a known test id or test name (so `B101,B102` names only B102, as in
/// bandit). A `# nosec` that names no known test suppresses everything.
fn nosec_comments(parsed: &ParsedSource<'_>) -> HashMap<u32, Nosec> {
    let mut out = HashMap::new();
    for t in &parsed.tokens {
        if !matches!(t.tok, Tok::Comment(_)) {
            continue;
        }
        let text = parsed.text(t);
        let Some(tests) = nosec_tests(text) else {
            continue;
        };
        let codes: Vec<&'static str> = nosec_items(tests)
            .filter_map(security::nosec_test_id)
            .collect();
        let line = parsed.lines.line(t.range.start());
        out.insert(
            line,
            if codes.is_empty() {
                Nosec::All
            } else {
                Nosec::Only(codes)
            },
        );
    }
    out
}

fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// The `tests` group of bandit's `#\s*nosec:?\s*(?P<tests>[^#]+)?#?`, or
/// `None` when the comment has no `nosec`.
fn nosec_tests(comment: &str) -> Option<&str> {
    for (i, _) in comment.match_indices('#') {
        let rest = comment[i + 1..].trim_start_matches(is_py_space);
        if let Some(after) = rest.strip_prefix("nosec") {
            let after = after.strip_prefix(':').unwrap_or(after);
            let after = after.trim_start_matches(is_py_space);
            return Some(after.split('#').next().unwrap_or(""));
        }
    }
    None
}

/// The items bandit's `finditer` yields: the last repetition of each match
/// of `(?:(B\d+|[a-z\d_]+),?)+` (case-insensitive).
fn nosec_items(tests: &str) -> impl Iterator<Item = &str> {
    let b = tests.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !word(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let mut last = (i, i);
        while i < b.len() && word(b[i]) {
            let start = i;
            if (b[i] == b'B' || b[i] == b'b') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            } else {
                while i < b.len() && word(b[i]) {
                    i += 1;
                }
            }
            last = (start, i);
            if b.get(i) == Some(&b',') {
                i += 1;
            }
        }
        tests.get(last.0..last.1)
    })
}

/// The byte range of any node.
pub fn range_of(node: &impl Ranged) -> TextRange {
    node.range()
}

#[cfg(test)]
mod tests {
    use super::{nosec_items, nosec_tests};

    #[test]
    fn nosec_comments_parse_like_bandit() {
        assert_eq!(nosec_tests("# nosec"), Some(""));
        assert_eq!(nosec_tests("#nosec: B101"), Some("B101"));
        assert_eq!(nosec_tests("# NOSEC"), None);
        assert_eq!(nosec_tests("# see # nosec B602 # why"), Some("B602 "));
        assert_eq!(nosec_tests("# this is not nosec"), None);
        // A comma without a space continues one match: only its last item
        // counts, as in bandit.
        let items: Vec<&str> = nosec_items("B101,B102").collect();
        assert_eq!(items, ["B102"]);
        let items: Vec<&str> = nosec_items("B101, B102 assert_used").collect();
        assert_eq!(items, ["B101", "B102", "assert_used"]);
    }
}
