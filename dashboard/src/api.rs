//! The JSON API for other systems: `/api/v1/...` with `Authorization: Bearer <token>`
//! (tokens from `admon token create`). Same role rules as the pages; no cookies, so no CSRF.

use crate::auth::{token_hash, Action, Role};
use crate::export::Format;
use crate::routes::optional;
use crate::{may, AppState, Error};
use admon_domain::{CaseState, Category};
use admon_store::CaseFilter;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::sync::Arc;

type Shared = Arc<AppState>;
type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn router(state: Shared) -> Router {
    Router::new()
        .route("/api/v1/cases", get(cases))
        .route("/api/v1/cases/{id}", get(case))
        .route("/api/v1/search", get(search))
        .route("/api/v1/export", post(export))
        .with_state(state)
}

/// The token's name and role, if it may do `action`.
fn caller(state: &AppState, headers: &HeaderMap, action: Action) -> Result<(String, Role)> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(Error::Unauthorized)?;
    let token = state
        .store
        .token(&token_hash(secret.trim()))?
        .filter(|t| {
            t.expires
                .is_none_or(|at| at > time::OffsetDateTime::now_utc())
        })
        .ok_or(Error::Unauthorized)?;
    let role = Role::parse(&token.role).ok_or(Error::Unauthorized)?;
    if !may(role, action) {
        return Err(Error::Forbidden);
    }
    Ok((format!("token:{}", token.name), role))
}

#[derive(Deserialize)]
struct CasesQuery {
    state: Option<String>,
    category: Option<String>,
    domain: Option<String>,
    #[serde(default)]
    offset: usize,
    limit: Option<usize>,
}

async fn cases(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<CasesQuery>,
) -> Result<Response> {
    caller(&state, &headers, Action::View)?;
    let cases = state.store.list_cases(&CaseFilter {
        state: optional(q.state.as_deref().unwrap_or(""), CaseState::parse, "state")?,
        category: optional(
            q.category.as_deref().unwrap_or(""),
            Category::parse,
            "category",
        )?,
        domain: q.domain,
        offset: q.offset,
        // 0 is not "no limit" here (as it is to the store): at least one, at most 1,000.
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
        ..CaseFilter::default()
    })?;
    Ok(Json(cases).into_response())
}

async fn case(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Result<Response> {
    caller(&state, &headers, Action::View)?;
    let case = state.store.case(id)?.ok_or(Error::NotFound)?;
    let history = state.store.history(id)?;
    Ok(Json(serde_json::json!({ "case": case, "history": history })).into_response())
}

#[derive(Deserialize)]
struct SearchQuery {
    q: String,
    limit: Option<usize>,
}

async fn search(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<SearchQuery>,
) -> Result<Response> {
    caller(&state, &headers, Action::View)?;
    let ids = state
        .store
        .search(&q.q, q.limit.unwrap_or(50).min(1000))
        .map_err(|e| match e {
            admon_store::Error::BadQuery(m) => Error::BadRequest(m),
            other => other.into(),
        })?;
    let mut cases = Vec::with_capacity(ids.len());
    for id in ids {
        cases.extend(state.store.case(id)?);
    }
    Ok(Json(cases).into_response())
}

#[derive(Deserialize)]
struct ExportQuery {
    format: String,
    state: Option<String>,
}

/// Exports (and marks exported) the cases in a state, default confirmed.
async fn export(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Result<Response> {
    let (who, _) = caller(&state, &headers, Action::Export)?;
    let format = Format::parse(&q.format)
        .ok_or_else(|| Error::BadRequest(format!("unknown format {}", q.format)))?;
    let filter = optional(q.state.as_deref().unwrap_or(""), CaseState::parse, "state")?
        .unwrap_or(CaseState::Confirmed);
    let store = state.store.clone();
    let (printer, categories, offset) = (
        state.printer.clone(),
        state.categories.clone(),
        state.report_offset,
    );
    let bytes = tokio::task::spawn_blocking(move || {
        let cases = store.list_cases(&CaseFilter {
            state: Some(filter),
            ..CaseFilter::default()
        })?;
        let reports = crate::export::Reports {
            printer: printer.as_deref(),
            categories: Some(&categories),
            utc_offset: Some(offset),
        };
        crate::export::export(&store, &cases, format, &who, &reports)
    })
    .await
    .map_err(|e| Error::Export(e.to_string()))??;
    Ok((
        [(header::CONTENT_TYPE, format.file_type().1)],
        crate::export::refused_header(&bytes),
        bytes.bytes,
    )
        .into_response())
}
