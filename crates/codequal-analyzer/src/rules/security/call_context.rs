//! What bandit's `Context` tells its tests about a call, computed the same
//! way (`bandit/core/context.py`, `bandit/core/utils.py`).
//!
//! bandit resolves a callee through the aliases of the imports seen so far
//! ([`crate::rules::checker::ImportsSoFar`]); an attribute chain on anything
//! but a name (`f().x`) contributes an empty head, so `f().extractall` is
//! `.extractall`. Argument values are "literal values": constants, names (by
//! their id), attributes (by their last name), and lists/tuples/sets of
//! those; anything else is unknown.

use std::borrow::Cow;

use crate::parse::ast::{self, Constant, Expr};
use crate::rules::Checker;

/// A value as bandit's `_get_literal_value` (or the attribute shortcut in
/// front of it) sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit<'a> {
    /// Python `None`: not a literal bandit understands (calls, operators,
    /// subscripts) or a missing argument.
    Unknown,
    /// A string: a `str` constant, `"True"`/`"False"`/`"None"` for those
    /// constants, a name's id or an attribute's last name.
    Str(&'a str),
    /// An integer constant that fits.
    Int(i128),
    /// A float constant.
    Float(f64),
    /// Any other constant (bytes, complex, ellipsis, huge ints, dicts): only
    /// its truthiness matters to the tests.
    Other(bool),
    /// A list literal.
    List(Vec<Lit<'a>>),
    /// A tuple or set literal.
    Tuple(Vec<Lit<'a>>),
}

impl<'a> Lit<'a> {
    /// Python truthiness (for bandit's `a or b` chains).
    pub(crate) fn truthy(&self) -> bool {
        match self {
            Lit::Unknown => false,
            Lit::Str(s) => !s.is_empty(),
            Lit::Int(i) => *i != 0,
            Lit::Float(f) => *f != 0.0,
            Lit::Other(b) => *b,
            Lit::List(v) | Lit::Tuple(v) => !v.is_empty(),
        }
    }

    /// The string, if it is one.
    pub(crate) fn as_str(&self) -> Option<&'a str> {
        match self {
            Lit::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is the string `s`.
    pub(crate) fn is(&self, s: &str) -> bool {
        self.as_str() == Some(s)
    }

    /// Python `str()` of the value, for messages.
    pub(crate) fn py_str(&self) -> String {
        match self {
            Lit::Unknown => "None".to_owned(),
            Lit::Str(s) => (*s).to_owned(),
            Lit::Int(i) => i.to_string(),
            Lit::Float(f) => py_float(*f),
            Lit::Other(_) => "...".to_owned(),
            Lit::List(v) => format!(
                "[{}]",
                v.iter().map(Lit::py_repr).collect::<Vec<_>>().join(", ")
            ),
            Lit::Tuple(v) if v.len() == 1 => format!("({},)", v[0].py_repr()),
            Lit::Tuple(v) => format!(
                "({})",
                v.iter().map(Lit::py_repr).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    fn py_repr(&self) -> String {
        match self {
            Lit::Str(s) => format!("'{s}'"),
            other => other.py_str(),
        }
    }
}

/// Python's `str()` of a float (close enough for messages).
pub(crate) fn py_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        f.to_string()
    }
}

/// bandit's `_get_literal_value`.
pub(crate) fn literal(e: &Expr) -> Lit<'_> {
    match e {
        Expr::Constant(c) => constant(&c.value),
        Expr::List(l) => Lit::List(l.elts.iter().map(literal).collect()),
        Expr::Tuple(t) => Lit::Tuple(t.elts.iter().map(literal).collect()),
        Expr::Set(s) => Lit::Tuple(s.elts.iter().map(literal).collect()),
        Expr::Dict(d) => Lit::Other(!d.keys.is_empty()),
        Expr::Name(n) => Lit::Str(n.id.as_str()),
        _ => Lit::Unknown,
    }
}

fn constant(c: &Constant) -> Lit<'_> {
    match c {
        Constant::None => Lit::Str("None"),
        Constant::Bool(true) => Lit::Str("True"),
        Constant::Bool(false) => Lit::Str("False"),
        Constant::Str(s) => Lit::Str(s),
        Constant::Int(i) => i
            .to_string()
            .parse::<i128>()
            .map_or(Lit::Other(true), Lit::Int),
        Constant::Float(f) => Lit::Float(*f),
        Constant::Bytes(b) => Lit::Other(!b.is_empty()),
        Constant::Complex { real, imag } => Lit::Other(*real != 0.0 || *imag != 0.0),
        Constant::Tuple(t) => Lit::Other(!t.is_empty()),
        Constant::Ellipsis => Lit::Other(true),
    }
}

/// An attribute's last name, else the literal value (bandit's
/// `call_args` / `call_keywords` element).
pub(crate) fn attr_or_literal(e: &Expr) -> Lit<'_> {
    match e {
        Expr::Attribute(a) => Lit::Str(a.attr.as_str()),
        _ => literal(e),
    }
}

/// The value of keyword argument `name` (bandit's `get_call_arg_value`):
/// `Unknown` when absent.
pub(crate) fn kw_value<'a>(call: &'a ast::ExprCall, name: &str) -> Lit<'a> {
    keyword(call, name).map_or(Lit::Unknown, |k| attr_or_literal(&k.value))
}

/// The keyword argument `name`, if given.
pub(crate) fn keyword<'a>(call: &'a ast::ExprCall, name: &str) -> Option<&'a ast::Keyword> {
    call.keywords
        .iter()
        .rev()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
}

/// Whether keyword argument `name` is given.
pub(crate) fn has_kw(call: &ast::ExprCall, name: &str) -> bool {
    keyword(call, name).is_some()
}

/// Positional argument `i` (bandit's `get_call_arg_at_position`: the
/// attribute's name when truthy, else the literal value).
pub(crate) fn arg_at(call: &ast::ExprCall, i: usize) -> Lit<'_> {
    call.args.get(i).map_or(Lit::Unknown, attr_or_literal)
}

/// Whether `e` is a `str` constant.
pub(crate) fn is_str(e: &Expr) -> bool {
    matches!(e, Expr::Constant(c) if matches!(c.value, Constant::Str(_)))
}

/// The `str` constant's value.
pub(crate) fn str_value(e: &Expr) -> Option<&str> {
    match e {
        Expr::Constant(c) => match &c.value {
            Constant::Str(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// The last part of a call's qualified name without building it (bandit's
/// `call_function_name`); allocates only for a name bound by an import alias.
pub(crate) fn last_name<'a>(ch: &Checker<'a>, call: &'a ast::ExprCall) -> Cow<'a, str> {
    match call.func.as_ref() {
        Expr::Attribute(a) => Cow::Borrowed(a.attr.as_str()),
        Expr::Name(n) => match ch.imports_so_far.aliases.get(n.id.as_str()) {
            Some(full) => Cow::Owned(full.rsplit('.').next().unwrap_or(full).to_owned()),
            None => Cow::Borrowed(n.id.as_str()),
        },
        _ => Cow::Borrowed(""),
    }
}

/// bandit's `get_call_name`: the callee's dotted name through the import
/// aliases seen so far; `""` when the callee is not a name or attribute.
pub(crate) fn qualname(ch: &Checker<'_>, call: &ast::ExprCall) -> String {
    let mut out = String::new();
    match call.func.as_ref() {
        Expr::Name(n) => out.push_str(resolve(ch, n.id.as_str())),
        Expr::Attribute(_) => attr_qual_name(ch, &call.func, &mut out),
        _ => {}
    }
    out
}

fn resolve<'s>(ch: &'s Checker<'_>, id: &'s str) -> &'s str {
    ch.imports_so_far.aliases.get(id).map_or(id, String::as_str)
}

fn attr_qual_name(ch: &Checker<'_>, e: &Expr, out: &mut String) {
    match e {
        Expr::Name(n) => out.push_str(resolve(ch, n.id.as_str())),
        Expr::Attribute(a) => {
            attr_qual_name(ch, &a.value, out);
            out.push('.');
            out.push_str(a.attr.as_str());
        }
        _ => {}
    }
}
