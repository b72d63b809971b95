//! Batched sampling with a KV cache: many prompts times G samples each, left
//! padded, with positions and masks as transformers' `generate` computes
//! them; temperature, top-k, top-p (applied in that order, like
//! transformers' logits warpers), greedy at temperature 0, stop on any EOS
//! id. Finished sequences leave the batch so the remaining ones run faster.
//!
//! Reproducibility: the random draws come from this module's own seeded
//! generator (SplitMix64), one uniform number per sequence and step, turned
//! into a token by inverse-CDF on the device. libtorch's global RNG is not
//! used, so the same seed, model, device and dtype give the same samples.

use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

use crate::error::{Error, Result};
use crate::models::{attention_bias, position_ids, AutoModel};
use crate::tokenizer::Tokenizer;

/// How to sample.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SamplingConfig {
    /// Softmax temperature; 0 means greedy. Default 1.0 (TRL's default).
    pub temperature: f64,
    /// Nucleus sampling mass in (0, 1]; 1 disables. Default 1.0.
    pub top_p: f64,
    /// Keep only the k most likely tokens; 0 disables. Default 0.
    pub top_k: usize,
    /// New tokens at most per sequence. Default 512.
    pub max_new_tokens: usize,
    /// Samples per prompt (GRPO's G). Default 1.
    pub num_samples: usize,
    /// Seed of the sampler's random numbers. Default 0.
    pub seed: u64,
}

impl Default for SamplingConfig {
    fn default() -> Self {
        Self {
            temperature: 1.0,
            top_p: 1.0,
            top_k: 0,
            max_new_tokens: 512,
            num_samples: 1,
            seed: 0,
        }
    }
}

/// One generated sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Index of its prompt in the input.
    pub prompt_index: usize,
    /// New token ids, the EOS included when it ended.
    pub token_ids: Vec<i64>,
    /// Decoded text of `token_ids` (special tokens skipped); empty from
    /// [`generate_ids`].
    pub text: String,
    /// True when it ended with an EOS id, false when `max_new_tokens`
    /// truncated it.
    pub finished: bool,
}

/// SplitMix64: small, fast, and the same on every platform.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn next_unit(&mut self) -> f32 {
        ((self.next_u64() >> 40) + 1) as f32 / (1u64 << 24) as f32
    }
}

/// Samples completions for `prompts` (token ids) with the tokenizer's EOS
/// and pad ids; texts are decoded. Output order: prompt 0's samples, then
/// prompt 1's, ...
pub fn generate(
    model: &AutoModel,
    tokenizer: &Tokenizer,
    prompts: &[Vec<i64>],
    cfg: &SamplingConfig,
) -> Result<Vec<Sample>> {
    let mut samples = generate_ids(
        model,
        prompts,
        tokenizer.eos_token_ids(),
        tokenizer.pad_token_id(),
        cfg,
    )?;
    for s in &mut samples {
        s.text = tokenizer.decode(&s.token_ids, true)?;
    }
    Ok(samples)
}

/// [`generate`] on ids alone: `eos_ids` end a sequence (none: only
/// `max_new_tokens` does), `pad_id` fills the left padding.
pub fn generate_ids(
    model: &AutoModel,
    prompts: &[Vec<i64>],
    eos_ids: &[i64],
    pad_id: i64,
    cfg: &SamplingConfig,
) -> Result<Vec<Sample>> {
    validate(model, prompts, cfg)?;
    let device = model.device();
    let g = cfg.num_samples;
    let n = prompts.len() * g;
    let width = prompts.iter().map(Vec::len).max().unwrap_or(0);
    let mut ids = Vec::with_capacity(n * width);
    let mut mask = Vec::with_capacity(n * width);
    for prompt in prompts {
        for _ in 0..g {
            let pad = width - prompt.len();
            ids.extend(std::iter::repeat_n(pad_id, pad).chain(prompt.iter().copied()));
            mask.extend(std::iter::repeat_n(0i64, pad).chain(std::iter::repeat_n(1, prompt.len())));
        }
    }
    let (n_i, w_i) = (n as i64, width as i64);
    let input = Tensor::from_slice(&ids).view([n_i, w_i]).to_device(device);
    let mut mask = Tensor::from_slice(&mask).view([n_i, w_i]).to_device(device);
    model.check_ids(&input)?;

    let mut samples: Vec<Sample> = (0..n)
        .map(|row| Sample {
            prompt_index: row / g,
            token_ids: Vec::new(),
            text: String::new(),
            finished: false,
        })
        .collect();
    let mut rng = SplitMix64(cfg.seed);
    tch::no_grad(|| -> Result<()> {
        let mut cache = model.new_cache();
        let pos = position_ids(&mask);
        let hidden = model.forward_hidden(
            &input,
            &pos,
            &attention_bias(&mask, 0, w_i),
            Some(&mut cache),
        );
        let mut logits = model.lm_head(&hidden.select(1, w_i - 1));
        let mut next_pos = pos.select(1, w_i - 1) + 1;
        // active[i] is the sample index of batch row i.
        let mut active: Vec<usize> = (0..n).collect();
        for step in 0..cfg.max_new_tokens {
            let tokens = pick(&logits, cfg, &mut rng)?;
            let mut keep = Vec::with_capacity(active.len());
            for (row, (&sample, &token)) in active.iter().zip(&tokens).enumerate() {
                let s = &mut samples[sample];
                s.token_ids.push(token);
                if eos_ids.contains(&token) {
                    s.finished = true;
                } else {
                    keep.push(row as i64);
                }
            }
            if keep.is_empty() || step + 1 == cfg.max_new_tokens {
                break;
            }
            let mut tokens = Tensor::from_slice(&tokens).to_device(device);
            if keep.len() < active.len() {
                let rows = Tensor::from_slice(&keep).to_device(device);
                cache.select_rows(&rows);
                mask = mask.index_select(0, &rows);
                next_pos = next_pos.index_select(0, &rows);
                tokens = tokens.index_select(0, &rows);
                active = keep.iter().map(|&r| active[r as usize]).collect();
            }
            let b = active.len() as i64;
            mask = Tensor::cat(&[&mask, &mask.ones_like().narrow(1, 0, 1)], 1);
            let past = cache.seq_len();
            let hidden = model.forward_hidden(
                &tokens.view([b, 1]),
                &next_pos.view([b, 1]),
                &attention_bias(&mask, past, 1),
                Some(&mut cache),
            );
            logits = model.lm_head(&hidden.select(1, 0));
            next_pos += 1;
        }
        Ok(())
    })?;
    Ok(samples)
}

fn validate(model: &AutoModel, prompts: &[Vec<i64>], cfg: &SamplingConfig) -> Result<()> {
    if prompts.is_empty() || cfg.num_samples == 0 {
        return Err(Error::InvalidInput("no prompts or num_samples = 0".into()));
    }
    if prompts.iter().any(Vec::is_empty) {
        return Err(Error::InvalidInput("empty prompt".into()));
    }
    if !(cfg.temperature >= 0.0 && cfg.temperature.is_finite()) {
        return Err(Error::InvalidInput(format!(
            "temperature {}",
            cfg.temperature
        )));
    }
    if !(cfg.top_p > 0.0 && cfg.top_p <= 1.0) {
        return Err(Error::InvalidInput(format!(
            "top_p {} is not in (0, 1]",
            cfg.top_p
        )));
    }
    let prompt_len = prompts.iter().map(Vec::len).max().unwrap_or(0);
    let context = model.config.max_position_embeddings;
    if prompt_len + cfg.max_new_tokens > context {
        return Err(Error::ContextExceeded {
            prompt_len,
            max_new_tokens: cfg.max_new_tokens,
            context,
        });
    }
    Ok(())
}

/// One token per row of `logits` `[B, V]`.
fn pick(logits: &Tensor, cfg: &SamplingConfig, rng: &mut SplitMix64) -> Result<Vec<i64>> {
    let logits = logits.to_kind(Kind::Float);
    let tokens = if cfg.temperature == 0.0 {
        logits.argmax(-1, false)
    } else {
        let vocab = logits.size().last().copied().unwrap_or(0);
        let mut logits = logits / cfg.temperature;
        if cfg.top_k > 0 && (cfg.top_k as i64) < vocab {
            let (values, _) = logits.topk(cfg.top_k as i64, -1, true, true);
            let kth = values.narrow(-1, cfg.top_k as i64 - 1, 1);
            logits = logits.masked_fill(&logits.lt_tensor(&kth), f64::NEG_INFINITY);
        }
        if cfg.top_p < 1.0 {
            let (sorted, index) = logits.sort(-1, true);
            let probs = sorted.softmax(-1, Kind::Float);
            // Drop a token when the tokens before it already hold top_p.
            let before = probs.cumsum(-1, Kind::Float) - &probs;
            let sorted = sorted.masked_fill(&before.gt(cfg.top_p), f64::NEG_INFINITY);
            logits = logits.scatter(-1, &index, &sorted);
        }
        let cdf = logits.softmax(-1, Kind::Float).cumsum(-1, Kind::Float);
        let rows = cdf.size()[0];
        let u: Vec<f32> = (0..rows).map(|_| rng.next_unit()).collect();
        let u = Tensor::from_slice(&u)
            .to_device(cdf.device())
            .view([rows, 1])
            * cdf.narrow(-1, vocab - 1, 1);
        cdf.lt_tensor(&u)
            .sum_dim_intlist(-1, false, Kind::Int64)
            .clamp_max(vocab - 1)
    };
    Ok(Vec::<i64>::try_from(tokens.to_device(tch::Device::Cpu))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_deterministic_and_in_unit_interval() {
        let mut a = SplitMix64(42);
        let mut b = SplitMix64(42);
        for _ in 0..1000 {
            let (x, y) = (a.next_unit(), b.next_unit());
            assert_eq!(x.to_bits(), y.to_bits());
            assert!(x > 0.0 && x <= 1.0);
        }
    }

    #[test]
    fn top_k_one_is_greedy() {
        let logits = Tensor::from_slice(&[0.1f32, 3.0, 0.2, -1.0, 2.9, 0.0]).view([2, 3]);
        let cfg = SamplingConfig {
            top_k: 1,
            ..SamplingConfig::default()
        };
        let mut rng = SplitMix64(1);
        for _ in 0..20 {
            assert_eq!(pick(&logits, &cfg, &mut rng).ok(), Some(vec![1, 1]));
        }
    }

    #[test]
    fn tiny_top_p_is_greedy() {
        let logits = Tensor::from_slice(&[0.1f32, 3.0, 0.2, 5.0, 2.9, 0.0]).view([2, 3]);
        let cfg = SamplingConfig {
            top_p: 0.01,
            ..SamplingConfig::default()
        };
        let mut rng = SplitMix64(3);
        for _ in 0..20 {
            assert_eq!(pick(&logits, &cfg, &mut rng).ok(), Some(vec![1, 0]));
        }
    }

    #[test]
    fn sampling_follows_the_distribution() {
        // p = softmax([0, ln 3]) = [0.25, 0.75].
        let logits = Tensor::from_slice(&[0.0f32, 3f32.ln()]).view([1, 2]);
        let cfg = SamplingConfig::default();
        let mut rng = SplitMix64(7);
        let ones: i64 = (0..4000)
            .map(|_| pick(&logits, &cfg, &mut rng).map_or(0, |t| t[0]))
            .sum();
        let frac = ones as f64 / 4000.0;
        assert!((frac - 0.75).abs() < 0.03, "{frac}");
    }
}
