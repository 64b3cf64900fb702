//! `admon inspect URL...`: what a crawl would find on each page, as one JSON object a page on
//! standard output, nothing kept. The record is a contract (other tools read it):
//!
//! `{"url", "final_url", "status", "rendered", "ads": [{"path", "form", "text", "labelled",
//! "rule", "href", "frame", "rect", "closable", "verdict"}], "listings": [{"path", "title", "price",
//! "currency", "brand", "seller", "sponsored", "verdict"}]}`, each verdict `{"flagged",
//! "category", "score", "articles"}`; a page that fails is `{"url", "error"}`.

use crate::pipeline::{ad_flags, text_flag};
use admon_classifier::Classifier;
use admon_crawler::Crawler;
use admon_domain::{CapturedPage, Category, Sample, Verdict};
use serde_json::{json, Value};

/// Inspects every URL in order, writing one line each to `out`; true when every page was
/// inspected.
pub async fn run(
    crawler: &Crawler,
    classifier: &Classifier,
    urls: &[String],
    out: &mut impl std::io::Write,
) -> anyhow::Result<bool> {
    let mut all = true;
    for raw in urls {
        let record = match url::Url::parse(raw) {
            Err(e) => Err(format!("bad url: {e}")),
            Ok(url) => crawler
                .inspect(&url)
                .await
                .map_err(|e| e.to_string())
                .map(|page| record(raw, &page, classifier)),
        };
        let line = record.unwrap_or_else(|error| {
            all = false;
            json!({ "url": raw, "error": error })
        });
        writeln!(out, "{line}")?;
        out.flush()?;
    }
    Ok(all)
}

/// The verdict as the record shows it: the first flag, else the text's (clean) verdict.
fn verdict(flags: Vec<Verdict>, classifier: &Classifier, sample: &Sample) -> Value {
    let v = match flags.into_iter().next() {
        Some(flag) => flag,
        None if sample.text.trim().is_empty() => Verdict {
            id: sample.id.clone(),
            flagged: false,
            category: Category::Clean,
            score: 0.0,
            articles: Vec::new(),
            evidence: Vec::new(),
            model: String::new(),
        },
        None => classifier.classify(sample),
    };
    json!({
        "flagged": v.flagged,
        "category": v.category,
        "score": v.score,
        "articles": v.articles,
    })
}

fn record(requested: &str, page: &CapturedPage, classifier: &Classifier) -> Value {
    let ads: Vec<Value> = page
        .ads
        .iter()
        .enumerate()
        .map(|(i, ad)| {
            let sample = ad.to_sample(format!("ad-{i}"));
            let flags = ad_flags(classifier, ad, &sample);
            json!({
                "path": ad.path,
                "form": ad.form,
                "text": ad.text,
                "labelled": ad.labelled,
                "rule": ad.rule,
                "href": ad.landing_url,
                "frame": ad.frame,
                "rect": ad.position,
                "closable": ad.closable,
                "verdict": verdict(flags, classifier, &sample),
            })
        })
        .collect();
    let listings: Vec<Value> = page
        .listings
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let sample = l.to_sample(format!("listing-{i}"));
            let flags = text_flag(classifier, &sample);
            json!({
                "path": l.path,
                "title": l.title,
                "price": l.price,
                "currency": l.currency,
                "brand": l.brand,
                "seller": l.seller,
                "sponsored": l.sponsored,
                "verdict": verdict(flags, classifier, &sample),
            })
        })
        .collect();
    json!({
        "url": requested,
        "final_url": page.capture.final_url,
        "status": page.capture.status,
        "rendered": page.capture.rendered,
        "ads": ads,
        "listings": listings,
    })
}
