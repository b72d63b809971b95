//! Quality scores over the four CISQ characteristics.
//!
//! Two modes: `pycq` (the paper's library's formula, exactly) and `codequal`
//! (the default: normalised by code size, no saturation for clean code,
//! guarded against gaming).

use serde::{Deserialize, Serialize};

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
#[serde(default)]
pub struct ScoreConfig {
    /// Which formula (default `codequal`).
    pub mode: ScoreMode,
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
}
