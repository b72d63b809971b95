//! Quality scores over the four CISQ characteristics.
//!
//! Two modes, both returning every characteristic and the overall score in
//! [0, 1] together with the penalties that produced them
//! ([`QualityScore::penalties`]), so a reward can explain itself.
//! `docs/scoring.md` gives the rationale and worked examples.
//!
//! # `pycq`: the paper's library (`pycq_analyzer` 0.1.0, arXiv 2506.02211)
//!
//! Severity weights: info 0.5, low 1, medium 2.5, high 5, critical 10.
//! For each characteristic c, `W_c` is the sum of its findings' weights
//! (0.01 when it has none) and
//! `score_c = round(100 / (1 + k_c * W_c), 2)` with `k` = maintainability
//! 0.05, security 0.1, performance 0.08, reliability 0.07; the overall
//! score is `round(mean of the four, 2)`. Both are divided by 100 here
//! (the paper's reward is overall/100; best possible 0.9993).
//!
//! What feeds each characteristic is mapped by rule code
//! ([`pycq::mapping`]), the way that library maps its tools:
//! - maintainability: only pylint's 11 symbols (unused-import `W0611` =
//!   our pyflakes `F401`, unused-variable `W0612` (the design rule, pylint's
//!   semantics), unused-argument
//!   `W0613`, duplicate-code `R0801`, too-many-arguments `R0913`,
//!   too-many-instance-attributes `R0902`, too-many-locals `R0914`,
//!   too-many-statements `R0915`, too-many-branches `R0912`,
//!   too-many-return-statements `R0911`, too-many-public-methods `R0904`),
//!   severity from the pylint type (C/R low, W medium, E high, F critical);
//!   each radon cc block ranked C or worse (C low, D medium, E high,
//!   F critical); a file over 1000 lines (medium); every vulture finding
//!   (our dead-code family, `CQD*`) as high, because that library misreads
//!   vulture's confidence and always ends at "high";
//! - security: every bandit finding (`B*`) with bandit's severity, B101
//!   included;
//! - performance and reliability: its own pattern checks, i.e. our
//!   `CQP*` and `CQR*` rules with their severities.
//!
//! This reproduces the library's "quick" mode: xenon and mypy run only in
//! its "full" mode and are not part of it. A module that does not parse
//! gets no findings from those tools, so pycq scores it like clean code
//! (another defect of that library, kept here for fidelity).
//!
//! # `codequal` (the default)
//!
//! 1. Findings are de-duplicated: rules from different families that
//!    report the same defect on the same line (e.g. bare except as
//!    `W0702` and `CQR001`) count once, at the highest weight
//!    ([`codequal::SAME_DEFECT`]).
//! 2. `B101` (assert) is not counted: asserts in solutions are
//!    preconditions and tests, not access checks, and bandit cannot tell
//!    the two apart; counting them punishes defensive code.
//! 3. Each finding weighs `severity weight * confidence factor` (high 1,
//!    medium 0.8, low 0.5); `W_c` sums them per characteristic.
//! 4. Findings are normalised by size:
//!    `f_c = exp(-k_c * W_c / max(size, 10))` with
//!    `k` = maintainability 1.0, security 2.0, performance 1.6,
//!    reliability 1.4 (20 times the paper's constants); `size` is `lloc`,
//!    capped at twice the expected size when there is a hint
//!    ([`ScoreConfig::expected_lloc`], [`codequal::MAX_SIZE_RATIO`]), so
//!    padding cannot dilute findings.
//! 5. Continuous signals keep clean code from saturating:
//!    maintainability is `f_m * structure`, where `structure` is a
//!    weighted geometric mean of complexity, nesting, function length,
//!    duplication, maintainability index and documentation factors
//!    ([`codequal::Signals`]); performance is
//!    `f_p * (0.7 + 0.3 * exp(-max(0, loop_depth - 1) / 4))`.
//! 6. overall = 0.3 maintainability + 0.2 security + 0.25 performance +
//!    0.25 reliability.
//! 7. Guards against gaming, applied to every score: unparsable code
//!    scores 0; code with no effective statement scores 0; the fraction
//!    of stub functions multiplies the scores by `1 - stub_fraction`;
//!    code shorter than half the expected size
//!    ([`ScoreConfig::expected_lloc`]) is scaled by `lloc / (0.5 *
//!    expected)`, and without a hint code under 2 logical lines by
//!    `lloc / 2`.

pub mod code_stats;
pub mod codequal;
pub mod pycq;

use serde::{Deserialize, Serialize};

use crate::metrics::complexity::ComplexityReport;
use crate::metrics::halstead::HalsteadReport;
use crate::parse::{ast, ParsedSource};
use crate::report::{Characteristic, Finding, Severity};

pub use code_stats::CodeStats;

/// Which scoring formula to use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreMode {
    /// The paper's library (pycq_analyzer 0.1.0) formula.
    Pycq,
    /// Ours: size-normalised, non-saturating, guarded. The default.
    #[default]
    Codequal,
}

/// Scoring settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoreConfig {
    /// Which formula (default `codequal`).
    pub mode: ScoreMode,
    /// Expected size of a solution in logical lines (e.g. the reference
    /// solution's), for the `codequal` guard against trivially short code.
    /// Default: none (then only code under 2 logical lines is scaled down).
    pub expected_lloc: Option<u32>,
}

/// One thing that lowered a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Penalty {
    /// Rule code (`CQR001`, `B602`), or `radon-cc` / `file-loc` for the
    /// metric-based penalties of `pycq`.
    pub source: String,
    /// The characteristic it counts against.
    pub characteristic: Characteristic,
    /// The severity it was counted with.
    pub severity: Severity,
    /// Its weight in `W_c`.
    pub weight: f64,
    /// Line of the finding (0 for whole-file penalties).
    pub line: u32,
}

/// A quality score with its parts, each in [0, 1].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QualityScore {
    /// The formula used.
    pub mode: ScoreMode,
    /// Overall score in [0, 1].
    pub overall: f64,
    /// Maintainability in [0, 1].
    pub maintainability: f64,
    /// Security in [0, 1].
    pub security: f64,
    /// Performance efficiency in [0, 1].
    pub performance_efficiency: f64,
    /// Reliability in [0, 1].
    pub reliability: f64,
    /// The findings and metric penalties that were counted, with weights.
    #[serde(default)]
    pub penalties: Vec<Penalty>,
    /// Continuous signals (`codequal` mode only).
    #[serde(default)]
    pub signals: Option<codequal::Signals>,
    /// Guards that capped the score, in words (e.g. `stubs: 2 of 3
    /// functions`); empty when none applied.
    #[serde(default)]
    pub guards: Vec<String>,
}

impl QualityScore {
    /// The score of one characteristic.
    pub fn of(&self, c: Characteristic) -> f64 {
        match c {
            Characteristic::Maintainability => self.maintainability,
            Characteristic::Security => self.security,
            Characteristic::PerformanceEfficiency => self.performance_efficiency,
            Characteristic::Reliability => self.reliability,
        }
    }
}

/// The paper's severity weights: info 0.5, low 1, medium 2.5, high 5,
/// critical 10.
pub fn severity_weight(s: Severity) -> f64 {
    match s {
        Severity::Info => 0.5,
        Severity::Low => 1.0,
        Severity::Medium => 2.5,
        Severity::High => 5.0,
        Severity::Critical => 10.0,
    }
}

/// Everything a score is computed from.
#[derive(Debug, Clone, Copy)]
pub struct ScoreInput<'a> {
    /// The parsed module (tokens, tree when it parsed).
    pub parsed: &'a ParsedSource<'a>,
    /// The module's statements; `None` when it does not parse.
    pub suite: Option<&'a [ast::Stmt]>,
    /// Every finding of the analysis.
    pub findings: &'a [Finding],
    /// Cyclomatic complexity, when the module parsed.
    pub complexity: Option<&'a ComplexityReport>,
    /// Halstead metrics, when the module parsed.
    pub halstead: Option<&'a HalsteadReport>,
}

/// Scores a module with the configured formula.
pub fn score(input: &ScoreInput<'_>, config: &ScoreConfig) -> QualityScore {
    match config.mode {
        ScoreMode::Pycq => pycq::score(input),
        ScoreMode::Codequal => codequal::score(input, config),
    }
}
