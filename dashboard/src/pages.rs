//! The overview pages: statistics, crawl runs and the crawl schedule, and user accounts
//! (admin only).

use crate::auth::{check_user_name, hash_password, Action, Role};
use crate::error::Error;
use crate::routes::{render, Shared, Visitor};
use admon_store::User;
use axum::extract::{Form, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::Deserialize;

type Result<T, E = Error> = std::result::Result<T, E>;

/// Days of new cases the statistics page charts.
const DAYS: u32 = 30;

pub(crate) async fn stats(State(state): State<Shared>, headers: HeaderMap) -> Result<Html<String>> {
    let visitor = Visitor::of(&state, &headers);
    visitor.require(Action::View)?;
    let store = &state.store;
    let states: Vec<(String, usize)> = store
        .count_by_state()?
        .into_iter()
        .map(|(s, n)| (s.as_str().to_owned(), n))
        .collect();
    let facets = store.facets("")?;
    let per_day = store.cases_per_day(DAYS)?;
    let peak = per_day.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    // Bar widths in tenths of the peak: classes, not inline styles (the CSP forbids those).
    let days: Vec<minijinja::Value> = per_day
        .iter()
        .map(|(d, n)| context! { day => d.to_string(), count => n, tenth => (n * 10).div_ceil(peak) })
        .collect();
    render(
        &state,
        &visitor,
        "stats.html",
        context! {
            states => Serde(states), categories => Serde(facets.categories),
            domains => Serde(facets.domains), days, total_days => DAYS,
            sizes => Serde(store.sizes()),
        },
    )
}

pub(crate) async fn runs(State(state): State<Shared>, headers: HeaderMap) -> Result<Html<String>> {
    let visitor = Visitor::of(&state, &headers);
    visitor.require(Action::View)?;
    let runs = state.store.runs(100)?;
    let schedule = state
        .schedule
        .lock()
        .expect("schedule lock poisoned")
        .clone();
    render(
        &state,
        &visitor,
        "runs.html",
        context! { runs => Serde(runs), schedule => Serde(schedule) },
    )
}

pub(crate) async fn users(State(state): State<Shared>, headers: HeaderMap) -> Result<Html<String>> {
    let visitor = Visitor::of(&state, &headers);
    visitor.require(Action::ManageUsers)?;
    let users: Vec<minijinja::Value> = state
        .store
        .users()?
        .into_iter()
        .map(|u| context! { name => u.name, role => u.role })
        .collect();
    render(&state, &visitor, "users.html", context! { users })
}

#[derive(Deserialize)]
pub(crate) struct UserForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

/// Adds a user, or resets an existing user's role and password.
pub(crate) async fn save_user(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<UserForm>,
) -> Result<Response> {
    let who = Visitor::of(&state, &headers).act(Action::ManageUsers, &form.csrf)?;
    let name = form.name.trim();
    check_user_name(name).map_err(Error::BadRequest)?;
    let role = Role::parse(&form.role)
        .ok_or_else(|| Error::BadRequest(format!("unknown role {}", form.role)))?;
    state
        .password_policy
        .check(name, &form.password)
        .map_err(Error::BadRequest)?;
    let password = form.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| Error::Export(e.to_string()))?;
    // A reset keeps a disabled user disabled (the users page re-enables nobody by accident).
    let disabled = state.store.user(name)?.is_some_and(|u| u.disabled);
    state.store.put_user(&User {
        name: name.to_owned(),
        role: role.as_str().to_owned(),
        password_hash: hash,
        disabled,
    })?;
    tracing::info!(by = %who, user = %name, role = role.as_str(), "user saved");
    Ok(Redirect::to("/users").into_response())
}
