//! JavaScript rendering in headless Chromium (Debian's `/usr/bin/chromium`), the only module
//! that touches headless_chrome. A page is loaded, given a moment for late scripts (ads
//! injected after load), then its DOM and a full-page PNG screenshot are taken.

use crate::{Error, Result};
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
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
}

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
        let args: Vec<&OsStr> = [
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--lang=zh-CN",
        ]
        .iter()
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

    /// Renders one page (blocking; call from `spawn_blocking`). Restarts Chromium once if it
    /// died.
    pub fn render(&self, url: &str) -> Result<Rendered> {
        match self.try_render(url) {
            Ok(r) => Ok(r),
            Err(first) => {
                tracing::warn!(url, error = %first, "render failed, restarting chromium");
                self.launch()?;
                self.try_render(url)
            }
        }
    }

    fn try_render(&self, url: &str) -> Result<Rendered> {
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
            Ok(Rendered { html, screenshot })
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
