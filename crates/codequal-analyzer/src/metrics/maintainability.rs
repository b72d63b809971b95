//! Maintainability index, as `radon mi` computes it.

use serde::{Deserialize, Serialize};

/// Maintainability index of a module and its rank.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Maintainability {
    /// The index, in [0, 100].
    pub mi: f64,
}

use super::complexity::ComplexityReport;
use super::halstead::HalsteadReport;
use super::raw::RawMetrics;

/// Maintainability index of a module from its other metrics.
pub fn of_module(
    _cc: &ComplexityReport,
    _hal: &HalsteadReport,
    _raw: &RawMetrics,
) -> Maintainability {
    Maintainability::default()
}
