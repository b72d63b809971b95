//! Fills a [`VarStore`] from a checkpoint's safetensors, single or sharded,
//! with the Hugging Face names unchanged.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde::Deserialize;
use tch::nn::VarStore;
use tch::Tensor;

use crate::error::{Error, Result};

#[derive(Deserialize)]
struct Index {
    weight_map: HashMap<String, String>,
}

/// Copies every variable of `vs` from the checkpoint in `dir`, converting to
/// the variable's dtype and device. Extra tensors in the checkpoint are
/// ignored; a missing or mis-shaped one is an error naming it.
pub(crate) fn load(vs: &VarStore, dir: &Path) -> Result<()> {
    let files = shard_files(dir)?;
    let mut wanted = vs.variables();
    for file in &files {
        let tensors = Tensor::read_safetensors(file).map_err(|e| Error::Checkpoint {
            dir: dir.to_path_buf(),
            message: format!("reading {}: {e}", file.display()),
        })?;
        for (name, value) in tensors {
            let Some(var) = wanted.remove(&name) else {
                continue;
            };
            if var.size() != value.size() {
                return Err(Error::TensorShape {
                    name,
                    expected: var.size(),
                    found: value.size(),
                });
            }
            tch::no_grad(|| var.shallow_clone().f_copy_(&value))?;
        }
    }
    let mut missing: Vec<String> = wanted.into_keys().collect();
    missing.sort();
    match missing.into_iter().next() {
        Some(name) => Err(Error::MissingTensor {
            dir: dir.to_path_buf(),
            name,
        }),
        None => Ok(()),
    }
}

/// model.safetensors.index.json's shards, else model.safetensors.
fn shard_files(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let index_path = dir.join("model.safetensors.index.json");
    if index_path.is_file() {
        let text = std::fs::read_to_string(&index_path).map_err(|source| Error::Io {
            path: index_path.clone(),
            source,
        })?;
        let index: Index = serde_json::from_str(&text).map_err(|source| Error::Json {
            path: index_path.clone(),
            source,
        })?;
        let shards: BTreeSet<String> = index.weight_map.into_values().collect();
        let mut files = Vec::with_capacity(shards.len());
        for shard in shards {
            let file = dir.join(&shard);
            if !file.is_file() {
                return Err(Error::Checkpoint {
                    dir: dir.to_path_buf(),
                    message: format!(
                        "model.safetensors.index.json names {shard}, which is missing"
                    ),
                });
            }
            files.push(file);
        }
        return Ok(files);
    }
    let single = dir.join("model.safetensors");
    if single.is_file() {
        return Ok(vec![single]);
    }
    Err(Error::Checkpoint {
        dir: dir.to_path_buf(),
        message: "neither model.safetensors nor model.safetensors.index.json".into(),
    })
}
