//! Cross-crate tests: the whole pipeline, driven through the `admon` binary as a user would.

mod browser;
mod cli;
mod distributed;
mod e2e;
mod extraction;
mod faults;
mod hostile;
mod inspect;
mod pages;
mod resume;
