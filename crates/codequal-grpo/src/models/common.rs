//! Parts the architectures share, with Hugging Face semantics: linear
//! layers, RMSNorm (both orders of weight and cast), RoPE (default and Llama 3
//! scaling), the SwiGLU MLP, attention with GQA, QK-norm and a KV cache, and
//! the additive attention mask for left-padded batches.
//!
//! References: transformers `models/llama/modeling_llama.py`,
//! `models/olmo2/modeling_olmo2.py`, `modeling_rope_utils.py`.

use tch::nn::{Init, Path};
use tch::{Device, Kind, Tensor};

use crate::config::{Config, RopeScaling};
use crate::error::Result;

/// A variable that the checkpoint fills. Created as zeros (cheap; no random
/// initialisation of billions of weights that are overwritten at once).
pub(crate) fn weight(path: &Path, name: &str, dims: &[i64]) -> Tensor {
    path.var(name, dims, Init::Const(0.0))
}

/// `nn.Linear` with Hugging Face's `[out, in]` weight.
#[derive(Debug)]
pub(crate) struct Linear {
    weight: Tensor,
    bias: Option<Tensor>,
}

impl Linear {
    pub(crate) fn new(path: Path, in_dim: usize, out_dim: usize, bias: bool) -> Self {
        let weight = weight(&path, "weight", &[out_dim as i64, in_dim as i64]);
        let bias = bias.then(|| weight_bias(&path, out_dim));
        Self { weight, bias }
    }

    pub(crate) fn forward(&self, x: &Tensor) -> Tensor {
        x.linear(&self.weight, self.bias.as_ref())
    }
}

fn weight_bias(path: &Path, out_dim: usize) -> Tensor {
    weight(path, "bias", &[out_dim as i64])
}

/// Where RMSNorm applies its weight relative to the cast back to the input
/// dtype: Llama/Qwen2 cast first (`weight * x.to(dtype)`), OLMo 2 multiplies
/// first (`(weight * x).to(dtype)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NormOrder {
    CastThenWeight,
    WeightThenCast,
}

/// RMSNorm computed in fp32.
#[derive(Debug)]
pub(crate) struct RmsNorm {
    weight: Tensor,
    eps: f64,
    order: NormOrder,
}

impl RmsNorm {
    pub(crate) fn new(path: Path, dim: usize, eps: f64, order: NormOrder) -> Self {
        Self {
            weight: weight(&path, "weight", &[dim as i64]),
            eps,
            order,
        }
    }

    pub(crate) fn forward(&self, x: &Tensor) -> Tensor {
        let kind = x.kind();
        let xf = x.to_kind(Kind::Float);
        let variance = xf.pow_tensor_scalar(2).mean_dim(-1, true, Kind::Float);
        let normed = xf * (variance + self.eps).rsqrt();
        match self.order {
            NormOrder::CastThenWeight => &self.weight * normed.to_kind(kind),
            NormOrder::WeightThenCast => (&self.weight * normed).to_kind(kind),
        }
    }
}

/// Rotary position embedding (NeoX `rotate_half` layout).
#[derive(Debug)]
pub(crate) struct Rope {
    /// `[head_dim / 2]`, fp32.
    inv_freq: Tensor,
}

impl Rope {
    pub(crate) fn new(cfg: &Config, device: Device) -> Result<Self> {
        let dim = cfg.head_dim();
        let theta = cfg.rope_theta() as f32;
        let mut inv_freq: Vec<f32> = (0..dim)
            .step_by(2)
            .map(|i| 1.0 / theta.powf(i as f32 / dim as f32))
            .collect();
        if let RopeScaling::Llama3 {
            factor,
            low_freq_factor,
            high_freq_factor,
            original_max_position_embeddings: old,
        } = cfg.rope_scaling_kind()?
        {
            let (factor, low, high, old) = (
                factor as f32,
                low_freq_factor as f32,
                high_freq_factor as f32,
                old as f32,
            );
            let low_freq_wavelen = old / low;
            let high_freq_wavelen = old / high;
            for f in &mut inv_freq {
                let wavelen = 2.0 * std::f32::consts::PI / *f;
                let scaled = if wavelen > low_freq_wavelen {
                    *f / factor
                } else {
                    *f
                };
                // Finite wavelengths here, so this is transformers' `~(w < high) * ~(w > low)`.
                let medium = wavelen >= high_freq_wavelen && wavelen <= low_freq_wavelen;
                *f = if medium {
                    let smooth = (old / wavelen - low) / (high - low);
                    (1.0 - smooth) * scaled / factor + smooth * scaled
                } else {
                    scaled
                };
            }
        }
        Ok(Self {
            inv_freq: Tensor::from_slice(&inv_freq).to_device(device),
        })
    }

    /// cos and sin for `position_ids` `[B, T]`, each `[B, 1, T, head_dim]`
    /// in `kind`.
    pub(crate) fn cos_sin(&self, position_ids: &Tensor, kind: Kind) -> (Tensor, Tensor) {
        let freqs = position_ids.to_kind(Kind::Float).unsqueeze(-1) * &self.inv_freq;
        let emb = Tensor::cat(&[&freqs, &freqs], -1).unsqueeze(1);
        (emb.cos().to_kind(kind), emb.sin().to_kind(kind))
    }
}

fn rotate_half(x: &Tensor) -> Tensor {
    let half = x.size().last().copied().unwrap_or(0) / 2;
    let x1 = x.narrow(-1, 0, half);
    let x2 = x.narrow(-1, half, half);
    Tensor::cat(&[&x2.neg(), &x1], -1)
}

fn apply_rope(x: &Tensor, cos: &Tensor, sin: &Tensor) -> Tensor {
    x * cos + rotate_half(x) * sin
}

/// `down(silu(gate(x)) * up(x))`.
#[derive(Debug)]
pub(crate) struct Mlp {
    gate_proj: Linear,
    up_proj: Linear,
    down_proj: Linear,
}

impl Mlp {
    pub(crate) fn new(cfg: &Config, path: Path) -> Self {
        let (h, i, b) = (cfg.hidden_size, cfg.intermediate_size, cfg.mlp_bias);
        Self {
            gate_proj: Linear::new(&path / "gate_proj", h, i, b),
            up_proj: Linear::new(&path / "up_proj", h, i, b),
            down_proj: Linear::new(&path / "down_proj", i, h, b),
        }
    }

    pub(crate) fn forward(&self, x: &Tensor) -> Tensor {
        self.down_proj
            .forward(&(self.gate_proj.forward(x).silu() * self.up_proj.forward(x)))
    }
}

/// Per-layer keys and values of the positions seen so far.
#[derive(Debug, Default)]
pub struct KvCache {
    layers: Vec<Option<(Tensor, Tensor)>>,
}

impl KvCache {
    /// An empty cache for `num_layers` layers.
    pub fn new(num_layers: usize) -> Self {
        Self {
            layers: (0..num_layers).map(|_| None).collect(),
        }
    }

    /// Positions cached (0 when empty).
    pub fn seq_len(&self) -> i64 {
        self.layers
            .first()
            .and_then(Option::as_ref)
            .map_or(0, |(k, _)| k.size().get(2).copied().unwrap_or(0))
    }

    pub(crate) fn layer_mut(&mut self, i: usize) -> Option<&mut Option<(Tensor, Tensor)>> {
        self.layers.get_mut(i)
    }

    /// Keeps only the rows (sequences) in `rows`, e.g. to drop finished ones.
    pub fn select_rows(&mut self, rows: &Tensor) {
        for (k, v) in self.layers.iter_mut().flatten() {
            *k = k.index_select(0, rows);
            *v = v.index_select(0, rows);
        }
    }
}

/// Options of one attention flavour.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AttentionOptions {
    /// Bias on q/k/v (Qwen2).
    pub qkv_bias: bool,
    /// Bias on o_proj.
    pub o_bias: bool,
    /// OLMo 2's RMSNorm over the whole q and k projections.
    pub qk_norm: bool,
}

/// Multi-head attention with grouped KV heads.
#[derive(Debug)]
pub(crate) struct Attention {
    q_proj: Linear,
    k_proj: Linear,
    v_proj: Linear,
    o_proj: Linear,
    qk_norm: Option<(RmsNorm, RmsNorm)>,
    num_heads: i64,
    num_kv_heads: i64,
    head_dim: i64,
}

impl Attention {
    pub(crate) fn new(cfg: &Config, path: Path, opts: AttentionOptions) -> Self {
        let (h, d) = (cfg.hidden_size, cfg.head_dim());
        let (nh, nkv) = (cfg.num_attention_heads, cfg.num_kv_heads());
        let qk_norm = opts.qk_norm.then(|| {
            (
                RmsNorm::new(
                    &path / "q_norm",
                    nh * d,
                    cfg.rms_norm_eps,
                    NormOrder::WeightThenCast,
                ),
                RmsNorm::new(
                    &path / "k_norm",
                    nkv * d,
                    cfg.rms_norm_eps,
                    NormOrder::WeightThenCast,
                ),
            )
        });
        Self {
            q_proj: Linear::new(&path / "q_proj", h, nh * d, opts.qkv_bias),
            k_proj: Linear::new(&path / "k_proj", h, nkv * d, opts.qkv_bias),
            v_proj: Linear::new(&path / "v_proj", h, nkv * d, opts.qkv_bias),
            o_proj: Linear::new(&path / "o_proj", nh * d, h, opts.o_bias),
            qk_norm,
            num_heads: nh as i64,
            num_kv_heads: nkv as i64,
            head_dim: d as i64,
        }
    }

    /// `x` `[B, T, hidden]`; `mask` additive `[B, 1, T, S]` fp32 where S
    /// counts cached plus new positions.
    pub(crate) fn forward(
        &self,
        x: &Tensor,
        (cos, sin): (&Tensor, &Tensor),
        mask: &Tensor,
        cache: Option<&mut Option<(Tensor, Tensor)>>,
    ) -> Tensor {
        let (b, t) = (x.size()[0], x.size()[1]);
        let (mut q, mut k) = (self.q_proj.forward(x), self.k_proj.forward(x));
        let v = self.v_proj.forward(x);
        if let Some((q_norm, k_norm)) = &self.qk_norm {
            q = q_norm.forward(&q);
            k = k_norm.forward(&k);
        }
        let q = q
            .view([b, t, self.num_heads, self.head_dim])
            .transpose(1, 2);
        let k = k
            .view([b, t, self.num_kv_heads, self.head_dim])
            .transpose(1, 2);
        let v = v
            .view([b, t, self.num_kv_heads, self.head_dim])
            .transpose(1, 2);
        let q = apply_rope(&q, cos, sin);
        let mut k = apply_rope(&k, cos, sin);
        let mut v = v;
        if let Some(slot) = cache {
            if let Some((pk, pv)) = slot.as_ref() {
                k = Tensor::cat(&[pk, &k], 2);
                v = Tensor::cat(&[pv, &v], 2);
            }
            *slot = Some((k.shallow_clone(), v.shallow_clone()));
        }
        let n_rep = self.num_heads / self.num_kv_heads;
        let k = repeat_kv(&k, n_rep);
        let v = repeat_kv(&v, n_rep);
        let scale = (self.head_dim as f64).powf(-0.5);
        let scores = q.matmul(&k.transpose(-2, -1)).to_kind(Kind::Float) * scale + mask;
        let probs = scores.softmax(-1, Kind::Float).to_kind(v.kind());
        let out = probs.matmul(&v).transpose(1, 2).contiguous().view([
            b,
            t,
            self.num_heads * self.head_dim,
        ]);
        self.o_proj.forward(&out)
    }
}

fn repeat_kv(x: &Tensor, n_rep: i64) -> Tensor {
    if n_rep == 1 {
        return x.shallow_clone();
    }
    let s = x.size();
    x.unsqueeze(2)
        .expand([s[0], s[1], n_rep, s[2], s[3]], false)
        .reshape([s[0], s[1] * n_rep, s[2], s[3]])
}

/// The additive mask `[B, 1, T, S]` (fp32: 0 where attending, a large
/// negative where not) for `t` new positions after `past_len` cached ones,
/// given the 0/1 `attention_mask` `[B, S]` over all `S = past_len + t`
/// positions (0 marks left padding).
pub fn attention_bias(attention_mask: &Tensor, past_len: i64, t: i64) -> Tensor {
    let device = attention_mask.device();
    let (b, s) = (attention_mask.size()[0], attention_mask.size()[1]);
    let q_pos = Tensor::arange_start(past_len, past_len + t, (Kind::Int64, device)).view([t, 1]);
    let k_pos = Tensor::arange(s, (Kind::Int64, device)).view([1, s]);
    let causal = k_pos.le_tensor(&q_pos).view([1, 1, t, s]);
    let keep = causal.logical_and(&attention_mask.ne(0).view([b, 1, 1, s]));
    Tensor::zeros([b, 1, t, s], (Kind::Float, device))
        .masked_fill(&keep.logical_not(), f64::from(f32::MIN))
}

/// Position ids `[B, S]` for a left-padded batch, as transformers' generate
/// computes them: `cumsum(mask) - 1`, padding at 0.
pub fn position_ids(attention_mask: &Tensor) -> Tensor {
    (attention_mask.cumsum(-1, Kind::Int64) - 1).clamp_min(0)
}
