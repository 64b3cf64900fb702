//! HTML to ads, listings and links.
//!
//! Ads: EasyList-syntax filter lists run by Brave's `adblock` engine. Element-hiding rules find
//! ad elements; network rules find ad iframes and images by URL. Next to each element we look
//! for the 广告/推广 label, and for pop-ups, a one-click close control. Listings: schema.org
//! Product in JSON-LD and microdata, OpenGraph product tags, then per-site selector files.

use crate::{Error, Result};
use adblock::lists::{FilterSet, ParseOptions};
use adblock::request::Request;
use adblock::Engine;
use admon_domain::{AdForm, AdSample, Listing, ListingSource};
use scraper::{ElementRef, Html, Selector};
use serde::Deserialize;
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::{Arc, LazyLock, RwLock};
use url::Url;

/// Ads, listings and links found in one page.
#[derive(Debug, Default)]
pub struct Extracted {
    /// Ads found.
    pub ads: Vec<AdSample>,
    /// Listings found.
    pub listings: Vec<Listing>,
    /// Absolute http(s) links, in document order.
    pub links: Vec<Url>,
}

/// Selectors for one site without product markup (`seeds/sites/*.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSelectors {
    /// A substring of the page URL that selects this file (e.g. a path prefix or host).
    pub url_contains: String,
    /// The product title.
    pub title: String,
    /// The price text.
    pub price: String,
    /// Brand.
    #[serde(default)]
    pub brand: Option<String>,
    /// Seller or shop.
    #[serde(default)]
    pub seller: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Product images.
    #[serde(default)]
    pub image: Option<String>,
}

/// Finds ads and listings; built once per crawl.
pub struct Extractor {
    engine: Engine,
    sites: Vec<SiteSelectors>,
}

const LABELS: [&str; 4] = ["广告", "推广", "廣告", "赞助"];
const POPUP_MARKERS: [&str; 5] = ["popup", "modal", "overlay", "tanchuang", "interstitial"];

/// Selectors parsed once, by their text. Every selector comes from this file, the filter lists
/// or the site files, never from a page, so the set stays small.
static PARSED: LazyLock<RwLock<HashMap<String, Option<Arc<Selector>>>>> =
    LazyLock::new(Default::default);

/// The selector `text` parses to (`None`: not a selector scraper understands).
fn parsed(text: &str) -> Option<Arc<Selector>> {
    if let Some(known) = PARSED.read().unwrap_or_else(|e| e.into_inner()).get(text) {
        return known.clone();
    }
    let selector = Selector::parse(text).ok().map(Arc::new);
    PARSED
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(text.to_owned(), selector.clone());
    selector
}

/// A selector written in this file.
fn s(selector: &str) -> Arc<Selector> {
    parsed(selector).expect("static selector parses")
}

/// The element's text, its words separated by single spaces.
fn text_of(el: ElementRef<'_>) -> String {
    words_of(el, usize::MAX).unwrap_or_default()
}

/// [`text_of`], or `None` as soon as it runs past `limit` characters.
fn words_of(el: ElementRef<'_>, limit: usize) -> Option<String> {
    let (mut text, mut chars) = (String::new(), 0);
    for word in el.text().flat_map(str::split_whitespace) {
        if !text.is_empty() {
            text.push(' ');
            chars += 1;
        }
        text.push_str(word);
        chars += word.chars().count();
        if chars > limit {
            return None;
        }
    }
    Some(text)
}

/// Whether `name` is a plain CSS class or id name (letters, digits, `-`, `_`; no escapes), so
/// `.name` or `#name` is that one class or id.
fn is_css_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// Longest text read as an ad label.
const LABEL_CHARS: usize = 6;

fn is_label(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.chars().count() <= LABEL_CHARS && LABELS.iter().any(|l| t.contains(l))
}

/// Whether an element's text is an ad label; stops reading a long text early (the element
/// next to an ad can be the whole article).
fn is_label_element(el: ElementRef<'_>) -> bool {
    words_of(el, LABEL_CHARS).is_some_and(|text| is_label(&text))
}

fn absolute(base: &Url, href: &str) -> Option<Url> {
    let url = base.join(href.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

fn attr_words(el: ElementRef<'_>) -> String {
    let v = el.value();
    format!(
        "{} {}",
        v.id().unwrap_or(""),
        v.classes().collect::<Vec<_>>().join(" ")
    )
    .to_lowercase()
}

/// A short CSS path to an element: up to three `tag#id.class` steps.
fn selector_of(el: ElementRef<'_>) -> String {
    let mut steps = Vec::new();
    let mut node = Some(el);
    while let Some(e) = node {
        let v = e.value();
        let mut step = v.name().to_owned();
        if let Some(id) = v.id() {
            step.push('#');
            step.push_str(id);
            steps.push(step);
            break;
        }
        for class in v.classes().take(2) {
            step.push('.');
            step.push_str(class);
        }
        steps.push(step);
        if steps.len() == 3 {
            break;
        }
        node = e.parent().and_then(ElementRef::wrap);
    }
    steps.reverse();
    steps.join(" > ")
}

impl Extractor {
    /// Loads every `*.txt` filter list in `filters_dir` and every `*.toml` in `sites_dir`.
    pub fn load(filters_dir: &Path, sites_dir: &Path) -> Result<Extractor> {
        let mut set = FilterSet::new(true);
        for path in sorted_files(filters_dir, "txt")? {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::BadSeed {
                path: path.clone(),
                message: e.to_string(),
            })?;
            set.add_filter_list(text, ParseOptions::default());
        }
        let mut sites = Vec::new();
        for path in sorted_files(sites_dir, "toml")? {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::BadSeed {
                path: path.clone(),
                message: e.to_string(),
            })?;
            let site: SiteSelectors = toml::from_str(&text).map_err(|e| Error::BadSeed {
                path: path.clone(),
                message: e.to_string(),
            })?;
            for sel in [
                Some(&site.title),
                Some(&site.price),
                site.brand.as_ref(),
                site.seller.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                Selector::parse(sel).map_err(|e| Error::BadSeed {
                    path: path.clone(),
                    message: format!("selector `{sel}`: {e}"),
                })?;
            }
            sites.push(site);
        }
        Ok(Extractor {
            engine: Engine::new_with_filter_set(set),
            sites,
        })
    }

    /// Everything in one page. `html` may be the rendered DOM; `static_html`, when given, is
    /// the page as served, so ads that only the rendered DOM holds are marked injected.
    pub fn extract(&self, page_url: &Url, html: &str, static_html: Option<&str>) -> Extracted {
        let doc = Html::parse_document(html);
        let mut ads = self.ads(page_url, &doc);
        if let Some(static_html) = static_html {
            let static_doc = Html::parse_document(static_html);
            let served: HashSet<String> = self
                .ads(page_url, &static_doc)
                .into_iter()
                .map(|a| a.text)
                .collect();
            for ad in &mut ads {
                if ad.form != AdForm::Iframe
                    && ad.form != AdForm::Popup
                    && !served.contains(&ad.text)
                {
                    ad.form = AdForm::Injected;
                }
            }
        }
        let links = doc
            .select(&s("a[href]"))
            .filter_map(|a| absolute(page_url, a.value().attr("href")?))
            .collect();
        Extracted {
            ads,
            listings: self.listings(page_url, &doc),
            links,
        }
    }

    fn ads(&self, page_url: &Url, doc: &Html) -> Vec<AdSample> {
        let mut found: Vec<(ElementRef<'_>, String)> = Vec::new();
        let resources = self.engine.url_cosmetic_resources(page_url.as_str());
        // Elements by class and by id, in document order: most hiding rules are one class or
        // one id, answered from here without matching a selector against the whole page.
        let mut classes: HashMap<&str, Vec<ElementRef<'_>>> = HashMap::new();
        let mut ids: HashMap<&str, Vec<ElementRef<'_>>> = HashMap::new();
        for el in doc
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            for class in el.value().classes() {
                classes.entry(class).or_default().push(el);
            }
            if let Some(id) = el.value().id() {
                ids.entry(id).or_default().push(el);
            }
        }
        let mut selectors: Vec<String> = resources.hide_selectors.iter().cloned().collect();
        if !resources.generichide {
            selectors.extend(self.engine.hidden_class_id_selectors(
                classes.keys(),
                ids.keys(),
                &resources.exceptions,
            ));
        }
        selectors.sort();
        selectors.dedup();
        for rule in &selectors {
            let simple = if let Some(name) = rule.strip_prefix('.').filter(|n| is_css_name(n)) {
                Some(classes.get(name))
            } else if let Some(name) = rule.strip_prefix('#').filter(|n| is_css_name(n)) {
                Some(ids.get(name))
            } else {
                None
            };
            if let Some(elements) = simple {
                found.extend(
                    elements
                        .into_iter()
                        .flatten()
                        .map(|el| (*el, format!("##{rule}"))),
                );
                continue;
            }
            let Some(selector) = parsed(rule) else {
                continue;
            };
            found.extend(doc.select(&selector).map(|el| (el, format!("##{rule}"))));
        }
        for (tag, kind) in [("iframe[src]", "sub_frame"), ("img[src]", "image")] {
            for el in doc.select(&s(tag)) {
                let Some(src) = el.value().attr("src").and_then(|h| absolute(page_url, h)) else {
                    continue;
                };
                let Ok(request) = Request::new(src.as_str(), page_url.as_str(), kind, "get") else {
                    continue;
                };
                let result = self.engine.check_network_request(&request);
                if let (Some(filter), None) = (&result.filter, &result.exception) {
                    let rule = format!("{filter:?}");
                    // An ad image counts with the link around it.
                    let target = if kind == "image" {
                        el.ancestors()
                            .filter_map(ElementRef::wrap)
                            .find(|a| a.value().name() == "a")
                            .unwrap_or(el)
                    } else {
                        el
                    };
                    found.push((target, rule));
                }
            }
        }
        // Outermost element wins: an ad nested in another ad is the same ad.
        let ids_found: HashSet<_> = found.iter().map(|(el, _)| el.id()).collect();
        let mut seen = HashSet::new();
        let mut ads = Vec::new();
        for (el, rule) in found {
            let nested = el.ancestors().any(|a| ids_found.contains(&a.id()));
            if nested || !seen.insert(el.id()) {
                continue;
            }
            ads.push(self.ad_sample(page_url, el, rule));
        }
        ads
    }

    fn ad_sample(&self, page_url: &Url, el: ElementRef<'_>, rule: String) -> AdSample {
        let words = attr_words(el);
        let is_popup = POPUP_MARKERS.iter().any(|m| words.contains(m));
        let name = el.value().name();
        let mut labelled = false;
        let mut parts = Vec::new();
        let mut closable = false;
        for node in el.descendants() {
            if let Some(child) = ElementRef::wrap(node) {
                let w = attr_words(child);
                let aria = child.value().attr("aria-label").unwrap_or("");
                if w.contains("close")
                    || aria.contains("关闭")
                    || aria.to_lowercase().contains("close")
                {
                    closable = true;
                }
                continue;
            }
            if let Some(t) = node.value().as_text() {
                let t = t.trim();
                if is_label(t) {
                    labelled = true;
                } else if matches!(t, "×" | "✕" | "X" | "x" | "关闭") {
                    closable = true;
                } else if !t.is_empty() {
                    parts.push(t.to_owned());
                }
            }
        }
        let prev = el.prev_siblings().find_map(ElementRef::wrap);
        let next = el.next_siblings().find_map(ElementRef::wrap);
        labelled |= [prev, next].into_iter().flatten().any(is_label_element);
        labelled |= ["aria-label", "title", "data-label"]
            .iter()
            .any(|a| el.value().attr(a).is_some_and(is_label));
        let landing_url = if name == "a" {
            el.value().attr("href")
        } else {
            el.select(&s("a[href]"))
                .next()
                .and_then(|a| a.value().attr("href"))
        }
        .and_then(|h| absolute(page_url, h))
        .map(String::from);
        let mut image_urls: Vec<String> = el
            .select(&s("img[src]"))
            .filter_map(|i| absolute(page_url, i.value().attr("src")?))
            .map(String::from)
            .collect();
        let form = if name == "iframe" {
            if let Some(src) = el.value().attr("src").and_then(|h| absolute(page_url, h)) {
                image_urls.clear();
                return AdSample {
                    page_url: page_url.to_string(),
                    text: String::new(),
                    landing_url: Some(src.to_string()),
                    image_urls,
                    selector: selector_of(el),
                    form: AdForm::Iframe,
                    labelled,
                    closable: None,
                    position: None,
                    crop: None,
                    rule,
                };
            }
            AdForm::Iframe
        } else if is_popup {
            AdForm::Popup
        } else if name == "a" && image_urls.is_empty() {
            AdForm::TextLink
        } else {
            AdForm::Banner
        };
        let mut text = parts.join(" ");
        if text.is_empty() {
            text = el
                .select(&s("img[alt]"))
                .filter_map(|i| i.value().attr("alt"))
                .collect::<Vec<_>>()
                .join(" ");
        }
        AdSample {
            page_url: page_url.to_string(),
            text,
            landing_url,
            image_urls,
            selector: selector_of(el),
            form,
            labelled,
            closable: is_popup.then_some(closable),
            position: None,
            crop: None,
            rule,
        }
    }

    fn listings(&self, page_url: &Url, doc: &Html) -> Vec<Listing> {
        let mut out = Vec::new();
        for script in doc.select(&s(r#"script[type="application/ld+json"]"#)) {
            let raw: String = script.text().collect();
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(&raw) {
                json_ld_products(&value, page_url, &mut out);
            }
        }
        for item in doc.select(&s(r#"[itemscope][itemtype*="schema.org/Product"]"#)) {
            out.push(microdata_product(item, page_url));
        }
        if out.is_empty() {
            if let Some(l) = open_graph_product(doc, page_url) {
                out.push(l);
            }
        }
        if out.is_empty() {
            if let Some(site) = self
                .sites
                .iter()
                .find(|site| page_url.as_str().contains(&site.url_contains))
            {
                if let Some(l) = site_product(site, doc, page_url) {
                    out.push(l);
                }
            }
        }
        out.retain(|l| !l.title.is_empty());
        out
    }
}

fn sorted_files(dir: &Path, ext: &str) -> Result<Vec<std::path::PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::BadSeed {
        path: dir.to_owned(),
        message: e.to_string(),
    })?;
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    Ok(files)
}

/// A price from "¥1,299.00", "1299", or a JSON number.
pub fn parse_price(text: &str) -> Option<f64> {
    let cleaned: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    cleaned
        .parse()
        .ok()
        .filter(|p: &f64| p.is_finite() && *p >= 0.0)
}

fn json_str(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Object(o) => o.get("name").and_then(json_str),
        serde_json::Value::Array(a) => a.first().and_then(json_str),
        _ => None,
    }
}

fn json_ld_products(value: &serde_json::Value, page_url: &Url, out: &mut Vec<Listing>) {
    let mut queue = VecDeque::from([value]);
    while let Some(v) = queue.pop_front() {
        match v {
            serde_json::Value::Array(items) => queue.extend(items),
            serde_json::Value::Object(o) => {
                let is_product = match o.get("@type") {
                    Some(serde_json::Value::String(t)) => t == "Product",
                    Some(serde_json::Value::Array(ts)) => ts.iter().any(|t| t == "Product"),
                    _ => false,
                };
                if let Some(graph) = o.get("@graph") {
                    queue.push_back(graph);
                }
                if !is_product {
                    continue;
                }
                let offer = match o.get("offers") {
                    Some(serde_json::Value::Array(a)) => a.first(),
                    other => other,
                };
                let images = match o.get("image") {
                    Some(serde_json::Value::Array(a)) => a.iter().filter_map(json_str).collect(),
                    Some(v) => json_str(v).into_iter().collect(),
                    None => Vec::new(),
                };
                out.push(Listing {
                    url: page_url.to_string(),
                    title: o.get("name").and_then(json_str).unwrap_or_default(),
                    description: o.get("description").and_then(json_str).unwrap_or_default(),
                    price: offer
                        .and_then(|of| of.get("price").or_else(|| of.get("lowPrice")))
                        .and_then(json_str)
                        .and_then(|p| parse_price(&p)),
                    currency: offer
                        .and_then(|of| of.get("priceCurrency"))
                        .and_then(json_str),
                    brand: o.get("brand").and_then(json_str),
                    seller: offer.and_then(|of| of.get("seller")).and_then(json_str),
                    image_urls: images
                        .iter()
                        .filter_map(|i: &String| absolute(page_url, i))
                        .map(String::from)
                        .collect(),
                    source: ListingSource::JsonLd,
                });
            }
            _ => {}
        }
    }
}

fn itemprop<'a>(scope: ElementRef<'a>, name: &str) -> Option<ElementRef<'a>> {
    scope.select(&s(&format!(r#"[itemprop="{name}"]"#))).next()
}

fn prop_value(el: ElementRef<'_>) -> String {
    if let Some(inner) = el.value().attr("itemscope").and(itemprop(el, "name")) {
        return prop_value(inner);
    }
    el.value()
        .attr("content")
        .map(str::to_owned)
        .unwrap_or_else(|| text_of(el))
}

fn microdata_product(item: ElementRef<'_>, page_url: &Url) -> Listing {
    let get = |name: &str| {
        itemprop(item, name)
            .map(prop_value)
            .filter(|v| !v.is_empty())
    };
    Listing {
        url: page_url.to_string(),
        title: get("name").unwrap_or_default(),
        description: get("description").unwrap_or_default(),
        price: get("price").and_then(|p| parse_price(&p)),
        currency: get("priceCurrency"),
        brand: get("brand"),
        seller: get("seller"),
        image_urls: item
            .select(&s(r#"img[itemprop="image"]"#))
            .filter_map(|i| absolute(page_url, i.value().attr("src")?))
            .map(String::from)
            .collect(),
        source: ListingSource::Microdata,
    }
}

fn open_graph_product(doc: &Html, page_url: &Url) -> Option<Listing> {
    let meta = |property: &str| {
        doc.select(&s(&format!(r#"meta[property="{property}"]"#)))
            .next()
            .and_then(|m| m.value().attr("content"))
            .map(str::to_owned)
    };
    if meta("og:type")? != "product" {
        return None;
    }
    Some(Listing {
        url: page_url.to_string(),
        title: meta("og:title").unwrap_or_default(),
        description: meta("og:description").unwrap_or_default(),
        price: meta("product:price:amount").and_then(|p| parse_price(&p)),
        currency: meta("product:price:currency"),
        brand: meta("product:brand"),
        seller: meta("product:retailer_title"),
        image_urls: meta("og:image")
            .and_then(|i| absolute(page_url, &i))
            .map(String::from)
            .into_iter()
            .collect(),
        source: ListingSource::OpenGraph,
    })
}

fn site_product(site: &SiteSelectors, doc: &Html, page_url: &Url) -> Option<Listing> {
    let first = |sel: &str| parsed(sel).and_then(|sel| doc.select(&sel).next().map(text_of));
    let opt = |sel: &Option<String>| sel.as_deref().and_then(first).filter(|t| !t.is_empty());
    Some(Listing {
        url: page_url.to_string(),
        title: first(&site.title)?,
        description: opt(&site.description).unwrap_or_default(),
        price: first(&site.price).and_then(|p| parse_price(&p)),
        currency: Some("CNY".into()),
        brand: opt(&site.brand),
        seller: opt(&site.seller),
        image_urls: site
            .image
            .as_deref()
            .and_then(parsed)
            .map(|sel| {
                doc.select(&sel)
                    .filter_map(|i| absolute(page_url, i.value().attr("src")?))
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
        source: ListingSource::Selectors,
    })
}

/// An ad iframe's document: the visible text of its body (labels left out) and whether any of
/// its text is a 广告/推广 label. One parse for both.
pub fn frame_text(html: &str) -> (String, bool) {
    let doc = Html::parse_document(html);
    let labelled = doc
        .root_element()
        .descendants()
        .any(|n| n.value().as_text().is_some_and(|t| is_label(t)));
    let mut parts = Vec::new();
    if let Some(body) = doc.select(&s("body")).next() {
        for node in body.descendants() {
            let skip = node
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| matches!(a.value().name(), "script" | "style" | "noscript"));
            if let Some(t) = node.value().as_text() {
                let t = t.trim();
                if !skip && !t.is_empty() && !is_label(t) {
                    parts.push(t.to_owned());
                }
            }
        }
    }
    (parts.join(" "), labelled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_class_and_one_id_rules_find_what_their_selectors_would() {
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds");
        let extractor = Extractor::load(&seeds.join("filters"), &seeds.join("sites")).unwrap();
        let html = r#"<!DOCTYPE html><html><body>
            <div class="nav"><div class="wide ad-banner">横幅一</div></div>
            <p class="text-ad">特价药品热卖</p>
            <div id="ad-top">顶部</div>
            <div class="ad-banner"><span class="text-ad">嵌套的不另算</span></div>
            <div class="ad-bannerx">不是</div>
            </body></html>"#;
        let url = Url::parse("http://127.0.0.1/").unwrap();
        let ads = extractor.ads(&url, &Html::parse_document(html));
        let found: Vec<(&str, &str)> = ads
            .iter()
            .map(|a| (a.rule.as_str(), a.text.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("##.ad-banner", "横幅一"),
                ("##.ad-banner", "嵌套的不另算"),
                ("##.text-ad", "特价药品热卖"),
                ("##[id^=\"ad-\"]", "顶部"),
            ]
        );
        assert!(is_css_name("ad-banner_2") && is_css_name("广告位"));
        assert!(!is_css_name("") && !is_css_name("a.b") && !is_css_name("2col"));
    }

    #[test]
    fn a_frame_gives_its_visible_text_and_whether_it_is_labelled() {
        let (text, labelled) = frame_text(
            "<html><body><span>广告</span><script>var x = 1;</script><p>祖传秘方</p>\
             <style>p {}</style></body></html>",
        );
        assert_eq!(text, "祖传秘方");
        assert!(labelled);
        let (text, labelled) = frame_text("<p>净水器 <b>立减</b></p>");
        assert_eq!(text, "净水器 立减");
        assert!(!labelled);
    }

    #[test]
    fn prices_parse() {
        assert_eq!(parse_price("¥1,299.00"), Some(1299.0));
        assert_eq!(parse_price("价格：380元"), Some(380.0));
        assert_eq!(parse_price("面议"), None);
    }
}
