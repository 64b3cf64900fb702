//! The store's error type.

use std::path::PathBuf;

/// What can go wrong opening, reading or writing the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another process holds the data directory.
    #[error("data directory {dir} is in use by another admon process ({holder}); stop it or choose another --data")]
    Locked {
        /// The data directory.
        dir: PathBuf,
        /// Who holds it, as it recorded itself.
        holder: String,
    },
    /// The data directory cannot be created, read or written (permissions, full disk).
    #[error("cannot use data directory {path}: {cause}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        cause: std::io::Error,
    },
    /// The disk holding the data directory is nearly full: ingest stops before sled would
    /// fail half-way through a write.
    #[error("only {free_mb} MB free on the disk holding {dir}, under the {reserve_mb} MB reserve (store.min_free_mb): ingest stopped, everything stored so far is kept; free some space or move the data directory")]
    DiskFull {
        /// The data directory.
        dir: PathBuf,
        /// Free space, MB.
        free_mb: u64,
        /// The reserve, MB.
        reserve_mb: u64,
    },
    /// A backup or restore target that already holds something.
    #[error("{0} is not empty; choose a new directory (nothing was written)")]
    NotEmpty(PathBuf),
    /// A restore source that is not an admon backup.
    #[error("{dir} is not an admon backup: {message}")]
    NotABackup {
        /// The directory given.
        dir: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The process holding the store did not do what was asked over its control socket.
    #[error("the admon process holding {dir} answered: {message}")]
    Control {
        /// The data directory.
        dir: PathBuf,
        /// Its answer, or why there was none.
        message: String,
    },
    /// sled failed.
    #[error("database error: {0}")]
    Db(#[from] sled::Error),
    /// The search index failed.
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The analyst's query does not parse.
    #[error("bad search query: {0}")]
    BadQuery(String),
    /// No such case.
    #[error("case {0} not found")]
    CaseNotFound(u64),
    /// A triage move the workflow does not allow.
    #[error("case {id} cannot move from {from} to {to}")]
    IllegalTransition {
        /// The case.
        id: u64,
        /// Current state.
        from: String,
        /// Requested state.
        to: String,
    },
    /// A stored record does not decode (written by a newer admon, or damaged).
    #[error("corrupt record in {tree}: {message}")]
    Corrupt {
        /// The sled tree.
        tree: &'static str,
        /// What is wrong.
        message: String,
    },
    /// An evidence blob whose bytes no longer match the SHA-256 they were kept under.
    #[error("evidence blob {sha256} was altered: its bytes now hash to {actual}")]
    Tampered {
        /// The hash it was kept under.
        sha256: String,
        /// What its bytes hash to now.
        actual: String,
    },
    /// A signing or public key file that cannot be created or read.
    #[error("key {path}: {message}")]
    Key {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A time-stamping authority's reply that does not time-stamp the checkpoint asked about.
    #[error("time-stamp: {0}")]
    Timestamp(String),
    /// The data directory was written by a newer admon.
    #[error("data directory has schema version {found}, this admon understands up to {supported}")]
    SchemaTooNew {
        /// Version on disk.
        found: u32,
        /// Newest this build knows.
        supported: u32,
    },
}

/// The store's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
