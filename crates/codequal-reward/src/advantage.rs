//! Group-relative advantages, as TRL's GRPO computes them.
//!
//! `A = (r - mean_group(r)) / (std + 1e-4)` with the Bessel-corrected
//! standard deviation of the group (`Scaling::Group`, the default), of the
//! whole batch (`Scaling::Batch`), or no division at all (`Scaling::None`,
//! Dr. GRPO). A completion whose rewards could not be computed (`None`) is
//! left out of its group's statistics and gets advantage 0. With
//! `Aggregation::NormalizeThenSum`, each reward is z-scored within its group
//! first, the weighted sum is taken, and the result is z-scored over the
//! batch.

use serde::{Deserialize, Serialize};

/// Added to the standard deviation, as in TRL.
pub const EPSILON: f64 = 1e-4;

/// How rewards are scaled after the group mean is subtracted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scaling {
    /// Divide by the group's standard deviation (TRL default).
    #[default]
    Group,
    /// Divide by the whole batch's standard deviation.
    Batch,
    /// Do not divide (Dr. GRPO).
    None,
}

/// How several rewards become one advantage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Weighted sum first, then group normalisation (TRL default).
    #[default]
    SumThenNormalize,
    /// Normalise each reward within its group, sum, normalise over the batch.
    NormalizeThenSum,
}

/// Mean and Bessel-corrected standard deviation of the present values
/// (std is 0 for fewer than two).
pub fn mean_std(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = values.into_iter().collect();
    if v.is_empty() {
        return (0.0, 0.0);
    }
    // A tied group has exactly its value as mean (summing would round), so
    // its advantages are exactly 0.
    if v.iter().all(|x| *x == v[0]) {
        return (v[0], 0.0);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if v.len() < 2 {
        return (mean, 0.0);
    }
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// Advantages of composite rewards laid out group by group
/// (`rewards.len()` must be a multiple of `group_size`; a trailing partial
/// group is treated as a group of its own).
pub fn group_advantages(rewards: &[Option<f64>], group_size: usize, scaling: Scaling) -> Vec<f64> {
    let group_size = group_size.max(1);
    let (_, batch_std) = mean_std(rewards.iter().flatten().copied());
    let mut out = Vec::with_capacity(rewards.len());
    for group in rewards.chunks(group_size) {
        let (mean, std) = mean_std(group.iter().flatten().copied());
        let scale = match scaling {
            Scaling::Group => std + EPSILON,
            Scaling::Batch => batch_std + EPSILON,
            Scaling::None => 1.0,
        };
        out.extend(group.iter().map(|r| r.map_or(0.0, |r| (r - mean) / scale)));
    }
    out
}

/// Advantages with `NormalizeThenSum`: `per_reward[i][k]` is reward `k` of
/// completion `i`.
pub fn normalize_then_sum(
    per_reward: &[Vec<Option<f64>>],
    weights: &[f64],
    group_size: usize,
) -> Vec<f64> {
    let group_size = group_size.max(1);
    let n_rewards = weights.len();
    let mut summed: Vec<Option<f64>> = vec![None; per_reward.len()];
    for (g, group) in per_reward.chunks(group_size).enumerate() {
        for k in 0..n_rewards {
            let (mean, std) = mean_std(group.iter().filter_map(|r| r.get(k).copied().flatten()));
            for (j, r) in group.iter().enumerate() {
                if let Some(v) = r.get(k).copied().flatten() {
                    let z = (v - mean) / (std + EPSILON);
                    let slot = &mut summed[g * group_size + j];
                    *slot = Some(slot.unwrap_or(0.0) + weights[k] * z);
                }
            }
        }
    }
    let (mean, std) = mean_std(summed.iter().flatten().copied());
    summed
        .iter()
        .map(|s| s.map_or(0.0, |s| (s - mean) / (std + EPSILON)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_computation() {
        // Group [1, 2, 3]: mean 2, Bessel std 1.
        let a = group_advantages(&[Some(1.0), Some(2.0), Some(3.0)], 3, Scaling::Group);
        let s = 1.0 + EPSILON;
        assert_eq!(a, vec![-1.0 / s, 0.0, 1.0 / s]);
        assert_eq!(
            group_advantages(&[Some(1.0), Some(3.0)], 2, Scaling::None),
            vec![-1.0, 1.0]
        );
    }

    #[test]
    fn ties_give_zero_and_missing_is_excluded() {
        assert_eq!(
            group_advantages(&[Some(0.7); 4], 4, Scaling::Group),
            vec![0.0; 4]
        );
        let a = group_advantages(&[Some(1.0), None, Some(3.0)], 3, Scaling::Group);
        assert_eq!(a[1], 0.0);
        assert!(a[0] < 0.0 && a[2] > 0.0);
        assert!((a[0] + a[2]).abs() < 1e-12);
    }

    #[test]
    fn batch_scaling_uses_the_batch_std() {
        let r = [Some(0.0), Some(2.0), Some(10.0), Some(10.0)];
        let a = group_advantages(&r, 2, Scaling::Batch);
        let (_, std) = mean_std(r.iter().flatten().copied());
        assert!((a[0] - (-1.0 / (std + EPSILON))).abs() < 1e-12);
        assert_eq!(a[2], 0.0);
    }
}
