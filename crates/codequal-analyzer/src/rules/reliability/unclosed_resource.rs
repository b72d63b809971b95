use rustpython_parser::ast::Ranged;

use crate::parse::ast::{Expr, Stmt};
use crate::report::{Characteristic, Severity};
use crate::rules::name_facts::{any_expr, any_stmt, body_has_expr, stmt_exprs};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a resource (file, socket, database connection, URL, process,
/// archive, temporary file) that is opened outside a `with` statement and
/// not closed in a `finally` block: `f = open(p)` with no `f.close()` in a
/// `finally` of the same function (nor `with f:`, nor `return f`, which
/// hands it to the caller), and any opener used inline (`open(p).read()`,
/// `json.load(open(p))`, `for line in open(p):`). An opener stored on an
/// attribute (`self.f = open(p)`) belongs to its object and is not flagged.
///
/// ## Why is this bad?
/// If anything fails before the close, the handle leaks; on other
/// interpreters than CPython even the success path may keep it open
/// (CWE-772).
///
/// ## Example
/// ```python
/// f = open(path)
/// data = f.read()
/// f.close()
/// ```
///
/// ## Use instead
/// ```python
/// with open(path) as f:
///     data = f.read()
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQR004",
    name: "unclosed-resource",
    family: Family::Reliability,
    index: 3,
    characteristic: Characteristic::Reliability,
    cwe: Some(772),
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    summary: "Resource opened without `with` and not closed in `finally`",
};

const OPENERS: &[&str] = &[
    "open",
    "io.open",
    "codecs.open",
    "gzip.open",
    "bz2.open",
    "lzma.open",
    "tarfile.open",
    "shelve.open",
    "os.fdopen",
    "zipfile.ZipFile",
    "socket.socket",
    "socket.create_connection",
    "sqlite3.connect",
    "urllib.request.urlopen",
    "tempfile.TemporaryFile",
    "tempfile.NamedTemporaryFile",
    "subprocess.Popen",
    "ftplib.FTP",
    "smtplib.SMTP",
    "http.client.HTTPConnection",
    "http.client.HTTPSConnection",
];

fn is_opener(ch: &Checker<'_>, e: &Expr) -> Option<String> {
    let Expr::Call(c) = e else { return None };
    let name = ch.call_name(c)?;
    OPENERS.contains(&name.as_str()).then_some(name)
}

const CLOSERS: &[&str] = &["close", "release", "shutdown", "terminate", "kill", "wait"];

/// Any statement: its own expressions (not nested statements).
pub(crate) fn check<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    let exprs = stmt_exprs(stmt);
    if exprs.is_empty()
        || !exprs
            .iter()
            .any(|e| any_expr(e, &|x| is_opener(ch, x).is_some()))
    {
        return;
    }
    // Direct binding to a name or attribute, or direct return.
    let direct: Option<&Expr> = match stmt {
        Stmt::Assign(a) if a.targets.len() == 1 => Some(&a.value),
        Stmt::AnnAssign(a) => a.value.as_deref(),
        Stmt::Return(r) => r.value.as_deref(),
        _ => None,
    };
    if let Some(value) = direct {
        if let Some(name) = is_opener(ch, value) {
            let Expr::Call(call) = value else { return };
            let bound = match stmt {
                Stmt::Assign(a) => Some(&a.targets[0]),
                Stmt::AnnAssign(a) => Some(&*a.target),
                _ => None,
            };
            match bound {
                None | Some(Expr::Attribute(_) | Expr::Subscript(_)) => {}
                Some(Expr::Name(n)) => {
                    if !released(ch, n.id.as_str()) {
                        ch.report(
                            &META,
                            value.range(),
                            format!("`{}` from `{name}(...)` is not closed in a `finally` block; use `with`", n.id),
                        );
                    }
                }
                Some(_) => ch.report(&META, value.range(), META.summary),
            }
            // Openers nested in the arguments are still inline uses.
            for a in call
                .args
                .iter()
                .chain(call.keywords.iter().map(|k| &k.value))
            {
                inline(ch, a);
            }
            return;
        }
    }
    for e in exprs {
        inline(ch, e);
    }
}

fn inline(ch: &mut Checker<'_>, e: &Expr) {
    let mut hits = Vec::new();
    collect(ch, e, &mut hits);
    for (range, name) in hits {
        ch.report(
            &META,
            range,
            format!("`{name}(...)` is used inline and never closed; use `with`"),
        );
    }
}

/// Calls that take ownership of a resource passed to them.
const MANAGERS: &[&str] = &[
    "enter_context",
    "closing",
    "push",
    "callback",
    "enter_async_context",
];

fn collect(ch: &Checker<'_>, e: &Expr, out: &mut Vec<(crate::parse::TextRange, String)>) {
    let managed = std::cell::RefCell::new(Vec::new());
    let _ = any_expr(e, &|x| {
        if let Expr::Call(c) = x {
            let name = match &*c.func {
                Expr::Attribute(a) => a.attr.as_str(),
                Expr::Name(n) => n.id.as_str(),
                _ => "",
            };
            if MANAGERS.contains(&name) {
                managed
                    .borrow_mut()
                    .extend(c.args.iter().map(Ranged::range));
            }
        }
        false
    });
    let managed = managed.into_inner();
    let found = std::cell::RefCell::new(Vec::new());
    let _ = any_expr(e, &|x| {
        if managed.contains(&x.range()) {
            return false;
        }
        if let Some(name) = is_opener(ch, x) {
            found.borrow_mut().push((x.range(), name));
        }
        false
    });
    out.extend(found.into_inner());
}

/// Whether the current function (or module) closes `name` in a `finally`,
/// enters it with `with`, or hands it on (`return name`, `yield name`).
fn released(ch: &Checker<'_>, name: &str) -> bool {
    let body: &[Stmt] = match ch.current_function() {
        Some(Stmt::FunctionDef(f)) => &f.body,
        Some(Stmt::AsyncFunctionDef(f)) => &f.body,
        _ => ch.parsed.suite.as_deref().unwrap_or(&[]),
    };
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == name);
    let closes = |e: &Expr| {
        matches!(e, Expr::Call(c) if matches!(&*c.func, Expr::Attribute(a)
            if CLOSERS.contains(&a.attr.as_str()) && is_name(&a.value)))
    };
    any_stmt(body, true, &|s| match s {
        Stmt::Try(t) => body_has_expr(&t.finalbody, &closes),
        Stmt::TryStar(t) => body_has_expr(&t.finalbody, &closes),
        Stmt::With(w) => w.items.iter().any(|i| any_expr(&i.context_expr, &is_name)),
        Stmt::AsyncWith(w) => w.items.iter().any(|i| any_expr(&i.context_expr, &is_name)),
        Stmt::Return(r) => r.value.as_deref().is_some_and(|v| match v {
            Expr::Tuple(t) => t.elts.iter().any(is_name),
            other => is_name(other),
        }),
        Stmt::Expr(e) => {
            matches!(&*e.value, Expr::Yield(y) if y.value.as_deref().is_some_and(is_name))
        }
        _ => false,
    })
}
