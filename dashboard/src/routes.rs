//! Routes: thin handlers that parse the request, make one store call and render.

use crate::auth::{random_token, verify_login, Action, Role, Session, SESSION_TTL};
use crate::export::Format as ExportFormat;
use crate::throttle;
use crate::{may, AppState, Error};
use admon_domain::{Case, CaseState, Category};
use admon_store::CaseFilter;
use axum::extract::{ConnectInfo, Form, FromRequestParts, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use minijinja::value::Serde;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) type Shared = Arc<AppState>;
type Result<T, E = Error> = std::result::Result<T, E>;

const PAGE: usize = 50;
/// The deepest queue page shown: 100,000 pages of 50 cases.
const MAX_PAGE: usize = 100_000;

pub(crate) fn router(state: Shared) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route(
            "/login",
            // A login form is a few hundred bytes: a larger body is refused unread (413).
            get(login_form)
                .post(login)
                .layer(axum::extract::DefaultBodyLimit::max(16 << 10)),
        )
        .route("/logout", post(logout))
        .route("/lang/{lang}", get(set_lang))
        .route("/", get(|| async { Redirect::to("/queue") }))
        .route("/queue", get(queue))
        .route("/cases/{id}", get(case_page))
        .route("/cases/{id}/action", post(case_action))
        .route("/cases/{id}/comment", post(case_comment))
        .route("/cases/{id}/assign", post(case_assign))
        .route("/cases/bulk", post(bulk_action))
        .route("/cases/{id}/transfer", post(case_transfer))
        .route("/export.csv", get(export_csv))
        .route("/export", post(export_form))
        .route("/evidence/{sha}", get(evidence))
        .route("/stats", get(crate::pages::stats))
        .route("/runs", get(crate::pages::runs))
        .route(
            "/users",
            get(crate::pages::users).post(crate::pages::save_user),
        )
        .with_state(state)
}

/// The refusals `/metrics` counts, in the order of `AppState::rejected`.
const REJECTED: [StatusCode; 3] = [
    StatusCode::BAD_REQUEST,
    StatusCode::PAYLOAD_TOO_LARGE,
    StatusCode::TOO_MANY_REQUESTS,
];

/// Security headers on every answer (pages, the API, 404s); behind TLS (`https` public URL),
/// cookies are `Secure` and browsers are told to keep to https (HSTS).
pub(crate) async fn security_headers(
    State(state): State<Shared>,
    request: axum::extract::Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    if let Some(i) = REJECTED.iter().position(|&s| s == response.status()) {
        state.rejected[i].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    let h = response.headers_mut();
    if state.https {
        let cookies: Vec<HeaderValue> = h
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|c| HeaderValue::from_str(&format!("{}; Secure", c.to_str().ok()?)).ok())
            .collect();
        h.remove(header::SET_COOKIE);
        for c in cookies {
            h.append(header::SET_COOKIE, c);
        }
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Prometheus text format: counts only, nothing scraped.
async fn metrics(State(state): State<Shared>) -> Result<Response> {
    let mut out = String::from(
        "# HELP admon_cases Cases in the store by triage state.\n# TYPE admon_cases gauge\n",
    );
    for (s, n) in state.store.count_by_state()? {
        out.push_str(&format!("admon_cases{{state=\"{s}\"}} {n}\n"));
    }
    out.push_str(
        "# HELP admon_records Records in the store by kind.\n# TYPE admon_records gauge\n",
    );
    for (kind, n) in state.store.sizes() {
        out.push_str(&format!("admon_records{{kind=\"{kind}\"}} {n}\n"));
    }
    out.push_str(
        "# HELP admon_rejected_requests Requests refused as malformed, too large or too many.\n\
         # TYPE admon_rejected_requests counter\n",
    );
    for (status, n) in REJECTED.iter().zip(&state.rejected) {
        let n = n.load(std::sync::atomic::Ordering::Relaxed);
        out.push_str(&format!(
            "admon_rejected_requests{{status=\"{}\"}} {n}\n",
            status.as_u16()
        ));
    }
    out.push_str("# HELP admon_crawl_runs Crawl runs by outcome.\n# TYPE admon_crawl_runs gauge\n");
    let mut outcomes = std::collections::BTreeMap::new();
    for run in state.store.runs(usize::MAX)? {
        *outcomes.entry(run.outcome).or_insert(0u64) += 1;
    }
    for (outcome, n) in outcomes {
        out.push_str(&format!("admon_crawl_runs{{outcome=\"{outcome}\"}} {n}\n"));
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response())
}

async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("app.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("app.js"),
    )
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
}

/// The request's view of the browser: language, session.
pub(crate) struct Visitor {
    lang: &'static str,
    token: Option<String>,
    session: Option<Session>,
}

impl Visitor {
    pub(crate) fn of(state: &AppState, headers: &HeaderMap) -> Visitor {
        let lang = if cookie(headers, "lang").as_deref() == Some("en") {
            "en"
        } else {
            "zh"
        };
        let token = cookie(headers, "session");
        let mut session = token.as_ref().and_then(|t| {
            let mut sessions = state.sessions.lock().expect("sessions");
            match sessions.get(t) {
                Some(s) if s.expires > Instant::now() => Some(s.clone()),
                Some(_) => {
                    sessions.remove(t);
                    None
                }
                None => None,
            }
        });
        // The role is the user's as stored now, not as it was at login: a demoted, disabled
        // or deleted user loses what they lost at once, and a password reset ends the session.
        if let Some(s) = session.as_mut() {
            if let Some((name, _)) = s.user.clone() {
                s.user = current_role(state, &name, &s.password_hash).map(|role| (name, role));
            }
        }
        Visitor {
            lang,
            token,
            session,
        }
    }

    fn user(&self) -> Result<(String, Role)> {
        self.session
            .as_ref()
            .and_then(|s| s.user.clone())
            .ok_or(Error::Unauthenticated)
    }

    pub(crate) fn require(&self, action: Action) -> Result<(String, Role)> {
        let (name, role) = self.user()?;
        if may(role, action) {
            Ok((name, role))
        } else {
            Err(Error::Forbidden)
        }
    }

    /// For a form that changes something: the user's name, if their role may do `action` and
    /// the form carries their CSRF token.
    pub(crate) fn act(&self, action: Action, csrf: &str) -> Result<String> {
        let (who, _) = self.require(action)?;
        self.check_csrf(csrf)?;
        Ok(who)
    }

    fn check_csrf(&self, sent: &str) -> Result<()> {
        match &self.session {
            Some(s) if !sent.is_empty() && constant_time_eq(s.csrf.as_bytes(), sent.as_bytes()) => {
                Ok(())
            }
            _ => Err(Error::Csrf),
        }
    }
}

/// The role `name` has in the store now; none when the user is gone, disabled, the role
/// unknown, or the password changed since the session began (`password_hash`).
fn current_role(state: &AppState, name: &str, password_hash: &str) -> Option<Role> {
    match state.store.user(name) {
        Ok(user) => user
            .filter(|u| !u.disabled && u.password_hash == password_hash)
            .and_then(|u| Role::parse(&u.role)),
        Err(e) => {
            tracing::error!(error = %e, "reading a user for a session");
            None
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn render(
    state: &AppState,
    visitor: &Visitor,
    name: &str,
    extra: minijinja::Value,
) -> Result<Html<String>> {
    let template = state.templates.get_template(name)?;
    let (user, role) = visitor
        .session
        .as_ref()
        .and_then(|s| s.user.clone())
        .map_or((None, None), |(u, r)| (Some(u), Some(r.as_str())));
    let base = context! {
        t => Serde(&state.catalogues[visitor.lang]),
        lang => visitor.lang,
        user => user,
        role => role,
        csrf => visitor.session.as_ref().map(|s| s.csrf.clone()),
        may_export => role.and_then(Role::parse).is_some_and(|r| may(r, Action::Export)),
        may_triage => role.and_then(Role::parse).is_some_and(|r| may(r, Action::Triage)),
        may_manage => role.and_then(Role::parse).is_some_and(|r| may(r, Action::ManageUsers)),
    };
    Ok(Html(template.render(context! { ..base, ..extra })?))
}

fn session_cookie(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "session={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        SESSION_TTL.as_secs()
    ))
    .expect("token is hex")
}

async fn login_form(State(state): State<Shared>, headers: HeaderMap) -> Result<Response> {
    let mut visitor = Visitor::of(&state, &headers);
    // Even the login form carries a CSRF token, tied to an anonymous session.
    let mut set_cookie = None;
    if visitor.session.is_none() {
        let token = random_token();
        let session = Session {
            user: None,
            password_hash: String::new(),
            csrf: random_token(),
            expires: Instant::now() + Duration::from_secs(3600),
        };
        let mut sessions = state.sessions.lock().expect("sessions");
        make_room_for_anonymous(&mut sessions, Instant::now());
        sessions.insert(token.clone(), session.clone());
        drop(sessions);
        visitor.session = Some(session);
        set_cookie = Some(session_cookie(&token));
    }
    let page = render(
        &state,
        &visitor,
        "login.html",
        context! { error => None::<String> },
    )?;
    let mut response = page.into_response();
    if let Some(c) = set_cookie {
        response.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(response)
}

/// Anonymous sessions (one per visit to the login form) held at most.
pub(crate) const MAX_ANONYMOUS_SESSIONS: usize = 10_000;

/// Keeps anonymous sessions below [`MAX_ANONYMOUS_SESSIONS`]: expired sessions go first, then
/// the anonymous ones closest to expiring. Logged-in sessions are never dropped for room.
fn make_room_for_anonymous(sessions: &mut HashMap<String, Session>, now: Instant) {
    if sessions.len() < MAX_ANONYMOUS_SESSIONS {
        return;
    }
    sessions.retain(|_, s| s.expires > now);
    let mut anonymous: Vec<(Instant, String)> = sessions
        .iter()
        .filter(|(_, s)| s.user.is_none())
        .map(|(t, s)| (s.expires, t.clone()))
        .collect();
    if anonymous.len() < MAX_ANONYMOUS_SESSIONS {
        return;
    }
    let cut = anonymous.len() / 10;
    anonymous.select_nth_unstable(cut);
    for (_, token) in &anonymous[..=cut] {
        sessions.remove(token);
    }
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

/// The client's address: the TCP peer's, or, when the peer is a trusted proxy, the address that
/// proxy appended last to `X-Forwarded-For`. Unspecified when the router runs without a socket.
pub(crate) struct Client(IpAddr);

impl FromRequestParts<Shared> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Shared,
    ) -> std::result::Result<Client, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        if !state.trusted_proxies.contains(&peer) {
            return Ok(Client(peer));
        }
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|a| a.trim().parse().ok());
        Ok(Client(forwarded.unwrap_or(peer)))
    }
}

async fn login(
    State(state): State<Shared>,
    Client(client): Client,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let visitor = Visitor::of(&state, &headers);
    visitor.check_csrf(&form.csrf)?;
    let t = &state.catalogues[visitor.lang];
    let now = Instant::now();
    // Counted as a failure until it succeeds: concurrent attempts see each other.
    let limited = !state
        .failures
        .lock()
        .expect("failures")
        .attempt(client, &form.username, now);
    let user = if limited {
        None
    } else {
        let user = match form.username.chars().count() {
            1..=throttle::MAX_USERNAME_CHARS => state.store.user(&form.username)?,
            _ => None,
        }
        .filter(|u| !u.disabled);
        // argon2 takes tens of milliseconds and 19 MiB: off the runtime's threads.
        let (password, hash) = (
            form.password.clone(),
            user.as_ref().map(|u| u.password_hash.clone()),
        );
        let ok = match state.password_checks.acquire().await {
            Ok(_turn) => {
                tokio::task::spawn_blocking(move || verify_login(&password, hash.as_deref()))
                    .await
                    .unwrap_or(false)
            }
            Err(_) => false,
        };
        user.filter(|_| ok)
    };
    let Some(user) = user else {
        let message = if limited {
            &t["too_many"]
        } else {
            &t["bad_login"]
        };
        let page = render(
            &state,
            &visitor,
            "login.html",
            context! { error => message },
        )?;
        let status = if limited {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::UNAUTHORIZED
        };
        return Ok((status, page).into_response());
    };
    let role = Role::parse(&user.role).ok_or(Error::Forbidden)?;
    state
        .failures
        .lock()
        .expect("failures")
        .succeeded(client, &form.username);
    // A fresh session id on login (no fixation).
    let token = random_token();
    {
        let mut sessions = state.sessions.lock().expect("sessions");
        if let Some(old) = &visitor.token {
            sessions.remove(old);
        }
        sessions.insert(
            token.clone(),
            Session {
                user: Some((user.name.clone(), role)),
                password_hash: user.password_hash.clone(),
                csrf: random_token(),
                expires: Instant::now() + SESSION_TTL,
            },
        );
    }
    let mut response = Redirect::to("/queue").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&token));
    Ok(response)
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response> {
    let visitor = Visitor::of(&state, &headers);
    visitor.check_csrf(&form.csrf)?;
    if let Some(token) = visitor.token {
        state.sessions.lock().expect("sessions").remove(&token);
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(response)
}

async fn set_lang(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let lang = if lang == "en" { "en" } else { "zh" };
    // Back to where the switch was pressed, if that was on this site.
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|r| r.find('/').map(|i| r[i..].to_owned()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/queue".into());
    let mut response = Redirect::to(&back).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&format!(
            "lang={lang}; Path=/; SameSite=Strict; Max-Age=31536000"
        ))
        .expect("ascii"),
    );
    response
}

#[derive(Deserialize, Default)]
struct QueueQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    domain: String,
    /// Lowest score shown, 0 to 1.
    #[serde(default)]
    min_score: String,
    /// First day (YYYY-MM-DD, UTC) the case was last seen on or after.
    #[serde(default)]
    since: String,
    /// Last day (YYYY-MM-DD, UTC, inclusive) the case was first seen on or before.
    #[serde(default)]
    until: String,
    /// Only escalated cases when non-empty.
    #[serde(default)]
    escalated: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: usize,
}

#[derive(Serialize)]
struct Row {
    id: u64,
    state: CaseState,
    category_label: String,
    score: String,
    text: String,
    domain: String,
    sightings: u32,
    repeat: usize,
    escalated: bool,
    risk: String,
    /// The text in pieces, search matches marked.
    pieces: Vec<(String, bool)>,
}

/// An optional query parameter: empty means none, anything else must parse.
pub(crate) fn optional<T>(
    value: &str,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> Result<Option<T>> {
    if value.is_empty() {
        return Ok(None);
    }
    parse(value)
        .map(Some)
        .ok_or_else(|| Error::BadRequest(format!("unknown {what} {value}")))
}

fn parse_score(s: &str) -> Option<f64> {
    s.trim()
        .parse()
        .ok()
        .filter(|v: &f64| (0.0..=1.0).contains(v))
}

/// A day as `YYYY-MM-DD`, as midnight UTC.
fn parse_day(s: &str) -> Option<time::OffsetDateTime> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), format)
        .ok()
        .map(|d| d.midnight().assume_utc())
}

fn label(state: &AppState, lang: &str, category: Category) -> String {
    state.categories.get(&category).map_or_else(
        || category.to_string(),
        |info| {
            if lang == "en" {
                info.en.clone()
            } else {
                info.zh.clone()
            }
        },
    )
}

async fn queue(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<QueueQuery>,
) -> Result<Html<String>> {
    let visitor = Visitor::of(&state, &headers);
    visitor.require(Action::View)?;
    if query.page > MAX_PAGE {
        return Err(Error::BadRequest(format!(
            "page {} is past the last page ({MAX_PAGE})",
            query.page
        )));
    }
    let filter = CaseFilter {
        state: optional(&query.state, CaseState::parse, "state")?,
        category: optional(&query.category, Category::parse, "category")?,
        domain: (!query.domain.trim().is_empty()).then(|| query.domain.trim().to_lowercase()),
        min_score: optional(&query.min_score, parse_score, "score")?,
        since: optional(&query.since, parse_day, "date")?,
        // To the end of the day given (the last day there is: no bound at all).
        until: optional(&query.until, parse_day, "date")?
            .and_then(|d| d.checked_add(time::Duration::DAY)),
        escalated: !query.escalated.is_empty(),
        offset: query.page * PAGE,
        limit: PAGE + 1,
    };
    let mut facets = None;
    let cases: Vec<Case> = if query.q.trim().is_empty() {
        state.store.list_cases(&filter)?
    } else {
        let ids = state
            .store
            .search(&query.q, (query.page + 1) * PAGE + 1)
            .map_err(|e| match e {
                admon_store::Error::BadQuery(m) => Error::BadRequest(m),
                other => other.into(),
            })?;
        facets = Some(state.store.facets(&query.q)?);
        let mut out = Vec::new();
        for id in ids.into_iter().skip(query.page * PAGE) {
            if let Some(c) = state.store.case(id)? {
                if filter.matches(&c) {
                    out.push(c);
                }
            }
        }
        out
    };
    let more = cases.len() > PAGE;
    let words = state.store.search_words(&query.q);
    let rows: Vec<Row> = cases
        .into_iter()
        .take(PAGE)
        .map(|c| {
            let text = shorten(&c.text, 60);
            Ok(Row {
                pieces: highlight(&text, &words),
                repeat: state.store.repeat_offences(&c)?,
                id: c.id,
                state: c.state,
                category_label: label(&state, visitor.lang, c.category),
                score: format!("{:.2}", c.score),
                text,
                domain: c.domain,
                sightings: c.sightings,
                escalated: c.escalated,
                risk: format!("{:.2}", if c.risk > 0.0 { c.risk } else { c.score }),
            })
        })
        .collect::<Result<_>>()?;
    let states: Vec<minijinja::Value> = state
        .store
        .count_by_state()?
        .into_iter()
        .map(|(s, n)| context! { name => s.as_str(), count => n })
        .collect();
    let categories: Vec<minijinja::Value> = Category::ALL
        .iter()
        .filter(|&&c| c != Category::Clean)
        .map(|&c| context! { name => c.as_str(), label => label(&state, visitor.lang, c) })
        .collect();
    let link = |page: usize| {
        let mut s = url_encode_pairs(&[
            ("state", &query.state),
            ("category", &query.category),
            ("domain", &query.domain),
            ("min_score", &query.min_score),
            ("since", &query.since),
            ("until", &query.until),
            ("escalated", &query.escalated),
            ("q", &query.q),
        ]);
        s.push_str(&format!("&page={page}"));
        format!("/queue?{s}")
    };
    render(
        &state,
        &visitor,
        "queue.html",
        context! {
            prev_link => link(query.page.saturating_sub(1)), next_link => link(query.page + 1),
            back => link(query.page),
            cases => Serde(rows), states, categories, more, facets => Serde(facets),
            state => query.state, category => query.category, q => query.q, page => query.page,
            domain => query.domain, min_score => query.min_score, since => query.since,
            until => query.until, escalated => query.escalated,
        },
    )
}

fn shorten(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

fn url_encode_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let v: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The case text cut into plain and highlighted segments (escaped by the template).
fn segments(case: &Case) -> Vec<minijinja::Value> {
    let chars: Vec<char> = case.text.chars().collect();
    let mut reasons: Vec<Option<String>> = vec![None; chars.len()];
    // A span over the whole text (a structural flag such as a missing 广告 label) says nothing
    // a highlight could show; it stays in the evidence list below the text.
    for e in case
        .evidence
        .iter()
        .filter(|e| e.end - e.start < chars.len())
    {
        for r in reasons
            .iter_mut()
            .take(e.end.min(chars.len()))
            .skip(e.start)
        {
            *r = Some(
                r.take()
                    .map_or(e.reason.clone(), |old| format!("{old}; {}", e.reason)),
            );
        }
    }
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=chars.len() {
        if i == chars.len() || reasons[i] != reasons[start] {
            let text: String = chars[start..i].iter().collect();
            out.push(context! { text, reason => reasons[start].clone() });
            start = i;
        }
    }
    out
}

async fn case_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Result<Html<String>> {
    let visitor = Visitor::of(&state, &headers);
    visitor.require(Action::View)?;
    let case = state.store.case(id)?.ok_or(Error::NotFound)?;
    let mut captures = Vec::new();
    for cid in &case.capture_ids {
        if let Some(record) = state.store.capture(cid)? {
            let capture = record.capture;
            captures.push(context! {
                url => capture.final_url, status => capture.status, charset => capture.charset,
                fetched_at => capture.fetched_at.to_string(), sha256 => capture.sha256,
                html_sha256 => record.html_sha256, screenshot => record.screenshot_sha256,
                warc => record.warc_sha256,
            });
        }
    }
    let history = state.store.history(id)?;
    // Evidence found altered (by an export, which audits it): the page says so. Each file is
    // re-hashed where its bytes are served (`evidence`), not on every view of the page.
    let mut tampered: Vec<String> = Vec::new();
    for entry in history.iter().filter(|h| h.action == "tampered") {
        if !tampered.contains(&entry.reason) {
            tampered.push(entry.reason.clone());
        }
    }
    let history: Vec<minijinja::Value> = history
        .into_iter()
        .map(|h| context! { at => h.at.to_string(), who => h.who, action => h.action, reason => h.reason })
        .collect();
    let similar: Vec<minijinja::Value> = state
        .store
        .similar(&case, 5)?
        .into_iter()
        .map(|c| {
            context! {
                id => c.id, state => c.state.as_str(), domain => c.domain,
                category_label => label(&state, visitor.lang, c.category),
                text => shorten(&c.text, 80),
            }
        })
        .collect();
    let info = state
        .categories
        .get(&case.category)
        .cloned()
        .unwrap_or_default();
    render(
        &state,
        &visitor,
        "case.html",
        context! {
            category_label => label(&state, visitor.lang, case.category),
            score => format!("{:.2}", case.score),
            risk => format!("{:.2}", if case.risk > 0.0 { case.risk } else { case.score }),
            repeat => state.store.repeat_offences(&case)?,
            penalty => info.penalty,
            segments => segments(&case),
            case => Serde(&case),
            captures, history, similar, tampered,
        },
    )
}

/// `text` cut into pieces, the ones that are one of `words` (ASCII case ignored) marked.
pub(crate) fn highlight(text: &str, words: &[String]) -> Vec<(String, bool)> {
    // Lower-cased char by char: a char's lower case may be longer or shorter than itself
    // (İ, the ohm sign), so each char's start is kept in both texts.
    let mut lower = String::with_capacity(text.len());
    let mut starts: Vec<(usize, usize)> = Vec::with_capacity(text.len() + 1);
    for (i, c) in text.char_indices() {
        starts.push((i, lower.len()));
        lower.extend(c.to_lowercase());
    }
    starts.push((text.len(), lower.len()));
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut k = 0;
    while k + 1 < starts.len() {
        let (at, lower_at) = starts[k];
        // The longest word that starts here and ends where a char of the text ends.
        let hit = words
            .iter()
            .filter(|w| !w.is_empty() && lower[lower_at..].starts_with(w.as_str()))
            .filter_map(|w| {
                starts
                    .binary_search_by_key(&(lower_at + w.len()), |&(_, l)| l)
                    .ok()
            })
            .max();
        let next = hit.unwrap_or(k + 1);
        let piece = &text[at..starts[next].0];
        match out.last_mut() {
            Some((s, marked)) if *marked == hit.is_some() => s.push_str(piece),
            _ => out.push((piece.to_owned(), hit.is_some())),
        }
        k = next;
    }
    out
}

/// The longest comment, reason or name an analyst writes into the audit log.
pub(crate) const MAX_NOTE_CHARS: usize = 2_000;

/// `text` trimmed, or a 400 when it is longer than [`MAX_NOTE_CHARS`].
fn note(text: &str) -> Result<&str> {
    let text = text.trim();
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(Error::BadRequest(format!(
            "at most {MAX_NOTE_CHARS} characters, please"
        )));
    }
    Ok(text)
}

#[derive(Deserialize)]
struct ActionForm {
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    csrf: String,
}

async fn case_action(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Form(form): Form<ActionForm>,
) -> Result<Response> {
    let who = Visitor::of(&state, &headers).act(Action::Triage, &form.csrf)?;
    if form.action == "escalate" {
        state.store.escalate(id, &who, note(&form.reason)?)?;
        return Ok(Redirect::to("/queue").into_response());
    }
    let to = CaseState::parse(&form.action)
        .filter(|s| {
            matches!(
                s,
                CaseState::InReview | CaseState::Confirmed | CaseState::Dismissed
            )
        })
        .ok_or_else(|| Error::BadRequest(format!("unknown action {}", form.action)))?;
    state.store.transition(id, to, &who, note(&form.reason)?)?;
    // Back to the queue for the next case, or stay when starting a review.
    let next = if to == CaseState::InReview {
        format!("/cases/{id}")
    } else {
        "/queue".into()
    };
    Ok(Redirect::to(&next).into_response())
}

#[derive(Deserialize)]
struct TextForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    csrf: String,
}

async fn case_comment(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Form(form): Form<TextForm>,
) -> Result<Response> {
    let who = Visitor::of(&state, &headers).act(Action::Triage, &form.csrf)?;
    let text = note(&form.text)?;
    if text.is_empty() {
        return Err(Error::BadRequest("empty comment".into()));
    }
    state.store.comment(id, &who, text)?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

async fn case_assign(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Form(form): Form<TextForm>,
) -> Result<Response> {
    let who = Visitor::of(&state, &headers).act(Action::Triage, &form.csrf)?;
    let assignee = note(&form.text)?;
    if !assignee.is_empty() && state.store.user(assignee)?.is_none() {
        return Err(Error::BadRequest(format!("no user {assignee}")));
    }
    state.store.assign(id, &who, assignee)?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

/// Hands an exported case to a named local bureau (officers).
async fn case_transfer(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Form(form): Form<TextForm>,
) -> Result<Response> {
    let who = Visitor::of(&state, &headers).act(Action::Export, &form.csrf)?;
    let bureau = note(&form.text)?;
    if bureau.is_empty() {
        return Err(Error::BadRequest("name the bureau the case goes to".into()));
    }
    state
        .store
        .transition(id, CaseState::Transferred, &who, &format!("移交 {bureau}"))?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

/// A posted form that selects cases: `ids` repeated (checked rows), every other field once.
/// The most cases one form may select (a queue page shows 50).
const MAX_SELECTION: usize = 1_000;

struct SelectionForm {
    ids: Vec<u64>,
    fields: std::collections::HashMap<String, String>,
}

impl SelectionForm {
    fn parse(body: &str) -> Result<SelectionForm> {
        let mut form = SelectionForm {
            ids: Vec::new(),
            fields: Default::default(),
        };
        for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
            if k == "ids" {
                let id = v
                    .parse::<u64>()
                    .map_err(|_| Error::BadRequest(format!("bad case id {v}")))?;
                // A repeated id is the same case: acted on once.
                if !form.ids.contains(&id) {
                    if form.ids.len() == MAX_SELECTION {
                        return Err(Error::BadRequest(format!(
                            "at most {MAX_SELECTION} cases at once"
                        )));
                    }
                    form.ids.push(id);
                }
            } else {
                form.fields.insert(k.into_owned(), v.into_owned());
            }
        }
        Ok(form)
    }

    /// A field's value, empty when absent.
    fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// One action on many cases: `ids` repeated in the form. Stops at the first refusal and says
/// which case, leaving the ones before it done (each is its own audited transition).
async fn bulk_action(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> Result<Response> {
    let visitor = Visitor::of(&state, &headers);
    visitor.require(Action::Triage)?;
    let form = SelectionForm::parse(&body)?;
    let who = visitor.act(Action::Triage, form.get("csrf"))?;
    let (action, reason) = (form.get("action"), note(form.get("reason"))?);
    // Back to the queue page the analyst was on (only ever a queue page: no open redirect).
    let back = match form.get("back") {
        b if b == "/queue" || b.starts_with("/queue?") => b,
        _ => "/queue",
    };
    let to = match action {
        "escalate" => None,
        _ => Some(
            CaseState::parse(action)
                .filter(|s| {
                    matches!(
                        s,
                        CaseState::InReview | CaseState::Confirmed | CaseState::Dismissed
                    )
                })
                .ok_or_else(|| Error::BadRequest(format!("unknown action {action}")))?,
        ),
    };
    for &id in &form.ids {
        match to {
            Some(to) => state.store.transition(id, to, &who, reason)?,
            None => state.store.escalate(id, &who, reason)?,
        };
    }
    Ok(Redirect::to(back).into_response())
}

#[derive(Deserialize)]
struct ExportQuery {
    #[serde(default)]
    state: String,
}

async fn export_csv(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<ExportQuery>,
) -> Result<Response> {
    let visitor = Visitor::of(&state, &headers);
    let (who, _) = visitor.require(Action::Export)?;
    let filter_state = optional(&query.state, CaseState::parse, "state")?;
    let cases = state.store.list_cases(&CaseFilter {
        state: filter_state,
        ..CaseFilter::default()
    })?;
    let body = crate::export::cases_csv(&cases);
    // A download changes no case, but who took which cases out, and the file, are audited.
    let ids: Vec<u64> = cases.iter().map(|c| c.id).collect();
    let reason = format!(
        "downloaded as CSV: {} cases, file sha256 {}",
        ids.len(),
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(body.as_bytes()))
    );
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || store.note_all(&ids, &who, "export", &reason))
        .await
        .map_err(|e| Error::Export(e.to_string()))??;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"admon-cases.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// Exports the selected cases (`ids`), or else a state's, and marks the confirmed ones
/// exported (a POST: it changes state).
async fn export_form(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> Result<Response> {
    let visitor = Visitor::of(&state, &headers);
    visitor.require(Action::Export)?;
    let form = SelectionForm::parse(&body)?;
    let who = visitor.act(Action::Export, form.get("csrf"))?;
    let format = optional(form.get("format"), ExportFormat::parse, "format")?
        .ok_or_else(|| Error::BadRequest("format is required".into()))?;
    let filter_state = optional(form.get("state"), CaseState::parse, "state")?;
    let ids = form.ids;
    let store = state.store.clone();
    let (printer, categories, offset) = (
        state.printer.clone(),
        state.categories.clone(),
        state.report_offset,
    );
    let exported = tokio::task::spawn_blocking(move || {
        let cases = if ids.is_empty() {
            store.list_cases(&CaseFilter {
                state: filter_state,
                ..CaseFilter::default()
            })?
        } else {
            let mut cases = Vec::new();
            for id in ids {
                cases.push(store.case(id)?.ok_or(Error::NotFound)?);
            }
            cases
        };
        let reports = crate::export::Reports {
            printer: printer.as_deref(),
            categories: Some(&categories),
            utc_offset: Some(offset),
        };
        crate::export::export(&store, &cases, format, &who, &reports)
    })
    .await
    .map_err(|e| Error::Export(e.to_string()))??;
    let (ext, mime) = format.file_type();
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"admon-cases.{ext}\""),
            ),
        ],
        crate::export::refused_header(&exported),
        exported.bytes,
    )
        .into_response())
}

async fn evidence(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(sha): Path<String>,
) -> Result<Response> {
    let visitor = Visitor::of(&state, &headers);
    visitor.require(Action::View)?;
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::NotFound);
    }
    // Re-hashed on the way out: altered evidence is refused (409), never shown as evidence.
    let bytes = state.store.blob_checked(&sha)?.ok_or(Error::NotFound)?;
    // Scraped HTML is never served as HTML: PNGs as images, WARC files as downloads,
    // everything else as plain text.
    if bytes.starts_with(b"WARC/") {
        let disposition = format!("attachment; filename=\"{}.warc\"", &sha[..16]);
        return Ok((
            [
                (header::CONTENT_TYPE, "application/warc".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response());
    }
    let content_type = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else {
        "text/plain; charset=utf-8"
    };
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}
