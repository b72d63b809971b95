//! The interface between a trainer and its rewards.
//!
//! A GRPO trainer needs numbers for completions; it must not need to know
//! that they come from running Python in a sandbox. This crate is that
//! boundary: the [`RewardFunction`] trait, the [`Rewards`] a call returns, and
//! the group-relative advantage math ([`advantage`]) both sides share. It has
//! no heavy dependencies: `codequal-grpo` depends on it without pulling in the
//! analyzer or the sandbox, and `codequal-reward` implements it.
//!
//! ```
//! use codequal_reward_api::{RewardFunction, Rewards, RewardError};
//!
//! /// Rewards short answers.
//! struct Brevity;
//!
//! impl RewardFunction for Brevity {
//!     fn names(&self) -> Vec<String> { vec!["brevity".into()] }
//!     fn score(&self, _prompts: &[String], completions: &[String]) -> Result<Vec<Rewards>, RewardError> {
//!         Ok(completions.iter().map(|c| Rewards::single(1.0 / (1.0 + c.len() as f64))).collect())
//!     }
//! }
//!
//! let r = Brevity.score(&["p".into(), "p".into()], &["a".into(), "abc".into()])?;
//! assert!(r[0].composite > r[1].composite);
//! # Ok::<(), RewardError>(())
//! ```
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod advantage;

use serde::{Deserialize, Serialize};

/// A reward computation failed for the whole call (not for one completion:
/// a completion that cannot be scored gets `None` values instead).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RewardError {
    /// The prompt is not one the reward function knows.
    #[error("unknown prompt `{0}`")]
    UnknownPrompt(String),
    /// The inputs do not line up (e.g. different lengths).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The reward's own machinery failed.
    #[error("reward backend failed: {0}")]
    Backend(String),
}

/// The rewards of one completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rewards {
    /// One value per [`RewardFunction::names`] entry; `None` where it could
    /// not be computed.
    pub values: Vec<Option<f64>>,
    /// The weighted combination the trainer optimises; `None` when no value
    /// could be computed (the completion is then left out of its group's
    /// baseline and gets advantage 0).
    pub composite: Option<f64>,
    /// Why, for logs and saved samples (free-form JSON).
    pub explanation: Option<serde_json::Value>,
}

impl Rewards {
    /// A single reward that is also the composite.
    pub fn single(value: f64) -> Self {
        Self {
            values: vec![Some(value)],
            composite: Some(value),
            explanation: None,
        }
    }
}

/// Something that scores completions of prompts.
///
/// `prompt_ids[i]` identifies the prompt that `completions[i]` answers (for
/// the codequal rewards, the problem id). Completions of the same prompt that
/// are adjacent form one GRPO group.
pub trait RewardFunction: Send + Sync {
    /// Names of the individual rewards, in the order of [`Rewards::values`].
    fn names(&self) -> Vec<String>;

    /// Scores a batch. The result has one entry per completion.
    fn score(
        &self,
        prompt_ids: &[String],
        completions: &[String],
    ) -> Result<Vec<Rewards>, RewardError>;
}
