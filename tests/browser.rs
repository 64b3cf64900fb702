//! The dashboard in a real browser: headless Chromium (started here, as the crawler starts it)
//! logs in, triages a case with the keyboard, proves the hostile demo ad inert, exports an
//! evidence pack and switches language. Screenshots go to `<target tmp>/e2e-browser/`.

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn launch(profile: &Path) -> Browser {
    let args: Vec<&OsStr> = admon_crawler::CHROMIUM_ARGS
        .iter()
        .map(OsStr::new)
        .collect();
    Browser::new(
        LaunchOptions::default_builder()
            .path(Some(PathBuf::from("/usr/bin/chromium")))
            .headless(true)
            .sandbox(false)
            .window_size(Some((1366, 768)))
            .user_data_dir(Some(profile.to_owned()))
            .args(args)
            .build()
            .unwrap(),
    )
    .expect("chromium starts")
}

fn eval(tab: &Tab, js: &str) -> serde_json::Value {
    tab.evaluate(js, true)
        .unwrap_or_else(|e| panic!("{js}: {e}"))
        .value
        .unwrap_or(serde_json::Value::Null)
}

fn goto(tab: &Tab, url: &str) {
    tab.navigate_to(url)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
}

fn shoot(tab: &Tab, dir: &Path, name: &str) {
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name} is not a PNG");
    std::fs::write(dir.join(name), png).unwrap();
}

/// Waits until `js` evaluates to true on whatever page the tab shows.
fn wait_for(tab: &Tab, js: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if tab.evaluate(js, false).ok().and_then(|r| r.value) == Some(true.into()) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Drives the dashboard at `base` (logged out, demo data) and returns where the screenshots are.
pub fn drive_dashboard(base: &str) -> PathBuf {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-browser");
    std::fs::create_dir_all(&shots).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let browser = launch(profile.path());
    let tab: Arc<Tab> = browser.new_tab().unwrap();

    // Log in, Chinese first.
    goto(&tab, &format!("{base}/login"));
    assert_eq!(eval(&tab, "document.documentElement.lang"), "zh");
    shoot(&tab, &shots, "1-login.png");
    tab.find_element("input[name=username]")
        .unwrap()
        .click()
        .unwrap();
    tab.type_str("demo").unwrap();
    tab.find_element("input[name=password]")
        .unwrap()
        .click()
        .unwrap();
    tab.type_str("admon-triage-2026").unwrap();
    tab.press_key("Enter").unwrap();
    wait_for(
        &tab,
        "location.pathname === '/queue'",
        "the queue after login",
    );

    // Keyboard triage: j moves to the second new case, c confirms it.
    goto(&tab, &format!("{base}/queue?state=new"));
    wait_for(
        &tab,
        "!!document.querySelector('tr.sel')",
        "a highlighted row",
    );
    tab.press_key("j").unwrap();
    let id = eval(&tab, "document.querySelector('tr.sel').dataset.id");
    let id = id.as_str().expect("row id").to_owned();
    shoot(&tab, &shots, "2-queue-zh.png");
    tab.press_key("c").unwrap();
    wait_for(
        &tab,
        &format!(
            "location.pathname === '/queue' && !document.querySelector('tr[data-id=\"{id}\"]')"
        ),
        "the confirmed case to leave the new queue",
    );
    goto(&tab, &format!("{base}/cases/{id}"));
    assert!(
        eval(&tab, "document.querySelector('h1').textContent")
            .as_str()
            .unwrap()
            .contains("confirmed"),
        "case {id} not confirmed by the keyboard"
    );

    // The hostile demo ad: everything it carries is shown as text, nothing runs.
    goto(&tab, &format!("{base}/queue?q=%E5%87%80%E6%B0%B4%E5%99%A8")); // 净水器
    let hostile = eval(&tab, "document.querySelector('tr[data-id]').dataset.id");
    goto(&tab, &format!("{base}/cases/{}", hostile.as_str().unwrap()));
    shoot(&tab, &shots, "3-hostile-case.png");
    // The ad cut from the rendered page is shown (and loaded: it has a width).
    wait_for(
        &tab,
        "!!document.querySelector('img.crop') && document.querySelector('img.crop').naturalWidth > 0",
        "the ad crop",
    );
    let checks = eval(
        &tab,
        r#"JSON.stringify({
            ran: window.__admonXss === undefined ? null : window.__admonXss,
            handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
            jsLinks: [...document.querySelectorAll('a[href]')].filter(a => a.getAttribute('href').trim().toLowerCase().startsWith('javascript')).length,
            scripts: [...document.scripts].map(s => s.getAttribute('src')),
            shownAsText: document.body.innerText.includes('<script>window.__admonXss=2</script>'),
            override: document.body.innerText.includes('\u202e'),
            overrideShown: document.body.innerText.includes('[U+202E]gpj.exe'),
        })"#,
    );
    let checks: serde_json::Value = serde_json::from_str(checks.as_str().unwrap()).unwrap();
    assert_eq!(checks["ran"], serde_json::Value::Null, "{checks}");
    assert_eq!(checks["handlers"], 0, "{checks}");
    assert_eq!(checks["jsLinks"], 0, "{checks}");
    assert_eq!(
        checks["scripts"],
        serde_json::json!(["/static/app.js"]),
        "{checks}"
    );
    assert_eq!(checks["shownAsText"], true, "{checks}");
    assert_eq!(checks["override"], false, "{checks}");
    assert_eq!(checks["overrideShown"], true, "{checks}");

    // An evidence pack from the queue's export form, downloaded as an officer would (dismissed
    // cases: the confirmed ones stay for the command-line export the end-to-end test does next).
    let downloads = tempfile::tempdir().unwrap();
    tab.call_method(
        headless_chrome::protocol::cdp::Browser::SetDownloadBehavior {
            behavior:
                headless_chrome::protocol::cdp::Browser::SetDownloadBehaviorBehaviorOption::Allow,
            browser_context_id: None,
            download_path: Some(downloads.path().to_string_lossy().into_owned()),
            events_enabled: None,
        },
    )
    .unwrap();
    goto(&tab, &format!("{base}/queue"));
    eval(
        &tab,
        r#"(() => {
            const form = document.querySelector('form[action="/export"]');
            form.querySelector('select[name=format]').value = 'pack';
            form.querySelector('input[name=state]').value = 'dismissed';
            form.querySelector('button').click();
            return true;
        })()"#,
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let pack = loop {
        let done = std::fs::read_dir(downloads.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "zip"));
        if let Some(p) = done {
            break std::fs::read(p).unwrap();
        }
        assert!(Instant::now() < deadline, "no evidence pack downloaded");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(pack.starts_with(b"PK") && pack.len() > 1000, "not a zip");
    std::fs::write(shots.join("evidence-pack.zip"), &pack).unwrap();

    // The language switch.
    tab.find_element("a.lang").unwrap().click().unwrap();
    wait_for(
        &tab,
        "document.documentElement.lang === 'en'",
        "the English UI",
    );
    assert!(eval(&tab, "document.querySelector('nav').innerText")
        .as_str()
        .unwrap()
        .contains("Queue"));
    shoot(&tab, &shots, "4-queue-en.png");
    shots
}
