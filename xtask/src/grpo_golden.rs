//! Golden outputs for codequal-grpo's conformance tests, written into the
//! cache (never the repository) by two scripts beside the tests:
//!
//! - `crates/codequal-grpo/tests/golden/make_tiny_models.py`: tiny random
//!   models built by transformers, with their logits, greedy generations and
//!   chat templates. Regenerated when the script or the pins of the `hf` /
//!   `torch` requirement sets change.
//! - `crates/codequal-grpo/tests/golden/make_trl_goldens.py`: TRL's own GRPO
//!   loss, gradients and optimizer steps on those models, under `trl/`.
//!   Regenerated when either script or the `hf` / `torch` / `trl` pins change.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::python_env::{cache_dir, fnv1a, PythonEnv};

const SCRIPTS: &str = "crates/codequal-grpo/tests/golden";

/// Makes sure the goldens exist and returns their directory.
pub fn ensure(env: &PythonEnv) -> Result<PathBuf> {
    let out = cache_dir()?.join("grpo-golden");
    let models = stamp_inputs(&["make_tiny_models.py"], &["hf", "torch"])?;
    run_if_stale(env, "make_tiny_models.py", &out, &out, &models)?;
    let trl = stamp_inputs(
        &["make_tiny_models.py", "make_trl_goldens.py"],
        &["hf", "torch", "trl"],
    )?;
    run_if_stale(env, "make_trl_goldens.py", &out, &out.join("trl"), &trl)?;
    Ok(out)
}

/// The bytes whose hash decides whether a golden set is stale: the scripts
/// and the requirement files they depend on.
fn stamp_inputs(scripts: &[&str], sets: &[&str]) -> Result<Vec<u8>> {
    let root = crate::project_root();
    let files = scripts.iter().map(|s| root.join(SCRIPTS).join(s)).chain(
        sets.iter()
            .map(|set| root.join("xtask/requirements").join(format!("{set}.txt"))),
    );
    let mut inputs = Vec::new();
    for file in files {
        inputs.extend(std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?);
    }
    Ok(inputs)
}

/// Runs `script golden_dir` unless `written/.stamp` holds the hash of
/// `inputs`, then writes that stamp.
fn run_if_stale(
    env: &PythonEnv,
    script: &str,
    golden_dir: &Path,
    written: &Path,
    inputs: &[u8],
) -> Result<()> {
    let stamp = written.join(".stamp");
    let want = format!("{:016x}\n", fnv1a(inputs));
    if std::fs::read_to_string(&stamp).is_ok_and(|have| have == want) {
        return Ok(());
    }
    let path = crate::project_root().join(SCRIPTS).join(script);
    eprintln!("xtask: {script}: writing goldens to {}", written.display());
    let status = Command::new(env.bin().join("python"))
        .arg(&path)
        .arg(golden_dir)
        .env("CUDA_VISIBLE_DEVICES", "")
        // The scripts read only local files; keep the Hugging Face libraries
        // from trying the network.
        .env("HF_HUB_OFFLINE", "1")
        .env("HF_DATASETS_OFFLINE", "1")
        .status()
        .with_context(|| format!("running {script}"))?;
    if !status.success() {
        bail!("{} failed ({status})", path.display());
    }
    std::fs::create_dir_all(written).with_context(|| format!("creating {}", written.display()))?;
    std::fs::write(&stamp, want).with_context(|| format!("writing {}", stamp.display()))?;
    Ok(())
}
