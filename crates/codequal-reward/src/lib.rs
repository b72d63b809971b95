//! Rewards for code language models: format, correctness (tests passed in the
//! sandbox) and quality (the analyzer's score), composed as in arXiv
//! 2506.02211 (0.2 / 0.3 / 0.5) and normalised into group-relative
//! advantages for GRPO.
//!
//! This crate also owns the training problems (`fixtures/problems`) and the
//! prompt template that turns a problem into a chat.
//!
//! ```no_run
//! use codequal_reward::problems::ProblemSet;
//!
//! let set = ProblemSet::load("fixtures/problems")?;
//! let train = set.split(codequal_reward::problems::Split::Train);
//! println!("{} training problems, first: {}", train.len(), train[0].title);
//! # Ok::<(), codequal_reward::Error>(())
//! ```
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod compose;
pub mod dynamic_code;
pub mod error;
pub mod extract;
pub mod format;
pub mod memorized;
pub mod pipeline;
pub mod problems;
pub mod prompt;
mod syntax_walk;
pub mod trivial;

pub use codequal_reward_api::{advantage, RewardError, RewardFunction, Rewards};
pub use error::{Error, Result};
