//! AdamW over plain tensors (so its state can be checkpointed, which tch's
//! built-in optimizers cannot), gradient clipping by global norm, and the
//! learning-rate schedules of transformers' `Trainer`.
//!
//! The update is `torch.optim.AdamW`'s (decoupled weight decay, bias
//! correction, `eps` added after the square root), in the order torch
//! applies it:
//!
//! ```text
//! p  <- p * (1 - lr * weight_decay)
//! m  <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2
//! p  <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
//! ```
//!
//! Weight decay skips biases and normalisation weights, as transformers'
//! `Trainer.get_decay_parameter_names` does (names containing `bias`,
//! `layernorm`, `rmsnorm`, a `norm` path segment or `_norm`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

use crate::error::{Error, Result};

/// AdamW's settings (defaults: transformers `TrainingArguments`', with
/// TRL's GRPO learning rate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdamWConfig {
    /// Peak learning rate (default 1e-6, TRL's GRPO default).
    pub learning_rate: f64,
    /// First-moment decay (default 0.9).
    pub beta1: f64,
    /// Second-moment decay (default 0.999).
    pub beta2: f64,
    /// Added to the denominator (default 1e-8).
    pub eps: f64,
    /// Decoupled weight decay (default 0.0).
    pub weight_decay: f64,
    /// Clip gradients to this global L2 norm; `None` disables (default 1.0).
    pub max_grad_norm: Option<f64>,
}

impl Default for AdamWConfig {
    fn default() -> Self {
        Self {
            learning_rate: 1e-6,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            max_grad_norm: Some(1.0),
        }
    }
}

impl AdamWConfig {
    /// Rejects settings AdamW is undefined for.
    pub fn validate(&self) -> Result<()> {
        let unit = |x: f64| (0.0..1.0).contains(&x);
        let positive = |x: f64| x.is_finite() && x > 0.0;
        let non_negative = |x: f64| x.is_finite() && x >= 0.0;
        let valid = non_negative(self.learning_rate)
            && unit(self.beta1)
            && unit(self.beta2)
            && positive(self.eps)
            && non_negative(self.weight_decay)
            && self.max_grad_norm.is_none_or(positive);
        if !valid {
            return Err(Error::InvalidInput(format!(
                "invalid AdamW settings: {self:?}"
            )));
        }
        Ok(())
    }
}

/// How the learning rate moves over the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleKind {
    /// Linear warm-up, then constant (default).
    #[default]
    Constant,
    /// Linear warm-up, then half a cosine down to `min_lr_rate * lr`
    /// (transformers' `cosine` / `cosine_with_min_lr`).
    Cosine,
}

/// A learning-rate schedule in optimizer steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LrSchedule {
    /// Shape (default constant).
    pub kind: ScheduleKind,
    /// Warm-up optimizer steps (default 0).
    pub warmup_steps: usize,
    /// Floor of the cosine as a fraction of the peak (default 0.0; open-r1
    /// uses 0.1).
    pub min_lr_rate: f64,
}

impl Default for LrSchedule {
    fn default() -> Self {
        Self {
            kind: ScheduleKind::Constant,
            warmup_steps: 0,
            min_lr_rate: 0.0,
        }
    }
}

impl LrSchedule {
    /// The multiplier of the peak rate for 0-based optimizer step `step` of
    /// `total` (transformers' LambdaLR: the first step of a warm-up uses 0).
    pub fn factor(&self, step: usize, total: usize) -> f64 {
        if step < self.warmup_steps {
            return step as f64 / self.warmup_steps.max(1) as f64;
        }
        match self.kind {
            ScheduleKind::Constant => 1.0,
            ScheduleKind::Cosine => {
                let span = total.saturating_sub(self.warmup_steps).max(1) as f64;
                let progress = (step - self.warmup_steps) as f64 / span;
                let cosine = 0.5 * (1.0 + (std::f64::consts::PI * progress).cos());
                (cosine * (1.0 - self.min_lr_rate) + self.min_lr_rate).max(0.0)
            }
        }
    }
}

/// Whether a parameter gets weight decay (see the module docs).
pub fn decays(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let norm_segment = n.split('.').any(|s| s == "norm");
    !(n.contains("bias")
        || n.contains("layernorm")
        || n.contains("rmsnorm")
        || n.contains("_norm")
        || norm_segment)
}

/// One parameter and its moments.
#[derive(Debug)]
struct Slot {
    param: Tensor,
    exp_avg: Tensor,
    exp_avg_sq: Tensor,
    decay: bool,
}

/// AdamW over named parameters, with savable state.
#[derive(Debug)]
pub struct AdamW {
    config: AdamWConfig,
    slots: BTreeMap<String, Slot>,
    step: u64,
}

impl AdamW {
    /// An optimizer over `params` (e.g. `VarStore::variables()`); the
    /// moments start at zero, in fp32 whatever the parameters' dtype.
    pub fn new(
        params: impl IntoIterator<Item = (String, Tensor)>,
        config: AdamWConfig,
    ) -> Result<Self> {
        config.validate()?;
        let slots = params
            .into_iter()
            .filter(|(_, p)| p.requires_grad())
            .map(|(name, param)| {
                let zeros = param.zeros_like().to_kind(Kind::Float);
                let slot = Slot {
                    decay: decays(&name),
                    exp_avg: zeros.shallow_clone(),
                    exp_avg_sq: zeros.copy(),
                    param,
                };
                (name, slot)
            })
            .collect();
        Ok(Self {
            config,
            slots,
            step: 0,
        })
    }

    /// Optimizer steps taken so far.
    pub fn step_count(&self) -> u64 {
        self.step
    }

    /// The settings.
    pub fn config(&self) -> &AdamWConfig {
        &self.config
    }

    /// Sets every gradient to zero.
    pub fn zero_grad(&mut self) {
        for slot in self.slots.values_mut() {
            let mut g = slot.param.grad();
            if g.defined() {
                let _ = g.zero_();
            }
        }
    }

    /// Global L2 norm of the gradients (fp32; undefined gradients count 0).
    pub fn grad_norm(&self) -> f64 {
        tch::no_grad(|| {
            let mut total = 0.0;
            for slot in self.slots.values() {
                let g = slot.param.grad();
                if g.defined() {
                    let n = g.to_kind(Kind::Float).norm().double_value(&[]);
                    total += n * n;
                }
            }
            total.sqrt()
        })
    }

    /// Clips the gradients to `max_grad_norm` as
    /// `torch.nn.utils.clip_grad_norm_` does and returns the norm before
    /// clipping.
    pub fn clip_grad_norm(&mut self) -> f64 {
        let norm = self.grad_norm();
        if let Some(max) = self.config.max_grad_norm {
            let coef = (max / (norm + 1e-6)).min(1.0);
            if coef < 1.0 {
                tch::no_grad(|| {
                    for slot in self.slots.values_mut() {
                        let mut g = slot.param.grad();
                        if g.defined() {
                            let _ = g.g_mul_scalar_(coef);
                        }
                    }
                });
            }
        }
        norm
    }

    /// One update at learning rate `lr` from the current gradients
    /// (parameters without a gradient are left alone, as in torch).
    pub fn step(&mut self, lr: f64) {
        self.step += 1;
        let c = &self.config;
        let t = self.step as i32;
        let bc1 = 1.0 - c.beta1.powi(t);
        let bc2_sqrt = (1.0 - c.beta2.powi(t)).sqrt();
        tch::no_grad(|| {
            for slot in self.slots.values_mut() {
                let g = slot.param.grad();
                if !g.defined() {
                    continue;
                }
                let g = g.to_kind(Kind::Float);
                let mut p = slot.param.to_kind(Kind::Float);
                if slot.decay && c.weight_decay != 0.0 {
                    p *= 1.0 - lr * c.weight_decay;
                }
                let _ = slot.exp_avg.g_mul_scalar_(c.beta1);
                let _ = slot.exp_avg.g_add_(&(&g * (1.0 - c.beta1)));
                let _ = slot.exp_avg_sq.g_mul_scalar_(c.beta2);
                let _ = slot.exp_avg_sq.g_add_(&(&g * &g * (1.0 - c.beta2)));
                let denom = slot.exp_avg_sq.sqrt() / bc2_sqrt + c.eps;
                let update = &slot.exp_avg / denom * (lr / bc1);
                let new = p - update;
                slot.param.copy_(&new.to_kind(slot.param.kind()));
            }
        });
    }

    /// The state as named tensors (`exp_avg.<param>`, `exp_avg_sq.<param>`)
    /// plus the step count, for a checkpoint.
    pub fn state_tensors(&self) -> Vec<(String, Tensor)> {
        let mut out = Vec::with_capacity(2 * self.slots.len() + 1);
        for (name, slot) in &self.slots {
            out.push((format!("exp_avg.{name}"), slot.exp_avg.shallow_clone()));
            out.push((
                format!("exp_avg_sq.{name}"),
                slot.exp_avg_sq.shallow_clone(),
            ));
        }
        // i64 tensor: exact for any step count.
        out.push(("step".to_owned(), Tensor::from_slice(&[self.step as i64])));
        out
    }

    /// Writes the state to a safetensors file.
    pub fn save(&self, path: &Path) -> Result<()> {
        let tensors = self.state_tensors();
        Tensor::write_safetensors(&tensors, path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        })
    }

    /// Restores the state written by [`AdamW::save`]; every parameter's
    /// moments must be there with the right shape.
    pub fn load(&mut self, path: &Path) -> Result<()> {
        let tensors = Tensor::read_safetensors(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let mut map: BTreeMap<String, Tensor> = tensors.into_iter().collect();
        let step = map
            .remove("step")
            .ok_or_else(|| Error::InvalidInput(format!("{}: no `step`", path.display())))?;
        let device = self
            .slots
            .values()
            .next()
            .map(|s| s.param.device())
            .unwrap_or(tch::Device::Cpu);
        tch::no_grad(|| -> Result<()> {
            for (name, slot) in &mut self.slots {
                for (prefix, dst) in [
                    ("exp_avg", &mut slot.exp_avg),
                    ("exp_avg_sq", &mut slot.exp_avg_sq),
                ] {
                    let key = format!("{prefix}.{name}");
                    let src = map.remove(&key).ok_or_else(|| {
                        Error::InvalidInput(format!("{}: no `{key}`", path.display()))
                    })?;
                    if src.size() != dst.size() {
                        return Err(Error::TensorShape {
                            name: key,
                            expected: dst.size(),
                            found: src.size(),
                        });
                    }
                    dst.copy_(&src.to_device(device).to_kind(Kind::Float));
                }
            }
            Ok(())
        })?;
        self.step = u64::try_from(step.int64_value(&[0])).unwrap_or(0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_step_matches_the_closed_form() {
        // First step: m = (1-b1) g, v = (1-b2) g^2, so the update is
        // lr * g / (|g| + eps * ...) ~= lr * sign(g).
        let p = Tensor::from_slice(&[1.0f32, -2.0]).set_requires_grad(true);
        let mut opt = AdamW::new(
            [("w".to_owned(), p.shallow_clone())],
            AdamWConfig {
                learning_rate: 0.1,
                weight_decay: 0.5,
                max_grad_norm: None,
                ..Default::default()
            },
        )
        .expect("adamw");
        let loss = (&p * Tensor::from_slice(&[3.0f32, -4.0])).sum(Kind::Float);
        loss.backward();
        opt.step(0.1);
        let v = Vec::<f32>::try_from(p.detach()).expect("values");
        // p * (1 - 0.05) - 0.1 * sign(g)
        assert!((v[0] - (0.95 - 0.1)).abs() < 1e-5, "{v:?}");
        assert!((v[1] - (-1.9 + 0.1)).abs() < 1e-5, "{v:?}");
    }

    #[test]
    fn clipping_scales_to_the_max_norm() {
        let p = Tensor::from_slice(&[0.0f32, 0.0]).set_requires_grad(true);
        let mut opt = AdamW::new(
            [("w".to_owned(), p.shallow_clone())],
            AdamWConfig::default(),
        )
        .expect("adamw");
        (&p * Tensor::from_slice(&[3.0f32, 4.0]))
            .sum(Kind::Float)
            .backward();
        assert!((opt.clip_grad_norm() - 5.0).abs() < 1e-6);
        assert!((opt.grad_norm() - 1.0).abs() < 1e-5);
    }

    #[test]
    fn schedules() {
        let cos = LrSchedule {
            kind: ScheduleKind::Cosine,
            warmup_steps: 2,
            min_lr_rate: 0.0,
        };
        assert_eq!(cos.factor(0, 10), 0.0);
        assert_eq!(cos.factor(1, 10), 0.5);
        assert_eq!(cos.factor(2, 10), 1.0);
        assert!((cos.factor(6, 10) - 0.5).abs() < 1e-12);
        assert!(LrSchedule::default().factor(5, 10) == 1.0);
    }

    #[test]
    fn decay_exclusions() {
        assert!(decays("model.layers.0.self_attn.q_proj.weight"));
        assert!(!decays("model.layers.0.self_attn.q_proj.bias"));
        assert!(!decays("model.layers.0.input_layernorm.weight"));
        assert!(!decays("model.norm.weight"));
        assert!(!decays("model.layers.0.self_attn.q_norm.weight"));
    }

    #[test]
    fn state_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = Tensor::from_slice(&[1.0f32, 2.0]).set_requires_grad(true);
        let mut opt = AdamW::new(
            [("w".to_owned(), p.shallow_clone())],
            AdamWConfig::default(),
        )
        .expect("adamw");
        (&p * &p).sum(Kind::Float).backward();
        opt.step(0.01);
        let path = dir.path().join("opt.safetensors");
        opt.save(&path).expect("save");
        let q = Tensor::from_slice(&[1.0f32, 2.0]).set_requires_grad(true);
        let mut other = AdamW::new([("w".to_owned(), q)], AdamWConfig::default()).expect("adamw");
        other.load(&path).expect("load");
        assert_eq!(other.step_count(), 1);
        let a = &opt.slots["w"].exp_avg_sq;
        let b = &other.slots["w"].exp_avg_sq;
        assert_eq!(Vec::<f32>::try_from(a).ok(), Vec::<f32>::try_from(b).ok());
    }
}
