//! The monitoring centre's memory: every capture, sample, case and triage decision, with the
//! evidence behind them.
//!
//! sled is the source of truth ([`Store`]): captures, content-addressed evidence blobs (HTML,
//! screenshots) with their SHA-256, samples with their verdicts, cases grouped by fingerprint,
//! a queue index by state and score, users, and a hash-chained audit log that
//! [`Store::verify`] checks. A tantivy index with jieba tokenisation (`index`) makes cases
//! searchable in Chinese; it can always be rebuilt from sled. A data directory is held by one
//! process at a time (`lock`). Nothing here crawls, classifies or serves HTTP.

#![warn(missing_docs)]

mod error;
mod index;
mod lock;
mod records;

pub use error::{Error, Result};
pub use records::{ApiToken, AuditEntry, CaseFilter, NewSighting, Store, User, VerifyReport};
