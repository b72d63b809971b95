//! `Config`: the fields of a Hugging Face config.json that Qwen2, Llama 3 and
//! OLMo 2 share, read straight from the file.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// A decoder-only transformer's config.json. Field names are Hugging Face's.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// `qwen2`, `llama`, `olmo2`, ...
    #[serde(default)]
    pub model_type: Option<String>,
    /// E.g. `["Qwen2ForCausalLM"]`.
    #[serde(default)]
    pub architectures: Vec<String>,
    /// Vocabulary size (rows of the embedding).
    pub vocab_size: usize,
    /// Width of the residual stream.
    pub hidden_size: usize,
    /// Width of the MLP's hidden layer.
    pub intermediate_size: usize,
    /// Number of decoder layers.
    pub num_hidden_layers: usize,
    /// Query heads.
    pub num_attention_heads: usize,
    /// Key/value heads (GQA). Default: `num_attention_heads`.
    #[serde(default)]
    pub num_key_value_heads: Option<usize>,
    /// Per-head width. Default: `hidden_size / num_attention_heads`.
    #[serde(default)]
    pub head_dim: Option<usize>,
    /// Context length. Default 2048 (Llama's default).
    #[serde(default = "default_max_position_embeddings")]
    pub max_position_embeddings: usize,
    /// RMSNorm epsilon. Default 1e-6.
    #[serde(default = "default_rms_norm_eps")]
    pub rms_norm_eps: f64,
    /// RoPE base (older files). Default 10000 when neither form gives one.
    #[serde(default)]
    pub rope_theta: Option<f64>,
    /// RoPE scaling (older files), e.g. `{"rope_type": "llama3", ...}`.
    #[serde(default)]
    pub rope_scaling: Option<RopeParameters>,
    /// RoPE base and scaling in one object (transformers >= 5).
    #[serde(default)]
    pub rope_parameters: Option<RopeParameters>,
    /// Whether `lm_head` reuses the embedding. Default false.
    #[serde(default)]
    pub tie_word_embeddings: bool,
    /// Bias on q/k/v/o projections (Llama's `attention_bias`). Default false;
    /// Qwen2 always has q/k/v biases.
    #[serde(default)]
    pub attention_bias: bool,
    /// Bias on the MLP projections. Default false.
    #[serde(default)]
    pub mlp_bias: bool,
    /// Activation; only `silu` is supported. Default `silu`.
    #[serde(default = "default_hidden_act")]
    pub hidden_act: String,
    /// EOS id(s) from config.json (generation_config.json takes precedence).
    #[serde(default)]
    pub eos_token_id: Option<TokenIds>,
}

/// RoPE parameters, in either the `rope_scaling` or the `rope_parameters`
/// form (the latter also carries `rope_theta`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RopeParameters {
    /// `default`, `llama3`, ... (`type` in older files).
    #[serde(default, alias = "type")]
    pub rope_type: Option<String>,
    /// RoPE base, in the `rope_parameters` form.
    #[serde(default)]
    pub rope_theta: Option<f64>,
    /// Scaling factor (llama3).
    #[serde(default)]
    pub factor: Option<f64>,
    /// llama3's low frequency factor.
    #[serde(default)]
    pub low_freq_factor: Option<f64>,
    /// llama3's high frequency factor.
    #[serde(default)]
    pub high_freq_factor: Option<f64>,
    /// llama3's original context length.
    #[serde(default)]
    pub original_max_position_embeddings: Option<f64>,
}

/// One token id or several (`eos_token_id` may be either).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TokenIds {
    /// A single id.
    One(i64),
    /// Several ids.
    Many(Vec<i64>),
}

impl TokenIds {
    /// The ids as a list.
    pub fn to_vec(&self) -> Vec<i64> {
        match self {
            Self::One(id) => vec![*id],
            Self::Many(ids) => ids.clone(),
        }
    }
}

fn default_max_position_embeddings() -> usize {
    2048
}
fn default_rms_norm_eps() -> f64 {
    1e-6
}
fn default_hidden_act() -> String {
    "silu".to_owned()
}

/// The RoPE variant, resolved from either config form.
#[derive(Debug, Clone, PartialEq)]
pub enum RopeScaling {
    /// Plain RoPE.
    None,
    /// Llama 3's frequency-dependent scaling.
    Llama3 {
        /// `factor`.
        factor: f64,
        /// `low_freq_factor`.
        low_freq_factor: f64,
        /// `high_freq_factor`.
        high_freq_factor: f64,
        /// `original_max_position_embeddings`.
        original_max_position_embeddings: f64,
    },
}

impl Config {
    /// Reads and checks `config.json`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let config: Self = serde_json::from_str(&text).map_err(|source| Error::Json {
            path: path.to_path_buf(),
            source,
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<()> {
        if self.num_attention_heads == 0 || self.num_hidden_layers == 0 || self.hidden_size == 0 {
            return Err(Error::Config(
                "hidden_size, num_attention_heads and num_hidden_layers must be positive".into(),
            ));
        }
        if self.head_dim.is_none() && self.hidden_size % self.num_attention_heads != 0 {
            return Err(Error::Config(format!(
                "hidden_size {} is not divisible by num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            )));
        }
        let kv = self.num_kv_heads();
        if kv == 0 || self.num_attention_heads % kv != 0 {
            return Err(Error::Config(format!(
                "num_attention_heads {} is not a multiple of num_key_value_heads {kv}",
                self.num_attention_heads
            )));
        }
        if self.head_dim() % 2 != 0 {
            return Err(Error::Config(format!(
                "head_dim {} is odd",
                self.head_dim()
            )));
        }
        if self.hidden_act != "silu" {
            return Err(Error::Config(format!(
                "hidden_act `{}` is not supported (only silu)",
                self.hidden_act
            )));
        }
        self.rope_scaling_kind()?;
        Ok(())
    }

    /// Key/value heads.
    pub fn num_kv_heads(&self) -> usize {
        self.num_key_value_heads.unwrap_or(self.num_attention_heads)
    }

    /// Per-head width.
    pub fn head_dim(&self) -> usize {
        self.head_dim
            .unwrap_or(self.hidden_size / self.num_attention_heads.max(1))
    }

    /// The RoPE base: `rope_parameters.rope_theta`, else `rope_theta`, else
    /// 10000.
    pub fn rope_theta(&self) -> f64 {
        self.rope_parameters
            .as_ref()
            .and_then(|p| p.rope_theta)
            .or(self.rope_theta)
            .unwrap_or(10_000.0)
    }

    /// The RoPE variant from `rope_parameters` or `rope_scaling`.
    pub fn rope_scaling_kind(&self) -> Result<RopeScaling> {
        let Some(p) = self.rope_parameters.as_ref().or(self.rope_scaling.as_ref()) else {
            return Ok(RopeScaling::None);
        };
        match p.rope_type.as_deref() {
            None | Some("default") => Ok(RopeScaling::None),
            Some("llama3") => {
                let need = |v: Option<f64>, name: &str| {
                    v.ok_or_else(|| Error::Config(format!("llama3 rope scaling lacks `{name}`")))
                };
                Ok(RopeScaling::Llama3 {
                    factor: need(p.factor, "factor")?,
                    low_freq_factor: need(p.low_freq_factor, "low_freq_factor")?,
                    high_freq_factor: need(p.high_freq_factor, "high_freq_factor")?,
                    original_max_position_embeddings: need(
                        p.original_max_position_embeddings,
                        "original_max_position_embeddings",
                    )?,
                })
            }
            Some(other) => Err(Error::Config(format!(
                "rope type `{other}` is not supported (default, llama3)"
            ))),
        }
    }
}
