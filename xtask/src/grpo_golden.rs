//! Golden outputs for codequal-grpo's conformance tests: tiny random models
//! built by transformers, with their logits, greedy generations and chat
//! templates, written by `crates/codequal-grpo/tests/golden/make_tiny_models.py`
//! into the cache (never the repository). Regenerated when the script or the
//! pins of the `hf` / `torch` requirement sets change.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::python_env::{cache_dir, fnv1a, PythonEnv};

/// Makes sure the goldens exist and returns their directory.
pub fn ensure(env: &PythonEnv) -> Result<PathBuf> {
    let root = crate::project_root();
    let script = root.join("crates/codequal-grpo/tests/golden/make_tiny_models.py");
    let mut inputs =
        std::fs::read(&script).with_context(|| format!("reading {}", script.display()))?;
    for set in ["hf", "torch"] {
        let pins = root.join("xtask/requirements").join(format!("{set}.txt"));
        inputs.extend(std::fs::read(&pins).with_context(|| format!("reading {}", pins.display()))?);
    }
    let out = cache_dir()?.join("grpo-golden");
    let stamp = out.join(".stamp");
    let want = format!("{:016x}\n", fnv1a(&inputs));
    if std::fs::read_to_string(&stamp).is_ok_and(|have| have == want) {
        return Ok(out);
    }
    eprintln!("xtask: writing codequal-grpo goldens to {}", out.display());
    let status = Command::new(env.bin().join("python"))
        .arg(&script)
        .arg(&out)
        .env("CUDA_VISIBLE_DEVICES", "")
        .status()
        .context("running make_tiny_models.py")?;
    if !status.success() {
        bail!("{} failed ({status})", script.display());
    }
    std::fs::write(&stamp, want).with_context(|| format!("writing {}", stamp.display()))?;
    Ok(out)
}
