//! Hard-coded values: binding to all interfaces (B104), passwords (B105
//! strings, B106 keyword arguments, B107 parameter defaults) and temporary
//! directories (B108).
//!
//! bandit's password pattern is `(^W$|_W_|^W_|_W$)` over a name, case
//! insensitive, with `W = pas+wo?r?d|pass(phrase)?|pwd|token|secrete?`.
//! `W` has no underscore, so the pattern holds exactly when one of the
//! name's `_`-separated segments is a `W`.

use rustpython_parser::ast::Ranged;

use super::call_context::{str_value, Lit};
use super::{emit_default, emit_in, line_of, meta, CallSite};
use crate::parse::ast::{self, Constant, Expr, Stmt};
use crate::report::Severity;
use crate::rules::checker::Ancestor;
use crate::rules::{Checker, Confidence, RuleMeta};

/// ## What it does
/// Flags the string `"0.0.0.0"` (bandit B104).
///
/// ## Why is this bad?
/// A server bound to every interface is reachable from every network the
/// host is on.
///
/// ## Example
/// ```python
/// sock.bind(("0.0.0.0", 8080))
/// ```
///
/// ## Use instead
/// ```python
/// sock.bind(("127.0.0.1", 8080))
/// ```
pub(crate) const BIND_ALL_INTERFACES: RuleMeta = meta(
    "B104",
    "hardcoded-bind-all-interfaces",
    3,
    605,
    Severity::Medium,
    Confidence::Medium,
    "Possible binding to all interfaces.",
);

/// ## What it does
/// Flags string literals assigned to, compared with or stored under a
/// password-like name (bandit B105).
///
/// ## Why is this bad?
/// Secrets in source code end up in version control and in every copy of
/// the program.
///
/// ## Example
/// ```python
/// password = "hunter2"
/// ```
///
/// ## Use instead
/// ```python
/// password = os.environ["APP_PASSWORD"]
/// ```
pub(crate) const PASSWORD_STRING: RuleMeta = meta(
    "B105",
    "hardcoded-password-string",
    4,
    259,
    Severity::Low,
    Confidence::Medium,
    "Possible hardcoded password",
);

/// ## What it does
/// Flags string literals passed as password-like keyword arguments
/// (bandit B106).
///
/// ## Why is this bad?
/// See B105.
///
/// ## Example
/// ```python
/// connect(user="app", password="hunter2")
/// ```
///
/// ## Use instead
/// ```python
/// connect(user="app", password=os.environ["APP_PASSWORD"])
/// ```
pub(crate) const PASSWORD_FUNCARG: RuleMeta = meta(
    "B106",
    "hardcoded-password-funcarg",
    5,
    259,
    Severity::Low,
    Confidence::Medium,
    "Possible hardcoded password",
);

/// ## What it does
/// Flags string defaults of password-like parameters (bandit B107).
///
/// ## Why is this bad?
/// See B105.
///
/// ## Example
/// ```python
/// def connect(password="hunter2"): ...
/// ```
///
/// ## Use instead
/// ```python
/// def connect(password=None): ...
/// ```
pub(crate) const PASSWORD_DEFAULT: RuleMeta = meta(
    "B107",
    "hardcoded-password-default",
    6,
    259,
    Severity::Low,
    Confidence::Medium,
    "Possible hardcoded password",
);

/// ## What it does
/// Flags strings starting with `/tmp`, `/var/tmp` or `/dev/shm` (bandit
/// B108).
///
/// ## Why is this bad?
/// Predictable names in world-writable directories invite symlink and
/// race attacks.
///
/// ## Example
/// ```python
/// open("/tmp/app.lock", "w")
/// ```
///
/// ## Use instead
/// ```python
/// tempfile.NamedTemporaryFile(prefix="app")
/// ```
pub(crate) const TMP_DIRECTORY: RuleMeta = meta(
    "B108",
    "hardcoded-tmp-directory",
    7,
    377,
    Severity::Medium,
    Confidence::Medium,
    "Probable insecure usage of temp file/directory.",
);

/// Whether a name looks like it holds a password (bandit's `RE_CANDIDATES`).
pub(crate) fn is_password_name(name: &str) -> bool {
    name.split('_').any(is_password_word)
}

fn is_password_word(w: &str) -> bool {
    let lower = w.to_ascii_lowercase();
    let w = lower.as_str();
    if matches!(
        w,
        "pass" | "passphrase" | "pwd" | "token" | "secret" | "secrete"
    ) {
        return true;
    }
    // pas+wo?r?d
    let Some(rest) = w.strip_prefix("pas") else {
        return false;
    };
    let rest = rest.trim_start_matches('s');
    let rest = rest.strip_prefix('w').unwrap_or(rest);
    let rest = rest.strip_prefix('o').unwrap_or(rest);
    let rest = rest.strip_prefix('r').unwrap_or(rest);
    rest == "d"
}

/// Python's `str()` of a constant, for the password message.
fn constant_str(c: &Constant) -> String {
    match literal_of(c) {
        Lit::Unknown => "None".to_owned(),
        other => other.py_str(),
    }
}

fn literal_of(c: &Constant) -> Lit<'_> {
    match c {
        Constant::None => Lit::Str("None"),
        Constant::Bytes(b) => {
            // Only for messages: bytes print as b'...'.
            let _ = b;
            Lit::Unknown
        }
        _ => match c {
            Constant::Str(s) => Lit::Str(s),
            Constant::Bool(true) => Lit::Str("True"),
            Constant::Bool(false) => Lit::Str("False"),
            Constant::Int(i) => i.to_string().parse().map_or(Lit::Unknown, Lit::Int),
            Constant::Float(f) => Lit::Float(*f),
            _ => Lit::Unknown,
        },
    }
}

fn password_message(value: &str) -> String {
    format!("Possible hardcoded password: '{value}'")
}

/// The string tests B104, B105 and B108 on a `str` constant.
pub(crate) fn check_string(ch: &mut Checker<'_>, expr: &Expr, value: &str, context: (u32, u32)) {
    let range = expr.range();
    if value == "0.0.0.0" {
        emit_in(
            ch,
            &BIND_ALL_INTERFACES,
            (BIND_ALL_INTERFACES.severity, BIND_ALL_INTERFACES.confidence),
            BIND_ALL_INTERFACES.summary,
            range,
            None,
            context,
        );
    }
    if value.starts_with("/tmp") || value.starts_with("/var/tmp") || value.starts_with("/dev/shm") {
        emit_in(
            ch,
            &TMP_DIRECTORY,
            (TMP_DIRECTORY.severity, TMP_DIRECTORY.confidence),
            TMP_DIRECTORY.summary,
            range,
            None,
            context,
        );
    }
    if ch.enabled(&PASSWORD_STRING) {
        if let Some(reported) = password_string(ch, expr, value) {
            emit_in(
                ch,
                &PASSWORD_STRING,
                (PASSWORD_STRING.severity, PASSWORD_STRING.confidence),
                password_message(&reported),
                range,
                None,
                context,
            );
        }
    }
}

/// bandit's `hardcoded_password_string`: the value to report, if any.
fn password_string(ch: &Checker<'_>, expr: &Expr, value: &str) -> Option<String> {
    let n = ch.ancestors.len();
    let parent = ch.ancestors.last()?;
    match parent {
        Ancestor::Stmt(Stmt::Assign(a)) => {
            let hit = a.targets.iter().any(|t| match t {
                Expr::Name(n) => is_password_name(&n.id),
                Expr::Attribute(at) => is_password_name(&at.attr),
                _ => false,
            });
            // bandit stops at the first Name/Attribute target that
            // matches; targets of other kinds are skipped.
            hit.then(|| value.to_owned())
        }
        Ancestor::Expr(Expr::Dict(d)) => {
            let pos = d
                .keys
                .iter()
                .position(|k| k.as_ref().is_some_and(|k| std::ptr::eq(k, expr)))?;
            if !is_password_name(value) {
                return None;
            }
            match d.values.get(pos)? {
                Expr::Constant(c) => Some(constant_str(&c.value)),
                _ => None,
            }
        }
        Ancestor::Expr(Expr::Subscript(_)) => {
            if !is_password_name(value) {
                return None;
            }
            let grand = n.checked_sub(2).and_then(|i| ch.ancestors.get(i))?;
            match grand {
                Ancestor::Stmt(Stmt::Assign(a)) => str_value(&a.value).map(str::to_owned),
                _ => None,
            }
        }
        Ancestor::Expr(Expr::Compare(c)) => {
            let name = match c.left.as_ref() {
                Expr::Name(n) => n.id.as_str(),
                Expr::Attribute(a) => a.attr.as_str(),
                _ => return None,
            };
            if !is_password_name(name) {
                return None;
            }
            c.comparators.first().and_then(str_value).map(str::to_owned)
        }
        _ => None,
    }
}

/// B106: the first string keyword argument with a password-like name.
pub(crate) fn check_funcarg(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    if !ch.enabled(&PASSWORD_FUNCARG) {
        return;
    }
    for kw in &site.call.keywords {
        let Some(value) = str_value(&kw.value) else {
            continue;
        };
        // bandit's regex search on a `**` argument's missing name raises,
        // which ends the test without a finding.
        let Some(arg) = &kw.arg else { return };
        if is_password_name(arg) {
            let line = line_of(ch, &kw.value);
            emit_default(
                ch,
                &PASSWORD_FUNCARG,
                password_message(value),
                site.expr.range(),
                Some(line),
            );
            return;
        }
    }
}

/// B107: the first password-like parameter of `args` (not positional-only
/// or keyword-only ones) with a string default, aligned the way bandit
/// aligns `args.defaults` (which also holds positional-only defaults).
pub(crate) fn check_function_defaults(ch: &mut Checker<'_>, stmt: &Stmt, f: &ast::StmtFunctionDef) {
    if !ch.enabled(&PASSWORD_DEFAULT) {
        return;
    }
    let defaults: Vec<&Expr> = f
        .args
        .posonlyargs
        .iter()
        .chain(&f.args.args)
        .filter_map(|a| a.default.as_deref())
        .collect();
    let missing = f.args.args.len().saturating_sub(defaults.len());
    let aligned = std::iter::repeat_n(None, missing).chain(defaults.into_iter().map(Some));
    for (arg, default) in f.args.args.iter().zip(aligned) {
        let Some(default) = default else { continue };
        if let Some(value) = str_value(default) {
            if is_password_name(&arg.def.arg) {
                emit_default(
                    ch,
                    &PASSWORD_DEFAULT,
                    password_message(value),
                    stmt.range(),
                    None,
                );
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_password_name;

    #[test]
    fn password_names_follow_bandits_pattern() {
        for yes in [
            "password",
            "PASSWORD",
            "db_password",
            "passwd_x",
            "a_pwd_b",
            "token",
            "secret",
            "secrete",
            "pass",
            "passphrase",
            "paswd",
            "passsword",
            "user_Token",
        ] {
            assert!(is_password_name(yes), "{yes}");
        }
        for no in [
            "passwords",
            "mypassword",
            "tokens",
            "secret2",
            "password1",
            "bypass",
        ] {
            assert!(!is_password_name(no), "{no}");
        }
    }
}
