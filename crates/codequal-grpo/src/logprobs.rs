//! Per-token log-probabilities of completions given prompts, as TRL computes
//! them for GRPO: logits divided by the sampling temperature, then
//! log_softmax in fp32. The vocabulary projection runs over chunks of
//! completion positions, so `[B, T, vocab]` logits for the whole sequence
//! never exist at once.
//!
//! Two entry points:
//!
//! - [`completion_logprobs`]: plain autograd. Under `no_grad` (old and
//!   reference log-probs) memory is bounded by one chunk; with autograd,
//!   libtorch keeps every chunk's logits and softmax for the backward pass,
//!   so memory grows with `completion length x vocabulary`.
//! - [`completion_logprobs_for_training`] with [`TrainingLogprobs::backward`]:
//!   memory bounded by the chunk under autograd too. The forward projection
//!   runs under `no_grad`; the result is a leaf that the loss backpropagates
//!   into; `backward` then recomputes one chunk's projection at a time with
//!   autograd, pushes the leaf's gradient through it (into the head and the
//!   chunk's hidden states) and finally sends the hidden states' gradient
//!   through the decoder. The cost is one extra head projection per token;
//!   the gradients are those of plain autograd (`tests/self_consistency.rs`).

use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

use crate::error::{Error, Result};
use crate::models::{attention_bias, position_ids, AutoModel};

/// How to compute log-probs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LogprobConfig {
    /// Temperature the logits are divided by (the sampling one). Default 1.0.
    pub temperature: f64,
    /// Completion positions per vocabulary projection. Default 128.
    pub chunk_size: usize,
    /// Also compute each position's entropy (detached, for TRL's `entropy`
    /// metric). Default false.
    pub compute_entropy: bool,
}

impl Default for LogprobConfig {
    fn default() -> Self {
        Self {
            temperature: 1.0,
            chunk_size: 128,
            compute_entropy: false,
        }
    }
}

/// Log-probs of a batch of completions.
#[derive(Debug)]
pub struct CompletionLogprobs {
    /// `[B, C]` fp32, C the longest completion; 0 past each completion's end.
    pub logprobs: Tensor,
    /// `[B, C]` 1.0 on completion tokens, 0.0 on right padding.
    pub mask: Tensor,
    /// `[B, C]` entropy of the temperature-scaled distribution at each
    /// position (detached), when [`LogprobConfig::compute_entropy`] is set.
    pub entropy: Option<Tensor>,
}

/// Log-probs of `completions[i]` following `prompts[i]`. Prompts are left
/// padded and completions right padded with `pad_id` (any valid id: padded
/// positions are masked out). Differentiable with plain autograd; for
/// training with memory bounded by the chunk, see
/// [`completion_logprobs_for_training`].
pub fn completion_logprobs(
    model: &AutoModel,
    prompts: &[Vec<i64>],
    completions: &[Vec<i64>],
    pad_id: i64,
    cfg: &LogprobConfig,
) -> Result<CompletionLogprobs> {
    let batch = prepare(model, prompts, completions, pad_id, cfg)?;
    let Some(hidden) = &batch.hidden else {
        return Ok(batch.empty(cfg));
    };
    let (logprobs, entropy) = project(model, hidden, &batch.targets, cfg);
    Ok(CompletionLogprobs {
        logprobs: logprobs * &batch.cmask,
        entropy: entropy.map(|e| e * &batch.cmask),
        mask: batch.cmask,
    })
}

/// Log-probs for a training step, with the vocabulary projection's memory
/// bounded by [`LogprobConfig::chunk_size`] under autograd. Use:
///
/// ```no_run
/// # use codequal_grpo::{completion_logprobs_for_training, AutoModel, LoadOptions, LogprobConfig};
/// # fn main() -> codequal_grpo::Result<()> {
/// let model = AutoModel::load("checkpoint", LoadOptions::default())?;
/// let cfg = LogprobConfig::default();
/// let out = completion_logprobs_for_training(&model, &[vec![1, 2]], &[vec![3, 4]], 0, &cfg)?;
/// let loss = -out.logprobs.mean(tch::Kind::Float);
/// loss.backward(); // fills the gradient of out.logprobs
/// out.backward(&model)?; // carries it into the model's variables
/// # Ok(())
/// # }
/// ```
///
/// The decoder's forward runs with autograd as usual (call this outside
/// `no_grad`); only the head projection is deferred.
pub fn completion_logprobs_for_training(
    model: &AutoModel,
    prompts: &[Vec<i64>],
    completions: &[Vec<i64>],
    pad_id: i64,
    cfg: &LogprobConfig,
) -> Result<TrainingLogprobs> {
    let batch = prepare(model, prompts, completions, pad_id, cfg)?;
    let Some(hidden) = batch.hidden.as_ref().map(Tensor::shallow_clone) else {
        let empty = batch.empty(cfg);
        return Ok(TrainingLogprobs {
            logprobs: empty.logprobs.set_requires_grad(true),
            mask: empty.mask,
            entropy: empty.entropy,
            hidden: None,
            targets: batch.targets,
            chunk_size: cfg.chunk_size as i64,
            temperature: cfg.temperature,
        });
    };
    let (logprobs, entropy) = tch::no_grad(|| {
        let (lp, entropy) = project(model, &hidden, &batch.targets, cfg);
        (lp * &batch.cmask, entropy.map(|e| e * &batch.cmask))
    });
    Ok(TrainingLogprobs {
        logprobs: logprobs.detach().set_requires_grad(true),
        mask: batch.cmask,
        entropy,
        hidden: Some(hidden),
        targets: batch.targets,
        chunk_size: cfg.chunk_size as i64,
        temperature: cfg.temperature,
    })
}

/// The result of [`completion_logprobs_for_training`].
#[derive(Debug)]
pub struct TrainingLogprobs {
    /// `[B, C]` fp32, 0 past each completion's end: a leaf that requires
    /// grad. Build the loss from it, call the loss's `backward`, then
    /// [`TrainingLogprobs::backward`].
    pub logprobs: Tensor,
    /// `[B, C]` 1.0 on completion tokens, 0.0 on right padding.
    pub mask: Tensor,
    /// `[B, C]` entropy (detached), when asked for.
    pub entropy: Option<Tensor>,
    /// `[B, C, hidden]` decoder output predicting each completion token,
    /// still attached to the decoder's graph; `None` for empty completions.
    hidden: Option<Tensor>,
    targets: Tensor,
    chunk_size: i64,
    temperature: f64,
}

impl TrainingLogprobs {
    /// Carries the gradient left on [`Self::logprobs`] by a loss's backward
    /// into `model`'s variables (accumulating, as `backward` does), one
    /// chunk of the head projection at a time. A no-op when the loss did
    /// not reach the log-probs. Call once per forward.
    pub fn backward(&self, model: &AutoModel) -> Result<()> {
        let Some(hidden) = &self.hidden else {
            return Ok(());
        };
        let grad = self.logprobs.grad();
        if !grad.defined() || !hidden.requires_grad() {
            return Ok(());
        }
        // The leaf is the masked log-prob: its gradient reaches the raw
        // log-prob through the mask.
        let grad = grad * &self.mask;
        let c = self.logprobs.size().get(1).copied().unwrap_or(0);
        let cfg = LogprobConfig {
            temperature: self.temperature,
            chunk_size: self.chunk_size as usize,
            compute_entropy: false,
        };
        let mut hidden_grads = Vec::new();
        let mut start = 0;
        while start < c {
            let len = self.chunk_size.min(c - start);
            let part = hidden
                .narrow(1, start, len)
                .detach()
                .set_requires_grad(true);
            let (lp, _) = project(model, &part, &self.targets.narrow(1, start, len), &cfg);
            (lp * grad.narrow(1, start, len))
                .sum(Kind::Float)
                .backward();
            let g = part.grad();
            if !g.defined() {
                return Err(Error::InvalidInput(
                    "log-prob recompute produced no gradient for the hidden states".into(),
                ));
            }
            hidden_grads.push(g);
            start += len;
        }
        let grad_hidden = Tensor::cat(&hidden_grads, 1);
        (hidden * grad_hidden.to_kind(hidden.kind()))
            .sum(Kind::Float)
            .backward();
        Ok(())
    }
}

/// A padded batch up to the decoder's output.
struct Prepared {
    /// `[B, C, hidden]`, `None` when every completion is empty.
    hidden: Option<Tensor>,
    /// `[B, C]` completion ids.
    targets: Tensor,
    /// `[B, C]` 1.0 on completion tokens.
    cmask: Tensor,
}

impl Prepared {
    fn empty(&self, cfg: &LogprobConfig) -> CompletionLogprobs {
        let b = self.cmask.size().first().copied().unwrap_or(0);
        let device = self.cmask.device();
        CompletionLogprobs {
            logprobs: Tensor::zeros([b, 0], (Kind::Float, device)),
            entropy: cfg
                .compute_entropy
                .then(|| Tensor::zeros([b, 0], (Kind::Float, device))),
            mask: self.cmask.shallow_clone(),
        }
    }
}

fn prepare(
    model: &AutoModel,
    prompts: &[Vec<i64>],
    completions: &[Vec<i64>],
    pad_id: i64,
    cfg: &LogprobConfig,
) -> Result<Prepared> {
    if prompts.len() != completions.len() || prompts.is_empty() {
        return Err(Error::InvalidInput(format!(
            "{} prompts and {} completions",
            prompts.len(),
            completions.len()
        )));
    }
    if prompts.iter().any(Vec::is_empty) {
        return Err(Error::InvalidInput("empty prompt".into()));
    }
    if !(cfg.temperature > 0.0 && cfg.temperature.is_finite()) || cfg.chunk_size == 0 {
        return Err(Error::InvalidInput(format!(
            "temperature {} and chunk_size {} must be positive",
            cfg.temperature, cfg.chunk_size
        )));
    }
    let p = prompts.iter().map(Vec::len).max().unwrap_or(0);
    let c = completions.iter().map(Vec::len).max().unwrap_or(0);
    let context = model.config.max_position_embeddings;
    if p + c > context {
        return Err(Error::ContextExceeded {
            prompt_len: p,
            max_new_tokens: c,
            context,
        });
    }
    let b = prompts.len();
    let mut ids = Vec::with_capacity(b * (p + c));
    let mut mask = Vec::with_capacity(b * (p + c));
    let mut cmask = Vec::with_capacity(b * c);
    for (prompt, completion) in prompts.iter().zip(completions) {
        let (lp, lc) = (p - prompt.len(), c - completion.len());
        ids.extend(std::iter::repeat_n(pad_id, lp));
        ids.extend(prompt.iter().chain(completion).copied());
        ids.extend(std::iter::repeat_n(pad_id, lc));
        mask.extend(std::iter::repeat_n(0i64, lp));
        mask.extend(std::iter::repeat_n(1i64, prompt.len() + completion.len()));
        mask.extend(std::iter::repeat_n(0i64, lc));
        cmask.extend(std::iter::repeat_n(1f32, completion.len()));
        cmask.extend(std::iter::repeat_n(0f32, lc));
    }
    let device = model.device();
    let (b, p, c) = (b as i64, p as i64, c as i64);
    let ids = Tensor::from_slice(&ids).view([b, p + c]).to_device(device);
    model.check_ids(&ids)?;
    let mask = Tensor::from_slice(&mask).view([b, p + c]).to_device(device);
    let cmask = Tensor::from_slice(&cmask).view([b, c]).to_device(device);
    let targets = ids.narrow(1, p, c);
    if c == 0 {
        return Ok(Prepared {
            hidden: None,
            targets,
            cmask,
        });
    }
    let hidden = model.forward_hidden(
        &ids,
        &position_ids(&mask),
        &attention_bias(&mask, 0, p + c),
        None,
    );
    // The hidden state at position t predicts token t + 1.
    Ok(Prepared {
        hidden: Some(hidden.narrow(1, p - 1, c)),
        targets,
        cmask,
    })
}

/// Unmasked log-probs `[B, C]` of `targets` (and entropies) from decoder
/// outputs `[B, C, hidden]`, one chunk of positions at a time.
fn project(
    model: &AutoModel,
    hidden: &Tensor,
    targets: &Tensor,
    cfg: &LogprobConfig,
) -> (Tensor, Option<Tensor>) {
    let c = hidden.size().get(1).copied().unwrap_or(0);
    let chunk = cfg.chunk_size as i64;
    let mut parts = Vec::new();
    let mut entropies = Vec::new();
    let mut start = 0;
    while start < c {
        let len = chunk.min(c - start);
        let logits = model
            .lm_head(&hidden.narrow(1, start, len))
            .to_kind(Kind::Float)
            / cfg.temperature;
        let all = logits.log_softmax(-1, Kind::Float);
        if cfg.compute_entropy {
            entropies.push(tch::no_grad(|| {
                let all = all.detach();
                -(all.exp() * &all).sum_dim_intlist(-1, false, Kind::Float)
            }));
        }
        let lp = all
            .gather(2, &targets.narrow(1, start, len).unsqueeze(-1), false)
            .squeeze_dim(-1);
        parts.push(lp);
        start += len;
    }
    let entropy = cfg.compute_entropy.then(|| Tensor::cat(&entropies, 1));
    (Tensor::cat(&parts, 1), entropy)
}
