//! Bidirectional control characters in the source (B613).

use super::meta;
use crate::report::{Finding, Severity, Span};
use crate::rules::{Checker, Confidence, RuleMeta};

/// ## What it does
/// Flags the first line that contains a Unicode bidirectional control
/// character (bandit B613, "trojan source").
///
/// ## Why is this bad?
/// Such characters make code display differently from how it runs, hiding
/// logic from reviewers (CVE-2021-42574).
///
/// ## Example
/// ```python
/// access = "user\u202e \u2066# admin\u2069 \u2066"
/// ```
///
/// ## Use instead
/// ```python
/// access = "user"  # no invisible control characters
/// ```
pub(crate) const META: RuleMeta = meta(
    "B613",
    "trojansource",
    68,
    838,
    Severity::High,
    Confidence::Medium,
    "A Python source file contains bidirectional control characters.",
);

const BIDI: [char; 10] = [
    '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200f}',
];

/// Reports the first line (as Python's `str.splitlines` counts lines) with
/// a bidi character; within it, the first character of bandit's list found.
pub(crate) fn check(ch: &mut Checker<'_>) {
    if !ch.enabled(&META) {
        return;
    }
    let source = ch.parsed.source;
    if !source.chars().any(|c| BIDI.contains(&c)) {
        return;
    }
    for (i, line) in crate::metrics::raw::python_splitlines(source).enumerate() {
        for bidi in BIDI {
            let Some(col) = line.chars().position(|c| c == bidi) else {
                continue;
            };
            let lineno = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let col = u32::try_from(col + 1).unwrap_or(u32::MAX);
            let span = Span {
                line: lineno,
                column: col,
                end_line: lineno,
                end_column: col,
            };
            let text = format!(
                "A Python source file contains bidirectional control characters ('\\u{:04x}').",
                u32::from(bidi)
            );
            // bandit runs file-level tests with the context lines [0, 1].
            ch.report_finding_in(Finding::from_rule(&META, span, text), (0, 1));
            return;
        }
    }
}
