//! OLMo 2, as transformers' `models/olmo2/modeling_olmo2.py`: norms after
//! attention and MLP instead of before (`h = x + norm(attn(x))`), QK-norm
//! over the whole q and k projections before RoPE, RMSNorm that multiplies
//! by its weight before casting back, no biases.

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
    post_attention_layernorm: RmsNorm,
    post_feedforward_layernorm: RmsNorm,
}

impl Layer {
    fn new(cfg: &Config, path: Path) -> Self {
        let eps = cfg.rms_norm_eps;
        let opts = AttentionOptions {
            qkv_bias: cfg.attention_bias,
            o_bias: cfg.attention_bias,
            qk_norm: true,
        };
        Self {
            self_attn: Attention::new(cfg, &path / "self_attn", opts),
            mlp: Mlp::new(cfg, &path / "mlp"),
            post_attention_layernorm: RmsNorm::new(
                &path / "post_attention_layernorm",
                cfg.hidden_size,
                eps,
                NormOrder::WeightThenCast,
            ),
            post_feedforward_layernorm: RmsNorm::new(
                &path / "post_feedforward_layernorm",
                cfg.hidden_size,
                eps,
                NormOrder::WeightThenCast,
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
        let attn = self.self_attn.forward(x, cos_sin, mask, cache);
        let h = x + self.post_attention_layernorm.forward(&attn);
        let out = self
            .post_feedforward_layernorm
            .forward(&self.mlp.forward(&h));
        h + out
    }
}

/// An OLMo 2 causal language model.
#[derive(Debug)]
pub struct Model {
    decoder: Decoder<Layer>,
}

impl Model {
    /// Declares the weights under `root` (HF names: `model.layers.N...`,
    /// `lm_head.weight` unless tied).
    pub fn new(cfg: &Config, root: Path) -> Result<Self> {
        Ok(Self {
            decoder: Decoder::new(cfg, root, Layer::new, NormOrder::WeightThenCast)?,
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
