//! The project's Python environment: one venv in a cache outside the clone,
//! holding pinned packages in named requirement sets.
//!
//! Location: `$CODEQUAL_CACHE_DIR/venv`, else `$XDG_CACHE_HOME/codequal/venv`,
//! else `~/.cache/codequal/venv`. Each set is installed once; a stamp file
//! holding a hash of the set's requirements marks it done, so a changed pin
//! reinstalls and an unchanged one costs nothing. Later sets (libtorch from
//! PyPI's `torch`, transformers, TRL) are separate `RequirementSet`s.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// A named, pinned list of pip requirements checked into `xtask/requirements/`.
#[derive(Debug, Clone, Copy)]
pub struct RequirementSet {
    /// Name, also the file stem under `xtask/requirements/`.
    pub name: &'static str,
    /// Extra pip arguments (e.g. `--no-deps`).
    pub pip_args: &'static [&'static str],
}

impl RequirementSet {
    /// radon, xenon, pyflakes, bandit, pylint, vulture, ruff.
    pub const REFERENCE_TOOLS: Self = Self {
        name: "reference-tools",
        pip_args: &[],
    };
    /// PyPI's torch==2.11.0: the libtorch that tch 0.24 builds against.
    pub const TORCH: Self = Self {
        name: "torch",
        pip_args: &[],
    };
    /// transformers, safetensors, tokenizers: the reference of codequal-grpo's
    /// conformance tests.
    pub const HF: Self = Self {
        name: "hf",
        pip_args: &[],
    };
    /// TRL 1.16.0 and what it needs beyond `hf` (accelerate, datasets): the
    /// reference of codequal-grpo's GRPO loss, gradient and optimizer
    /// conformance test. Its file repeats the torch and transformers pins so
    /// that resolving TRL's dependencies cannot move them.
    pub const TRL: Self = Self {
        name: "trl",
        pip_args: &[],
    };
    /// What `cargo xtask test` needs.
    pub const ALL_DEFAULT: &'static [Self] =
        &[Self::REFERENCE_TOOLS, Self::TORCH, Self::HF, Self::TRL];

    fn file(&self) -> PathBuf {
        crate::project_root()
            .join("xtask/requirements")
            .join(format!("{}.txt", self.name))
    }
}

/// A ready Python environment.
#[derive(Debug, Clone)]
pub struct PythonEnv {
    /// The venv directory.
    pub venv: PathBuf,
}

impl PythonEnv {
    /// Creates (or reuses) the cached venv and installs every set not yet
    /// installed with its current pins.
    pub fn ensure(sets: &[RequirementSet]) -> Result<Self> {
        let venv = cache_dir()?.join("venv");
        let python = venv.join("bin/python");
        if !python.exists() {
            eprintln!("xtask: creating Python venv at {}", venv.display());
            let base =
                std::env::var("CODEQUAL_BASE_PYTHON").unwrap_or_else(|_| "python3".to_owned());
            let status = Command::new(&base)
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .with_context(|| format!("running `{base} -m venv` (is Python 3 installed?)"))?;
            if !status.success() {
                bail!("`{base} -m venv {}` failed", venv.display());
            }
        }
        for set in sets {
            install(&venv, set)?;
        }
        Ok(Self { venv })
    }

    /// The PyPI torch package directory, which is a complete libtorch
    /// (`include/`, `lib/`).
    pub fn torch_dir(&self) -> Result<PathBuf> {
        let lib = self.venv.join("lib");
        let entries =
            std::fs::read_dir(&lib).with_context(|| format!("reading {}", lib.display()))?;
        for entry in entries.flatten() {
            let dir = entry.path().join("site-packages/torch");
            if dir.join("lib").is_dir() {
                return Ok(dir);
            }
        }
        bail!("no torch package under {}", lib.display())
    }

    /// Points `<workspace>/.libtorch` (gitignored) at the venv's torch, where
    /// `.cargo/config.toml` tells torch-sys to look when `LIBTORCH` is not
    /// set. After this, plain `cargo build` and `cargo test` find libtorch.
    pub fn link_libtorch(&self) -> Result<PathBuf> {
        let torch = self.torch_dir()?;
        let link = crate::project_root().join(".libtorch");
        if std::fs::read_link(&link).is_ok_and(|target| target == torch) {
            return Ok(torch);
        }
        if link.symlink_metadata().is_ok() {
            std::fs::remove_file(&link).with_context(|| format!("removing {}", link.display()))?;
        }
        std::os::unix::fs::symlink(&torch, &link)
            .with_context(|| format!("linking {} -> {}", link.display(), torch.display()))?;
        Ok(torch)
    }

    /// The venv's `bin` directory.
    pub fn bin(&self) -> PathBuf {
        self.venv.join("bin")
    }

    /// Points a command at this environment: `CODEQUAL_PYTHON_VENV` for the
    /// tests, and the venv's `bin` first on `PATH`.
    pub fn apply(&self, cmd: &mut Command) {
        cmd.env("CODEQUAL_PYTHON_VENV", &self.venv);
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![self.bin()];
        dirs.extend(std::env::split_paths(&path));
        if let Ok(joined) = std::env::join_paths(dirs) {
            cmd.env("PATH", joined);
        }
    }
}

/// The cache directory: `$CODEQUAL_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/codequal`, else `~/.cache/codequal`.
pub fn cache_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CODEQUAL_CACHE_DIR") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(dir).join("codequal"));
    }
    let home = std::env::var_os("HOME").context("HOME is not set; set CODEQUAL_CACHE_DIR")?;
    Ok(PathBuf::from(home).join(".cache/codequal"))
}

fn install(venv: &Path, set: &RequirementSet) -> Result<()> {
    let file = set.file();
    let pins =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let stamp = venv.join(format!(".codequal-{}.stamp", set.name));
    let want = format!(
        "{:016x}\n",
        fnv1a(pins.as_bytes()) ^ fnv1a(set.pip_args.join(" ").as_bytes())
    );
    if std::fs::read_to_string(&stamp).is_ok_and(|have| have == want) {
        return Ok(());
    }
    eprintln!("xtask: installing Python requirement set `{}`", set.name);
    let status = Command::new(venv.join("bin/python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(set.pip_args)
        .arg("-r")
        .arg(&file)
        .status()
        .context("running pip")?;
    if !status.success() {
        bail!("pip install -r {} failed", file.display());
    }
    std::fs::write(&stamp, want).with_context(|| format!("writing {}", stamp.display()))?;
    Ok(())
}

/// FNV-1a, enough to notice a changed requirements file.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
