//! `admon inspect`, a contract: one JSON record a page, every ad and listing with a path that an
//! independent HTML5 parser (html5lib, from PyPI) resolves to the same element.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

const ADMON: &str = env!("CARGO_BIN_EXE_admon");

/// A page with each form the detectors know, some awkward markup (`o:p`, a template, a
/// noscript, GBK-free UTF-8), a sponsored microdata listing and hard negatives.
const PAGE: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>测试</title>
<noscript><div class="ad-banner"><a href="/n">不该报告</a></div></noscript></head>
<body><div class="nav"><a href="/">首页</a> <a href="/ads">广告服务</a></div>
<p>正文<o:p></o:p></p>
<div class="ad-banner"><a href="http://shop.example/x">国家级 全网最低价</a></div>
<ins class="adsbygoogle" data-ad-client="ca-pub-1" data-ad-slot="2"></ins>
<div class="box"><span>广告</span><a href="http://clinic.example/"><img src="/a.png"></a>
  <p>祖传秘方，根治糖尿病</p></div>
<template><div class="ad-banner"><a href="/t">模板里的</a></div></template>
<div class="p4p"><span>推广</span>
  <div itemscope itemtype="https://schema.org/Product"><a href="http://m.example/1"><span itemprop="name">LV 老花包 原单 1:1</span></a>
  <span itemprop="price">380</span><span itemprop="brand">LV</span></div></div>
<script type="application/ld+json">{"@type":"Product","name":"台灯","offers":{"price":"99","priceCurrency":"CNY"}}</script>
</body></html>"#;

/// A Python with html5lib, in a venv under target/ (made once).
fn python() -> PathBuf {
    static CELL: OnceLock<PathBuf> = OnceLock::new();
    CELL.get_or_init(|| {
        let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-venv");
        let python = venv.join("bin/python");
        let ready = Command::new(&python)
            .args(["-c", "import html5lib"])
            .status()
            .is_ok_and(|s| s.success());
        if !ready {
            let made = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .unwrap();
            assert!(made.success(), "python3 -m venv");
            let pip = Command::new(&python)
                .args(["-m", "pip", "install", "-q", "html5lib==1.1"])
                .status()
                .unwrap();
            assert!(pip.success(), "pip install html5lib");
        }
        python
    })
    .clone()
}

/// Resolves each `name:nth-of-type(k)` path in `html` with html5lib (scripting on) and returns
/// each element's tag and text.
const RESOLVE: &str = r#"
import json, sys, re, html5lib
html, paths = json.load(sys.stdin)
doc = html5lib.HTMLParser(namespaceHTMLElements=False).parse(html, scripting=True)
step = re.compile(r'^(.+):nth-of-type\((\d+)\)$')
def unescape(name):
    return re.sub(r'\\([0-9a-fA-F]{1,6}) ?|\\(.)', lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), name)
out = []
for path in paths:
    node, steps = None, path.split(' > ')
    for i, s in enumerate(steps):
        name, k = step.match(s).groups()
        name, k = unescape(name), int(k)
        if i == 0:
            node = doc if doc.tag == name and k == 1 else None
        else:
            same = [c for c in node if isinstance(c.tag, str) and c.tag == name]
            node = same[k - 1] if len(same) >= k else None
        if node is None:
            break
    out.append(None if node is None else [node.tag, ''.join(node.itertext()).split()])
print(json.dumps(out, ensure_ascii=False))
"#;

#[tokio::test(flavor = "multi_thread")]
async fn inspect_prints_one_record_a_page_with_paths_html5lib_resolves() {
    let base = crate::pages::serve_fixed(&[("/", PAGE)]).await;
    let dir = tempfile::tempdir().unwrap();
    crate::pages::with_trained_model(&dir.path().join("data"));
    let run = tokio::process::Command::new(ADMON)
        .arg("--data")
        .arg(dir.path().join("data"))
        .args(["inspect", "--render", "never"])
        .arg(format!("{base}/"))
        .arg(format!("{base}/missing"))
        .env("ADMON_CRAWLER_PER_HOST_DELAY_MS", "0")
        .env("ADMON_FILTERS_FILES", "[]")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8(run.stdout).unwrap();
    let records: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{stdout}");
    // One page failed: its record says why, and the exit code says not every page was inspected.
    assert!(!run.status.success());
    assert_eq!(records[1]["url"], format!("{base}/missing"));
    assert!(
        records[1]["error"].as_str().unwrap().contains("404"),
        "{}",
        records[1]
    );

    let page = &records[0];
    assert_eq!(page["url"], format!("{base}/"));
    assert_eq!(page["final_url"], format!("{base}/"));
    assert_eq!(page["status"], 200);
    assert_eq!(page["rendered"], false);
    let ads = page["ads"].as_array().unwrap();
    let by_text = |t: &str| {
        ads.iter()
            .find(|a| a["text"].as_str().unwrap().contains(t))
            .unwrap_or_else(|| panic!("no ad with {t}: {ads:?}"))
    };
    let banner = by_text("全网最低价");
    assert_eq!(banner["verdict"]["flagged"], true);
    assert_eq!(banner["verdict"]["category"], "absolute_terms");
    assert!(
        banner["rule"].as_str().unwrap().starts_with("admon-zh: ##"),
        "{banner}"
    );
    assert_eq!(banner["href"], "http://shop.example/x");
    assert!(banner["rect"].is_null() && banner["frame"].is_null());
    let labelled = by_text("根治糖尿病");
    assert_eq!(labelled["labelled"], true);
    assert_eq!(labelled["rule"], "label:广告");
    assert_eq!(labelled["verdict"]["category"], "medical_claim");
    let slot = ads
        .iter()
        .find(|a| a["form"] == "slot")
        .expect("the empty slot");
    assert_eq!(
        slot["rule"], "admon-zh: ##.adsbygoogle",
        "the bundled list hides it first"
    );
    assert_eq!(
        slot["verdict"]["flagged"], false,
        "an empty slot is never unlabelled_ad"
    );
    assert!(ads
        .iter()
        .all(|a| !a["text"].as_str().unwrap().contains("模板")));
    assert!(ads
        .iter()
        .all(|a| !a["text"].as_str().unwrap().contains("不该报告")));
    assert!(ads
        .iter()
        .all(|a| !a["text"].as_str().unwrap().contains("广告服务")));

    let listings = page["listings"].as_array().unwrap();
    let lamp = listings.iter().find(|l| l["title"] == "台灯").unwrap();
    assert!(lamp["path"].is_null(), "JSON-LD has no element");
    assert_eq!(lamp["price"], 99.0);
    assert_eq!(lamp["currency"], "CNY");
    let bag = listings.iter().find(|l| l["brand"] == "LV").unwrap();
    assert_eq!(bag["sponsored"], true, "inside the 推广 block");
    assert_eq!(bag["verdict"]["category"], "counterfeit");
    assert!(
        ads.iter().any(|a| a["rule"] == "label:推广"),
        "a sponsored listing is in both lists: {ads:?}"
    );

    // Every path resolves, with html5lib, to the element reported.
    let mut paths: Vec<String> = ads
        .iter()
        .map(|a| a["path"].as_str().unwrap().to_owned())
        .collect();
    paths.push(bag["path"].as_str().unwrap().to_owned());
    let mut child = std::process::Command::new(python())
        .args(["-c", RESOLVE])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    serde_json::to_writer(child.stdin.take().unwrap(), &(PAGE, &paths)).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let resolved: Vec<Option<(String, Vec<String>)>> = serde_json::from_slice(&out.stdout).unwrap();
    let texts = ads
        .iter()
        .map(|a| Some(a["text"].as_str().unwrap()))
        .chain([None]);
    for ((path, found), text) in paths.iter().zip(&resolved).zip(texts) {
        let (tag, words) = found
            .as_ref()
            .unwrap_or_else(|| panic!("{path} does not resolve"));
        let last = path.rsplit(" > ").next().unwrap().replace('\\', "");
        assert!(last.starts_with(&format!("{tag}:")), "{path} is a {tag}");
        let words = words.join(" ");
        for w in text.unwrap_or("").split_whitespace() {
            assert!(words.contains(w), "{path}: {w} not in {words}");
        }
    }
}

#[test]
fn a_name_that_is_not_a_css_identifier_is_escaped_in_paths() {
    // `o:p` (Word's markup) must be written `o\:p` for querySelector.
    let html = "<html><body><p><o:p><ins class=\"adsbygoogle\"></ins></o:p></p></body></html>";
    let extractor = admon_crawler::Extractor::new(
        Vec::new(),
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds/sites"),
    )
    .unwrap();
    let url = url::Url::parse("http://127.0.0.1/").unwrap();
    let found = extractor.extract(&url, html, None);
    assert_eq!(
        found.ads[0].path,
        "html:nth-of-type(1) > body:nth-of-type(1) > p:nth-of-type(1) > o\\:p:nth-of-type(1) > ins:nth-of-type(1)"
    );
}

// #14 (5): the demo portal shows each form of ad, and `admon inspect --render always` reports
// each as `seeds/demo/expected.toml` says (with Debian's EasyList, as a crawl runs it).
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_portal_shows_every_form_of_ad_that_expected_toml_lists() {
    #[derive(serde::Deserialize)]
    struct Expected {
        forms: Vec<Form>,
    }
    #[derive(serde::Deserialize)]
    struct Form {
        #[serde(default)]
        site: Option<String>,
        page: String,
        text: String,
        form: String,
        closable: Option<bool>,
    }
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let expected: Expected =
        toml::from_str(&std::fs::read_to_string(seeds.join("demo/expected.toml")).unwrap())
            .unwrap();
    let sites = admon::demo::start(&seeds).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate::pages::with_trained_model(&dir.path().join("data"));
    let url_of = |form: &Form| {
        let site = match form.site.as_deref() {
            Some("market") => &sites.market,
            _ => &sites.news,
        };
        site.join(&form.page).unwrap().to_string()
    };
    let mut pages: Vec<String> = expected.forms.iter().map(url_of).collect();
    pages.dedup();
    let run = tokio::process::Command::new(ADMON)
        .arg("--data")
        .arg(dir.path().join("data"))
        .args(["inspect", "--render", "always"])
        .args(&pages)
        .env("ADMON_CRAWLER_PER_HOST_DELAY_MS", "0")
        .output()
        .await
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    let records: Vec<serde_json::Value> = String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for want in &expected.forms {
        let url = url_of(want);
        let record = records.iter().find(|r| r["url"] == url).expect("a record");
        let ads = record["ads"].as_array().unwrap();
        if want.form == "sponsored_listing" {
            // In both lists: a sponsored listing, inside an ad the site file names.
            let listings = record["listings"].as_array().unwrap();
            let listing = listings
                .iter()
                .find(|l| l["title"].as_str().unwrap_or("").contains(&want.text))
                .unwrap_or_else(|| panic!("no listing {:?} in {listings:#?}", want.text));
            assert_eq!(listing["sponsored"], true, "{listing:#}");
            let ad = ads
                .iter()
                .find(|a| a["text"].as_str().unwrap_or("").contains(&want.text))
                .unwrap_or_else(|| panic!("no ad with {:?} in {ads:#?}", want.text));
            assert!(ad["rule"].as_str().unwrap().starts_with("site:"), "{ad:#}");
            assert_eq!(listing["verdict"]["flagged"], true, "{listing:#}");
            continue;
        }
        let found = ads
            .iter()
            .find(|a| a["text"].as_str().unwrap_or("").contains(&want.text))
            .unwrap_or_else(|| panic!("{}: no ad with {:?} in {ads:#?}", want.page, want.text));
        assert_eq!(found["form"], want.form.as_str(), "{found:#}");
        if let Some(closable) = want.closable {
            assert_eq!(found["closable"], closable, "{found:#}");
        }
    }
}
