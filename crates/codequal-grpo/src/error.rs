//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong loading a model or tokenizer, or running one.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A JSON file (config.json, tokenizer_config.json, ...) did not parse.
    #[error("parsing {path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// The checkpoint directory lacks something it needs (no config.json, no
    /// safetensors, an index naming a missing shard, ...).
    #[error("checkpoint {dir}: {message}")]
    Checkpoint {
        /// The checkpoint directory.
        dir: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The reward function failed for a whole batch.
    #[error("reward function failed: {0}")]
    Reward(String),
    /// A tensor the model needs is not in the checkpoint.
    #[error("checkpoint {dir} has no tensor `{name}`")]
    MissingTensor {
        /// The checkpoint directory.
        dir: PathBuf,
        /// The tensor's Hugging Face name.
        name: String,
    },
    /// A tensor's shape differs from what config.json implies.
    #[error("tensor `{name}` has shape {found:?} in the checkpoint, but config.json implies {expected:?}")]
    TensorShape {
        /// The tensor's Hugging Face name.
        name: String,
        /// The shape config.json implies.
        expected: Vec<i64>,
        /// The shape in the checkpoint.
        found: Vec<i64>,
    },
    /// config.json names an architecture this crate does not implement.
    #[error("unsupported architecture `{0}`; supported: qwen2 (Qwen2, Qwen2.5), llama (Llama 3.x), olmo2 (OLMo 2)")]
    UnsupportedArchitecture(String),
    /// config.json is inconsistent (e.g. hidden size not divisible by heads).
    #[error("invalid config: {0}")]
    Config(String),
    /// A prompt does not fit the model's context with the requested tokens.
    #[error("prompt of {prompt_len} tokens plus {max_new_tokens} new tokens exceeds the model's context of {context} positions")]
    ContextExceeded {
        /// Tokens in the longest prompt.
        prompt_len: usize,
        /// Tokens requested.
        max_new_tokens: usize,
        /// `max_position_embeddings`.
        context: usize,
    },
    /// The tokenizer failed to load, encode or decode.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// The chat template failed to parse or render (including its own
    /// `raise_exception`).
    #[error("chat template: {0}")]
    Template(String),
    /// Arguments that cannot work (empty prompt, token id outside the
    /// vocabulary, top_p outside (0, 1], ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// libtorch reported an error.
    #[error(transparent)]
    Torch(#[from] tch::TchError),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
