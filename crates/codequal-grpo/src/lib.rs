//! GRPO for code LLMs on libtorch (tch): Qwen2 / Qwen2.5, Llama 3.x and
//! OLMo 2 loaded unchanged from Hugging Face checkpoints, their tokenizers
//! and chat templates, batched sampling with a KV cache, and chunked,
//! differentiable log-probs.
//!
//! ```no_run
//! use codequal_grpo::{generate, AutoModel, LoadOptions, Message, SamplingConfig, Tokenizer};
//!
//! # fn main() -> codequal_grpo::Result<()> {
//! let model = AutoModel::load("Qwen2.5-0.5B-Instruct", LoadOptions::default())?;
//! let tokenizer = Tokenizer::load("Qwen2.5-0.5B-Instruct")?;
//! let prompt = tokenizer.chat_prompt_ids(&[Message::new("user", "Write fizzbuzz.")])?;
//! let cfg = SamplingConfig { num_samples: 4, max_new_tokens: 64, ..Default::default() };
//! for sample in generate(&model, &tokenizer, &[prompt], &cfg)? {
//!     println!("{} (finished: {})", sample.text, sample.finished);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! libtorch: see the workspace README ("libtorch"); `cargo xtask setup`
//! makes plain `cargo build` find PyPI's torch 2.11.0.

pub mod checkpoint;
pub mod config;
pub mod error;
pub mod logprobs;
pub mod loss;
pub mod models;
pub mod optim;
pub mod sampling;
pub mod tokenizer;
pub mod trainer;

pub use config::Config;
pub use error::{Error, Result};
pub use logprobs::{
    completion_logprobs, completion_logprobs_for_training, CompletionLogprobs, LogprobConfig,
    TrainingLogprobs,
};
pub use loss::{grpo_loss, LossConfig, LossInputs, LossOutput, LossType};
pub use models::{Architecture, AutoModel, KvCache, LoadOptions};
pub use optim::{AdamW, AdamWConfig, LrSchedule, ScheduleKind};
pub use sampling::{generate, generate_ids, Sample, SamplingConfig};
pub use tokenizer::{Message, Tokenizer};
pub use trainer::{
    Metrics, PromptExample, Silent, Trainer, TrainerConfig, TrainerState, TrainingObserver,
};
