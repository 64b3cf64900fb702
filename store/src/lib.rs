//! The monitoring centre's memory: every capture, sample, case and triage decision, with the
//! evidence behind them.
//!
//! sled is the source of truth ([`Store`]): captures, the SHA-256 of their evidence blobs (HTML,
//! screenshots, WARC; content-addressed files in `blobs/`), samples with their verdicts, cases grouped by fingerprint,
//! a queue index by state and score, users, and a hash-chained audit log that
//! [`Store::verify`] checks. A tantivy index with jieba tokenisation (`index`) makes cases
//! searchable in Chinese; it can always be rebuilt from sled, and after a crash it replays the
//! case changes logged after the last one it committed. Each capture also keeps a WARC record
//! (`warc`). A data directory is held by one process at a time (`lock`); that process can be
//! asked over a socket in the directory (`control`) to take a consistent backup (`backup`).
//! The store is also the crawl's persistent frontier (`frontier`): a page and its job's "done"
//! mark are written together ([`Store::ingest`]), so a killed crawl resumes exactly where its
//! kept pages end. Nothing here crawls, classifies or serves HTTP.

#![warn(missing_docs)]

mod backup;
mod blobs;
mod control;
mod error;
mod frontier;
mod group;
mod index;
mod lock;
mod records;
mod runs;
mod signing;
pub mod timestamp;
mod verify;
mod warc;

pub use backup::BackupReport;
pub use control::request_backup;
pub use error::{Error, Result};
pub use index::Facets;
pub use records::{
    ApiToken, AuditEntry, CaptureRecord, CaseFilter, IndexStatus, Ingest, NewSighting,
    PreparedCapture, Store, User, DEFAULT_CACHE_BYTES, TOKEN_ID_DIGITS,
};
pub use runs::CrawlRun;
pub use signing::{Checkpoint, PublicKey, Signer};
pub use verify::VerifyReport;
