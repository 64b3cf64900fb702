//! The web app where analysts triage flagged cases and officers export them.
//!
//! Server-rendered HTML (axum + minijinja with auto-escaping: everything shown was written by
//! strangers), a Chinese UI with an English switch (`i18n/`), argon2 passwords, session
//! cookies with CSRF tokens, role checks in [`may`], and security headers with a CSP that
//! allows no inline script. Other systems use the JSON API under `/api/v1/` with bearer tokens
//! ([`create_token`]). Build a [`Dashboard`] over a [`admon_store::Store`] and call
//! [`Dashboard::serve`]. Nothing here crawls or classifies.

#![warn(missing_docs)]

mod api;
mod auth;
mod error;
mod export;
mod pages;
mod routes;
mod serve;
mod throttle;

pub use auth::{
    check_user_name, create_token, hash_password, may, password_matches, Action, PasswordPolicy,
    Role,
};
pub use error::{ApiError, Error};
pub use export::{
    cases_csv, cases_json, cases_xlsx, evidence_pack, export, Exported, Format as ExportFormat,
    Printer, Reports,
};

use admon_domain::Category;
use admon_store::Store;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// How one category is shown: labels per language and the penalty clause.
#[derive(Debug, Clone, Default)]
pub struct CategoryInfo {
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
    /// Penalty clause.
    pub penalty: String,
}

/// Password checks (argon2, 19 MiB each) run at once; more wait their turn.
const MAX_PASSWORD_CHECKS: usize = 4;

/// The dashboard over one store.
#[derive(Clone)]
pub struct Dashboard {
    state: Arc<AppState>,
}

pub(crate) struct AppState {
    pub store: Arc<Store>,
    pub categories: BTreeMap<Category, CategoryInfo>,
    pub sessions: Mutex<HashMap<String, auth::Session>>,
    pub failures: Mutex<throttle::Failures>,
    /// Password checks running at once: argon2 takes 19 MiB each, so a burst of logins
    /// waits here rather than in memory.
    pub password_checks: tokio::sync::Semaphore,
    /// Peers whose `X-Forwarded-For` names the client (reverse proxies).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Whether users reach the dashboard over https (a TLS proxy in front).
    pub https: bool,
    /// What passwords the users page takes.
    pub password_policy: auth::PasswordPolicy,
    /// Requests refused as malformed, too large or too many (400, 413, 429), for `/metrics`.
    pub rejected: [std::sync::atomic::AtomicU64; 3],
    pub templates: minijinja::Environment<'static>,
    pub catalogues: HashMap<&'static str, BTreeMap<String, String>>,
    /// The crawl schedule, as lines to show on the runs page (empty: none).
    pub schedule: Mutex<Vec<String>>,
    /// Prints evidence packs' reports to PDF, when Chromium is there.
    pub printer: Option<Arc<dyn export::Printer>>,
    /// The zone evidence reports and pack entries give times in.
    pub report_offset: time::UtcOffset,
}

/// Characters that change how text around them looks without showing themselves: bidi
/// overrides and isolates (U+202E can turn `exe.pdf` into `fdp.exe`), zero-width joiners and
/// spaces, and control characters. Scraped text may carry them to mislead an analyst.
fn is_deceptive(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}'
        | '\u{061C}' | '\u{FEFF}' | '\u{00AD}'
        // Invisible "letters" and joiners: Hangul fillers, the grapheme joiner, the Mongolian
        // vowel separator, the braille blank, and tag characters (hidden text in plain sight).
        | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{034F}' | '\u{180E}'
        | '\u{2800}' | '\u{E0000}'..='\u{E007F}'
        // More format characters that draw nothing: line and paragraph separators, the
        // deprecated format controls, Mongolian variation selectors, Khmer inherent vowels,
        // interlinear annotation, shorthand and musical format controls.
        | '\u{2028}' | '\u{2029}' | '\u{206A}'..='\u{206F}' | '\u{180B}'..='\u{180F}'
        | '\u{17B4}' | '\u{17B5}' | '\u{FFF9}'..='\u{FFFB}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}')
        || (c.is_control() && !matches!(c, '\n' | '\t'))
}

/// Variation selectors: after a symbol (an emoji) U+FE0E/U+FE0F choose its look, which is
/// ordinary; anywhere else a selector draws nothing and can hide text (the supplementary
/// ones, U+E0100 on, can carry a whole message).
fn is_hidden_selector(c: char, before: Option<char>) -> bool {
    match c {
        '\u{FE0E}' | '\u{FE0F}' => {
            !before.is_some_and(|b| !b.is_alphanumeric() && !b.is_whitespace() && !is_deceptive(b))
        }
        '\u{FE00}'..='\u{FE0D}' | '\u{E0100}'..='\u{E01EF}' => true,
        _ => false,
    }
}

/// `text` with every deceptive character shown as `[U+XXXX]` (before any HTML escaping).
pub(crate) fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let mut before = None;
    let shown = |c: char, before: &mut Option<char>| {
        let hide = is_deceptive(c) || is_hidden_selector(c, *before);
        *before = Some(c);
        hide
    };
    if !text.chars().any(|c| shown(c, &mut before)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut before = None;
    text.chars()
        .map(|c| {
            if shown(c, &mut before) {
                format!("[U+{:04X}]", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// Every value a template prints goes through here: deceptive characters are shown as
/// `[U+XXXX]`, then the HTML escaping applies as usual.
fn visible_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(s) if !value.is_safe() => match visible(s) {
            std::borrow::Cow::Owned(shown) => {
                minijinja::escape_formatter(out, state, &minijinja::Value::from(shown))
            }
            std::borrow::Cow::Borrowed(_) => minijinja::escape_formatter(out, state, value),
        },
        _ => minijinja::escape_formatter(out, state, value),
    }
}

impl Dashboard {
    /// A dashboard over `store`, showing categories with `categories`.
    pub fn new(store: Arc<Store>, categories: BTreeMap<Category, CategoryInfo>) -> Dashboard {
        let mut templates = minijinja::Environment::new();
        templates.set_formatter(visible_formatter);
        for (name, source) in [
            ("base.html", include_str!("templates/base.html")),
            ("login.html", include_str!("templates/login.html")),
            ("queue.html", include_str!("templates/queue.html")),
            ("case.html", include_str!("templates/case.html")),
            ("stats.html", include_str!("templates/stats.html")),
            ("runs.html", include_str!("templates/runs.html")),
            ("users.html", include_str!("templates/users.html")),
        ] {
            templates
                .add_template(name, source)
                .expect("bundled templates parse");
        }
        let catalogue = |text: &str| -> BTreeMap<String, String> {
            toml::from_str(text).expect("bundled catalogue parses")
        };
        let catalogues = HashMap::from([
            ("zh", catalogue(include_str!("../i18n/zh.toml"))),
            ("en", catalogue(include_str!("../i18n/en.toml"))),
        ]);
        Dashboard {
            state: Arc::new(AppState {
                store,
                categories,
                sessions: Mutex::new(HashMap::new()),
                failures: Mutex::new(throttle::Failures::default()),
                password_checks: tokio::sync::Semaphore::new(MAX_PASSWORD_CHECKS),
                trusted_proxies: Vec::new(),
                https: false,
                password_policy: auth::PasswordPolicy::default(),
                rejected: Default::default(),
                templates,
                catalogues,
                schedule: Mutex::new(Vec::new()),
                printer: None,
                report_offset: export::CST,
            }),
        }
    }

    /// Trusts `X-Forwarded-For` from these peers (a TLS proxy in front): login limits then
    /// count the client's address, not the proxy's. Call before serving.
    pub fn trust_proxies(mut self, proxies: Vec<std::net::IpAddr>) -> Dashboard {
        Arc::get_mut(&mut self.state)
            .expect("proxies are set before the dashboard is shared")
            .trusted_proxies = proxies;
        self
    }

    /// Evidence packs carry each case's report as a PDF too, printed by `printer`. Call
    /// before serving.
    pub fn print_reports_with(mut self, printer: Arc<dyn export::Printer>) -> Dashboard {
        Arc::get_mut(&mut self.state)
            .expect("the printer is set before the dashboard is shared")
            .printer = Some(printer);
        self
    }

    /// Evidence reports and pack entries give times at `offset` from UTC (default +08:00).
    /// Call before serving.
    pub fn report_utc_offset(mut self, offset: time::UtcOffset) -> Dashboard {
        Arc::get_mut(&mut self.state)
            .expect("the offset is set before the dashboard is shared")
            .report_offset = offset;
        self
    }

    /// The password policy of the users page (common passwords refused). Call before serving.
    pub fn password_policy(mut self, policy: PasswordPolicy) -> Dashboard {
        Arc::get_mut(&mut self.state)
            .expect("the policy is set before the dashboard is shared")
            .password_policy = policy;
        self
    }

    /// Says users reach the dashboard at `public_url`: when it is https, cookies are `Secure`
    /// and answers carry HSTS. Call before serving.
    pub fn public_url(mut self, public_url: &str) -> Dashboard {
        Arc::get_mut(&mut self.state)
            .expect("the public URL is set before the dashboard is shared")
            .https = public_url.starts_with("https://");
        self
    }

    /// Describes the crawl schedule on the runs page, one line each.
    pub fn set_schedule(&self, lines: Vec<String>) {
        *self.state.schedule.lock().expect("schedule lock poisoned") = lines;
    }

    /// The axum router (for tests and for embedding).
    pub fn router(&self) -> axum::Router {
        routes::router(self.state.clone())
            .merge(api::router(self.state.clone()))
            .layer(axum::middleware::from_fn_with_state(
                self.state.clone(),
                routes::security_headers,
            ))
    }

    /// Serves on `addr` until `shutdown` resolves; `ready` is called once listening.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        serve::serve(
            listener,
            self.router(),
            serve::Limits::new(self.state.trusted_proxies.clone()),
            shutdown,
        )
        .await
    }
}

#[cfg(test)]
mod tests;
