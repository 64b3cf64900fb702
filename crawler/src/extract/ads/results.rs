//! The ads a block of ads is made of, one report each: the sponsored results of a search
//! engine's ad block and the cards of its carousels, the list a label or a 推广 heading heads,
//! the result a label in its URL line sits in. A block splits only into items that each lead
//! elsewhere (another site, a click redirector), each to its own place.

use super::{
    absolute, ad_sized, goes_elsewhere, is_click_redirect, s, shows_only_labels, words_of,
    LABEL_BLOCK_CHARS, LABEL_BLOCK_LINKS,
};
use scraper::ElementRef;
use std::collections::HashSet;
use url::Url;

/// The item of a list that a labelled block sits in, when there is one: a label in a search
/// result's URL line (Baidu's `推广` after `www.ctrip.com`, dev page mbaidu-serp-2014a) or in a
/// feed item's corner marks the whole result. An item is an element no bigger than an ad whose
/// parent holds another element of its tag with a link; the search goes up three levels.
pub(super) fn item_around(block: ElementRef<'_>) -> ElementRef<'_> {
    let is_item = |el: ElementRef<'_>| {
        let name = el.value().name();
        ad_sized(el)
            && el.select(&s("a[href]")).next().is_some()
            && el
                .prev_siblings()
                .chain(el.next_siblings())
                .filter_map(ElementRef::wrap)
                .any(|sib| sib.value().name() == name && sib.select(&s("a[href]")).next().is_some())
    };
    std::iter::once(block)
        .chain(block.ancestors().filter_map(ElementRef::wrap).take(3))
        .take_while(|el| !matches!(el.value().name(), "body" | "html" | "main" | "article"))
        .find(|el| is_item(*el))
        .unwrap_or(block)
}

/// The first link `el` is or holds that goes somewhere (not `javascript:`).
fn first_href(el: ElementRef<'_>) -> Option<&str> {
    std::iter::once(el)
        .filter(|e| e.value().name() == "a")
        .chain(el.select(&s("a[href]")))
        .filter_map(|a| a.value().attr("href"))
        .find(|h| {
            !h.trim_start()
                .get(..11)
                .is_some_and(|p| p.eq_ignore_ascii_case("javascript:"))
        })
}

/// Whether `el` is a link or holds one that goes somewhere.
fn has_link(el: ElementRef<'_>) -> bool {
    first_href(el).is_some()
}

/// How many links `el` is or holds.
fn links_in(el: ElementRef<'_>) -> usize {
    usize::from(el.value().name() == "a" && el.value().attr("href").is_some())
        + el.select(&s("a[href]")).count()
}

/// The ads a block of ads is made of: the sponsored results of a search engine's ad block
/// (Bing's `li.b_ad > ul > li`, Google's `#tads` results and shopping cards, dev pages
/// bing-serp-2019b, google-serp-2019b, google-serp-2023), the links of a box of text ads. They
/// are the first elements, breadth first (Google's cards are twelve levels down), that sit side
/// by side with the same tag and hold four in five of the block's links; each holds a link that
/// leads elsewhere, each to its own place, and is no bigger than a search result with its
/// sitelinks.
pub(super) fn ad_items<'a>(page_url: &Url, block: ElementRef<'a>) -> Option<Vec<ElementRef<'a>>> {
    let links = links_in(block);
    if links < 2 {
        return None;
    }
    let mut level = vec![block];
    for _ in 0..16 {
        for parent in &level {
            let mut by_tag: Vec<(&str, Vec<ElementRef<'_>>)> = Vec::new();
            // Not the block's label (a link to the ad sales page), the offer of the space, nor
            // a few words linking to more of the same on the site ("View all", 更多).
            let mut set_aside = 0;
            for child in parent.children().filter_map(ElementRef::wrap) {
                if !has_link(child) {
                    continue;
                }
                let more = || words_of(child, 12).is_some() && !leads_away(page_url, child);
                if shows_only_labels(child) || offers_ad_space(child) || more() {
                    set_aside += links_in(child);
                    continue;
                }
                let name = child.value().name();
                match by_tag.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, group)) => group.push(child),
                    None => by_tag.push((name, vec![child])),
                }
            }
            let Some((_, group)) = by_tag.into_iter().max_by_key(|(_, g)| g.len()) else {
                continue;
            };
            let held: usize = group.iter().map(|i| links_in(*i)).sum();
            if group.len() < 2 || held * 5 < links.saturating_sub(set_aside) * 4 {
                continue;
            }
            // Each is an ad (no bigger than a result, leading elsewhere) or, when it is bigger
            // than a label's block and splits, a block of them (a carousel of shopping cards
            // beside text ads, Google's mobile `#tads`, dev page google-mobile-serp-2023b).
            let items: Option<Vec<ElementRef<'a>>> =
                group.iter().try_fold(Vec::new(), |mut items, i| {
                    let split = (!ad_sized(*i)).then(|| ad_items(page_url, *i)).flatten();
                    match split {
                        Some(sub) => items.extend(sub),
                        None if result_sized(*i) && leads_away(page_url, *i) => items.push(*i),
                        None => return None,
                    }
                    Some(items)
                });
            let Some(mut items) = items else { continue };
            // Where the ads click through the engine's redirector, a tile of plain links among
            // them is the engine's own (Google's "Mehr von:" price-comparison tile at the end of
            // its shopping carousel, dev page google-serp-2019c).
            let redirected = |i: &ElementRef<'_>| {
                i.select(&s("a[href]"))
                    .chain((i.value().name() == "a").then_some(*i))
                    .filter_map(|a| absolute(page_url, a.value().attr("href")?))
                    .any(|u| is_click_redirect(&u))
            };
            let through = items.iter().filter(|i| redirected(i)).count();
            if through * 4 >= items.len() * 3 {
                items.retain(|i| redirected(i));
            }
            // Each to its own place: an image and a title linking to the same product are one
            // ad.
            let targets: HashSet<_> = items.iter().filter_map(|i| first_href(*i)).collect();
            if targets.len() == items.len() {
                return Some(items);
            }
        }
        level = level
            .iter()
            .flat_map(|p| p.children().filter_map(ElementRef::wrap))
            .collect();
    }
    None
}

/// Whether `el` is a short heading, text and inline elements only, that ends in 推广
/// ("promotion"): `与"酒店"相关的推广`, "promotions related to 酒店".
pub(super) fn is_promotion_heading(el: ElementRef<'_>) -> bool {
    let inline_only = el.children().filter_map(ElementRef::wrap).all(|c| {
        matches!(
            c.value().name(),
            "a" | "em" | "b" | "strong" | "span" | "font" | "img" | "i"
        )
    });
    inline_only
        && words_of(el, 24).is_some_and(|t| {
            let t = t.trim();
            t.chars().count() > 2 && (t.ends_with("推广") || t.ends_with("推廣"))
        })
}

/// The ads of a list a label heads: after the label (or the box it sits in), the run of
/// elements of one tag that each hold a link (Baidu's right column of
/// `div.EC_result` under 推广链接, dev page baidu-serp-2014a), or the ads of the first element
/// after it (360's `ul` of results under 推广, dev page qihu-serp-2014).
pub(super) fn headed_items<'a>(
    page_url: &Url,
    label: ElementRef<'a>,
) -> Option<Vec<ElementRef<'a>>> {
    std::iter::once(label)
        .chain(label.parent().and_then(ElementRef::wrap))
        // A label that heads the list comes first in its box; a label in one of the list's
        // items (a feed's "Ad" mark) marks that item alone.
        .filter(|at| at.prev_siblings().find_map(ElementRef::wrap).is_none())
        .find_map(|at| {
            let first = at.next_siblings().find_map(ElementRef::wrap)?;
            let name = first.value().name();
            let run: Vec<ElementRef<'_>> = at
                .next_siblings()
                .filter_map(ElementRef::wrap)
                .take_while(|e| e.value().name() == name && has_link(*e))
                .collect();
            let run = if run.len() >= 2 && run.iter().all(|i| result_sized(*i)) {
                run
            } else {
                ad_items(page_url, first)?
            };
            // The engine's own offer of the space ("想在360推广您的产品服务吗？") is no ad; an ad
            // takes the reader elsewhere.
            let run: Vec<_> = run.into_iter().filter(|i| !offers_ad_space(*i)).collect();
            run.iter().all(|i| leads_away(page_url, *i)).then_some(run)
        })
}

/// Whether `el` holds a link to another site or through a redirector: a click path, a URL in
/// the query, or a query parameter that names where to go (`baidu.php?url=…`).
fn leads_away(page_url: &Url, el: ElementRef<'_>) -> bool {
    el.select(&s("a[href]"))
        .chain((el.value().name() == "a").then_some(el))
        .filter_map(|a| absolute(page_url, a.value().attr("href")?))
        .any(|u| {
            goes_elsewhere(page_url, &u)
                || u.query_pairs().any(|(k, _)| {
                    matches!(k.as_ref(), "url" | "u" | "target" | "dest" | "redirect")
                })
        })
}

/// Whether a short block offers its ad space for sale: "想在此推广您的产品吗?", "See your ad
/// here".
fn offers_ad_space(el: ElementRef<'_>) -> bool {
    let Some(text) = words_of(el, 80) else {
        return false;
    };
    let text = text.to_lowercase();
    [
        "在此推广",
        "推广您的",
        "advertise here",
        "advertise with",
        "your ad here",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// Whether `el` is no bigger than a search result with its sitelinks and their descriptions:
/// twice a label's block's links, three times its text (Bing's, dev page bing-serp-2021b).
fn result_sized(el: ElementRef<'_>) -> bool {
    links_in(el) <= 2 * LABEL_BLOCK_LINKS && words_of(el, 3 * LABEL_BLOCK_CHARS).is_some()
}
