//! Errors of the analyzer: only infrastructure failures (a file that cannot
//! be read). Bad Python is never an error: it is a finding in the report.

use std::path::PathBuf;

/// Everything that can go wrong outside the analysed code itself.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
}

/// Result with the analyzer's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
