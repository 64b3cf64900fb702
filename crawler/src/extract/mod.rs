//! HTML to ads, listings and links: [`Extractor::extract`] parses a page once and hands the
//! DOM to `ads` (filter lists, ad-server slots, 广告 labels) and `listings` (schema.org,
//! OpenGraph, per-site selectors). This module owns the parse, the selector cache and the
//! element helpers both use.

mod ads;
mod depth;
mod hiding;
mod listings;
mod lists;
mod needs;

pub use ads::frame_text;
pub(crate) use ads::{has_label, rendered_frame_text};
pub use depth::MAX_DEPTH;
pub use listings::parse_price;
pub use lists::{FilterList, DEBIAN_EASYLIST};

use crate::{Error, Result};
use adblock::lists::{FilterSet, ParseOptions};
use adblock::Engine;
use admon_domain::{AdForm, AdSample, Listing};
use scraper::{ElementRef, Html, Selector};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex, RwLock};
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

/// `html` up to where it first nests elements deeper than [`MAX_DEPTH`] (parsing time grows
/// with the square of the depth), logged when cut.
fn within_depth<'h>(page_url: &Url, html: &'h str) -> &'h str {
    match depth::too_deep_at(html, MAX_DEPTH) {
        Some(at) => {
            tracing::warn!(
                page = %page_url, at, bytes = html.len(),
                "page nests elements deeper than {MAX_DEPTH}: ads and listings are read from \
                 its first {at} bytes (the page is kept whole)"
            );
            &html[..at]
        }
        None => html,
    }
}

/// The most ads kept from one page; a hostile page can hold millions of slots (the page
/// itself is stored whole, so nothing past the cap is lost to a later look).
pub const MAX_ADS: usize = 1_000;
/// The most listings kept from one page.
pub const MAX_LISTINGS: usize = 2_000;
/// The most links taken from one page.
pub const MAX_LINKS: usize = 20_000;
/// The most characters kept of one ad's or listing's text (what the classifier reads).
pub const MAX_TEXT_CHARS: usize = 10_000;

impl Extracted {
    /// Keeps what one page yields within [`MAX_ADS`], [`MAX_LISTINGS`] and
    /// [`MAX_TEXT_CHARS`], and says so in the log when it cuts.
    fn cap(&mut self, page_url: &Url) {
        let (ads, listings) = (self.ads.len(), self.listings.len());
        self.ads.truncate(MAX_ADS);
        self.listings.truncate(MAX_LISTINGS);
        let mut cut = 0;
        for text in self.ads.iter_mut().map(|a| &mut a.text).chain(
            self.listings
                .iter_mut()
                .flat_map(|l| [&mut l.title, &mut l.description]),
        ) {
            if let Some((at, _)) = text.char_indices().nth(MAX_TEXT_CHARS) {
                text.truncate(at);
                cut += 1;
            }
        }
        if ads > MAX_ADS || listings > MAX_LISTINGS || cut > 0 {
            tracing::warn!(
                page = %page_url, ads, listings, texts_cut = cut,
                "page past the extraction caps: kept {MAX_ADS} ads, {MAX_LISTINGS} listings, \
                 {MAX_TEXT_CHARS} characters a text"
            );
        }
    }
}

/// Selectors for one site without product markup (`seeds/sites/*.toml`): a product page's
/// fields, or on a list page (`item`) each card's, and the site's blocks of paid placements.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSelectors {
    /// The file's name without `.toml`: named in the rule of every ad the file finds.
    #[serde(skip)]
    pub name: String,
    /// A substring of the page URL that selects this file (e.g. a path prefix or host).
    pub url_contains: String,
    /// On a list page (search results, a shop's items): each product card. The other
    /// selectors are then read inside each card; without it, the page is one product.
    #[serde(default)]
    pub item: Option<String>,
    /// Blocks of paid placements the site does not label as ads (Taobao's P4P 掌柜热卖): each
    /// is an ad, and every listing in it is sponsored.
    #[serde(default)]
    pub sponsored: Option<String>,
    /// The product title (without it the file names no product, only paid blocks).
    #[serde(default)]
    pub title: Option<String>,
    /// The price text.
    #[serde(default)]
    pub price: Option<String>,
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
    sources: lists::Sources,
    /// Name and version of each filter list, in the order given.
    lists: Vec<(String, String)>,
    sites: Vec<SiteSelectors>,
    /// Hiding rules made ready, by host.
    host_rules: Mutex<HashMap<String, Arc<hiding::HostRules>>>,
}

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

/// The texts of `el` a reader sees, each with the element it stands in: not the code of a
/// script or a style inside `el` (Paris.cl's cards each hold a 900-character tracking script,
/// dev page paris-cl-item-2021b).
fn shown_texts<'a>(el: ElementRef<'a>) -> impl Iterator<Item = (ElementRef<'a>, &'a str)> {
    el.descendants().filter_map(move |n| {
        let text = n.value().as_text()?;
        let parent = n.parent().and_then(ElementRef::wrap)?;
        let code = parent.id() != el.id() && matches!(parent.value().name(), "script" | "style");
        (!code).then_some((parent, &**text))
    })
}

/// [`text_of`], or `None` as soon as it runs past `limit` characters; the text of
/// [`shown_texts`].
fn words_of(el: ElementRef<'_>, limit: usize) -> Option<String> {
    let (mut text, mut chars) = (String::new(), 0);
    for word in shown_texts(el).flat_map(|(_, t)| t.split_whitespace()) {
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

/// A parent's element children grouped by kind (tag and first class, less a number at its end:
/// JD's `fore1`, `fore2`... are one kind), each group in document order: the rows of cards and
/// feed items are found among them.
fn children_by_kind(parent: ElementRef<'_>) -> Vec<Vec<ElementRef<'_>>> {
    type Kind<'a> = (&'a str, Option<&'a str>);
    let mut kinds: Vec<(Kind<'_>, Vec<ElementRef<'_>>)> = Vec::new();
    for child in parent.children().filter_map(ElementRef::wrap) {
        let v = child.value();
        let kind = (
            v.name(),
            v.classes()
                .next()
                .map(|c| c.trim_end_matches(|ch: char| ch.is_ascii_digit())),
        );
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, group)) => group.push(child),
            None => kinds.push((kind, vec![child])),
        }
    }
    kinds.into_iter().map(|(_, group)| group).collect()
}

/// Whether a link's `href` runs a script (`javascript:…`) rather than leading to a page.
fn is_script_href(href: &str) -> bool {
    href.trim_start()
        .get(..11)
        .is_some_and(|h| h.eq_ignore_ascii_case("javascript:"))
}

/// A link that goes to a page: not a button written as `href="#"` or `javascript:` (Leroy
/// Merlin's "do koszyka" in every card, a carousel's arrows).
fn leads_somewhere(a: ElementRef<'_>) -> bool {
    a.value().attr("href").is_some_and(href_leads_somewhere)
}

/// Whether a link's address leads off the page: not a place on it (`#`, `#top`) nor a script.
fn href_leads_somewhere(href: &str) -> bool {
    !href.trim().starts_with('#') && !is_script_href(href)
}

/// Whether a name (a class, an id) holds `word`, case aside, compared in place: this runs on
/// every element's names, so it makes no lowered copy.
fn name_holds(name: &str, word: &str) -> bool {
    name.as_bytes()
        .windows(word.len())
        .any(|w| w.eq_ignore_ascii_case(word.as_bytes()))
}

fn absolute(base: &Url, href: &str) -> Option<Url> {
    let url = base.join(href.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// A name written as a CSS identifier (`o:p` -> `o\:p`, a leading digit as a code point).
fn css_ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, c) in name.chars().enumerate() {
        match c {
            'a'..='z' | 'A'..='Z' | '_' | '-' => out.push(c),
            '0'..='9' if i > 0 => out.push(c),
            '0'..='9' => out.push_str(&format!("\\{:x} ", c as u32)),
            c if !c.is_ascii() => out.push(c),
            '\0' => out.push('\u{FFFD}'),
            c if c.is_ascii_control() => out.push_str(&format!("\\{:x} ", c as u32)),
            c => {
                out.push('\\');
                out.push(c);
            }
        }
    }
    out
}

/// An element's full path from the root: `name:nth-of-type(k)` steps joined by ` > `, each
/// `k` counting the element siblings of the same name (so `document.querySelector` finds it
/// in the page the DOM was parsed from).
pub(crate) fn path_of(el: ElementRef<'_>) -> String {
    let mut steps = Vec::new();
    for node in std::iter::once(el).chain(el.ancestors().filter_map(ElementRef::wrap)) {
        let name = node.value().name();
        let k = 1 + node
            .prev_siblings()
            .filter_map(ElementRef::wrap)
            .filter(|s| s.value().name() == name)
            .count();
        steps.push(format!("{}:nth-of-type({k})", css_ident(name)));
    }
    steps.reverse();
    steps.join(" > ")
}

/// Whether an element sits inside a `<template>` (never shown, never reported).
pub(crate) fn in_template(el: ElementRef<'_>) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .any(|a| a.value().name() == "template")
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

/// The filter engine for `texts` (each list's rules, in order).
fn compile(texts: Vec<String>) -> Engine {
    let mut set = FilterSet::new(true);
    for text in texts {
        set.add_filter_list(text, ParseOptions::default());
    }
    Engine::new_with_filter_set(set)
}

/// The engine for `texts`, from `dir`'s cache when it holds one compiled from the same rules;
/// else compiled and cached. A cache that cannot be read or written only costs the compile.
fn cached_engine(dir: &Path, texts: Vec<String>) -> Engine {
    use sha2::{Digest, Sha256};
    let mut key = Sha256::new();
    key.update(concat!(
        "admon ",
        env!("CARGO_PKG_VERSION"),
        " adblock 0.13\n"
    ));
    for text in &texts {
        key.update((text.len() as u64).to_be_bytes());
        key.update(text.as_bytes());
    }
    let name = format!("engine-{}.dat", &hex::encode(key.finalize())[..32]);
    let path = dir.join(&name);
    if let Ok(bytes) = std::fs::read(&path) {
        let mut engine = Engine::default();
        match engine.deserialize(&bytes) {
            Ok(()) => return engine,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = ?e, "filter engine cache unreadable; compiling")
            }
        }
    }
    let engine = compile(texts);
    let written = std::fs::create_dir_all(dir).and_then(|()| {
        let partial = dir.join(format!("{name}.partial"));
        std::fs::write(&partial, engine.serialize())?;
        std::fs::rename(&partial, &path)
    });
    match written {
        Ok(()) => {
            // Engines compiled from older lists are of no more use.
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                if file.starts_with("engine-") && file != name {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        Err(e) => tracing::warn!(path = %path.display(), error = %e, "filter engine not cached"),
    }
    engine
}

impl Extractor {
    /// Loads every `*.txt` filter list in `filters_dir` and every `*.toml` in `sites_dir`.
    pub fn load(filters_dir: &Path, sites_dir: &Path) -> Result<Extractor> {
        Extractor::new(FilterList::read_dir(filters_dir)?, sites_dir)
    }

    /// An extractor running `lists` (in order; a later list's exceptions apply to earlier
    /// ones' rules too) and the site files in `sites_dir`.
    pub fn new(lists: Vec<FilterList>, sites_dir: &Path) -> Result<Extractor> {
        Extractor::with_cache(lists, sites_dir, None)
    }

    /// [`Extractor::new`], with the compiled filter engine cached in `cache_dir` (when given):
    /// compiling EasyList's ~76k rules takes seconds a start, loading the engine compiled
    /// before takes milliseconds. The cache file is named by the SHA-256 of the rules it was
    /// compiled from (and this admon's version), so changed lists are compiled afresh; older
    /// cache files are removed, and a cache that does not load is rebuilt.
    pub fn with_cache(
        lists: Vec<FilterList>,
        sites_dir: &Path,
        cache_dir: Option<&Path>,
    ) -> Result<Extractor> {
        let texts: Vec<String> = lists.iter().map(lists::engine_text).collect();
        let engine = match cache_dir {
            Some(dir) => cached_engine(dir, texts),
            None => compile(texts),
        };
        let mut sites = Vec::new();
        for path in sorted_files(sites_dir, "toml")? {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::BadSeed {
                path: path.clone(),
                message: e.to_string(),
            })?;
            let mut site: SiteSelectors = toml::from_str(&text).map_err(|e| Error::BadSeed {
                path: path.clone(),
                message: e.to_string(),
            })?;
            site.name = path
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            for sel in [
                site.title.as_ref(),
                site.price.as_ref(),
                site.brand.as_ref(),
                site.seller.as_ref(),
                site.description.as_ref(),
                site.image.as_ref(),
                site.item.as_ref(),
                site.sponsored.as_ref(),
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
            engine,
            sources: lists::Sources::new(&lists),
            lists: lists.into_iter().map(|l| (l.name, l.version)).collect(),
            sites,
            host_rules: Mutex::new(HashMap::new()),
        })
    }

    /// The site files that name a page (a site's product page and its cards can be two).
    fn sites_for<'a>(&'a self, page_url: &'a Url) -> impl Iterator<Item = &'a SiteSelectors> {
        self.sites
            .iter()
            .filter(move |site| page_url.as_str().contains(&site.url_contains))
    }

    /// Name and version of each filter list it runs: recorded with every capture.
    pub fn lists(&self) -> &[(String, String)] {
        &self.lists
    }

    /// Everything in one page. `html` may be the rendered DOM; `static_html`, when given, is
    /// the page as served, so ads that only the rendered DOM holds are marked injected.
    pub fn extract(&self, page_url: &Url, html: &str, static_html: Option<&str>) -> Extracted {
        self.extract_rendered(page_url, html, static_html, &[])
    }

    /// [`Extractor::extract`] for a rendered page, given what CSS draws before or after its
    /// elements (`::before`/`::after` content, by element path): a label drawn there marks an
    /// ad as a label in the text does.
    pub fn extract_rendered(
        &self,
        page_url: &Url,
        html: &str,
        static_html: Option<&str>,
        drawn: &[(String, String)],
    ) -> Extracted {
        let html = within_depth(page_url, html);
        let static_html = static_html.map(|h| within_depth(page_url, h));
        let doc = Html::parse_document(html);
        let mut ads = self.ads(page_url, &doc, drawn);
        if let Some(static_html) = static_html {
            let static_doc = Html::parse_document(static_html);
            let served: HashSet<String> = self
                .ads(page_url, &static_doc, &[])
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
        let mut listings = self.listings(page_url, &doc);
        // A listing inside an ad is a paid placement; so is one whose link is an ad (a card
        // that clicks through an ad server: Argos's Criteo cards, dev page argos-uk-item-2021b).
        let within = |inner: &str, outer: &str| {
            !outer.is_empty()
                && inner
                    .strip_prefix(outer)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(" > "))
        };
        for listing in &mut listings {
            listing.sponsored = listing.path.as_deref().is_some_and(|path| {
                ads.iter().any(|ad| {
                    within(path, &ad.path)
                        || (within(&ad.path, path)
                            && ad
                                .path
                                .rsplit(" > ")
                                .next()
                                .is_some_and(|step| step.starts_with("a:")))
                })
            });
        }
        let links = doc
            .select(&s("a[href]"))
            .filter_map(|a| absolute(page_url, a.value().attr("href")?))
            .take(MAX_LINKS)
            .collect();
        let mut found = Extracted {
            ads,
            listings,
            links,
        };
        found.cap(page_url);
        found
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
