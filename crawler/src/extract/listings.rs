//! Product listings in a page: schema.org products (and events with priced tickets) in JSON-LD,
//! products in microdata, OpenGraph product tags, then the per-site selector files
//! (`seeds/sites/`), then rows of product cards no markup names.

use super::{absolute, in_template, parsed, path_of, s, text_of, Extractor, SiteSelectors};
use admon_domain::{Listing, ListingSource};
use scraper::{ElementRef, Html};
use std::collections::{HashSet, VecDeque};
use std::sync::LazyLock;
use url::Url;

impl Extractor {
    pub(super) fn listings(&self, page_url: &Url, doc: &Html) -> Vec<Listing> {
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
            if let Some(mut l) = open_graph_product(doc, page_url) {
                // The tags name the product; the page's bought heading places it, and prices
                // it where the tags do not (dev page bestseller-ie-item-2021b).
                if let Some(heading) = bought_heading(doc, page_url) {
                    l.path = heading.path;
                    if l.price.is_none() {
                        l.price = heading.price;
                        l.currency = heading.currency;
                    }
                }
                out.push(l);
            }
        }
        // A site file's product stands in for missing markup; its cards (`item`) are more
        // listings beside whatever the markup gave.
        let marked_up = !out.is_empty();
        for site in self.sites_for(page_url) {
            match site.item.as_deref().and_then(parsed) {
                Some(item) => out.extend(
                    doc.select(&item)
                        .filter_map(|card| site_product(site, card, page_url)),
                ),
                None if !marked_up => {
                    out.extend(site_product(site, doc.root_element(), page_url));
                }
                None => {}
            }
        }
        if out.is_empty() {
            out.extend(bought_heading(doc, page_url));
        }
        product_cards(doc, page_url, &mut out);
        out.retain(|l| !l.title.is_empty());
        out
    }
}

/// Where a currency's mark stands beside the number.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Before,
    After,
    Either,
}
use Side::{After, Before, Either};

/// The marks prices carry, each with the ISO 4217 code it names (`None` where a mark is
/// shared: `Rs` is the rupee of India, Pakistan and Sri Lanka) and the side of the number it
/// is written on: `$1,200.00` and `599元`, never `884116204275 $` (a part number before a
/// price, google-serp-2023). Longer marks come first, so that `US$` is read before `$`.
const CURRENCIES: [(&str, Option<&str>, Side); 39] = [
    ("US $", Some("USD"), Before),
    ("US$", Some("USD"), Before),
    ("NT$", Some("TWD"), Before),
    ("HK$", Some("HKD"), Before),
    ("R$", Some("BRL"), Before),
    ("USD", Some("USD"), Either),
    ("RMB", Some("CNY"), Either),
    ("CNY", Some("CNY"), Either),
    ("EUR", Some("EUR"), Either),
    ("GBP", Some("GBP"), Either),
    ("CHF", Some("CHF"), Either),
    ("SAR", Some("SAR"), Either),
    ("AED", Some("AED"), Either),
    ("руб", Some("RUB"), After),
    // The Belarusian rouble (1k.by, dev page 1k-by-item-2021b) and the tenge (Mechta, dev
    // page mechta-kz-item-2021b).
    ("б.р.", Some("BYN"), After),
    ("тг", Some("KZT"), After),
    ("Rs.", None, Before),
    ("Rs", None, Before),
    ("lei", Some("RON"), After),
    ("Lei", Some("RON"), After),
    ("zł", Some("PLN"), After),
    ("Kč", Some("CZK"), After),
    ("TL", Some("TRY"), After),
    ("Ft", Some("HUF"), After),
    ("$", Some("USD"), Before),
    ("¥", Some("CNY"), Before),
    ("￥", Some("CNY"), Before),
    ("元", Some("CNY"), After),
    ("円", Some("JPY"), After),
    ("€", Some("EUR"), Either),
    ("£", Some("GBP"), Before),
    ("₹", Some("INR"), Before),
    ("₽", Some("RUB"), Either),
    ("₩", Some("KRW"), Before),
    ("원", Some("KRW"), After),
    ("₺", Some("TRY"), Either),
    ("₫", Some("VND"), Either),
    ("₪", Some("ILS"), Either),
    ("ر.س", Some("SAR"), After),
];

/// A mark of [`CURRENCIES`] written on `side`; a mark that begins or ends in an ASCII letter
/// only as a word of its own there (`TL`, not the end of `HTML`), except on the side that
/// meets the number: `EUR55.99` (dev page elkor-lv-item-2021b) and `12TL` are prices. The
/// boundary is ASCII's (`(?-u:\b)`): a Unicode one stops the regex engine's fast DFA on every
/// page that is not ASCII, which made a crawl of Chinese pages ten times slower. Ideographs
/// and Hangul are written without spaces (`599元起`), and `zł`, `Kč` and `руб` are their own
/// words anyway.
fn marks(side: Side) -> String {
    let ascii_letter = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
    CURRENCIES
        .iter()
        .filter(|(_, _, s)| side == Either || *s == side || *s == Either)
        .map(|(mark, _, _)| {
            let boundary = |letter: bool| if letter { r"(?-u:\b)" } else { "" };
            format!(
                "{}{}{}",
                boundary(side != After && ascii_letter(mark.chars().next())),
                regex::escape(mark),
                boundary(side != Before && ascii_letter(mark.chars().last()))
            )
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// Any mark of [`CURRENCIES`].
static CURRENCY: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(&marks(Either)).expect("pattern parses"));

/// A price's number: digits with separators, its thousands grouped by a space where the
/// shop's language groups them so (`132 990 тг.`, `1 299 ₽`: a space, a no-break space or a
/// narrow one before each group of three).
const NUMBER: &str = r"\d{1,3}(?:[ \x{a0}\x{202f}]\d{3})+(?:[,.]\d+)?|\d[\d,.]*";

/// A price as shops write it: a currency's mark before the number (`$129`, `NT$ 1,134`, `¥59`,
/// `Rs 26,630`) or after it (`599元`, `66,75 €`, `28,800원`, `139,99 Lei`).
static PRICE: LazyLock<regex::Regex> = LazyLock::new(|| {
    let (before, after) = (marks(Before), marks(After));
    regex::Regex::new(&format!(
        r"(?:{before})\s?(?:{NUMBER})|(?:{NUMBER})\s?(?:{after})"
    ))
    .expect("pattern parses")
});

/// The most text a product card holds: a title, a price or two, a badge, a discount and its
/// buttons' words (Leroy Merlin's promoted cards run to 162 characters).
const CARD_CHARS: usize = 200;

/// Product cards that no markup or site file names: three or more sibling blocks of one kind
/// (tag and first class, `fore1` and `fore2` alike), most of them a picture, a link and a price
/// in a few words (or a bare number in an element named for a price), as a shop's "others also viewed" row or side column (dev pages
/// i3fresh-item-2020a, gomaji-item-2021b, jd-item-2016a). The picture may be a `figure` or a
/// box with a `data-src` still waiting for its lazy image (olx-pk-item-2021a,
/// otto-de-item-2021b), or a box drawn with a `background-image`; the link may be the card's
/// own click handler naming a page (AviviD's recommendation cards, i3fresh-item-2020a). Each
/// card is a listing, titled by its longest link text (else its picture's `alt`), unless a
/// listing already found sits in it.
fn product_cards(doc: &Html, page_url: &Url, out: &mut Vec<Listing>) {
    // The text first: it stops reading a block as soon as it is too long for a card.
    let is_card = |el: ElementRef<'_>| -> bool {
        super::words_of(el, CARD_CHARS)
            .is_some_and(|t| PRICE.is_match(&t) || bare_price(el).is_some())
            && el
                .select(&s(
                    r#"img, picture, figure, [data-src], [style*="background-image"]"#,
                ))
                .next()
                .is_some()
            && (el.value().name() == "a"
                || el.select(&s("a[href]")).next().is_some()
                || clicked_to(el).is_some())
    };
    let mut cards: Vec<ElementRef<'_>> = Vec::new();
    // Below a card's children no row is looked for; its children themselves may still be one
    // (a tab of JD's ranking reads as a card and holds the ranked cards).
    let mut in_cards = HashSet::new();
    for parent in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        if parent.ancestors().any(|a| in_cards.contains(&a.id())) {
            continue;
        }
        for group in super::children_by_kind(parent)
            .into_iter()
            .filter(|g| g.len() >= 3)
        {
            let found: Vec<ElementRef<'_>> =
                group.iter().copied().filter(|c| is_card(*c)).collect();
            if found.len() >= 3 && found.len() * 2 >= group.len() {
                in_cards.extend(found.iter().map(|c| c.id()));
                cards.extend(found);
            }
        }
    }
    let placed: Vec<String> = out.iter().filter_map(|l| l.path.clone()).collect();
    for card in cards {
        let path = path_of(card);
        let inside = |p: &String| {
            p.strip_prefix(path.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(" > "))
        };
        if placed.iter().any(inside) {
            continue;
        }
        // The longest link text without a price; else, when the card's one link holds the
        // price too (OLX's related ads), that link's text with its prices taken out.
        let title_el = std::iter::once(card)
            .chain(card.select(&s("a[href]")))
            .filter(|a| {
                (a.value().name() == "a" && super::leads_somewhere(*a))
                    || (a.id() == card.id() && clicked_to(card).is_some())
            })
            .map(|a| {
                let text = shown(a.text());
                let priced = PRICE.is_match(&text);
                let title = PRICE.replace_all(&text, " ");
                (
                    title.split_whitespace().collect::<Vec<_>>().join(" "),
                    priced,
                    a,
                )
            })
            .filter(|(t, _, _)| t.chars().any(char::is_alphabetic))
            .max_by_key(|(t, priced, _)| (!priced, t.chars().count()))
            .map(|(t, _, a)| (t, a));
        // (A heading in that link names the card without its price and ratings: John
        // Lewis's `h2`, dev page johnlewis-uk-item-2021b.)
        // A card a script opens reads as its whole text, brand and button too: its picture's
        // `alt` names it better (ELLE's picks, dev page elle-de-2019).
        let title_el = title_el.map(|(t, a)| {
            let named = if a.id() == card.id() {
                alt_of(card)
            } else {
                None
            };
            named
                .map(str::to_owned)
                .or_else(|| {
                    a.select(&s("h1, h2, h3, h4, h5, h6"))
                        .map(text_of)
                        .find(|h| h.chars().any(char::is_alphabetic))
                })
                .map_or((t, a), |h| (h, a))
        });
        let (title, title_path) = match title_el {
            Some((t, a)) => (t, path_of(a)),
            None => (alt_of(card).unwrap_or_default().to_owned(), path.clone()),
        };
        // The price paid, not the one struck through.
        let paid = super::shown_texts(card)
            .filter(|(parent, _)| {
                !std::iter::once(*parent)
                    .chain(parent.ancestors().filter_map(ElementRef::wrap))
                    .take_while(|a| a.id() != card.id())
                    .any(|a| matches!(a.value().name(), "strike" | "del" | "s"))
            })
            .map(|(_, t)| t);
        let paid = shown(paid);
        let all = shown(super::shown_texts(card).map(|(_, t)| t));
        let price = PRICE
            .find(&paid)
            .or_else(|| PRICE.find(&all))
            .map(|m| m.as_str().to_owned())
            .or_else(|| bare_price(card));
        let url = std::iter::once(card)
            .chain(card.select(&s("a[href]")))
            .find_map(|a| absolute(page_url, a.value().attr("href").or_else(|| clicked_to(a))?))
            .map_or_else(|| page_url.to_string(), String::from);
        out.push(Listing {
            image_urls: card
                .select(&s("img[src]"))
                .filter_map(|i| absolute(page_url, i.value().attr("src")?))
                .map(String::from)
                .collect(),
            ..unmarked(
                url,
                title,
                price.as_deref(),
                ListingSource::Cards,
                title_path,
            )
        });
    }
}

/// The first picture's `alt` in a card, when it says anything.
fn alt_of(card: ElementRef<'_>) -> Option<&str> {
    card.select(&s("img[alt]")).find_map(|i| {
        i.value()
            .attr("alt")
            .map(str::trim)
            .filter(|a| !a.is_empty())
    })
}

/// A price written as a bare number in an element named for it, its currency's mark drawn by
/// a style sheet (John Lewis's `div.price_c-product-card__price__3l5nG` "50", or "58 - 78";
/// dev page johnlewis-uk-item-2021b): the lowest.
fn bare_price(card: ElementRef<'_>) -> Option<String> {
    static BARE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"^(\d[\d,.]*)(?:\s*[-–]\s*\d[\d,.]*)?$").expect("pattern parses")
    });
    card.descendants()
        .filter_map(ElementRef::wrap)
        .find_map(|el| {
            let named = el.value().classes().any(|c| super::name_holds(c, "price"));
            if !named {
                return None;
            }
            let text = text_of(el);
            BARE.captures(text.trim()).map(|c| c[1].to_owned())
        })
}

/// The words of some text nodes, one space between them, except where a number runs on from
/// one inline box into the next: `<span>25</span><span>,99</span> zł` is one price.
fn shown<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for text in texts {
        for (i, word) in text.split_whitespace().enumerate() {
            let runs_on =
                i == 0 && !text.starts_with(char::is_whitespace) && continues_number(&out, word);
            if !out.is_empty() && !runs_on {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// Whether `word` goes on with the number `before` ends in: a digit then `,99` or `.99`, or
/// `25,` then digits.
fn continues_number(before: &str, word: &str) -> bool {
    let (mut b, mut w) = (before.chars().rev(), word.chars());
    match (b.next(), w.next()) {
        (Some(d), Some(',' | '.')) if d.is_ascii_digit() => {
            w.next().is_some_and(|c| c.is_ascii_digit())
        }
        (Some(',' | '.'), Some(d)) if d.is_ascii_digit() => {
            b.next().is_some_and(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// The page a script-clicked box opens: the first web address in its `onclick`
/// (`AviviD.click_href('https://i3fresh.tw/cheap_437.html?…',3)`), or the one it holds for a
/// script to open (the affiliate network tracdelight's product cards' `data-external-url`,
/// with no link in them: ELLE's picks, dev page elle-de-2019).
fn clicked_to(el: ElementRef<'_>) -> Option<&str> {
    let held = ["data-external-url", "data-href"]
        .into_iter()
        .find_map(|a| el.value().attr(a))
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    if held.is_some() {
        return held;
    }
    let script = el.value().attr("onclick")?;
    let at = script.find("https://").or_else(|| script.find("http://"))?;
    let rest = &script[at..];
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ')' | ','))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// A listing no markup names, read off the page: where it links, its title, the price written
/// beside it (a currency's mark and a number), the element that shows it.
fn unmarked(
    url: String,
    title: String,
    price: Option<&str>,
    source: ListingSource,
    path: String,
) -> Listing {
    Listing {
        url,
        title,
        description: String::new(),
        currency: price.and_then(currency_of).map(str::to_owned),
        price: price.and_then(parse_price),
        brand: None,
        seller: None,
        image_urls: Vec::new(),
        source,
        path: Some(path),
        sponsored: false,
    }
}

/// A price from "¥1,299.00", "1299", "66,75 €", "1.299,00 €", or a JSON number: a comma
/// followed by one or two digits at the end is a decimal comma, else commas group thousands.
pub fn parse_price(text: &str) -> Option<f64> {
    static FIRST: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(NUMBER).expect("pattern parses"));
    let number: String = FIRST
        .find(text)?
        .as_str()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let number = number.trim_end_matches(['.', ',']);
    let decimal_comma = number
        .rsplit_once(',')
        .is_some_and(|(_, cents)| (1..=2).contains(&cents.len()) && !cents.contains('.'));
    let cleaned: String = if decimal_comma {
        number.replace('.', "").replace(',', ".")
    } else {
        number.replace(',', "")
    };
    cleaned
        .parse()
        .ok()
        .filter(|p: &f64| p.is_finite() && *p >= 0.0)
}

/// The currency a price text names by its mark, if it names one.
fn currency_of(text: &str) -> Option<&'static str> {
    // (The number is set apart first, so that a mark written against it is a word.)
    let apart: String = text
        .chars()
        .map(|c| if c.is_ascii_digit() { ' ' } else { c })
        .collect();
    let mark = CURRENCY.find(&apart)?.as_str();
    CURRENCIES
        .iter()
        .find(|(m, _, _)| *m == mark)
        .and_then(|(_, code, _)| *code)
}

fn json_str(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(as_read(s.trim())),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Object(o) => o.get("name").and_then(json_str),
        serde_json::Value::Array(a) => a.first().and_then(json_str),
        _ => None,
    }
}

/// JSON-LD text as a reader reads it: some shops write HTML entities or tags into it
/// (`Cama Elo&iacute;sa`, dev page paris-cl-item-2021b).
fn as_read(text: &str) -> String {
    if !text.contains(['&', '<']) {
        return text.to_owned();
    }
    text_of(Html::parse_fragment(text).root_element())
}

/// Whether a JSON-LD item of schema.org type `name` is something sold: a product of any kind,
/// however the type is written (John Lewis writes `product`, dev page
/// johnlewis-uk-item-2021b), or an event whose tickets are priced (PuntoTicket's `Event` with
/// an `AggregateOffer`, dev page puntoticket-item-2021b).
fn sold_type(name: &str, priced: bool) -> bool {
    let name = name
        .rsplit(['/', ':'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    const PRODUCTS: [&str; 8] = [
        "product",
        "individualproduct",
        "productmodel",
        "productgroup",
        "someproducts",
        "vehicle",
        "car",
        "motorcycle",
    ];
    PRODUCTS.contains(&name.as_str()) || (priced && name.ends_with("event"))
}

fn json_ld_products(value: &serde_json::Value, page_url: &Url, out: &mut Vec<Listing>) {
    let mut queue = VecDeque::from([value]);
    while let Some(v) = queue.pop_front() {
        match v {
            serde_json::Value::Array(items) => queue.extend(items),
            serde_json::Value::Object(o) => {
                if let Some(graph) = o.get("@graph") {
                    queue.push_back(graph);
                }
                let offer = match o.get("offers") {
                    Some(serde_json::Value::Array(a)) => a.first(),
                    other => other,
                };
                let priced =
                    offer.is_some_and(|of| of.get("price").or(of.get("lowPrice")).is_some());
                let types = match o.get("@type") {
                    Some(serde_json::Value::Array(ts)) => {
                        ts.iter().filter_map(|t| t.as_str()).collect()
                    }
                    Some(t) => t.as_str().into_iter().collect(),
                    None => Vec::new(),
                };
                if !types.iter().any(|t| sold_type(t, priced)) {
                    continue;
                }
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
                    path: None,
                    sponsored: false,
                });
            }
            _ => {}
        }
    }
}

/// The item's property `name`: one of its own (not inside a nested item, as the breadcrumb's
/// names on an eBay page are) when it has one, else the first in it (an offer's price).
fn itemprop<'a>(scope: ElementRef<'a>, name: &str) -> Option<ElementRef<'a>> {
    own_itemprop(scope, name)
        .or_else(|| scope.select(&s(&format!(r#"[itemprop~="{name}"]"#))).next())
}

/// The item's own property `name`: the nearest item around it is `scope`.
fn own_itemprop<'a>(scope: ElementRef<'a>, name: &str) -> Option<ElementRef<'a>> {
    scope
        .select(&s(&format!(r#"[itemprop~="{name}"]"#)))
        .find(|el| is_own(scope, *el))
}

/// Every element giving the item's own property `name`, in document order.
fn own_itemprops<'a>(scope: ElementRef<'a>, name: &str) -> Vec<ElementRef<'a>> {
    scope
        .select(&s(&format!(r#"[itemprop~="{name}"]"#)))
        .filter(|el| is_own(scope, *el))
        .collect()
}

/// Whether the nearest item around the property `el` is `scope`.
fn is_own(scope: ElementRef<'_>, el: ElementRef<'_>) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .find(|a| a.value().attr("itemscope").is_some())
        .is_some_and(|a| a.id() == scope.id())
}

/// The block a microdata product stands in: the smallest element around its own shown name,
/// image and offer (a `meta` or `link` property shows nothing), or the scope itself when fewer
/// than two of them are there. An item page's Product scope can be the whole page body, and
/// its parts can stand far apart (OTTO's heading and price box hold its recommendation rows
/// between them, Leroy Merlin's offer sits in a tab: dev pages otto-de-item-2021b,
/// leroymerlin-pl-item-2021b); a block with more text than an item page's is not the item's,
/// and the product stands where its name shows.
fn listing_block(item: ElementRef<'_>) -> ElementRef<'_> {
    let visible = |el: &ElementRef<'_>| !matches!(el.value().name(), "meta" | "link");
    let names = own_itemprops(item, "name");
    let shown_name = names.iter().copied().find(visible);
    let parts: Vec<ElementRef<'_>> = shown_name
        .into_iter()
        .chain(
            ["image", "offers"]
                .iter()
                .filter_map(|p| own_itemprops(item, p).into_iter().find(visible)),
        )
        .collect();
    let block = match parts.as_slice() {
        [first, rest @ ..] if !rest.is_empty() => std::iter::once(*first)
            .chain(first.ancestors().filter_map(ElementRef::wrap))
            .take_while(|a| a.id() != item.id())
            .find(|a| {
                rest.iter()
                    .all(|r| r.ancestors().any(|up| up.id() == a.id()))
            })
            .unwrap_or(item),
        _ => item,
    };
    if super::words_of(block, ITEM_BLOCK_CHARS).is_some() {
        return block;
    }
    // A name given only in a `meta` shows in the element that holds it (Leroy Merlin's
    // `div.product-title` around its heading).
    shown_name
        .or_else(|| {
            names
                .first()
                .and_then(|meta| meta.parent())
                .and_then(ElementRef::wrap)
        })
        .unwrap_or(block)
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
        path: Some(path_of(listing_block(item))),
        sponsored: false,
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
        path: None,
        sponsored: false,
    })
}

/// What a buy button says, in the shops' languages: the whole of its text (or an input's value).
static BUY: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)^(?:加入购物车|加入購物車|放入购物车|放入購物車|立即购买|立即購買|立即抢购|立即搶購|立即订购|立即訂購|add to (?:cart|basket|bag|trolley)|buy (?:it )?now|in den (?:einkaufswagen|warenkorb)|jetzt kaufen|ajouter au panier|aggiungi al carrello|añadir al carrito|в корзину|купить|do koszyka|kup teraz|adaug[aă] [iî]n co[sș]|장바구니(?: 담기)?|바로\s?구매|구매하기|カートに入れる|sepete ekle|lisää ostoskoriin|kupi|do košíka|do košíku)$",
    )
    .expect("pattern parses")
});

/// The most text the block that prices an item page's heading may hold.
const ITEM_BLOCK_CHARS: usize = 6000;

/// The product of an item page that no markup names: the page's one `h1` with text, when the
/// page has a buy button (加入购物车, "Add to Cart", "In den Einkaufswagen"), priced by the
/// nearest block around the heading that shows a price (dev pages jd-item-2016a,
/// jd-item-2015e, pcstore-item-2021b). A news article has no buy button, and a list page has
/// no one heading for a product. Headings that say the same are copies of one (for another
/// screen, or another size hidden until chosen: dev pages zalando-fi-item-2021b,
/// eduscho-at-item-2021b); the first is the one shown. A page that says it is an article
/// (`og:type` `article`) is headed by its headline, whatever it sells beside it (Women's
/// Health's "Jetzt kaufen" for its current issue, dev page womenshealth-de-2022).
fn bought_heading(doc: &Html, page_url: &Url) -> Option<Listing> {
    let article = doc
        .select(&s(r#"meta[property="og:type"]"#))
        .filter_map(|m| m.value().attr("content"))
        .any(|c| c.trim().eq_ignore_ascii_case("article"));
    if article {
        return None;
    }
    // The one heading first: it is found faster than every link's words are read, and many
    // pages have none or several.
    let h1 = s("h1");
    let mut headings = doc
        .select(&h1)
        .filter(|h| !in_template(*h))
        // (A heading in a menu names the menu: eKlinika's category list, dev page
        // eklinika-hr-item-2021.)
        .filter(|h| {
            !h.ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().name() == "nav")
        })
        .map(|h| (h, text_of(h)))
        .filter(|(_, t)| !t.is_empty());
    let (heading, title) = headings.next()?;
    if headings.any(|(_, t)| t != title) {
        return None;
    }
    let buyable = doc.select(&s("a, button, input")).any(|el| {
        let said = match el.value().name() {
            "input" => el.value().attr("value").map(str::to_owned),
            _ => super::words_of(el, 24),
        };
        said.is_some_and(|t| BUY.is_match(t.trim())) && !in_template(el)
    });
    if !buyable {
        return None;
    }
    let price = heading
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take(6)
        .map_while(|a| super::words_of(a, ITEM_BLOCK_CHARS))
        .find_map(|t| PRICE.find(&t).map(|m| m.as_str().to_owned()));
    Some(unmarked(
        page_url.to_string(),
        title,
        price.as_deref(),
        ListingSource::Heading,
        path_of(heading),
    ))
}

/// A product from a site file's selectors, read inside `root` (the page, or one card of a list
/// page; a card's link is the listing's URL).
fn site_product(site: &SiteSelectors, root: ElementRef<'_>, page_url: &Url) -> Option<Listing> {
    let element = |sel: &str| parsed(sel).and_then(|sel| root.select(&sel).next());
    let first = |sel: &str| element(sel).map(text_of);
    let opt = |sel: &Option<String>| sel.as_deref().and_then(first).filter(|t| !t.is_empty());
    let url = if site.item.is_some() {
        std::iter::once(root)
            .chain(root.select(&s("a[href]")))
            .find_map(|a| absolute(page_url, a.value().attr("href")?))
            .map_or_else(|| page_url.to_string(), String::from)
    } else {
        page_url.to_string()
    };
    let title = site.title.as_deref()?;
    let price = site.price.as_deref().and_then(first);
    Some(Listing {
        url,
        title: first(title)?,
        description: opt(&site.description).unwrap_or_default(),
        currency: Some(
            price
                .as_deref()
                .and_then(currency_of)
                .unwrap_or("CNY")
                .to_owned(),
        ),
        price: price.and_then(|p| parse_price(&p)),
        brand: opt(&site.brand),
        seller: opt(&site.seller),
        image_urls: site
            .image
            .as_deref()
            .and_then(parsed)
            .map(|sel| {
                root.select(&sel)
                    .filter_map(|i| absolute(page_url, i.value().attr("src")?))
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
        source: ListingSource::Selectors,
        path: element(title).map(path_of),
        sponsored: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listings_of(html: &str) -> Vec<Listing> {
        let mut out = Vec::new();
        let url = Url::parse("https://i3fresh.tw/favorable_1409.html").unwrap();
        product_cards(&Html::parse_document(html), &url, &mut out);
        out
    }

    #[test]
    fn a_row_of_cards_with_pictures_links_and_prices_is_listings() {
        // The right column of dev page i3fresh-item-2020a.
        let html = r#"<html><body><ul class="side_prd">
            <li><a href="favorable_1026.html"><img src="/1.jpg" alt="總統級牛排21oz》買一送一"></a>
            <div>總統級牛排21oz》買一送一</div><strike>原價 $1,134</strike> <span>599</span>元起/片</li>
            <li><a href="favorable_786.html"><img src="/2.jpg" alt="台南麻豆大白柚(5斤)"></a>
            <div>台南麻豆大白柚(5斤)</div><strike>原價 $599</strike> <span>500</span>元起/箱</li>
            <li><a href="favorable_826.html"><img src="/3.jpg" alt="甜蜜蜜砂糖橘"></a>
            <div>甜蜜蜜砂糖橘</div><strike>原價 $699</strike> <span>399</span>元起/箱</li>
            </ul></body></html>"#;
        let found = listings_of(html);
        let got: Vec<(&str, Option<f64>)> =
            found.iter().map(|l| (l.title.as_str(), l.price)).collect();
        assert_eq!(
            got,
            [
                ("總統級牛排21oz》買一送一", Some(599.0)),
                ("台南麻豆大白柚(5斤)", Some(500.0)),
                ("甜蜜蜜砂糖橘", Some(399.0)),
            ]
        );
        assert_eq!(found[0].source, ListingSource::Cards);
        assert_eq!(found[0].url, "https://i3fresh.tw/favorable_1026.html");
        assert!(found[2]
            .path
            .as_deref()
            .unwrap()
            .ends_with("li:nth-of-type(3)"));
        // A photo-news row has no price; two cards are no row.
        assert!(listings_of(&html.replace(['$', '元'], "")).is_empty());
        let two = html.replacen("<li>", "<p>", 1).replacen("</li>", "</p>", 1);
        // A lazy picture not loaded yet is still a picture (OLX's related ads).
        let lazy = html.replace(
            r#"<img src="/2.jpg" alt="台南麻豆大白柚(5斤)">"#,
            "<figure></figure>",
        );
        assert_eq!(listings_of(&lazy).len(), 3);
        // A card whose one link holds its picture, price and title.
        let olx = r#"<ul>
            <li><a href="/item/1"><figure></figure><span>Featured</span><span>Rs 26,630</span><span>VIVO Y30 4/128</span></a><button>Favourite</button></li>
            <li><a href="/item/2"><figure></figure><span>Rs 21,600</span><span>Infinix S5</span></a><button>Favourite</button></li>
            <li><a href="/item/3"><figure></figure><span>Rs 19,380</span><span>Infinix Hot 10</span></a><button>Favourite</button></li>
            </ul>"#;
        let titles: Vec<String> = listings_of(olx).into_iter().map(|l| l.title).collect();
        assert_eq!(
            titles,
            ["Featured VIVO Y30 4/128", "Infinix S5", "Infinix Hot 10"]
        );
        assert!(listings_of(&html.replace("<img", "<span")).is_empty());
        assert!(listings_of(&two).is_empty());
        // A card's script is code, not text a reader sees (Paris.cl's cards each carry a
        // 900-character tracking script, dev page paris-cl-item-2021b).
        let script = format!(
            "<script>//<!-- /* <![CDATA[ */ (function(){{ try {{ if(window.CQuotient) {{ {} }} }} catch(e) {{}} }})(); /* ]]> */ // --></script></li>",
            "var cq_params = {}; cq_params.cookieId = window.CQuotient.getCQCookieId(); ".repeat(10)
        );
        assert_eq!(listings_of(&html.replace("</li>", &script)).len(), 3);
    }

    #[test]
    fn a_card_is_read_as_it_shows() {
        // Dev page leroymerlin-pl-item-2021b: the price is split over inline boxes, and every
        // card's longest link is its cart button (`href="#"`).
        let leroy = |n: u32| {
            format!(
                r##"<div class="product swiper-slide tiles"><a class="url" href="/panel-{n},p46533{n}.html" title="Panel tapicerowany Ciemnozielony">
<span class="img"><img src="/{n}.jpg" alt="Panel tapicerowany Ciemnozielony 30 x 30 cm"></span>
<h3 class="title">Panel tapicerowany Ciemnozielony 30 x 30 cm</h3>
<span class="price"><span class="integer">25</span><span class="fractional">,99</span> <span class="postfix">zł<span class="unit"> /szt.</span></span></span></a>
<span class="opinion-box"><a href="/panel-{n}.html#tab-opinie">0</a></span>
<div class="product-block-buttons"><a href="#" class="add-to-basket"><span>do koszyka</span> <span>Sprawdź dostępność w sklepie</span> <span>Produkt niedostępny</span></a>
<div class="compare"><a href="#" class="compare-link">Porównaj</a></div></div></div>"##
            )
        };
        let html = format!(
            "<div class=swiper-wrapper>{}{}{}</div>",
            leroy(1),
            leroy(2),
            leroy(3)
        );
        let found = listings_of(&html);
        let got: Vec<(&str, Option<f64>, Option<&str>)> = found
            .iter()
            .map(|l| (l.title.as_str(), l.price, l.currency.as_deref()))
            .collect();
        assert_eq!(
            got,
            // (Titled by the link's heading, without the price's unit after it.)
            [(
                "Panel tapicerowany Ciemnozielony 30 x 30 cm",
                Some(25.99),
                Some("PLN")
            ); 3]
        );
        assert_eq!(found[1].url, "https://i3fresh.tw/panel-2,p465332.html");
        // A promoted card shows two prices and its discount too: 162 characters in all.
        let promoted = html.replace(
            r#"<span class="price">"#,
            r#"<span>Promocja</span> <span class="old">36,49 zł /szt.</span> <span>12% taniej</span> <span class="price">"#,
        );
        let one = super::super::text_of(Html::parse_fragment(&promoted).root_element());
        assert!(one.chars().count() / 3 > 160, "{one}");
        assert_eq!(listings_of(&promoted).len(), 3);
        // OTTO (dev page otto-de-item-2021b): a picture not loaded yet is a box with its
        // `data-src`.
        let otto = |n: u32| {
            format!(
                r#"<li class="reco_cinema__tile"><a class="reco_cinema__adslink" href="/p/eisch-whiskyglas-{n}/">
<div class="reco_cinema__image"><div class="reco_cinema__image_placeholder" data-src="https://i.otto.de/i/otto/{n}"></div></div>
<div class="reco_cinema__desc"><div class="reco_cinema__article-brand">Eisch</div>
<div class="reco_cinema__article-name">Whiskyglas »Sky SensisPlus« (4-tlg), 390 ml</div>
<div><span class="reco_cinema__price-red">€ 58,48</span></div></div></a></li>"#
            )
        };
        let html = format!("<ul>{}{}{}</ul>", otto(1), otto(2), otto(3));
        assert_eq!(listings_of(&html).len(), 3);
        assert!(listings_of(&html.replace("data-src", "data-x")).is_empty());
        // AviviD's recommendation cards (dev page i3fresh-item-2020a) draw their picture as a
        // background and open their product by script.
        let avivid = |n: u32, name: &str| {
            format!(
                r#"<div class="avivid_item_pc_other" name="avivid_item" onclick="AviviD.click_href('https://i3fresh.tw/cheap_{n}.html?utm_source=likr&amp;utm_medium=recommendation06',3)">
<div class="avivid_item_image"><div class="avivid_other_image" style="background-image: url('https://pic.i3fresh.tw/upload/product/f_{n}.jpg')"></div></div>
<div class="avivid_pc_item_title">{name}</div><div class="avivid_sale_price">$129</div><div class="avivid_price">$200</div><div></div></div>"#
            )
        };
        let html = format!(
            "<div id=avivid_bar_3>{}{}{}</div>",
            avivid(437, "超好吃卡拉脆蝦(原味)"),
            avivid(46, "鮮凍金目鱸魚清肉排"),
            avivid(189, "完熟黃金冰烤地瓜")
        );
        let found = listings_of(&html);
        // (The first card's title, address and price.)
        let first = |found: &[Listing]| {
            found
                .first()
                .map(|l| (l.title.clone(), l.url.clone(), l.price))
        };
        assert_eq!(
            first(&found),
            Some((
                "超好吃卡拉脆蝦(原味)".to_owned(),
                "https://i3fresh.tw/cheap_437.html?utm_source=likr&utm_medium=recommendation06"
                    .to_owned(),
                Some(129.0)
            )),
            "{found:?}"
        );
        assert_eq!(found.len(), 3);
        // Without a page to open, a box is no card.
        assert!(listings_of(&html.replace("https://i3fresh.tw/", "")).is_empty());
        // ELLE's picks (dev page elle-de-2019): tracdelight's cards hold no link, only the
        // address their script opens.
        let pick = |brand: &str, name: &str, price: &str| {
            format!(
                r#"<div class="item-ecommerce item-product" data-title="{name}" data-shop="mytheresa DE" data-price="{price}" data-currency="EUR" data-external-url="https://td.oo34.net/cl/?aaid=lFfCbCyQIw86JImD&amp;ein=7e93d4iuwlxyopjr" data-provider="tracdelight">
<div class="img-container"><img height="241" width="200" data-src="/sites/default/files/styles/product_s/public/tracdelight-7e93d4iuwlxyopjr.jpg" alt="{name}" src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"></div>
<div class="caption"><div class="text-brand">{brand}</div><div class="text-headline">{name}</div><div class="text-price">{price} €</div><div class="btn">Zum Shop</div></div></div>"#
            )
        };
        let html = format!(
            r#"<div class="container-content affiliatelinks--hide">{}{}{}</div>"#,
            pick("Gucci", "Plateau-Sneakers Ace aus Leder", "595,00"),
            pick("Golden Goose", "Hi Star Plateau-Sneakers", "325,00"),
            pick("Prada", "Plateau-Sneakers aus Leder", "580,00")
        );
        let found = listings_of(&html);
        assert_eq!(
            first(&found),
            Some((
                "Plateau-Sneakers Ace aus Leder".to_owned(),
                "https://td.oo34.net/cl/?aaid=lFfCbCyQIw86JImD&ein=7e93d4iuwlxyopjr".to_owned(),
                Some(595.0)
            )),
            "{found:?}"
        );
        assert_eq!(found.len(), 3);
        assert!(listings_of(&html.replace("data-external-url", "data-x")).is_empty());
        // GetIT prices in shekels, Namshi (dev page namshi-sa-item-2021b) in riyals.
        assert_eq!(currency_of("רק 189 ₪"), Some("ILS"));
        assert_eq!(
            PRICE
                .find("ساس اند بيلKids Daisy Toy Set126 ر.س")
                .map(|m| m.as_str()),
            Some("126 ر.س")
        );
        assert_eq!(currency_of("126 ر.س"), Some("SAR"));
        assert_eq!(parse_price("189 ₪"), Some(189.0));
    }

    #[test]
    fn a_bare_number_in_an_element_named_for_a_price_prices_a_card() {
        // John Lewis's recommendations (dev page johnlewis-uk-item-2021b): the pound sign is
        // drawn by a style sheet.
        let card = |id: u32, title: &str, price: &str| {
            format!(
                r#"<section data-test="product-card"><a href="/p{id}"><img src="/{id}.jpg" alt="{title}"></a>
                <a href="/p{id}"><h2 class="title_title__3Py6T">{title}</h2>
                <div class="info-section price_c-product-card__price__3l5nG">{price}</div>
                <span class="rating_reviews__10NvE">(10)</span></a></section>"#
            )
        };
        let html = format!(
            "<html><body><div class=\"slick-track\">{}{}{}</div></body></html>",
            card(2707546, "Origins Plantscription SPF 25 Cream, 50ml", "50"),
            card(1635084, "Liz Earle Superskin Moisturiser", "42"),
            card(3297280, "Clarins Double Serum", "58 - 78"),
        );
        let found = listings_of(&html);
        let got: Vec<(&str, Option<f64>)> =
            found.iter().map(|l| (l.title.as_str(), l.price)).collect();
        assert_eq!(
            got,
            [
                ("Origins Plantscription SPF 25 Cream, 50ml", Some(50.0)),
                ("Liz Earle Superskin Moisturiser", Some(42.0)),
                ("Clarins Double Serum", Some(58.0)),
            ]
        );
        assert_eq!(found[0].currency, None);
        // A bare number elsewhere (a review count) prices nothing.
        let unnamed = html.replace("price_c-product-card__price__3l5nG", "info__3l5nG");
        assert!(listings_of(&unnamed).is_empty());
    }

    #[test]
    fn json_ld_text_reads_as_shown() {
        // Dev page paris-cl-item-2021b writes HTML entities into its JSON-LD.
        let value: serde_json::Value = serde_json::from_str(
            r#"{"@context":"http://schema.org/","@type":"Product","name":"Cama Elo&iacute;sa Single 1.5 Plazas + Set 2 Cajones Cic","brand":{"@type":"Thing","name":"CIC"},"offers":{"@type":"Offer","priceCurrency":"CLP","price":"249990"}}"#,
        )
        .unwrap();
        let mut out = Vec::new();
        json_ld_products(
            &value,
            &Url::parse("https://www.paris.cl/").unwrap(),
            &mut out,
        );
        assert_eq!(
            out[0].title,
            "Cama Eloísa Single 1.5 Plazas + Set 2 Cajones Cic"
        );
        assert_eq!(out[0].brand.as_deref(), Some("CIC"));
        assert_eq!(as_read("Size < 10 & up"), "Size < 10 & up");
    }

    #[test]
    fn json_ld_things_sold_are_products_however_written() {
        let found = |json: &str| {
            let mut out = Vec::new();
            let value: serde_json::Value = serde_json::from_str(json).unwrap();
            json_ld_products(
                &value,
                &Url::parse("https://shop.example/").unwrap(),
                &mut out,
            );
            out.into_iter()
                .map(|l| (l.title, l.price))
                .collect::<Vec<_>>()
        };
        // Dev page johnlewis-uk-item-2021b writes the type in lower case.
        let lewis = r#"{"offers":{"priceCurrency":"GBP","@type":"Offer","price":"36.50"},"@type":"product","@context":"https://schema.org/","name":"Origins A Perfect World™ Age-Defence Moisturiser SPF 40 with White Tea, 50ml"}"#;
        assert_eq!(
            found(lewis),
            [(
                "Origins A Perfect World™ Age-Defence Moisturiser SPF 40 with White Tea, 50ml"
                    .into(),
                Some(36.5)
            )]
        );
        assert_eq!(
            found(&lewis.replace("\"product\"", "\"schema:Car\"")).len(),
            1
        );
        // Dev page puntoticket-item-2021b sells tickets to an event.
        let ticket = r#"[{"@context":"http://schema.org","@type":"Event","name":"De vez en cuando la vida en Streaming Punto Play - Santiago","startDate":"2020-12-12T21:00:00","offers":{"@type":"AggregateOffer","lowPrice":"5000","highPrice":"5000","priceCurrency":"CLP"}}]"#;
        assert_eq!(
            found(ticket),
            [(
                "De vez en cuando la vida en Streaming Punto Play - Santiago".into(),
                Some(5000.0)
            )]
        );
        // An event that sells nothing, and an article, are no listing.
        assert!(found(&ticket.replace("lowPrice", "validFrom")).is_empty());
        assert!(
            found(r#"{"@type":"NewsArticle","name":"Markets","offers":{"price":"1"}}"#).is_empty()
        );
    }

    #[test]
    fn prices_parse() {
        assert_eq!(parse_price("¥1,299.00"), Some(1299.0));
        assert_eq!(parse_price("价格：380元"), Some(380.0));
        assert_eq!(parse_price("面议"), None);
        assert_eq!(parse_price("66,75\u{a0}€"), Some(66.75));
        assert_eq!(parse_price("1.299,00 €"), Some(1299.0));
        assert_eq!(parse_price("£1,299"), Some(1299.0));
        assert_eq!(parse_price("US $24.99."), Some(24.99));
        assert_eq!(currency_of("66,75\u{a0}€"), Some("EUR"));
        assert_eq!(currency_of("¥380"), Some("CNY"));
        assert_eq!(currency_of("380"), None);
        // The marks of batch 21's dev pages: OLX, eMAG, TMON, Yandex Market, Smartprix.
        for (text, price, currency) in [
            ("Rs 26,630", 26630.0, None),
            ("139,99 Lei", 139.99, Some("RON")),
            ("균일가 28,800원", 28800.0, Some("KRW")),
            ("265 ₽", 265.0, Some("RUB")),
            ("₹17,990", 17990.0, Some("INR")),
            ("NT$ 1,134", 1134.0, Some("TWD")),
            // Thousands grouped by spaces, and the marks of batch 27's and 25's dev pages.
            ("1\u{a0}299 ₽", 1299.0, Some("RUB")),
            ("132 990 тг.", 132990.0, Some("KZT")),
            ("403,00 б.р.", 403.0, Some("BYN")),
            ("€ 1 234,50", 1234.5, Some("EUR")),
            ("EUR55.99 -30% EUR39.19", 55.99, Some("EUR")),
            ("12TL", 12.0, Some("TRY")),
        ] {
            let found = PRICE.find(text).map(|m| m.as_str());
            assert_eq!(found.and_then(parse_price), Some(price), "{text}");
            assert_eq!(found.and_then(currency_of), currency, "{text}");
        }
        // A number before a mark written before numbers is no price (a part number).
        assert_eq!(
            PRICE
                .find("Webcam 884116204275 $1,200.00")
                .map(|m| m.as_str()),
            Some("$1,200.00")
        );
        // Numbers apart are not one number grouped: a year and a count.
        assert_eq!(parse_price("2021 12 €"), Some(2021.0));
        assert_eq!(
            PRICE.find("Größe 42, 12 100 €").map(|m| m.as_str()),
            Some("12 100 €")
        );
        // A mark in letters is a word of its own: not the start of `TLS` or `Lein`.
        for text in ["HTTP/1.1 TLS", "2 Lein", "HTML5", "Rs.Tube 5"] {
            assert!(!PRICE.is_match(text), "{text}");
        }
    }

    /// The shape of an eBay item page (ebay-it-item-2021 of seeds/pages): the Product scope is
    /// the page body, a breadcrumb's nested items come first with names of their own, and the
    /// price sits in a nested offer.
    #[test]
    fn a_page_wide_product_takes_its_own_name_and_the_block_around_its_parts() {
        let html = r#"<html><body><div id="Body" itemscope itemtype="https://schema.org/Product">
<div id="vi-top"><ul itemscope itemtype="https://schema.org/BreadcrumbList">
<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem"><a itemprop="item" href="/c"><span itemprop="name">Giocattoli</span></a></li></ul>
<div class="ad"><iframe src="https://ads.example/x"></iframe></div></div>
<div id="CenterPanel"><div id="PicturePanel"><img id="icImg" itemprop="image" src="/i.jpg"></div>
<div id="LeftSummaryPanel"><h1 id="itemTitle" itemprop="name">Angel Teddy Bear</h1>
<div id="mainContent" itemprop="offers" itemscope itemtype="https://schema.org/Offer">
<span id="prcIsum" itemprop="price" content="12.99">EUR 12,99</span><meta itemprop="priceCurrency" content="EUR"></div></div></div>
<div id="related"><a href="/itm/2">Another bear</a></div></div></body></html>"#;
        let url = Url::parse("https://www.ebay.it/itm/1").unwrap();
        let no_sites = tempfile::tempdir().unwrap();
        let extractor = Extractor::new(Vec::new(), no_sites.path()).unwrap();
        let listings = extractor.listings(&url, &Html::parse_document(html));
        let [bear] = listings.as_slice() else {
            panic!("{listings:#?}")
        };
        assert_eq!(bear.title, "Angel Teddy Bear");
        assert_eq!(bear.price, Some(12.99));
        assert_eq!(bear.currency.as_deref(), Some("EUR"));
        let path = bear.path.as_deref().unwrap();
        assert!(path.ends_with("div:nth-of-type(2)"), "{path}");
        assert!(!path.contains("div:nth-of-type(2) > div"), "{path}");
    }

    #[test]
    fn a_product_whose_parts_stand_far_apart_stands_where_its_name_shows() {
        // Dev page otto-de-item-2021b: the name is first given in a hidden `meta`; the heading
        // and the price box hold the recommendation rows between them.
        let reco: String = (0..100)
            .map(|i| format!(r#"<li><a href="/p/{i}">Eisch Whiskyglas »Sky SensisPlus« (4-tlg), bleifreies Kristallglas, 390 ml</a> € 58,48</li>"#))
            .collect();
        let otto = format!(
            r#"<html><body itemscope itemtype="http://schema.org/Product">
<div class="js_metaVariationId"><meta itemprop="name" content="Eisch Whiskyglas »Hamilton«"><meta itemprop="sku" content="1"></div>
<div id="detailviewWrapper"><section><h1 class="prd_shortInfo__variationName" itemprop="name">Eisch Whiskyglas »Hamilton« (2-tlg)</h1></section>
<div class="prd_recommendations"><ul>{reco}</ul></div>
<section id="detailview"><div class="prd_price" itemprop="offers" itemscope itemtype="http://schema.org/Offer"><span itemprop="price" content="56.74">€ 56,74</span></div></section></div>
</body></html>"#
        );
        let url = Url::parse("https://www.otto.de/p/eisch-whiskyglas-hamilton/").unwrap();
        let item = |html: &str| {
            let doc = Html::parse_document(html);
            let found = doc
                .select(&s(r#"[itemscope][itemtype*="schema.org/Product"]"#))
                .map(|i| microdata_product(i, &url))
                .next()
                .unwrap();
            let at = found.path.clone().unwrap();
            (found, at)
        };
        let (product, at) = item(&otto);
        assert_eq!(product.title, "Eisch Whiskyglas »Hamilton«");
        assert_eq!(product.price, Some(56.74));
        assert!(
            at.ends_with("section:nth-of-type(1) > h1:nth-of-type(1)"),
            "{at}"
        );
        // Leroy Merlin (dev page leroymerlin-pl-item-2021b) names it in a `meta` only, beside
        // its heading; the offer is in a tab below the product series.
        let leroy = format!(
            r#"<html><body><div class="product-card-main" itemscope itemtype="http://schema.org/Product">
<div class="product-gallery"><img itemprop="image" src="/p.jpg"></div>
<div class="product-title"><meta itemprop="name" content="Panel tapicerowany"><h1>Panel tapicerowany Ciemnoniebieski 60 x 30 cm</h1></div>
<section class="product-collection"><ul>{reco}</ul></section>
<table><tr><td itemprop="offers" itemscope itemtype="http://schema.org/Offer"><meta itemprop="price" content="32"></td></tr></table>
</div></body></html>"#
        );
        let (product, at) = item(&leroy);
        assert_eq!(product.title, "Panel tapicerowany");
        assert!(at.ends_with("div:nth-of-type(2)"), "{at}");
        assert!(
            !at.ends_with("body:nth-of-type(1) > div:nth-of-type(1)"),
            "{at}"
        );
        // Parts close together still make one block around them.
        let (_, at) = item(&otto.replace(&reco, ""));
        assert!(at.ends_with("div:nth-of-type(2)"), "{at}");
    }
}

#[cfg(test)]
mod heading_tests {
    use super::*;

    fn heading_of(html: &str) -> Option<Listing> {
        let url = Url::parse("https://item.jd.com/1309403.html").unwrap();
        bought_heading(&Html::parse_document(html), &url)
    }

    /// JD's item page of 2016 (dev page jd-item-2016a): no product markup, the price filled in
    /// beside the title, a cart button further down.
    const JD: &str = r##"<html><body><div class="w"><a href="//www.jd.com/"><h1></h1></a></div>
        <div id="itemInfo">
        <div id="name"><h1 data-segmented="1">创维（Skyworth）M300 网络电视机顶盒 四核 芒果TV 安卓智能高清播放器 黑色</h1>
        <div id="p-ad" class="p-ad J-ad-1309403">美国进口Amlogic四核，支持所有老电视！</div></div>
        <div id="summary"><div id="summary-price"><div class="dt">京 东 价：</div>
        <div class="dd"><strong class="p-price" id="jd-price">￥249.00</strong>
        <a id="notice-downp" href="#none">(降价通知)</a></div></div></div>
        <div id="choose-btns"><a class="btn-append " id="InitCartUrl" href="http://gate.jd.com/InitCart.aspx?pid=1309403">加入购物车<b></b></a></div>
        </div></body></html>"##;

    #[test]
    fn an_item_pages_one_heading_is_its_product_when_it_can_be_bought() {
        let item = heading_of(JD).expect("the item is a listing");
        assert_eq!(
            item.title,
            "创维（Skyworth）M300 网络电视机顶盒 四核 芒果TV 安卓智能高清播放器 黑色"
        );
        assert_eq!(item.price, Some(249.0));
        assert_eq!(item.currency.as_deref(), Some("CNY"));
        assert_eq!(item.source, ListingSource::Heading);
        assert!(item
            .path
            .unwrap()
            .ends_with("div:nth-of-type(2) > div:nth-of-type(1) > h1:nth-of-type(1)"));
        // An input's value is a button's text too.
        let input = JD.replace(
            r#"<a class="btn-append " id="InitCartUrl" href="http://gate.jd.com/InitCart.aspx?pid=1309403">加入购物车<b></b></a>"#,
            r#"<input type="submit" value="Add to Cart">"#,
        );
        assert!(heading_of(&input).is_some());
    }

    #[test]
    fn a_heading_without_a_buy_button_or_beside_another_is_no_product() {
        // An article that quotes a price has no cart.
        assert!(heading_of(&JD.replace("加入购物车", "分享")).is_none());
        // A link that only mentions the cart is no button.
        assert!(
            heading_of(&JD.replace("加入购物车", "加入购物车的商品都在这里，去看看")).is_none()
        );
        // Two headings: which one is the product is not known.
        assert!(heading_of(&JD.replace("<h1></h1>", "<h1>京东</h1>")).is_none());
        // An article's headline, beside a button to buy the magazine's issue.
        let article = JD.replace(
            "<html>",
            r#"<html><head><meta property="og:type" content="article"></head>"#,
        );
        assert!(heading_of(&article).is_none());
    }

    #[test]
    fn a_slovak_cart_button_makes_the_heading_a_product() {
        // Dev page agem-sk-item-2021b: the logo in an `h1` (no words), the product in another.
        let agem = r#"<html><body><header><h1 class="top-logo"><a href="/"><img src="/logo.png"
            alt="Agem.sk"></a></h1></header><article><h1 class="heading">ANPIX Redukcia z NGFF
            M2 (key M) na PCI-E 4x AG-M22PCIE4</h1><div class="price-wrap-detail"><span
            class="price">4,27 €</span></div><form><button type="submit">Do košíka</button>
            </form></article></body></html>"#;
        let found = heading_of(agem).expect("the product heading");
        assert!(found.title.starts_with("ANPIX Redukcia"), "{}", found.title);
        assert_eq!(found.price, Some(4.27));
        assert!(heading_of(&agem.replace("Do košíka", "Porovnať")).is_none());
    }

    #[test]
    fn headings_that_say_the_same_are_one_product_and_the_first_is_it() {
        // Eduscho's item page (dev page eduscho-at-item-2021b) repeats its product block for
        // each size, the others hidden until chosen; Zalando (zalando-fi-item-2021b) repeats
        // its title for small screens.
        let html = r#"<html><body><form><div class="m-tp-base"><h1>Umstandskleid in Wickeloptik</h1>
            <div class="price">€ 29,99</div><button>In den Warenkorb</button></div></form>
            <div class="h-tp-hidden"><form><div class="m-tp-base"><h1>Umstandskleid in Wickeloptik</h1>
            <div class="price">€ 29,99</div><button>In den Warenkorb</button></div></form></div>
            </body></html>"#;
        let item = heading_of(html).expect("one product");
        assert_eq!(item.title, "Umstandskleid in Wickeloptik");
        assert_eq!(item.price, Some(29.99));
        let at = item.path.unwrap();
        assert!(at.ends_with("body:nth-of-type(1) > form:nth-of-type(1) > div:nth-of-type(1) > h1:nth-of-type(1)"), "{at}");
        // The Finnish cart button (Zalando's).
        let fi = html.replace("In den Warenkorb", "Lisää ostoskoriin");
        assert!(heading_of(&fi).is_some());
        // A heading in a menu is the menu's (eKlinika, dev page eklinika-hr-item-2021), and
        // Croatian's "Kupi" is a buy button.
        let hr = html
            .replace(
                "<body>",
                "<body><nav><ul><li><h1>Zdravstvene usluge</h1></li></ul></nav>",
            )
            .replace("In den Warenkorb", "Kupi");
        let item = heading_of(&hr).expect("the product beside the menu");
        assert_eq!(item.title, "Umstandskleid in Wickeloptik");
    }

    #[test]
    fn opengraph_names_the_product_and_the_bought_heading_places_and_prices_it() {
        // Bestseller (dev page bestseller-ie-item-2021b): og:type product with no price tag,
        // the title with the brand before it; the heading and its price in the page.
        let html = r#"<html><head><meta property="og:type" content="product">
            <meta property="og:title" content="ONLY LEATHER LOOK SHIRT"></head><body>
            <div class="product"><h1 class="product-name--visible">LEATHER LOOK SHIRT</h1>
            <span class="price">€29.99</span><a href="/cart">Add to Bag</a></div></body></html>"#;
        let url = Url::parse("https://shop.bestseller.com/p/1").unwrap();
        let no_sites = tempfile::tempdir().unwrap();
        let extractor = Extractor::new(Vec::new(), no_sites.path()).unwrap();
        let found = extractor.listings(&url, &Html::parse_document(html));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].title, "ONLY LEATHER LOOK SHIRT");
        assert_eq!(found[0].source, ListingSource::OpenGraph);
        assert_eq!(found[0].price, Some(29.99));
        assert_eq!(found[0].currency.as_deref(), Some("EUR"));
        let at = found[0].path.as_deref().unwrap();
        assert!(
            at.ends_with("div:nth-of-type(1) > h1:nth-of-type(1)"),
            "{at}"
        );
        // Without a buy button the tags stand alone, unplaced.
        let found = extractor.listings(
            &url,
            &Html::parse_document(&html.replace("Add to Bag", "Share")),
        );
        assert_eq!(found[0].path, None);
        assert_eq!(found[0].price, None);
    }
}
