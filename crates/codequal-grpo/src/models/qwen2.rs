//! Qwen2 / Qwen2.5, as transformers' `models/qwen2/modeling_qwen2.py`:
//! pre-norm decoder layers, q/k/v projections with bias (o_proj and the MLP
//! without), RoPE, GQA, tied or untied `lm_head`.

use tch::nn::Path;
use tch::Tensor;

use crate::config::Config;
use crate::error::Result;
use crate::models::common::{Attention, AttentionOptions, KvCache, Mlp, NormOrder, RmsNorm};
use crate::models::decoder::{Decoder, DecoderLayer};

#[derive(Debug)]
struct Layer {
    self_attn: Attention,
    mlp: Mlp,
    input_layernorm: RmsNorm,
    post_attention_layernorm: RmsNorm,
}

impl Layer {
    fn new(cfg: &Config, path: Path) -> Self {
        let eps = cfg.rms_norm_eps;
        let opts = AttentionOptions {
            qkv_bias: true,
            o_bias: false,
            qk_norm: false,
        };
        Self {
            self_attn: Attention::new(cfg, &path / "self_attn", opts),
            mlp: Mlp::new(cfg, &path / "mlp"),
            input_layernorm: RmsNorm::new(
                &path / "input_layernorm",
                cfg.hidden_size,
                eps,
                NormOrder::CastThenWeight,
            ),
            post_attention_layernorm: RmsNorm::new(
                &path / "post_attention_layernorm",
                cfg.hidden_size,
                eps,
                NormOrder::CastThenWeight,
            ),
        }
    }
}

impl DecoderLayer for Layer {
    fn forward(
        &self,
        x: &Tensor,
        cos_sin: (&Tensor, &Tensor),
        mask: &Tensor,
        cache: Option<&mut Option<(Tensor, Tensor)>>,
    ) -> Tensor {
        let h = x + self
            .self_attn
            .forward(&self.input_layernorm.forward(x), cos_sin, mask, cache);
        let out = self.mlp.forward(&self.post_attention_layernorm.forward(&h));
        h + out
    }
}

/// A Qwen2 causal language model.
#[derive(Debug)]
pub struct Model {
    decoder: Decoder<Layer>,
}

impl Model {
    /// Declares the weights under `root` (HF names: `model.layers.N...`,
    /// `lm_head.weight` unless tied).
    pub fn new(cfg: &Config, root: Path) -> Result<Self> {
        Ok(Self {
            decoder: Decoder::new(cfg, root, Layer::new, NormOrder::CastThenWeight)?,
        })
    }

    /// Final hidden states `[B, T, hidden]` (after the last norm).
    pub fn forward_hidden(
        &self,
        input_ids: &Tensor,
        position_ids: &Tensor,
        mask: &Tensor,
        cache: Option<&mut KvCache>,
    ) -> Tensor {
        self.decoder
            .forward_hidden(input_ids, position_ids, mask, cache)
    }

    /// The language-model head: logits `[.., vocab]` from hidden states.
    pub fn lm_head(&self, hidden: &Tensor) -> Tensor {
        self.decoder.lm_head(hidden)
    }
}
