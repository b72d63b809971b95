//! What the rules can tell about local names without type inference: the
//! kind of value a name is bound to in a scope (string, list, set, ...) and
//! the names a loop rebinds or mutates.
//!
//! Both questions are answered by a bounded walk of one scope or one loop
//! (never the whole module) and cached per node by the families that ask.

use std::collections::{HashMap, HashSet};

use crate::parse::ast::{self, Constant, Expr, Operator, Stmt};

/// The kinds of value a binding can hold, as bit flags.
pub(crate) mod kind {
    /// A `str` (literal, f-string, `str()`, string methods, `+` of strings).
    pub const STR: u8 = 1;
    /// A `list` built at run time (list display with non-constant or many
    /// elements, list comprehension, `list()`, `sorted()`, `.split()`).
    pub const LIST: u8 = 2;
    /// A `set` or `frozenset`.
    pub const SET: u8 = 4;
    /// A `dict` (or `defaultdict`, `Counter`, `OrderedDict`).
    pub const DICT: u8 = 8;
    /// A `collections.deque`.
    pub const DEQUE: u8 = 16;
    /// A short list display of constants (cheap to scan).
    pub const SMALL_LIST: u8 = 32;
    /// Anything else (numbers, calls of unknown functions, parameters
    /// without annotations, unpacked targets).
    pub const OTHER: u8 = 128;
}

/// Name -> union of the kinds of every binding of that name in one scope.
pub(crate) type Kinds<'a> = HashMap<&'a str, u8>;

/// Longest list display of constants still considered cheap to scan.
const SMALL_LIST_MAX: usize = 8;

/// Kinds of the names bound in `scope` (a function statement) or, when
/// `scope` is `None`, in the module `suite`. Nested functions and classes
/// are separate scopes and are not entered.
pub(crate) fn scope_kinds<'a>(scope: Option<&'a Stmt>, suite: &'a [Stmt]) -> Kinds<'a> {
    let mut out = Kinds::new();
    let body = match scope {
        Some(Stmt::FunctionDef(f)) => {
            parameter_kinds(&f.args, &mut out);
            &f.body[..]
        }
        Some(Stmt::AsyncFunctionDef(f)) => {
            parameter_kinds(&f.args, &mut out);
            &f.body[..]
        }
        _ => suite,
    };
    bind_body(body, &mut out);
    out
}

fn parameter_kinds<'a>(args: &'a ast::Arguments, out: &mut Kinds<'a>) {
    for a in args
        .posonlyargs
        .iter()
        .chain(&args.args)
        .chain(&args.kwonlyargs)
    {
        // An unannotated parameter tells nothing: its kind comes from the
        // other bindings of the name, if any.
        let k = a.def.annotation.as_deref().map_or(0, annotation_kind);
        *out.entry(a.def.arg.as_str()).or_insert(0) |= k;
    }
}

fn annotation_kind(ann: &Expr) -> u8 {
    let head = match ann {
        Expr::Subscript(s) => &*s.value,
        other => other,
    };
    let name = match head {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        Expr::Constant(c) => match &c.value {
            Constant::Str(s) => s.split('[').next().unwrap_or(""),
            _ => "",
        },
        _ => "",
    };
    match name {
        "list" | "List" => kind::LIST,
        "str" => kind::STR,
        "set" | "Set" | "frozenset" | "FrozenSet" => kind::SET,
        "dict" | "Dict" => kind::DICT,
        "deque" | "Deque" => kind::DEQUE,
        _ => kind::OTHER,
    }
}

fn bind<'a>(target: &'a Expr, k: u8, out: &mut Kinds<'a>) {
    match target {
        Expr::Name(n) => *out.entry(n.id.as_str()).or_insert(0) |= k,
        Expr::Tuple(t) => t.elts.iter().for_each(|e| bind(e, kind::OTHER, out)),
        Expr::List(l) => l.elts.iter().for_each(|e| bind(e, kind::OTHER, out)),
        Expr::Starred(s) => bind(&s.value, kind::OTHER, out),
        _ => {}
    }
}

fn bind_body<'a>(body: &'a [Stmt], out: &mut Kinds<'a>) {
    for s in body {
        bind_stmt(s, out);
    }
}

fn bind_stmt<'a>(stmt: &'a Stmt, out: &mut Kinds<'a>) {
    match stmt {
        Stmt::Assign(a) => {
            let k = expr_kind(&a.value);
            a.targets.iter().for_each(|t| bind(t, k, out));
        }
        Stmt::AnnAssign(a) => {
            let k = a
                .value
                .as_deref()
                .map_or_else(|| annotation_kind(&a.annotation), expr_kind);
            bind(&a.target, k, out);
        }
        Stmt::AugAssign(a) => {
            // `s += "x"` keeps a string a string; anything else tells nothing.
            if let Expr::Name(n) = &*a.target {
                out.entry(n.id.as_str()).or_insert(0);
            }
        }
        Stmt::For(f) => {
            bind(&f.target, kind::OTHER, out);
            bind_body(&f.body, out);
            bind_body(&f.orelse, out);
        }
        Stmt::AsyncFor(f) => {
            bind(&f.target, kind::OTHER, out);
            bind_body(&f.body, out);
            bind_body(&f.orelse, out);
        }
        Stmt::While(w) => {
            bind_body(&w.body, out);
            bind_body(&w.orelse, out);
        }
        Stmt::If(i) => {
            bind_body(&i.body, out);
            bind_body(&i.orelse, out);
        }
        Stmt::With(w) => {
            for item in &w.items {
                if let Some(v) = &item.optional_vars {
                    bind(v, kind::OTHER, out);
                }
            }
            bind_body(&w.body, out);
        }
        Stmt::AsyncWith(w) => {
            for item in &w.items {
                if let Some(v) = &item.optional_vars {
                    bind(v, kind::OTHER, out);
                }
            }
            bind_body(&w.body, out);
        }
        Stmt::Try(t) => {
            bind_body(&t.body, out);
            for h in &t.handlers {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                bind_body(&h.body, out);
            }
            bind_body(&t.orelse, out);
            bind_body(&t.finalbody, out);
        }
        Stmt::TryStar(t) => {
            bind_body(&t.body, out);
            bind_body(&t.orelse, out);
            bind_body(&t.finalbody, out);
        }
        Stmt::Match(m) => m.cases.iter().for_each(|c| bind_body(&c.body, out)),
        Stmt::FunctionDef(f) => bind_name(f.name.as_str(), out),
        Stmt::AsyncFunctionDef(f) => bind_name(f.name.as_str(), out),
        Stmt::ClassDef(c) => bind_name(c.name.as_str(), out),
        Stmt::Import(i) => {
            for a in &i.names {
                let local = a.asname.as_ref().unwrap_or(&a.name).as_str();
                bind_name(local.split('.').next().unwrap_or(local), out);
            }
        }
        Stmt::ImportFrom(i) => {
            for a in &i.names {
                bind_name(a.asname.as_ref().unwrap_or(&a.name).as_str(), out);
            }
        }
        _ => {}
    }
}

fn bind_name<'a>(name: &'a str, out: &mut Kinds<'a>) {
    *out.entry(name).or_insert(0) |= kind::OTHER;
}

/// The kind of value an expression evaluates to, as far as syntax tells.
pub(crate) fn expr_kind(e: &Expr) -> u8 {
    match e {
        Expr::Constant(c) if matches!(c.value, Constant::Str(_)) => kind::STR,
        Expr::JoinedStr(_) => kind::STR,
        Expr::List(l) => {
            if l.elts.len() <= SMALL_LIST_MAX
                && l.elts.iter().all(|e| matches!(e, Expr::Constant(_)))
            {
                if l.elts.is_empty() {
                    kind::LIST
                } else {
                    kind::SMALL_LIST
                }
            } else {
                kind::LIST
            }
        }
        Expr::ListComp(_) => kind::LIST,
        Expr::Set(_) | Expr::SetComp(_) => kind::SET,
        Expr::Dict(_) | Expr::DictComp(_) => kind::DICT,
        Expr::BinOp(b) => match b.op {
            Operator::Add => {
                let l = expr_kind(&b.left);
                let r = expr_kind(&b.right);
                if l == kind::STR || r == kind::STR {
                    kind::STR
                } else if l & (kind::LIST | kind::SMALL_LIST) != 0
                    || r & (kind::LIST | kind::SMALL_LIST) != 0
                {
                    kind::LIST
                } else {
                    kind::OTHER
                }
            }
            Operator::Mod if expr_kind(&b.left) == kind::STR => kind::STR,
            Operator::Mult if matches!(&*b.left, Expr::List(_)) => kind::LIST,
            _ => kind::OTHER,
        },
        Expr::Call(c) => call_kind(c),
        Expr::IfExp(i) => {
            let a = expr_kind(&i.body);
            let b = expr_kind(&i.orelse);
            if a == b {
                a
            } else {
                kind::OTHER
            }
        }
        _ => kind::OTHER,
    }
}

fn call_kind(c: &ast::ExprCall) -> u8 {
    match &*c.func {
        Expr::Name(n) => match n.id.as_str() {
            "str" | "repr" | "format" | "chr" => kind::STR,
            "list" | "sorted" => kind::LIST,
            "set" | "frozenset" => kind::SET,
            "dict" | "defaultdict" | "Counter" | "OrderedDict" => kind::DICT,
            "deque" => kind::DEQUE,
            _ => kind::OTHER,
        },
        Expr::Attribute(a) => match a.attr.as_str() {
            "join" | "format" | "strip" | "lstrip" | "rstrip" | "lower" | "upper" | "title"
            | "replace" | "capitalize" | "casefold" | "zfill" | "ljust" | "rjust" | "center" => {
                kind::STR
            }
            "split" | "splitlines" | "rsplit" | "readlines" => kind::LIST,
            "defaultdict" | "Counter" | "OrderedDict" => kind::DICT,
            "deque" => kind::DEQUE,
            _ => kind::OTHER,
        },
        _ => kind::OTHER,
    }
}

/// Whether every binding of `name` is exactly of kind `k` (no other kind
/// and at least one binding).
pub(crate) fn only(kinds: &Kinds<'_>, name: &str, k: u8) -> bool {
    kinds.get(name).is_some_and(|&v| v != 0 && v & !k == 0)
}

/// Names that a loop may change on each iteration: its target, every name
/// it binds, deletes or augments, every name whose attribute or item it
/// assigns, and every name it calls a method on or passes to a call that
/// is not known to be pure. Nested functions and classes are not entered
/// (their bodies do not run per iteration unless called).
pub(crate) fn loop_changes(stmt: &Stmt) -> HashSet<&str> {
    let mut out = HashSet::new();
    match stmt {
        Stmt::For(f) => {
            target_names(&f.target, &mut out);
            changes_in_body(&f.body, &mut out);
        }
        Stmt::AsyncFor(f) => {
            target_names(&f.target, &mut out);
            changes_in_body(&f.body, &mut out);
        }
        Stmt::While(w) => {
            changes_in_expr(&w.test, &mut out);
            changes_in_body(&w.body, &mut out);
        }
        _ => {}
    }
    out
}

/// The base name of a target or an attribute/subscript chain (`a` for
/// `a.b[c].d`).
pub(crate) fn base_name(e: &Expr) -> Option<&str> {
    match e {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => base_name(&a.value),
        Expr::Subscript(s) => base_name(&s.value),
        Expr::Starred(s) => base_name(&s.value),
        _ => None,
    }
}

fn target_names<'a>(t: &'a Expr, out: &mut HashSet<&'a str>) {
    match t {
        Expr::Tuple(tu) => tu.elts.iter().for_each(|e| target_names(e, out)),
        Expr::List(l) => l.elts.iter().for_each(|e| target_names(e, out)),
        other => {
            if let Some(n) = base_name(other) {
                out.insert(n);
            }
        }
    }
}

/// Functions whose call does not change their arguments.
pub(crate) const PURE_BUILTINS: &[&str] = &[
    "len",
    "sorted",
    "sum",
    "min",
    "max",
    "set",
    "frozenset",
    "list",
    "tuple",
    "dict",
    "str",
    "repr",
    "int",
    "float",
    "bool",
    "abs",
    "round",
    "print",
    "isinstance",
    "range",
    "enumerate",
    "zip",
    "reversed",
    "any",
    "all",
    "hash",
    "id",
    "type",
    "divmod",
    "pow",
    "ord",
    "chr",
    "format",
    "open",
];

fn changes_in_body<'a>(body: &'a [Stmt], out: &mut HashSet<&'a str>) {
    for s in body {
        changes_in_stmt(s, out);
    }
}

fn changes_in_stmt<'a>(s: &'a Stmt, out: &mut HashSet<&'a str>) {
    match s {
        Stmt::Assign(a) => {
            a.targets.iter().for_each(|t| target_names(t, out));
            changes_in_expr(&a.value, out);
        }
        Stmt::AnnAssign(a) => {
            target_names(&a.target, out);
            if let Some(v) = &a.value {
                changes_in_expr(v, out);
            }
        }
        Stmt::AugAssign(a) => {
            target_names(&a.target, out);
            changes_in_expr(&a.value, out);
        }
        Stmt::Delete(d) => d.targets.iter().for_each(|t| target_names(t, out)),
        Stmt::For(f) => {
            target_names(&f.target, out);
            changes_in_expr(&f.iter, out);
            changes_in_body(&f.body, out);
            changes_in_body(&f.orelse, out);
        }
        Stmt::AsyncFor(f) => {
            target_names(&f.target, out);
            changes_in_expr(&f.iter, out);
            changes_in_body(&f.body, out);
            changes_in_body(&f.orelse, out);
        }
        Stmt::While(w) => {
            changes_in_expr(&w.test, out);
            changes_in_body(&w.body, out);
            changes_in_body(&w.orelse, out);
        }
        Stmt::If(i) => {
            changes_in_expr(&i.test, out);
            changes_in_body(&i.body, out);
            changes_in_body(&i.orelse, out);
        }
        Stmt::With(w) => {
            for item in &w.items {
                changes_in_expr(&item.context_expr, out);
                if let Some(v) = &item.optional_vars {
                    target_names(v, out);
                }
            }
            changes_in_body(&w.body, out);
        }
        Stmt::AsyncWith(w) => {
            for item in &w.items {
                changes_in_expr(&item.context_expr, out);
                if let Some(v) = &item.optional_vars {
                    target_names(v, out);
                }
            }
            changes_in_body(&w.body, out);
        }
        Stmt::Try(t) => {
            changes_in_body(&t.body, out);
            for h in &t.handlers {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                if let Some(n) = &h.name {
                    out.insert(n.as_str());
                }
                changes_in_body(&h.body, out);
            }
            changes_in_body(&t.orelse, out);
            changes_in_body(&t.finalbody, out);
        }
        Stmt::TryStar(t) => {
            changes_in_body(&t.body, out);
            changes_in_body(&t.orelse, out);
            changes_in_body(&t.finalbody, out);
        }
        Stmt::Match(m) => {
            changes_in_expr(&m.subject, out);
            m.cases.iter().for_each(|c| changes_in_body(&c.body, out));
        }
        Stmt::Expr(e) => changes_in_expr(&e.value, out),
        Stmt::Return(r) => {
            if let Some(v) = &r.value {
                changes_in_expr(v, out);
            }
        }
        Stmt::Global(g) => g.names.iter().for_each(|n| {
            out.insert(n.as_str());
        }),
        Stmt::Nonlocal(g) => g.names.iter().for_each(|n| {
            out.insert(n.as_str());
        }),
        Stmt::FunctionDef(f) => {
            out.insert(f.name.as_str());
        }
        Stmt::AsyncFunctionDef(f) => {
            out.insert(f.name.as_str());
        }
        Stmt::ClassDef(c) => {
            out.insert(c.name.as_str());
        }
        _ => {}
    }
}

/// Records the names an expression may change: walrus targets, receivers of
/// method calls and arguments of calls to anything not known to be pure.
pub(crate) fn changes_in_expr<'a>(e: &'a Expr, out: &mut HashSet<&'a str>) {
    match e {
        Expr::NamedExpr(n) => {
            target_names(&n.target, out);
            changes_in_expr(&n.value, out);
        }
        Expr::Call(c) => {
            let pure = matches!(&*c.func, Expr::Name(n) if PURE_BUILTINS.contains(&n.id.as_str()));
            if let Expr::Attribute(a) = &*c.func {
                if let Some(n) = base_name(&a.value) {
                    out.insert(n);
                }
            }
            if !pure {
                for a in c.args.iter().chain(c.keywords.iter().map(|k| &k.value)) {
                    if let Some(n) = base_name(a) {
                        out.insert(n);
                    }
                }
            }
            changes_in_expr(&c.func, out);
            c.args.iter().for_each(|a| changes_in_expr(a, out));
            c.keywords
                .iter()
                .for_each(|k| changes_in_expr(&k.value, out));
        }
        Expr::BoolOp(b) => b.values.iter().for_each(|v| changes_in_expr(v, out)),
        Expr::BinOp(b) => {
            changes_in_expr(&b.left, out);
            changes_in_expr(&b.right, out);
        }
        Expr::UnaryOp(u) => changes_in_expr(&u.operand, out),
        Expr::IfExp(i) => {
            changes_in_expr(&i.test, out);
            changes_in_expr(&i.body, out);
            changes_in_expr(&i.orelse, out);
        }
        Expr::Compare(c) => {
            changes_in_expr(&c.left, out);
            c.comparators.iter().for_each(|v| changes_in_expr(v, out));
        }
        Expr::Attribute(a) => changes_in_expr(&a.value, out),
        Expr::Subscript(s) => {
            changes_in_expr(&s.value, out);
            changes_in_expr(&s.slice, out);
        }
        Expr::List(l) => l.elts.iter().for_each(|v| changes_in_expr(v, out)),
        Expr::Tuple(l) => l.elts.iter().for_each(|v| changes_in_expr(v, out)),
        Expr::Set(l) => l.elts.iter().for_each(|v| changes_in_expr(v, out)),
        Expr::Dict(d) => {
            d.keys
                .iter()
                .flatten()
                .for_each(|v| changes_in_expr(v, out));
            d.values.iter().for_each(|v| changes_in_expr(v, out));
        }
        Expr::ListComp(c) => comp_changes(&c.generators, &[&c.elt], out),
        Expr::SetComp(c) => comp_changes(&c.generators, &[&c.elt], out),
        Expr::GeneratorExp(c) => comp_changes(&c.generators, &[&c.elt], out),
        Expr::DictComp(c) => comp_changes(&c.generators, &[&c.key, &c.value], out),
        Expr::Await(a) => changes_in_expr(&a.value, out),
        Expr::Yield(y) => {
            if let Some(v) = &y.value {
                changes_in_expr(v, out);
            }
        }
        Expr::YieldFrom(y) => changes_in_expr(&y.value, out),
        Expr::Starred(s) => changes_in_expr(&s.value, out),
        Expr::JoinedStr(j) => j.values.iter().for_each(|v| changes_in_expr(v, out)),
        Expr::FormattedValue(f) => changes_in_expr(&f.value, out),
        _ => {}
    }
}

fn comp_changes<'a>(gens: &'a [ast::Comprehension], elts: &[&'a Expr], out: &mut HashSet<&'a str>) {
    for g in gens {
        changes_in_expr(&g.iter, out);
        g.ifs.iter().for_each(|i| changes_in_expr(i, out));
    }
    elts.iter().for_each(|e| changes_in_expr(e, out));
}

/// Whether a statement list contains (outside nested functions, classes
/// and, when `loops_too`, nested loops) a statement matching `pred`.
pub(crate) fn any_stmt<'a>(
    body: &'a [Stmt],
    loops_too: bool,
    pred: &dyn Fn(&'a Stmt) -> bool,
) -> bool {
    body.iter().any(|s| {
        if pred(s) {
            return true;
        }
        match s {
            Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) | Stmt::ClassDef(_) => false,
            Stmt::For(f) => {
                loops_too && (any_stmt(&f.body, loops_too, pred))
                    || any_stmt(&f.orelse, loops_too, pred)
            }
            Stmt::AsyncFor(f) => {
                loops_too && (any_stmt(&f.body, loops_too, pred))
                    || any_stmt(&f.orelse, loops_too, pred)
            }
            Stmt::While(w) => {
                loops_too && (any_stmt(&w.body, loops_too, pred))
                    || any_stmt(&w.orelse, loops_too, pred)
            }
            Stmt::If(i) => {
                any_stmt(&i.body, loops_too, pred) || any_stmt(&i.orelse, loops_too, pred)
            }
            Stmt::With(w) => any_stmt(&w.body, loops_too, pred),
            Stmt::AsyncWith(w) => any_stmt(&w.body, loops_too, pred),
            Stmt::Try(t) => {
                any_stmt(&t.body, loops_too, pred)
                    || t.handlers.iter().any(|h| {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        any_stmt(&h.body, loops_too, pred)
                    })
                    || any_stmt(&t.orelse, loops_too, pred)
                    || any_stmt(&t.finalbody, loops_too, pred)
            }
            Stmt::TryStar(t) => {
                any_stmt(&t.body, loops_too, pred)
                    || any_stmt(&t.orelse, loops_too, pred)
                    || any_stmt(&t.finalbody, loops_too, pred)
            }
            Stmt::Match(m) => m.cases.iter().any(|c| any_stmt(&c.body, loops_too, pred)),
            _ => false,
        }
    })
}

/// Whether an expression contains (outside lambdas) a sub-expression
/// matching `pred`.
pub(crate) fn any_expr<'a>(e: &'a Expr, pred: &dyn Fn(&'a Expr) -> bool) -> bool {
    if pred(e) {
        return true;
    }
    let any = |v: &'a [Expr]| v.iter().any(|x| any_expr(x, pred));
    match e {
        Expr::BoolOp(b) => any(&b.values),
        Expr::NamedExpr(n) => any_expr(&n.value, pred),
        Expr::BinOp(b) => any_expr(&b.left, pred) || any_expr(&b.right, pred),
        Expr::UnaryOp(u) => any_expr(&u.operand, pred),
        Expr::IfExp(i) => {
            any_expr(&i.test, pred) || any_expr(&i.body, pred) || any_expr(&i.orelse, pred)
        }
        Expr::Call(c) => {
            any_expr(&c.func, pred)
                || any(&c.args)
                || c.keywords.iter().any(|k| any_expr(&k.value, pred))
        }
        Expr::Compare(c) => any_expr(&c.left, pred) || any(&c.comparators),
        Expr::Attribute(a) => any_expr(&a.value, pred),
        Expr::Subscript(s) => any_expr(&s.value, pred) || any_expr(&s.slice, pred),
        Expr::List(l) => any(&l.elts),
        Expr::Tuple(l) => any(&l.elts),
        Expr::Set(l) => any(&l.elts),
        Expr::Dict(d) => d.keys.iter().flatten().any(|k| any_expr(k, pred)) || any(&d.values),
        Expr::Await(a) => any_expr(&a.value, pred),
        Expr::Yield(y) => y.value.as_deref().is_some_and(|v| any_expr(v, pred)),
        Expr::YieldFrom(y) => any_expr(&y.value, pred),
        Expr::Starred(s) => any_expr(&s.value, pred),
        Expr::JoinedStr(j) => any(&j.values),
        Expr::FormattedValue(f) => any_expr(&f.value, pred),
        Expr::ListComp(c) => {
            any_expr(&c.elt, pred)
                || c.generators
                    .iter()
                    .any(|g| any_expr(&g.iter, pred) || any(&g.ifs))
        }
        Expr::SetComp(c) => {
            any_expr(&c.elt, pred)
                || c.generators
                    .iter()
                    .any(|g| any_expr(&g.iter, pred) || any(&g.ifs))
        }
        Expr::GeneratorExp(c) => {
            any_expr(&c.elt, pred)
                || c.generators
                    .iter()
                    .any(|g| any_expr(&g.iter, pred) || any(&g.ifs))
        }
        Expr::DictComp(c) => {
            any_expr(&c.key, pred)
                || any_expr(&c.value, pred)
                || c.generators
                    .iter()
                    .any(|g| any_expr(&g.iter, pred) || any(&g.ifs))
        }
        _ => false,
    }
}

/// Every expression directly held by a statement (not by its nested
/// statements).
pub(crate) fn stmt_exprs(s: &Stmt) -> Vec<&Expr> {
    match s {
        Stmt::Expr(e) => vec![&*e.value],
        Stmt::Assign(a) => std::iter::once(&*a.value).chain(a.targets.iter()).collect(),
        Stmt::AugAssign(a) => vec![&*a.value, &*a.target],
        Stmt::AnnAssign(a) => a.value.as_deref().into_iter().collect(),
        Stmt::Return(r) => r.value.as_deref().into_iter().collect(),
        Stmt::If(i) => vec![&*i.test],
        Stmt::While(w) => vec![&*w.test],
        Stmt::For(f) => vec![&*f.iter],
        Stmt::AsyncFor(f) => vec![&*f.iter],
        Stmt::Raise(r) => r
            .exc
            .as_deref()
            .into_iter()
            .chain(r.cause.as_deref())
            .collect(),
        Stmt::Assert(a) => vec![&*a.test],
        Stmt::Match(m) => vec![&*m.subject],
        Stmt::Delete(d) => d.targets.iter().collect(),
        _ => Vec::new(),
    }
}

/// Whether any statement (outside nested functions and classes) in the
/// bodies contains an expression matching `pred`.
pub(crate) fn body_has_expr<'a>(body: &'a [Stmt], pred: &dyn Fn(&'a Expr) -> bool) -> bool {
    any_stmt(body, true, &|s| {
        stmt_exprs(s).into_iter().any(|e| any_expr(e, pred))
            || match s {
                Stmt::With(w) => w.items.iter().any(|i| any_expr(&i.context_expr, pred)),
                Stmt::AsyncWith(w) => w.items.iter().any(|i| any_expr(&i.context_expr, pred)),
                _ => false,
            }
    })
}
