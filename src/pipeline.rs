//! The wiring: crawler -> classifier -> store, over a bounded channel. Only the binary knows
//! every stage.

use admon_classifier::{Classifier, Resources};
use admon_crawler::{CrawlSummary, Crawler, Progress};
use admon_domain::{AdForm, CapturedPage, Category, EvidenceSpan, Verdict};
use admon_store::{NewSighting, Store};
use anyhow::Context;
use std::sync::Arc;
use tokio::sync::mpsc;
use url::Url;

/// What a crawl left in the store.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct IngestSummary {
    /// The crawler's own counts.
    pub crawl: CrawlSummary,
    /// Samples classified.
    pub samples: u64,
    /// Sightings that flagged (opened a case or added to one).
    pub flagged: u64,
}

/// Crawls `seeds`, classifies every ad and listing, and keeps everything in `store`.
pub async fn crawl_into_store(
    crawler: &Crawler,
    seeds: Vec<Url>,
    classifier: Arc<Classifier>,
    store: Arc<Store>,
    progress: Arc<Progress>,
) -> anyhow::Result<IngestSummary> {
    let (tx, mut rx) = mpsc::channel::<CapturedPage>(64);
    let sink = tokio::task::spawn_blocking(move || -> anyhow::Result<(u64, u64)> {
        let (mut samples, mut flagged) = (0, 0);
        while let Some(page) = rx.blocking_recv() {
            let (s, f) = ingest_page(&page, &classifier, &store)
                .with_context(|| format!("storing {}", page.capture.url))?;
            samples += s;
            flagged += f;
        }
        store.flush().context("flushing the store")?;
        Ok((samples, flagged))
    });
    let crawl = crawler.run(seeds, tx, progress).await;
    let (samples, flagged) = sink.await.context("store task")??;
    Ok(IngestSummary {
        crawl,
        samples,
        flagged,
    })
}

/// Keeps one page's capture, classifies its samples and records them; returns (samples, flagged).
pub fn ingest_page(
    page: &CapturedPage,
    classifier: &Classifier,
    store: &Store,
) -> anyhow::Result<(u64, u64)> {
    let capture_id = store.put_capture(page)?;
    let resources = classifier.resources();
    let mut counts = (0, 0);
    let ads = page.ads.iter().map(|ad| {
        let sample = ad.to_sample(format!("{capture_id}-ad-{}", ad.selector));
        let mut flags = text_flag(classifier, &sample);
        flags.extend(structural_flags(resources, ad, &sample.id));
        let evidence = (
            ad.landing_url.clone(),
            ad.image_urls.clone(),
            ad.crop.clone(),
        );
        (sample, evidence, flags)
    });
    let listings = page.listings.iter().map(|l| {
        let sample = l.to_sample(format!("{capture_id}-listing"));
        let flags = text_flag(classifier, &sample);
        (sample, (None, Vec::new(), None), flags)
    });
    for (sample, (landing_url, images, crop), flags) in ads.chain(listings).collect::<Vec<_>>() {
        counts.0 += 1;
        if !flags.is_empty() {
            counts.1 += 1;
        }
        store.record_sighting(
            NewSighting {
                capture_id: capture_id.clone(),
                sample,
                landing_url,
                images,
                crop,
                flags,
            },
            "crawler",
        )?;
    }
    Ok(counts)
}

fn text_flag(classifier: &Classifier, sample: &admon_domain::Sample) -> Vec<Verdict> {
    if sample.text.trim().is_empty() {
        return Vec::new();
    }
    let verdict = classifier.classify(sample);
    if verdict.flagged {
        vec![verdict]
    } else {
        Vec::new()
    }
}

/// Flags that need no text model: an ad without a 广告 label, a pop-up without a close control.
fn structural_flags(resources: &Resources, ad: &admon_domain::AdSample, id: &str) -> Vec<Verdict> {
    let len = ad.text.chars().count();
    let flag = |category: Category, reason: String| {
        let legal = resources.legal(category);
        Verdict {
            id: id.to_owned(),
            flagged: true,
            category,
            score: 0.9,
            articles: legal.articles.clone(),
            evidence: vec![EvidenceSpan {
                start: 0,
                end: len,
                text: ad.text.clone(),
                reason,
            }],
            model: "rules".into(),
        }
    };
    let mut out = Vec::new();
    if ad.form == AdForm::Popup && ad.closable == Some(false) {
        out.push(flag(
            Category::PopupNoClose,
            format!(
                "弹窗广告无一键关闭控件（{}）：{}",
                ad.selector,
                resources.legal(Category::PopupNoClose).zh
            ),
        ));
    }
    if !ad.labelled {
        out.push(flag(
            Category::UnlabelledAd,
            format!(
                "广告元素未标明「广告」（{}，规则 {}）",
                ad.selector, ad.rule
            ),
        ));
    }
    out
}
