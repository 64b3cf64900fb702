//! Errors and their one mapping to HTTP status codes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// What a dashboard request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not logged in.
    #[error("not logged in")]
    Unauthenticated,
    /// An API call without a valid bearer token.
    #[error("missing or invalid bearer token")]
    Unauthorized,
    /// Logged in, but the role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// The form's CSRF token is missing or wrong.
    #[error("missing or invalid CSRF token")]
    Csrf,
    /// Bad input.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// No such thing.
    #[error("not found")]
    NotFound,
    /// The store failed or refused.
    #[error(transparent)]
    Store(#[from] admon_store::Error),
    /// An export with nothing in it (no case matched, or every one was refused).
    #[error("nothing to export: {0}")]
    NothingToExport(String),
    /// An export could not be written.
    #[error("export failed: {0}")]
    Export(String),
    /// A template failed to render.
    #[error("template: {0}")]
    Template(#[from] minijinja::Error),
}

/// An [`Error`] on its way out as an HTTP response.
pub type ApiError = Error;

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = match &self {
            Error::Unauthenticated => {
                return axum::response::Redirect::to("/login").into_response();
            }
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::Forbidden | Error::Csrf => StatusCode::FORBIDDEN,
            Error::BadRequest(_) | Error::NothingToExport(_) => StatusCode::BAD_REQUEST,
            Error::Store(admon_store::Error::Tampered { .. }) => StatusCode::CONFLICT,
            Error::NotFound | Error::Store(admon_store::Error::CaseNotFound(_)) => {
                StatusCode::NOT_FOUND
            }
            Error::Store(admon_store::Error::IllegalTransition { .. }) => StatusCode::CONFLICT,
            Error::Store(_) | Error::Template(_) | Error::Export(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        if status.is_server_error() {
            tracing::error!(error = %self, "dashboard request failed");
        }
        (status, self.to_string()).into_response()
    }
}
