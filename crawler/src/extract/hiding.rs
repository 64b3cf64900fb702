//! The lists' element-hiding rules, run on a page: the engine answers which rules apply to a
//! host (once per host, made ready: parsed, attributed to their list, what each rule's subject
//! needs read from its text) and which one-class and one-id rules a page's classes and ids call
//! up; complex rules run only on pages that hold what their subject needs. EasyList's ~13.7k
//! generic rules cost a crawl about a quarter of its speed this way, not three quarters.

use super::ads::{is_css_name, is_editorial, ByName};
use super::needs::{needs, Need, PageAttrs};
use super::{parsed, Extractor};
use scraper::{ElementRef, Html};
use std::collections::HashSet;
use std::sync::Arc;
use url::Url;

/// A hiding rule made ready to run: its selector parsed, what its subject needs read, its
/// list named.
pub(super) struct HidingRule {
    text: String,
    simple: Option<Simple>,
    selector: Option<Arc<scraper::Selector>>,
    needs: Arc<Vec<Need>>,
    attribution: String,
}

/// A rule that is one class or one id: looked up, not matched.
enum Simple {
    Class(String),
    Id(String),
}

impl HidingRule {
    fn new(text: &str, sources: &super::lists::Sources) -> HidingRule {
        let simple = if let Some(name) = text.strip_prefix('.').filter(|n| is_css_name(n)) {
            Some(Simple::Class(name.to_owned()))
        } else {
            text.strip_prefix('#')
                .filter(|n| is_css_name(n))
                .map(|name| Simple::Id(name.to_owned()))
        };
        let complex = simple.is_none();
        HidingRule {
            text: text.to_owned(),
            simple,
            selector: complex.then(|| parsed(text)).flatten(),
            needs: if complex {
                needs(text)
            } else {
                Default::default()
            },
            attribution: sources.hiding_rule(text),
        }
    }
}

/// The hiding rules of one host, as the engine gives them (the site's own and the generic
/// ones that are not one class or id), made ready once for all its pages.
pub(super) struct HostRules {
    /// Sorted by text.
    rules: Vec<HidingRule>,
    exceptions: HashSet<String>,
    generichide: bool,
}

impl Extractor {
    /// [`HostRules`] for a page's host: kept for the hosts seen lately (up to 256).
    fn host_rules(&self, page_url: &Url) -> Arc<HostRules> {
        let host = page_url.host_str().unwrap_or("").to_owned();
        if let Some(known) = self
            .host_rules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&host)
        {
            return known.clone();
        }
        let resources = self.engine.url_cosmetic_resources(page_url.as_str());
        let mut texts: Vec<String> = resources.hide_selectors.into_iter().collect();
        texts.sort();
        // Sorted by text: the page's rules merge with them in order, and are looked up in them.
        let rules = texts
            .iter()
            .map(|text| HidingRule::new(text, &self.sources))
            .collect();
        let ready = Arc::new(HostRules {
            rules,
            exceptions: resources.exceptions,
            generichide: resources.generichide,
        });
        let mut cache = self.host_rules.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert(host, ready.clone());
        ready
    }

    /// The elements the lists' hiding rules find on a page, each with its rule (`list: ##rule`).
    /// A find that is the site's own editorial links is left out (see [`is_editorial`]).
    pub(super) fn hidden<'a>(
        &self,
        page_url: &Url,
        doc: &'a Html,
        by: &ByName<'a>,
        found: &mut Vec<(ElementRef<'a>, String)>,
    ) {
        let host = self.host_rules(page_url);
        // Most hiding rules are one class or one id: answered from the page's classes and ids
        // without matching a selector against the whole page.
        let (classes, ids) = (&by.classes, &by.ids);
        // The generic one-class and one-id rules this page's classes and ids call up.
        let by_name: Vec<String> = if host.generichide {
            Vec::new()
        } else {
            let mut rules =
                self.engine
                    .hidden_class_id_selectors(classes.keys(), ids.keys(), &host.exceptions);
            rules.sort();
            rules.dedup();
            rules.retain(|r| {
                host.rules
                    .binary_search_by(|known| known.text.as_str().cmp(r))
                    .is_err()
            });
            rules
        };
        // The other rules run only where the page holds what their subject needs.
        let attrs = std::cell::OnceCell::new();
        let page_rules: Vec<HidingRule> = by_name
            .iter()
            .map(|text| HidingRule::new(text, &self.sources))
            .collect();
        // In the order of their text, both lists being sorted (the first rule to find an
        // element names it).
        let mut merged: Vec<&HidingRule> = Vec::with_capacity(host.rules.len() + page_rules.len());
        let (mut a, mut b) = (host.rules.iter().peekable(), page_rules.iter().peekable());
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            merged.push(if x.text <= y.text { a.next() } else { b.next() }.expect("peeked"));
        }
        merged.extend(a.chain(b));
        for rule in merged {
            let elements: Vec<ElementRef<'_>> = match &rule.simple {
                Some(Simple::Class(name)) => {
                    classes.get(name.as_str()).cloned().unwrap_or_default()
                }
                Some(Simple::Id(name)) => ids.get(name.as_str()).cloned().unwrap_or_default(),
                None => {
                    let attrs = attrs.get_or_init(|| PageAttrs::new(doc));
                    let may = rule.needs.iter().all(|need| {
                        attrs.may_have(need, |c| classes.contains_key(c), |i| ids.contains_key(i))
                    });
                    match rule.selector.as_ref().filter(|_| may) {
                        Some(selector) => doc.select(selector).collect(),
                        None => continue,
                    }
                }
            };
            // A generic rule's class can be the site's own news strip (`.bottom-ad`), and a rule
            // written for today's site can find the site's own widgets in an older page.
            found.extend(
                elements
                    .into_iter()
                    // (Nor is code a reader never sees: a script's id can match an id rule,
                    // Prensa Libre's `script#ad-layers-js-extra` under `##[id^="ad-"]`, dev page
                    // prensalibre-es-2022.)
                    .filter(|el| !matches!(el.value().name(), "script" | "link" | "meta"))
                    .filter(|el| !is_editorial(page_url, *el))
                    .map(|el| (el, rule.attribution.clone())),
            );
        }
    }
}
