//! The decoder stack every architecture here shares: token embedding, N
//! layers (the architecture's own), final RMSNorm, tied or untied `lm_head`.

use tch::nn::Path;
use tch::Tensor;

use crate::config::Config;
use crate::error::Result;
use crate::models::common::{weight, KvCache, Linear, NormOrder, RmsNorm, Rope};

/// One decoder layer of an architecture.
pub(crate) trait DecoderLayer {
    /// `x` `[B, T, hidden]` -> `[B, T, hidden]`.
    fn forward(
        &self,
        x: &Tensor,
        cos_sin: (&Tensor, &Tensor),
        mask: &Tensor,
        cache: Option<&mut Option<(Tensor, Tensor)>>,
    ) -> Tensor;
}

#[derive(Debug)]
pub(crate) struct Decoder<L> {
    embed_tokens: Tensor,
    layers: Vec<L>,
    norm: RmsNorm,
    /// `None` when tied to the embedding.
    lm_head: Option<Linear>,
    rope: Rope,
}

impl<L: DecoderLayer> Decoder<L> {
    pub(crate) fn new(
        cfg: &Config,
        root: Path,
        layer: impl Fn(&Config, Path) -> L,
        norm_order: NormOrder,
    ) -> Result<Self> {
        let model = &root / "model";
        let embed_tokens = weight(
            &(&model / "embed_tokens"),
            "weight",
            &[cfg.vocab_size as i64, cfg.hidden_size as i64],
        );
        let layers_path = &model / "layers";
        let layers = (0..cfg.num_hidden_layers)
            .map(|n| layer(cfg, &layers_path / n))
            .collect();
        let norm = RmsNorm::new(
            &model / "norm",
            cfg.hidden_size,
            cfg.rms_norm_eps,
            norm_order,
        );
        let lm_head = (!cfg.tie_word_embeddings)
            .then(|| Linear::new(&root / "lm_head", cfg.hidden_size, cfg.vocab_size, false));
        Ok(Self {
            embed_tokens,
            layers,
            norm,
            lm_head,
            rope: Rope::new(cfg, root.device())?,
        })
    }

    pub(crate) fn forward_hidden(
        &self,
        input_ids: &Tensor,
        position_ids: &Tensor,
        mask: &Tensor,
        mut cache: Option<&mut KvCache>,
    ) -> Tensor {
        let mut x = Tensor::embedding(&self.embed_tokens, input_ids, -1, false, false);
        let (cos, sin) = self.rope.cos_sin(position_ids, x.kind());
        for (i, layer) in self.layers.iter().enumerate() {
            let slot = cache.as_deref_mut().and_then(|c| c.layer_mut(i));
            x = layer.forward(&x, (&cos, &sin), mask, slot);
        }
        self.norm.forward(&x)
    }

    pub(crate) fn lm_head(&self, hidden: &Tensor) -> Tensor {
        match &self.lm_head {
            Some(head) => head.forward(hidden),
            None => hidden.linear::<&Tensor>(&self.embed_tokens, None),
        }
    }
}
