//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use codequal_grpo::{AutoModel, LoadOptions};
use tch::Tensor;

/// The goldens written by `tests/golden/make_tiny_models.py` (via `cargo
/// xtask setup`): `$CODEQUAL_GRPO_GOLDEN`, else the cache's `grpo-golden`.
/// `None` (the test then reports that it did not run) unless
/// `CODEQUAL_REQUIRE_REFERENCE=1`, which makes their absence a failure.
pub fn golden_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("CODEQUAL_GRPO_GOLDEN")
        .map(PathBuf::from)
        .or_else(|| {
            let cache = std::env::var_os("CODEQUAL_CACHE_DIR")
                .map(PathBuf::from)
                .or_else(|| {
                    std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("codequal"))
                })
                .or_else(|| {
                    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/codequal"))
                })?;
            Some(cache.join("grpo-golden"))
        });
    match dir {
        Some(dir) if dir.join(".stamp").is_file() => Some(dir),
        _ => {
            let require = std::env::var("CODEQUAL_REQUIRE_REFERENCE").is_ok_and(|v| v == "1");
            assert!(
                !require,
                "{test}: goldens missing (CODEQUAL_REQUIRE_REFERENCE=1); run `cargo xtask setup`"
            );
            eprintln!("{test}: did not run (no goldens; `cargo xtask setup` writes them)");
            None
        }
    }
}

/// A tiny config.json for `model_type`.
pub fn tiny_config(model_type: &str, tied: bool) -> serde_json::Value {
    let arch = match model_type {
        "qwen2" => "Qwen2ForCausalLM",
        "llama" => "LlamaForCausalLM",
        "olmo2" => "Olmo2ForCausalLM",
        other => other,
    };
    serde_json::json!({
        "model_type": model_type,
        "architectures": [arch],
        "vocab_size": 50,
        "hidden_size": 32,
        "intermediate_size": 48,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "max_position_embeddings": 64,
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "tie_word_embeddings": tied,
    })
}

/// Writes a random checkpoint (config.json + model.safetensors) made by this
/// crate itself into `dir`: for tests of self-consistency and bad input,
/// not conformance.
pub fn write_tiny_checkpoint(dir: &Path, config: &serde_json::Value) {
    std::fs::create_dir_all(dir).expect("create dir");
    std::fs::write(dir.join("config.json"), config.to_string()).expect("write config");
    let named = random_vars(dir);
    Tensor::write_safetensors(&named, dir.join("model.safetensors")).expect("write safetensors");
}

/// Loads a checkpoint on CPU in f32.
pub fn load(dir: &Path) -> AutoModel {
    AutoModel::load(dir, LoadOptions::default()).expect("load checkpoint")
}

/// The model's variables, named as in a checkpoint, with random values.
pub fn random_vars(dir: &Path) -> Vec<(String, Tensor)> {
    let cfg = codequal_grpo::Config::from_file(&dir.join("config.json")).expect("config");
    let mut vs = tch::nn::VarStore::new(tch::Device::Cpu);
    match codequal_grpo::Architecture::from_config(&cfg).expect("arch") {
        codequal_grpo::Architecture::Qwen2 => {
            codequal_grpo::models::qwen2::Model::new(&cfg, vs.root()).expect("model");
        }
        codequal_grpo::Architecture::Llama => {
            codequal_grpo::models::llama::Model::new(&cfg, vs.root()).expect("model");
        }
        codequal_grpo::Architecture::Olmo2 => {
            codequal_grpo::models::olmo2::Model::new(&cfg, vs.root()).expect("model");
        }
    }
    vs.set_kind(tch::Kind::Float);
    tch::manual_seed(11);
    let mut out: Vec<(String, Tensor)> = vs
        .variables()
        .into_iter()
        .map(|(name, var)| {
            let value = if name.ends_with("norm.weight") {
                var.rand_like() * 0.4 + 0.8
            } else {
                var.randn_like() * 0.2
            };
            (name, value.detach())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Largest absolute difference of two tensors.
pub fn max_abs_diff(a: &Tensor, b: &Tensor) -> f64 {
    (a - b).abs().max().double_value(&[])
}

/// TRL's GRPO goldens, written by `tests/golden/make_trl_goldens.py` into
/// the `trl/` folder of [`golden_dir`]. Missing ones are handled like
/// missing goldens: `None`, or a failure under `CODEQUAL_REQUIRE_REFERENCE=1`.
pub fn trl_golden_dir(test: &str) -> Option<PathBuf> {
    let dir = golden_dir(test)?.join("trl");
    if dir.join(".stamp").is_file() {
        return Some(dir);
    }
    let require = std::env::var("CODEQUAL_REQUIRE_REFERENCE").is_ok_and(|v| v == "1");
    assert!(
        !require,
        "{test}: TRL goldens missing (CODEQUAL_REQUIRE_REFERENCE=1); run `cargo xtask setup`"
    );
    eprintln!("{test}: did not run (no TRL goldens; `cargo xtask setup` writes them)");
    None
}
