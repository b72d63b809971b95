//! Templates and markup: Jinja2 without autoescape (B701), Mako (B702) and
//! `Markup` on non-literals (B704).

use std::collections::VecDeque;

use rustpython_parser::ast::Ranged;

use super::{emit, emit_default, meta, CallSite};
use crate::parse::ast::{self, Constant, Expr};
use crate::report::Severity;
use crate::rules::{Checker, Confidence, RuleMeta};

/// ## What it does
/// Flags `jinja2.Environment` without `autoescape=True` or
/// `select_autoescape(...)` (bandit B701).
///
/// ## Why is this bad?
/// Without escaping, data rendered into HTML can carry scripts (XSS).
///
/// ## Example
/// ```python
/// env = jinja2.Environment(loader=loader)
/// ```
///
/// ## Use instead
/// ```python
/// env = jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape())
/// ```
pub(crate) const JINJA2_AUTOESCAPE: RuleMeta = meta(
    "B701",
    "jinja2-autoescape-false",
    71,
    94,
    Severity::High,
    Confidence::High,
    "Using jinja2 templates with autoescape=False is dangerous and can lead to XSS.",
);

/// ## What it does
/// Flags `mako.template.Template` (bandit B702).
///
/// ## Why is this bad?
/// Mako does not escape by default (XSS).
///
/// ## Example
/// ```python
/// Template(text).render(name=name)
/// ```
///
/// ## Use instead
/// ```python
/// Template(text, default_filters=["h"]).render(name=name)
/// ```
pub(crate) const MAKO_TEMPLATES: RuleMeta = meta(
    "B702",
    "use-of-mako-templates",
    72,
    80,
    Severity::Medium,
    Confidence::High,
    "Mako templates allow HTML/JS rendering by default and are inherently open to XSS attacks. Ensure variables in all templates are properly sanitized via the 'n', 'h' or 'x' flags (depending on context). For example, to HTML escape the variable 'data' do ${ data |h }.",
);

/// ## What it does
/// Flags `markupsafe.Markup` / `flask.Markup` on anything but a literal
/// (bandit B704).
///
/// ## Why is this bad?
/// `Markup` marks its argument as already-safe HTML (XSS).
///
/// ## Example
/// ```python
/// Markup(f"<b>{name}</b>")
/// ```
///
/// ## Use instead
/// ```python
/// Markup("<b>{}</b>").format(name)
/// ```
pub(crate) const MARKUPSAFE_XSS: RuleMeta = meta(
    "B704",
    "markupsafe-markup-xss",
    74,
    79,
    Severity::Medium,
    Confidence::High,
    "Potential XSS with Markup detected.",
);

/// Checks a call whose last name is interesting.
pub(crate) fn check(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    let range = site.expr.range();
    match site.name.as_ref() {
        "Environment" if site.has_part("jinja2") => check_jinja2(ch, site),
        "Template" if site.has_part("mako") => {
            emit_default(ch, &MAKO_TEMPLATES, MAKO_TEMPLATES.summary, range, None);
        }
        "Markup"
            if matches!(site.qual.as_str(), "markupsafe.Markup" | "flask.Markup")
                && site
                    .call
                    .args
                    .first()
                    .is_some_and(|a| !matches!(a, Expr::Constant(_))) =>
        {
            emit_default(
                ch,
                &MARKUPSAFE_XSS,
                format!(
                    "Potential XSS with ``{}`` detected. Do not use ``{}`` on untrusted data.",
                    site.qual, site.name
                ),
                range,
                None,
            );
        }
        _ => {}
    }
}

enum Node<'a> {
    Expr(&'a Expr),
    Keyword(&'a ast::Keyword),
}

fn check_jinja2(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    let range = site.expr.range();
    // bandit walks the call with `ast.walk` (breadth first) and decides on
    // the first `autoescape=` keyword it meets.
    let mut queue = VecDeque::from([Node::Expr(site.expr)]);
    while let Some(node) = queue.pop_front() {
        match node {
            Node::Keyword(k) => {
                if k.arg.as_ref().is_some_and(|a| a.as_str() == "autoescape") {
                    let value = &k.value;
                    let is = |b: bool| match value {
                        Expr::Name(n) => n.id.as_str() == if b { "True" } else { "False" },
                        Expr::Constant(c) => c.value == Constant::Bool(b),
                        _ => false,
                    };
                    if is(false) {
                        emit_default(ch, &JINJA2_AUTOESCAPE, "Using jinja2 templates with autoescape=False is dangerous and can lead to XSS. Use autoescape=True or use the select_autoescape function to mitigate XSS vulnerabilities.", range, None);
                        return;
                    }
                    if is(true) {
                        return;
                    }
                    if let Expr::Call(c) = value {
                        let name = match c.func.as_ref() {
                            Expr::Attribute(a) => a.attr.as_str(),
                            Expr::Name(n) => n.id.as_str(),
                            _ => "",
                        };
                        if name == "select_autoescape" {
                            return;
                        }
                    }
                    emit(ch, &JINJA2_AUTOESCAPE, (Severity::High, Confidence::Medium), "Using jinja2 templates with autoescape=False is dangerous and can lead to XSS. Ensure autoescape=True or use the select_autoescape function to mitigate XSS vulnerabilities.", range, None);
                    return;
                }
                queue.push_back(Node::Expr(&k.value));
            }
            Node::Expr(e) => children(e, &mut |n| queue.push_back(n)),
        }
    }
    emit_default(ch, &JINJA2_AUTOESCAPE, "By default, jinja2 sets autoescape to False. Consider using autoescape=True or use the select_autoescape function to mitigate XSS vulnerabilities.", range, None);
}

/// Direct children of an expression, in `ast` field order.
fn children<'a>(e: &'a Expr, f: &mut impl FnMut(Node<'a>)) {
    let mut x = |e: &'a Expr| f(Node::Expr(e));
    match e {
        Expr::BoolOp(b) => b.values.iter().for_each(x),
        Expr::NamedExpr(n) => {
            x(&n.target);
            x(&n.value);
        }
        Expr::BinOp(b) => {
            x(&b.left);
            x(&b.right);
        }
        Expr::UnaryOp(u) => x(&u.operand),
        Expr::Lambda(l) => x(&l.body),
        Expr::IfExp(i) => {
            x(&i.test);
            x(&i.body);
            x(&i.orelse);
        }
        Expr::Dict(d) => {
            d.keys.iter().flatten().for_each(&mut x);
            d.values.iter().for_each(x);
        }
        Expr::Set(s) => s.elts.iter().for_each(x),
        Expr::ListComp(c) => {
            x(&c.elt);
            comprehension(&c.generators, &mut x);
        }
        Expr::SetComp(c) => {
            x(&c.elt);
            comprehension(&c.generators, &mut x);
        }
        Expr::GeneratorExp(c) => {
            x(&c.elt);
            comprehension(&c.generators, &mut x);
        }
        Expr::DictComp(c) => {
            x(&c.key);
            x(&c.value);
            comprehension(&c.generators, &mut x);
        }
        Expr::Await(a) => x(&a.value),
        Expr::Yield(y) => y.value.iter().for_each(|v| x(v)),
        Expr::YieldFrom(y) => x(&y.value),
        Expr::Compare(c) => {
            x(&c.left);
            c.comparators.iter().for_each(x);
        }
        Expr::Call(c) => {
            f(Node::Expr(&c.func));
            c.args.iter().for_each(|a| f(Node::Expr(a)));
            c.keywords.iter().for_each(|k| f(Node::Keyword(k)));
        }
        Expr::FormattedValue(v) => {
            x(&v.value);
            v.format_spec.iter().for_each(|s| x(s));
        }
        Expr::JoinedStr(j) => j.values.iter().for_each(x),
        Expr::Attribute(a) => x(&a.value),
        Expr::Subscript(s) => {
            x(&s.value);
            x(&s.slice);
        }
        Expr::Starred(s) => x(&s.value),
        Expr::List(l) => l.elts.iter().for_each(x),
        Expr::Tuple(t) => t.elts.iter().for_each(x),
        Expr::Slice(s) => {
            s.lower.iter().for_each(|v| x(v));
            s.upper.iter().for_each(|v| x(v));
            s.step.iter().for_each(|v| x(v));
        }
        Expr::Constant(_) | Expr::Name(_) => {}
    }
}

fn comprehension<'a>(gens: &'a [ast::Comprehension], x: &mut impl FnMut(&'a Expr)) {
    for g in gens {
        x(&g.target);
        x(&g.iter);
        g.ifs.iter().for_each(&mut *x);
    }
}
