//! Raw line metrics, as `radon raw` computes them (token based).

use serde::{Deserialize, Serialize};

use crate::parse::ParsedSource;

/// radon's raw metrics of one module.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawMetrics {
    /// Lines of code.
    pub loc: u32,
    /// Logical lines of code.
    pub lloc: u32,
    /// Source lines of code.
    pub sloc: u32,
    /// Comment tokens.
    pub comments: u32,
    /// Lines in multi-line strings.
    pub multi: u32,
    /// Blank lines.
    pub blank: u32,
    /// Lines that hold only a comment.
    pub single_comments: u32,
}

/// Computes raw metrics; `None` when the source cannot be tokenized.
pub fn analyze(_parsed: &ParsedSource<'_>) -> Option<RawMetrics> {
    None
}
