use rustpython_parser::ast::Ranged;

use crate::parse::ast;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags file opening, network access, sleeping and process spawning
/// inside a loop or comprehension: `open` of the same file on every
/// iteration (arguments the loop does not change), `requests.*`, `urllib.request.urlopen`,
/// `socket.*`, `http.client.*`, `time.sleep`, `subprocess.*`, `os.system`,
/// `os.popen`, `sqlite3.connect`, `json.load`/`pickle.load` of a fresh file.
///
/// ## Why is this bad?
/// Each of these costs a system call or a round trip; repeating it per
/// element multiplies the slowest part of the program (CWE-1050).
///
/// ## Example
/// ```python
/// for key in keys:
///     with open("config.json") as f:
///         config = json.load(f)
///     print(config[key])
/// ```
///
/// ## Use instead
/// ```python
/// with open("config.json") as f:
///     config = json.load(f)
/// for key in keys:
///     print(config[key])
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "CQP002",
    name: "io-in-loop",
    family: Family::Performance,
    index: 1,
    characteristic: Characteristic::PerformanceEfficiency,
    cwe: Some(1050),
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    summary: "I/O, network, sleep or process call inside a loop",
};

const EXACT: &[&str] = &[
    "open",
    "io.open",
    "time.sleep",
    "os.system",
    "os.popen",
    "sqlite3.connect",
    "urllib.request.urlopen",
    "urllib.urlopen",
    "urllib2.urlopen",
    "socket.socket",
    "socket.create_connection",
    "shutil.copy",
    "shutil.copyfile",
    "pathlib.Path.read_text",
];

const PREFIXES: &[&str] = &[
    "requests.",
    "httpx.",
    "subprocess.",
    "http.client.",
    "urllib.request.",
    "ftplib.",
    "smtplib.",
];

/// File openers: flagged only when they open the same file every time.
const FILE_OPENERS: &[&str] = &["open", "io.open"];

/// Whether every argument of `call` is a constant or a name the innermost
/// loop does not change.
fn invariant_args<'a>(ch: &mut Checker<'a>, call: &'a ast::ExprCall) -> bool {
    let Some((lp, false)) = super::innermost_loop(ch) else {
        return false;
    };
    let changes = super::loop_changes(ch, lp);
    call.args
        .iter()
        .chain(call.keywords.iter().map(|k| &k.value))
        .all(|a| match a {
            ast::Expr::Constant(_) => true,
            ast::Expr::Name(n) => !changes.contains(n.id.as_str()),
            _ => false,
        })
}

/// A costly call inside a loop.
pub(crate) fn check<'a>(ch: &mut Checker<'a>, call: &'a ast::ExprCall) {
    let Some(name) = ch.call_name(call) else {
        return;
    };
    let hit = EXACT.contains(&name.as_str())
        || PREFIXES.iter().any(|p| name.starts_with(p))
        || matches!(name.rsplit('.').next(), Some("read_text" | "write_text" | "read_bytes" | "write_bytes") if name.contains("Path"));
    // Opening a different file on each iteration is the work itself;
    // re-opening the same one is the waste.
    if hit && (!FILE_OPENERS.contains(&name.as_str()) || invariant_args(ch, call)) {
        ch.report(
            &META,
            call.range(),
            format!("`{name}(...)` called inside a loop; do it once outside the loop or batch it"),
        );
    }
}
