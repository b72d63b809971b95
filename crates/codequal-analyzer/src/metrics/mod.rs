//! Metrics that match radon 6.0.1 and xenon 0.9.3.

pub mod complexity;
pub mod halstead;
pub mod maintainability;
pub mod raw;
pub mod xenon;
