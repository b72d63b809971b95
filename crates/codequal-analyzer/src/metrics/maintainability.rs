//! Maintainability index, exactly as `radon mi` 6.0.1 computes it
//! (`radon/metrics.py`: `mi_parameters`, `mi_compute`, `mi_rank`).
//!
//! ```text
//! MI = min(max(0, (171 - 5.2 ln V - 0.23 G - 16.2 ln L
//!                  + 50 sin(sqrt(2.46 radians(C)))) * 100 / 171), 100)
//! ```
//!
//! with V the module's Halstead volume, G its total cyclomatic complexity,
//! L its logical lines and C the percentage of comment lines over source
//! lines, where multi-line strings count as comments unless
//! [`MiOptions::multi_as_comments`] is off (`radon mi -m`). If V or L is not
//! positive, MI is 100.
//!
//! ```
//! use codequal_analyzer::metrics::maintainability::{mi_compute, mi_rank, MiRank};
//!
//! // radon tests/test_other_metrics.py
//! assert!((mi_compute(10.0, 2.0, 5.0, 0.5) - 81.75051711476864).abs() < 1e-9);
//! assert_eq!(mi_rank(9.0), MiRank::C);
//! ```

use serde::{Deserialize, Serialize};

use super::complexity::{self, ComplexityReport};
use super::halstead::{self, HalsteadReport};
use super::raw::{self, RawError, RawMetrics};
use crate::parse::SyntaxError;

/// Maintainability index of a module and its rank, with the default options
/// (multi-line strings count as comments).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Maintainability {
    /// The index, in [0, 100].
    pub mi: f64,
    /// Its letter: A above 19, B above 9, C otherwise.
    pub rank: MiRank,
}

/// radon's maintainability rank.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum MiRank {
    /// MI > 19: very high maintainability.
    #[default]
    A,
    /// 9 < MI <= 19: medium.
    B,
    /// MI <= 9: extremely low.
    C,
}

impl MiRank {
    /// The letter.
    pub fn letter(self) -> char {
        match self {
            Self::A => 'A',
            Self::B => 'B',
            Self::C => 'C',
        }
    }
}

impl std::fmt::Display for MiRank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.letter())
    }
}

/// How `radon mi` counts comment lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MiOptions {
    /// Count multi-line string lines as comment lines (radon's default;
    /// `radon mi -m` turns it off). Default: `true`.
    pub multi_as_comments: bool,
}

impl Default for MiOptions {
    fn default() -> Self {
        Self {
            multi_as_comments: true,
        }
    }
}

/// What the index is computed from (radon's `mi_parameters` inputs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MiInputs {
    /// The module's Halstead volume (`h_visit_ast(...).total.volume`).
    pub halstead_volume: f64,
    /// The module's total cyclomatic complexity
    /// (`ComplexityVisitor.total_complexity`).
    pub total_complexity: f64,
    /// The module's raw metrics.
    pub raw: RawMetrics,
}

/// `mi_compute`: the index from the Halstead volume, the total complexity,
/// the logical lines and the comment percentage.
///
/// Returns 100 when the volume or the logical lines are not positive; the
/// result is clamped to [0, 100]. The operations run in radon's order so
/// the result is bit-identical.
pub fn mi_compute(halstead_volume: f64, complexity: f64, lloc: f64, comments_percent: f64) -> f64 {
    if halstead_volume <= 0.0 || lloc <= 0.0 {
        return 100.0;
    }
    let sloc_scale = lloc.ln();
    let volume_scale = halstead_volume.ln();
    let comments_scale = (2.46 * (comments_percent * (std::f64::consts::PI / 180.0))).sqrt();
    let nn_mi = 171.0 - 5.2 * volume_scale - 0.23 * complexity - 16.2 * sloc_scale
        + 50.0 * comments_scale.sin();
    // min(max(0.0, x), 100.0), NaN handling included.
    let x = nn_mi * 100.0 / 171.0;
    let x = if x > 0.0 { x } else { 0.0 };
    if 100.0 < x {
        100.0
    } else {
        x
    }
}

/// The comment percentage `mi_parameters` passes on: comment lines (plus
/// multi-line string lines when counted) over source lines, times 100; 0
/// when there are no source lines.
pub fn comments_percent(raw: &RawMetrics, options: MiOptions) -> f64 {
    let lines = raw.comments
        + if options.multi_as_comments {
            raw.multi
        } else {
            0
        };
    if raw.sloc == 0 {
        0.0
    } else {
        f64::from(lines) / f64::from(raw.sloc) * 100.0
    }
}

/// `mi_visit`: the index from its inputs.
pub fn mi_visit(inputs: &MiInputs, options: MiOptions) -> f64 {
    mi_compute(
        inputs.halstead_volume,
        inputs.total_complexity,
        f64::from(inputs.raw.lloc),
        comments_percent(&inputs.raw, options),
    )
}

/// `mi_rank`: A if the index is above 19, B above 9, else C.
pub fn mi_rank(mi: f64) -> MiRank {
    // radon: chr(65 + (9 - score >= 0) + (19 - score >= 0)).
    match (9.0 - mi >= 0.0, 19.0 - mi >= 0.0) {
        (true, true) => MiRank::C,
        (false, true) => MiRank::B,
        _ => MiRank::A,
    }
}

/// The index and rank from its inputs.
pub fn maintainability(inputs: &MiInputs, options: MiOptions) -> Maintainability {
    let mi = mi_visit(inputs, options);
    Maintainability {
        mi,
        rank: mi_rank(mi),
    }
}

/// The inputs of a module from its other metrics.
pub fn inputs_of_module(cc: &ComplexityReport, hal: &HalsteadReport, raw: &RawMetrics) -> MiInputs {
    MiInputs {
        halstead_volume: hal.total.volume,
        total_complexity: f64::from(cc.total_complexity()),
        raw: *raw,
    }
}

/// Maintainability index of a module from its other metrics, with the
/// default options.
pub fn of_module(cc: &ComplexityReport, hal: &HalsteadReport, raw: &RawMetrics) -> Maintainability {
    of_module_with(cc, hal, raw, MiOptions::default())
}

/// Maintainability index of a module from its other metrics.
pub fn of_module_with(
    cc: &ComplexityReport,
    hal: &HalsteadReport,
    raw: &RawMetrics,
    options: MiOptions,
) -> Maintainability {
    maintainability(&inputs_of_module(cc, hal, raw), options)
}

/// Why `radon mi` reports an error instead of an index for a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MiError {
    /// The module does not parse (radon's `ast.parse` raises first).
    Syntax(SyntaxError),
    /// The module parses but radon's raw metrics fail on it.
    Raw(RawError),
}

impl std::fmt::Display for MiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Syntax(e) => write!(f, "{} (<unknown>, line {})", e.message, e.line),
            Self::Raw(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for MiError {}

/// `radon mi` for one module's text: parses it once, computes complexity,
/// Halstead volume and raw metrics, and the index.
///
/// ```
/// use codequal_analyzer::metrics::maintainability::{analyze_source, MiOptions, MiRank};
///
/// let m = analyze_source("def f(x):\n    return x + 1\n", MiOptions::default()).unwrap();
/// assert_eq!(m.rank, MiRank::A);
/// ```
pub fn analyze_source(source: &str, options: MiOptions) -> Result<Maintainability, MiError> {
    // radon hands `ast.parse` the text with any byte-order mark still in it
    // (it reads files as plain UTF-8), and CPython rejects it there.
    if source.starts_with('\u{feff}') {
        return Err(MiError::Syntax(SyntaxError {
            message: "invalid non-printable character U+FEFF".to_owned(),
            line: 1,
            column: 0,
        }));
    }
    let (cc, hal) = complexity::with_module(source, |parsed, suite| {
        (
            complexity::analyze(parsed, suite),
            halstead::analyze(parsed, suite),
        )
    })
    .map_err(MiError::Syntax)?;
    let raw = raw::analyze_source(source).map_err(MiError::Raw)?;
    Ok(of_module_with(&cc, &hal, &raw, options))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// radon tests/test_other_metrics.py, MI_COMPUTE_CASES (checked there
    /// to 5 decimals; here to the last bits).
    #[test]
    fn mi_compute_cases() {
        let cases = [
            ((0.0, 0.0, 0.0, 0.0), 100.0),
            ((0.0, 1.0, 2.0, 0.0), 100.0),
            ((10.0, 2.0, 5.0, 0.5), 81.75051711476864),
            ((200.0, 10.0, 78.0, 45.0), 70.0321877686122),
        ];
        for ((v, g, l, c), expected) in cases {
            let got = mi_compute(v, g, l, c);
            assert!(
                (got - expected).abs() < 1e-12,
                "{v} {g} {l} {c}: {got} != {expected}"
            );
        }
    }

    /// radon tests/test_other_metrics.py, MI_RANK_CASES: 0-9 C, 10-19 B,
    /// 20-99 A.
    #[test]
    fn mi_rank_cases() {
        for score in 0..100 {
            let expected = match score {
                0..=9 => MiRank::C,
                10..=19 => MiRank::B,
                _ => MiRank::A,
            };
            assert_eq!(mi_rank(f64::from(score)), expected, "{score}");
        }
        assert_eq!(mi_rank(19.5), MiRank::A);
        assert_eq!(mi_rank(9.5), MiRank::B);
    }

    /// radon tests/test_other_metrics.py, MI_VISIT_CASES, from the
    /// parameters radon's `mi_parameters` gives for their code (the
    /// comments in that file are stale: `second_mi` has G = 6, L = 10).
    #[test]
    fn mi_visit_cases_from_parameters() {
        let first = mi_compute(41.51317942364757, 1.0, 4.0, 0.0);
        assert_eq!(first, 75.40162245189028);
        let second = mi_compute(66.60791492653966, 6.0, 10.0, 55.55555555555556);
        assert_eq!(second, 93.84027450359395);
        let second_m = mi_compute(66.60791492653966, 6.0, 10.0, 22.22222222222222);
        assert_eq!(second_m, 88.84176333569131);
    }

    #[test]
    fn clamps_to_zero_and_hundred() {
        assert_eq!(mi_compute(1e300, 1e6, 1e6, 0.0), 0.0);
        assert_eq!(mi_compute(1.0, 0.0, 1.0, 0.0), 100.0);
    }

    #[test]
    fn comments_percent_counts_multi_by_default() {
        let raw = RawMetrics {
            sloc: 13,
            comments: 2,
            multi: 3,
            ..RawMetrics::default()
        };
        assert_eq!(
            comments_percent(&raw, MiOptions::default()),
            5.0 / 13.0 * 100.0
        );
        assert_eq!(
            comments_percent(
                &raw,
                MiOptions {
                    multi_as_comments: false
                }
            ),
            2.0 / 13.0 * 100.0
        );
        let empty = RawMetrics::default();
        assert_eq!(comments_percent(&empty, MiOptions::default()), 0.0);
    }
}
