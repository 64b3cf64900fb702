//! The wiring: crawler -> classifier -> store, over a bounded channel. Only the binary knows
//! every stage.

use admon_classifier::{Classifier, Resources};
use admon_crawler::{CrawlSummary, Crawler, Delivered, Frontier, Progress};
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

/// Crawls `seeds` (and whatever an unfinished crawl left in the store's frontier), classifies
/// every ad and listing, and keeps everything in `store`. Each page, its samples and its
/// frontier job's "done" mark are one write, so a crawl killed at any point resumes with
/// exactly the pages not yet kept. A crawl that finishes (frontier empty, or page limit
/// reached) resets the frontier, so the next crawl starts afresh; one stopped with Ctrl-C
/// leaves it for the next crawl to resume.
pub async fn crawl_into_store(
    crawler: &Crawler,
    seeds: Vec<Url>,
    classifier: Arc<Classifier>,
    store: Arc<Store>,
    progress: Arc<Progress>,
) -> anyhow::Result<IngestSummary> {
    let (tx, mut rx) = mpsc::channel::<Delivered>(64);
    let sink = {
        let store = store.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<(u64, u64)> {
            let (mut samples, mut flagged) = (0, 0);
            while let Some(Delivered { page, key }) = rx.blocking_recv() {
                let (s, f) = ingest_page(&page, Some(&key), &classifier, &store)
                    .with_context(|| format!("storing {}", page.capture.url))?;
                tracing::debug!(url = page.capture.url, "page stored");
                samples += s;
                flagged += f;
            }
            store.flush().context("flushing the store")?;
            Ok((samples, flagged))
        })
    };
    // Jobs a killed crawl had in flight go back in the queue.
    let back = Frontier::resume(&*store).context("resuming the crawl frontier")?;
    if back > 0 {
        tracing::info!(back, "jobs in flight when the last crawl died are queued again");
    }
    let crawl = crawler.run_with(store.clone(), seeds, tx, progress).await;
    // The sink ends when the crawl drops its sender: everything delivered is kept first.
    let (samples, flagged) = sink.await.context("store task")??;
    let mut crawl = crawl.context("crawling")?;
    // Finished (frontier empty or page limit reached): the next crawl starts afresh. Stopped
    // by the operator: it resumes.
    crawl.waiting = store.frontier_waiting()?;
    if !crawl.stopped || crawl.waiting == 0 {
        store
            .frontier_reset()
            .context("resetting the crawl frontier")?;
    }
    Ok(IngestSummary {
        crawl,
        samples,
        flagged,
    })
}

/// Keeps one page's capture, classifies its samples and records them, with the page's frontier
/// job marked done when given (all in one store write); returns (samples, flagged).
pub fn ingest_page(
    page: &CapturedPage,
    done: Option<&[u8]>,
    classifier: &Classifier,
    store: &Store,
) -> anyhow::Result<(u64, u64)> {
    let capture_id = store.new_capture_id()?;
    let resources = classifier.resources();
    let ads = page.ads.iter().map(|ad| {
        let sample = ad.to_sample(format!("{capture_id}-ad-{}", ad.selector));
        let mut flags = text_flag(classifier, &sample);
        flags.extend(structural_flags(resources, ad, &sample.id));
        NewSighting {
            capture_id: capture_id.clone(),
            sample,
            landing_url: ad.landing_url.clone(),
            images: ad.image_urls.clone(),
            crop: ad.crop.clone(),
            flags,
        }
    });
    let listings = page.listings.iter().map(|l| {
        let sample = l.to_sample(format!("{capture_id}-listing"));
        let flags = text_flag(classifier, &sample);
        NewSighting {
            capture_id: capture_id.clone(),
            sample,
            landing_url: None,
            images: Vec::new(),
            crop: None,
            flags,
        }
    });
    let sightings: Vec<NewSighting> = ads.chain(listings).collect();
    let flagged = sightings.iter().filter(|s| !s.flags.is_empty()).count();
    if store.ingest(page, &capture_id, &sightings, done)?.is_none() {
        tracing::info!(url = page.capture.url, "page already kept; not kept twice");
        return Ok((0, 0));
    }
    Ok((sightings.len() as u64, flagged as u64))
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
