//! The GRPO objective as TRL 1.16 computes it (`GRPOTrainer._compute_loss`,
//! trl/trainer/grpo_trainer.py), for the token-level importance sampling
//! TRL uses by default:
//!
//! ```text
//! log_ratio  = logp - old_logp                      (old_logp = logp.detach() when not given)
//! coef_1     = exp(log_ratio)
//! coef_2     = clamp(coef_1, 1 - eps_low, 1 + eps_high)
//! loss_tok   = -min(coef_1 * A, coef_2 * A)  (+ beta * k3 * coef_1 when beta != 0)
//! k3         = exp(ref - logp) - (ref - logp) - 1
//! ```
//!
//! The KL term is multiplied by the differentiable ratio `coef_1`, TRL
//! 1.16's default `use_bias_correction_kl=True` (grpo_trainer.py 3104-3105):
//! it changes the KL gradient even on policy, where `coef_1` is 1, and the
//! loss and logged `kl` off policy.
//!
//! aggregated by `loss_type`:
//!
//! | loss type | aggregation | then |
//! | --- | --- | --- |
//! | `grpo` | mean over sequences of each sequence's token mean | / grad. accumulation steps |
//! | `bnpo` | token sum / active tokens of the micro-batch | / grad. accumulation steps |
//! | `dr_grpo` | token sum / (B * max_completion_length) | / grad. accumulation steps |
//! | `dapo` (default) | token sum / (active tokens of the generation batch * GA / steps_per_generation) | |
//!
//! One deliberate addition: `log_ratio_clamp` (default `None`, TRL's
//! behaviour) clamps the log-ratio before `exp`, the NaN guard GRPO users
//! ask for; it only changes anything for ratios beyond `exp(±clamp)`.
//! Non-finite losses are not an error here: the trainer checks
//! [`LossOutput::is_finite`] and skips the step.

use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

use crate::error::{Error, Result};

/// How per-token losses are aggregated (TRL's `loss_type`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossType {
    /// Mean over sequences of per-sequence token means (original GRPO).
    Grpo,
    /// Token sum over the micro-batch's active tokens.
    Bnpo,
    /// Token sum over `B * max_completion_length` (Dr. GRPO, no length bias).
    DrGrpo,
    /// Token sum over the generation batch's active tokens (TRL's default).
    #[default]
    Dapo,
}

/// The objective's settings. Defaults are TRL 1.16's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LossConfig {
    /// Aggregation (default `dapo`).
    pub loss_type: LossType,
    /// Lower clipping range: ratios below `1 - epsilon_low` are clipped
    /// (default 0.2).
    pub epsilon_low: f64,
    /// Upper clipping range: ratios above `1 + epsilon_high` are clipped
    /// (default 0.2; DAPO uses 0.28).
    pub epsilon_high: f64,
    /// KL coefficient; 0 keeps no reference model (default 0.0).
    pub beta: f64,
    /// The completion budget `dr_grpo` divides by (default 512).
    pub max_completion_length: usize,
    /// Clamp of the log-ratio before `exp` (default `None`: TRL does not
    /// clamp; 20 is a common guard).
    pub log_ratio_clamp: Option<f64>,
}

impl Default for LossConfig {
    fn default() -> Self {
        Self {
            loss_type: LossType::Dapo,
            epsilon_low: 0.2,
            epsilon_high: 0.2,
            beta: 0.0,
            max_completion_length: 512,
            log_ratio_clamp: None,
        }
    }
}

impl LossConfig {
    /// Rejects settings the objective is undefined for.
    pub fn validate(&self) -> Result<()> {
        let ok = |x: f64| x.is_finite() && x >= 0.0;
        if !ok(self.epsilon_low) || !ok(self.epsilon_high) || !ok(self.beta) {
            return Err(Error::InvalidInput(format!(
                "epsilon_low {}, epsilon_high {} and beta {} must be finite and non-negative",
                self.epsilon_low, self.epsilon_high, self.beta
            )));
        }
        if self.max_completion_length == 0 {
            return Err(Error::InvalidInput(
                "max_completion_length must be positive".into(),
            ));
        }
        if self.log_ratio_clamp.is_some_and(|c| c.is_nan() || c <= 0.0) {
            return Err(Error::InvalidInput(
                "log_ratio_clamp must be positive".into(),
            ));
        }
        Ok(())
    }
}

/// One micro-batch's inputs. All `[B, C]` tensors share the completion
/// layout of [`crate::completion_logprobs`] (right padded, `mask` 1.0 on
/// completion tokens).
#[derive(Debug)]
pub struct LossInputs<'a> {
    /// Current policy's per-token log-probs (differentiable).
    pub logprobs: &'a Tensor,
    /// Log-probs at generation time (`num_iterations > 1`); `None` means
    /// `logprobs.detach()` (ratio 1).
    pub old_logprobs: Option<&'a Tensor>,
    /// Reference model's log-probs; required when `beta != 0`.
    pub ref_logprobs: Option<&'a Tensor>,
    /// `[B]` advantages.
    pub advantages: &'a Tensor,
    /// `[B, C]` float completion mask.
    pub mask: &'a Tensor,
    /// Active completion tokens in the whole generation batch (`dapo`).
    pub num_items_in_batch: f64,
    /// Micro-batches per optimizer step.
    pub gradient_accumulation_steps: usize,
    /// Micro-batches per generation batch (TRL's `steps_per_generation`,
    /// which defaults to `gradient_accumulation_steps`).
    pub steps_per_generation: usize,
}

/// Figures TRL logs for the step, under its names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LossMetrics {
    /// The loss before the gradient-accumulation division.
    pub policy_loss: f64,
    /// Mean k3 KL over active tokens (`kl`; only when beta != 0).
    pub kl: Option<f64>,
    /// Token fraction clipped below (`clip_ratio/low_mean`).
    pub clip_ratio_low_mean: f64,
    /// Smallest per-sequence low-clip fraction (`clip_ratio/low_min`).
    pub clip_ratio_low_min: f64,
    /// Token fraction clipped above (`clip_ratio/high_mean`).
    pub clip_ratio_high_mean: f64,
    /// Largest per-sequence high-clip fraction (`clip_ratio/high_max`).
    pub clip_ratio_high_max: f64,
    /// Token fraction clipped either way (`clip_ratio/region_mean`).
    pub clip_ratio_region_mean: f64,
    /// Active tokens in this micro-batch.
    pub active_tokens: f64,
}

/// The scalar loss to differentiate, and its metrics.
#[derive(Debug)]
pub struct LossOutput {
    /// Scalar loss, already divided for gradient accumulation.
    pub loss: Tensor,
    /// Figures for logging.
    pub metrics: LossMetrics,
}

impl LossOutput {
    /// False when the loss is NaN or infinite (the step should be skipped).
    pub fn is_finite(&self) -> bool {
        self.metrics.policy_loss.is_finite()
    }
}

/// The GRPO loss of one micro-batch (see the module docs).
pub fn grpo_loss(inputs: &LossInputs<'_>, cfg: &LossConfig) -> Result<LossOutput> {
    cfg.validate()?;
    let logp = inputs.logprobs;
    let size = logp.size();
    let [b, _c] = size[..] else {
        return Err(Error::InvalidInput(format!(
            "logprobs must be [B, C], got {size:?}"
        )));
    };
    let same = |t: &Tensor, name: &str| -> Result<()> {
        if t.size() != size {
            return Err(Error::InvalidInput(format!(
                "{name} has shape {:?}, logprobs {size:?}",
                t.size()
            )));
        }
        Ok(())
    };
    same(inputs.mask, "mask")?;
    if let Some(old) = inputs.old_logprobs {
        same(old, "old_logprobs")?;
    }
    if inputs.advantages.size() != [b] {
        return Err(Error::InvalidInput(format!(
            "advantages has shape {:?}, expected [{b}]",
            inputs.advantages.size()
        )));
    }
    let ga = inputs.gradient_accumulation_steps.max(1) as f64;
    let spg = inputs.steps_per_generation.max(1) as f64;
    let mask = inputs.mask.to_kind(Kind::Float);
    let adv = inputs.advantages.to_kind(Kind::Float).unsqueeze(1);

    let old = match inputs.old_logprobs {
        Some(old) => old.shallow_clone(),
        None => logp.detach(),
    };
    let mut log_ratio = logp - old;
    if let Some(c) = cfg.log_ratio_clamp {
        log_ratio = log_ratio.clamp(-c, c);
    }
    let coef_1 = log_ratio.exp();
    let coef_2 = coef_1.clamp(1.0 - cfg.epsilon_low, 1.0 + cfg.epsilon_high);
    let loss1 = &coef_1 * &adv;
    let loss2 = &coef_2 * &adv;
    let mut per_token = -loss1.minimum(&loss2);

    let mut kl_metric = None;
    if cfg.beta != 0.0 {
        let Some(reference) = inputs.ref_logprobs else {
            return Err(Error::InvalidInput(
                "beta != 0 needs reference log-probs".into(),
            ));
        };
        same(reference, "ref_logprobs")?;
        let d = reference - logp;
        // TRL's use_bias_correction_kl (see the module docs).
        let kl = (d.exp() - &d - 1.0) * &coef_1;
        kl_metric = Some(masked_mean(&kl.detach(), &mask));
        per_token += kl * cfg.beta;
    }

    let masked = &per_token * &mask;
    let loss = match cfg.loss_type {
        LossType::Grpo => {
            (masked.sum_dim_intlist(-1, false, Kind::Float)
                / mask.sum_dim_intlist(-1, false, Kind::Float).clamp_min(1.0))
            .mean(Kind::Float)
                / 1.0
        }
        LossType::Bnpo => masked.sum(Kind::Float) / mask.sum(Kind::Float).clamp_min(1.0),
        LossType::DrGrpo => masked.sum(Kind::Float) / (b as f64 * cfg.max_completion_length as f64),
        LossType::Dapo => {
            let normalizer = inputs.num_items_in_batch.max(1.0) * ga / spg;
            masked.sum(Kind::Float) / normalizer
        }
    };
    let policy_loss = loss.double_value(&[]);
    let loss = match cfg.loss_type {
        LossType::Dapo => loss,
        _ => loss / ga,
    };

    let (low_mean, low_min, high_mean, high_max, region_mean) = tch::no_grad(|| {
        let c1 = coef_1.detach();
        let low = c1
            .lt(1.0 - cfg.epsilon_low)
            .logical_and(&adv.lt(0.0))
            .to_kind(Kind::Float);
        let high = c1
            .gt(1.0 + cfg.epsilon_high)
            .logical_and(&adv.gt(0.0))
            .to_kind(Kind::Float);
        let region = (&low + &high).clamp_max(1.0);
        let seq_mean = |x: &Tensor| {
            (x * &mask).sum_dim_intlist(-1, false, Kind::Float)
                / mask.sum_dim_intlist(-1, false, Kind::Float)
        };
        (
            masked_mean(&low, &mask),
            nan_extreme(&seq_mean(&low), false),
            masked_mean(&high, &mask),
            nan_extreme(&seq_mean(&high), true),
            masked_mean(&region, &mask),
        )
    });
    Ok(LossOutput {
        loss,
        metrics: LossMetrics {
            policy_loss,
            kl: kl_metric,
            clip_ratio_low_mean: low_mean,
            clip_ratio_low_min: low_min,
            clip_ratio_high_mean: high_mean,
            clip_ratio_high_max: high_max,
            clip_ratio_region_mean: region_mean,
            active_tokens: mask.sum(Kind::Float).double_value(&[]),
        },
    })
}

/// Sum over active positions / active count (TRL's `global_masked_mean` on
/// one process).
pub fn masked_mean(x: &Tensor, mask: &Tensor) -> f64 {
    let total = (x * mask).sum(Kind::Float).double_value(&[]);
    let count = mask.sum(Kind::Float).double_value(&[]);
    total / count.max(1.0)
}

/// Min (or max) of the finite entries, NaN when none (TRL's nanmin/nanmax).
fn nan_extreme(x: &Tensor, max: bool) -> f64 {
    let values: Vec<f64> = Vec::<f64>::try_from(x.to_kind(Kind::Double).flatten(0, -1))
        .unwrap_or_default()
        .into_iter()
        .filter(|v| !v.is_nan())
        .collect();
    let fold = |acc: Option<f64>, v: f64| {
        Some(match acc {
            None => v,
            Some(a) if max => a.max(v),
            Some(a) => a.min(v),
        })
    };
    values.into_iter().fold(None, fold).unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f32], shape: &[i64]) -> Tensor {
        Tensor::from_slice(v).view(shape)
    }

    #[test]
    fn on_policy_loss_is_minus_mean_advantage_and_gradient_is_a_grad_logp() {
        // Ratio 1: loss_tok = -A, gradient wrt logp = -A / normaliser.
        let logp = t(&[-1.0, -2.0, -0.5, -0.1], &[2, 2]).set_requires_grad(true);
        let mask = t(&[1.0, 1.0, 1.0, 0.0], &[2, 2]);
        let adv = Tensor::from_slice(&[1.0f32, -2.0]);
        let inputs = LossInputs {
            logprobs: &logp,
            old_logprobs: None,
            ref_logprobs: None,
            advantages: &adv,
            mask: &mask,
            num_items_in_batch: 3.0,
            gradient_accumulation_steps: 1,
            steps_per_generation: 1,
        };
        for (loss_type, expected) in [
            (LossType::Grpo, (-1.0 + 2.0) / 2.0),
            (LossType::Bnpo, (-1.0 - 1.0 + 2.0) / 3.0),
            (LossType::DrGrpo, (-1.0 - 1.0 + 2.0) / (2.0 * 4.0)),
            (LossType::Dapo, (-1.0 - 1.0 + 2.0) / 3.0),
        ] {
            let cfg = LossConfig {
                loss_type,
                max_completion_length: 4,
                ..Default::default()
            };
            let out = grpo_loss(&inputs, &cfg).expect("loss");
            assert!(
                (out.loss.double_value(&[]) - expected).abs() < 1e-6,
                "{loss_type:?}"
            );
        }
        let cfg = LossConfig::default();
        let out = grpo_loss(&inputs, &cfg).expect("loss");
        out.loss.backward();
        let g = Vec::<f32>::try_from(logp.grad().flatten(0, -1)).expect("grad");
        assert_eq!(g, vec![-1.0 / 3.0, -1.0 / 3.0, 2.0 / 3.0, 0.0]);
    }

    #[test]
    fn clipping_and_kl_metrics() {
        let logp = t(&[0.0, 0.0], &[1, 2]);
        // Ratios e^0.5 (clipped above for A > 0) and e^-0.5.
        let old = t(&[-0.5, 0.5], &[1, 2]);
        let mask = t(&[1.0, 1.0], &[1, 2]);
        let adv = Tensor::from_slice(&[1.0f32]);
        let reference = t(&[0.0, -1.0], &[1, 2]);
        let inputs = LossInputs {
            logprobs: &logp,
            old_logprobs: Some(&old),
            ref_logprobs: Some(&reference),
            advantages: &adv,
            mask: &mask,
            num_items_in_batch: 2.0,
            gradient_accumulation_steps: 1,
            steps_per_generation: 1,
        };
        let cfg = LossConfig {
            beta: 0.5,
            ..Default::default()
        };
        let out = grpo_loss(&inputs, &cfg).expect("loss");
        assert_eq!(out.metrics.clip_ratio_high_mean, 0.5);
        assert_eq!(out.metrics.clip_ratio_low_mean, 0.0);
        // k3 of token 2 is e^-1, times its ratio e^-0.5 (bias correction).
        let k3 = ((-1.0f64).exp() + 1.0 - 1.0) * (-0.5f64).exp() / 2.0;
        assert!((out.metrics.kl.expect("kl") - k3).abs() < 1e-6);
        // Token 1: -min(e^0.5, 1.2); token 2: -min(e^-0.5, 0.8) = -e^-0.5.
        let expected = (-1.2 - (-0.5f64).exp()) / 2.0 + 0.5 * k3;
        assert!((out.loss.double_value(&[]) - expected).abs() < 1e-6);
    }

    #[test]
    fn kl_without_reference_is_an_error() {
        let logp = t(&[0.0], &[1, 1]);
        let adv = Tensor::from_slice(&[1.0f32]);
        let inputs = LossInputs {
            logprobs: &logp,
            old_logprobs: None,
            ref_logprobs: None,
            advantages: &adv,
            mask: &logp.ones_like(),
            num_items_in_batch: 1.0,
            gradient_accumulation_steps: 1,
            steps_per_generation: 1,
        };
        let cfg = LossConfig {
            beta: 0.1,
            ..Default::default()
        };
        assert!(grpo_loss(&inputs, &cfg).is_err());
    }
}
