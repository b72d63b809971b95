//! The crate's error type.
//!
//! `Err` is for infrastructure failures only: a worker that cannot be
//! started, a kernel that refuses a required isolation layer, an unreadable
//! dataset. Whatever the candidate program does (a syntax error, a crash, a
//! timeout) is a [`Verdict`](crate::Verdict), never an error.

use std::path::PathBuf;

use crate::isolation::Layer;

/// Everything that can go wrong outside the candidate's control.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The kernel refused isolation layers and the configuration says to
    /// refuse rather than run degraded.
    #[error("isolation layers unavailable: {missing:?} (set `on_missing_layer = \"degrade\"` to run without them)")]
    LayersMissing {
        /// The layers the kernel refused.
        missing: Vec<Layer>,
    },
    /// The configured Python executable could not be found or resolved.
    #[error("python executable {path:?} not usable: {source}")]
    Python {
        /// The configured path.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// Starting a sandboxed worker failed.
    #[error("could not start a sandbox worker: {0}")]
    Spawn(#[source] std::io::Error),
    /// A worker broke the protocol before any candidate code ran (so the
    /// candidate cannot be blamed).
    #[error("sandbox worker failed during startup: {0}")]
    WorkerStartup(String),
    /// A configuration value is out of range.
    #[error("invalid sandbox configuration: {0}")]
    Config(String),
    /// Reading a file (dataset, samples) failed.
    #[error("cannot read {path:?}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A dataset or samples file is malformed.
    #[error("malformed record in {path:?} (line {line}): {message}")]
    Dataset {
        /// The file.
        path: PathBuf,
        /// 1-based line (JSONL) or record index (JSON arrays).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Any other I/O failure on the host side.
    #[error("sandbox I/O failure: {0}")]
    HostIo(#[from] std::io::Error),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
