//! HTTP clients: requests without a timeout (B113) and with certificate
//! checks turned off (B501).

use rustpython_parser::ast::Ranged;

use super::call_context::{keyword, kw_value, Lit};
use super::{emit_default, kw_line, meta, CallSite};
use crate::report::Severity;
use crate::rules::{Checker, Confidence, RuleMeta};

/// ## What it does
/// Flags `requests` calls without a `timeout`, and `requests`/`httpx`
/// calls with `timeout=None` (bandit B113).
///
/// ## Why is this bad?
/// A server that never answers holds the caller forever.
///
/// ## Example
/// ```python
/// requests.get(url)
/// ```
///
/// ## Use instead
/// ```python
/// requests.get(url, timeout=10)
/// ```
pub(crate) const REQUEST_WITHOUT_TIMEOUT: RuleMeta = meta(
    "B113",
    "request-without-timeout",
    10,
    400,
    Severity::Medium,
    Confidence::Low,
    "Call to requests without timeout",
);

/// ## What it does
/// Flags `requests`/`httpx` calls with `verify=False` (bandit B501).
///
/// ## Why is this bad?
/// Without certificate checks anyone on the path can read and change the
/// traffic.
///
/// ## Example
/// ```python
/// requests.get(url, verify=False, timeout=10)
/// ```
///
/// ## Use instead
/// ```python
/// requests.get(url, timeout=10)
/// ```
pub(crate) const NO_CERT_VALIDATION: RuleMeta = meta(
    "B501",
    "request-with-no-cert-validation",
    47,
    295,
    Severity::High,
    Confidence::High,
    "Call with verify=False disabling SSL certificate checks, security issue.",
);

fn is_verb(name: &str) -> bool {
    matches!(
        name,
        "get" | "options" | "head" | "post" | "put" | "patch" | "delete"
    )
}

/// Checks a call whose last name is interesting.
pub(crate) fn check(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    let head = site.qual.split('.').next().unwrap_or("");
    let name = site.name.as_ref();
    let requests = head == "requests" && is_verb(name);
    let httpx = head == "httpx"
        && (is_verb(name) || matches!(name, "request" | "stream" | "Client" | "AsyncClient"));
    if !requests && !httpx {
        return;
    }
    let range = site.expr.range();
    let timeout = kw_value(site.call, "timeout");
    if requests && timeout == Lit::Unknown {
        emit_default(
            ch,
            &REQUEST_WITHOUT_TIMEOUT,
            format!("Call to {head} without timeout"),
            range,
            None,
        );
    }
    if keyword(site.call, "timeout").is_some() && timeout.is("None") {
        emit_default(
            ch,
            &REQUEST_WITHOUT_TIMEOUT,
            format!("Call to {head} with timeout set to None"),
            range,
            None,
        );
    }
    if kw_value(site.call, "verify").is("False") {
        let line = kw_line(ch, site.call, "verify");
        emit_default(
            ch,
            &NO_CERT_VALIDATION,
            format!(
                "Call to {head} with verify=False disabling SSL certificate checks, security issue."
            ),
            range,
            line,
        );
    }
}
