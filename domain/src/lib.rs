//! The shared vocabulary of admon: what the crawler captures, what the classifier decides and
//! what the store keeps and the dashboard shows.
//!
//! Plain data only: no I/O, no async. The crawler produces [`CapturedPage`]s holding
//! [`AdSample`]s and [`Listing`]s; each becomes a [`Sample`] for the classifier, which answers
//! with a [`Verdict`]; flagged samples become [`Case`]s that move through [`CaseState`]s.
//! The [`frontier`] contract is shared too: the crawler schedules from it, the store keeps it.
//! So is the Chinese word [`segment`]er.

#![warn(missing_docs)]

pub mod frontier;
pub mod segment;

use serde::{Deserialize, Serialize};
use std::fmt;
use time::OffsetDateTime;

/// What the classifier and the crawler can flag. The names are a contract (JSONL, CSV, API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Nothing to act on.
    Clean,
    /// Absolute terms such as 最佳, 第一, 国家级 (广告法 第九条第三项).
    AbsoluteTerms,
    /// Obscene, gambling or superstitious content (广告法 第九条第八项).
    ProhibitedContent,
    /// Medical efficacy or cure claims (广告法 第十六条, 第十七条).
    MedicalClaim,
    /// Health food claiming to prevent or treat disease (广告法 第十八条).
    HealthFoodClaim,
    /// Guaranteed exam pass (广告法 第二十四条).
    EducationGuarantee,
    /// Guaranteed investment returns (广告法 第二十五条).
    FinanceGuarantee,
    /// Property appreciation or return promises (广告法 第二十六条).
    RealEstateReturn,
    /// Tobacco and e-cigarette ads (广告法 第二十二条).
    Tobacco,
    /// Fraud: fake part-time jobs, forged documents, invoices (广告法 第二十八条).
    Fraud,
    /// Counterfeit goods (商标法 第五十七条).
    Counterfeit,
    /// An ad not labelled 广告 (广告法 第十四条); structural, found by the crawler.
    UnlabelledAd,
    /// A pop-up that cannot be closed in one click (广告法 第四十四条); structural.
    PopupNoClose,
}

impl Category {
    /// How heavy the penalty for this violation can be, 0 (none) to 3, following the
    /// Advertising Law's penalty articles (`shared/LEGAL.md`): 3 for Art. 55 (false ads, fraud)
    /// and Art. 57 (Arts. 9, 22: absolute terms, prohibited content, tobacco) and for
    /// counterfeits (Trademark Law Art. 57); 2 for Art. 58 (Arts. 16–18, 24–26: medical, health
    /// food, education, finance, real estate); 1 for labelling and pop-up rules.
    pub fn penalty_tier(self) -> u8 {
        use Category::*;
        match self {
            Clean => 0,
            AbsoluteTerms | ProhibitedContent | Tobacco | Fraud | Counterfeit => 3,
            MedicalClaim | HealthFoodClaim | EducationGuarantee | FinanceGuarantee
            | RealEstateReturn => 2,
            UnlabelledAd | PopupNoClose => 1,
        }
    }

    /// Every category, in taxonomy order.
    pub const ALL: [Category; 13] = [
        Category::Clean,
        Category::AbsoluteTerms,
        Category::ProhibitedContent,
        Category::MedicalClaim,
        Category::HealthFoodClaim,
        Category::EducationGuarantee,
        Category::FinanceGuarantee,
        Category::RealEstateReturn,
        Category::Tobacco,
        Category::Fraud,
        Category::Counterfeit,
        Category::UnlabelledAd,
        Category::PopupNoClose,
    ];

    /// The categories a text model predicts (the structural ones are left out).
    pub const TEXT: [Category; 11] = [
        Category::Clean,
        Category::AbsoluteTerms,
        Category::ProhibitedContent,
        Category::MedicalClaim,
        Category::HealthFoodClaim,
        Category::EducationGuarantee,
        Category::FinanceGuarantee,
        Category::RealEstateReturn,
        Category::Tobacco,
        Category::Fraud,
        Category::Counterfeit,
    ];

    /// The contract name, e.g. `absolute_terms`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Clean => "clean",
            Category::AbsoluteTerms => "absolute_terms",
            Category::ProhibitedContent => "prohibited_content",
            Category::MedicalClaim => "medical_claim",
            Category::HealthFoodClaim => "health_food_claim",
            Category::EducationGuarantee => "education_guarantee",
            Category::FinanceGuarantee => "finance_guarantee",
            Category::RealEstateReturn => "real_estate_return",
            Category::Tobacco => "tobacco",
            Category::Fraud => "fraud",
            Category::Counterfeit => "counterfeit",
            Category::UnlabelledAd => "unlabelled_ad",
            Category::PopupNoClose => "popup_no_close",
        }
    }

    /// Parses a contract name.
    pub fn parse(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a sample is ad copy or a product listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SampleKind {
    /// Ad copy.
    #[default]
    Ad,
    /// An e-commerce product listing.
    Listing,
}

impl SampleKind {
    /// The stable name (`ad`, `listing`), as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            SampleKind::Ad => "ad",
            SampleKind::Listing => "listing",
        }
    }
}

/// One thing to classify: the `admon classify` input record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Sample {
    /// Caller's id, echoed in the verdict.
    pub id: String,
    /// Ad or listing.
    pub kind: SampleKind,
    /// The text to judge; evidence offsets are characters of this.
    pub text: String,
    /// Listing or ad title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Price in CNY.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    /// Brand named by the listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// Seller or shop name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller: Option<String>,
    /// Where the sample was seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A span of the input text that supports a flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceSpan {
    /// Start offset, in characters of the text.
    pub start: usize,
    /// End offset (exclusive), in characters.
    pub end: usize,
    /// The text of the span.
    pub text: String,
    /// Why it counts, in an analyst's words.
    pub reason: String,
}

/// The classifier's (or crawler's) decision on one sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The sample's id.
    pub id: String,
    /// Whether the sample needs a person's attention.
    pub flagged: bool,
    /// The category; `clean` when not flagged.
    pub category: Category,
    /// Confidence in 0..1.
    pub score: f64,
    /// The legal basis cited, e.g. `广告法 第九条第三项`.
    pub articles: Vec<String>,
    /// Spans and rules that fired.
    pub evidence: Vec<EvidenceSpan>,
    /// Model version that decided.
    pub model: String,
}

/// How an ad was placed on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdForm {
    /// An image or block banner.
    Banner,
    /// A text link.
    TextLink,
    /// An ad inside an iframe.
    Iframe,
    /// An ad that only exists after JavaScript ran.
    Injected,
    /// A pop-up overlay.
    Popup,
    /// An ad position marked by ad-server markup (`ins.adsbygoogle`, `div-gpt-ad-*`, a slot
    /// script), empty in the page as served: where an ad runs, filled when rendered.
    Slot,
}

/// Where on the rendered page an element sits, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// An ad found on a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdSample {
    /// The page it was seen on.
    pub page_url: String,
    /// The ad's visible text.
    pub text: String,
    /// Where a click leads.
    pub landing_url: Option<String>,
    /// Images in the ad.
    pub image_urls: Vec<String>,
    /// A CSS selector that finds the element.
    pub selector: String,
    /// The element's full path, `html:nth-of-type(1) > body:nth-of-type(1) > …`: it resolves
    /// with `document.querySelector` in the page (for an ad in a frame: the frame element).
    #[serde(default)]
    pub path: String,
    /// For an ad inside a frame: the frame's URL.
    #[serde(default)]
    pub frame: Option<String>,
    /// How it was placed.
    pub form: AdForm,
    /// Whether a 广告/推广 label was next to it.
    pub labelled: bool,
    /// For pop-ups: whether a one-click close control exists.
    pub closable: Option<bool>,
    /// Position on the rendered page, when rendered.
    pub position: Option<Rect>,
    /// Which rule found it (filter-list rule or heuristic).
    pub rule: String,
    /// A PNG of just the ad, cut from the rendered page (evidence, not serialised).
    #[serde(skip)]
    pub crop: Option<Vec<u8>>,
}

/// Where a listing's fields came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingSource {
    /// schema.org Product in JSON-LD.
    JsonLd,
    /// schema.org Product in microdata.
    Microdata,
    /// OpenGraph product tags.
    OpenGraph,
    /// A per-site selector file.
    Selectors,
    /// A row of product cards (picture, link, price) that no markup names.
    Cards,
    /// An item page's one heading, on a page with a buy button, that no markup names.
    Heading,
}

/// A product listing found on a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    /// The listing page.
    pub url: String,
    /// Product title.
    pub title: String,
    /// Description text.
    pub description: String,
    /// Price.
    pub price: Option<f64>,
    /// Currency code, e.g. CNY.
    pub currency: Option<String>,
    /// Brand.
    pub brand: Option<String>,
    /// Seller or shop.
    pub seller: Option<String>,
    /// Product images.
    pub image_urls: Vec<String>,
    /// Where the fields came from.
    pub source: ListingSource,
    /// The element that holds the listing, as [`AdSample::path`]; none for JSON-LD and
    /// OpenGraph (no element shows it).
    #[serde(default)]
    pub path: Option<String>,
    /// Whether the listing is a paid placement (inside an ad found on the page).
    #[serde(default)]
    pub sponsored: bool,
}

/// What was fetched, when, and how: the record behind every piece of evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capture {
    /// URL requested.
    pub url: String,
    /// URL after redirects.
    pub final_url: String,
    /// HTTP status.
    pub status: u16,
    /// Response headers, in order.
    pub headers: Vec<(String, String)>,
    /// When the response's head arrived (UTC): the WARC-Date of its records.
    #[serde(with = "time::serde::rfc3339")]
    pub fetched_at: OffsetDateTime,
    /// How the exchange went on the wire, for its WARC records; empty in older records.
    #[serde(default, skip_serializing_if = "Exchange::is_empty")]
    pub exchange: Exchange,
    /// Charset the body was decoded with.
    pub charset: String,
    /// SHA-256 of the raw body, hex. The store computes it when it keeps the capture (the
    /// crawler leaves it empty): the hash on record is always of the bytes kept.
    pub sha256: String,
    /// Whether the body hit the size cap.
    pub truncated: bool,
    /// Whether the page was rendered in Chromium.
    pub rendered: bool,
    /// The filter lists that looked for ads in it, as `name version` (evidence of the rules
    /// each ad's `rule` names).
    #[serde(default)]
    pub filter_lists: Vec<String>,
}

/// The parts of an HTTP exchange a WARC record needs beyond status and headers.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Exchange {
    /// The response's HTTP version, as `HTTP/1.1`.
    #[serde(default)]
    pub version: String,
    /// The reason phrase as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The address that answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The request's headers as sent, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_headers: Vec<(String, String)>,
    /// The crawl run that fetched the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<u64>,
    /// Who started that run.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub operator: String,
}

impl Exchange {
    /// Whether nothing is known of the exchange (a record older than it, or an import).
    pub fn is_empty(&self) -> bool {
        self == &Exchange::default()
    }
}

/// One response Chromium received while rendering a page (an image, a frame, a script):
/// written as a WARC `response` record concurrent to the page's. Serialised without its body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Load {
    /// The URL loaded.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// The status text Chromium reports.
    pub reason: String,
    /// The protocol, as `HTTP/1.1`.
    pub version: String,
    /// Response headers as Chromium reports them.
    pub headers: Vec<(String, String)>,
    /// The body, as Chromium hands it on (content coding undone).
    #[serde(skip)]
    pub body: Vec<u8>,
    /// Whether the body was cut (or left out) at admon's caps on loads.
    #[serde(default)]
    pub truncated: bool,
    /// The address that answered.
    pub ip: Option<String>,
    /// When the load finished.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
}

/// A picture taken while a page was checked (a pop-up before and after its close control was
/// clicked): written as a WARC `resource` record concurrent to the page's response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Shot {
    /// What it shows, as `popup-1-before`; its record's target is `urn:admon:shot:{name}`.
    pub name: String,
    /// The PNG (serialised apart).
    #[serde(skip)]
    pub png: Vec<u8>,
    /// When it was taken.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// One crawled page and everything found on it, as the crawler hands it on.
#[derive(Debug, Clone)]
pub struct CapturedPage {
    /// The fetch record.
    pub capture: Capture,
    /// Raw body bytes as received (content coding kept).
    pub body: Vec<u8>,
    /// What Chromium loaded besides the page while rendering it.
    pub loads: Vec<Load>,
    /// Pictures taken while checking it (pop-ups before and after a click on their close).
    pub shots: Vec<Shot>,
    /// The HTML as rendered (or as decoded when not rendered).
    pub html: String,
    /// A PNG screenshot, when rendered.
    pub screenshot: Option<Vec<u8>>,
    /// Ads found.
    pub ads: Vec<AdSample>,
    /// Listings found.
    pub listings: Vec<Listing>,
}

impl CapturedPage {
    /// A page fetched just now from `url` with status 200, its body the UTF-8 `html` as
    /// received (not rendered), nothing extracted yet: for importing saved pages, and tests.
    pub fn from_html(url: &str, html: &str) -> CapturedPage {
        CapturedPage {
            capture: Capture {
                url: url.to_owned(),
                final_url: url.to_owned(),
                status: 200,
                headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
                fetched_at: OffsetDateTime::now_utc(),
                exchange: Exchange::default(),
                charset: "UTF-8".into(),
                sha256: {
                    use sha2::Digest;
                    sha2::Sha256::digest(html.as_bytes())
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect()
                },
                truncated: false,
                rendered: false,
                filter_lists: Vec::new(),
            },
            body: html.as_bytes().to_vec(),
            loads: Vec::new(),
            shots: Vec::new(),
            html: html.to_owned(),
            screenshot: None,
            ads: Vec::new(),
            listings: Vec::new(),
        }
    }
}

impl AdSample {
    /// The classifier input for this ad.
    pub fn to_sample(&self, id: String) -> Sample {
        Sample {
            id,
            kind: SampleKind::Ad,
            text: self.text.clone(),
            url: Some(self.page_url.clone()),
            ..Sample::default()
        }
    }
}

impl Listing {
    /// The classifier input for this listing: title, then description.
    pub fn to_sample(&self, id: String) -> Sample {
        let text = if self.description.is_empty() {
            self.title.clone()
        } else {
            format!("{} {}", self.title, self.description)
        };
        Sample {
            id,
            kind: SampleKind::Listing,
            text,
            title: Some(self.title.clone()),
            price: self.price,
            brand: self.brand.clone(),
            seller: self.seller.clone(),
            url: Some(self.url.clone()),
        }
    }
}

/// Where a case stands in triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Flagged, nobody has looked yet.
    New,
    /// An analyst is looking.
    InReview,
    /// An analyst confirmed it.
    Confirmed,
    /// An analyst dismissed it.
    Dismissed,
    /// An officer exported it.
    Exported,
    /// Handed to a local bureau.
    Transferred,
}

impl CaseState {
    /// Every state in workflow order.
    pub const ALL: [CaseState; 6] = [
        CaseState::New,
        CaseState::InReview,
        CaseState::Confirmed,
        CaseState::Dismissed,
        CaseState::Exported,
        CaseState::Transferred,
    ];

    /// The contract name, e.g. `in_review`.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::New => "new",
            CaseState::InReview => "in_review",
            CaseState::Confirmed => "confirmed",
            CaseState::Dismissed => "dismissed",
            CaseState::Exported => "exported",
            CaseState::Transferred => "transferred",
        }
    }

    /// Parses a contract name.
    pub fn parse(name: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether triage may move a case from `self` to `to`.
    ///
    /// new → in_review → confirmed | dismissed → exported → transferred; a dismissed or
    /// confirmed case may be reopened to in_review, and an exported case exported again.
    pub fn can_move_to(self, to: CaseState) -> bool {
        use CaseState::*;
        matches!(
            (self, to),
            (New, InReview)
                | (New, Confirmed)
                | (New, Dismissed)
                | (InReview, Confirmed)
                | (InReview, Dismissed)
                | (Confirmed, InReview)
                | (Dismissed, InReview)
                | (Confirmed, Exported)
                | (Exported, Exported)
                | (Exported, Transferred)
        )
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A case: one flagged ad or listing, with every sighting of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// Case number.
    pub id: u64,
    /// Triage state.
    pub state: CaseState,
    /// Ad or listing.
    pub kind: SampleKind,
    /// The primary category.
    pub category: Category,
    /// Score of the primary flag.
    pub score: f64,
    /// Where it was first seen.
    pub url: String,
    /// The host of `url`.
    pub domain: String,
    /// The ad or listing text.
    pub text: String,
    /// Legal basis of every flag.
    pub articles: Vec<String>,
    /// Evidence of every flag.
    pub evidence: Vec<EvidenceSpan>,
    /// Every flag raised (text and structural), primary first.
    pub flags: Vec<Category>,
    /// Landing URL of an ad.
    pub landing_url: Option<String>,
    /// Listing price.
    pub price: Option<f64>,
    /// Listing brand.
    pub brand: Option<String>,
    /// Listing seller.
    pub seller: Option<String>,
    /// Model version that flagged it.
    pub model: String,
    /// SHA-256 of the capture(s) it was seen in.
    pub capture_ids: Vec<String>,
    /// How many times it was seen.
    pub sightings: u32,
    /// First sighting (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub first_seen: OffsetDateTime,
    /// Last sighting (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen: OffsetDateTime,
    /// Analyst assigned, if any.
    pub assignee: Option<String>,
    /// Escalated to a senior analyst or supervisor (the reason is in the audit log).
    #[serde(default)]
    pub escalated: bool,
    /// Queue order: the score weighed with the heaviest penalty tier among its flags and
    /// whether the advertiser already has confirmed cases (0 on cases from before risk).
    #[serde(default)]
    pub risk: f64,
    /// SHA-256 of a PNG of just the ad, cut from a rendered page (an evidence blob).
    #[serde(default)]
    pub crop_sha256: Option<String>,
}

/// A case's risk: 70% the classifier's score, 30% the heaviest penalty tier among `flags`,
/// plus 0.1 when the advertiser is a repeat offender.
pub fn risk(score: f64, flags: &[Category], repeat_offender: bool) -> f64 {
    let tier = flags.iter().map(|c| c.penalty_tier()).max().unwrap_or(0);
    let bonus = if repeat_offender { 0.1 } else { 0.0 };
    0.7 * score.clamp(0.0, 1.0) + 0.3 * f64::from(tier) / 3.0 + bonus
}

/// The host part of a URL, or the empty string.
pub fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_names_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        assert_eq!(Category::parse("nope"), None);
    }

    #[test]
    fn triage_transitions() {
        use CaseState::*;
        assert!(New.can_move_to(Confirmed));
        assert!(Confirmed.can_move_to(Exported));
        assert!(Exported.can_move_to(Transferred));
        assert!(!New.can_move_to(Exported));
        assert!(!Dismissed.can_move_to(Exported));
        assert!(!Transferred.can_move_to(New));
    }
}
