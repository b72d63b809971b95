//! `cargo xtask bench-sandbox [--cases N] [--json]`: the same cases through
//! the fork server, a fresh `python3` per case and a human-eval-style runner,
//! side by side in one run, with cases per second and ratios. Runs
//! `crates/codequal-sandbox/examples/bench_sandbox.rs` in release mode and
//! passes the arguments through.

use std::process::Command;

use anyhow::{bail, Result};

/// Runs the benchmark.
pub fn run(args: &[String]) -> Result<()> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "run",
            "--release",
            "--quiet",
            "-p",
            "codequal-sandbox",
            "--example",
            "bench_sandbox",
            "--",
        ])
        .args(args)
        .current_dir(crate::project_root())
        .status()?;
    if !status.success() {
        bail!("bench_sandbox failed ({status})");
    }
    Ok(())
}
