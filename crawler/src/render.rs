//! JavaScript rendering in headless Chromium (Debian's `/usr/bin/chromium`), the only module
//! that touches headless_chrome. A page is loaded, given a moment for late scripts (ads
//! injected after load), then its DOM and a full-page PNG screenshot are taken. A page
//! fetched before is given to Chromium as it was [`Served`], not asked of its server again.

use crate::{Error, Result};
use admon_domain::{Load, Rect};
use base64::Engine;
use headless_chrome::browser::tab::RequestPausedDecision;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::Fetch::{
    events::RequestPausedEvent, FulfillRequest, HeaderEntry, RequestPattern, RequestStage,
};
use headless_chrome::protocol::cdp::Network::events::ResponseReceivedEventParams;
use headless_chrome::protocol::cdp::Network::ResourceType;
use headless_chrome::protocol::cdp::Page::{self, CaptureScreenshotFormatOption, Viewport};
use headless_chrome::protocol::cdp::Runtime;
use headless_chrome::Browser;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The rendered DOM and a screenshot.
#[derive(Debug)]
pub struct Rendered {
    /// `document.documentElement.outerHTML` after scripts ran.
    pub html: String,
    /// PNG screenshot of the whole page (at most 16,000 CSS pixels tall).
    pub screenshot: Vec<u8>,
    /// For each element asked for: where it is on the page and a PNG of just it.
    pub crops: Vec<Option<(Rect, Vec<u8>)>>,
    /// What Chromium loaded besides the page (images, frames, scripts), in the order the
    /// loads finished.
    pub loads: Vec<Load>,
    /// Overlays found by layout (fixed or sticky, covering 30% of the viewport or more), each
    /// with whether one click on its close control closed it.
    pub popups: Vec<PopupCheck>,
    /// The page's frames as Chromium shows them after their scripts ran, read from its frame
    /// tree (at most 40).
    pub frames: Vec<FrameRead>,
}

/// One frame of a rendered page, read from Chromium's frame tree.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameRead {
    /// The frame's document URL.
    pub url: String,
    /// Its visible text, a line a text node, at most 2,000 characters.
    pub text: String,
    /// Its first link's target, if it has one.
    pub link: Option<String>,
}

/// What CSS draws before or after elements, when it is a short string that may be a label
/// (`::before { content: "广告" }`): `[path, content]` pairs, paths as the extractor writes
/// them. At most 200, from at most 20,000 elements.
const DRAWN_JS: &str = r#"(function () {
  const out = [];
  // Only what may be a label (icon fonts draw strings too); the extractor decides.
  const LABEL = /广告|廣告|推广|推廣|赞助|贊助|sponsor|advert|promoted|\bads?\b/i;
  const path = (el) => {
    const steps = [];
    for (let e = el; e; e = e.parentElement) {
      let k = 1;
      for (let s = e.previousElementSibling; s; s = s.previousElementSibling) {
        if (s.localName === e.localName) k++;
      }
      steps.unshift(CSS.escape(e.localName) + ':nth-of-type(' + k + ')');
    }
    return steps.join(' > ');
  };
  const all = document.body ? document.body.getElementsByTagName('*') : [];
  for (let i = 0; i < all.length && i < 20000 && out.length < 200; i++) {
    for (const pseudo of ['::before', '::after']) {
      const c = getComputedStyle(all[i], pseudo).content;
      if (!c || c.length > 40 || c[0] !== '"' || !LABEL.test(c)) continue;
      try { out.push([path(all[i]), JSON.parse(c)]); } catch (e) {}
    }
  }
  return JSON.stringify(out);
})()"#;

/// Most frames read from one page.
const MAX_FRAMES: usize = 40;

/// A frame's text and first link, as JSON, run in a world of admon's own inside the frame (so
/// the page's scripts can neither see nor spoof it).
const FRAME_JS: &str = r#"(function () {
  const body = document.body;
  if (!body) return null;
  const texts = [];
  const walk = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  let length = 0;
  for (let n = walk.nextNode(); n && length < 2000; n = walk.nextNode()) {
    const p = n.parentElement;
    const t = n.data.trim();
    if (!t || !p || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(p.tagName)) continue;
    if (p.checkVisibility && !p.checkVisibility()) continue;
    texts.push(t);
    length += t.length;
  }
  const a = document.querySelector('a[href]');
  return JSON.stringify({ text: texts.join('\n').slice(0, 2000), link: a ? a.href : null });
})()"#;

/// Every frame of the page, depth first, read through Chromium's frame tree: the frame's
/// document after its scripts ran, whichever site it came from. A frame that cannot be read
/// (gone, or still loading) is left out.
fn read_frames(tab: &headless_chrome::Tab) -> Vec<FrameRead> {
    let Ok(tree) = tab.call_method(Page::GetFrameTree(None)) else {
        return Vec::new();
    };
    let mut stack: Vec<Page::FrameTree> = tree.frame_tree.child_frames.unwrap_or_default();
    stack.reverse();
    let mut read = Vec::new();
    while let Some(node) = stack.pop() {
        if read.len() >= MAX_FRAMES {
            break;
        }
        let mut children = node.child_frames.unwrap_or_default();
        children.reverse();
        stack.extend(children);
        #[derive(serde::Deserialize)]
        struct Found {
            text: String,
            link: Option<String>,
        }
        let found: Option<Found> = in_own_world(tab, &node.frame.id, FRAME_JS)
            .and_then(|json| serde_json::from_str(&json).ok());
        if let Some(found) = found {
            read.push(FrameRead {
                url: node.frame.url,
                text: found.text,
                link: found.link,
            });
        }
    }
    read
}

/// What CSS draws as labels on the page (see [`DRAWN_JS`]), read in a world of admon's own: the
/// page's scripts cannot replace `getComputedStyle` to draw a label that is not there.
fn read_drawn(tab: &headless_chrome::Tab) -> Vec<(String, String)> {
    tab.call_method(Page::GetFrameTree(None))
        .ok()
        .and_then(|tree| in_own_world(tab, &tree.frame_tree.frame.id, DRAWN_JS))
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// Runs `js` (an expression giving a string) in an isolated world of `frame`: the page's own
/// scripts can neither see it nor change the built-ins it uses.
fn in_own_world(tab: &headless_chrome::Tab, frame: &str, js: &str) -> Option<String> {
    let world = tab
        .call_method(Page::CreateIsolatedWorld {
            frame_id: frame.to_owned(),
            world_name: Some("admon".into()),
            grant_univeral_access: None,
        })
        .ok()?;
    let evaluated = tab
        .call_method(Runtime::Evaluate {
            expression: js.into(),
            object_group: None,
            include_command_line_api: None,
            silent: Some(true),
            context_id: Some(world.execution_context_id),
            return_by_value: Some(true),
            generate_preview: None,
            user_gesture: None,
            await_promise: None,
            throw_on_side_effect: None,
            timeout: None,
            disable_breaks: None,
            repl_mode: None,
            allow_unsafe_eval_blocked_by_csp: None,
            unique_context_id: None,
            serialization_options: None,
        })
        .ok()?;
    Some(evaluated.result.value?.as_str()?.to_owned())
}

/// A pop-up found by layout in the rendered page, and what one click on its close control did.
#[derive(Debug, Clone)]
pub struct PopupCheck {
    /// Its text (the first 300 characters).
    pub text: String,
    /// Where it sat, in CSS pixels.
    pub rect: Rect,
    /// Whether one click on that control made it go.
    pub closed: bool,
    /// The viewport before the click, and after it (PNG): evidence of either outcome.
    pub before: Vec<u8>,
    /// When `before` was taken.
    pub at: time::OffsetDateTime,
    /// See `before`; `None` when it had no control that looks like a close button (×, 关闭,
    /// close…), so nothing was clicked.
    pub after: Option<Vec<u8>>,
}

/// Most overlays checked a page.
const MAX_POPUPS: usize = 3;

/// Marks the overlays of the page (fixed or sticky, visible, covering ≥ 30% of the viewport,
/// not inside another) with `data-admon-popup`, and returns them as JSON: text, rectangle and
/// the centre of a close control when one is found.
const POPUPS_JS: &str = r#"(function () {
  const vw = innerWidth, vh = innerHeight, out = [];
  const visible = (el) => { const s = getComputedStyle(el); return s.display !== "none" && s.visibility !== "hidden" && parseFloat(s.opacity) > 0.05; };
  const all = document.querySelectorAll("body *");
  for (let i = 0; i < all.length && i < 20000 && out.length < 3; i++) {
    const el = all[i], pos = getComputedStyle(el).position;
    if (pos !== "fixed" && pos !== "sticky") continue;
    if (!visible(el) || out.some(o => o.el.contains(el))) continue;
    const r = el.getBoundingClientRect();
    const w = Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0));
    const h = Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
    if (w * h < 0.3 * vw * vh) continue;
    out.push({ el, r });
  }
  return JSON.stringify(out.map((o, i) => {
    o.el.setAttribute("data-admon-popup", String(i));
    const words = /(^|[^a-z])(close|closed|dismiss)([^a-z]|$)|关闭|跳过/i;
    const marks = ["×", "✕", "✖", "x", "X", "关闭", "跳过"];
    let control = null;
    for (const c of o.el.querySelectorAll("*")) {
      const text = (c.innerText || "").trim();
      const named = [c.getAttribute("aria-label"), c.getAttribute("title"), c.className && String(c.className)].some(v => v && words.test(v));
      if ((marks.includes(text) || named) && visible(c)) {
        const b = c.getBoundingClientRect();
        if (b.width > 0 && b.height > 0) { control = { x: b.left + b.width / 2, y: b.top + b.height / 2 }; break; }
      }
    }
    return { i, text: (o.el.innerText || "").trim().slice(0, 300), rect: { x: o.r.left, y: o.r.top, width: o.r.width, height: o.r.height }, control };
  }));
})()"#;

/// Whether overlay `i` is still up: there, visible and covering ≥ 30% of the viewport.
const POPUP_UP_JS: &str = r#"(function (i) {
  const el = document.querySelector('[data-admon-popup="' + i + '"]');
  if (!el || !el.isConnected) return false;
  const s = getComputedStyle(el);
  if (s.display === "none" || s.visibility === "hidden" || parseFloat(s.opacity) <= 0.05) return false;
  const r = el.getBoundingClientRect();
  const w = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));
  const h = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
  return w * h >= 0.3 * innerWidth * innerHeight;
})"#;

/// The tallest full-page screenshot, in CSS pixels (Chromium's largest texture is 16,384).
pub const FULL_PAGE_MAX_HEIGHT: f64 = 16_000.0;
/// Most loads kept a page, and most body bytes kept a load and a page (what is past them is
/// recorded without its body).
const MAX_LOADS: usize = 300;
const MAX_LOAD_BYTES: usize = 4 << 20;
const MAX_LOADS_BYTES: usize = 32 << 20;

/// The whole page's size in CSS pixels, as JSON.
const PAGE_SIZE_JS: &str = "JSON.stringify({ width: Math.max(document.documentElement.scrollWidth, innerWidth), height: Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0, innerHeight) })";

/// Collects what Chromium loads for a page, up to the caps.
#[derive(Default)]
struct Loads {
    kept: Vec<Load>,
    bytes: usize,
}

impl Loads {
    /// Keeps one finished load; `body` reads its body from Chromium (decoded).
    fn keep(
        &mut self,
        params: &ResponseReceivedEventParams,
        body: impl FnOnce() -> Option<Vec<u8>>,
    ) {
        let r = &params.response;
        if self.kept.len() >= MAX_LOADS
            || !(r.url.starts_with("http://") || r.url.starts_with("https://"))
        {
            return;
        }
        let room = MAX_LOAD_BYTES.min(MAX_LOADS_BYTES.saturating_sub(self.bytes));
        let mut body = if room > 0 {
            body().unwrap_or_default()
        } else {
            Vec::new()
        };
        // Past the caps a load is kept cut (or bodiless), and its record says so.
        let truncated = room == 0 || body.len() > room;
        body.truncate(room);
        self.bytes += body.len();
        let headers = match &r.headers.0 {
            Some(serde_json::Value::Object(map)) => map
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect(),
            _ => Vec::new(),
        };
        let version = match r.protocol.as_deref() {
            Some("http/1.0") => "HTTP/1.0",
            Some("h2") => "HTTP/2",
            Some("h3") => "HTTP/3",
            _ => "HTTP/1.1",
        };
        self.kept.push(Load {
            url: r.url.clone(),
            status: r.status as u16,
            reason: r.status_text.clone(),
            version: version.to_owned(),
            headers,
            body,
            truncated,
            ip: r.remote_ip_address.clone().filter(|ip| !ip.is_empty()),
            received_at: time::OffsetDateTime::now_utc(),
        });
    }
}

/// A response fetched before: Chromium is given it for the page's own URL instead of asking
/// the server again, so what it renders is the body kept as evidence (a server cannot show the
/// crawler one page and the screenshot another) and the host sees one request, not two.
/// Everything the page loads besides (images, scripts, frames) comes from the network.
#[derive(Debug, Clone)]
pub struct Served {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// The body as received (decoded from any content encoding).
    pub body: Vec<u8>,
    /// The address that answered. Chromium cannot know where a response it is given came
    /// from, and takes it for a public one: a page that came from a loopback or private
    /// address is allowed to load from there again, as it would be when Chromium fetched it
    /// (Local Network Access); a public page is not.
    pub address: IpAddr,
}

/// `Browser.grantPermissions` with permission names newer than headless_chrome's protocol
/// (Chromium's Local Network Access split into `localNetwork` and `loopbackNetwork`).
#[derive(Debug, serde::Serialize)]
struct GrantPermissions {
    permissions: Vec<&'static str>,
    origin: String,
}

impl headless_chrome::protocol::cdp::types::Method for GrantPermissions {
    const NAME: &'static str = "Browser.grantPermissions";
    type ReturnObject = serde_json::Value;
}

impl Served {
    /// The Local Network Access permissions a page from this address had when fetched.
    fn address_space(&self) -> Vec<&'static str> {
        if self.address.is_loopback() {
            vec!["loopbackNetwork", "localNetwork"]
        } else if crate::is_private(self.address) {
            vec!["localNetwork"]
        } else {
            Vec::new()
        }
    }

    /// Chromium's answer for a paused request `event` for `url`: this response for the main
    /// document, nothing for any other.
    fn fulfil(&self, url: &str) -> impl Fn(RequestPausedEvent) -> Option<FulfillRequest> {
        // The body is as received but no longer encoded, and its length is its own.
        let headers: Vec<HeaderEntry> = self
            .headers
            .iter()
            .filter(|(k, _)| {
                ![
                    "content-encoding",
                    "content-length",
                    "transfer-encoding",
                    "connection",
                ]
                .iter()
                .any(|h| k.eq_ignore_ascii_case(h))
            })
            .map(|(name, value)| HeaderEntry {
                name: name.clone(),
                value: value.clone(),
            })
            .collect();
        let body = base64::engine::general_purpose::STANDARD.encode(&self.body);
        let (status, url) = (self.status as u32, without_fragment(url).to_owned());
        let given = std::sync::atomic::AtomicBool::new(false);
        move |event| {
            let p = event.params;
            let ours = p.resource_Type == ResourceType::Document
                && without_fragment(&p.request.url) == url
                && !given.swap(true, std::sync::atomic::Ordering::SeqCst);
            ours.then(|| FulfillRequest {
                request_id: p.request_id,
                response_code: status,
                response_headers: Some(headers.clone()),
                binary_response_headers: None,
                body: Some(body.clone()),
                response_phrase: None,
            })
        }
    }
}

/// Finds the page's overlays by layout and clicks each one's close control once (a person's
/// click, at its centre), keeping the viewport before and after. A step that fails leaves the
/// overlay as not closed only when it had no control; otherwise it is not reported.
fn check_popups(tab: &headless_chrome::Tab) -> Vec<PopupCheck> {
    #[derive(serde::Deserialize)]
    struct Found {
        i: usize,
        text: String,
        rect: Rect,
        control: Option<Point>,
    }
    #[derive(serde::Deserialize)]
    struct Point {
        x: f64,
        y: f64,
    }
    let found: Vec<Found> = tab
        .evaluate(POPUPS_JS, false)
        .ok()
        .and_then(|r| r.value)
        .and_then(|v| v.as_str().and_then(|s| serde_json::from_str(s).ok()))
        .unwrap_or_default();
    let viewport = || {
        tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
            .ok()
    };
    let mut checks = Vec::new();
    for popup in found.into_iter().take(MAX_POPUPS) {
        let Some(before) = viewport() else { continue };
        let at = time::OffsetDateTime::now_utc();
        let Some(control) = popup.control else {
            checks.push(PopupCheck {
                text: popup.text,
                rect: popup.rect,
                closed: false,
                before,
                at,
                after: None,
            });
            continue;
        };
        let point = headless_chrome::browser::tab::point::Point {
            x: control.x,
            y: control.y,
        };
        if tab.click_point(point).is_err() {
            continue;
        }
        std::thread::sleep(Duration::from_millis(400));
        let up = tab
            .evaluate(&format!("{POPUP_UP_JS}({})", popup.i), false)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_bool());
        let Some(up) = up else { continue };
        checks.push(PopupCheck {
            text: popup.text,
            rect: popup.rect,
            closed: !up,
            before,
            at,
            after: viewport(),
        });
    }
    checks
}

/// A PNG of the whole page, not only the viewport, to [`FULL_PAGE_MAX_HEIGHT`] tall.
fn full_page(tab: &headless_chrome::Tab) -> std::result::Result<Vec<u8>, String> {
    #[derive(serde::Deserialize)]
    struct Size {
        width: f64,
        height: f64,
    }
    let size: Option<Size> = tab
        .evaluate(PAGE_SIZE_JS, false)
        .map_err(|e| e.to_string())?
        .value
        .and_then(|v| v.as_str().and_then(|s| serde_json::from_str(s).ok()));
    let clip = size.map(|s| Viewport {
        x: 0.0,
        y: 0.0,
        width: s.width.clamp(1.0, 4096.0),
        height: s.height.clamp(1.0, FULL_PAGE_MAX_HEIGHT),
        scale: 1.0,
    });
    let data = tab
        .call_method(headless_chrome::protocol::cdp::Page::CaptureScreenshot {
            format: Some(CaptureScreenshotFormatOption::Png),
            clip,
            quality: None,
            from_surface: Some(true),
            capture_beyond_viewport: Some(true),
            optimize_for_speed: None,
        })
        .map_err(|e| e.to_string())?
        .data;
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| e.to_string())
}

fn without_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

/// Flags for headless Chromium on a closed network: no background connections (refused here,
/// many at a time), no GPU, Chinese as the page language.
pub const CHROMIUM_ARGS: &[&str] = &[
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=zh-CN",
    // Frames of other sites in the page's own process, so that their documents are in the
    // page's frame tree and an ad frame can be read as shown (no logins or secrets live in a
    // crawler's browser for site isolation to guard).
    "--disable-site-isolation-trials",
];

/// What a render error says when the page's time ran out.
const TIMED_OUT: &str = "render timed out";
const STOPPED: &str = "rendering stopped";
/// How often a long wait looks whether rendering was stopped.
const SLICE: Duration = Duration::from_millis(100);

/// Most elements cut out of one page.
const MAX_CROPS: usize = 12;

/// Finds the element `selector` names whose text holds `text` (else the first match), scrolls
/// it into view and returns its page coordinates as JSON.
const MARK_JS: &str = r#"(function (sel, text) {
  let all = [];
  try { all = [...document.querySelectorAll(sel)]; } catch (e) { return null; }
  const el = all.find(e => (e.innerText || "").includes(text)) || all[0];
  if (!el) return null;
  el.scrollIntoView({ block: "center" });
  const r = el.getBoundingClientRect();
  if (r.width < 2 || r.height < 2) return null;
  return JSON.stringify({ x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height });
})"#;

/// One Chromium process, shared by the crawl; tabs are opened per page.
pub struct Renderer {
    /// The DevTools connection, and the process group it drives (dropped in this order).
    browser: Mutex<Option<(Browser, crate::chromium::Chromium)>>,
    chromium: PathBuf,
    settle: Duration,
    /// The most one page's render may take, every step together.
    page_timeout: Duration,
    /// Set by [`Renderer::stop`]: no render starts, none is retried.
    stopped: AtomicBool,
    profile: tempdir::Profile,
}

mod tempdir {
    /// A throwaway Chromium profile directory, removed on drop.
    pub struct Profile(pub std::path::PathBuf);
    impl Drop for Profile {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Renderer {
    /// Whether a Chromium binary exists at `path`.
    pub fn available(path: &Path) -> bool {
        path.is_file()
    }

    /// Starts Chromium at `path`; `settle` is how long to wait after load for late scripts;
    /// a page's render stops after `page_timeout`, whichever step it is at.
    pub fn start(path: &Path, settle: Duration, page_timeout: Duration) -> Result<Renderer> {
        crate::chromium::reap_orphans();
        let renderer = Renderer {
            browser: Mutex::new(None),
            chromium: path.to_owned(),
            settle,
            page_timeout,
            stopped: AtomicBool::new(false),
            profile: tempdir::Profile(crate::chromium::profile_dir()),
        };
        renderer.launch()?;
        Ok(renderer)
    }

    /// Stops rendering at once (Ctrl-C): Chromium is closed, so a render in flight fails
    /// within moments (its page is kept as fetched), and no later render starts.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Dropping the connection and killing Chromium's process group: every call waiting on
        // it returns at once, whatever the page is doing.
        let browser = self.browser.lock().expect("browser slot").take();
        drop(browser);
    }

    fn launch(&self) -> Result<()> {
        let err = |e: String| Error::Render {
            url: String::new(),
            message: format!("cannot start {}: {e}", self.chromium.display()),
        };
        if self.stopped.load(Ordering::SeqCst) {
            return Err(err(STOPPED.into()));
        }
        // Any Chromium of ours still running goes first (a restart after a crash).
        drop(self.browser.lock().expect("browser slot").take());
        let args: Vec<&str> = headless_chrome::browser::DEFAULT_ARGS
            .iter()
            .chain(CHROMIUM_ARGS)
            .chain(&[
                "--headless",
                "--no-sandbox",
                "--hide-scrollbars",
                "--window-size=1366,900",
            ])
            .copied()
            .collect();
        let chromium = crate::chromium::Chromium::start(
            &self.chromium,
            &args,
            &self.profile.0,
            Duration::from_secs(30),
        )
        .map_err(|e| err(e.to_string()))?;
        // Every CDP call waits at most the page's time: a page whose script never yields
        // cannot hold a call (and the crawl) longer.
        let browser = Browser::connect_with_timeout(
            chromium.ws_url.clone(),
            self.page_timeout.max(Duration::from_secs(1)),
        )
        .map_err(|e| err(e.to_string()))?;
        let browser = (browser, chromium);
        *self.browser.lock().expect("browser slot") = Some(browser);
        Ok(())
    }

    /// Renders one page (blocking; call from `spawn_blocking`), from `served` when it was
    /// fetched before. `inspect` reads the rendered HTML, with what CSS draws before or after
    /// its elements (`(path, content)`: a label can be drawn so), and names elements to cut out
    /// of the page, as (CSS selector, text it holds); it returns what it found alongside. Restarts
    /// Chromium once if it died.
    pub fn render<T>(
        &self,
        url: &str,
        served: Option<&Served>,
        inspect: impl Fn(&str, &[(String, String)]) -> (T, Vec<(String, String)>),
    ) -> Result<(Rendered, T)> {
        if self.stopped.load(Ordering::SeqCst) {
            return Err(Error::Render {
                url: url.to_owned(),
                message: STOPPED.into(),
            });
        }
        let started = Instant::now();
        match self.try_render(url, served, &inspect) {
            Ok(r) => Ok(r),
            // A page that used up its time would use it up again: no second try; nor once
            // rendering was stopped.
            Err(first)
                if started.elapsed() >= self.page_timeout
                    || self.stopped.load(Ordering::SeqCst) =>
            {
                Err(first)
            }
            Err(first) => {
                tracing::warn!(url, error = %first, "render failed, restarting chromium");
                self.launch()?;
                self.try_render(url, served, &inspect)
            }
        }
    }

    /// Prints a self-contained HTML document (images inline, no scripts) to an A4 PDF with
    /// Chromium's printToPDF; Chinese is set in the system's Noto CJK fonts. Blocking.
    pub fn print_pdf(&self, html: &str) -> Result<Vec<u8>> {
        static PRINTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let err = |e: String| Error::Render {
            url: "report.html".into(),
            message: e,
        };
        if self.stopped.load(Ordering::SeqCst) {
            return Err(err(STOPPED.into()));
        }
        // A file, not a data: URL (those stop at 2 MB; a report carries its screenshots).
        let n = PRINTED.fetch_add(1, Ordering::Relaxed);
        let file = self.profile.0.join(format!("print-{n}.html"));
        std::fs::write(&file, html).map_err(|e| err(e.to_string()))?;
        let printed = (|| {
            let tab = self.new_tab().map_err(err)?;
            tab.set_default_timeout(self.page_timeout);
            let url = format!("file://{}", file.display());
            let pdf = tab
                .navigate_to(&url)
                .and_then(|t| t.wait_until_navigated())
                .and_then(|t| {
                    t.print_to_pdf(Some(headless_chrome::types::PrintToPdfOptions {
                        print_background: Some(true),
                        paper_width: Some(8.27),
                        paper_height: Some(11.69),
                        margin_top: Some(0.5),
                        margin_bottom: Some(0.5),
                        margin_left: Some(0.5),
                        margin_right: Some(0.5),
                        ..Default::default()
                    }))
                })
                .map_err(|e| err(e.to_string()));
            let _ = tab.close(false);
            pdf
        })();
        let _ = std::fs::remove_file(&file);
        printed
    }

    /// A new tab of the running Chromium.
    fn new_tab(&self) -> std::result::Result<Arc<headless_chrome::Tab>, String> {
        let guard = self.browser.lock().expect("browser slot");
        let (browser, _) = guard.as_ref().ok_or("chromium not running")?;
        browser.new_tab().map_err(|e| e.to_string())
    }

    fn try_render<T>(
        &self,
        url: &str,
        served: Option<&Served>,
        inspect: &impl Fn(&str, &[(String, String)]) -> (T, Vec<(String, String)>),
    ) -> Result<(Rendered, T)> {
        let err = |e: String| Error::Render {
            url: url.to_owned(),
            message: e,
        };
        let tab = self.new_tab().map_err(err)?;
        let deadline = Instant::now() + self.page_timeout;
        // Every step gets what is left of the page's time; none may start once it is spent.
        let left = || -> Result<Duration> {
            if self.stopped.load(Ordering::SeqCst) {
                return Err(err(STOPPED.into()));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(err(format!(
                    "{TIMED_OUT} after {} s",
                    self.page_timeout.as_secs_f32()
                )));
            }
            tab.set_default_timeout(left);
            Ok(left)
        };
        left()?;
        // alert(), confirm(), prompt() and beforeunload wait for a person: dismiss each at once
        // (an open dialog stalls every later step of the render).
        let dialog = tab.get_dialog();
        tab.add_event_listener(Arc::new(move |event: &Event| {
            if let Event::PageJavascriptDialogOpening(opening) = event {
                tracing::debug!(message = %opening.params.message, "dismissing a page's dialog");
                let _ = dialog.dismiss();
            }
        }))
        .map_err(|e| err(e.to_string()))?;
        // Everything the page loads is kept for the WARC file, but the page itself (given
        // to Chromium from the fetch, and recorded as received).
        let loads = Arc::new(Mutex::new(Loads::default()));
        {
            let (loads, page) = (loads.clone(), without_fragment(url).to_owned());
            tab.register_response_handling(
                "admon-loads",
                Box::new(move |params, body| {
                    if params.Type == ResourceType::Document
                        && without_fragment(&params.response.url) == page
                    {
                        return;
                    }
                    loads.lock().expect("loads").keep(&params, || {
                        let got = body().ok()?;
                        match got.base_64_encoded {
                            true => base64::engine::general_purpose::STANDARD
                                .decode(got.body)
                                .ok(),
                            false => Some(got.body.into_bytes()),
                        }
                    });
                }),
            )
            .map_err(|e| err(e.to_string()))?;
        }
        let result = (|| {
            if let Some(served) = served {
                let space = served.address_space();
                if !space.is_empty() {
                    let origin = url::Url::parse(url)
                        .map_err(|e| err(e.to_string()))?
                        .origin()
                        .ascii_serialization();
                    tab.call_method(GrantPermissions {
                        permissions: space,
                        origin,
                    })
                    .map_err(|e| err(e.to_string()))?;
                }
                let fulfil = served.fulfil(url);
                let documents = RequestPattern {
                    url_pattern: None,
                    resource_Type: Some(ResourceType::Document),
                    request_stage: Some(RequestStage::Request),
                };
                tab.enable_fetch(Some(&[documents]), None)
                    .map_err(|e| err(e.to_string()))?;
                tab.enable_request_interception(Arc::new(move |_, _, event| match fulfil(event) {
                    Some(response) => RequestPausedDecision::Fulfill(response),
                    None => RequestPausedDecision::Continue(None),
                }))
                .map_err(|e| err(e.to_string()))?;
            }
            left()?;
            tab.navigate_to(url).map_err(|e| err(e.to_string()))?;
            // Waited a slice at a time, so that a stop is seen at once (headless_chrome's
            // wait watches a flag that a closed connection never clears).
            loop {
                let slice = left()?.min(SLICE);
                tab.set_default_timeout(slice);
                if tab.wait_until_navigated().is_ok() {
                    break;
                }
            }
            let settled = Instant::now() + self.settle.min(left()?);
            while Instant::now() < settled {
                left()?;
                std::thread::sleep(SLICE.min(settled.saturating_duration_since(Instant::now())));
            }
            left()?;
            let html = tab
                .evaluate("document.documentElement.outerHTML", false)
                .map_err(|e| err(e.to_string()))?
                .value
                .and_then(|v| v.as_str().map(str::to_owned))
                .ok_or_else(|| err("no DOM".into()))?;
            left()?;
            let screenshot = full_page(&tab).map_err(err)?;
            left()?;
            let drawn = read_drawn(&tab);
            let (found, targets) = inspect(&html, &drawn);
            let crops = targets
                .iter()
                .enumerate()
                .map(|(i, (selector, text))| {
                    // Crops are extras: past the page's time, the render keeps what it has.
                    if i >= MAX_CROPS || left().is_err() {
                        return None;
                    }
                    // A crop that fails (element gone, zero size) is only a missing crop.
                    let js = format!(
                        "{MARK_JS}({}, {})",
                        serde_json::to_string(selector).ok()?,
                        serde_json::to_string(text).ok()?
                    );
                    let rect: Rect = tab
                        .evaluate(&js, false)
                        .ok()?
                        .value
                        .and_then(|v| v.as_str().and_then(|s| serde_json::from_str(s).ok()))?;
                    // The rectangle in page coordinates, cut in one call (finding the
                    // element again and scrolling it took a second a crop).
                    let clip = Viewport {
                        x: rect.x,
                        y: rect.y,
                        width: rect.width,
                        height: rect.height,
                        scale: 1.0,
                    };
                    let png = tab
                        .capture_screenshot(
                            CaptureScreenshotFormatOption::Png,
                            None,
                            Some(clip),
                            true,
                        )
                        .ok()?;
                    Some((rect, png))
                })
                .collect();
            let frames = if left().is_ok() {
                read_frames(&tab)
            } else {
                Vec::new()
            };
            // Last, as a click changes the page: the HTML and screenshots are of it as loaded.
            let popups = if left().is_ok() {
                check_popups(&tab)
            } else {
                Vec::new()
            };
            Ok((
                Rendered {
                    html,
                    screenshot,
                    crops,
                    loads: Vec::new(),
                    popups,
                    frames,
                },
                found,
            ))
        })();
        let _ = tab.deregister_response_handling("admon-loads");
        let _ = tab.close(false);
        result.map(|(mut rendered, found)| {
            rendered.loads = std::mem::take(&mut loads.lock().expect("loads").kept);
            (rendered, found)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(address: &str) -> Served {
        Served {
            status: 200,
            headers: Vec::new(),
            body: Vec::new(),
            address: address.parse().unwrap(),
        }
    }

    #[test]
    fn a_page_given_to_chromium_keeps_the_network_access_of_where_it_came_from() {
        assert_eq!(
            from("127.0.0.1").address_space(),
            ["loopbackNetwork", "localNetwork"]
        );
        assert_eq!(
            from("::1").address_space(),
            ["loopbackNetwork", "localNetwork"]
        );
        assert_eq!(from("10.1.2.3").address_space(), ["localNetwork"]);
        assert_eq!(from("192.168.0.9").address_space(), ["localNetwork"]);
        // A public page may not reach into the crawler's network.
        assert!(from("203.0.113.7").address_space().is_empty());
        assert!(from("2606:4700::1111").address_space().is_empty());
    }

    #[test]
    fn only_the_page_itself_is_given() {
        let served = Served {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "text/html; charset=GBK".into()),
                ("Content-Encoding".into(), "gzip".into()),
                ("Content-Length".into(), "9".into()),
            ],
            body: b"<p>x</p>".to_vec(),
            address: "127.0.0.1".parse().unwrap(),
        };
        let fulfil = served.fulfil("http://a.test/p#top");
        let paused = |url: &str, kind: &str| -> RequestPausedEvent {
            serde_json::from_value(serde_json::json!({
                "method": "Fetch.requestPaused",
                "params": {
                    "requestId": "1",
                    "request": {"url": url, "method": "GET", "headers": {}, "initialPriority": "VeryHigh", "referrerPolicy": "no-referrer"},
                    "frameId": "f",
                    "resourceType": kind,
                }
            }))
            .unwrap()
        };
        assert!(fulfil(paused("http://a.test/other", "Document")).is_none());
        assert!(fulfil(paused("http://a.test/p", "Script")).is_none());
        let given = fulfil(paused("http://a.test/p", "Document")).expect("the page");
        let headers: Vec<&str> = given
            .response_headers
            .iter()
            .flatten()
            .map(|h| h.name.as_str())
            .collect();
        assert_eq!(
            headers,
            ["Content-Type"],
            "the body is decoded and its own length"
        );
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(given.body.unwrap())
                .unwrap(),
            b"<p>x</p>"
        );
        // Given once: a page that reloads itself is fetched by Chromium.
        assert!(fulfil(paused("http://a.test/p", "Document")).is_none());
    }
}
