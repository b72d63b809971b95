//! Errors of the reward crate: infrastructure failures only. A completion
//! that does not parse, fails its tests or times out is scored, not an error.

use std::path::PathBuf;

/// What can go wrong outside the scored code itself.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A problem file is not valid.
    #[error("invalid problem file {path}: {message}")]
    InvalidProblem {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A configuration value is not usable.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// The sandbox failed (not the code under test: the sandbox itself).
    #[error(transparent)]
    Sandbox(#[from] codequal_sandbox::Error),
}

/// Result with the reward crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
