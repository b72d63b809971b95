use crate::parse::TextRange;
use crate::report::{Characteristic, Severity};
use crate::rules::{Checker, Confidence, Family, RuleMeta};

/// ## What it does
/// Flags a call that allocates a resource (`open`, `subprocess.Popen`,
/// `tempfile.*`, `zipfile.ZipFile`, `tarfile.open`, `urllib.request.urlopen`,
/// ...) outside a `with` statement (pylint R1732). A call assigned to a
/// name is reported when its scope ends unless the name was later used as a
/// `with` item. Calls in a `return`, inside `__enter__` or a
/// `@contextmanager` function, or passed to `enter_context` are exempt.
///
/// ## Why is this bad?
/// Without `with`, an exception between the allocation and the `close()`
/// leaks the file handle, process or temporary file.
///
/// ## Example
/// ```python
/// f = open("data.txt")
/// text = f.read()
/// f.close()
/// ```
///
/// ## Use instead
/// ```python
/// with open("data.txt") as f:
///     text = f.read()
/// ```
pub(crate) const META: RuleMeta = RuleMeta {
    code: "R1732",
    name: "consider-using-with",
    family: Family::Design,
    index: 16,
    characteristic: Characteristic::Maintainability,
    cwe: Some(772),
    severity: Severity::Low,
    confidence: Confidence::Medium,
    summary: "Consider using 'with' for resource-allocating operations",
};

/// Calls that return context managers (pylint's
/// `CALLS_RETURNING_CONTEXT_MANAGERS`, by the names a module imports them
/// under).
pub(crate) const RESOURCE_CALLS: &[&str] = &[
    "open",
    "io.open",
    "codecs.open",
    "urllib.request.urlopen",
    "tempfile.NamedTemporaryFile",
    "tempfile.SpooledTemporaryFile",
    "tempfile.TemporaryDirectory",
    "zipfile.ZipFile",
    "zipfile.PyZipFile",
    "tarfile.TarFile",
    "tarfile.open",
    "tarfile.TarFile.open",
    "multiprocessing.Pool",
    "subprocess.Popen",
];

/// Reports the call at `range`.
pub(crate) fn report(ch: &mut Checker<'_>, range: TextRange) {
    ch.report(&META, range, META.summary);
}
