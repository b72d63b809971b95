//! Weighting the three rewards into one composite.
//!
//! Weights must be finite and non-negative, with a positive sum of at most
//! [`MAX_WEIGHT_SUM`]: every reward lies in [0, 1], so the composite lies in
//! [0, sum] and its square (in the group's variance) stays finite. The
//! composite is never NaN or infinite; should arithmetic ever make it so, it
//! is `None` (uncomputable), which gives the completion advantage 0.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The largest accepted sum of the weights (1e6). Rewards lie in [0, 1], so
/// larger weights add nothing but the risk of overflow: with every weight
/// at 1e308 the composite was infinite and every advantage of the group NaN.
/// 1e6 leaves the variance of any group (sums of squares of composites)
/// far inside `f64`.
pub const MAX_WEIGHT_SUM: f64 = 1e6;

/// Weights of format, correctness and quality (default 0.2 / 0.3 / 0.5, the
/// paper's). Any non-negative, finite set whose sum is positive and at most
/// [`MAX_WEIGHT_SUM`] is accepted; `quality: 0` is the paper's control run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Weight of the format reward (default 0.2).
    pub format: f64,
    /// Weight of the correctness reward (default 0.3).
    pub correctness: f64,
    /// Weight of the quality reward (default 0.5).
    pub quality: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            format: 0.2,
            correctness: 0.3,
            quality: 0.5,
        }
    }
}

impl Weights {
    /// Checks that the weights can be used.
    pub fn validate(&self) -> Result<()> {
        let all = [self.format, self.correctness, self.quality];
        if all.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(Error::InvalidConfig(format!(
                "reward weights must be finite and non-negative, got {all:?}"
            )));
        }
        let sum: f64 = all.iter().sum();
        if sum <= 0.0 {
            return Err(Error::InvalidConfig(
                "reward weights sum to 0: no reward would be given".to_owned(),
            ));
        }
        if !sum.is_finite() || sum > MAX_WEIGHT_SUM {
            return Err(Error::InvalidConfig(format!(
                "reward weights sum to {sum:e}, above the limit of {MAX_WEIGHT_SUM:e}: the composite and the advantages would overflow (rewards lie in [0, 1], so scale the weights down)"
            )));
        }
        Ok(())
    }

    /// The weights as an array in reward order (format, correctness, quality).
    pub fn as_array(&self) -> [f64; 3] {
        [self.format, self.correctness, self.quality]
    }

    /// The weighted sum of the rewards that could be computed (a missing
    /// reward counts as 0, as TRL's `nansum`); `None` when none could, or
    /// when the sum is not finite (weights that were never validated, a
    /// reward that is NaN): such a completion is uncomputable and gets
    /// advantage 0 rather than poisoning its group with NaN.
    pub fn composite(&self, rewards: [Option<f64>; 3]) -> Option<f64> {
        if rewards.iter().all(Option::is_none) {
            return None;
        }
        let sum: f64 = rewards
            .iter()
            .zip(self.as_array())
            .map(|(r, w)| r.unwrap_or(0.0) * w)
            .sum();
        sum.is_finite().then_some(sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_papers() {
        let w = Weights::default();
        assert_eq!(w.composite([Some(1.0), Some(1.0), Some(1.0)]), Some(1.0));
        assert_eq!(w.composite([Some(1.0), Some(0.0), Some(0.5)]), Some(0.45));
        assert_eq!(w.composite([None, None, None]), None);
    }

    #[test]
    fn bad_weights_are_rejected() {
        let zero = Weights {
            format: 0.0,
            correctness: 0.0,
            quality: 0.0,
        };
        assert!(zero.validate().is_err());
        assert!(Weights {
            format: -1.0,
            ..Weights::default()
        }
        .validate()
        .is_err());
        assert!(Weights {
            quality: f64::NAN,
            ..Weights::default()
        }
        .validate()
        .is_err());
        assert!(Weights {
            quality: 0.0,
            ..Weights::default()
        }
        .validate()
        .is_ok());
    }

    /// Regression: 1e308 for every weight was accepted; the composite was
    /// inf and every advantage of the group NaN.
    #[test]
    fn weights_whose_sum_overflows_are_rejected() {
        let huge = Weights {
            format: 1e308,
            correctness: 1e308,
            quality: 1e308,
        };
        let err = huge.validate().expect_err("rejected").to_string();
        assert!(err.contains("overflow"), "{err}");
        assert!(Weights {
            quality: f64::INFINITY,
            ..Weights::default()
        }
        .validate()
        .is_err());
        assert!(Weights {
            format: MAX_WEIGHT_SUM,
            correctness: 0.0,
            quality: 0.0,
        }
        .validate()
        .is_ok());
        assert!(Weights {
            format: MAX_WEIGHT_SUM,
            ..Weights::default()
        }
        .validate()
        .is_err());
    }

    #[test]
    fn a_composite_that_is_not_finite_is_uncomputable() {
        let huge = Weights {
            format: 1e308,
            correctness: 1e308,
            quality: 1e308,
        };
        assert_eq!(huge.composite([Some(1.0), Some(1.0), Some(1.0)]), None);
        assert_eq!(
            Weights::default().composite([Some(f64::NAN), Some(1.0), Some(1.0)]),
            None
        );
    }
}
