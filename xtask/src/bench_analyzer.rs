//! `cargo xtask bench-analyzer`: side-by-side timing against the reference tools.

use anyhow::{bail, Result};

/// Runs the benchmark.
pub fn run(_args: &[String]) -> Result<()> {
    bail!("bench-analyzer: not implemented yet")
}
