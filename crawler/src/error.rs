//! The crawler's error type.

use std::path::PathBuf;

/// What can go wrong fetching, rendering or setting up a crawl.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An `allow` or `deny` pattern is not a regular expression.
    #[error("crawler.{list} pattern `{pattern}` is not a regular expression: {reason}")]
    BadPattern {
        /// `allow` or `deny`.
        list: &'static str,
        /// The pattern.
        pattern: String,
        /// Why.
        reason: String,
    },
    /// The URL does not parse or is not http(s).
    #[error("bad url {url}: {reason}")]
    BadUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// robots.txt disallows the URL for our user agent.
    #[error("robots.txt disallows {url}")]
    RobotsDenied {
        /// The URL.
        url: String,
    },
    /// The URL resolves to a loopback, private or link-local address and its seed is not there.
    #[error("{url} resolves to a private address; not followed")]
    PrivateAddress {
        /// The URL.
        url: String,
    },
    /// Network or HTTP failure.
    #[error("fetching {url}: {message}")]
    Fetch {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
        /// Whether trying again later may work.
        transient: bool,
    },
    /// The server answered with an error status.
    #[error("fetching {url}: HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// Chromium could not render the page.
    #[error("rendering {url}: {message}")]
    Render {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
    },
    /// A filter list or site selector file is malformed or missing.
    #[error("bad crawler seed file {path}: {message}")]
    BadSeed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A seed's scope option is malformed.
    #[error("bad seed option `{option}`: {reason}")]
    BadSeedOption {
        /// The option as written.
        option: String,
        /// What is wrong.
        reason: String,
    },
    /// The frontier could not be read or written (for the store's frontier: the store's
    /// error, such as a full disk). The crawl stops; what it finished is kept.
    #[error("crawl frontier: {0}")]
    Frontier(String),
}

impl From<admon_domain::frontier::FrontierError> for Error {
    fn from(e: admon_domain::frontier::FrontierError) -> Self {
        Error::Frontier(e.0)
    }
}

impl Error {
    /// Whether trying the same URL again later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Fetch { transient, .. } => *transient,
            Error::Status { status, .. } => *status == 429 || *status >= 500,
            Error::Render { .. } => true,
            _ => false,
        }
    }
}

/// The crawler's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
