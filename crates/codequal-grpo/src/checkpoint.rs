//! Training checkpoints: a Hugging Face checkpoint directory (config.json,
//! generation_config.json, tokenizer files, model.safetensors with the HF
//! tensor names, loadable by transformers as is) plus the trainer's own
//! state: `optimizer.safetensors` (AdamW moments and step) and
//! `trainer_state.json` (step, data position, RNG seed, anything the loop
//! needs to continue exactly).
//!
//! Writes are atomic: everything goes into a hidden temporary directory
//! beside the final one, each file is flushed to disk, and one `rename`
//! publishes it; a crash (or a full disk) mid-write leaves the previous
//! checkpoints untouched and at most a `.tmp-*` directory, which the next
//! save removes. Only the newest `keep_last` checkpoints are kept.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{de::DeserializeOwned, Serialize};
use tch::nn::VarStore;
use tch::Tensor;

use crate::error::{Error, Result};

/// Files copied from the source checkpoint so a saved one is complete.
pub const COPIED_FILES: &[&str] = &[
    "config.json",
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "chat_template.jinja",
];

/// The name of the checkpoint of optimizer step `step`.
pub fn checkpoint_name(step: usize) -> String {
    format!("checkpoint-{step:06}")
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn tch_io(path: &Path, e: tch::TchError) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

fn sync_file(path: &Path) -> Result<()> {
    fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io(path))
}

/// Writes the checkpoint of `step` under `root` atomically and prunes old
/// ones. `source_dir` is the model directory whose config and tokenizer
/// files are copied; `state` is the trainer's JSON state. Returns the
/// checkpoint's path.
pub fn save<S: Serialize>(
    root: &Path,
    step: usize,
    vs: &VarStore,
    source_dir: &Path,
    optimizer: Option<&crate::optim::AdamW>,
    state: &S,
    keep_last: usize,
) -> Result<PathBuf> {
    fs::create_dir_all(root).map_err(io(root))?;
    remove_stale_temporaries(root)?;
    let name = checkpoint_name(step);
    let final_dir = root.join(&name);
    let tmp = root.join(format!(".tmp-{name}-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    fs::create_dir(&tmp).map_err(io(&tmp))?;
    let written = (|| -> Result<()> {
        for file in COPIED_FILES {
            let src = source_dir.join(file);
            if src.is_file() {
                let dst = tmp.join(file);
                fs::copy(&src, &dst).map_err(io(&dst))?;
                sync_file(&dst)?;
            }
        }
        let weights = tmp.join("model.safetensors");
        save_weights(vs, &weights)?;
        sync_file(&weights)?;
        if let Some(opt) = optimizer {
            let path = tmp.join("optimizer.safetensors");
            opt.save(&path)?;
            sync_file(&path)?;
        }
        let path = tmp.join("trainer_state.json");
        let json = serde_json::to_vec_pretty(state).map_err(|e| Error::Json {
            path: path.clone(),
            source: e,
        })?;
        fs::write(&path, json).map_err(io(&path))?;
        sync_file(&path)?;
        Ok(())
    })();
    if let Err(e) = written {
        // Leave nothing half-written behind; the older checkpoints stand.
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if final_dir.exists() {
        fs::remove_dir_all(&final_dir).map_err(io(&final_dir))?;
    }
    fs::rename(&tmp, &final_dir).map_err(io(&final_dir))?;
    if let Ok(dir) = fs::File::open(root) {
        let _ = dir.sync_all();
    }
    prune(root, keep_last.max(1))?;
    Ok(final_dir)
}

/// Writes the variables as one safetensors file with their HF names, in
/// their dtype, on the CPU.
pub fn save_weights(vs: &VarStore, path: &Path) -> Result<()> {
    let mut named: Vec<(String, Tensor)> = vs
        .variables()
        .into_iter()
        .map(|(name, t)| (name, t.detach().to_device(tch::Device::Cpu).contiguous()))
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    Tensor::write_safetensors(&named, path).map_err(|e| tch_io(path, e))
}

fn remove_stale_temporaries(root: &Path) -> Result<()> {
    for entry in fs::read_dir(root).map_err(io(root))?.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(".tmp-checkpoint-")
        {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
    Ok(())
}

/// The complete checkpoints under `root`, oldest first, as (step, path).
pub fn list(root: &Path) -> Result<Vec<(usize, PathBuf)>> {
    if !root.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in fs::read_dir(root).map_err(io(root))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(step) = name
            .strip_prefix("checkpoint-")
            .and_then(|s| s.parse::<usize>().ok())
        else {
            continue;
        };
        let path = entry.path();
        if path.join("trainer_state.json").is_file() && path.join("model.safetensors").is_file() {
            out.push((step, path));
        }
    }
    out.sort();
    Ok(out)
}

/// The newest complete checkpoint under `root`.
pub fn latest(root: &Path) -> Result<Option<PathBuf>> {
    Ok(list(root)?.pop().map(|(_, p)| p))
}

fn prune(root: &Path, keep: usize) -> Result<()> {
    let all = list(root)?;
    let excess = all.len().saturating_sub(keep);
    for (_, path) in all.into_iter().take(excess) {
        fs::remove_dir_all(&path).map_err(io(&path))?;
    }
    Ok(())
}

/// Reads a checkpoint's `trainer_state.json`.
pub fn read_state<S: DeserializeOwned>(dir: &Path) -> Result<S> {
    let path = dir.join("trainer_state.json");
    let text = fs::read_to_string(&path).map_err(io(&path))?;
    serde_json::from_str(&text).map_err(|source| Error::Json { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_atomically_and_keeps_the_last_k() {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("src");
        fs::create_dir(&src).expect("mkdir");
        fs::write(src.join("config.json"), "{}").expect("write");
        let vs = VarStore::new(tch::Device::Cpu);
        let _w = (&vs.root() / "model").var("w", &[2, 2], tch::nn::Init::Const(1.0));
        let root = dir.path().join("ckpt");
        // A stale temporary from a crashed save is cleaned up.
        fs::create_dir_all(root.join(".tmp-checkpoint-000001-1")).expect("mkdir");
        for step in 1..=4 {
            save(
                &root,
                step,
                &vs,
                &src,
                None,
                &serde_json::json!({"step": step}),
                2,
            )
            .expect("save");
        }
        let steps: Vec<usize> = list(&root)
            .expect("list")
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        assert_eq!(steps, vec![3, 4]);
        let latest = latest(&root).expect("latest").expect("some");
        let state: serde_json::Value = read_state(&latest).expect("state");
        assert_eq!(state["step"], 4);
        assert!(latest.join("config.json").is_file());
        let names: Vec<String> = fs::read_dir(&root)
            .expect("read")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with(".tmp")), "{names:?}");
        let tensors = Tensor::read_safetensors(latest.join("model.safetensors")).expect("read");
        assert_eq!(tensors[0].0, "model.w");
    }

    #[test]
    fn a_failed_save_leaves_the_previous_checkpoint() {
        let dir = tempfile::tempdir().expect("tempdir");
        let vs = VarStore::new(tch::Device::Cpu);
        let _w = vs.root().var("w", &[1], tch::nn::Init::Const(1.0));
        let root = dir.path().join("ckpt");
        save(&root, 1, &vs, dir.path(), None, &1, 3).expect("save");
        // A state that cannot serialise (non-string map keys) fails the save.
        let bad: std::collections::HashMap<(i32, i32), i32> = [((1, 2), 3)].into();
        assert!(save(&root, 2, &vs, dir.path(), None, &bad, 3).is_err());
        let steps: Vec<usize> = list(&root)
            .expect("list")
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        assert_eq!(steps, vec![1]);
        assert_eq!(fs::read_dir(&root).expect("read").count(), 1);
    }
}
