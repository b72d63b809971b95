//! Per-token log-probabilities of completions given prompts, as TRL computes
//! them for GRPO: logits divided by the sampling temperature, then
//! log_softmax in fp32. The vocabulary projection runs over chunks of
//! completion positions, so `[B, T, vocab]` logits for the whole sequence
//! never exist at once (under `no_grad`; with autograd each chunk's softmax
//! is kept for the backward pass). Works with autograd: the result is
//! differentiable with respect to the model's variables.

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
/// positions are masked out).
pub fn completion_logprobs(
    model: &AutoModel,
    prompts: &[Vec<i64>],
    completions: &[Vec<i64>],
    pad_id: i64,
    cfg: &LogprobConfig,
) -> Result<CompletionLogprobs> {
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
    if c == 0 {
        return Ok(CompletionLogprobs {
            logprobs: Tensor::zeros([b, 0], (Kind::Float, device)),
            entropy: cfg
                .compute_entropy
                .then(|| Tensor::zeros([b, 0], (Kind::Float, device))),
            mask: cmask,
        });
    }
    let hidden = model.forward_hidden(
        &ids,
        &position_ids(&mask),
        &attention_bias(&mask, 0, p + c),
        None,
    );
    // The hidden state at position t predicts token t + 1.
    let hidden = hidden.narrow(1, p - 1, c);
    let targets = ids.narrow(1, p, c);
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
    let logprobs = Tensor::cat(&parts, 1) * &cmask;
    let entropy = cfg
        .compute_entropy
        .then(|| Tensor::cat(&entropies, 1) * &cmask);
    Ok(CompletionLogprobs {
        logprobs,
        mask: cmask,
        entropy,
    })
}
