//! Which elements of a page are ads, by five detectors: the lists' element-hiding rules (run in
//! `hiding`) and network rules for iframes and images, by Brave's `adblock` engine; a site
//! file's paid blocks (`sponsored`); ad-server slot markup (`ins.adsbygoogle`, `div-gpt-ad-*`,
//! the box a Baidu or Alimama ad call names or fills, a container a script appends an ad box to,
//! the box a script writes an ad box in, an element of the page's own kind named for an ad such
//! as `<ad>`, an empty box named for an ad format...), reported even while empty; a label (广告,
//! 推广, Sponsored..., "ADVERTISEMENT – advertiser", or drawn by CSS) that marks the smallest
//! block around it holding a link or an image, or, with nothing else there, the box it shares
//! with the script that draws the ad or the empty box under it; and frames and picture boxes
//! named for ads, or at an IAB size from another site, or asking their server for a creative of
//! their own size; links the site marks as ads (an ad-click event, an ad flag in the URL, a
//! campaign tag that calls a picture link a banner, a banner click counter's number); a
//! sidebar's run of picture widgets linking to local advertisers; sponsors' logos in a box named
//! for them; and posts a blog's theme files under a paid category. A box its page asks Taboola
//! to fill with its own stories is none; nor are controls about ads (ad feedback, AdChoices, a
//! menu's entry to the ad sales, an empty caption beside the ad). A block of ads any of them
//! finds is reported as its ads (`results`: search results, cards).
//! For each ad: its text, landing URL, whether it is labelled, and for pop-ups, whether a
//! one-click close control exists.

use super::{absolute, in_template, parsed, path_of, s, selector_of, words_of, Extractor};
use adblock::request::Request;
use admon_domain::{AdForm, AdSample};
use results::{ad_items, headed_items, is_promotion_heading, item_around};
use scraper::{ElementRef, Html};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;
use url::Url;

const LABELS: [&str; 4] = ["广告", "推广", "廣告", "赞助"];
const POPUP_MARKERS: [&str; 5] = ["popup", "modal", "overlay", "tanchuang", "interstitial"];

/// Whether `name` is a plain CSS class or id name (letters, digits, `-`, `_`; no escapes), so
/// `.name` or `#name` is that one class or id.
pub(super) fn is_css_name(name: &str) -> bool {
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

/// Whether a block's text (in lines, as `innerText` gives them) has an ad label line.
pub(crate) fn has_label(text: &str) -> bool {
    text.lines()
        .any(|line| is_label(line) || label_word(line.trim()).is_some())
}

/// Whether an element's text is an ad label; stops reading a long text early (the element
/// next to an ad can be the whole article).
fn is_label_element(el: ElementRef<'_>) -> bool {
    words_of(el, LABEL_CHARS).is_some_and(|text| is_label(&text))
}

/// A caption in a list of fields: a word and a colon, beside another such caption
/// (`Anzeige:` over a classified's number, beside `Datum:` and `Anzeigentyp:`, dev page
/// laendleanzeiger-item-2021). It names a field, not an ad; a lone `Ad:` over a video's
/// countdown stays a label.
fn is_field_caption(el: ElementRef<'_>) -> bool {
    let caption = |e: ElementRef<'_>| words_of(e, 30).is_some_and(|t| t.ends_with([':', '：']));
    caption(el)
        && el
            .prev_siblings()
            .chain(el.next_siblings())
            .filter_map(ElementRef::wrap)
            .any(|sib| sib.value().name() == el.value().name() && caption(sib))
}

/// The label word an element's own text is, when it is short and holds no other element with
/// text of its own (so that only the innermost element of `<span><b>广告</b></span>` counts).
fn own_label(el: ElementRef<'_>) -> Option<String> {
    // (As long as the longest of [`LABEL_WORDS`], "espacio publicitario".)
    const OWN_LABEL_CHARS: usize = 20;
    let text = words_of(el, OWN_LABEL_CHARS)?;
    let word = label_word(&text)?;
    let inner = el
        .children()
        .filter_map(ElementRef::wrap)
        .any(|c| words_of(c, OWN_LABEL_CHARS).is_some_and(|t| !t.is_empty()));
    (!inner).then_some(word)
}

/// Whether `el` is a heading: `h2`..`h6`, or a box whose class says header or title (a
/// sidebar's `div.widget-title`).
fn is_heading(el: ElementRef<'_>) -> bool {
    let v = el.value();
    matches!(v.name(), "h2" | "h3" | "h4" | "h5" | "h6")
        || (matches!(v.name(), "div" | "span" | "p")
            && v.classes().any(|c| {
                let c = c.to_ascii_lowercase();
                c == "header" || c == "title" || c.ends_with("-header") || c.ends_with("-title")
            }))
}

/// A heading that gives the label and then the advertiser, "ADVERTISEMENT – INKASA INTERIORS"
/// (India Post's sidebar widgets, dev page indiapost-en-2019): the label word, when a dash or a
/// colon parts it from a name of a few words.
fn titled_label(el: ElementRef<'_>) -> Option<String> {
    if !is_heading(el) {
        return None;
    }
    let text = words_of(el, 60)?;
    let (label, name) = [" – ", " — ", " - ", ": ", "："]
        .iter()
        .find_map(|sep| text.split_once(sep))?;
    let words = name.split_whitespace().count();
    ((1..=5).contains(&words))
        .then(|| label_word(label))
        .flatten()
}

/// Words of the names of controls about ads and of things beside them, which are no ads (see
/// [`ad_named`]).
const CONTROL_WORDS: &[&str] = &[
    "close",
    "feedback",
    "report",
    "adblock",
    "check",
    "readmore",
    "counter",
    "organic",
    // The prompt to let a site's ads through an ad blocker (SB Nation's empty
    // `div.c-ad-allowlist`, dev page sbnation-en-2016).
    "allowlist",
    "whitelist",
];

/// Whether a name (an id, a class, a frame's name or a step of a URL path) names an ad: `ad_ym`,
/// `right_lm_ad`, `gg-top`, `GoogleAdsense300x250`, `AdUnitOutOfPage`, `inline_ads`...
/// CamelCase words count as words (`GoogleRelatedAds`), so `adEditor` names an ad too: the
/// callers ask for more than a name.
fn ad_named(name: &str) -> bool {
    // Ad networks' names count too; Teads (an in-read video network: CNET's `teads-inread`) as
    // a word of its own, not "homesteads"; so are Media.net (CNN's `bizdev-medianet`, dev page
    // cnn-en-2024) and Yahoo's ad loader DARLA (`darla-container`, dev page yahoo-en-2), and
    // GPT, Google's publisher tag, as a word (Liputan6's `inf-gpt-…`, dev page liputan6-news-2024).
    // A commercial is an ad (Motor Presse's `div[is-commercial-sky]`, dev page
    // outdoormagazin-de-2022); so is German "Werbung" (literaturkritik.de's `div.werbung-item`,
    // dev page literaturkritik-de-2023), and iq digital's ad tiles are `iqadtile` run together
    // (`div#iqadtile5`, dev page handelsblatt-de-2020). Video and recommendation networks'
    // boxes are named for them: Vidoomy's (`div#vidoomy`, dev page elcolombiano-es-2022),
    // Send2News's (elnuevodia-es-2022), TrendMD's paid links (medicalnewstoday-en), and
    // Audienzz's positions are `adnz_*` (`div#adnz_content_1`, polizeiticker-de-2023), and
    // Webedia's ad library JAD's are `jad-*` (`div#jad-interstitial`, mein-mmo-de-2023), and
    // the native network Ligatus's boxes are named for it (`div#ligatus_mopo_footer`, dev page
    // mopo-de-2019); so are Admixer's and MixAdvert's, ad networks of Ukrainian sites
    // (`div#admixer_premium_inner`, `div#MIXADV_6991`, dev page football-ua-ru-2016), and
    // AdThrive's, which food and garden blogs place in their themes (`div.adthrivesidebar`, dev
    // page plantcaretoday-en-2020), and the native network Nativo's, as a word of its own
    // (`div#nativo_1`, dev page sandiegouniontribune-en-2019).
    // Spanish and Portuguese name ads "publicidad(e)" (Correio Braziliense's
    // `div#cb-publicidade-retangulo-1`, dev page correiobraziliense-pt-2022). An advertorial is
    // paid copy (der Freitag's `aside#x-advertorial-box`, dev page freitag-de-2020), and
    // `adsslot` an ad slot (The Economic Times' `div[data-adsslot="/7176/…"]`, dev page
    // economictimes-en-2020).
    static AD_NAME: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)(^|[^a-z])(ad|ads|adv|advt|advert|advertisement|advertorial|adbox|adslot|adsslot|adunit|dfp|gg|guanggao|commercial|publicidad|publicidade)([^a-z]|$)|adsense|googlead|doubleclick|taboola|outbrain|(^|[^a-z])(teads|medianet|darla|gpt|adnz|jad|nativo)([^a-z]|$)|sinaads|fengchao|gujad|iqadtile|werbung|vidoomy|send2news|trendmd|ligatus|admixer|mixadv|adthrive",
        )
        .expect("pattern parses")
    });
    // `GoogleRelatedAds` -> `Google-Related-Ads`; an acronym ends before its word: `mp3AMGAd`
    // -> `mp3AMG-Ad`.
    static CAMEL: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"([a-z0-9])([A-Z])|([A-Z])([A-Z][a-z])").expect("pattern parses")
    });
    // `topad`, `adtop`, `news_imgad`, `txtad`, `adinterstitial`: "ad" (or 广告's "gg") run
    // together with where it goes (DiLei's `adoutofpage`, dev page dilei-it-2024; 360kuai's
    // `popupgg` and `textgg`, dev page 360kuai-news-2024).
    static COMPOUND: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)(^|[^a-z])((top|bottom|left|right|side|float|head|foot|img|pic|txt|text|banner|main|popup)(ads?|gg)|(ads?|gg)(top|bottom|left|right|side|float|head|foot|img|pic|txt|text|banner|area|wrap|con|list|box|bar|popup|outofpage|interstitial))([^a-z]|$)",
        )
        .expect("pattern parses")
    });
    // Every pattern holds "ad", "gg", "dfp" (DoubleClick for Publishers: CNA's
    // `data-enable-dfp`, dev page cna-news-2023), "taboola", "outbrain", "teads", "medianet",
    // "darla", "commercial", "werbung", a network's name or "fengchao" (凤巢, Baidu's search
    // ads, dev page baike-entry-2020): most names hold none (this runs on every element's
    // names, so the cheap test goes first).
    // Nor does a control about ads: a close button, an ad-feedback link (Amazon's
    // `product-ads-feedback`) or a button to report one (Stack Exchange's
    // `js-report-ad-button-container`, dev page engineering-stackexchange-forum-2024), a
    // message to readers who block ads (Yahoo's `AdBlockPromo`) or a check for them (DiLei's
    // `ad-block-check_friendly`), a "read more" fold (NBC's `taboolaReadMoreBelow`, dev page
    // today-en-2024); nor an ad's view counter (Yandex's
    // `serp-adv__counter`, a pixel drawn as its background, dev page yandex-serp-2019b); nor a
    // recommendation widget of the site's own stories (Taboola's
    // `taboola-below-article-thumbnails-organic`, dev page elcolombiano-es-2022).
    let lower = name.to_ascii_lowercase();
    // (Words are compared run together: `ad-block-overlay` is a message to ad blockers,
    // Ländleanzeiger's, dev page laendleanzeiger-item-2021. Only names that hold an ad's
    // word are joined: this runs on every id and class.)
    let joined = || lower.replace(['-', '_'], "");
    // (Each of AD_NAME's and COMPOUND's words holds one of these: "teads", "iqadtile" and
    // "gujad" hold "ad".)
    const MARKS: [&str; 16] = [
        "ad",
        "gg",
        "dfp",
        "taboola",
        "medianet",
        "darla",
        "gpt",
        "outbrain",
        "fengchao",
        "commercial",
        "werbung",
        "vidoomy",
        "send2news",
        "trendmd",
        "ligatus",
        "nativo",
    ];
    if !MARKS.iter().any(|m| lower.contains(m))
        || {
            let joined = joined();
            CONTROL_WORDS.iter().any(|w| joined.contains(w))
        }
        // An Atomic CSS class is a style, not a name (Yahoo's `Trs($adTranslate)`,
        // `Mb($articleAdMargin)`, dev pages engadget-en-2024, hk-yahoo-finance-2024).
        || name.contains('(')
    {
        return false;
    }
    // A UUID's hex is no word (`view-cmts-container-ad557d5e-e90b-…`, dev page
    // engadget-en-2024), nor is a hash of eight or more hex digits, such as the attribute Vue
    // adds to every element of a component (`data-v-6f9ad8ef`, dev page elkor-lv-item-2021b),
    // nor Emotion's class hash after `css-` (`css-1ad5ioo-pageHeadingStyles-actions`, dev page
    // familysearch-forum-2024). A run that begins with "ad" (`ad12345678`) is still read: that
    // is a position's number.
    static UUID: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
            .expect("pattern parses")
    });
    static HASH: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(^|[^0-9A-Za-z])([0-9a-f]{8,}|css-[0-9a-z]{5,10})([^0-9A-Za-z]|$)")
            .expect("pattern parses")
    });
    let name = UUID.replace_all(name, "-");
    let name = &*HASH.replace_all(&name, |c: &regex::Captures<'_>| {
        let run = &c[2];
        if run.starts_with("ad") || !run.bytes().any(|b| b.is_ascii_digit()) {
            c[0].to_string()
        } else {
            format!("{}-{}", &c[1], &c[3])
        }
    });
    // A minified class of six characters (Google's `cNUdAd`, dev pages
    // google-mobile-serp-2023b, google-serp-2023c) is no word: its "Ad" is chance. One that
    // mixes small letters with a capital and a digit before it is no word either, even where
    // "ad" stands apart (`eIE7ad`, a hotel card, dev page google-mobile-serp-old-c); a
    // position's number in capitals (`AD0101`) still names one.
    let head = name.get(..name.len().saturating_sub(2)).unwrap_or("");
    let short = name.len() <= 6;
    let capital = head.bytes().any(|b| b.is_ascii_uppercase());
    let digit = head.bytes().any(|b| b.is_ascii_digit());
    if short && capital && digit && name.bytes().any(|b| b.is_ascii_lowercase()) {
        return false;
    }
    // (But "Ad" and a capitalised word is two words: AdAsia's holder `div#AdAsia`, dev page
    // liputan6-news-2024; NetEase's `div.adRpic`, dev page 163-biz-2005b.)
    let ad_and_word = name.len() >= 5
        && (name.starts_with("Ad") || name.starts_with("ad"))
        && name[2..].starts_with(|c: char| c.is_ascii_uppercase())
        && name[3..].bytes().all(|b| b.is_ascii_lowercase());
    let minified = short && (capital || digit) && !ad_and_word;
    if AD_NAME.is_match(name) || COMPOUND.is_match(name) {
        return true;
    }
    !minified && name.bytes().any(|b| b.is_ascii_uppercase()) && {
        let camel = CAMEL.replace_all(name, "$1$3-$2$4");
        AD_NAME.is_match(&camel) || COMPOUND.is_match(&camel)
    }
}

/// Whether an id or class of `el` names an ad position, or the name of one of its attributes
/// does (`ad_name="h_300*250_TB_456"`, `ad-cursor`, `data-adid`), or a tracking attribute's
/// value does.
fn names_an_ad(el: ElementRef<'_>) -> bool {
    let v = el.value();
    v.id().into_iter().chain(v.classes()).any(ad_named)
        || v.classes().any(encodes_ad_name)
        || v.attrs().any(|(name, value)| {
            // (Not a flag that says whether ads are near: Engadget's
            // `data-wf-caas-has-rightrail-ads` on its related articles, dev page
            // engadget-en-2024.)
            // Nor an ad unit named for a measurement pixel (Thought Catalog's
            // `data-ad-unit="Tracking_Pixel"`, dev page thoughtcatalog-en-2016).
            (!matches!(name, "id" | "class" | "style" | "href" | "src")
                && !name.contains("has-")
                && ad_named(name)
                && !value.to_ascii_lowercase().contains("pixel"))
                // A position's name in a tracking attribute (Sohu's `data-spm="ad-sq1"`, JD's
                // `clstag="shangpin|keycount|product|1|ad"`), or its network's (OutKick's
                // `data-vendor="outbrain"`, dev page outkick-en-2024; Le Figaro's placement,
                // `figurant="taboola-below-article-thumbnails"`, dev page madamefigaro-fr-2020,
                // whose organic ones name no ad), or the script module a box starts (GIGA's
                // `data-init="module/taboola"`, dev page giga-de-2017), or the hook a script
                // finds it by (E! Online's `data-hook="taboola-wrap"`, dev page eonline-en-2016).
                || (matches!(
                    name,
                    "data-spm" | "clstag" | "data-vendor" | "figurant" | "data-hook"
                ) && ad_named(value))
                // (Not a Taboola module in one of its organic modes: see
                // `unpaid_taboola_boxes`.)
                || (name == "data-init"
                    && ad_named(value)
                    && v.attr("data-mode").is_none_or(is_paid_taboola_mode))
        })
}

/// Whether an id or class of `el` calls it an advertorial: paid copy, whichever site its
/// links go to (der Freitag's `aside#x-advertorial-box` of publishers' "Buch der Woche", dev
/// page freitag-de-2020). A script's hook (`js-dynamic-advertorial` on the same page's article
/// text, where one may be put) names what a script does, not what the box is.
fn names_advertorial(el: ElementRef<'_>) -> bool {
    let v = el.value();
    v.id()
        .into_iter()
        .chain(v.classes())
        .any(|n| !n.starts_with("js-") && super::name_holds(n, "advertorial"))
}

/// Whether a class is an ad position's name written in base64, as Wirtualna Polska's sites
/// hide theirs from ad blockers (`d2FsbHBhcGVydjMuMy45NTM` is `wallpaperv3.3.953`,
/// `YWx0c2xvdHYzLjMuOTUz` is `altslotv3.3.953`; dev page sportowefakty-pl-2024).
fn encodes_ad_name(class: &str) -> bool {
    use base64::Engine;
    // Only a long run of base64's letters that mixes capitals and small letters is worth
    // decoding (a word or a short minified class is not base64 of a name).
    let b = class.as_bytes();
    if b.len() < 12
        || !b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
        || !b.iter().any(u8::is_ascii_uppercase)
        || !b.iter().any(u8::is_ascii_lowercase)
    {
        return false;
    }
    let Ok(decoded) =
        base64::engine::general_purpose::STANDARD_NO_PAD.decode(class.trim_end_matches('='))
    else {
        return false;
    };
    let Ok(name) = std::str::from_utf8(&decoded) else {
        return false;
    };
    name.bytes().all(|c| c.is_ascii_graphic())
        && (ad_named(name) || ["slot", "wallpaper"].iter().any(|w| name.contains(w)))
}

/// Whether an id or class of `el` names a banner by where it goes, its format or its size
/// (`banner1000`, `banner_top`, `top_banner_block`, `bottom_super_banner`,
/// `floating-banner-container`: Kaskus's corner banner, dev page kaskus-forum-2024), or as an ad
/// server's zone (Varzesh3's `row-banner-zone`, dev page varzesh3-news-2024b), or in the text
/// (UOL's `uolpd-banner-inarticle`, dev page uol-pt-2024b): empty, such a box is
/// where a script puts one (Guangming's `div.banner1000`, dev page gmw-news). A banner named by
/// what it shows (JD's `seo-banner`, `J-detail-banner`) may be the shop's own.
fn names_a_banner(el: ElementRef<'_>) -> bool {
    static PLACED: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)(top|bottom|left|right|side|float|floating|head|foot)[_-]?(super[_-]?)?banner|banner[_-]?(top|bottom|left|right|side|float|zone|in[_-]?article|in[_-]?content|\d{3})",
        )
        .expect("pattern parses")
    });
    // An ad format's name, whole (Axel Springer's `div#superbanner`, `div#sky`, `div#billboard`,
    // `div#superbanner_btf`, dev page computerbild-de-2019), or after the site's name and before
    // its place (Yieldscale's `div#gartenjournal_leaderboard_oben` and `…_inarticle_2`, dev page
    // gartenjournal-de-2022; `div#anglerboard_incontent_1`, dev page anglerboard-de-2022;
    // `div#medium_rectangle_1`, dev page backenmachtgluecklich-de-2020), or after a few words of
    // site, section and device (Sportradar's `div#SPMADS_HBL_DISP_REST_Billboard`, dev page
    // liquimoly-hbl-de-2022; `aside#ir_rpd_sky`, dev page ga-de-2023; der Freitag's
    // `div#urban-leaderboard`, dev page freitag-de-2020; Future's
    // `div#this-will-be-used-for-mpu-2`, dev pages pcgamer-en-2020 and spacecom-en-2019): a bare
    // "sky" only as an id, since a class of that name may draw one. After the format, its place,
    // number or screen (El Peruano's `div#skyscraper-horizontal`, dev page elperuano-es-2022).
    static FORMAT: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)^(?:[a-z][a-z0-9]*[_-]){0,6}(super_?banner|leaderboard|sky_?scraper|billboard|half_?page|medium_?rectangle|in_?article|in_?content|mrec|mpu|wallpaper|fireplace|pushdown|sky)([_-]?(\d+|btf|atf|top|bottom|left|right|oben|unten|horizontal|vertical|mobile|desktop|mid|middle))*$",
        )
        .expect("pattern parses")
    });
    // A place in the text (`in_article`, `incontent`) is a format only as an id too: a class
    // `inArticle` marks anything put there (Funke's share buttons, dev page
    // grazia-magazin-de-2019). And only after a word of the site's or of the format: alone it
    // may mark the text's paragraphs (AL.com's empty `div#inarticle-1`...`-20`, one before each
    // paragraph, dev page al-en-2016).
    let format = |n: &str, id: bool| {
        FORMAT.captures(n).is_some_and(|c| {
            let word = c[1].to_ascii_lowercase();
            let place = word.starts_with("in");
            (id || !((word == "sky" && c[0].len() <= 3) || place))
                && !(place && c.get(1).is_some_and(|m| m.start() == 0))
        })
    };
    // An IAB standard size as a word of its own: Día a Día's `aviso-normal-970x90` (dev page
    // diaadia-es-2022), tonight.de's `size-970x250` (dev page tonight-de-2021).
    static SIZED: LazyLock<regex::Regex> = LazyLock::new(|| {
        let sizes: Vec<String> = IAB_SIZES.iter().map(|(w, h)| format!("{w}x{h}")).collect();
        regex::Regex::new(&format!(r"(?i)(^|[^0-9])({})([^0-9]|$)", sizes.join("|")))
            .expect("pattern parses")
    });
    // Holder's positions, an ad network of Ukrainian sites, by their size and number
    // (`div#holder_630x300_12`, dev page football-ua-ru-2016).
    static HOLDER: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"^holder_\d{2,4}x\d{2,4}_\d+$").expect("pattern parses")
    });
    let v = el.value();
    v.id()
        .is_some_and(|id| format(id, true) || HOLDER.is_match(id))
        || v.classes().any(|c| format(c, false))
        || v.id()
            .into_iter()
            .chain(v.classes())
            .any(|n| PLACED.is_match(n) || SIZED.is_match(n))
}

/// Whether `el`'s whole text is a position's name: a few words ending in 广告 and a number at
/// most ("顶部通栏广告", "侧栏广告02"), with nothing else in it (no link, no picture).
fn names_its_place(el: ElementRef<'_>) -> bool {
    el.select(&s("a, img, iframe")).next().is_none()
        && words_of(el, 16).is_some_and(|t| is_place_name(t.trim()))
}

/// Whether a text is an ad position's name: "顶部通栏广告", "侧栏广告02".
fn is_place_name(text: &str) -> bool {
    static PLACE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"^\p{Han}{1,8}(广告|廣告)\d{0,3}$").expect("pattern parses")
    });
    PLACE.is_match(text)
}

/// Whether an HTML comment names the ad position that follows it, as Chinese portals' templates
/// do: `<!-- 广告位：网易-文章页面-页内画中画05 -->`, `<!-- 画中画广告start -->`, `<!-- 广告 -->`
/// (dev pages 163-news-2019c, chinanews-news-2020, 51offer-article-2022); not the end of one, nor
/// a note about the ad code itself ("脚本只需引入一次", a close button's "关闭广告按钮").
fn names_position(comment: &str) -> bool {
    // The end of a position, or a note about its code rather than its place.
    const NOT: [&str; 14] = [
        "结束",
        "結束",
        "服务",
        "合作",
        "联系",
        "按钮",
        "说明",
        "脚本",
        "文案",
        "管理",
        "代码",
        "格式",
        "容器",
        "插入點",
    ];
    let c = comment.trim().trim_matches('-').trim();
    let lower = c.to_lowercase();
    c.chars().count() <= 40
        && ["广告", "廣告"].iter().any(|w| c.contains(w))
        && !NOT.iter().any(|w| c.contains(w))
        && !["end", "_e"].iter().any(|w| lower.ends_with(w))
}

/// Positions a comment names: the element right after it (before any other element), when it
/// shows nothing yet (a slot) or no more than an ad does. A script after the comment is the
/// position's code, found by the slot detectors when it is an ad server's.
fn comment_marked<'a>(doc: &'a Html, found: &mut Vec<(ElementRef<'a>, String)>) {
    for node in doc.root_element().descendants() {
        let Some(comment) = node.value().as_comment() else {
            continue;
        };
        if !names_position(comment) {
            continue;
        }
        // The element right after it: another comment first (the end of this position, the
        // start of another block: Sina's `<!-- 广告 -->` after its ad, then `<!-- 热点博客 start
        // -->`, dev page sina-news-2019) leaves it to that one.
        let Some(next) = node
            .next_siblings()
            .find(|n| n.value().is_element() || n.value().is_comment())
            .and_then(ElementRef::wrap)
        else {
            continue;
        };
        if matches!(
            next.value().name(),
            "script" | "style" | "link" | "meta" | "noscript"
        ) || next
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(is_navigation)
        {
            continue;
        }
        // A column of picture links is one ad a link (pcstore's three sponsors' banners under
        // one `<!-- 廣告 -->`, dev page pcstore-item-2021b).
        let banners = picture_links(next);
        if banners.len() >= 2 && words_of(next, 10).is_some() {
            found.extend(
                banners
                    .into_iter()
                    .map(|a| (a, "comment:ad-position".to_owned())),
            );
        } else if is_empty_box(next)
            || (ad_sized(next)
                && next
                    .select(&s("a[href], img, iframe, object"))
                    .next()
                    .is_some())
        {
            found.push((next, "comment:ad-position".to_owned()));
        }
    }
}

/// Whether `el` sits in the body of an article: the editors' text, whose links through an
/// affiliate network are theirs (COMPUTER BILD's "» Zum Angebot" links through Tradedoubler in
/// `div#articleBody`, dev page computerbild-de-2019), not ads.
fn in_article_body(el: ElementRef<'_>) -> bool {
    el.ancestors().filter_map(ElementRef::wrap).any(|a| {
        let v = a.value();
        v.attr("itemprop")
            .is_some_and(|p| p.eq_ignore_ascii_case("articleBody"))
            || v.id().into_iter().chain(v.classes()).any(|n| {
                let n = n.to_ascii_lowercase().replace(['-', '_'], "");
                ["articlebody", "entrycontent", "postcontent"]
                    .iter()
                    .any(|w| n.contains(w))
            })
    })
}

/// The movie a plug-in `object` plays, from its `param name="movie"` (or `src`).
fn movie_of(el: ElementRef<'_>) -> Option<&str> {
    el.children()
        .filter_map(ElementRef::wrap)
        .filter(|c| c.value().name() == "param")
        .find(|c| {
            c.value()
                .attr("name")
                .is_some_and(|n| n.eq_ignore_ascii_case("movie") || n.eq_ignore_ascii_case("src"))
        })
        .and_then(|c| c.value().attr("value"))
}

/// Whether an attribute's name is an ad position's id, `p_` and digits (ifeng's `p_23200`).
fn is_position_attr(name: &str) -> bool {
    name.strip_prefix("p_")
        .is_some_and(|id| id.len() >= 3 && id.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a step of a URL (a host label or a path segment) names an ad. An id is no name:
/// a step with four or more digits (`9f8fd8ad02461b3f6`, a post's number), a short code that
/// begins with a digit (K-Rauta's category `/8ad`, dev page k-rauta-ee-item-2021b) or a step
/// with percent-encoded bytes (`%e6%84%9b%ad`) never does.
fn step_names_ad(step: &str) -> bool {
    let short_code = step.len() <= 4 && step.starts_with(|c: char| c.is_ascii_digit());
    // (A page named "Werbung" is where a site sells its ads, `/online-werbung/`, dev page
    // ln-online-de-2019.)
    step.bytes().filter(u8::is_ascii_digit).count() < 4
        && !step.to_ascii_lowercase().contains("werbung")
        && !step.contains('%')
        && !short_code
        && !is_title_slug(step)
        && ad_named(step)
}

/// Whether a step of a URL is a title: a slug of five words or more (wikiHow's
/// `/Why-Is-My-Facebook-Feed-All-Ads`, dev page wikihow-en-2024; Stack Exchange's
/// `/how-to-disable-the-middle-click-paste-function`, dev page
/// engineering-stackexchange-forum-2024), or of three or more written in title case (a
/// shop's category `/Strumenti-ad-Arco/`, Italian for bowed instruments, dev page
/// strumentimusicali-item-2021b), or of four with two long words among them (the LSVD's
/// `/artikel-3-gg-ergaenzen`, where GG is the Grundgesetz, not 广告; dev page lsvd-de-2022).
/// Its words say what it is about, not where it goes.
fn is_title_slug(step: &str) -> bool {
    let words = || step.split(['-', '_']).filter(|w| !w.is_empty());
    let titled = |w: &&str| {
        let mut c = w.chars();
        c.next().is_some_and(|c| c.is_uppercase()) && c.next().is_some_and(|c| c.is_lowercase())
    };
    let long = |w: &&str| w.chars().filter(|c| c.is_alphabetic()).count() >= 5;
    let n = words().count();
    n >= 5
        || (n >= 3 && words().filter(titled).count() >= 2)
        || (n == 4 && words().filter(long).count() >= 2)
}

/// Whether `el` is an ad blocker's bait: an empty box with an ad's name that a script checks is
/// not hidden, drawn by its inline style one pixel high or wide (eBay's `div.adBanner`) or far
/// off the screen (CSDN's `div.right_sponsor_main`, `left: -10000px`, dev page csdn-blog-2024b).
/// It shows nothing to anyone: no ad, whatever names it.
fn is_bait(el: ElementRef<'_>) -> bool {
    let style = el
        .value()
        .attr("style")
        .unwrap_or("")
        .to_ascii_lowercase()
        .replace(' ', "");
    // Ad-blocker detectors' own bait names: AdSense's class on anything but AdSense's `ins`
    // (Wirtualna Polska's `div#AdsContent.adsbygoogle…`, dev pages sportowefakty-pl-2024 and
    // -2024b), FuckAdBlock's and BlockAdBlock's `pub_300x250`, `pub_300x250m`, `pub_728x90`
    // (Dzen's, dev page dzen-news-2024b), and the `afs_ads` box ad-blocker detectors copy from
    // AdSense for Search (MSPoweruser's, holding a non-breaking space, dev page
    // mspoweruser-en-2019; JW Player's, dev page nbcnews-en-2024).
    let bait_name = el.value().name() != "ins"
        && el.value().classes().any(|c| {
            matches!(
                c,
                "adsbygoogle" | "pub_300x250" | "pub_300x250m" | "pub_728x90" | "afs_ads"
            )
        });
    is_empty_box(el)
        && (bait_name
            || style.split(';').any(|decl| match decl.split_once(':') {
                Some(("height" | "width", v)) => matches!(v, "1px" | "1px!important"),
                _ => false,
            })
            || drawn_off_screen(&style)
            || wrapped_off_screen(el))
}

/// The pixels an inline style (lower case, no spaces) gives a property (`left:-100px`).
fn style_px(style: &str, name: &str) -> Option<f64> {
    style.split(';').find_map(|decl| {
        let (k, v) = decl.split_once(':')?;
        (k == name).then_some(())?;
        v.trim_end_matches("!important")
            .trim_end_matches("px")
            .parse::<f64>()
            .ok()
    })
}

/// Whether an inline style (lower case, no spaces) draws its element off the screen: moved
/// 1,000 pixels or more to the left or up, or left or up by more than its own width or height
/// (IAS's ad-blocker probe image, 90×728 at `left: -100px; top: -738px`, dev page
/// buzzfeed-en-2024).
fn drawn_off_screen(style: &str) -> bool {
    ["left", "top"]
        .into_iter()
        .any(|at| style_px(style, at).is_some_and(|at| at <= -1000.0))
        || off_by_own_size(style)
}

/// Whether an inline style (lower case, no spaces) moves its element left or up by more than
/// its own width or height.
fn off_by_own_size(style: &str) -> bool {
    [("left", "width"), ("top", "height")]
        .into_iter()
        .any(|(at, size)| {
            style_px(style, at)
                .zip(style_px(style, size))
                .is_some_and(|(at, n)| at + n <= 0.0)
        })
}

/// Whether a box up to three levels around `el` is placed off the screen by its own size
/// (`position: absolute; top: -100px; height: 75px`): where ad-blocker detectors hide their
/// bait boxes (Dzen's 25 of them, `#AdFox_banner`, `.reklama`…, dev page dzen-news-2024b).
/// Not a box moved far up that still shows its foot (CNN's header at `top: -5267px` with
/// `height: 5307px`, dev page cnn-en-2024).
fn wrapped_off_screen(el: ElementRef<'_>) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .take(3)
        .filter_map(|a| a.value().attr("style"))
        .any(|style| {
            let style = style.to_ascii_lowercase().replace(' ', "");
            (style.contains("position:absolute") || style.contains("position:fixed"))
                && off_by_own_size(&style)
        })
}

/// Whether `el`, an empty box with nothing in it, is the top or bottom edge drawn around a box
/// beside it that holds the placeholder: `div.leftAd_top_fmt` and `div.leftAd_bottom_fmt`
/// around `div#leftAd_fmt` (WebMD, dev page webmd-en-2). The position is the box, not its edges.
fn is_border_of_box(el: ElementRef<'_>) -> bool {
    // An edge is drawn by its class; a box with an id is a position an ad server can fill
    // (Amazon's `#dp-ads-center-promo-top_feature_div` beside `#dp-ads-center-promo_feature_div`).
    if el.value().id().is_some() || el.children().any(|c| c.value().is_element()) {
        return false;
    }
    let box_names: Vec<String> = el
        .value()
        .classes()
        .flat_map(|name| {
            ["_top", "_bottom", "-top", "-bottom"]
                .into_iter()
                .filter_map(move |edge| {
                    let at = name.find(edge)?;
                    let rest = &name[at + edge.len()..];
                    // The edge is a whole part of the name: `_top_fmt`, `_top`, not `_topic`.
                    (rest.is_empty() || rest.starts_with(['_', '-']))
                        .then(|| format!("{}{rest}", &name[..at]))
                })
        })
        .collect();
    !box_names.is_empty()
        && el
            .prev_siblings()
            .chain(el.next_siblings())
            .filter_map(ElementRef::wrap)
            .any(|sib| {
                let v = sib.value();
                sib.children().any(|c| c.value().is_element())
                    && v.id()
                        .into_iter()
                        .chain(v.classes())
                        .any(|n| box_names.iter().any(|b| b == n))
            })
}

/// The positions an empty box of ads is made of: two or more empty boxes side by side, each
/// with an id of its own for the ad server, and nothing else but code (ZDNet Japan's
/// `ul.ad-text` row of four text-ad positions `div#AAMB6`...`div#AAMB14`, dev page
/// zdnet-ja-2019).
fn empty_positions(block: ElementRef<'_>) -> Option<Vec<ElementRef<'_>>> {
    if !is_empty_box(block) {
        return None;
    }
    let boxes: Vec<ElementRef<'_>> = block
        .children()
        .filter_map(ElementRef::wrap)
        .filter(|c| !matches!(c.value().name(), "script" | "noscript" | "style"))
        .collect();
    (boxes.len() >= 2
        && boxes.iter().all(|b| {
            b.value().name() == "div"
                && b.value().id().is_some_and(|id| !id.is_empty())
                && b.children()
                    .all(|c| c.value().as_element().is_none_or(|e| e.name() == "script"))
        }))
    .then_some(boxes)
}

/// Whether `el`, an empty box with only a class, is what the parser left of an unclosed tag:
/// `<li class="item_ad"><li id="kakao_ad_…"><div class="item_column item_ad">…` parses as an
/// empty `li.item_ad` and the ad in the next `li`, which carries the same class further in
/// (Daum's AdFit cards among its recommended stories, dev page daum-news-2024b). The ad is the
/// next box, not its empty twin.
fn is_left_by_unclosed_tag(el: ElementRef<'_>) -> bool {
    let v = el.value();
    if v.attrs().any(|(name, _)| name != "class") || el.children().any(|c| c.value().is_element()) {
        return false;
    }
    el.next_siblings()
        .find_map(ElementRef::wrap)
        .is_some_and(|next| {
            next.value().name() == v.name()
                && next.descendants().filter_map(ElementRef::wrap).any(|d| {
                    d.id() != next.id() && d.value().classes().any(|c| v.classes().any(|o| o == c))
                })
        })
}

/// Whether `el` is a control about ads, not an ad: a close button, an ad-feedback link or icon
/// (Amazon's `b#ad-feedback-sprite-…`, which a list's `[id^="ad-"]` finds, dev page
/// amazon-fr-item-2021), a message to readers who block ads. Its name says so, and it shows a
/// few words at most, or a form to fill in (CNN's ad-feedback dialog, dev page cnn-en-2024).
fn is_ad_control(el: ElementRef<'_>) -> bool {
    let v = el.value();
    v.id().into_iter().chain(v.classes()).any(|n| {
        let n = n.to_ascii_lowercase();
        CONTROL_WORDS.iter().any(|w| n.contains(w))
    }) && el.select(&s("img, iframe")).next().is_none()
        && (words_of(el, 30).is_some() || el.select(&s("form")).next().is_some())
}

/// Whether `el` is the AdChoices link, the industry's notice of ads chosen by a reader's
/// interests, with its icon (OregonLive's footer link "Ad Choices" to its privacy page, whose
/// `ad-choices-arrow.png` a list blocks, dev page oregonlive-en-2019).
fn is_ad_choices(el: ElementRef<'_>) -> bool {
    el.value().name() == "a"
        && words_of(el, 12).is_some_and(|t| {
            t.split_whitespace()
                .collect::<String>()
                .eq_ignore_ascii_case("adchoices")
        })
}

/// A few words (a blurb of 200 characters at most: literaturkritik.de's book ads, dev page
/// literaturkritik-de-2023) and one to three links, each to another site or through a click
/// redirector: a text ad or an ad card (Tencent's `PC_bot_hotlist_ad_*` under its hot list,
/// dev page qq-news-2024), not the site's own stories in a box named for ads.
fn is_link_ad(page_url: &Url, el: ElementRef<'_>) -> bool {
    let links: Vec<Url> = el
        .select(&s("a[href]"))
        .filter_map(|a| absolute(page_url, a.value().attr("href")?))
        .collect();
    (1..=3).contains(&links.len())
        && words_of(el, 200).is_some()
        && links
            .iter()
            .all(|u| goes_elsewhere(page_url, u) && !is_ad_company_home(u))
}

/// The entries of a menu's group whose heading carries the label: Freie Presse's
/// "Kooperationspartner <span>-ANZEIGE-</span>" over its partners' links (dev page
/// freiepresse-de-2024). The heading holds no link, and the list after it holds only entries
/// that each hold one.
fn headed_entries(label: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    let has_link = |el: &ElementRef<'_>| el.select(&s("a[href]")).next().is_some();
    let Some(heading) = std::iter::once(label)
        .chain(label.ancestors().filter_map(ElementRef::wrap).take(2))
        .take_while(|el| el.value().name() != "a" && !has_link(el))
        .last()
    else {
        return Vec::new();
    };
    let Some(list) = heading
        .next_siblings()
        .find_map(ElementRef::wrap)
        .filter(|l| matches!(l.value().name(), "ul" | "ol"))
    else {
        return Vec::new();
    };
    let entries: Vec<ElementRef<'_>> = list.children().filter_map(ElementRef::wrap).collect();
    if entries.is_empty()
        || !entries
            .iter()
            .all(|e| e.value().name() == "li" && e.select(&s("a[href]")).count() == 1)
    {
        return Vec::new();
    }
    entries
}

/// Whether a link goes to an ad company's home page, a bare address whose host names an ad
/// (`http://adsense.com/`, `http://doubleclick.com/`: a footer's "Supported By" credits, dev
/// page inquisitr-en-2016): an ad's click-through carries a path or a query.
fn is_ad_company_home(url: &Url) -> bool {
    matches!(url.path(), "" | "/") && url.query().is_none_or(str::is_empty) && is_click_path(url)
}

/// An element with nothing a reader sees yet: no text (scripts aside), no image, no frame.
fn is_empty_box(el: ElementRef<'_>) -> bool {
    shows_nothing(el, true)
}

/// Whether `el` shows nothing but ad labels, if that ("Advertising" above a row of empty
/// slots): every empty box, and the box labelled slots sit in.
fn shows_only_labels(el: ElementRef<'_>) -> bool {
    shows_no_more(el, true, true)
}

/// Whether `el` shows no text (scripts aside) and no image; with `frames_count`, no frame either
/// (without, it is an ad script's box once its frame is in, as in a page saved after its
/// scripts ran).
fn shows_nothing(el: ElementRef<'_>, frames_count: bool) -> bool {
    shows_no_more(el, frames_count, false)
}

/// [`shows_nothing`], where with `labels` an ad label's text does not count.
fn shows_no_more(el: ElementRef<'_>, frames_count: bool, labels: bool) -> bool {
    for node in el.descendants() {
        if let Some(child) = ElementRef::wrap(node) {
            let name = child.value().name();
            if matches!(name, "img" | "video" | "object" | "embed")
                || (frames_count && name == "iframe")
            {
                return false;
            }
        } else if let Some(text) = node.value().as_text() {
            let code = node.parent().and_then(ElementRef::wrap).is_some_and(|p| {
                matches!(
                    p.value().name(),
                    "script" | "style" | "noscript" | "template" | "iframe"
                )
            });
            let t = text.trim();
            // "Advertising" is no label on its own (a footer's link to the ad sales team), but
            // over a box of ads it is.
            let label = labels
                && (is_label(t)
                    || label_word(t).is_some()
                    || t.eq_ignore_ascii_case("advertising"));
            if !code && !t.is_empty() && !label {
                return false;
            }
        }
    }
    true
}

/// Whether a box is a picture with at most a caption: an image or a frame, a few words (hardly
/// any outside its links, unless it has no link and a script takes the click: Tencent's GDT
/// cards, dev page qq-news-2024), at most two links (a banner; not a news block or a menu whose
/// class happens to say "ad").
fn is_picture_box(el: ElementRef<'_>) -> bool {
    let outside_links: usize = el
        .descendants()
        .filter(|n| {
            !n.ancestors()
                .filter_map(ElementRef::wrap)
                .take_while(|a| a.id() != el.id())
                .any(|a| matches!(a.value().name(), "a" | "script" | "style"))
        })
        .filter_map(|n| n.value().as_text())
        .map(|t| t.trim().chars().count())
        .sum();
    // A frame counts without a `src`: a script wrote it and what it shows (ifeng's
    // `index_serviceAd_*` boxes, dev page ifeng-news-2024).
    let links = el.select(&s("a[href]")).count();
    // (A Flash banner is a picture too: Sohu's `object` banners, dev page sohu-auto-2005.)
    el.select(&s("img[src], iframe, object, embed"))
        .next()
        .is_some()
        && links <= 2
        && (outside_links <= 10 || links == 0)
        && words_of(el, 40).is_some()
}

/// The links in `el` that hold a picture.
fn picture_links(el: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    el.select(&s("a[href]"))
        .filter(|a| a.select(&s("img[src]")).next().is_some())
        .collect()
}

/// The two banners of a picture box that holds one in each of two blocks (VMzona's
/// `div#top_adv_out`, two 570x120 banners side by side, dev page vmzona-item-2021b): each is
/// an ad of its own. Empty for a box with one banner.
fn banners_side_by_side(el: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    let banners: Vec<ElementRef<'_>> = el
        .children()
        .filter_map(ElementRef::wrap)
        .filter(|c| c.select(&s("a[href] img[src]")).next().is_some())
        .collect();
    if banners.len() == 2 && banners.iter().all(|b| b.value().name() != "a") {
        return banners;
    }
    // Two ad frames and nothing else are two ads (Sohu's `span#ad_src4`, two 90-pixel frames
    // of two advertisers, dev page sohu-auto-2005).
    let frames: Vec<ElementRef<'_>> = el.select(&s("iframe[src]")).collect();
    if frames.len() == 2 && words_of(el, 0).is_some() && el.select(&s("img")).next().is_none() {
        return frames;
    }
    // Or two picture links side by side, wherever they sit in the box, that go to two places
    // (literaturkritik.de's header `div.werbung`: two banners in one `nobr`, dev page
    // literaturkritik-de-2023); one advertiser's logo and picture go to one.
    let mut links = picture_links(el);
    links.retain(|a| words_of(*a, 0).is_some());
    let distinct = |l: &[ElementRef<'_>]| l[0].value().attr("href") != l[1].value().attr("href");
    if links.len() == 2 && distinct(&links) {
        links
    } else {
        Vec::new()
    }
}

/// Whether an element is drawn at no size or hidden by its own attributes (tracking pixels and
/// beacon frames: `width=0`, `height="1"`, `display:none`).
fn is_invisible(el: ElementRef<'_>) -> bool {
    let v = el.value();
    let tiny = |a: &str| {
        v.attr(a)
            .and_then(|x| x.trim().trim_end_matches("px").parse::<f64>().ok())
            .is_some_and(|n| n <= 2.0)
    };
    let style = v
        .attr("style")
        .unwrap_or("")
        .to_ascii_lowercase()
        .replace(' ', "");
    tiny("width")
        || tiny("height")
        || style.contains("display:none")
        || style.contains("visibility:hidden")
        || style.contains("width:0")
        || style.contains("height:0")
        || style.contains("width:1px")
        || style.contains("height:1px")
        || drawn_off_screen(&style)
}

/// Navigation and page furniture: a label there is a link to the ad sales page.
fn is_navigation(el: ElementRef<'_>) -> bool {
    matches!(el.value().name(), "nav" | "footer" | "menu")
        || el.value().attr("role") == Some("navigation")
}

/// Whether `el` shows something an ad is made of: a link, an image or a frame.
fn is_ad_content(el: ElementRef<'_>) -> bool {
    let v = el.value();
    (v.name() == "a" && v.attr("href").is_some()) || matches!(v.name(), "img" | "iframe")
}

/// Whether an element whose own name (`aria-label`, `title`) says "advertisement" is the ad
/// itself: it holds the ad (a frame, an image, a link) and is no bigger than an ad.
fn is_ad_itself(el: ElementRef<'_>) -> bool {
    el.descendants()
        .skip(1)
        .filter_map(ElementRef::wrap)
        .any(is_ad_content)
        && ad_sized(el)
}

/// Whether `block` is no bigger than an ad: a few links and a few hundred characters.
fn ad_sized(block: ElementRef<'_>) -> bool {
    // Links count by where they go: a card links its picture, its name and its price to one
    // shop (GameStar's price box of four shops, dev page gamestar-de-2019).
    let mut targets = HashSet::new();
    words_of(block, LABEL_BLOCK_CHARS).is_some()
        && block
            .select(&s("a[href]"))
            .filter(|a| targets.insert(a.value().attr("href").unwrap_or("")))
            .nth(LABEL_BLOCK_LINKS)
            .is_none()
}

/// What a label marks, climbing from it.
enum Around<'a> {
    /// The smallest ancestor that holds ad content outside the label, no bigger than an ad and
    /// not a menu.
    Block(ElementRef<'a>),
    /// An ad server's empty position beside the label, which is found as a slot.
    Position,
    /// A box of nothing but the label and the script that fills it: the position itself
    /// ([`is_filled_position`]).
    Filled(ElementRef<'a>),
    /// Nothing: the ancestors grow too big, or into the page itself.
    Nothing,
}

fn block_around(label: ElementRef<'_>) -> Around<'_> {
    for block in label.ancestors().filter_map(ElementRef::wrap) {
        if matches!(block.value().name(), "body" | "html" | "main" | "article") {
            return Around::Nothing;
        }
        let content: Vec<ElementRef<'_>> = block
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(|e| is_ad_content(*e))
            .filter(|e| e.id() != label.id() && !e.ancestors().any(|a| a.id() == label.id()))
            .collect();
        if content.is_empty() {
            // A box named for ads around the label and the empty box a script fills is that
            // position (Rzeczpospolita's "REKLAMA" boxes, dev page rp-pl-2021).
            if names_an_ad(block) && is_labelled_position(block) {
                return Around::Position;
            }
            // A label beside an ad server's empty position (Quora's "Advertisement" under its
            // two GPT boxes, dev page quora-qa-2024b) labels that position, which is found as
            // a slot, not the nearest block with a link around both, nor what follows it
            // (Gazeta.pl's hidden REKLAMA in its footer board, over a list of links).
            if holds_slot(block) {
                return Around::Position;
            }
            if is_filled_position(block) {
                return Around::Filled(block);
            }
            continue;
        }
        // (A label over nothing in a column of such positions is one more of them, not the
        // column: El Universal's last "Espacio publicitario" box, whose script was left out.)
        let among_positions = block
            .descendants()
            .filter_map(ElementRef::wrap)
            .any(|d| is_filled_position(d) && !label.ancestors().any(|a| a.id() == d.id()));
        if among_positions {
            return Around::Position;
        }
        let links = block.select(&s("a[href]")).count();
        let too_big = !ad_sized(block);
        // A menu: several short links, the label one of them.
        let label_is_link = label
            .ancestors()
            .filter_map(ElementRef::wrap)
            .chain([label])
            .any(|e| e.value().name() == "a");
        let menu = label_is_link
            && links >= 4
            && block
                .select(&s("a[href]"))
                .all(|a| words_of(a, 8).is_some());
        return if too_big || menu {
            Around::Nothing
        } else {
            Around::Block(block)
        };
    }
    Around::Nothing
}

/// Whether a box holds an ad label and a script, and nothing else a reader sees: where that
/// script draws the ad (El Universal's `div.publi` of "Espacio publicitario" and its emptied
/// script, dev page eluniversal-es-2022); not a control about ads with its script (an
/// ad-feedback link).
fn is_filled_position(el: ElementRef<'_>) -> bool {
    // (Most boxes hold no script of their own: that test first.)
    el.children()
        .filter_map(ElementRef::wrap)
        .any(|c| c.value().name() == "script" && is_program(c))
        && shows_only_labels(el)
        && !is_empty_box(el)
        && el.select(&s("a[href]")).next().is_none()
        && !is_ad_control(el)
}

/// Whether a box shows only an ad label over an empty box a script fills, and no link:
/// Rzeczpospolita's `div.ad` boxes, "REKLAMA" over `div#sas_37118` (dev page rp-pl-2021). A
/// label alone (`div.ad-label` "Advertising") holds no box.
fn is_labelled_position(el: ElementRef<'_>) -> bool {
    shows_only_labels(el)
        && el.select(&s("a[href]")).next().is_none()
        && el
            .children()
            .filter_map(ElementRef::wrap)
            .any(|c| !matches!(c.value().name(), "script" | "style") && is_empty_box(c))
}

/// Whether a label box captions an ad box: its parent, or a box beside it, is named for ads
/// (HuffPost's `div.advertisement__label` over `div.advertisement`, TMZ's `div.adbadge` in
/// `div#ad2`, dev pages huffpost-en-2024 and tmz-en).
fn captions_a_box(label: ElementRef<'_>) -> bool {
    let Some(parent) = label.parent().and_then(ElementRef::wrap) else {
        return false;
    };
    names_an_ad(parent)
        || parent
            .children()
            .filter_map(ElementRef::wrap)
            .filter(|c| c.id() != label.id())
            .flat_map(|c| c.descendants().filter_map(ElementRef::wrap))
            .any(names_an_ad)
        // (Or the row right after its own holds an ad server's slot: Inexhibit's "sponsored
        // links" title bar over the row of an AdSense unit, dev page inexhibit-en-2018.)
        || parent
            .next_siblings()
            .find_map(ElementRef::wrap)
            .is_some_and(holds_slot)
}

/// Whether a block holds an ad server's position (one of [`SLOT_SELECTORS`]).
fn holds_slot(block: ElementRef<'_>) -> bool {
    static ANY_SLOT: LazyLock<std::sync::Arc<scraper::Selector>> = LazyLock::new(|| {
        let all: Vec<&str> = SLOT_SELECTORS
            .iter()
            .map(|(selector, _)| *selector)
            .collect();
        s(&all.join(", "))
    });
    block.select(&ANY_SLOT).next().is_some()
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

/// What a person reads as "this is an ad", compared whole (after trimming brackets and
/// separators, case-insensitively): 广告服务, 广告合作 or "Place an Ad" are navigation, not labels.
const LABEL_WORDS: &[&str] = &[
    "广告",
    "廣告",
    "推广",
    "推廣",
    "商业推广",
    // Baidu's header over its sponsored results.
    "推广链接",
    "赞助",
    "贊助",
    "赞助商",
    "sponsored",
    // A row of paid text links' caption (Schweizer Jäger's "Sponsored Links:", dev page
    // schweizerjaeger-de-2021), as Google once headed its ads.
    "sponsored links",
    "advertisement",
    // A paid story's tag where the others show their section (AutoIndustriya's "ADVERTORIAL"
    // among "AUTO NEWS" and "CAR REVIEWS", dev page autoindustriya-en-2019).
    "advertorial",
    "ad",
    "ads",
    "promoted",
    // A close control that says what it closes (ifeng's couplet ads, dev page ifeng-news-2024).
    "关闭广告",
    "關閉廣告",
    "close ad",
    // Amazon's and eBay's European sites.
    "sponsorisé",
    "sponsorisés",
    "gesponsert",
    "anzeige",
    "sponsorizzato",
    "sponsorizzati",
    "patrocinado",
    "patrocinados",
    "publicité",
    "pubblicità",
    "publicidad",
    "publicidade",
    // El Universal's caption of each position (dev page eluniversal-es-2022).
    "espacio publicitario",
    "advertentie",
    "reklama",
    "реклама",
    // Japanese, Korean, Indonesian, Turkish, Arabic, Vietnamese.
    "広告",
    "スポンサー",
    "スポンサーリンク",
    "광고",
    "iklan",
    "reklam",
    "إعلان",
    "quảng cáo",
];

/// A sponsor's logo, by its `alt`: "präsentiert von Henglein", "presented by Acme", "sponsored
/// by Acme" (Chefkoch's brand recipes, each card with its sponsor's logo, dev page
/// chefkoch-de-2020). The phrase is the label; the name after it is short. (Only a logo's:
/// in running text, "presented by" names a show's host as often as a sponsor.)
fn sponsor_logo(alt: &str) -> Option<String> {
    const PHRASES: [&str; 4] = [
        "präsentiert von",
        "presented by",
        "sponsored by",
        "gesponsert von",
    ];
    let alt = alt.trim().to_lowercase();
    PHRASES.iter().find_map(|p| {
        let name = alt.strip_prefix(p)?.trim();
        (!name.is_empty() && name.chars().count() <= 30 && name.split_whitespace().count() <= 3)
            .then(|| (*p).to_owned())
    })
}

/// An empty icon whose class is "PR", the mark of paid content on Japanese sites, drawn by CSS
/// (livedoor's `<i class="pr"></i>` after a paid topic among its news, dev page
/// livedoor-news-2024): a label like the word itself.
fn pr_icon(el: ElementRef<'_>) -> Option<String> {
    let v = el.value();
    (v.name() == "i"
        && el.children().next().is_none()
        && v.classes().any(|c| c.eq_ignore_ascii_case("pr")))
    .then(|| "pr".to_owned())
}

/// A label's text as compared with [`LABEL_WORDS`]: no brackets, separators or spaces around it.
fn label_word(text: &str) -> Option<String> {
    let t = text.trim_matches(|c: char| {
        c.is_whitespace() || "[]【】()（）<>〈〉《》|｜·•-_:：".contains(c)
    });
    let t = t.to_lowercase();
    LABEL_WORDS.contains(&t.as_str()).then_some(t)
}

/// Elements ad servers put where an ad runs, with the detector's name: found even while empty
/// (scripts fill them when the page is rendered).
const SLOT_SELECTORS: &[(&str, &str)] = &[
    ("ins.adsbygoogle", "slot:adsbygoogle"),
    ("ins.sinaads", "slot:sinaads"),
    // Sina's mobile ad exchange (SAX) positions, `div[sax-type="proxy"][data-id="PDPS…"]`;
    // its scripts of the same attribute are templates (dev page sina-cn-finance-2024).
    ("[sax-type]:not(script)", "slot:sinaads"),
    (r#"[id^="div-gpt-ad"]"#, "slot:gpt"),
    (
        // (Not AdSense's own script tag, which carries the client too: dev page
        // bellaonline-forum-2024; nor its hidden lookup frame `iframe#google_esf`, dev page
        // getit-co-il-item-2021b.)
        "[data-ad-slot]:not(script), [data-ad-client]:not(script):not(#google_esf), [data-ad-unit-path]:not(script)",
        "slot:data-ad",
    ),
    ("[data-ad-pdps], [data-ad-id]", "slot:data-ad"),
    (r#"[id^="tanxssp"]"#, "slot:tanx"),
    // Alimama's ad zones by their pid `mm_<member>_<site>_<zone>` (Taobao's home page, dev page
    // taobao-home-2017).
    (r#"[id^="tanx-a-mm_"], [data-id^="mm_"]"#, "slot:tanx"),
    // Mediav's (聚效, 360's ad network) holder: `div#mvdiv_2304961_holder`.
    (r#"[id^="mvdiv_"]"#, "slot:mediav"),
    // Yandex's AdFox containers, `div#adfox_149691555449765961` (dev page
    // sputniknews-en-2019).
    (r#"[id^="adfox_"]"#, "slot:adfox"),
    // Native and in-read ad networks' containers (Taiwanese news, dev page sina-tw-news-2020):
    // OneAD's in-read tag, popIn's and PVMax's widgets, Yahoo's native ads; Yieldmo's
    // `div.ym#ym_<placement>` (dev page cnn-en-2024, its mobile copy keeping the id in
    // `data-id`); Nativendo's boxes and plista's widgets (dev pages express-de-2019,
    // ln-online-de-2019), not the heading Nativendo reads the title from
    // (`h1#nativendo-title`, dev page exxpress-de-2023).
    (
        r#"[id^="oneadIR"], [id^="_popIn_"], ._pvmax_recommend, [class^="YAD-"], .ym[id^="ym_"], .ym[data-id^="ym_"], [data-nativendo], [id^="nativendo-"]:not(h1, h2, h3, h4, h5, h6), [data-widget^="plista_widget"]"#,
        "slot:native",
    ),
    (
        r#"[id^="BAIDU_SSP"], [id^="BAIDU_DUP"]:not([id^="BAIDU_DUP_fp"]), [id^="cpro_u"]"#,
        "slot:baidu",
    ),
    // Yahoo's ad loader ("benji") configures each position it fills (Engadget's
    // `div#LDRB2-….da-container[data-wf-benji-config]`, dev page engadget-en-2024).
    ("[data-wf-benji-config]", "slot:yahoo"),
    // Vidverto's video ad tag is a script with its own id, where its player goes
    // (`script#_vidverto-131bf8a0…`, dev page youm7-news-2024).
    (r#"script[id^="_vidverto-"]"#, "slot:video"),
    // Ziff Davis's ad kit (Pogo, `pogoadkit.js`) fills the boxes named by `data-pogo`
    // (`sidebar`, `top`, `nativespotlight`; dev page mashable-en-2024b).
    ("[data-pogo]:not(script)", "slot:pogo"),
    // Mediavine's targets in a recipe card (`div.mv_slot_target[data-slot="recipe"]`, dev page
    // theantijunecleaver-en-2017).
    ("div.mv_slot_target", "slot:mediavine"),
    // Le Figaro's ad positions, each named for its format (`div[data-figtag="pave_atf"]`, the
    // rectangle above the fold; `habillage`, the page skin; dev page madamefigaro-fr-2020).
    ("[data-figtag]:not(script)", "slot:figaro"),
    // vBulletin 5's ad locations, each `div.axd` named for where it stands (`axd_header`,
    // `axd_first-post`; dev page worldaffairsboard-forum-2024b): the forum's admin fills them
    // with ad code.
    (r#"div.axd[class*="axd_"]"#, "slot:vbulletin"),
    // AMP's ad elements: `amp-ad`, and `amp-embed` filled by a network (`type="outbrain"`,
    // Chefkoch's two widgets, dev page chefkoch-de-2020).
    ("amp-ad, amp-embed[type]", "slot:amp"),
    // ZCMS's (泽元, a CMS of Chinese media sites) ad positions: `span#apjs_342` with the script
    // that writes the ad into it (`/upload/js/sgdszg/342.js`, dev page zgshige-poem-2024).
    (r#"span[id^="apjs_"]"#, "slot:zcms"),
];

/// Script sources and inline calls that fill the element the script sits in (Baidu Union,
/// Baidu and Tencent ad-server slot scripts, Outbrain's widget call, CyberOne's ad manager).
/// Ad scripts that write their one ad where they are loaded, with no query of their own: each
/// such tag outside any box is a position (AdSense's legacy `show_ads.js`, and the Baidu union's
/// `cpro.baidu.com/cpro/ui/ui.js`, whose frame `document.write` puts beside it: dev page
/// 263-book-2005, between layout tables with no box of its own).
const WRITES_IN_PLACE: &[&str] = &["pagead/show_ads.js", "cpro.baidu.com/cpro/ui/"];

/// Whether a script's source is one of [`WRITES_IN_PLACE`].
fn writes_in_place(src: &str) -> bool {
    WRITES_IN_PLACE.iter().any(|w| src.contains(w))
}

const SLOT_SCRIPTS: &[&str] = &[
    "cpro.baidustatic.com",
    "cpro.baidu.com/cpro/ui/",
    "dup.baidustatic.com",
    "pos.baidu.com",
    "BAIDU_CLB_fillSlot",
    "slotbydup",
    "cpro_id",
    "qzs.qq.com/qzone/biz/res/i.js",
    "TencentGDT",
    "g.163.com/jr",
    "mediav.com",
    // Outbrain's classic widget call (`var OB_widgetId= 'AR_2'`).
    "OB_widgetId",
    // CyberOne's ad manager (`spac_writeAd("/SITE=CHINATIMES.TW/.../POSITION=LEFT11")`).
    "spac_writeAd",
    // People's Daily's ad server (`pgg.people.com.cn/s?z=people&c=21`, dev page
    // people-finance-2024).
    "pgg.people.com.cn/s",
    // Amazon's native shopping ads (`amzn_assoc_placement = "adunit0"`, dev page
    // theantijunecleaver-en-2017).
    "amzn_assoc_placement",
    // Allyes (好耶), the ad server of Xinhua and the 2000s portals
    // (`embed.xinhuanet.com/main/s?user=AllyesNetwork|Hp|hp_tl3`, dev page xinhua-front-2014).
    "AllyesNetwork",
    "allyes.com",
    // GMO SSP's tag (`window.Gmossp.events.push({sid: "g938598"})` in
    // `div.gmossp_core_g938598`, dev page livedoor-news-2024).
    "Gmossp",
    // Revive's (OpenX's) delivery scripts (`/www/delivery/al.php?zoneid=280`, Rediff's own ad
    // server, dev page rediff-news-2024b).
    "/www/delivery/",
    // AdSense's legacy unit: `google_ad_slot = "6438661496"` then `show_ads.js`, which writes
    // the ad where it stands (dev page pocketpc-forum-2020).
    "google_ad_slot",
    "pagead/show_ads.js",
    // WinFuture's own ad sets (`wfv4_adset_render('singlead_content')`, `wfv4_adset.sky2()`,
    // dev page winfuture-de-2023), each called where its ad goes.
    "wfv4_adset",
    // Adyoulike's placement tag (`fo-api.omnitagjs.com/fo-api/ot.js?Placement=…` in
    // `script[data-aylplacement]`, dev page lopinion-fr-2019).
    "omnitagjs.com/fo-api",
    // AdButler's zone call, which writes its placement box where it stands
    // (`AdButler.register(166289, 180086, [322,63], 'placement_180086_'+…)` in
    // `div.adbutler_zone_180086`, dev page livenet-ch-de-2021).
    "AdButler.register(",
    // and its older JavaScript tag, written in place
    // (`servedbyadbutler.com/adserve/;ID=177009;size=0x0;setID=376757;type=js…`, dev page
    // 24ora-pap-2022).
    "servedbyadbutler.com/adserve/",
    // OpenX's (Revive's) single-page call, drawn where it is called (`OA_show('ox_aaa')`).
    "OA_show(",
    // e-planning's call, which writes its position's box where it stands
    // (`eplAD4M("escritorio_a_728x90")`, La República's, dev page larepublica-cr-es-2022).
    "eplAD4M(",
];

/// Whether a script is a program the browser runs, not data (Yahoo's
/// `type="text/x-safeframe-processed"` positions in JSON, dev page yahoo-en-2).
fn is_program(script: ElementRef<'_>) -> bool {
    script.value().attr("type").is_none_or(|t| {
        let t = t.trim().to_ascii_lowercase();
        t.is_empty() || t.contains("javascript") || t.contains("ecmascript") || t == "module"
    })
}

/// An ad server's tag that a script writes where it stands (`document.write('<ins
/// class="adsbygoogle" data-ad-slot=…>')`, `document.write("<div id='div-gpt-ad-…'>")`, dev
/// page pocketpc-forum-2020), or any box it writes named for an ad (Traffective's
/// `document.write('<div id="traffective-ad-Billboard" …>')`, dev page eishockeynews-de-2022):
/// the position is the script's, since the tag is not in the page.
fn writes_ad_tag(text: &str) -> bool {
    text.contains("document.write")
        && (["div-gpt-ad", "data-ad-slot"]
            .iter()
            .any(|t| text.contains(t))
            || WRITES_BOX.captures_iter(text).any(|c| {
                ATTR_NAMES
                    .captures_iter(&c[1])
                    .any(|a| a[1].split_whitespace().any(ad_named))
            }))
}

/// A tag a script writes where it stands (`document.write('<div id="…">')`); captures its
/// attributes.
static WRITES_BOX: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"document\.write(?:ln)?\(\s*['"]<\w+([^>]*)>"#).expect("pattern parses")
});

/// Whether a script's text holds `marker`; a marker that is a host (`mediav.com`) only in a URL
/// (`//static.mediav.com/...`), not in a pattern that lists hosts (a page-speed monitor's
/// `/(\/\/.*?\.mediav.com|...)/`, dev page 163-news-2019c).
fn says_marker(text: &str, marker: &str) -> bool {
    let host = marker.contains('.')
        && marker
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !host {
        return text.contains(marker);
    }
    text.match_indices(marker).any(|(at, _)| {
        let before = &text[..at];
        let host_start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .map_or(0, |i| i + 1);
        before[..host_start].ends_with("//")
    })
}

/// Inline ad-server calls that may name the element they fill (`destid: "banner_top2"` for
/// Alimama's, `container: "_hn2d71sn6cp"` for Baidu's `slotbydup`, `slotContainer:
/// 'dlb1_container'` for a site's own `googleAdSlotInfo`).
const AD_CALLS: &[&str] = &[
    "AdSlot",
    "slotbydup",
    "cpro_id",
    "alimama.com",
    "tanx.com",
    "googletag",
    "TencentGDT",
    // WordAds, the ad network of WordPress.com and Jetpack sites
    // (`__ATA.initDynamicSlot({ id: 'atatags-…' })`, dev page stluciatimes-en-2022).
    "__ATA",
    // Admixer, an ad network of Eastern Europe (`admixerML.display('admixer_…_zone_9385…')`,
    // dev page 1k-by-item-2021b).
    "admixerML",
    // AdMediator's rotator, an ad network of Russian sites
    // (`AdMediatorTag.push({v: 1, el: 'admediator-60548-417214', …})`, dev page
    // deleuze-enacademic-en-2020).
    "AdMediatorTag",
    // ADITION's render call (`adition.srq.push(function(api) { api.renderSlot("renderSlot_Top")
    // })`, dev page nachrichten-at-2019).
    "adition.srq",
    // Criteo's zone tags (`Criteo.DisplayAd({ "zoneid": 1179708, "containerid": "crt-4650ea60"
    // })`, and its `DisplayAcceptableAdIfAdblocked`, dev page eatsmarter-de-2020).
    "Criteo.Display",
    // Advanced Ads' placements that a script fills once the page is cached
    // (`window.advads_passive_placements = {"im-artikel_1": {…, "elementid": ["dbh-b83b…"]}}`,
    // dev page dubisthalle-de-2023).
    "advads_passive_placements",
    // Ströer's ad library (`SDG.Publisher.registerSlot('topmobile', 'mobile1')`, dev page
    // tour-magazin-de-2022).
    "SDG.Publisher",
    // SevenOne Media's ad library (`insertAd('rectangle1', { container: '#sev1mrectangle' })`,
    // dev page spox-de-2022).
    "insertAd(",
];

/// The element an ad call names, by id or class (`container: "ad-top"`, or the first of a list:
/// `"elementid": ["dbh-b83b…"]`; Google Ad Manager's
/// `googletag.display("vme_wid_…_native")`, dev page haber7-news-2024; WordAds'
/// `initDynamicSlot({ id: 'atatags-…' })` and `initVideoSlot('atatags-…', {…})`, dev page
/// mywakenews-de-2016; AdMediator's `el: 'admediator-…'`; Ströer's
/// `registerSlot('topmobile', 'mobile1')`, its second argument), written as a selector too
/// (`container: '#sev1mrectangle'`).
static NAMED_CONTAINER: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r#"(?:(?:destid|\bel|container|containerId|containerid|container_id|slotContainer|div_?id|elementId|elementid|slotElementId|slotID)["']?\s*[:=]\s*\[?\s*|(?:googletag|admixerML)\.display\(\s*|\.renderSlot\(\s*|__ATA\.initDynamicSlot\(\s*\{\s*id\s*:\s*|__ATA\.initVideoSlot\(\s*|register(?:Modular)?Slot\(\s*["'][\w-]*["']\s*,\s*)["'][#.]?(\w[\w/.-]*)["']"#,
    )
    .expect("pattern parses")
});

/// In-page video ad networks whose tag is the only mark of their player, a box it floats over
/// the page from wherever the tag is loaded (`head` too): Vidoomy's
/// (`ads.vidoomy.com/ultimas-noticias_14652.js`, dev page ultimasnoticias-ve-es-2022), Unruly's
/// (`video.unrulymedia.com/native/native-loader.js`, dev page pagesix-en-2020), SmileWanted's
/// formats (`tags.smilewanted.com/formats/corner-video/pocketpc.ch`, and `…/infeed/…` among a
/// thread's posts, dev page pocketpc-forum-2020).
const PLAYER_NETWORKS: [&str; 3] = ["vidoomy.com", "unrulymedia.com", "smilewanted.com"];

/// Whether a script's URL is an in-page video network's tag ([`PLAYER_NETWORKS`]).
fn plays_ads(url: &Url) -> bool {
    url.host_str().is_some_and(|h| {
        PLAYER_NETWORKS.iter().any(|n| {
            h.strip_suffix(n)
                .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
        })
    })
}

/// A call that draws an ad in the box it names (`googletag.display("Lateral_Left")`, and as
/// other ad libraries copy Google's publisher tag, `urban.display('medrect2')`).
static DISPLAY_CALL: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"\w\.display\(\s*["']\w[\w-]*["']"#).expect("pattern parses")
});

/// A script that puts a box named for an ad into a container it names by class or id
/// (`$page.find('.recommendation-after-content').append('<div class="slot-box-marker
/// slot-box-marker-ad" …>')`, chocolate.com's, dev page chocolate-en-2020): the container is
/// where the ad goes. Captures the container's name and the inserted tag's attributes.
static APPENDS_BOX: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r#"(?:\$|jQuery|\.find)\(\s*['"][.#]([\w-]+)['"]\s*\)\s*\.(?:append|prepend|html)\(\s*['"]<\w+([^>'"]*(?:"[^"]*"[^>'"]*)*)>"#,
    )
    .expect("pattern parses")
});

/// An inserted tag's `class` and `id` values (`class="slot-box-marker slot-box-marker-ad"`, or
/// single-quoted).
static ATTR_NAMES: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"\b(?:class|id)\s*=\s*\\?["']([^"'\\]*)"#).expect("pattern parses")
});

/// A call that places an ad where it is made, by a function named for it with the position as
/// its argument (Hearst's `hearstPlaceAd("OOP")` in `div#OOP`, dev page sfgate-en-2019).
static PLACE_CALL: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"(?i)(?:place|write|show|render|load|display)_?ads?\(\s*["']\w"#)
        .expect("pattern parses")
});

/// The ad unit of Google Ad Manager's passback tag, which draws its ad where the tag stands
/// (`googletag.pubads().definePassback('/168615172/GT_PN/ad_300x250_ia_2', …).display()` in
/// `gpt.js`'s own script element, dev page publinews-es-2022), and of its out-of-page kind
/// (`defineOutOfPagePassback('/1098385/Footer_Desktop_Interiores')`, dev page
/// biobiochile-es-2022).
static PASSBACK: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"define(?:OutOfPage)?Passback\(\s*["']([^"']+)["']"#)
        .expect("pattern parses")
});

/// The box Google Ad Manager defines a slot for, by id: the last argument of
/// `googletag.defineSlot(path, sizes, "rec_1")` or `defineOutOfPageSlot(path, "OOP_1")` (dev page
/// wsvn-en-2023, whose boxes the display calls never name).
static GPT_DEFINED: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"\.define(?:OutOfPage)?Slot\([^)]*?["'](\w[\w/.-]*)["']\s*\)"#)
        .expect("pattern parses")
});

/// IAB standard ad sizes, width × height: a supporting signal, never enough alone.
const IAB_SIZES: &[(u32, u32)] = &[
    (300, 250),
    (336, 280),
    (728, 90),
    (970, 90),
    (970, 250),
    (160, 600),
    (120, 600),
    (300, 600),
    (300, 1050),
    (320, 50),
    (320, 100),
    (300, 50),
    (468, 60),
    (234, 60),
    (250, 250),
    (200, 200),
    (180, 150),
    (125, 125),
];

/// The biggest block a label can mark: more text or links than this is a section or a page.
const LABEL_BLOCK_CHARS: usize = 400;
const LABEL_BLOCK_LINKS: usize = 12;

/// A page's elements by class and by id, in document order.
pub(super) struct ByName<'a> {
    pub(super) classes: HashMap<&'a str, Vec<ElementRef<'a>>>,
    pub(super) ids: HashMap<&'a str, Vec<ElementRef<'a>>>,
}

impl<'a> ByName<'a> {
    pub(super) fn new(doc: &'a Html) -> Self {
        let mut by = ByName {
            classes: HashMap::new(),
            ids: HashMap::new(),
        };
        for el in doc
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            for class in el.value().classes() {
                by.classes.entry(class).or_default().push(el);
            }
            if let Some(id) = el.value().id() {
                by.ids.entry(id).or_default().push(el);
            }
        }
        by
    }

    /// The (first) element with this id.
    fn with_id(&self, id: &str) -> Option<ElementRef<'a>> {
        self.ids.get(id).and_then(|found| found.first().copied())
    }

    /// The element with this id, else the first with this class.
    fn named(&self, name: &str) -> Option<ElementRef<'a>> {
        self.with_id(name).or_else(|| {
            self.classes
                .get(name)
                .and_then(|found| found.first().copied())
        })
    }
}

/// The element `el` stands in, when that is a box of the page (not `head`, `body` or `html`).
fn box_around(el: ElementRef<'_>) -> Option<ElementRef<'_>> {
    el.parent()
        .and_then(ElementRef::wrap)
        .filter(|p| !matches!(p.value().name(), "head" | "body" | "html"))
}

/// The box a slot script fills: the element its `document.write` put right after it, else the
/// script's parent when that holds nothing but the ad (scripts, its frame) and little else.
fn box_of_script(script: ElementRef<'_>) -> Option<ElementRef<'_>> {
    // It writes a box (`document.write('<div id="' + s + '">')`), not just a script tag.
    let writes = script.text().any(|t| {
        t.contains("document.write") && ["<div", "<ins", "<span"].iter().any(|b| t.contains(b))
    });
    let written = script
        .next_siblings()
        .find_map(ElementRef::wrap)
        .filter(|next| writes && matches!(next.value().name(), "div" | "ins" | "span"))
        .filter(|next| is_empty_box(*next));
    written.or_else(|| {
        box_around(script)
            .filter(|c| {
                c.children()
                    .filter_map(ElementRef::wrap)
                    .filter(|e| !matches!(e.value().name(), "script" | "style" | "noscript"))
                    .count()
                    <= 2
            })
            // Not a row of other ad boxes (TMZ's Outbrain call beside two Taboola boxes).
            .filter(|c| {
                !c.children()
                    .filter_map(ElementRef::wrap)
                    .any(|e| e.value().name() != "script" && names_an_ad(e))
            })
            .filter(|c| shows_nothing(*c, false))
    })
}

/// The width and height an element is drawn at, from its attributes or its style.
fn drawn_size(el: ElementRef<'_>) -> Option<(u32, u32)> {
    let v = el.value();
    let style = v.attr("style").unwrap_or("").to_ascii_lowercase();
    let dimension = |name: &str| -> Option<u32> {
        let from_style = style.split(';').find_map(|decl| {
            let (k, val) = decl.split_once(':')?;
            (k.trim() == name).then(|| val.trim().trim_end_matches("px").trim().to_owned())
        });
        from_style
            .or_else(|| {
                v.attr(name)
                    .map(|a| a.trim().trim_end_matches("px").to_owned())
            })?
            .parse::<f64>()
            .ok()
            .map(|n| n.round() as u32)
    };
    Some((dimension("width")?, dimension("height")?))
}

/// Why a visible frame is an ad though no list names its URL: its name, id or class, or a step
/// of its URL's path, names an ad (`inline_ads`, `/ad/top_1000x60.html`); or
/// its URL asks for something of the frame's own size ([`asks_for_size`]); or it is drawn at
/// an IAB size and served from another site.
fn frame_signal(page_url: &Url, frame: ElementRef<'_>, src: &Url) -> Option<String> {
    let v = frame.value();
    let named = v
        .attr("name")
        .into_iter()
        .chain(v.id())
        .chain(v.classes())
        .any(ad_named);
    if named {
        return Some("frame:ad-name".to_owned());
    }
    if src.path_segments().into_iter().flatten().any(step_names_ad) {
        return Some("frame:ad-path".to_owned());
    }
    let drawn = drawn_size(frame);
    if drawn.is_some_and(|size| asks_for_size(src, size)) {
        return Some("frame:sized-request".to_owned());
    }
    let size = drawn.filter(|s| IAB_SIZES.contains(s))?;
    (site_of(src) != site_of(page_url))
        .then(|| format!("frame:iab-{}x{}+third-party", size.0, size.1))
}

/// Whether a frame's URL asks its server for something of the frame's own size: a creative
/// (NetEase's `g.163.com/r?…&type=column590x130` in a 590×130 frame, dev page 163-money-2015b;
/// AdSense's `format=300x600`). A page's or screen's size in the query (`pcs=1897x966`) is not
/// the frame's.
fn asks_for_size(src: &Url, (width, height): (u32, u32)) -> bool {
    static SIZE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(^|[^0-9])([0-9]{2,4})x([0-9]{2,4})([^0-9]|$)").expect("pattern parses")
    });
    src.query_pairs().any(|(_, value)| {
        value.len() <= 40
            && SIZE
                .captures_iter(&value)
                .any(|c| c[2].parse() == Ok(width) && c[3].parse() == Ok(height))
    })
}

/// The ad an ad server's script wrote right after itself, in a page saved after its scripts
/// ran: the next element, when it shows a picture whose link goes to another site or through
/// a click redirector (People's `pgg.people.com.cn/c?…&u=…` banners, dev page
/// people-finance-2024).
fn written_after<'a>(page_url: &Url, script: ElementRef<'a>) -> Option<ElementRef<'a>> {
    let next = script.next_siblings().find_map(ElementRef::wrap)?;
    let clicks_away = next.select(&s("a[href]")).any(|a| {
        a.select(&s("img")).next().is_some()
            && a.value()
                .attr("href")
                .and_then(|h| absolute(page_url, h))
                .is_some_and(|u| goes_elsewhere(page_url, &u))
    });
    (next.value().name() != "script" && clicks_away).then_some(next)
}

/// Whether a script's URL names an ad server by a host label before the site's own name
/// (`ad.southcn.com/place/17/ad`, dev page southcn-news-2024). Not by its path: an ad
/// blocker's checker (`hide-ad-checker.js`) or a tracker's `/adv?` names ads too.
fn url_names_ad(url: &Url) -> bool {
    let host = url.host_str().unwrap_or("");
    let site = site_of(url).unwrap_or_default();
    let sub = host.strip_suffix(site.as_str()).unwrap_or("");
    sub.split('.').any(step_names_ad)
}

/// An image drawn at an IAB size inside a link to another site: a banner (the size alone, or
/// the link alone, is not enough). The ad is the link.
fn banner_signal<'a>(page_url: &Url, img: ElementRef<'a>) -> Option<(ElementRef<'a>, String)> {
    let size = drawn_size(img).filter(|s| IAB_SIZES.contains(s))?;
    let link = img
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|a| a.value().name() == "a")?;
    let target = absolute(page_url, link.value().attr("href")?)?;
    (site_of(&target) != site_of(page_url))
        .then(|| (link, format!("image:iab-{}x{}+third-party", size.0, size.1)))
}

/// A URL's site: its registrable domain (`news.sina.com.cn` -> `sina.com.cn`), else its host.
fn site_of(url: &Url) -> Option<String> {
    url.host_str()
        .map(|h| psl::domain_str(h).unwrap_or(h).to_owned())
}

/// Whether a block a list's hiding rule found is the site's own editorial links (a "bottom-ad"
/// strip of photo news; Amazon's "Frequently bought together", which a rule written for today's
/// Amazon finds in 2021's): two or more links, every one to the page's own site and none
/// through a click redirector (a script link goes nowhere else), no label. Or a link among the
/// words of a text: a writer's link, a shop's affiliate link too, is part of what the text says
/// (AppleInsider's `rel="sponsored"` links inside its article, which EasyList hides on that
/// site, dev page appleinsider-en-2019).
pub(super) fn is_editorial(page_url: &Url, el: ElementRef<'_>) -> bool {
    if is_in_running_text(el) {
        return true;
    }
    let own = site_of(page_url);
    let mut links = 0;
    let all_own = el.select(&s("a[href]")).all(|a| {
        links += 1;
        let href = a.value().attr("href").unwrap_or("").trim();
        if super::is_script_href(href) {
            return true;
        }
        absolute(page_url, href)
            .is_some_and(|u| site_of(&u) == own && own.is_some() && !is_click_redirect(&u))
    });
    links >= 2 && all_own && !has_label(&el.text().collect::<Vec<_>>().join("\n"))
}

/// Whether `el` is a text link among the words of a longer text: inside it only inline
/// elements (no picture), and the block around it holds at least 200 characters, four times
/// the link's own.
fn is_in_running_text(el: ElementRef<'_>) -> bool {
    const INLINE: [&str; 10] = [
        "a", "span", "strong", "b", "em", "i", "u", "font", "small", "mark",
    ];
    if el.value().name() != "a"
        || el
            .select(&s("img, picture, iframe, video"))
            .next()
            .is_some()
    {
        return false;
    }
    let Some(block) = el
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|a| !INLINE.contains(&a.value().name()))
    else {
        return false;
    };
    // (What a reader sees: a script inside the block is no text around the link.)
    let chars = |e: ElementRef<'_>| -> usize {
        super::shown_texts(e)
            .map(|(_, t)| t.trim().chars().count())
            .sum()
    };
    let around = chars(block);
    around >= 200 && chars(el) * 4 <= around
}

/// Whether a label is, or sits in, an item of a menu of links to the site's own pages: the way
/// to its ad sales page (Haber7's footer link "Reklam", dev page haber7-news-2024; Youm7's
/// header slide whose image's alt says "Ads", dev page youm7-news-2024), not the label of an ad.
/// Menu items are short links. (Baidu's "推广" beside each ad and its "推广链接" over its column of
/// ads link to its ad sales site too, but from inside an ad or above long ones.)
fn is_menu_link(page_url: &Url, label: ElementRef<'_>) -> bool {
    let Some(link) = std::iter::once(label)
        .chain(label.ancestors().filter_map(ElementRef::wrap).take(3))
        .find(|a| a.value().name() == "a")
    else {
        return false;
    };
    let own = link
        .value()
        .attr("href")
        .and_then(|href| absolute(page_url, href))
        .is_some_and(|url| {
            matches!(url.scheme(), "http" | "https") && site_of(&url) == site_of(page_url)
        });
    own && is_menu_item(link)
}

/// Whether a link is an item of a menu: it, or the box around it that holds no other link
/// (`li`), has a sibling of its kind with a short link of its own.
fn is_menu_item(link: ElementRef<'_>) -> bool {
    let holds_one_link = |el: &ElementRef<'_>| el.select(&s("a[href]")).take(2).count() == 1;
    let item = link
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take(2)
        .take_while(holds_one_link)
        .last()
        .unwrap_or(link);
    let name = item.value().name();
    item.prev_siblings()
        .chain(item.next_siblings())
        .filter_map(ElementRef::wrap)
        .any(|sib| {
            sib.value().name() == name
                && sib.select(&s("a[href]")).next().is_some()
                && words_of(sib, 30).is_some()
        })
}

/// Whether a label is a link among two or more links of its kind, each a few words (a row of
/// buttons): the way to the publisher's ad sales, wherever that page is (Rzeczpospolita's
/// menu buttons PRENUMERATA, ARCHIWUM, REKLAMA, the last to `gremimedia.pl/reklama.html`, dev
/// page rp-pl-2021).
fn is_one_of_buttons(label: ElementRef<'_>) -> bool {
    let v = label.value();
    v.name() == "a"
        && v.attr("class").is_some()
        && label
            .prev_siblings()
            .chain(label.next_siblings())
            .filter_map(ElementRef::wrap)
            .filter(|sib| {
                sib.value().name() == "a"
                    && sib.value().attr("class") == v.attr("class")
                    && words_of(*sib, 30).is_some_and(|t| !t.trim().is_empty())
            })
            .take(2)
            .count()
            == 2
}

/// The menu entry a label marks as paid: a label of its own beside the entry's name in one link
/// (Der Spiegel's "Marktplatz" and "Lotto" entries, each with an "Anzeige" tag, dev page
/// spiegel-de-2024b), the link's item. A link whose words are the label alone ("Reklam",
/// 广告服务) is the way to the ad sales page, no entry.
fn marked_entry(label: ElementRef<'_>) -> Option<ElementRef<'_>> {
    if label.value().name() == "a" {
        return None;
    }
    let link = label
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take(3)
        .find(|a| a.value().name() == "a")?;
    let shown = |el| super::text_of(el).chars().count();
    (shown(link) > shown(label)).then(|| {
        link.ancestors()
            .filter_map(ElementRef::wrap)
            .take(3)
            .find(|a| a.value().name() == "li")
            .unwrap_or(link)
    })
}

/// Whether a link takes the reader away from the page's site: to another site, or through a
/// click redirector.
fn goes_elsewhere(page_url: &Url, url: &Url) -> bool {
    site_of(url) != site_of(page_url) || is_click_redirect(url)
}

/// Whether a link goes through a click redirector, as a portal's own ads do
/// (`sax.sina.com.cn/click?...`, `g.163.com/a?...&url=http...`): [`is_click_path`], or another
/// URL in its query.
fn is_click_redirect(url: &Url) -> bool {
    is_click_path(url)
        || url.query().is_some_and(|q| {
            let q = q.to_ascii_lowercase();
            ["http:", "https:", "http%3a", "https%3a"]
                .iter()
                .any(|scheme| q.contains(scheme))
        })
}

/// In-feed ads that carry no label: in a list of four or more items of one kind whose links go
/// to the site's own pages, the few (a third at most) whose link goes through a click
/// redirector instead (Sohu's 24小时热文 card that clicks through `wtc.sohu.com/click`, dev
/// page sohu-news-2024). A link may sit in `data-url` for a script to follow.
fn redirected_feed_items<'a>(
    page_url: &Url,
    doc: &'a Html,
    found: &mut Vec<(ElementRef<'a>, String)>,
) {
    let own = site_of(page_url);
    let link_of = |item: ElementRef<'_>| -> Option<Url> {
        std::iter::once(item)
            .chain(item.descendants().skip(1).filter_map(ElementRef::wrap))
            .filter(|e| e.value().name() == "a")
            .find_map(|a| {
                let v = a.value();
                // (A link to a place on the page is no way off it, whatever the page's own
                // address says: the footer's "Cookie-Manager" `href="#"` on a page under
                // `/dm-native-advert/`, dev page gitarrebass-de-2022.)
                let href = v
                    .attr("href")
                    .filter(|h| !h.trim().is_empty() && super::href_leads_somewhere(h))
                    .or_else(|| v.attr("data-url"))
                    .or_else(|| v.attr("data-href"))?;
                absolute(page_url, href)
            })
    };
    for parent in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        for items in super::children_by_kind(parent)
            .into_iter()
            .filter(|i| i.len() >= 4)
        {
            if !matches!(
                items[0].value().name(),
                "div" | "li" | "article" | "section"
            ) {
                continue;
            }
            let (mut plain, mut odd) = (0, Vec::new());
            for item in items {
                match link_of(item) {
                    Some(u) if is_click_path(&u) => odd.push(item),
                    Some(u) if site_of(&u) == own => plain += 1,
                    _ => {}
                }
            }
            // A headline or a picture, not a menu's "advertise here" link (one word, however
            // long: UrduPoint's footer "Advertisment", dev page urdupoint-news-2024b).
            let one_word = |i: &ElementRef<'_>| {
                let text: String = i.text().collect();
                let text = text.trim();
                !text.is_empty() && text.chars().all(|c| c.is_ascii_alphabetic())
            };
            // (Nor a menu's entry outside a `nav`, nor a box of such entries: WordPress's
            // `li.menu-item`, Observer's "Advertising Guidelines" in its header, dev page
            // observer-en-2023, and Business Punk's footer column of them, dev page
            // business-punk-de-2022.)
            let menu_entry = s(".menu-item");
            // (Nor an entry that asks advertisers in: Yonhap's "Advertise with Yonhap News
            // Agency" to its `/ad/index`, dev page yna-en-2019.)
            let to_advertisers = |i: &ElementRef<'_>| {
                words_of(*i, 60).is_some_and(|t| {
                    t.split_whitespace().next().is_some_and(|w| {
                        ["advertise", "advertising"].contains(&w.to_lowercase().as_str())
                    })
                })
            };
            odd.retain(|i| {
                (i.select(&s("img")).next().is_some()
                    || (words_of(*i, 8).is_none() && !one_word(i) && !to_advertisers(i)))
                    && !i.value().classes().any(|c| c == "menu-item")
                    && i.select(&menu_entry).next().is_none()
                    && !i
                        .ancestors()
                        .filter_map(ElementRef::wrap)
                        .any(is_navigation)
            });
            if !odd.is_empty() && plain >= 3 && odd.len() * 3 <= plain + odd.len() {
                found.extend(
                    odd.into_iter()
                        .map(|i| (i, "feed:click-redirect".to_owned())),
                );
            }
        }
    }
}

/// Whether a link's host or path names a click or an ad (`wtc.sohu.com/click?redirect=...`,
/// `adclick`, `/aclk`): the stricter half of [`is_click_redirect`], since a login link also carries a URL
/// in its query.
fn is_click_path(url: &Url) -> bool {
    let host = url.host_str().unwrap_or("");
    host.split('.')
        .chain(url.path_segments().into_iter().flatten())
        .any(|step| {
            // A title's words say what it is about (`how-to-disable-the-middle-click-paste-function`,
            // `Strumenti-ad-Arco`), before case is folded away.
            if is_title_slug(step) {
                return false;
            }
            let step = step.to_ascii_lowercase();
            // Google's and 360's ad clicks go through `/aclk`, Campaign Manager's through
            // `/ddm/clk/` (dev page lafeltrinelli-it-item-2021b).
            step_names_ad(&step) || step.contains("click") || step == "aclk" || step == "clk"
        })
}

/// Whether a URL's path says it counts rather than shows: a conversion or a visit
/// (Google Ads' `/pagead/viewthroughconversion/…`, Groovinads' `/grv/track/…`, Soicos'
/// retargeting `rtg.php`; dev pages argos-uk-item-2021b, paris-cl-item-2021b).
fn is_tracking_url(url: &Url) -> bool {
    url.path_segments().into_iter().flatten().any(counts_visits)
}

/// Whether a step of a path (or of an ad unit's name) says it counts: [`is_tracking_url`].
fn counts_visits(step: &str) -> bool {
    let step = step.to_ascii_lowercase();
    let stem = step.split('.').next().unwrap_or("");
    ["conversion", "track", "pixel", "beacon"]
        .iter()
        .any(|w| step.contains(w))
        || stem == "rtg"
}

/// The ad unit a script's passback tag asks for ([`PASSBACK`]), whether the script is inline or
/// `gpt.js`'s own element (whose text the library reads).
fn passback_unit(script: ElementRef<'_>) -> Option<String> {
    if !script.text().any(|t| t.contains("Passback(")) {
        return None;
    }
    let code: String = script.text().collect();
    PASSBACK.captures(&code).map(|c| c[1].to_owned())
}

/// Whether a rule found an ad server's slot by the server's own mark, not by a name alone (an
/// empty box named for ads or for a banner).
fn is_server_slot(rule: &str) -> bool {
    rule.starts_with("slot:") && !matches!(rule, "slot:empty-ad-box" | "slot:empty-banner-box")
}

/// Whether a rule names the units of a block (a site file's sponsored cards, a recommendation
/// widget's paid items): a block they sit in gives way to them.
fn is_unit(rule: &str) -> bool {
    rule.starts_with("site:") || rule.starts_with("native:")
}

/// Headings that say what follows them is paid for: "Health Solutions From Our Sponsors" over
/// a block of sponsored programmes' links (WebMD, dev page webmd-en-2), a community's 社区赞助商
/// card of sponsors' banners (LearnKu, dev page learnku-forum-2024), 赞助商链接.
const SPONSOR_HEADINGS: [&str; 11] = [
    "from our sponsors",
    "from our sponsor",
    // German "advertising partners": a blog's sidebar banner (dev page antary-de-2020).
    "werbepartner",
    // CRN's carousel of its advertisers' hubs and its list of their papers (dev page
    // crn-en-2019).
    "from our advertisers",
    "sponsored resources",
    // BuzzFeed's menu section of its advertisers' hubs (dev page buzzfeed-en-2024).
    "from our partners",
    "sponsored links",
    "sponsored content",
    "our sponsors",
    "赞助商",
    "推广链接",
];

/// Whether `el` is a heading ([`is_heading`]) of a few words that end with one of
/// [`SPONSOR_HEADINGS`]; not an invitation (成为赞助商, "Become a sponsor").
fn is_sponsor_heading(el: ElementRef<'_>) -> bool {
    if !is_heading(el) {
        return false;
    }
    let Some(text) = words_of(el, 40) else {
        return false;
    };
    let text = text.trim().to_lowercase();
    SPONSOR_HEADINGS.iter().any(|h| text.ends_with(h))
        && !["成为", "申请", "become", "be a"]
            .iter()
            .any(|w| text.starts_with(w))
}

/// What a sponsor heading marks: in the first block of links after it (after the heading, or
/// after the box the heading sits in, two levels up at most), the sponsors' links to other
/// sites with a picture, one ad each; when there are none, the block (WebMD's programmes are
/// on its own site). Only that block: the box around both can hold the site's own links too.
fn sponsor_headed_blocks<'a>(
    page_url: &Url,
    doc: &'a Html,
    found: &mut Vec<(ElementRef<'a>, String)>,
) {
    let rule = || "label:heading".to_owned();
    for heading in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|el| is_sponsor_heading(*el))
    {
        // (Past a carousel's arrows, links that lead nowhere: CRN's "From our advertisers",
        // dev page crn-en-2019.)
        let leads = |b: ElementRef<'_>| b.select(&s("a[href]")).any(super::leads_somewhere);
        let controls = |b: ElementRef<'_>| !leads(b) && b.select(&s("a[href]")).next().is_some();
        let block = std::iter::once(heading)
            .chain(heading.ancestors().filter_map(ElementRef::wrap).take(2))
            .find_map(|at| {
                at.next_siblings()
                    .filter_map(ElementRef::wrap)
                    .find(|b| !controls(*b))
                    .filter(|b| leads(*b))
            });
        let Some(block) = block else { continue };
        let sponsors: Vec<ElementRef<'a>> = block
            .select(&s("a[href]"))
            .filter(|a| {
                a.select(&s("img")).next().is_some()
                    && a.value()
                        .attr("href")
                        .and_then(|h| absolute(page_url, h))
                        .is_some_and(|u| site_of(&u) != site_of(page_url))
            })
            .collect();
        if sponsors.is_empty() {
            found.push((block, rule()));
        } else {
            found.extend(sponsors.into_iter().map(|a| (a, rule())));
        }
    }
}

/// A box named for sponsors (`section.sponsor-bar`, `ul.hauptsponsoren`: the German handball
/// federation's footer, dev page dhb-de-2022) holds their logos: each picture link in it to
/// another site is an ad, the sponsor's. Not a box named for sponsored content (a label's
/// business) nor one without such links (La Tercera's copyright line `p.sponsor`, dev page
/// latercera-es-2022).
fn sponsor_boxes<'a>(page_url: &Url, doc: &'a Html, found: &mut Vec<(ElementRef<'a>, String)>) {
    let names_sponsors =
        |n: &str| super::name_holds(n, "sponsor") && !super::name_holds(n, "sponsored");
    let own = site_of(page_url);
    let mut seen = HashSet::new();
    for el in doc.select(&s(r#"[class*="ponsor" i], [id*="ponsor" i]"#)) {
        let v = el.value();
        if !v.id().into_iter().chain(v.classes()).any(names_sponsors) {
            continue;
        }
        for a in el.select(&s("a[href]")) {
            let elsewhere = a
                .value()
                .attr("href")
                .and_then(|h| absolute(page_url, h))
                .is_some_and(|u| site_of(&u) != own);
            if elsewhere && a.select(&s("img")).next().is_some() && seen.insert(a.id()) {
                found.push((a, "label:sponsor-box".to_owned()));
            }
        }
    }
}

/// Entries a class says carry an ad's label, which the site's style sheet draws (stern.de's
/// menu entries `li.menu__list-item--categories-with-ad-label` and `…-with-ad-sponsor`, dev
/// page stern-de-2023; the Hamburger Abendblatt's `a.has-anzeige`, dev page
/// abendblatt-de-2020): each that is or holds a link is an ad. A flag for a box that has ads
/// (`has-ads`) names no label.
fn marked_by_class<'a>(doc: &'a Html, found: &mut Vec<(ElementRef<'a>, String)>) {
    static MARK: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)(^|[-_])(with|has)[-_]?(ad[-_]?(label|sponsor|mark|badge|tag)|anzeige|advert[a-z]*[-_]?(label|badge|tag)|sponsor[a-z]*[-_]?(label|badge|tag))([-_]|$)",
        )
        .expect("pattern parses")
    });
    for el in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        let marked = el.value().classes().any(|c| {
            let lower = c.to_ascii_lowercase();
            (lower.contains("with") || lower.contains("has")) && MARK.is_match(c)
        });
        // (Links are looked for only in the few elements so marked.)
        let links = || el.value().name() == "a" || el.select(&s("a[href]")).next().is_some();
        if marked && links() {
            found.push((el, "label:class".to_owned()));
        }
    }
}

/// A list's item classed "pr" that shows "PR" first, where the others show their rank, is a
/// paid item (日刊ゲンダイ's ranking with its `li.pr` entries, dev page nikkan-gendai-ja-2025):
/// the mark of paid content on Japanese sites, as [`pr_icon`].
fn pr_items<'a>(doc: &'a Html, found: &mut Vec<(ElementRef<'a>, String)>) {
    for li in doc.select(&s("li.pr, li.PR")) {
        let starts_with_pr = super::shown_texts(li)
            .flat_map(|(_, t)| t.split_whitespace())
            .next()
            .is_some_and(|w| w == "PR");
        if starts_with_pr && li.select(&s("a[href]")).next().is_some() {
            found.push((li, "label:pr".to_owned()));
        }
    }
}

/// Links the site itself marks as ads: a click handler that reports the click as an ad's (an
/// analytics event of category `ad`, `gtag('event', 'click', {'event_category': 'ad', …})`, or
/// a count of an ad creative's clicks, `countCreativeClicks('C1-…')`, as cnblogs tracks the
/// links and banners it sells, dev page cnblogs-blog-2024); a URL whose query sets a flag
/// named for ads (Weibo's paid hot-search entries, `&topic_ad=1` where the others have
/// `topic_ad=`, dev page weibo-post-2024); or a link to another site whose title, or its
/// image's, credits a sponsor ("本站服务器由 UCloud 赞助", "社区 CDN 赞助商": LearnKu's and Ruby
/// China's footers, dev pages learnku-forum-2024 and ruby-china-topic-2024), not a plea for
/// donations ("赞助我们"). One pass over the page's links.
fn links_marked_as_ads<'a>(
    page_url: &Url,
    doc: &'a Html,
    found: &mut Vec<(ElementRef<'a>, String)>,
) {
    let flagged = |href: &str| {
        // Most links have no query naming an ad: test the text before parsing the URL.
        let query = href.split_once('?').map_or("", |(_, q)| q);
        query
            .as_bytes()
            .windows(2)
            .any(|w| w.eq_ignore_ascii_case(b"ad"))
            && absolute(page_url, href).is_some_and(|u| {
                u.query_pairs().any(|(name, value)| {
                    ad_named(&name) && matches!(value.to_ascii_lowercase().as_str(), "1" | "true")
                })
            })
    };
    static AD_EVENT: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r#"(?i)event_?category['"]?\s*:\s*['"](ad|ads|advert|advertising|advertisement)['"]|creatives?_?clicks?\s*\(|\bad_?clicks?\s*\("#,
        )
        .expect("pattern parses")
    });
    static SPONSOR: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)由.{1,40}赞助|赞助商|sponsored by").expect("pattern parses")
    });
    let credits = |a: ElementRef<'_>, href: &str| {
        std::iter::once(a).chain(a.select(&s("img"))).any(|el| {
            el.value()
                .attr("title")
                .is_some_and(|t| SPONSOR.is_match(t))
        }) && absolute(page_url, href).is_some_and(|u| site_of(&u) != site_of(page_url))
    };
    for a in doc.select(&s("a[href]")) {
        let v = a.value();
        let href = v.attr("href").unwrap_or("");
        let rule = if flagged(href) {
            "link:ad-flag"
        } else if v.attr("onclick").is_some_and(|h| AD_EVENT.is_match(h)) {
            "link:ad-event"
        } else if credits(a, href) {
            "link:sponsor-credit"
        } else if is_campaign_banner(page_url, a, href) {
            "link:campaign-banner"
        } else if counts_banner_click(page_url, a, href) {
            "link:banner-id"
        } else {
            continue;
        };
        found.push((a, rule.to_owned()));
    }
}

/// A picture in a link whose campaign tag calls it a banner or a paid placement
/// (`utm_medium=banner`: handwerk magazin's whitepaper teaser among its sidebar's ads, dev page
/// handwerk-magazin-de-2022; Parey's subscription banners, `utm_medium=Banner`, dev pages
/// wildundhund-de-2022 and djz-de-2022; `utm_medium=display`, `utm_medium=cpc`). A text link so
/// tagged is as often a site's callout to its sister site (New York Magazine's Curbed links,
/// dev page nymag-en-2020), and is not asked.
fn is_campaign_banner(page_url: &Url, a: ElementRef<'_>, href: &str) -> bool {
    const MEDIA: [&str; 8] = [
        "banner",
        "display",
        "cpc",
        "cpm",
        "paid",
        "ad",
        "ads",
        "sponsored",
    ];
    // Most links carry no campaign tag: test the text before parsing the URL.
    let tagged = href
        .as_bytes()
        .windows(10)
        .any(|w| w.eq_ignore_ascii_case(b"utm_medium"));
    tagged
        && a.select(&s("img, picture, amp-img")).next().is_some()
        && absolute(page_url, href).is_some_and(|u| {
            u.query_pairs().any(|(name, value)| {
                name.eq_ignore_ascii_case("utm_medium")
                    && MEDIA.contains(&value.trim().to_ascii_lowercase().as_str())
            })
        })
}

/// A picture in a link that counts a click on a banner by its number (`_counter_db.inc.php?
/// ADID=2681`, the click counter of nnz's own ad server, dev page nnz-online-de-2023;
/// `?bannerid=12`): the booked banners of a site that serves its own. (In a box named for ads
/// the box's own rule says which pictures are one ad: literaturkritik.de's one advertiser's two
/// banners, dev page literaturkritik-de-2023.)
fn counts_banner_click(page_url: &Url, a: ElementRef<'_>, href: &str) -> bool {
    const IDS: [&str; 4] = ["adid", "ad_id", "bannerid", "banner_id"];
    // Most links carry no such number: test the text before parsing the URL.
    let query = href.split_once('?').map_or("", |(_, q)| q);
    IDS.iter().any(|id| super::name_holds(query, id))
        && a.select(&s("img, picture, amp-img")).next().is_some()
        && !a
            .ancestors()
            .filter_map(ElementRef::wrap)
            .take(3)
            .any(names_an_ad)
        && absolute(page_url, href).is_some_and(|u| {
            u.query_pairs().any(|(name, value)| {
                IDS.contains(&name.to_ascii_lowercase().as_str())
                    && !value.is_empty()
                    && value.bytes().all(|b| b.is_ascii_digit())
            })
        })
}

/// Posts a blog's theme marks paid by their category or tag, as WordPress names them in each
/// post's classes (`article.category-sponsored` in MANNSCHAFT's row of newest articles, dev page
/// mannschaft-de-2022; `section.category-anzeige` among Mein-MMO's, dev page mein-mmo-de-2023).
/// A category "ad" or "ads" is as often the news of the ad trade.
fn sponsored_posts<'a>(doc: &'a Html, found: &mut Vec<(ElementRef<'a>, String)>) {
    const MORE: [&str; 4] = [
        "advertorial",
        "sponsored-content",
        "sponsored-post",
        "paid-content",
    ];
    let paid = |class: &str| {
        let word = class
            .strip_prefix("category-")
            .or_else(|| class.strip_prefix("tag-"))?;
        let word = word.to_ascii_lowercase();
        (MORE.contains(&word.as_str())
            || label_word(&word).is_some_and(|w| !matches!(w.as_str(), "ad" | "ads")))
        .then(|| format!("post:{class}"))
    };
    let filed = s(r#":is(article, section, li, div):is([class*="category-"], [class*="tag-"])"#);
    for post in doc.select(&filed) {
        if let Some(rule) = post.value().classes().find_map(paid) {
            found.push((post, rule));
        }
    }
}

/// Whether a URL is on a social network or messenger, where a site keeps its own channel.
fn is_social_network(url: &Url) -> bool {
    const NETWORKS: [&str; 13] = [
        "t.me",
        "telegram.me",
        "facebook.com",
        "twitter.com",
        "x.com",
        "instagram.com",
        "youtube.com",
        "linkedin.com",
        "tiktok.com",
        "pinterest.com",
        "whatsapp.com",
        "vk.com",
        "weibo.com",
    ];
    url.host_str().is_some_and(|h| {
        NETWORKS
            .iter()
            .any(|n| h == *n || h.strip_suffix(n).is_some_and(|r| r.ends_with('.')))
    })
}

/// Local advertisers' banners in a sidebar: three or more of its widgets that each hold one
/// link, a picture to another site, under a few words at most (Lokalo's businesses, each an
/// image widget titled with its name, dev page lokalo-de-2023). A widget of the site's own
/// (its print edition, its newsletter) links home, and one to its own channel on a social
/// network or messenger is no advertiser's (Report24's two Telegram banners among its
/// sponsors', dev page report24-de-2023); one picture to another site is a partner.
fn sidebar_banners<'a>(page_url: &Url, doc: &'a Html, found: &mut Vec<(ElementRef<'a>, String)>) {
    let named = |el: ElementRef<'_>, word: &str| {
        let v = el.value();
        v.id()
            .into_iter()
            .chain(v.classes())
            .any(|n| super::name_holds(n, word))
    };
    let (links, pictures) = (s("a[href]"), s("img[src]"));
    let own = site_of(page_url);
    let sidebars = doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|el| named(*el, "sidebar"))
        .filter(|el| {
            !el.ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| named(a, "sidebar"))
        });
    for sidebar in sidebars {
        let mut banners = Vec::new();
        let mut sites = HashSet::new();
        for widget in sidebar
            .descendants()
            .skip(1)
            .filter_map(ElementRef::wrap)
            .filter(|w| w.value().classes().any(|c| super::name_holds(c, "widget")))
        {
            let mut in_widget = widget.select(&links);
            let (Some(link), None) = (in_widget.next(), in_widget.next()) else {
                continue;
            };
            let Some(target) = link
                .value()
                .attr("href")
                .and_then(|h| absolute(page_url, h))
                .filter(|u| site_of(u) != own)
            else {
                continue;
            };
            if link.select(&pictures).next().is_some() && words_of(widget, 60).is_some() {
                // (Its own channel's banner still makes the sidebar one of banners.)
                sites.insert(site_of(&target));
                if !is_social_network(&target) {
                    banners.push(widget);
                }
            }
        }
        if sites.len() >= 3 {
            found.extend(
                banners
                    .into_iter()
                    .map(|b| (b, "box:sidebar-banner".to_owned())),
            );
        }
    }
}

/// The boxes a page asks Taboola to fill with its own stories or to count visits in, by the
/// mode its `_taboola.push({mode: …, container: …})` call names: `organic-thumbnails-a` (Sputnik's
/// second widget, dev page sputniknews-en-2019), `rbox-tracking` (Motor Presse's
/// `taboola-newsroom`, dev page outdoormagazin-de-2022). Every other mode shows paid items
/// (`thumbnails-a`, `alternating-thumbnails-a`), and an empty box so named is a slot.
fn unpaid_taboola_boxes(doc: &Html) -> HashSet<String> {
    static CALL: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r#"mode\s*:\s*['"]([^'"]+)['"]\s*,\s*container\s*:\s*['"]([^'"]+)['"]|container\s*:\s*['"]([^'"]+)['"]\s*,\s*(?:placement\s*:\s*['"][^'"]*['"]\s*,\s*)?mode\s*:\s*['"]([^'"]+)['"]"#,
        )
        .expect("pattern parses")
    });
    let mut boxes = HashSet::new();
    // A box may carry its mode itself (The Sun's `div#thesun_taboola_widget-5.taboola
    // [data-mode="organic-thumbnails-a"]`, dev page thesun-en-2019).
    let named = s(r#"[data-mode][id]:is([id*="taboola" i], [class*="taboola" i])"#);
    for el in doc.select(&named) {
        let v = el.value();
        if v.attr("data-mode")
            .is_some_and(|m| !is_paid_taboola_mode(m))
        {
            boxes.extend(v.id().map(str::to_owned));
        }
    }
    for script in doc.select(&s("script:not([src])")) {
        // (Only a script that names Taboola is copied out whole.)
        if !script.text().any(|t| t.contains("_taboola")) {
            continue;
        }
        let code: String = script.text().collect();
        for call in CALL.captures_iter(&code) {
            let (Some(mode), Some(container)) =
                (call.get(1).or(call.get(4)), call.get(2).or(call.get(3)))
            else {
                continue;
            };
            if !is_paid_taboola_mode(mode.as_str()) {
                boxes.insert(container.as_str().to_owned());
            }
        }
    }
    boxes
}

/// Whether `el` holds nothing but one of `boxes` (by id), scripts aside: the wrapper of a box
/// its page asks Taboola to fill with its own stories (AP's hosted pages put their organic
/// `div#taboola-below-article-stream-thumbnails` alone in a section named `…-taboola-add`, dev
/// page ap-hosted-en-2019).
fn wraps_only(el: ElementRef<'_>, boxes: &HashSet<String>) -> bool {
    let mut inside = el
        .descendants()
        .skip(1)
        .filter_map(ElementRef::wrap)
        .filter(|d| !matches!(d.value().name(), "script" | "style" | "noscript"));
    let Some(first) = inside.next() else {
        return false;
    };
    first.value().id().is_some_and(|id| boxes.contains(id))
        && inside.all(|d| d.ancestors().any(|a| a.id() == first.id()))
}

/// Whether a Taboola mode shows paid items: every mode but the organic and tracking ones
/// ([`unpaid_taboola_boxes`]).
fn is_paid_taboola_mode(mode: &str) -> bool {
    !(mode.starts_with("organic") || mode.contains("tracking"))
}

/// A script that writes the box a Taboola placement fills and asks for paid items
/// (`document.write('<div id="'+taboolaBATContainerLabel+'"></div>'); _taboola.push({mode:
/// 'thumbnails-a', container: taboolaBATContainerLabel, …})`, Hearst's, dev page sfgate-en-2019):
/// the placement is the box the script stands in, though its name is only in a variable.
fn writes_taboola_box(code: &str) -> bool {
    static MODE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"mode\s*:\s*['"]([^'"]+)['"]"#).expect("pattern parses")
    });
    let mut modes = MODE
        .captures_iter(code)
        .map(|c| c.get(1).map_or("", |m| m.as_str()));
    code.contains("document.write")
        && code.contains("_taboola.push(")
        && modes.next().is_some_and(is_paid_taboola_mode)
        && modes.all(is_paid_taboola_mode)
}

/// Taboola's widgets mark each item paid (`syndicatedItem`, `data-item-syndicated="true"`) or
/// the site's own: a widget's paid items are the ads in it, and a widget of the site's own
/// stories alone is no ad, whatever a list says (MSN's "More from MSN"). A widget with no item
/// yet is left to the other detectors (an empty slot).
fn paid_recommendations<'a>(doc: &'a Html, found: &mut Vec<(ElementRef<'a>, String)>) {
    let mut organic = HashSet::new();
    for widget in doc.select(&s(".trc_related_container")) {
        let items: Vec<ElementRef<'a>> = widget.select(&s(".videoCube")).collect();
        let paid: Vec<ElementRef<'a>> = items
            .iter()
            .copied()
            .filter(|i| {
                i.value().classes().any(|c| c == "syndicatedItem")
                    || i.value().attr("data-item-syndicated") == Some("true")
            })
            .collect();
        if paid.is_empty() && !items.is_empty() {
            organic.insert(widget.id());
        }
        found.extend(
            paid.into_iter()
                .map(|i| (i, "native:taboola-paid".to_owned())),
        );
    }
    found.retain(|(el, _)| {
        !organic.contains(&el.id()) && !el.ancestors().any(|a| organic.contains(&a.id()))
    });
}

impl Extractor {
    /// Ad-server slots: elements of [`SLOT_SELECTORS`], the element an ad call names, and the
    /// box a slot script fills.
    fn slots<'a>(
        page_url: &Url,
        doc: &'a Html,
        by: &ByName<'a>,
        found: &mut Vec<(ElementRef<'a>, String)>,
    ) {
        for (selector, rule) in SLOT_SELECTORS {
            found.extend(doc.select(&s(selector)).map(|el| (el, (*rule).to_owned())));
        }
        for script in doc.select(&s("script")) {
            let src = script.value().attr("src").unwrap_or("");
            // An inline script of data (Yahoo's `text/x-safeframe-processed` JSON) calls nothing.
            let inline = src.is_empty() && is_program(script);
            let says = |markers: &[&str]| {
                inline && script.text().any(|t| markers.iter().any(|m| t.contains(m)))
            };
            // An ad call that names its box: that box is the slot, wherever it is.
            if says(AD_CALLS) {
                let text: String = script.text().collect();
                let defined = GPT_DEFINED
                    .captures_iter(&text)
                    .filter_map(|c| by.with_id(&c[1]));
                let named: Vec<ElementRef<'a>> = NAMED_CONTAINER
                    .captures_iter(&text)
                    .filter_map(|c| by.named(&c[1]))
                    .chain(defined)
                    .filter(|el| !matches!(el.value().name(), "body" | "html" | "head"))
                    .collect();
                if !named.is_empty() {
                    found.extend(named.into_iter().map(|el| (el, "slot:named".to_owned())));
                    continue;
                }
                // A display call for a box the page does not hold, in a box of nothing but
                // scripts, is the position itself: the ad is drawn where it stands (Líbero's
                // side skyscrapers, `googletag.display("Lateral_Left")` and `…Right` in one
                // `div.bl-Ads`, dev page libero-pe-es-2022).
                let among_scripts = box_around(script).is_some_and(|p| {
                    p.children()
                        .filter_map(ElementRef::wrap)
                        .all(|c| c.value().name() == "script")
                });
                if among_scripts && DISPLAY_CALL.is_match(&text) {
                    found.push((script, "slot:script".to_owned()));
                    continue;
                }
            }
            // (Most scripts insert nothing: the cheap test first.)
            if says(&["append(", "prepend(", ".html("]) {
                let text: String = script.text().collect();
                for c in APPENDS_BOX.captures_iter(&text) {
                    let names_ad = ATTR_NAMES
                        .captures_iter(&c[2])
                        .any(|a| a[1].split_whitespace().any(ad_named));
                    if let Some(el) = by.named(&c[1]).filter(|_| names_ad) {
                        found.push((el, "slot:appended".to_owned()));
                    }
                }
            }
            // A slot call marks where the ad goes: the box it fills, else the script itself;
            // so does a script loaded from an ad server with the slot in its query
            // (`jr?site=netease&location=2`). A loader without one marks only a box (the same
            // loader follows every call), and nothing in `head` marks a place on the page.
            let in_head = script
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().name() == "head");
            // (An inline script has no address of its own: not the page's.)
            let src_url = if src.is_empty() {
                None
            } else {
                absolute(page_url, src)
            };
            // Mediav's conversion tracking (`_mvq.push(['$logConversion'])`) marks no place;
            // nor does a script an ad server counts a conversion or a visit with.
            let tracking = (inline && script.text().any(|t| t.contains("_mvq")))
                || src_url.as_ref().is_some_and(is_tracking_url);
            // (An in-page video network's tag draws its floating player wherever it is loaded,
            // even from `head`.)
            let player = src_url.as_ref().is_some_and(plays_ads);
            let slot = if player {
                Some(script)
            } else if in_head || tracking {
                None
            } else if let Some(unit) = passback_unit(script) {
                // A passback draws its ad where its tag stands: the box it fills, else the tag;
                // a unit named for counting (`/129480178/pixel`, same page) draws nothing.
                (!unit.split('/').any(counts_visits))
                    .then(|| box_of_script(script).unwrap_or(script))
            } else if inline
                && script
                    .text()
                    .any(|t| SLOT_SCRIPTS.iter().any(|m| says_marker(t, m)) || writes_ad_tag(t))
            {
                // A call beside the position it fills (the `ins` it wrote, in a rendered save:
                // dev page youm7-news-2024) is that position's, found as a slot; and a unit's
                // settings just before the tag that writes it in place (AdSense's
                // `google_ad_slot` before `show_ads.js`, dev page der-erfolg-gibt-recht-de-2010)
                // are no position of their own: the tag is.
                box_of_script(script).or_else(|| {
                    let beside = script.parent().and_then(ElementRef::wrap);
                    let drawn_next = script
                        .next_siblings()
                        .find_map(ElementRef::wrap)
                        .and_then(|n| n.value().attr("src"))
                        .is_some_and(writes_in_place);
                    (!beside.is_some_and(holds_slot) && !drawn_next).then_some(script)
                })
            } else if SLOT_SCRIPTS.iter().any(|m| src.contains(m))
                || src_url.as_ref().is_some_and(url_names_ad)
            {
                box_of_script(script)
                    .or_else(|| written_after(page_url, script))
                    .or_else(|| {
                        // (Not when the position it writes is found beside it: the `ins` it
                        // wrote in a rendered save, or an empty box named for the ad, Kinja's
                        // `div#js_adsense-container`, dev page lifehacker-en.)
                        let beside = script.parent().and_then(ElementRef::wrap);
                        let found_beside = beside.is_some_and(|b| {
                            holds_slot(b)
                                || b.children()
                                    .filter_map(ElementRef::wrap)
                                    .any(|c| is_empty_box(c) && names_an_ad(c))
                        });
                        let in_place = writes_in_place(src) && !found_beside;
                        (src.contains('?') || in_place).then_some(script)
                    })
            } else if inline
                && script.text().any(|t| {
                    t.contains(".cmd.push(")
                        && (DISPLAY_CALL.is_match(t)
                            || t.contains(".loadAd(")
                            || t.contains(".adTag(")
                            || t.contains(".displaySlot("))
                })
            {
                // Google's command-queue idiom, which other ad libraries copy
                // (`urban.cmd.push(function() { urban.display('medrect2'); })` in
                // `div#urban-medrect2`, Tagesspiegel's, dev page tagesspiegel-de-2020; Netpoint
                // Media's `ADNPM.cmd.push(function(){ADNPM.loadAd(6396068);})` beside
                // `div#npm_6396068`, dev page raptastisch-de-2023; Purch's
                // `tmntag.cmd.push(function(){tmntag.adTag('out-of-page', false);})` in
                // `div#out-of-page`, dev page sciencealert-en-2019; FUNKE's
                // `Spark.cmd.push(function() { Spark.definitionService.displaySlot('mr1'); })` in
                // `div#mr1`, dev page onmeda-de-2022): the box it stands in, never the script
                // alone.
                box_of_script(script)
            } else if inline
                && script
                    .text()
                    .any(|t| PLACE_CALL.is_match(t) || writes_taboola_box(t))
            {
                // A call named for placing an ad, and a script that writes the box a paid
                // Taboola placement fills: the box they stand in, never the script alone.
                box_of_script(script)
            } else {
                None
            };
            if let Some(slot) = slot {
                found.push((slot, "slot:script".to_owned()));
            }
        }
        for el in doc
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            let v = el.value();
            // A box whose own title says "advertisement" (eBay's `div title="ADVERTISEMENT"`
            // placements), or whose label CSS draws from an attribute (Yahoo's `data-content="廣告"`),
            // is an ad position, and the ad once it holds one.
            // (A table row is a box too: Discuz!'s `tr.ad` after each post, dev page
            // csolbbs-thread-2024.)
            let is_box = matches!(
                v.name(),
                "div" | "section" | "aside" | "li" | "td" | "tr" | "center"
            );
            let named = ["title", "data-content", "data-label"]
                .iter()
                .find_map(|a| Some((a, v.attr(a).and_then(label_word)?)));
            if let Some((attr, word)) = named.filter(|_| is_box) {
                if shows_only_labels(el) {
                    found.push((el, format!("slot:{attr}:{word}")));
                    continue;
                }
                if is_ad_itself(el) {
                    found.push((el, format!("label:{attr}:{word}")));
                    continue;
                }
            }
            // An `ins` with attributes and nothing in it is an ad server's placeholder (not one
            // of a shop's own promotions: JD's `ins#prom-gift`); so is an empty box whose id or
            // class names an ad.
            let promotion = || {
                v.id()
                    .into_iter()
                    .chain(v.classes())
                    .any(|n| n.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("prom")))
            };
            // ifeng marks each ad position it fills with an attribute named for the position's
            // id, `p_23200` (dev page ifeng-news-2024, feed items and rail boxes).
            if is_box && v.attrs().any(|(name, _)| is_position_attr(name)) {
                found.push((el, "slot:position-attr".to_owned()));
                continue;
            }
            // Nor a form control's drawing: an `ins` beside the `input` it stands for (iCheck's
            // `ins.iCheck-helper` over a checkbox, dev page mechta-kz-item-2021b).
            let beside_input = || {
                el.parent().and_then(ElementRef::wrap).is_some_and(|p| {
                    p.children()
                        .filter_map(ElementRef::wrap)
                        .any(|c| c.value().name() == "input")
                })
            };
            // An element of the page's own kind named for an ad (BioBioChile's Vue `<ad
            // :path="ads.adGt">` and `<ad path="/1098385/250x250_LosRios_1_esc">`, dev page
            // biobiochile-es-2022; the `<advertisement>` of NZZ's template, dev pages
            // tagblatt-de-2019 and nzz-de-2019): no HTML element has such a name.
            let rule = if ad_named(v.name()) && !v.name().starts_with("amp-") {
                "slot:ad-element"
            } else if v.name() == "ins"
                && v.attrs().next().is_some()
                && !promotion()
                && !beside_input()
            {
                "slot:ins"
            } else if (is_box || (matches!(v.name(), "span" | "p") && !is_empty_box(el)))
                && names_an_ad(el)
            {
                // (A `span` or `p` only when it holds the ad: Sohu's `span#ad_src2` with its
                // Flash banner, dev page sohu-auto-2005, literaturkritik.de's `p.werbungm`
                // banners, dev page literaturkritik-de-2023; an empty one is as often an icon.)
                "slot:empty-ad-box"
            } else if is_box && names_a_banner(el) && is_empty_box(el) {
                "slot:empty-banner-box"
            } else {
                continue;
            };
            if is_empty_box(el) {
                // (An ad blocker's bait is dropped with what every detector found, below.)
                if rule == "slot:empty-ad-box"
                    && (is_border_of_box(el) || is_left_by_unclosed_tag(el))
                {
                    continue;
                }
                found.push((el, rule.to_owned()));
            } else if rule == "slot:empty-ad-box" && is_picture_box(el) {
                let banners = banners_side_by_side(el);
                if banners.is_empty() {
                    found.push((el, "box:ad-name".to_owned()));
                } else {
                    found.extend(banners.into_iter().map(|b| (b, "box:ad-name".to_owned())));
                }
            } else if rule == "slot:empty-ad-box"
                && is_link_ad(page_url, el)
                // Not a menu's tab named for the site's own ads (Yandex's "Ads" tab, dev page
                // yandex-serp-2019b).
                && !el
                    .select(&s("a[href]"))
                    .next()
                    .is_some_and(|a| is_menu_link(page_url, a))
            {
                found.push((el, "box:ad-name+link".to_owned()));
            } else if rule == "slot:empty-ad-box"
                && names_advertorial(el)
                && el.select(&s("a[href]")).next().is_some()
            {
                found.push((el, "box:advertorial".to_owned()));
            } else if rule == "slot:empty-ad-box"
                && is_labelled_position(el)
                && !is_border_of_box(el)
            {
                found.push((el, rule.to_owned()));
            } else if rule == "slot:empty-ad-box" && names_its_place(el) {
                // A placeholder that names the position a script fills (NetEase's
                // `span#adTop` "顶部通栏广告", dev page 163-biz-2005b).
                found.push((el, rule.to_owned()));
            }
        }
    }

    /// Blocks marked by a label: for every short element (or image, by its `alt`; or element
    /// by `aria-label`; or, rendered, by what CSS draws before or after it: `drawn` holds those
    /// elements' paths and content) whose whole text is a label word, the smallest block around it that
    /// holds a link, an image or a frame besides the label. Never navigation (a menu of short
    /// links, `nav`, `footer`), never a block the size of a section.
    fn labelled_blocks<'a>(
        page_url: &Url,
        doc: &'a Html,
        drawn: &[(String, String)],
        found: &mut Vec<(ElementRef<'a>, String)>,
    ) {
        let drawn: HashMap<&str, &str> = drawn
            .iter()
            .map(|(path, content)| (path.as_str(), content.as_str()))
            .collect();
        for el in doc
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            let v = el.value();
            if matches!(
                v.name(),
                "script" | "style" | "noscript" | "template" | "title"
            ) {
                continue;
            }
            // (AMP pages draw their pictures with `amp-img`: dev page chefkoch-de-2020.)
            let word = match v.name() {
                "img" | "amp-img" => v
                    .attr("alt")
                    .and_then(|alt| label_word(alt).or_else(|| sponsor_logo(alt))),
                _ => v
                    .attr("aria-label")
                    .and_then(label_word)
                    .or_else(|| own_label(el))
                    .or_else(|| titled_label(el))
                    .or_else(|| pr_icon(el))
                    .or_else(|| {
                        // Drawn by CSS (`::before { content: "广告" }`), in a rendered page.
                        (!drawn.is_empty())
                            .then(|| drawn.get(path_of(el).as_str()).and_then(|c| label_word(c)))
                            .flatten()
                    }),
            };
            let Some(word) = word else {
                // A heading that ends in 推广 (360's `与"酒店"相关的推广`, dev page
                // qihu-serp-2014) marks the list of ads it heads, and nothing else.
                if is_promotion_heading(el) {
                    if let Some(items) = headed_items(page_url, el) {
                        found.extend(items.into_iter().map(|i| (i, "label:heading".to_owned())));
                    }
                }
                continue;
            };
            if is_field_caption(el) {
                continue;
            }
            // (A label of its own on a picture in a link to the site is a teaser card's tag, not
            // a menu's item: oe24's "Anzeige" card among its top stories, each a picture that
            // links to the site, dev page oe24-de-2021.)
            let tags_a_picture = || {
                !matches!(v.name(), "img" | "amp-img")
                    && el
                        .ancestors()
                        .filter_map(ElementRef::wrap)
                        .take(3)
                        .find(|a| a.value().name() == "a")
                        .is_some_and(|a| a.select(&s("img, amp-img")).next().is_some())
            };
            if el
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(is_navigation)
                || (is_menu_link(page_url, el) && !tags_a_picture())
                || is_one_of_buttons(el)
            {
                if let Some(entry) = marked_entry(el) {
                    found.push((entry, format!("label:{word}")));
                } else {
                    let entries = headed_entries(el);
                    found.extend(entries.into_iter().map(|e| (e, format!("label:{word}"))));
                }
                continue;
            }
            // An element whose own aria-label says "advertisement" and that holds the ad (a
            // frame, an image, a link), as MSN marks its ad boxes, is the ad itself; so is a
            // frame so named (Google Ad Manager's, two side by side on dev page
            // livedoor-news-2024), not the box around it and its neighbour.
            let named_ad = v.attr("aria-label").and_then(label_word).is_some()
                && (v.name() == "iframe" || is_ad_itself(el));
            // An image whose alt says 广告 is the ad itself, with the link around it.
            let block = if named_ad {
                Some(el)
            } else if matches!(v.name(), "img" | "amp-img") {
                Some(
                    el.ancestors()
                        .filter_map(ElementRef::wrap)
                        .find(|a| a.value().name() == "a")
                        .unwrap_or(el),
                )
            } else {
                match block_around(el) {
                    Around::Block(block) => Some(item_around(block)),
                    Around::Position => None,
                    Around::Filled(position) => {
                        found.push((position, format!("slot:label:{word}")));
                        None
                    }
                    Around::Nothing => {
                        // A label's text over a list of ads too big to be one (推广链接 over a search
                        // engine's column of sponsored results): each ad of the list.
                        let text_label = v.attr("aria-label").and_then(label_word).is_none();
                        if let Some(items) = headed_items(page_url, el).filter(|_| text_label) {
                            found.extend(items.into_iter().map(|i| (i, format!("label:{word}"))));
                        } else if text_label
                            && v.name() == "div"
                            && el.children().all(|c| c.value().is_text())
                            && !captions_a_box(el)
                        {
                            // A box that says only "Advertisement", among a text's parts, is where
                            // the ad goes (wikiHow's `div.al_method` between a method's steps, dev
                            // page wikihow-en-2024); over an empty box, that box is (Deutsche
                            // Welle's "Publicité" over `div#DW_D_Articles_Leaderboard`, dev page
                            // dw-fr-2011).
                            let below = el
                                .next_siblings()
                                .find_map(ElementRef::wrap)
                                .filter(|n| n.value().name() == "div" && is_empty_box(*n));
                            found.push((below.unwrap_or(el), format!("slot:label:{word}")));
                        }
                        None
                    }
                }
            };
            if let Some(block) = block {
                found.push((block, format!("label:{word}")));
            }
        }
    }

    /// A link that clicks through an ad server, a host a network rule blocks (Der Spiegel's
    /// lottery links through `adfarm1.adition.com/redi`, dev page spiegel-de-2024b), is an ad
    /// wherever it stands. Only links off the site are asked, each address once.
    fn links_through_ad_servers<'a>(
        &self,
        page_url: &Url,
        doc: &'a Html,
        found: &mut Vec<(ElementRef<'a>, String)>,
    ) {
        let own = site_of(page_url);
        let mut verdicts: HashMap<&str, Option<String>> = HashMap::new();
        for link in doc.select(&s("a[href]")) {
            let href = link.value().attr("href").unwrap_or("").trim_start();
            // A relative link stays on the site: most links are, and cost nothing more.
            let absolute_href = ["http://", "https://", "//"].iter().any(|p| {
                href.get(..p.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(p))
            });
            if !absolute_href {
                continue;
            }
            let rule = verdicts.entry(href).or_insert_with(|| {
                // A click-through carries its campaign in a query; a bare address is the ad
                // company's own page (a consent dialog's list of partners, dev page
                // laendleanzeiger-item-2021).
                let url = absolute(page_url, href).filter(|u| {
                    matches!(u.scheme(), "http" | "https")
                        && (u.query().is_some_and(|q| !q.is_empty())
                            || (is_click_path(u) && !is_ad_company_home(u)))
                        && u.host_str() != page_url.host_str()
                        && site_of(u) != own
                })?;
                let request = Request::new(url.as_str(), page_url.as_str(), "other", "get").ok()?;
                let result = self.engine.check_network_request(&request);
                match (&result.filter, &result.exception) {
                    (Some(filter), None) => Some(self.sources.network_rule(
                        filter.source_location.as_ref().map(|l| l.source_index),
                        filter.raw_line.as_deref().unwrap_or("(fused network rule)"),
                    )),
                    _ => None,
                }
            });
            // (Nor is a link that shows its own address: the policy pages a consent dialog lists,
            // `https://www.usemax.de/?l=privacy`.)
            let shows_address = || {
                let text = super::text_of(link);
                text.starts_with("http") || text.starts_with("www.")
            };
            // (Nor is a menu's entry that says it is about ads: the advertisers' login to the
            // site's ad sales, OregonLive's "Manage Ads" to `secure.adpay.com`, dev page
            // oregonlive-en-2019.)
            let about_ads = || {
                super::text_of(link)
                    .split_whitespace()
                    .any(|w| ad_named(w) || w.to_ascii_lowercase().starts_with("advertis"))
                    && is_menu_item(link)
            };
            if let Some(rule) = rule.clone().filter(|_| {
                !is_invisible(link) && !shows_address() && !in_article_body(link) && !about_ads()
            }) {
                found.push((link, rule));
            }
        }
    }

    pub(super) fn ads(
        &self,
        page_url: &Url,
        doc: &Html,
        drawn: &[(String, String)],
    ) -> Vec<AdSample> {
        let mut found: Vec<(ElementRef<'_>, String)> = Vec::new();
        // The site's own paid blocks first: a site file knows them best.
        for site in self.sites_for(page_url) {
            if let Some((rule, selector)) = site
                .sponsored
                .as_deref()
                .and_then(|sel| Some((sel, parsed(sel)?)))
            {
                let rule = format!("site:{}: {rule}", site.name);
                found.extend(doc.select(&selector).map(|el| (el, rule.clone())));
            }
        }
        let by = ByName::new(doc);
        self.hidden(page_url, doc, &by, &mut found);
        // (A plug-in's banner too: Sina's Flash banners from `ad4.sina.com.cn`, an `object`
        // naming its movie in a `param` and an `embed`, dev page sina-house-2005.)
        for (tag, kind) in [
            ("iframe", "sub_frame"),
            ("img[src]", "image"),
            ("object, embed", "object"),
        ] {
            // A frame or image nobody can see is a tracker, not an ad.
            for el in doc.select(&s(tag)).filter(|el| !is_invisible(*el)) {
                // A frame loaded lazily keeps its address in `data-src` or `data-bsrc`
                // (Xinhua's, dev page xinhua-front-2014) until a script moves it.
                let Some(src) = ["src", "data-src", "data-bsrc", "data"]
                    .iter()
                    .find_map(|a| el.value().attr(a))
                    .or_else(|| movie_of(el))
                    .and_then(|h| absolute(page_url, h))
                else {
                    continue;
                };
                if kind == "sub_frame" && SLOT_SCRIPTS.iter().any(|m| src.as_str().contains(m)) {
                    found.push((el, "frame:ad-server".to_owned()));
                    continue;
                }
                let Ok(request) = Request::new(src.as_str(), page_url.as_str(), kind, "get") else {
                    continue;
                };
                let result = self.engine.check_network_request(&request);
                if let (Some(filter), None) = (&result.filter, &result.exception) {
                    let rule = self.sources.network_rule(
                        filter.source_location.as_ref().map(|l| l.source_index),
                        filter.raw_line.as_deref().unwrap_or("(fused network rule)"),
                    );
                    // An ad image counts with the link around it. Without one, in a box
                    // nobody sees, it is an ad server's sync pixel (CNN's
                    // `criteoUserSyncTagsContainer`, dev page cnn-en-2024); so is one whose
                    // address says it counts (Argos's `b.hlserve.com/beacon` pixel beside its
                    // Criteo cards, dev page argos-uk-item-2021b).
                    if kind == "image" && is_tracking_url(&src) {
                        continue;
                    }
                    let target = if kind == "image" {
                        let link = el
                            .ancestors()
                            .filter_map(ElementRef::wrap)
                            .find(|a| a.value().name() == "a");
                        match link {
                            Some(link) => link,
                            None if el
                                .ancestors()
                                .filter_map(ElementRef::wrap)
                                .any(is_invisible) =>
                            {
                                continue
                            }
                            None => el,
                        }
                    } else {
                        el
                    };
                    found.push((target, rule));
                } else if kind == "sub_frame" {
                    if let Some(rule) = frame_signal(page_url, el, &src) {
                        found.push((el, rule));
                    }
                } else if kind == "object" {
                    // A plug-in movie an ad server serves (`ad4.sina.com.cn/…swf`).
                    if url_names_ad(&src)
                        || src.path_segments().into_iter().flatten().any(step_names_ad)
                    {
                        found.push((el, "object:ad-server".to_owned()));
                    }
                } else if kind == "image" {
                    if let Some((link, rule)) = banner_signal(page_url, el) {
                        found.push((link, rule));
                    }
                }
            }
        }
        self.links_through_ad_servers(page_url, doc, &mut found);
        // Labels before slots: a block both find is named by its label.
        Self::labelled_blocks(page_url, doc, drawn, &mut found);
        sponsor_headed_blocks(page_url, doc, &mut found);
        sponsor_boxes(page_url, doc, &mut found);
        Self::slots(page_url, doc, &by, &mut found);
        comment_marked(doc, &mut found);
        links_marked_as_ads(page_url, doc, &mut found);
        marked_by_class(doc, &mut found);
        pr_items(doc, &mut found);
        paid_recommendations(doc, &mut found);
        redirected_feed_items(page_url, doc, &mut found);
        sidebar_banners(page_url, doc, &mut found);
        sponsored_posts(doc, &mut found);
        // A block of ads a list or a label found is the ads in it, one report each (a widget
        // with its paid items found gives way to them below).
        let unit_ids: HashSet<_> = found
            .iter()
            .filter(|(_, rule)| is_unit(rule))
            .map(|(el, _)| el.id())
            .collect();
        found = found
            .into_iter()
            .flat_map(|(el, rule)| {
                let splits = (rule.contains(": ##") || rule.starts_with("label:"))
                    && !el.descendants().any(|d| unit_ids.contains(&d.id()));
                let items = ad_items(page_url, el).or_else(|| empty_positions(el));
                match items.filter(|_| splits) {
                    Some(items) => items.into_iter().map(|i| (i, rule.clone())).collect(),
                    None => vec![(el, rule)],
                }
            })
            .collect();
        // A block holding two or more ads found by themselves (a slot around several slots; a
        // list's rule or a label on a carousel of cards a site file names) is where they sit,
        // not one ad.
        // Nor is a link that shows nothing (a list's rule on the 广告 badge beside an ad).
        // Nor is a list's hit on the label alone ("Advertising" over the ads, `##.ad-label`): it
        // shows the label and nothing else, not even a link.
        let found_ids: HashSet<_> = found.iter().map(|(el, _)| el.id()).collect();
        let unpaid = unpaid_taboola_boxes(doc);
        found.retain(|(el, rule)| {
            // Nor is a recommendation box its page asks Taboola to fill with its own stories.
            if (el.value().id().is_some_and(|id| unpaid.contains(id)) || wraps_only(*el, &unpaid))
                && is_empty_box(*el)
            {
                return false;
            }
            let label_alone = !rule.starts_with("slot:")
                && !rule.starts_with("site:")
                && !is_empty_box(*el)
                && shows_only_labels(*el)
                && el.select(&s("a")).next().is_none();
            // An ad server's own placeholder is its position even when it is a link that shows
            // nothing yet (Alimama's `a#tanx-a-mm_…`, dev page taobao-home-2017; beside the
            // frame it filled, the frame is the ad, dev page gmw-news), or is moved
            // off the screen (Sina's float `ins` at `top: -99999px`, dev page sina-news-2024):
            // bait is a box a name or a list found.
            let server_slot = is_server_slot(rule);
            let beside_found = || {
                el.parent()
                    .into_iter()
                    .flat_map(|p| p.descendants())
                    .any(|d| {
                        d.id() != el.id()
                            && found_ids.contains(&d.id())
                            && !d.ancestors().any(|a| a.id() == el.id())
                    })
            };
            let empty_link = el.value().name() == "a"
                && is_empty_box(*el)
                && !rule.starts_with("label:")
                && (!server_slot || beside_found());
            // Nor is a list's hit on an empty `span` beside the ad found in the same box: the
            // caption the theme gives it (tagDiv's `span.td-adspot-title` before a Revive tag,
            // dev page groove-de-2023).
            let empty_caption = rule.contains(": ##")
                && el.value().name() == "span"
                && is_empty_box(*el)
                && beside_found();
            // A list's hit on a control about ads (its names say so; the detectors' own
            // names already pass over them) is no ad.
            let control = (rule.contains(": ##") && is_ad_control(*el))
                || (rule.contains(": ") && is_ad_choices(*el));
            // Nor is a form's field, which a list's attribute rule may name (CNN's
            // `textarea[data-ad-name]` that a script copies its ad tags from, dev page
            // cnn-en-2019).
            let field = matches!(
                el.value().name(),
                "textarea" | "input" | "select" | "option"
            );
            !field
                && !label_alone
                && !empty_link
                && !empty_caption
                && (server_slot || !is_bait(*el))
                && !control
        });
        // Dropping a block can leave the one around it holding two: until none changes.
        loop {
            let all: HashSet<_> = found.iter().map(|(el, _)| el.id()).collect();
            let units: HashSet<_> = found
                .iter()
                .filter(|(_, rule)| is_unit(rule))
                .map(|(el, _)| el.id())
                .collect();
            let slots: HashSet<_> = found
                .iter()
                .filter(|(_, rule)| rule.starts_with("slot:"))
                .map(|(el, _)| el.id())
                .collect();
            // Two or more ads of `among` in `el`, none inside another found one.
            let holds_ads = |el: ElementRef<'_>, among: &HashSet<_>| {
                el.descendants()
                    .skip(1)
                    .filter(|d| {
                        among.contains(&d.id())
                            && !d
                                .ancestors()
                                .take_while(|a| a.id() != el.id())
                                .any(|a| all.contains(&a.id()))
                    })
                    .take(2)
                    .count()
                    == 2
            };
            let server_slots: HashSet<_> = found
                .iter()
                .filter(|(_, rule)| is_server_slot(rule))
                .map(|(el, _)| el.id())
                .collect();
            let holds_a_server_slot = |el: ElementRef<'_>| {
                el.descendants().skip(1).any(|d| {
                    server_slots.contains(&d.id())
                        && !d
                            .ancestors()
                            .take_while(|a| a.id() != el.id())
                            .any(|a| all.contains(&a.id()))
                })
            };
            let before = found.len();
            // A slot gives way to any ads in it; a block with content (found by a list or a
            // label), to units (a carousel to the sponsored cards a site file names, a widget to
            // its paid items), and then it is those units alone: what else was found in it goes
            // with it.
            let mut carousels = Vec::new();
            found.retain(|(el, rule)| {
                if is_unit(rule) {
                    return true;
                }
                // An empty box named for ads gives way to the one ad server's slot in it: that
                // is the position (EAT SMARTER's ad panes, each around a Criteo zone and a box of
                // its own ad server, dev page eatsmarter-de-2020).
                if rule == "slot:empty-ad-box" && holds_a_server_slot(*el) {
                    return false;
                }
                // A list's box that shows only an ad label over the slots in it is where they
                // sit too (the Seattle Times' "Advertising" rows of three slots).
                if !rule.starts_with("label:")
                    && (rule.starts_with("slot:")
                        || rule.starts_with("box:")
                        || shows_only_labels(*el))
                {
                    return !holds_ads(*el, &all);
                }
                // So is a list's box of two or more ad-server slots under a heading of its own
                // (China Times' 消費生活 box of text-ad positions, dev page chinatimes-front-2012).
                if !rule.starts_with("label:") && holds_ads(*el, &slots) {
                    return false;
                }
                let gives_way = holds_ads(*el, &units);
                if gives_way {
                    carousels.push(el.id());
                }
                !gives_way
            });
            found.retain(|(el, rule)| {
                is_unit(rule) || !el.ancestors().any(|a| carousels.contains(&a.id()))
            });
            if found.len() == before {
                break;
            }
        }
        // Outermost element wins: an ad nested in another ad is the same ad.
        let ids_found: HashSet<_> = found.iter().map(|(el, _)| el.id()).collect();
        let mut seen = HashSet::new();
        let mut ads = Vec::new();
        for (el, rule) in found {
            let nested = el.ancestors().any(|a| ids_found.contains(&a.id()));
            if nested || !seen.insert(el.id()) || in_template(el) {
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
            let code = node
                .parent()
                .and_then(ElementRef::wrap)
                .is_some_and(|p| matches!(p.value().name(), "script" | "style" | "template"));
            if let Some(t) = node.value().as_text().filter(|_| !code) {
                let t = t.trim();
                if is_label(t) || label_word(t).is_some() {
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
                    path: path_of(el),
                    frame: Some(src.to_string()),
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
        // An ad element with nothing in it yet is a slot: where an ad runs, filled when rendered
        // (whichever detector found it: a list's hiding rule or the slot markup).
        let empty =
            text.is_empty() && image_urls.is_empty() && el.select(&s("iframe")).next().is_none();
        let form = if empty { AdForm::Slot } else { form };
        labelled |= rule.starts_with("label:");
        AdSample {
            page_url: page_url.to_string(),
            text,
            landing_url,
            image_urls,
            selector: selector_of(el),
            path: path_of(el),
            frame: None,
            form,
            labelled,
            closable: is_popup.then_some(closable),
            position: None,
            crop: None,
            rule,
        }
    }
}

/// A rendered frame's `innerText`: its lines but labels, joined by spaces, and whether a line
/// is a 广告/推广 label ([`frame_text`] for a rendered frame).
pub(crate) fn rendered_frame_text(inner_text: &str) -> (String, bool) {
    let label = |line: &str| is_label(line) || label_word(line).is_some();
    let text = inner_text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !label(l))
        .collect::<Vec<_>>()
        .join(" ");
    (text, inner_text.lines().any(|l| label(l.trim())))
}

/// An ad iframe's document: the visible text of its body (labels left out) and whether any of
/// its text is a 广告/推广 label. One parse for both.
pub fn frame_text(html: &str) -> (String, bool) {
    let html = match super::depth::too_deep_at(html, super::MAX_DEPTH) {
        Some(at) => &html[..at],
        None => html,
    };
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

mod results;
#[cfg(test)]
mod tests;
