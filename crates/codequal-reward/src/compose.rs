//! Weighting the three rewards into one composite.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Weights of format, correctness and quality (default 0.2 / 0.3 / 0.5, the
/// paper's). Any non-negative, finite set whose sum is positive is accepted;
/// `quality: 0` is the paper's control run.
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
        if all.iter().sum::<f64>() <= 0.0 {
            return Err(Error::InvalidConfig(
                "reward weights sum to 0: no reward would be given".to_owned(),
            ));
        }
        Ok(())
    }

    /// The weights as an array in reward order (format, correctness, quality).
    pub fn as_array(&self) -> [f64; 3] {
        [self.format, self.correctness, self.quality]
    }

    /// The weighted sum of the rewards that could be computed (a missing
    /// reward counts as 0, as TRL's `nansum`); `None` when none could.
    pub fn composite(&self, rewards: [Option<f64>; 3]) -> Option<f64> {
        if rewards.iter().all(Option::is_none) {
            return None;
        }
        Some(
            rewards
                .iter()
                .zip(self.as_array())
                .map(|(r, w)| r.unwrap_or(0.0) * w)
                .sum(),
        )
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
}
