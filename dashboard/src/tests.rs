//! Route tests over a real store in a temp dir: roles, CSRF, escaping.

use super::*;
use admon_domain::{
    AdForm, AdSample, CapturedPage, CaseState, EvidenceSpan, Sample, SampleKind, Verdict,
};
use admon_store::{NewSighting, User};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use tower::ServiceExt;

const XSS: &str = "<script>alert(1)</script><img src=x onerror=alert(2)><a href=\"javascript:alert(3)\">点我\u{FE0F}</a> \u{202E}gpj.exe\u{200B} ＜script＞ 最佳";

fn setup() -> (tempfile::TempDir, Dashboard, u64) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    for (name, role) in [("ana", "analyst"), ("off", "officer"), ("adm", "admin")] {
        store
            .put_user(&User {
                name: name.into(),
                role: role.into(),
                password_hash: hash_password("pw-123456"),
                disabled: false,
            })
            .unwrap();
    }
    let page = sample_page();
    let capture_id = store.put_capture(&page).unwrap();
    let chars = XSS.chars().count();
    let id = store
        .record_sighting(
            NewSighting {
                capture_id,
                sample: Sample {
                    id: "s".into(),
                    kind: SampleKind::Ad,
                    text: XSS.into(),
                    url: Some("javascript:alert(4)".into()),
                    ..Sample::default()
                },
                landing_url: None,
                images: vec![],
                crop: None,
                flags: vec![Verdict {
                    id: "s".into(),
                    flagged: true,
                    category: Category::AbsoluteTerms,
                    score: 0.9,
                    articles: vec!["广告法 第九条第三项".into()],
                    evidence: vec![EvidenceSpan {
                        start: chars - 2,
                        end: chars,
                        text: "最佳".into(),
                        reason: "<b>term</b>".into(),
                    }],
                    model: "test".into(),
                }],
            },
            "crawler",
        )
        .unwrap()
        .unwrap();
    store.flush().unwrap();
    (dir, Dashboard::new(store, BTreeMap::new()), id)
}

/// A sighting of `text` on capture `capture_id`, flagged for `category`.
fn flagged(capture_id: String, text: &str, category: Category) -> NewSighting {
    NewSighting {
        capture_id,
        sample: Sample {
            id: text.into(),
            kind: SampleKind::Ad,
            text: text.into(),
            url: Some("http://127.0.0.1/y".into()),
            ..Sample::default()
        },
        landing_url: None,
        images: vec![],
        crop: None,
        flags: vec![Verdict {
            id: text.into(),
            flagged: true,
            category,
            score: 0.8,
            articles: vec![],
            evidence: vec![],
            model: "test".into(),
        }],
    }
}

/// A captured page whose ad is the XSS fixture.
fn sample_page() -> CapturedPage {
    let mut page = CapturedPage::from_html("http://127.0.0.1/x", XSS);
    page.ads = vec![AdSample {
        page_url: "http://127.0.0.1/x".into(),
        text: XSS.into(),
        landing_url: None,
        image_urls: vec![],
        selector: "div".into(),
        path: "html:nth-of-type(1) > body:nth-of-type(1) > div:nth-of-type(1)".into(),
        frame: None,
        form: AdForm::Banner,
        labelled: false,
        closable: None,
        position: None,
        crop: None,
        rule: "##.ad".into(),
    }];
    page
}

struct Browser {
    app: axum::Router,
    cookie: String,
}

impl Browser {
    async fn send(&mut self, req: Request<Body>) -> (StatusCode, String, axum::http::HeaderMap) {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        if let Some(c) = headers.get(header::SET_COOKIE) {
            let c = c.to_str().unwrap();
            if c.starts_with("session=") {
                self.cookie = c.split(';').next().unwrap().to_owned();
            }
        }
        let body = axum::body::to_bytes(res.into_body(), 1 << 24)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&body).into_owned(), headers)
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String, axum::http::HeaderMap) {
        let req = Request::get(path)
            .header(header::COOKIE, &self.cookie)
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    async fn post(
        &mut self,
        path: &str,
        form: &str,
    ) -> (StatusCode, String, axum::http::HeaderMap) {
        let req = Request::post(path)
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_owned()))
            .unwrap();
        self.send(req).await
    }

    fn csrf(page: &str) -> String {
        let at = page.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
        page[at..at + 48].to_owned()
    }

    /// A browser on the login form, with the form's CSRF token.
    async fn at_login(app: axum::Router) -> (Browser, String) {
        let mut b = Browser {
            app,
            cookie: String::new(),
        };
        let (_, page, _) = b.get("/login").await;
        let csrf = Self::csrf(&page);
        (b, csrf)
    }

    async fn login(app: axum::Router, user: &str) -> (Browser, String) {
        let mut b = Browser {
            app,
            cookie: String::new(),
        };
        let (_, page, _) = b.get("/login").await;
        let csrf = Self::csrf(&page);
        let (status, _, _) = b
            .post(
                "/login",
                &format!("username={user}&password=pw-123456&csrf={csrf}"),
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "login as {user}");
        let (_, page, _) = b.get("/queue").await;
        let csrf = Self::csrf(&page);
        (b, csrf)
    }
}

#[tokio::test]
async fn anonymous_is_sent_to_login_and_healthz_answers() {
    let (_dir, dash, id) = setup();
    let mut b = Browser {
        app: dash.router(),
        cookie: String::new(),
    };
    assert_eq!(b.get("/healthz").await.1, "ok");
    let metrics = b.get("/metrics").await.1;
    assert!(
        metrics.contains("admon_cases{state=\"new\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("admon_records{kind=\"captures\"} 1"),
        "{metrics}"
    );
    for path in [
        "/queue".to_string(),
        format!("/cases/{id}"),
        "/export.csv".into(),
    ] {
        let (status, _, headers) = b.get(&path).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(headers[header::LOCATION], "/login");
    }
}

#[tokio::test]
async fn roles_are_enforced_per_route() {
    let (_dir, dash, id) = setup();
    let (mut analyst, csrf) = Browser::login(dash.router(), "ana").await;
    assert_eq!(analyst.get("/export.csv").await.0, StatusCode::FORBIDDEN);
    let (status, _, _) = analyst
        .post(
            &format!("/cases/{id}/action"),
            &format!("action=confirmed&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let (mut officer, csrf) = Browser::login(dash.router(), "off").await;
    let (status, csv, _) = officer.get("/export.csv?state=confirmed").await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("absolute_terms"));
    // #17 (4): the download is audited on the case (who, and the file's hash); the case
    // stays as it was.
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(csv.as_bytes()));
    let history = dash.state.store.history(id).unwrap();
    assert!(
        history.iter().any(|h| h.action == "export"
            && h.who == "off"
            && h.reason.contains(&format!("file sha256 {sha}"))),
        "{history:?}"
    );
    assert_eq!(
        dash.state.store.case(id).unwrap().unwrap().state,
        CaseState::Confirmed
    );
    let (status, _, _) = officer
        .post(
            &format!("/cases/{id}/action"),
            &format!("action=dismissed&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn csrf_token_is_required() {
    let (_dir, dash, id) = setup();
    let (mut analyst, _) = Browser::login(dash.router(), "ana").await;
    let (status, _, _) = analyst
        .post(&format!("/cases/{id}/action"), "action=confirmed")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = analyst
        .post(&format!("/cases/{id}/action"), "action=confirmed&csrf=00")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut stranger = Browser {
        app: dash.router(),
        cookie: String::new(),
    };
    assert_eq!(
        stranger
            .post("/login", "username=ana&password=pw-123456")
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn scraped_markup_is_escaped_everywhere() {
    let (_dir, dash, id) = setup();
    let (mut analyst, _) = Browser::login(dash.router(), "ana").await;
    for path in ["/queue".to_string(), format!("/cases/{id}")] {
        let (status, page, headers) = analyst.get(&path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page.contains("<script>alert"), "{path}");
        assert!(!page.contains("<img src=x"), "{path}");
        assert!(!page.contains("href=\"javascript:"), "{path}");
        assert!(!page.contains("<b>term</b>"), "{path}");
        assert!(headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("script-src 'self'"));
    }
    let (_, page, _) = analyst.get(&format!("/cases/{id}")).await;
    assert!(page.contains("&lt;script&gt;"));
    // Look-alike and invisible characters are shown for what they are.
    assert!(!page.contains('\u{202E}') && !page.contains('\u{200B}'));
    assert!(page.contains("[U+202E]gpj.exe[U+200B]"), "{page}");
    // Regression for #16 (second re-attack, L4): a variation selector after a letter.
    assert!(page.contains("点我[U+FE0F]"), "{page}");
    assert!(page.contains("＜script＞"));
    assert!(
        page.contains("<mark title=\"&lt;b&gt;term&lt;&#x2f;b&gt;\">最佳</mark>")
            || page.contains("<mark title=\"&lt;b&gt;term&lt;/b&gt;\">最佳</mark>"),
        "{page}"
    );
}

/// A login form post from `address` (as the TCP peer, or as a proxy's client).
fn login_request(
    cookie: &str,
    form: String,
    peer: [u8; 4],
    forwarded: Option<&str>,
) -> Request<Body> {
    let mut req = Request::post("/login")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let mut req = req.body(Body::from(form)).unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            peer, 40000,
        ))));
    req
}

// Regression for #16 (8): failures lock out the address that made them, not the user.
#[tokio::test]
async fn login_is_rate_limited_per_address_not_per_user() {
    let (_dir, dash, _) = setup();
    let (mut b, csrf) = Browser::at_login(dash.router()).await;
    let attacker = [203, 0, 113, 9];
    for _ in 0..5 {
        let form = format!("username=ana&password=wrong&csrf={csrf}");
        let (status, _, _) = b
            .send(login_request(&b.cookie.clone(), form, attacker, None))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let form = format!("username=ana&password=pw-123456&csrf={csrf}");
    let (status, page, _) = b
        .send(login_request(
            &b.cookie.clone(),
            form.clone(),
            attacker,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("尝试次数过多"));
    // The real ana, elsewhere, is not locked out.
    let (status, _, _) = b
        .send(login_request(
            &b.cookie.clone(),
            form,
            [198, 51, 100, 7],
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn spraying_usernames_is_limited_per_address_and_behind_a_trusted_proxy_per_client() {
    let (_dir, dash, _) = setup();
    let proxy = [127, 0, 0, 1];
    let dash = dash.trust_proxies(vec![std::net::IpAddr::from(proxy)]);
    let (mut b, csrf) = Browser::at_login(dash.router()).await;
    let mut refused = 0;
    for i in 0..30 {
        let form = format!("username=user{i}&password=wrong&csrf={csrf}");
        let req = login_request(&b.cookie.clone(), form, proxy, Some("10.9.9.9, 192.0.2.1"));
        if b.send(req).await.0 == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert_eq!(refused, 30 - throttle::PER_ADDRESS);
    // Another client behind the same proxy logs in.
    let form = format!("username=ana&password=pw-123456&csrf={csrf}");
    let req = login_request(&b.cookie.clone(), form, proxy, Some("192.0.2.2"));
    assert_eq!(b.send(req).await.0, StatusCode::SEE_OTHER);
}

// Regression for #16 (3): huge usernames were kept whole, per username, forever. (A login body
// over 16 KiB is refused unread; below that, a name is kept to 64 characters.)
#[tokio::test]
async fn failed_logins_with_huge_usernames_keep_memory_bounded() {
    let (_dir, dash, _) = setup();
    let (mut b, csrf) = Browser::at_login(dash.router()).await;
    for i in 0..40u8 {
        let name = format!("{}{i}", "x".repeat(8 << 10));
        let form = format!("username={name}&password=wrong&csrf={csrf}");
        let peer = [192, 0, 2, i];
        let (status, _, _) = b
            .send(login_request(&b.cookie.clone(), form, peer, None))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let failures = dash.state.failures.lock().unwrap();
    assert_eq!(
        failures.len(),
        80,
        "one address key and one pair key a failure"
    );
    assert!(failures.key_chars() <= 80 * throttle::MAX_USERNAME_CHARS);
}

#[tokio::test]
async fn a_login_body_over_16_kib_is_refused_unread() {
    let (_dir, dash, _) = setup();
    let (mut b, csrf) = Browser::at_login(dash.router()).await;
    let form = format!("username={}&password=x&csrf={csrf}", "x".repeat(1 << 20));
    let (status, _, _) = b.post("/login", &form).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn anonymous_sessions_stay_bounded() {
    let (_dir, dash, _) = setup();
    let app = dash.router();
    for _ in 0..(super::routes::MAX_ANONYMOUS_SESSIONS + 500) {
        let res = app
            .clone()
            .oneshot(Request::get("/login").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let n = dash.state.sessions.lock().unwrap().len();
    assert!(n <= super::routes::MAX_ANONYMOUS_SESSIONS, "{n} sessions");
}

// Regression for #16 (1): a huge page number went into tantivy's TopDocs and aborted.
#[tokio::test]
async fn a_page_past_the_end_is_400_and_the_dashboard_stays_up() {
    let (_dir, dash, id) = setup();
    let (mut analyst, _) = Browser::login(dash.router(), "ana").await;
    for path in [
        "/queue?q=%E7%82%B9%E6%88%91&page=1000000000000000",
        "/queue?q=%E7%82%B9%E6%88%91&page=300",
        "/queue?page=1000000000000000",
        "/queue?page=18446744073709551615",
    ] {
        let (status, _, _) = analyst.get(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
    }
    let (status, page, _) = analyst.get("/queue?q=%E7%82%B9%E6%88%91").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("/cases/{id}")));
}

// Regression for #16 (2): deeply nested queries overflowed the stack.
#[tokio::test]
async fn deeply_nested_or_long_queries_are_400() {
    let (_dir, dash, _) = setup();
    let (mut analyst, _) = Browser::login(dash.router(), "ana").await;
    let nested = |depth: usize| format!("{}x{}", "(".repeat(depth), ")".repeat(depth));
    let (status, _, _) = analyst.get(&format!("/queue?q={}", nested(3000))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let token = create_token(&dash.state.store, "bi", Role::Analyst, None).unwrap();
    for q in [nested(5000), "国".repeat(600)] {
        let req = Request::get(format!("/api/v1/search?q={}", urlencode(&q)))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let res = dash.router().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    // Nesting within the limit still searches.
    let (status, _, _) = analyst
        .get(&format!(
            "/queue?q={}",
            urlencode(&format!("{}点我{}", "(".repeat(8), ")".repeat(8)))
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

// Regression for #16 (6): highlighting sliced the lower-cased copy with the original's offsets.
#[test]
fn highlighting_survives_text_whose_lower_case_changes_length() {
    let words = vec!["点我".to_owned(), "ω".to_owned(), "i".to_owned()];
    let pieces = super::routes::highlight("İ\u{2126}点我K\u{212A}", &words);
    let joined: String = pieces.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(joined, "İ\u{2126}点我K\u{212A}");
    assert!(
        pieces.contains(&("\u{2126}点我".to_owned(), true)),
        "{pieces:?}"
    );
    // "i" is only the start of İ's lower case: not a match.
    assert_eq!(pieces[0], ("İ".to_owned(), false));
}

#[test]
fn permissions() {
    assert!(may(Role::Analyst, Action::Triage));
    assert!(!may(Role::Analyst, Action::Export));
    assert!(may(Role::Officer, Action::Export));
    assert!(!may(Role::Officer, Action::Triage));
    assert!(may(Role::Admin, Action::ManageUsers));
}

#[tokio::test]
async fn full_text_search_finds_cases_and_bad_queries_are_400() {
    let (_dir, dash, id) = setup();
    let (mut analyst, _) = Browser::login(dash.router(), "ana").await;
    let (status, page, _) = analyst.get("/queue?q=%E7%82%B9%E6%88%91").await; // 点我
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("/cases/{id}")), "{page}");
    let (status, page, _) = analyst.get("/queue?q=%E6%97%A0%E5%85%B3%E8%AF%8D").await; // 无关词
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains(&format!("/cases/{id}\"")));
    let (status, _, _) = analyst.get("/queue?q=text%3A%28").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_queue_filters_by_domain_score_and_date_and_searches_show_facets() {
    let (_dir, dash, _) = setup();
    let store = dash.state.store.clone();
    let capture_id = store.put_capture(&sample_page()).unwrap();
    let id = store
        .record_sighting(
            NewSighting {
                capture_id,
                sample: Sample {
                    id: "s".into(),
                    kind: SampleKind::Ad,
                    text: "点我 全国销量第一".into(),
                    url: Some("http://127.0.0.1/x".into()),
                    ..Sample::default()
                },
                landing_url: None,
                images: vec![],
                crop: None,
                flags: vec![Verdict {
                    id: "s".into(),
                    flagged: true,
                    category: Category::AbsoluteTerms,
                    score: 0.9,
                    articles: vec![],
                    evidence: vec![],
                    model: "test".into(),
                }],
            },
            "crawler",
        )
        .unwrap()
        .unwrap();
    let (mut analyst, _) = Browser::login(dash.router(), "ana").await;
    let row = format!("data-id=\"{id}\"");
    let today = time::OffsetDateTime::now_utc().date().to_string();
    for (query, shown) in [
        ("domain=127.0.0.1".to_owned(), true),
        ("domain=elsewhere.example".to_owned(), false),
        ("min_score=0.85".to_owned(), true),
        ("min_score=0.95".to_owned(), false),
        (format!("since={today}&until={today}"), true),
        ("until=2020-01-01".to_owned(), false),
        // Regression for #16 (re-attack L1): the last day there is overflowed and panicked.
        ("until=9999-12-31".to_owned(), true),
    ] {
        let (status, page, _) = analyst.get(&format!("/queue?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert_eq!(page.contains(&row), shown, "{query}");
    }
    for bad in ["min_score=abc", "min_score=2", "since=yesterday"] {
        let (status, _, _) = analyst.get(&format!("/queue?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let (_, page, _) = analyst.get("/queue?q=%E7%82%B9%E6%88%91").await; // 点我
    assert!(
        page.contains("category=absolute_terms\">absolute_terms (2)"),
        "{page}"
    );
    assert!(page.contains("domain=127.0.0.1\">127.0.0.1 (1)"), "{page}");
    // Matches are highlighted in the results.
    assert!(page.contains("<mark>点我</mark> 全国销量第一"), "{page}");
    // The case page lists the other case sharing its words as similar.
    let (_, page, _) = analyst.get(&format!("/cases/{id}")).await;
    let similar = &page[page.find("class=\"similar\"").expect("similar cases")..];
    assert!(similar.contains("href=\"/cases/1\""), "{page}");
    assert!(!similar[..similar.find("</ul>").unwrap()].contains(&format!("/cases/{id}\"")));
}

#[tokio::test]
async fn escalation_moves_a_case_into_review_marks_it_and_is_audited() {
    let (_dir, dash, id) = setup();
    let (mut officer, csrf) = Browser::login(dash.router(), "off").await;
    let (status, _, _) = officer
        .post(
            &format!("/cases/{id}/action"),
            &format!("action=escalate&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (mut analyst, csrf) = Browser::login(dash.router(), "ana").await;
    // From the queue, the bulk form goes back to the page it came from.
    let (status, _, headers) = analyst
        .post(
            "/cases/bulk",
            &format!(
                "ids={id}&action=escalate&reason=%E6%B6%89%E5%8F%8A%E5%8C%BB%E7%96%97&csrf={csrf}&back=%2Fqueue%3Fstate%3Dnew"
            ),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/queue?state=new");
    let case = dash.state.store.case(id).unwrap().unwrap();
    assert!(case.escalated);
    assert_eq!(case.state, CaseState::InReview);
    let last = dash.state.store.history(id).unwrap().pop().unwrap();
    assert_eq!(
        (
            last.action.as_str(),
            last.who.as_str(),
            last.reason.as_str()
        ),
        ("escalate", "ana", "涉及医疗")
    );
    let (_, page, _) = analyst.get("/queue?escalated=1").await;
    assert!(page.contains(&format!("data-id=\"{id}\"")), "{page}");
    assert!(page.contains("class=\"escalated\""));
    // Elsewhere than a queue page is never a redirect target.
    let (_, _, headers) = analyst
        .post(
            "/cases/bulk",
            &format!("ids={id}&action=escalate&csrf={csrf}&back=https%3A%2F%2Fevil.example%2F"),
        )
        .await;
    assert_eq!(headers[header::LOCATION], "/queue");
}

#[tokio::test]
async fn statistics_runs_and_users_pages_by_role() {
    let (_dir, dash, _) = setup();
    let mut run = admon_store::CrawlRun {
        trigger: "cli".into(),
        seeds: vec!["http://127.0.0.1/<script>alert(5)</script>".into()],
        ..Default::default()
    };
    dash.state.store.start_run(&mut run).unwrap();
    dash.set_schedule(vec!["每天 02:00 <b>".into()]);
    let (mut analyst, csrf) = Browser::login(dash.router(), "ana").await;
    let (status, page, _) = analyst.get("/stats").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("absolute_terms"), "{page}");
    assert!(
        page.contains("class=\"bar w10\""),
        "today's bar is the peak: {page}"
    );
    let (status, page, _) = analyst.get("/runs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("running"));
    assert!(!page.contains("<script>alert(5)") && page.contains("&lt;script&gt;alert(5)"));
    assert!(page.contains("每天 02:00 &lt;b&gt;"));
    assert!(
        !page.contains("href=\"/users\""),
        "no users link for analysts"
    );
    assert_eq!(analyst.get("/users").await.0, StatusCode::FORBIDDEN);
    let (status, _, _) = analyst
        .post(
            "/users",
            &format!("name=eve&role=admin&password=long-enough&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (mut admin, csrf) = Browser::login(dash.router(), "adm").await;
    let (status, page, _) = admin.get("/users").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<td>off</td><td>officer</td>"), "{page}");
    for bad in [
        "name=new&role=admin&password=long-enough".to_owned(), // no CSRF token
        format!("name=new&role=king&password=long-enough&csrf={csrf}"),
        format!("name=new&role=analyst&password=short&csrf={csrf}"),
        // Regression for #16 (11): eight characters, and a name with markup, were taken.
        format!("name=new&role=analyst&password=12345678&csrf={csrf}"),
        format!("name=&role=analyst&password=new-password-long&csrf={csrf}"),
        format!("name=%3Cb%3E&role=analyst&password=long-enough&csrf={csrf}"),
    ] {
        let (status, _, _) = admin.post("/users", &bad).await;
        assert!(status.is_client_error(), "{bad}: {status}");
    }
    let (status, _, _) = admin
        .post(
            "/users",
            &format!("name=newbie&role=officer&password=new-password-long&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let user = dash.state.store.user("newbie").unwrap().unwrap();
    assert_eq!(user.role, "officer");
    assert!(crate::auth::verify_password(
        "new-password-long",
        &user.password_hash
    ));
}

#[tokio::test]
async fn officers_export_a_selection_of_cases() {
    let (_dir, dash, id) = setup();
    let (mut officer, csrf) = Browser::login(dash.router(), "off").await;
    let (status, page, _) = officer.get("/queue").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("formaction=\"/export\""),
        "export-selected control"
    );
    let (status, json, headers) = officer
        .post("/export", &format!("ids={id}&format=json&csrf={csrf}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("admon-cases.json"));
    let cases: serde_json::Value = serde_json::from_str(&json).unwrap();
    let listed: Vec<u64> = cases
        .as_array()
        .expect("a JSON array of cases")
        .iter()
        .map(|c| c["id"].as_u64().unwrap())
        .collect();
    assert_eq!(listed, vec![id]);
    // #17 (4): exports of any state are audited, with the file's hash.
    let (_, history, _) = officer.get(&format!("/cases/{id}")).await;
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(json.as_bytes()));
    assert!(
        history.contains("exported as Json: 1 cases, file sha256 ") && history.contains(&sha),
        "export not audited"
    );
    let (status, _, _) = officer
        .post("/export", &format!("ids=99999&format=json&csrf={csrf}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nothing to export is said, not an empty file.
    let (status, body, _) = officer
        .post(
            "/export",
            &format!("state=dismissed&format=pack&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("nothing to export"), "{body}");
    let (status, _, _) = officer
        .post("/export", &format!("ids=abc&format=json&csrf={csrf}"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn chinese_by_default_with_an_english_switch() {
    let (_dir, dash, _) = setup();
    let mut b = Browser {
        app: dash.router(),
        cookie: String::new(),
    };
    let (_, page, _) = b.get("/login").await;
    assert!(page.contains("互联网广告监测") && page.contains("lang=\"zh\""));
    let (status, _, headers) = b.get("/lang/en").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let lang = headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    b.cookie = format!("{}; {lang}", b.cookie);
    let (_, page, _) = b.get("/login").await;
    assert!(
        page.contains("Internet Ad Monitor") && page.contains("lang=\"en\""),
        "{page}"
    );
}

#[tokio::test]
async fn officers_export_packs_and_cases_are_marked() {
    let (_dir, dash, id) = setup();
    let (mut analyst, csrf) = Browser::login(dash.router(), "ana").await;
    analyst
        .post(
            &format!("/cases/{id}/action"),
            &format!("action=confirmed&csrf={csrf}"),
        )
        .await;
    assert_eq!(
        analyst
            .post(
                "/export",
                &format!("format=csv&state=confirmed&csrf={csrf}")
            )
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (mut officer, csrf) = Browser::login(dash.router(), "off").await;
    assert_eq!(
        officer
            .post("/export", "format=pack&state=confirmed")
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let req = Request::post("/export")
        .header(header::COOKIE, &officer.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "format=pack&state=confirmed&csrf={csrf}"
        )))
        .unwrap();
    let res = dash.router().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/zip");
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut report = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name(&format!("case-{id}/report.html")).unwrap(),
        &mut report,
    )
    .unwrap();
    assert!(
        report.contains("&lt;script&gt;") && !report.contains("<script>alert"),
        "report not escaped"
    );
    // Regression for #16 (13): the report kept U+202E raw.
    assert!(!report.contains('\u{202E}') && report.contains("[U+202E]gpj.exe"));
    assert!(zip.by_name("manifest.sha256").is_ok());
    // #17 (5): the report states capture times in +08:00 (no nanoseconds), every hash, the
    // tool, the exporter and the export time; entries carry the export time, not 1980.
    for want in [
        "+08:00",
        "SHA-256 HTML",
        "取证时间",
        "admon ",
        "导出人",
        "off",
    ] {
        assert!(report.contains(want), "{want} missing from the report");
    }
    assert!(zip.by_name("verify.txt").is_ok());
    let year = zip
        .by_name("manifest.sha256")
        .unwrap()
        .last_modified()
        .unwrap()
        .year();
    assert!(year >= 2026, "{year}");
    let (_, page, _) = officer.get(&format!("/cases/{id}")).await;
    assert!(page.contains("exported"), "case not marked exported");
    assert!(page.contains(&format!("/cases/{id}/transfer")));
    let (status, _, _) = officer
        .post(
            &format!("/cases/{id}/transfer"),
            &format!("text=%E6%9C%9D%E9%98%B3%E5%88%86%E5%B1%80&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = officer.get(&format!("/cases/{id}")).await;
    assert!(
        page.contains("transferred") && page.contains("移交 朝阳分局"),
        "transfer not recorded"
    );
    let (status, _, _) = officer
        .post("/export", &format!("format=docx&csrf={csrf}"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[test]
fn spreadsheet_cells_never_become_formulas() {
    let case = admon_domain::Case {
        id: 7,
        state: admon_domain::CaseState::Confirmed,
        kind: SampleKind::Ad,
        category: Category::Fraud,
        score: 0.9,
        url: "http://127.0.0.1/".into(),
        domain: "127.0.0.1".into(),
        text: "=HYPERLINK(\"http://evil\",\"点我\")".into(),
        articles: vec![],
        evidence: vec![],
        flags: vec![Category::Fraud],
        landing_url: None,
        price: None,
        brand: None,
        seller: None,
        model: "t".into(),
        capture_ids: vec![],
        sightings: 1,
        first_seen: time::OffsetDateTime::UNIX_EPOCH,
        last_seen: time::OffsetDateTime::UNIX_EPOCH,
        assignee: None,
        escalated: false,
        risk: 0.0,
        crop_sha256: None,
    };
    let csv = cases_csv(std::slice::from_ref(&case));
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://evil\"\""), "{csv}");
    assert!(cases_xlsx(&[case]).unwrap().starts_with(b"PK"));
}

#[tokio::test]
async fn comments_assignments_and_bulk_actions_are_audited() {
    let (_dir, dash, id) = setup();
    let (mut analyst, csrf) = Browser::login(dash.router(), "ana").await;
    let (status, _, _) = analyst
        .post(
            &format!("/cases/{id}/comment"),
            &format!("text=%E5%A4%8D%E6%A0%B8&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = analyst
        .post(
            &format!("/cases/{id}/assign"),
            &format!("text=ana&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = analyst
        .post(
            &format!("/cases/{id}/assign"),
            &format!("text=nobody&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = analyst
        .post(
            "/cases/bulk",
            &format!("ids={id}&action=dismissed&reason=dup"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "bulk without CSRF");
    let (status, _, _) = analyst
        .post(
            "/cases/bulk",
            &format!("ids={id}&action=dismissed&reason=dup&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = analyst
        .post(
            "/cases/bulk",
            &format!("ids={id}&action=dismissed&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "dismissed twice");
    let (_, page, _) = analyst.get(&format!("/cases/{id}")).await;
    for want in ["comment", "复核", "assign", "dismissed", "dup"] {
        assert!(page.contains(want), "history lacks {want}");
    }
    assert!(page.contains("value=\"ana\""), "assignee not shown");
    // Regression for #16 (re-attack L7): a 1 MB reason went into the audit log.
    let before = dash.state.store.history(id).unwrap().len();
    let long = "长".repeat(crate::routes::MAX_NOTE_CHARS + 1);
    for (path, field) in [("comment", "text"), ("action", "reason")] {
        let (status, _, _) = analyst
            .post(
                &format!("/cases/{id}/{path}"),
                &format!("{field}={long}&action=in_review&csrf={csrf}"),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
    }
    assert_eq!(dash.state.store.history(id).unwrap().len(), before);
    let (mut officer, csrf) = Browser::login(dash.router(), "off").await;
    let (status, _, _) = officer
        .post(
            &format!("/cases/{id}/comment"),
            &format!("text=x&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_json_api_takes_bearer_tokens_with_roles() {
    let (_dir, dash, id) = setup();
    let store = dash.state.store.clone();
    let analyst = create_token(&store, "bi", Role::Analyst, None).unwrap();
    let officer = create_token(&store, "case-system", Role::Officer, None).unwrap();
    let call = |method: &str, path: &str, token: Option<&str>| {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let app = dash.router();
        let req = req.body(Body::empty()).unwrap();
        async move {
            let res = app.oneshot(req).await.unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), 1 << 24)
                .await
                .unwrap();
            (status, body.to_vec())
        }
    };
    assert_eq!(
        call("GET", "/api/v1/cases", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call("GET", "/api/v1/cases", Some("admon_wrong")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = call("GET", "/api/v1/cases?state=new", Some(&analyst)).await;
    assert_eq!(status, StatusCode::OK);
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap();
    assert_eq!(cases[0]["id"], id);
    // Regression for #16 (re-attack L2): limit=0 listed every case (the store's "no limit").
    let capture = store.put_capture(&sample_page()).unwrap();
    let category = store.case(id).unwrap().unwrap().category;
    store
        .record_sighting(flagged(capture, "另一条 国家级 广告", category), "crawler")
        .unwrap()
        .unwrap();
    let (_, body) = call("GET", "/api/v1/cases?limit=0", Some(&analyst)).await;
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(cases[0]["category"], "absolute_terms");
    let (status, body) = call("GET", &format!("/api/v1/cases/{id}"), Some(&analyst)).await;
    assert_eq!(status, StatusCode::OK);
    let one: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(one["history"][0]["action"], "created");
    let (status, body) = call("GET", "/api/v1/search?q=%E7%82%B9%E6%88%91", Some(&analyst)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Vec<serde_json::Value>>(&body)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        call("POST", "/api/v1/export?format=json", Some(&analyst))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    store
        .transition(id, admon_domain::CaseState::Confirmed, "ana", "")
        .unwrap();
    let (status, body) = call("POST", "/api/v1/export?format=json", Some(&officer)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Vec<serde_json::Value>>(&body)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store.case(id).unwrap().unwrap().state,
        admon_domain::CaseState::Exported
    );
    assert_eq!(
        store.history(id).unwrap().last().unwrap().who,
        "token:case-system"
    );
}

// Regression for #16 (4): the role was cached at login; a demoted admin kept admin rights.
#[tokio::test]
async fn a_demoted_user_loses_the_role_at_the_next_request() {
    let (_dir, dash, _) = setup();
    let (mut admin, _) = Browser::login(dash.router(), "adm").await;
    assert_eq!(admin.get("/users").await.0, StatusCode::OK);
    let mut user = dash.state.store.user("adm").unwrap().unwrap();
    user.role = "analyst".into();
    dash.state.store.put_user(&user).unwrap();
    assert_eq!(admin.get("/users").await.0, StatusCode::FORBIDDEN);
    assert_eq!(admin.get("/queue").await.0, StatusCode::OK);
}

// Regression for #16 (re-attack L5): a password reset left the user's sessions valid, and a
// reset on the users page silently enabled a disabled user.
#[tokio::test]
async fn a_password_reset_ends_sessions_and_keeps_a_disabled_user_disabled() {
    let (_dir, dash, _) = setup();
    let (mut analyst, _) = Browser::login(dash.router(), "ana").await;
    assert_eq!(analyst.get("/queue").await.0, StatusCode::OK);
    let (mut admin, csrf) = Browser::login(dash.router(), "adm").await;
    let (status, body, _) = admin
        .post(
            "/users",
            &format!("name=ana&role=analyst&password=orchid-lantern-2026&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, _, headers) = analyst.get("/queue").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login");
    let mut user = dash.state.store.user("ana").unwrap().unwrap();
    user.disabled = true;
    dash.state.store.put_user(&user).unwrap();
    admin
        .post(
            "/users",
            &format!("name=ana&role=analyst&password=orchid-lantern-2027&csrf={csrf}"),
        )
        .await;
    assert!(dash.state.store.user("ana").unwrap().unwrap().disabled);
}

// Regression for #16 (13, 16): every answer carries the security headers, the API and 404s too;
// tag characters and Hangul fillers are shown, in pages and in the pack's report alike.
#[tokio::test]
async fn security_headers_on_every_answer_and_https_makes_cookies_secure() {
    let (_dir, dash, _) = setup();
    for path in ["/api/v1/cases", "/no-such-page", "/healthz"] {
        let res = dash
            .router()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert!(
            res.headers().contains_key(header::CONTENT_SECURITY_POLICY),
            "{path}"
        );
        assert!(
            res.headers().contains_key(header::X_CONTENT_TYPE_OPTIONS),
            "{path}"
        );
        assert!(!res
            .headers()
            .contains_key(header::STRICT_TRANSPORT_SECURITY));
    }
    let dash = dash.public_url("https://admon.example.gov.cn/");
    let res = dash
        .router()
        .oneshot(Request::get("/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(
        res.headers()[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000"
    );
    let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}

#[test]
fn invisible_letters_and_tag_characters_are_shown() {
    let text = "a\u{E0041}\u{E0042}b\u{3164}c\u{115F}d\u{034F}e\u{202E}";
    assert_eq!(
        visible(text),
        "a[U+E0041][U+E0042]b[U+3164]c[U+115F]d[U+034F]e[U+202E]"
    );
    assert_eq!(visible("正常文本 ok"), "正常文本 ok");
    // Regression for #16 (re-attack L4): more format characters that draw nothing.
    assert_eq!(
        visible("a\u{2028}b\u{180B}c\u{17B4}d\u{1D173}e\u{FE0F}f\u{E0101}"),
        "a[U+2028]b[U+180B]c[U+17B4]d[U+1D173]e[U+FE0F]f[U+E0101]"
    );
    // An emoji's own presentation selector is ordinary text.
    assert_eq!(visible("好评❤\u{FE0F}"), "好评❤\u{FE0F}");
}

// Regression for #16 (10): 2,000 copies of one id made 2,007 history entries.
#[tokio::test]
async fn a_bulk_action_acts_once_per_case_and_caps_the_selection() {
    let (_dir, dash, id) = setup();
    let (mut analyst, csrf) = Browser::login(dash.router(), "ana").await;
    let before = dash.state.store.history(id).unwrap().len();
    let repeated = format!("ids={id}&").repeat(2_000);
    let (status, _, _) = analyst
        .post(
            "/cases/bulk",
            &format!("{repeated}action=escalate&reason=x&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(dash.state.store.history(id).unwrap().len(), before + 1);
    let many: String = (0..1_001).map(|i| format!("ids={i}&")).collect();
    let (status, _, _) = analyst
        .post("/cases/bulk", &format!("{many}action=escalate&csrf={csrf}"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

// Regression for #16 (12): users could not be disabled, tokens not expire.
#[tokio::test]
async fn a_disabled_user_is_out_at_once_and_an_expired_token_is_refused() {
    let (_dir, dash, _) = setup();
    let (mut analyst, _) = Browser::login(dash.router(), "ana").await;
    assert_eq!(analyst.get("/queue").await.0, StatusCode::OK);
    let mut user = dash.state.store.user("ana").unwrap().unwrap();
    user.disabled = true;
    dash.state.store.put_user(&user).unwrap();
    let (status, _, headers) = analyst.get("/queue").await;
    assert!(
        status == StatusCode::SEE_OTHER || status == StatusCode::UNAUTHORIZED,
        "{status} {headers:?}"
    );
    let (mut b, csrf) = Browser::at_login(dash.router()).await;
    let (status, _, _) = b
        .post(
            "/login",
            &format!("username=ana&password=pw-123456&csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let store = dash.state.store.clone();
    let expired = create_token(&store, "old", Role::Analyst, Some(0)).unwrap();
    let fresh = create_token(&store, "new", Role::Analyst, Some(30)).unwrap();
    for (token, want) in [(expired, StatusCode::UNAUTHORIZED), (fresh, StatusCode::OK)] {
        let req = Request::get("/api/v1/cases")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(dash.router().oneshot(req).await.unwrap().status(), want);
    }
}

#[test]
fn the_password_policy_refuses_short_repeated_named_and_common_passwords() {
    let policy = PasswordPolicy::with_common("# common\npassword\ndragon\n");
    for bad in [
        "12345678",
        "            ",
        "zzzzzzzzzzzzzz",
        "ana-is-my-name-1",
        "password123456",
        "!!dragon2026!!",
        // Regression for #16 (re-attack L6): a short pattern repeated, full-width letters.
        "abababababab",
        "ｐａｓｓｗｏｒｄ１２３４５",
    ] {
        assert!(policy.check("ana", bad).is_err(), "{bad:?}");
    }
    assert!(policy.check("ana", "horse-battery-77x").is_ok());
}

// Fuzzing (#16): highlighting never panics and loses or adds nothing, whatever the text and
// the words (any Unicode, lower case longer or shorter than the letter). 300 cases.
mod highlight_fuzz {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
        #[test]
        fn pieces_put_back_together_are_the_text(
            text in "(\\PC|İ|\u{2126}|\u{212A}|ẞ|ß|Σ)*",
            words in prop::collection::vec("(\\PC|i|\u{307}|ω|k|ss){0,4}", 0..4),
        ) {
            let pieces = crate::routes::highlight(&text, &words);
            let joined: String = pieces.iter().map(|(s, _)| s.as_str()).collect();
            prop_assert_eq!(joined, text);
        }
    }
}

// Regression for #17 (4): exports re-hashed nothing (after a byte of evidence was flipped the
// pack was written and the case marked exported), and the dashboard served the altered bytes
// with no warning.
#[tokio::test]
async fn altered_evidence_is_refused_by_exports_and_flagged_on_the_case_page() {
    let (dir, dash, id) = setup();
    let (mut analyst, csrf) = Browser::login(dash.router(), "ana").await;
    analyst
        .post(
            &format!("/cases/{id}/action"),
            &format!("action=confirmed&csrf={csrf}"),
        )
        .await;
    let (_, page, _) = analyst.get(&format!("/cases/{id}")).await;
    assert!(!page.contains("class=\"tampered\""));
    let links: Vec<String> = page
        .split("/evidence/")
        .skip(1)
        .map(|rest| rest[..64].to_owned())
        .collect();
    assert!(!links.is_empty(), "{page}");
    // One bit in every 64 bytes of evidence flipped: every blob is altered.
    let segment = dir.path().join("blobs/segment-000001");
    let bytes = std::fs::read(&segment).unwrap();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&segment)
        .unwrap();
    for offset in (0..bytes.len()).step_by(64) {
        std::os::unix::fs::FileExt::write_all_at(&file, &[bytes[offset] ^ 1], offset as u64)
            .unwrap();
    }
    let (mut officer, csrf) = Browser::login(dash.router(), "off").await;
    let (status, body, _) = officer
        .post("/export", &format!("ids={id}&format=pack&csrf={csrf}"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("was altered"), "{body}");
    let (_, page, _) = officer.get(&format!("/cases/{id}")).await;
    assert!(page.contains("class=\"tampered\""), "no warning");
    assert!(page.contains("tampered"), "not audited");
    assert!(!page.contains("exported as Pack"), "marked exported");
    for sha in &links {
        let (status, _, _) = officer.get(&format!("/evidence/{sha}")).await;
        assert_eq!(status, StatusCode::CONFLICT, "altered evidence served");
    }
}

// Regression for #16 (re-attack N3): each case re-added its captures, so 300 cases sighted on
// one 2 MB page made a 917 MB pack. A capture now goes in once, under captures/.
#[test]
fn a_capture_shown_by_many_cases_is_packed_once() {
    let (_dir, dash, id) = setup();
    let store = &dash.state.store;
    let first = store.case(id).unwrap().unwrap();
    let capture_id = first.capture_ids[0].clone();
    for n in 0..3 {
        let sighting = flagged(
            capture_id.clone(),
            &format!("第{n}条 国家级 特效"),
            first.category,
        );
        store.record_sighting(sighting, "crawler").unwrap().unwrap();
    }
    let cases = store
        .list_cases(&admon_store::CaseFilter::default())
        .unwrap();
    assert_eq!(cases.len(), 4);
    // Times in the configured zone (#17 (5)).
    let reports = crate::export::Reports {
        utc_offset: Some(time::macros::offset!(+5:30)),
        ..Default::default()
    };
    let (bytes, refused) = crate::export::evidence_pack(store, &cases, "off", &reports).unwrap();
    assert!(refused.is_empty());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut report = String::new();
    std::io::Read::read_to_string(
        &mut zip
            .by_name(&format!("case-{}/report.html", cases[0].id))
            .unwrap(),
        &mut report,
    )
    .unwrap();
    assert!(
        report.contains(" +05:30") && !report.contains(" +08:00"),
        "{report}"
    );
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().into_owned())
        .collect();
    let html = format!("captures/capture-{capture_id}.html");
    assert_eq!(names.iter().filter(|n| **n == html).count(), 1, "{names:?}");
    for case in &cases {
        let mut listed = String::new();
        std::io::Read::read_to_string(
            &mut zip
                .by_name(&format!("case-{}/captures.txt", case.id))
                .unwrap(),
            &mut listed,
        )
        .unwrap();
        assert!(listed.contains(&format!("../{html}")), "{listed}");
    }
}

// Regression for #16 (re-attack N4): connections that never finished their headers were never
// closed; 20,000 of them used up the process's file descriptors.
#[tokio::test]
async fn slow_headers_time_out_and_one_address_holds_a_bounded_number_of_connections() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (_dir, dash, _) = setup();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = crate::serve::Limits {
        header_timeout: std::time::Duration::from_millis(500),
        max_connections: 100,
        per_address: 3,
        trusted_proxies: vec![],
    };
    tokio::spawn(crate::serve::serve(
        listener,
        dash.router(),
        limits,
        std::future::pending(),
    ));
    // Nothing sent at all (the second re-attack): the server hangs up too.
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        silent.read_to_end(&mut buf),
    )
    .await
    .expect("the silent client was hung up on");
    assert!(read.is_ok());
    // Headers begun, never finished: the server hangs up.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        slow.read_to_end(&mut buf),
    )
    .await
    .expect("the slow client was hung up on");
    assert!(read.is_ok());
    // Three open connections from one address; the fourth is closed at once.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let mut fourth = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = fourth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        fourth.read_to_end(&mut answer),
    )
    .await
    .expect("the fourth connection was closed");
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    drop(held);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    // Once they close, the address is served again.
    let mut again = tokio::net::TcpStream::connect(addr).await.unwrap();
    again
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    again.read_to_end(&mut answer).await.unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

// #17 (5): with a signing key, a pack's manifest is signed and carries the public key; the
// signature holds over the manifest and nothing else.
#[test]
fn a_pack_manifest_is_signed_with_the_centres_key() {
    let (_dir, dash, id) = setup();
    let keys = tempfile::tempdir().unwrap();
    let signer = admon_store::Signer::create(&keys.path().join("k.pem")).unwrap();
    dash.state.store.set_signer(signer);
    let case = dash.state.store.case(id).unwrap().unwrap();
    let (bytes, _) =
        crate::export::evidence_pack(&dash.state.store, &[case], "off", &Default::default())
            .unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut out).unwrap();
        out
    };
    let (manifest, signature, pem, verify) = (
        read("manifest.sha256"),
        read("manifest.sha256.sig"),
        read("public-key.pem"),
        read("verify.txt"),
    );
    let key = admon_store::PublicKey::from_pem(std::str::from_utf8(&pem).unwrap()).unwrap();
    assert!(key.verifies(&manifest, &signature));
    let mut altered = manifest.clone();
    altered[0] ^= 1;
    assert!(!key.verifies(&altered, &signature));
    assert!(String::from_utf8(verify)
        .unwrap()
        .contains("openssl pkeyutl -verify"));
}
