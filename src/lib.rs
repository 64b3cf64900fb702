//! The `admon` binary's library half: configuration, the demo sites and the pipeline wiring,
//! shared by `src/main.rs` and the cross-crate tests in `tests/`.

pub mod accounts;
pub mod config;
pub mod demo;
pub mod filters;
pub mod inspect;
pub mod keys;
pub mod pipeline;
pub mod printer;
pub mod timestamp;
