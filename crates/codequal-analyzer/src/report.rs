//! The serde report that [`crate::analyze_source`] returns.

use serde::{Deserialize, Serialize};

use crate::metrics::complexity::ComplexityReport;
use crate::metrics::halstead::HalsteadReport;
use crate::metrics::maintainability::Maintainability;
use crate::metrics::raw::RawMetrics;
use crate::parse::SyntaxError;
use crate::rules::{Confidence, RuleMeta};
use crate::score::QualityScore;

/// Everything the analyzer knows about one Python module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The path the source came from, if it came from a file.
    pub path: Option<String>,
    /// The first syntax error, if the module does not parse. The same error
    /// is also in `findings` as rule `E999`.
    pub syntax_error: Option<SyntaxError>,
    /// Raw line counts (`radon raw`); `None` when the source cannot be
    /// tokenized.
    pub raw: Option<RawMetrics>,
    /// Cyclomatic complexity per block (`radon cc`); `None` on a syntax error.
    pub complexity: Option<ComplexityReport>,
    /// Halstead metrics per module and function (`radon hal`).
    pub halstead: Option<HalsteadReport>,
    /// Maintainability index (`radon mi`).
    pub maintainability: Option<Maintainability>,
    /// Findings (syntax error, unused imports and variables, rule
    /// findings), sorted by position.
    pub findings: Vec<Finding>,
    /// The quality score computed from all of the above.
    pub score: Option<QualityScore>,
}

/// A position range in the source: 1-based lines, 0-based UTF-8 byte
/// columns (CPython's `lineno` / `col_offset` convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First line, 1-based.
    pub line: u32,
    /// Column of the first byte, 0-based.
    pub column: u32,
    /// Last line, 1-based.
    pub end_line: u32,
    /// Column just past the last byte, 0-based.
    pub end_column: u32,
}

/// The CISQ quality characteristic a finding bears on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Characteristic {
    /// Ease of understanding and changing the code.
    Maintainability,
    /// Resistance to misuse and attack.
    Security,
    /// Use of time and resources.
    PerformanceEfficiency,
    /// Behaviour under faults and unexpected input.
    Reliability,
}

/// How serious a finding is (the paper's library's five levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

/// One problem found in the source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule code, e.g. `F401`.
    pub code: String,
    /// Rule name, e.g. `unused-import`.
    pub rule: String,
    /// Message in the reference tool's words where there is one.
    pub message: String,
    /// Where it is.
    pub span: Span,
    /// The CISQ characteristic it bears on.
    pub characteristic: Characteristic,
    /// How serious it is.
    pub severity: Severity,
    /// CWE id, when one applies.
    pub cwe: Option<u32>,
    /// How sure the rule is (bandit's levels; `HIGH` for exact checks).
    #[serde(default = "high_confidence")]
    pub confidence: Confidence,
}

fn high_confidence() -> Confidence {
    Confidence::High
}

impl Finding {
    /// A finding of `rule` with the rule's characteristic, CWE, severity and
    /// confidence.
    pub fn from_rule(rule: &RuleMeta, span: Span, message: impl Into<String>) -> Self {
        Self {
            code: rule.code.to_owned(),
            rule: rule.name.to_owned(),
            message: message.into(),
            span,
            characteristic: rule.characteristic,
            severity: rule.severity,
            cwe: rule.cwe,
            confidence: rule.confidence,
        }
    }
}
