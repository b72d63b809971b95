//! Dead code in the spirit of vulture 2.16: unused functions, classes,
//! methods, properties, variables and attributes, and unreachable code,
//! each with vulture's confidence.
//!
//! Usage is counted as vulture counts it over a project, applied to one
//! file: a definition is unused when its name is never read anywhere in
//! the file (by name or as an attribute, through `getattr`/`hasattr` with a
//! string, a `__all__` list, or a class pattern's keyword), whatever the
//! scope. Imports are left to F401 (unused-import). vulture's bundled
//! whitelists of standard-library names are applied; `# noqa` comments are
//! not. Names used from outside the file (an entry point that tests call)
//! are declared in [`Settings::used_names`], as a vulture whitelist would
//! declare them. Reachability follows vulture's `Reachability` visitor.

mod unreachable_code;
mod unused_attribute;
mod unused_binding;
mod unused_class;
mod unused_function;
mod unused_method;
mod unused_property;

use std::collections::HashSet;

use rustpython_parser::ast::Ranged;

use super::{Checker, Confidence, RuleMeta};
use crate::parse::ast::{self, Constant, Expr, ExprContext, Stmt};
use crate::parse::TextRange;
use crate::report::{Finding, Span};

/// Settings of the dead-code family (`[tool.codequal.dead_code]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Names used from outside the analysed file (an entry point its tests
    /// call, methods a harness invokes), never reported as unused: what a
    /// vulture whitelist file declares. Default: none.
    pub used_names: Vec<String>,
}

/// The family's rules; a rule's `index` is its position here.
pub(crate) static RULES: &[&RuleMeta] = &[
    &unused_function::META,
    &unused_class::META,
    &unused_method::META,
    &unused_property::META,
    &unused_binding::META,
    &unused_attribute::META,
    &unreachable_code::META,
];

/// Names vulture's bundled whitelists (`vulture/whitelists/*.py`) mark as
/// used when a module of that name is imported.
const WHITELISTS: &[(&str, &str)] = &[
    ("argparse", "argparse ArgumentParser epilog ArgumentDefaultsHelpFormatter _fill_text _get_help_string"),
    ("ast", "whitelist_node_visitor Whitelist visit_Assert visit_Assign visit_AsyncFor visit_AsyncFunctionDef visit_AsyncWith visit_Attribute visit_AugAssign visit_Await visit_BinOp visit_BoolOp visit_Bytes visit_Call visit_ClassDef visit_Compare visit_Constant visit_Delete visit_Dict visit_DictComp visit_ExceptHandler visit_Exec visit_Expr visit_Expression visit_ExtSlice visit_For visit_FunctionDef visit_GeneratorExp visit_Global visit_If visit_IfExp visit_Import visit_ImportFrom visit_Index visit_Interactive visit_Lambda visit_List visit_ListComp visit_MatchClass visit_Module visit_Name visit_NameConstant visit_Nonlocal visit_Num visit_Print visit_Raise visit_Repr visit_Return visit_Set visit_SetComp visit_Slice visit_Starred visit_Str visit_Subscript visit_Suite visit_Try visit_TryExcept visit_TryFinally visit_Tuple visit_UnaryOp visit_While visit_With visit_Yield visit_YieldFrom visit_alias visit_arg visit_arguments visit_comprehension visit_keyword"),
    ("collections", "collections defaultdict default_factory"),
    ("ctypes", "_CFuncPtr argtypes errcheck restype _Pointer contents"),
    ("enum", "enum Enum EnumWhitelist _name_ _value_"),
    ("logging", "logging Filter filter getLogger propagate StreamHandler emit"),
    ("pint", "pint UnitRegistry ureg default_format"),
    ("socketserver", "socketserver TCPServer allow_reuse_address"),
    ("ssl", "ssl SSLContext ctx check_hostname hostname_checks_common_name keylog_filename maximum_version minimum_version options post_handshake_auth sni_callback sslobject_class sslsocket_class verify_flags verify_mode"),
    ("string", "string Formatter check_unused_args convert_field format format_field get_field get_value parse vformat"),
    ("sys", "sys excepthook stderr stdin stdout"),
    ("threading", "threading Thread daemon name run"),
    ("unittest", "TestCase setUp tearDown setUpClass tearDownClass run skipTest debug failureException longMessage maxDiff subTest mock Mock return_value side_effect MagicMock"),
];

/// Whether vulture counts `bound` as used because of a bundled whitelist,
/// given every name the module's imports bind (vulture scans the whitelist
/// of each imported name, and names read there are used).
pub(crate) fn whitelist_uses<'a>(imported: impl IntoIterator<Item = &'a str>, bound: &str) -> bool {
    imported.into_iter().any(|name| {
        WHITELISTS
            .iter()
            .any(|(m, names)| *m == name && names.split(' ').any(|n| n == bound))
    })
}

/// vulture's default confidence for names.
const NAME_CONFIDENCE: u8 = 60;

/// What kind of definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Function,
    Class,
    Method,
    Property,
    Variable,
    Attribute,
}

/// One definition that may turn out unused.
#[derive(Debug)]
struct Definition<'a> {
    kind: Kind,
    name: &'a str,
    span: Span,
    confidence: u8,
}

/// The family's state during one traversal.
#[derive(Debug, Default)]
pub struct State<'a> {
    definitions: Vec<Definition<'a>>,
    used: HashSet<&'a str>,
    /// Statements that cannot complete normally.
    no_fall_through: HashSet<TextRange>,
}

/// Reports a vulture name finding.
fn report(ch: &mut Checker<'_>, meta: &RuleMeta, span: Span, name: &str, confidence: u8) {
    let kind = meta.name.trim_start_matches("unused-");
    let kind = if kind == "binding" { "variable" } else { kind };
    report_message(
        ch,
        meta,
        span,
        format!("unused {kind} '{name}' ({confidence}% confidence)"),
        confidence,
    );
}

/// Reports a finding with vulture's confidence mapped to [`Confidence`]:
/// 100% is high, 90% medium-high (high), less is medium.
fn report_message(
    ch: &mut Checker<'_>,
    meta: &RuleMeta,
    span: Span,
    message: String,
    confidence: u8,
) {
    let mut f = Finding::from_rule(meta, span, message);
    f.confidence = if confidence >= 90 {
        Confidence::High
    } else {
        Confidence::Medium
    };
    ch.report_finding(f);
}

/// vulture's `_ignore_variable`: `self`, `object`, `_x` (but not `__x`)
/// and special names.
fn ignored_variable(name: &str) -> bool {
    name == "self"
        || name == "object"
        || (name.starts_with('_') && !name.starts_with("__"))
        || is_special(name)
}

fn is_special(name: &str) -> bool {
    name.starts_with("__") && name.ends_with("__")
}

/// vulture's `get_decorator_name`: `@a.b` for `@a.b(...)`.
fn decorator_name(d: &Expr) -> String {
    let d = match d {
        Expr::Call(c) => c.func.as_ref(),
        other => other,
    };
    let mut parts = Vec::new();
    let mut e = d;
    loop {
        match e {
            Expr::Attribute(a) => {
                parts.push(a.attr.as_str());
                e = &a.value;
            }
            Expr::Name(n) => {
                parts.push(n.id.as_str());
                break;
            }
            _ => break,
        }
    }
    parts.reverse();
    format!("@{}", parts.join("."))
}

/// A definition's span, starting at its first decorator (vulture reports
/// decorated definitions there) and ending at its name.
fn definition_span(ch: &Checker<'_>, stmt: &Stmt, decorators: &[Expr]) -> Span {
    let name_range = super::design::def_range(ch, stmt);
    let start = decorators.first().map_or(name_range.start(), |d| {
        // The `@` sits one byte before the decorator expression.
        let s = d.start();
        if s > crate::parse::TextSize::from(0) {
            s - crate::parse::TextSize::from(1)
        } else {
            s
        }
    });
    ch.span(TextRange::new(
        start.min(name_range.end()),
        name_range.end(),
    ))
}

fn define<'a>(ch: &mut Checker<'a>, kind: Kind, name: &'a str, span: Span, confidence: u8) {
    ch.dead_code.definitions.push(Definition {
        kind,
        name,
        span,
        confidence,
    });
}

fn define_arguments<'a>(ch: &mut Checker<'a>, args: &'a ast::Arguments) {
    let all = args
        .posonlyargs
        .iter()
        .chain(&args.args)
        .chain(&args.kwonlyargs)
        .map(|a| &a.def)
        .chain(args.vararg.as_deref())
        .chain(args.kwarg.as_deref());
    for a in all {
        let name = a.arg.as_str();
        if !ignored_variable(name) {
            let start = a.range.start();
            let span = ch.span(TextRange::new(
                start,
                start + crate::parse::TextSize::of(name),
            ));
            define(ch, Kind::Variable, name, span, 100);
        }
    }
}

fn define_function<'a>(
    ch: &mut Checker<'a>,
    stmt: &'a Stmt,
    name: &'a str,
    args: &'a ast::Arguments,
    decorators: &'a [Expr],
) {
    let names: Vec<String> = decorators.iter().map(decorator_name).collect();
    let first = args.args.first().map(|a| a.def.arg.as_str());
    let kind = if names.iter().any(|n| n == "@property") {
        Kind::Property
    } else if names
        .iter()
        .any(|n| n == "@staticmethod" || n == "@classmethod")
        || first == Some("self")
    {
        Kind::Method
    } else {
        Kind::Function
    };
    if !(kind == Kind::Method && is_special(name)) {
        let span = definition_span(ch, stmt, decorators);
        define(ch, kind, name, span, NAME_CONFIDENCE);
    }
    define_arguments(ch, args);
}

/// Called for every statement before its children are walked.
pub(crate) fn enter_stmt<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    match stmt {
        Stmt::FunctionDef(f) => {
            define_function(ch, stmt, f.name.as_str(), &f.args, &f.decorator_list)
        }
        Stmt::AsyncFunctionDef(f) => {
            define_function(ch, stmt, f.name.as_str(), &f.args, &f.decorator_list)
        }
        Stmt::ClassDef(c) => {
            let span = definition_span(ch, stmt, &c.decorator_list);
            define(ch, Kind::Class, c.name.as_str(), span, NAME_CONFIDENCE);
        }
        Stmt::Assign(a) => {
            let all = a
                .targets
                .iter()
                .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == "__all__"));
            if all {
                if let Expr::List(ast::ExprList { elts, .. })
                | Expr::Tuple(ast::ExprTuple { elts, .. }) = a.value.as_ref()
                {
                    for e in elts {
                        if let Expr::Constant(c) = e {
                            if let Constant::Str(s) = &c.value {
                                ch.dead_code.used.insert(s.as_str());
                            }
                        }
                    }
                }
            }
        }
        Stmt::Import(i) => {
            for a in &i.names {
                imported(ch, a);
            }
        }
        Stmt::ImportFrom(i) if i.module.as_ref().map(|m| m.as_str()) != Some("__future__") => {
            for a in &i.names {
                imported(ch, a);
            }
        }
        Stmt::Match(m) => {
            for case in &m.cases {
                class_pattern_attributes(ch, &case.pattern);
            }
        }
        _ => {}
    }
}

/// vulture's `_add_aliases`: `import a as b` uses `a`; an imported module
/// with a bundled whitelist brings the whitelist's names.
fn imported<'a>(ch: &mut Checker<'a>, alias: &'a ast::Alias) {
    let name = alias.name.as_str();
    if alias.asname.is_some() {
        ch.dead_code.used.insert(name);
    }
    if name == "*" {
        return;
    }
    let local = alias
        .asname
        .as_ref()
        .map_or_else(|| name.split('.').next().unwrap_or(name), |a| a.as_str());
    if let Some((_, names)) = WHITELISTS.iter().find(|(m, _)| *m == local) {
        ch.dead_code.used.extend(names.split(' '));
    }
}

fn class_pattern_attributes<'a>(ch: &mut Checker<'a>, p: &'a ast::Pattern) {
    use ast::Pattern as P;
    match p {
        P::MatchClass(c) => {
            ch.dead_code
                .used
                .extend(c.kwd_attrs.iter().map(|a| a.as_str()));
            for p in c.patterns.iter().chain(&c.kwd_patterns) {
                class_pattern_attributes(ch, p);
            }
        }
        P::MatchSequence(s) => s
            .patterns
            .iter()
            .for_each(|p| class_pattern_attributes(ch, p)),
        P::MatchMapping(m) => m
            .patterns
            .iter()
            .for_each(|p| class_pattern_attributes(ch, p)),
        P::MatchAs(a) => {
            if let Some(p) = &a.pattern {
                class_pattern_attributes(ch, p);
            }
        }
        P::MatchOr(o) => o
            .patterns
            .iter()
            .for_each(|p| class_pattern_attributes(ch, p)),
        P::MatchValue(_) | P::MatchSingleton(_) | P::MatchStar(_) => {}
    }
}

/// Called for every statement after its children were walked: vulture's
/// reachability analysis runs bottom-up.
pub(crate) fn leave_stmt<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    if !ch.enabled(&unreachable_code::META) {
        return;
    }
    match stmt {
        Stmt::Break(_) | Stmt::Continue(_) | Stmt::Return(_) | Stmt::Raise(_) => {
            ch.dead_code.no_fall_through.insert(stmt.range());
        }
        Stmt::FunctionDef(f) => {
            statements_fall_through(ch, &f.body);
        }
        Stmt::AsyncFunctionDef(f) => {
            statements_fall_through(ch, &f.body);
        }
        Stmt::With(w) => {
            statements_fall_through(ch, &w.body);
        }
        Stmt::AsyncWith(w) => {
            statements_fall_through(ch, &w.body);
        }
        Stmt::For(f) => {
            statements_fall_through(ch, &f.body);
        }
        Stmt::AsyncFor(f) => {
            statements_fall_through(ch, &f.body);
        }
        Stmt::While(w) => reachability_while(ch, stmt, w),
        Stmt::If(i) => reachability_if(ch, stmt, i),
        Stmt::Try(t) => {
            let body_falls = statements_fall_through(ch, &t.body);
            if !body_falls && !t.orelse.is_empty() {
                report_block(ch, &t.orelse, "unreachable 'else' block");
            }
            // Like vulture's `any(...)`, stop at the first handler that
            // can complete.
            let mut handler_falls = false;
            for h in &t.handlers {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                if statements_fall_through(ch, &h.body) {
                    handler_falls = true;
                    break;
                }
            }
            if !body_falls && !handler_falls {
                ch.dead_code.no_fall_through.insert(stmt.range());
            }
        }
        _ => {}
    }
}

/// Called for every expression before its children are walked.
pub(crate) fn on_expr<'a>(ch: &mut Checker<'a>, expr: &'a Expr) {
    match expr {
        Expr::Name(n) => match n.ctx {
            ExprContext::Load | ExprContext::Del => {
                if n.id.as_str() != "self" && n.id.as_str() != "object" {
                    ch.dead_code.used.insert(n.id.as_str());
                }
            }
            ExprContext::Store => {
                if !ignored_variable(n.id.as_str()) {
                    let span = ch.span(n.range);
                    define(ch, Kind::Variable, n.id.as_str(), span, NAME_CONFIDENCE);
                }
            }
        },
        Expr::Attribute(a) => match a.ctx {
            ExprContext::Store => {
                let span = ch.span(a.range);
                define(ch, Kind::Attribute, a.attr.as_str(), span, NAME_CONFIDENCE);
            }
            ExprContext::Load => {
                ch.dead_code.used.insert(a.attr.as_str());
            }
            ExprContext::Del => {}
        },
        Expr::Call(c) => {
            if let Expr::Name(f) = c.func.as_ref() {
                let n = c.args.len();
                let is_attr_call = (f.id.as_str() == "getattr" && (2..=3).contains(&n))
                    || (f.id.as_str() == "hasattr" && n == 2);
                if is_attr_call {
                    if let Some(Expr::Constant(k)) = c.args.get(1) {
                        if let Constant::Str(s) = &k.value {
                            ch.dead_code.used.insert(s.as_str());
                        }
                    }
                }
            }
        }
        Expr::Lambda(l) => define_arguments(ch, &l.args),
        Expr::IfExp(i) if ch.enabled(&unreachable_code::META) => {
            if always_false(&i.test) {
                let span = ch.span(TextRange::new(i.range.start(), i.body.end()));
                unreachable_code::report(ch, span, "unsatisfiable 'ternary' condition");
            } else if always_true(&i.test) {
                let span = ch.span(i.orelse.range());
                unreachable_code::report(ch, span, "unreachable 'else' expression");
            }
        }
        _ => {}
    }
}

/// Called once after the whole module was walked.
pub(crate) fn finish<'a>(ch: &mut Checker<'a>, suite: &'a [Stmt]) {
    if ch.enabled(&unreachable_code::META) {
        statements_fall_through(ch, suite);
    }
    let definitions = std::mem::take(&mut ch.dead_code.definitions);
    let mut seen: HashSet<(u8, &str, u32)> = HashSet::new();
    for d in definitions {
        if ch.dead_code.used.contains(d.name)
            || ch.config.dead_code.used_names.iter().any(|n| n == d.name)
        {
            continue;
        }
        // vulture keeps a set of items: one per kind, name and line.
        if !seen.insert((d.kind as u8, d.name, d.span.line)) {
            continue;
        }
        let meta = match d.kind {
            Kind::Function => &unused_function::META,
            Kind::Class => &unused_class::META,
            Kind::Method => &unused_method::META,
            Kind::Property => &unused_property::META,
            Kind::Variable => &unused_binding::META,
            Kind::Attribute => &unused_attribute::META,
        };
        if !ch.enabled(meta) {
            continue;
        }
        match d.kind {
            Kind::Function => unused_function::report(ch, d.span, d.name, d.confidence),
            Kind::Class => unused_class::report(ch, d.span, d.name, d.confidence),
            Kind::Method => unused_method::report(ch, d.span, d.name, d.confidence),
            Kind::Property => unused_property::report(ch, d.span, d.name, d.confidence),
            Kind::Variable => unused_binding::report(ch, d.span, d.name, d.confidence),
            Kind::Attribute => unused_attribute::report(ch, d.span, d.name, d.confidence),
        }
    }
}

/// The start of a statement as vulture reports it (its first decorator).
fn statement_start(stmt: &Stmt) -> crate::parse::TextSize {
    let decorators = match stmt {
        Stmt::FunctionDef(f) => &f.decorator_list,
        Stmt::AsyncFunctionDef(f) => &f.decorator_list,
        Stmt::ClassDef(c) => &c.decorator_list,
        _ => return stmt.start(),
    };
    decorators.first().map_or(stmt.start(), |d| {
        let s = d.start();
        let one = crate::parse::TextSize::from(1);
        if s >= one {
            s - one
        } else {
            s
        }
    })
}

fn report_block(ch: &mut Checker<'_>, block: &[Stmt], what: &str) {
    if let (Some(first), Some(last)) = (block.first(), block.last()) {
        let start = statement_start(first);
        let span = ch.span(TextRange::new(start.min(last.end()), last.end()));
        unreachable_code::report(ch, span, what);
    }
}

/// vulture's `_can_fall_through_statements_analysis`: reports what follows
/// the first statement that cannot complete; whether the list completes.
fn statements_fall_through(ch: &mut Checker<'_>, statements: &[Stmt]) -> bool {
    for (i, s) in statements.iter().enumerate() {
        if ch.dead_code.no_fall_through.contains(&s.range()) {
            if let Some(rest) = statements.get(i + 1..).filter(|r| !r.is_empty()) {
                let what = format!("unreachable code after '{}'", statement_kind(s));
                report_block(ch, rest, &what);
            }
            return false;
        }
    }
    true
}

fn statement_kind(s: &Stmt) -> &'static str {
    match s {
        Stmt::Return(_) => "return",
        Stmt::Raise(_) => "raise",
        Stmt::Break(_) => "break",
        Stmt::Continue(_) => "continue",
        Stmt::If(_) => "if",
        Stmt::While(_) => "while",
        Stmt::Try(_) => "try",
        _ => "statement",
    }
}

fn reachability_if<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt, i: &'a ast::StmtIf) {
    let has_else = !i.orelse.is_empty();
    let (if_falls, else_falls) = if always_false(&i.test) {
        let end = i.body.last().map_or(i.range.end(), Ranged::end);
        let span = ch.span(TextRange::new(i.range.start(), end));
        unreachable_code::report(ch, span, "unsatisfiable 'if' condition");
        (true, else_falls_through(ch, &i.orelse, false))
    } else if always_true(&i.test) {
        let if_falls = statements_fall_through(ch, &i.body);
        let else_falls = else_falls_through(ch, &i.orelse, true);
        if has_else {
            report_block(ch, &i.orelse, "unreachable 'else' block");
        } else {
            let span = ch.span(i.range);
            unreachable_code::report(ch, span, "redundant if-condition");
        }
        (if_falls, else_falls)
    } else {
        let if_falls = statements_fall_through(ch, &i.body);
        (if_falls, else_falls_through(ch, &i.orelse, false))
    };
    if !(if_falls || else_falls) {
        ch.dead_code.no_fall_through.insert(stmt.range());
    }
}

fn else_falls_through(ch: &mut Checker<'_>, orelse: &[Stmt], condition_always_true: bool) -> bool {
    if orelse.is_empty() {
        !condition_always_true
    } else {
        statements_fall_through(ch, orelse)
    }
}

fn reachability_while<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt, w: &'a ast::StmtWhile) {
    if always_false(&w.test) {
        let end = w.body.last().map_or(w.range.end(), Ranged::end);
        let span = ch.span(TextRange::new(w.range.start(), end));
        unreachable_code::report(ch, span, "unsatisfiable 'while' condition");
    } else if always_true(&w.test) {
        if !w.orelse.is_empty() {
            report_block(ch, &w.orelse, "unreachable 'else' block");
        }
        if !has_break(&w.body) {
            ch.dead_code.no_fall_through.insert(stmt.range());
        }
    }
    statements_fall_through(ch, &w.body);
}

/// Whether a `break` in `stmts` leaves the loop they belong to (nested
/// loops and scopes not searched).
fn has_break(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Break(_) => true,
        Stmt::While(_)
        | Stmt::For(_)
        | Stmt::AsyncFor(_)
        | Stmt::FunctionDef(_)
        | Stmt::AsyncFunctionDef(_)
        | Stmt::ClassDef(_) => false,
        Stmt::If(i) => has_break(&i.body) || has_break(&i.orelse),
        Stmt::With(w) => has_break(&w.body),
        Stmt::AsyncWith(w) => has_break(&w.body),
        Stmt::Try(t) => {
            has_break(&t.body)
                || t.handlers.iter().any(|h| {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    has_break(&h.body)
                })
                || has_break(&t.orelse)
                || has_break(&t.finalbody)
        }
        Stmt::TryStar(t) => {
            has_break(&t.body)
                || t.handlers.iter().any(|h| {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    has_break(&h.body)
                })
                || has_break(&t.orelse)
                || has_break(&t.finalbody)
        }
        Stmt::Match(m) => m.cases.iter().any(|c| has_break(&c.body)),
        _ => false,
    })
}

/// vulture's `_safe_eval`: the truth of a condition, `default` for any
/// part that is not a literal.
fn safe_eval(e: &Expr, default: bool) -> bool {
    match e {
        Expr::BoolOp(b) => {
            let mut results = b.values.iter().map(|v| safe_eval(v, default));
            match b.op {
                ast::BoolOp::And => results.all(|r| r),
                ast::BoolOp::Or => results.any(|r| r),
            }
        }
        Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::Not) => !safe_eval(&u.operand, !default),
        other => literal_truth(other).unwrap_or(default),
    }
}

/// The truth of an `ast.literal_eval`-able expression.
fn literal_truth(e: &Expr) -> Option<bool> {
    match e {
        Expr::Constant(c) => Some(constant_truth(&c.value)),
        Expr::Tuple(t) => t.elts.iter().all(is_literal).then_some(!t.elts.is_empty()),
        Expr::List(l) => l.elts.iter().all(is_literal).then_some(!l.elts.is_empty()),
        Expr::Set(s) => s.elts.iter().all(is_literal).then_some(!s.elts.is_empty()),
        Expr::Dict(d) => (d.keys.iter().all(|k| k.as_ref().is_some_and(is_literal))
            && d.values.iter().all(is_literal))
        .then_some(!d.values.is_empty()),
        Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::USub | ast::UnaryOp::UAdd) => {
            match u.operand.as_ref() {
                Expr::Constant(c)
                    if matches!(
                        c.value,
                        Constant::Int(_) | Constant::Float(_) | Constant::Complex { .. }
                    ) =>
                {
                    Some(constant_truth(&c.value))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_literal(e: &Expr) -> bool {
    literal_truth(e).is_some()
}

fn constant_truth(c: &Constant) -> bool {
    match c {
        Constant::None => false,
        Constant::Bool(b) => *b,
        Constant::Str(s) => !s.is_empty(),
        Constant::Bytes(b) => !b.is_empty(),
        Constant::Int(i) => i.to_string() != "0",
        Constant::Tuple(t) => !t.is_empty(),
        Constant::Float(f) => *f != 0.0,
        Constant::Complex { real, imag } => *real != 0.0 || *imag != 0.0,
        Constant::Ellipsis => true,
    }
}

fn always_false(test: &Expr) -> bool {
    !safe_eval(test, true)
}

fn always_true(test: &Expr) -> bool {
    safe_eval(test, false)
}

#[cfg(test)]
mod tests {
    use crate::{analyze_source_with, Config};

    fn unused(src: &str, used_names: &[&str]) -> Vec<String> {
        let mut config = Config::default();
        config.dead_code.used_names = used_names.iter().map(|s| (*s).to_owned()).collect();
        analyze_source_with(src, &config)
            .findings
            .into_iter()
            .filter(|f| f.code.starts_with("CQD"))
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn used_names_are_never_reported() {
        let src = "def solve(x):\n    return helper(x)\n\ndef helper(x):\n    return x\n\nclass Box:\n    def put(self, v):\n        self.v = v\n";
        let all = unused(src, &[]);
        assert!(all.iter().any(|m| m.contains("'solve'")), "{all:?}");
        assert!(all.iter().any(|m| m.contains("'Box'")), "{all:?}");
        assert!(all.iter().any(|m| m.contains("'put'")), "{all:?}");
        let declared = unused(src, &["solve", "Box", "put"]);
        assert!(
            declared
                .iter()
                .all(|m| !m.contains("'solve'") && !m.contains("'Box'") && !m.contains("'put'")),
            "{declared:?}"
        );
        // Declaring a name changes nothing else: `v` is still an unused attribute.
        assert_eq!(all.len() - 3, declared.len(), "{all:?} vs {declared:?}");
    }
}
