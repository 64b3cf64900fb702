//! JavaScript rendering in headless Chromium (Debian's `/usr/bin/chromium`), the only module
//! that touches headless_chrome. A page is loaded, given a moment for late scripts (ads
//! injected after load), then its DOM and a full-page PNG screenshot are taken.

use crate::{Error, Result};
use admon_domain::Rect;
use headless_chrome::protocol::cdp::Page::{CaptureScreenshotFormatOption, Viewport};
use headless_chrome::{Browser, LaunchOptions};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The rendered DOM and a screenshot.
#[derive(Debug)]
pub struct Rendered {
    /// `document.documentElement.outerHTML` after scripts ran.
    pub html: String,
    /// PNG screenshot of the viewport.
    pub screenshot: Vec<u8>,
    /// For each element asked for: where it is on the page and a PNG of just it.
    pub crops: Vec<Option<(Rect, Vec<u8>)>>,
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
];

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
    browser: Mutex<Option<Browser>>,
    chromium: PathBuf,
    settle: Duration,
    _profile: tempdir::Profile,
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

    /// Starts Chromium at `path`; `settle` is how long to wait after load for late scripts.
    pub fn start(path: &Path, settle: Duration) -> Result<Renderer> {
        let profile = std::env::temp_dir().join(format!(
            "admon-chromium-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        let renderer = Renderer {
            browser: Mutex::new(None),
            chromium: path.to_owned(),
            settle,
            _profile: tempdir::Profile(profile),
        };
        renderer.launch()?;
        Ok(renderer)
    }

    fn launch(&self) -> Result<()> {
        let err = |e: String| Error::Render {
            url: String::new(),
            message: format!("cannot start {}: {e}", self.chromium.display()),
        };
        let args: Vec<&OsStr> = CHROMIUM_ARGS
            .iter()
            .chain(&["--hide-scrollbars"])
            .map(OsStr::new)
            .collect();
        let options = LaunchOptions::default_builder()
            .path(Some(self.chromium.clone()))
            .headless(true)
            .sandbox(false)
            .window_size(Some((1366, 900)))
            .user_data_dir(Some(self._profile.0.clone()))
            .idle_browser_timeout(Duration::from_secs(300))
            .args(args)
            .build()
            .map_err(|e| err(e.to_string()))?;
        let browser = Browser::new(options).map_err(|e| err(e.to_string()))?;
        *self.browser.lock().expect("browser slot") = Some(browser);
        Ok(())
    }

    /// Renders one page (blocking; call from `spawn_blocking`). `inspect` reads the rendered
    /// HTML and names elements to cut out of the page, as (CSS selector, text it holds); it
    /// returns what it found alongside. Restarts Chromium once if it died.
    pub fn render<T>(
        &self,
        url: &str,
        inspect: impl Fn(&str) -> (T, Vec<(String, String)>),
    ) -> Result<(Rendered, T)> {
        match self.try_render(url, &inspect) {
            Ok(r) => Ok(r),
            Err(first) => {
                tracing::warn!(url, error = %first, "render failed, restarting chromium");
                self.launch()?;
                self.try_render(url, &inspect)
            }
        }
    }

    fn try_render<T>(
        &self,
        url: &str,
        inspect: &impl Fn(&str) -> (T, Vec<(String, String)>),
    ) -> Result<(Rendered, T)> {
        let err = |e: String| Error::Render {
            url: url.to_owned(),
            message: e,
        };
        let tab = {
            let guard = self.browser.lock().expect("browser slot");
            let browser = guard
                .as_ref()
                .ok_or_else(|| err("chromium not running".into()))?;
            browser.new_tab().map_err(|e| err(e.to_string()))?
        };
        tab.set_default_timeout(Duration::from_secs(20));
        let result = (|| {
            tab.navigate_to(url).map_err(|e| err(e.to_string()))?;
            tab.wait_until_navigated().map_err(|e| err(e.to_string()))?;
            std::thread::sleep(self.settle);
            let html = tab
                .evaluate("document.documentElement.outerHTML", false)
                .map_err(|e| err(e.to_string()))?
                .value
                .and_then(|v| v.as_str().map(str::to_owned))
                .ok_or_else(|| err("no DOM".into()))?;
            let screenshot = tab
                .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
                .map_err(|e| err(e.to_string()))?;
            let (found, targets) = inspect(&html);
            let crops = targets
                .iter()
                .enumerate()
                .map(|(i, (selector, text))| {
                    if i >= MAX_CROPS {
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
            Ok((
                Rendered {
                    html,
                    screenshot,
                    crops,
                },
                found,
            ))
        })();
        let _ = tab.close(false);
        result
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id() as u64);
    h.finish()
}
