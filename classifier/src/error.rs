//! The classifier's error type.

use std::path::PathBuf;

/// What can go wrong loading seed data, a model or input records, or training.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A seed file (lexicon, legal basis, brands, corpus) is malformed.
    #[error("bad seed file {path}: {message}")]
    BadSeed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A saved model is malformed.
    #[error("bad model file {path}: {message} (retrain with `admon train`)")]
    BadModel {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An input record is malformed.
    #[error("line {line}: {message}")]
    BadRecord {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Training failed.
    #[error("training failed: {0}")]
    Train(String),
}

/// The classifier's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
