//! The architectures, one file each, and [`AutoModel`], which picks one from
//! a checkpoint's config.json and loads its safetensors.

pub(crate) mod common;
pub(crate) mod decoder;
pub mod llama;
pub mod olmo2;
pub mod qwen2;
mod weights;

use std::path::{Path, PathBuf};

use tch::nn::VarStore;
use tch::{Device, Kind, Tensor};

pub use common::{attention_bias, position_ids, KvCache};

use crate::config::Config;
use crate::error::{Error, Result};

/// The architectures this crate implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// Qwen2 and Qwen2.5 (`model_type: qwen2`).
    Qwen2,
    /// Llama 3.x (`model_type: llama`).
    Llama,
    /// OLMo 2 (`model_type: olmo2`).
    Olmo2,
}

impl Architecture {
    /// From config.json's `model_type`, else its `architectures`.
    pub fn from_config(cfg: &Config) -> Result<Self> {
        if let Some(model_type) = &cfg.model_type {
            return match model_type.as_str() {
                "qwen2" => Ok(Self::Qwen2),
                "llama" => Ok(Self::Llama),
                "olmo2" => Ok(Self::Olmo2),
                other => Err(Error::UnsupportedArchitecture(other.to_owned())),
            };
        }
        match cfg.architectures.first().map(String::as_str) {
            Some("Qwen2ForCausalLM") => Ok(Self::Qwen2),
            Some("LlamaForCausalLM") => Ok(Self::Llama),
            Some("Olmo2ForCausalLM") => Ok(Self::Olmo2),
            Some(other) => Err(Error::UnsupportedArchitecture(other.to_owned())),
            None => Err(Error::UnsupportedArchitecture(
                "(config.json has neither model_type nor architectures)".to_owned(),
            )),
        }
    }
}

/// How to load a checkpoint.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// Where the weights live. Default: CPU.
    pub device: Device,
    /// The weights' dtype (`Float`, `BFloat16`, `Half`); the checkpoint's
    /// tensors are converted. Default: `Float`.
    pub kind: Kind,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            device: Device::Cpu,
            kind: Kind::Float,
        }
    }
}

#[derive(Debug)]
enum Inner {
    Qwen2(qwen2::Model),
    Llama(llama::Model),
    Olmo2(olmo2::Model),
}

/// A causal language model of any supported architecture, loaded from a
/// Hugging Face checkpoint directory (config.json plus model.safetensors or
/// a sharded model.safetensors.index.json), with its variables in a
/// [`VarStore`] (trainable).
#[derive(Debug)]
pub struct AutoModel {
    /// The parsed config.json.
    pub config: Config,
    /// Which architecture.
    pub architecture: Architecture,
    /// The checkpoint directory.
    pub dir: PathBuf,
    /// The model's variables, named as in the checkpoint.
    pub vs: VarStore,
    inner: Inner,
}

impl AutoModel {
    /// Loads `dir`. Errors name the missing file, the missing tensor or the
    /// mis-shaped one; an unknown architecture is
    /// [`Error::UnsupportedArchitecture`].
    pub fn load(dir: impl AsRef<Path>, opts: LoadOptions) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        let config_path = dir.join("config.json");
        if !config_path.is_file() {
            return Err(Error::Checkpoint {
                dir,
                message: "no config.json".into(),
            });
        }
        let config = Config::from_file(&config_path)?;
        let architecture = Architecture::from_config(&config)?;
        let mut vs = VarStore::new(opts.device);
        let root = vs.root();
        let inner = match architecture {
            Architecture::Qwen2 => Inner::Qwen2(qwen2::Model::new(&config, root)?),
            Architecture::Llama => Inner::Llama(llama::Model::new(&config, root)?),
            Architecture::Olmo2 => Inner::Olmo2(olmo2::Model::new(&config, root)?),
        };
        vs.set_kind(opts.kind);
        weights::load(&vs, &dir)?;
        Ok(Self {
            config,
            architecture,
            dir,
            vs,
            inner,
        })
    }

    /// Final hidden states `[B, T, hidden]` for `input_ids` `[B, T]` at
    /// `position_ids` `[B, T]`, with `mask` from [`attention_bias`]. With a
    /// cache, the new keys and values are appended to it.
    pub fn forward_hidden(
        &self,
        input_ids: &Tensor,
        position_ids: &Tensor,
        mask: &Tensor,
        cache: Option<&mut KvCache>,
    ) -> Tensor {
        match &self.inner {
            Inner::Qwen2(m) => m.forward_hidden(input_ids, position_ids, mask, cache),
            Inner::Llama(m) => m.forward_hidden(input_ids, position_ids, mask, cache),
            Inner::Olmo2(m) => m.forward_hidden(input_ids, position_ids, mask, cache),
        }
    }

    /// Logits `[.., vocab]` from hidden states (in the weights' dtype).
    pub fn lm_head(&self, hidden: &Tensor) -> Tensor {
        match &self.inner {
            Inner::Qwen2(m) => m.lm_head(hidden),
            Inner::Llama(m) => m.lm_head(hidden),
            Inner::Olmo2(m) => m.lm_head(hidden),
        }
    }

    /// Logits `[B, T, vocab]` of a left-padded batch: `attention_mask`
    /// `[B, T]` is 1 on tokens and 0 on padding; positions are computed from
    /// it as transformers' generate does.
    pub fn forward(&self, input_ids: &Tensor, attention_mask: &Tensor) -> Result<Tensor> {
        self.check_ids(input_ids)?;
        let t = input_ids.size().get(1).copied().unwrap_or(0);
        let mask = attention_bias(attention_mask, 0, t);
        let hidden = self.forward_hidden(input_ids, &position_ids(attention_mask), &mask, None);
        Ok(self.lm_head(&hidden))
    }

    /// An empty KV cache sized for this model.
    pub fn new_cache(&self) -> KvCache {
        KvCache::new(self.config.num_hidden_layers)
    }

    /// The device of the weights.
    pub fn device(&self) -> Device {
        self.vs.device()
    }

    /// Rejects ids outside the vocabulary (libtorch would abort on them).
    pub(crate) fn check_ids(&self, ids: &Tensor) -> Result<()> {
        if ids.numel() == 0 {
            return Ok(());
        }
        let max = ids.max().int64_value(&[]);
        let min = ids.min().int64_value(&[]);
        if min < 0 || max >= self.config.vocab_size as i64 {
            return Err(Error::InvalidInput(format!(
                "token id outside the vocabulary [0, {}): saw {min}..={max}",
                self.config.vocab_size
            )));
        }
        Ok(())
    }
}

/// Fills a freshly built model's variables for a random checkpoint, as
/// transformers initialises these architectures: norm weights 1, biases 0,
/// every other tensor N(0, `std`). Variables are visited in name order, so
/// the same libtorch seed gives the same weights.
pub fn init_random_weights(vs: &VarStore, std: f64) {
    tch::no_grad(|| {
        let mut vars: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
        vars.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, mut t) in vars {
            if name.ends_with("norm.weight") {
                let _ = t.fill_(1.0);
            } else if name.ends_with(".bias") {
                let _ = t.zero_();
            } else {
                let _ = t.normal_(0.0, std);
            }
        }
    });
}
