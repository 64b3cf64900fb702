//! The wiring: crawler -> classifier -> store, over a bounded channel. Only the binary knows
//! every stage.

use admon_classifier::{Classifier, Resources};
use admon_crawler::{CrawlSummary, Crawler, Delivered, Frontier, Progress};
use admon_domain::{AdForm, CapturedPage, Category, EvidenceSpan, Verdict};
use admon_store::{Ingest, NewSighting, PreparedCapture, Store};
use anyhow::Context;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use url::Url;

/// A worker that has not said it is alive for this long is taken for gone: its jobs in flight
/// go to the others.
const ALIVE_FOR: Duration = Duration::from_secs(15);
/// How often a worker says it is alive.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(3);

/// Most ready pages kept in one store transaction.
const KEEP_TOGETHER: usize = 32;
/// How long the first of them waits for the others.
const KEEP_WAIT: Duration = Duration::from_millis(5);

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
    run: Option<u64>,
    progress: Arc<Progress>,
) -> anyhow::Result<IngestSummary> {
    let (tx, rx) = mpsc::channel::<Delivered>(64);
    // The jobs' "done" marks are in the pages' own store writes: nothing to do after.
    let sink = keep_pages(rx, classifier, store.clone(), run, |_| Ok(()));
    // Jobs a killed crawl had in flight go back in the queue.
    let back = Frontier::resume(&*store).context("resuming the crawl frontier")?;
    if back > 0 {
        tracing::info!(
            back,
            "jobs in flight when the last crawl died are queued again"
        );
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

/// A page classified and hashed, ready to be kept: the work that needs no store lock.
pub struct ReadyPage {
    /// The page.
    pub page: CapturedPage,
    /// Its frontier job, if it came from a crawl.
    pub done: Option<Vec<u8>>,
    capture_id: String,
    prepared: PreparedCapture,
    sightings: Vec<NewSighting>,
}

/// Classifies a page's ads and listings and hashes its evidence (any thread).
pub fn ready_page(
    page: CapturedPage,
    done: Option<Vec<u8>>,
    classifier: &Classifier,
    store: &Store,
) -> anyhow::Result<ReadyPage> {
    let capture_id = store.new_capture_id()?;
    let ads = page.ads.iter().map(|ad| {
        let sample = ad.to_sample(format!("{capture_id}-ad-{}", ad.selector));
        let flags = ad_flags(classifier, ad, &sample);
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
    let sightings = ads.chain(listings).collect();
    Ok(ReadyPage {
        prepared: PreparedCapture::of(&page),
        page,
        done,
        capture_id,
        sightings,
    })
}

/// Keeps ready pages: their captures, samples and (for a crawl) their jobs' "done" marks, in
/// one store write (all kept or none); returns (samples, flagged) summed, and the URLs kept
/// (not durable yet: see [`keep_pages`]).
fn keep_pages_together(
    ready: Vec<ReadyPage>,
    store: &Store,
) -> anyhow::Result<(u64, u64, Vec<String>)> {
    let mut pages = Vec::with_capacity(ready.len());
    let mut prepared = Vec::with_capacity(ready.len());
    let mut counts = Vec::with_capacity(ready.len());
    for r in ready {
        let flagged = r.sightings.iter().filter(|s| !s.flags.is_empty()).count() as u64;
        counts.push((r.sightings.len() as u64, flagged));
        prepared.push(r.prepared);
        pages.push((r.page, r.capture_id, r.sightings, r.done));
    }
    let kept = store.ingest_all(
        pages
            .iter()
            .zip(prepared)
            .map(|((page, capture_id, sightings, done), prepared)| Ingest {
                page,
                prepared,
                capture_id,
                sightings,
                done: done.as_deref(),
            })
            .collect(),
    )?;
    let (mut samples, mut flagged, mut urls) = (0, 0, Vec::new());
    for ((kept, (page, ..)), (s, f)) in kept.iter().zip(&pages).zip(counts) {
        if kept.is_none() {
            tracing::info!(url = page.capture.url, "page already kept; not kept twice");
            continue;
        }
        urls.push(page.capture.url.clone());
        samples += s;
        flagged += f;
    }
    Ok((samples, flagged, urls))
}

/// How long kept pages wait at most to be made durable (one sync for all kept meanwhile).
const SYNC_EVERY: Duration = Duration::from_millis(250);

/// What a crawl flags of one ad (its `sample`): the text's verdict when flagged, then the
/// structural flags (no 广告 label, a pop-up that does not close).
pub fn ad_flags(
    classifier: &Classifier,
    ad: &admon_domain::AdSample,
    sample: &admon_domain::Sample,
) -> Vec<Verdict> {
    let mut flags = text_flag(classifier, sample);
    flags.extend(structural_flags(classifier.resources(), ad, &sample.id));
    flags
}

/// What a crawl flags of one listing's `sample`.
pub fn text_flag(classifier: &Classifier, sample: &admon_domain::Sample) -> Vec<Verdict> {
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
    // An empty slot shows nothing yet, so there is nothing to label.
    if !ad.labelled && ad.form != AdForm::Slot {
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

/// Keeps every page from `rx`: classified and hashed on the runtime's threads, two pages at a
/// time (the CPU work), then kept in the store, the pages ready together in one write; then
/// `after` is told the kept pages' job keys. Returns (samples, flagged) once `rx` closes and
/// everything is flushed.
fn keep_pages(
    mut rx: mpsc::Receiver<Delivered>,
    classifier: Arc<Classifier>,
    store: Arc<Store>,
    run: Option<u64>,
    mut after: impl FnMut(Vec<Vec<u8>>) -> anyhow::Result<()> + Send + 'static,
) -> tokio::task::JoinHandle<anyhow::Result<(u64, u64)>> {
    let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel::<anyhow::Result<ReadyPage>>(16);
    {
        let store = store.clone();
        tokio::spawn(async move {
            let slots = Arc::new(tokio::sync::Semaphore::new(2));
            // Set when the store gave up (a full disk): then the crawl is stopped too, by
            // dropping its channel.
            let store_gone = Arc::new(std::sync::atomic::AtomicBool::new(false));
            while let Some(Delivered { mut page, key }) = rx.recv().await {
                // Every page kept, a worker's too, names the run it was crawled in.
                page.capture.exchange.run = page.capture.exchange.run.or(run);
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    break;
                };
                if store_gone.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let (ready_tx, classifier, store, store_gone) = (
                    ready_tx.clone(),
                    classifier.clone(),
                    store.clone(),
                    store_gone.clone(),
                );
                // A fraction of a millisecond of CPU: run on the runtime's own threads, like
                // the extraction before it (the blocking pool cost a thread wake-up per page).
                tokio::spawn(async move {
                    let ready = ready_page(page, Some(key), &classifier, &store);
                    // The store almost always has room; when it has not, wait for it off the
                    // runtime's threads.
                    let sent = match ready_tx.try_send(ready) {
                        Ok(()) => true,
                        Err(std::sync::mpsc::TrySendError::Full(ready)) => {
                            tokio::task::spawn_blocking(move || ready_tx.send(ready).is_ok())
                                .await
                                .unwrap_or(false)
                        }
                        Err(std::sync::mpsc::TrySendError::Disconnected(_)) => false,
                    };
                    if !sent {
                        store_gone.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    drop(slot);
                });
            }
        });
    }
    tokio::task::spawn_blocking(move || -> anyhow::Result<(u64, u64)> {
        let (mut samples, mut flagged) = (0, 0);
        // Pages kept but not yet durable, and their job keys: a page is logged as stored, and
        // `after` told (a Redis worker's page leaves the shared queue), only once a sync has
        // made it durable, at most SYNC_EVERY after it was kept.
        let (mut kept_urls, mut kept_keys): (Vec<String>, Vec<Vec<u8>>) = (vec![], vec![]);
        let mut synced_at = std::time::Instant::now();
        let mut durable = |urls: &mut Vec<String>,
                           keys: &mut Vec<Vec<u8>>,
                           synced_at: &mut std::time::Instant|
         -> anyhow::Result<()> {
            store.sync().context("making kept pages durable")?;
            tracing::debug!(pages = urls.len(), "store synced");
            for url in urls.drain(..) {
                tracing::debug!(url, "page stored");
            }
            after(std::mem::take(keys))?;
            *synced_at = std::time::Instant::now();
            Ok(())
        };
        // Ends when the crawl and every classifying task have let go of their senders. The
        // pages ready within a few milliseconds of each other are kept together (one sled
        // transaction: each writes out sled's log buffer and wakes its writer threads).
        loop {
            let first = if kept_urls.is_empty() && kept_keys.is_empty() {
                match ready_rx.recv() {
                    Ok(first) => first,
                    Err(_) => break,
                }
            } else {
                let left = SYNC_EVERY.saturating_sub(synced_at.elapsed());
                match ready_rx.recv_timeout(left) {
                    Ok(first) => first,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        durable(&mut kept_urls, &mut kept_keys, &mut synced_at)?;
                        continue;
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                }
            };
            let mut ready = vec![first?];
            let until = std::time::Instant::now() + KEEP_WAIT;
            while ready.len() < KEEP_TOGETHER {
                let left = until.saturating_duration_since(std::time::Instant::now());
                match ready_rx.recv_timeout(left) {
                    Ok(next) => ready.push(next?),
                    Err(_) => break,
                }
            }
            let (n, first) = (ready.len(), ready[0].page.capture.url.clone());
            let keys: Vec<Vec<u8>> = ready.iter().filter_map(|r| r.done.clone()).collect();
            let (s, f, urls) = keep_pages_together(ready, &store).with_context(|| match n {
                1 => format!("storing {first}"),
                _ => format!("storing {n} pages, the first {first}"),
            })?;
            samples += s;
            flagged += f;
            kept_urls.extend(urls);
            kept_keys.extend(keys);
            if synced_at.elapsed() >= SYNC_EVERY {
                durable(&mut kept_urls, &mut kept_keys, &mut synced_at)?;
            }
        }
        store.flush().context("flushing the store")?;
        durable(&mut kept_urls, &mut kept_keys, &mut synced_at)?;
        Ok((samples, flagged))
    })
}

/// Like [`crawl_into_store`], with the frontier in Redis at `redis_url`, shared with any number
/// of `admon worker`s: this process seeds it, crawls too, and keeps every page (its own and
/// the workers') in `store`, each job's page once. It ends when no job is queued or in flight
/// anywhere (then the shared crawl is reset), or when stopped (then it stays in Redis for the
/// next `admon crawl --redis` and the workers go on with it).
pub async fn crawl_with_workers(
    crawler: &Crawler,
    seeds: Vec<Url>,
    classifier: Arc<Classifier>,
    store: Arc<Store>,
    run: Option<u64>,
    progress: Arc<Progress>,
    redis_url: &str,
) -> anyhow::Result<IngestSummary> {
    use admon_crawler::distributed::{PageQueue, RedisFrontier, RedisPoliteness};
    use std::sync::atomic::Ordering;
    let frontier = Arc::new(RedisFrontier::connect(redis_url, "store")?);
    crawler.share_politeness(Arc::new(RedisPoliteness::connect(redis_url, "store")?));
    let pages = PageQueue::connect(redis_url)?;
    let held = pages.requeue_held()?;
    let back = Frontier::resume(&*frontier)? + frontier.requeue_lost()?;
    if held + back > 0 {
        tracing::info!(
            held,
            back,
            "pages and jobs a dead crawl or gone workers left are queued again"
        );
    }
    let mut crawl = CrawlSummary {
        resumed: Frontier::started(&*frontier)?,
        ..CrawlSummary::default()
    };
    let pages = Arc::new(pages);
    // Workers' pages wait in Redis's `ingesting` list, by job key, until they are kept.
    let held_raw: Arc<std::sync::Mutex<HeldPages>> = Arc::default();
    let (tx, rx) = mpsc::channel::<Delivered>(64);
    // Every page, this process's and the workers', is classified, hashed and kept together
    // with the pages ready with it, as in a crawl on one machine; then its job is finished
    // and a worker's page let go in Redis (a store killed in between finds the job kept).
    let sink = {
        let (frontier, pages, held_raw) = (frontier.clone(), pages.clone(), held_raw.clone());
        keep_pages(rx, classifier, store, run, move |keys| {
            for key in keys {
                Frontier::finish(&*frontier, &key)?;
                let raws = held_raw
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&key);
                for raw in raws.unwrap_or_default() {
                    pages.kept(&raw)?;
                }
            }
            Ok(())
        })
    };
    let pumping = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let pump = {
        let (pages, tx, pumping, progress) =
            (pages.clone(), tx.clone(), pumping.clone(), progress.clone());
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let result = (|| {
                while pumping.load(Ordering::Relaxed) {
                    if let Some((raw, d)) = pages.pop(Duration::from_millis(100))? {
                        held_raw
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .entry(d.key.clone())
                            .or_default()
                            .push(raw);
                        if tx.blocking_send(d).is_err() {
                            break; // The store gave up; the page stays held in Redis.
                        }
                    }
                }
                Ok(())
            })();
            if result.is_err() {
                // Without the workers' pages their jobs never finish: stop the crawl (it
                // resumes from Redis).
                progress.stop.store(true, Ordering::Relaxed);
            }
            result
        })
    };
    let started = std::time::Instant::now();
    let mut seeds = Some(seeds);
    let mut looked_for_lost = std::time::Instant::now();
    let result = loop {
        let run = crawler
            .run_with(
                frontier.clone(),
                seeds.take().unwrap_or_default(),
                tx.clone(),
                progress.clone(),
            )
            .await;
        match run {
            Ok(s) => add(&mut crawl, s),
            Err(e) => break Err(anyhow::Error::from(e)),
        }
        let waiting = match Frontier::waiting(&*frontier) {
            Ok(waiting) => waiting,
            Err(e) => break Err(e.into()),
        };
        let full = progress.pages.load(Ordering::Relaxed) as usize >= crawler.max_pages();
        // A store that gave up (a full disk) ends the crawl: its error is reported below.
        let store_gone = sink.is_finished();
        if waiting == 0 || full || store_gone || progress.stop.load(Ordering::Relaxed) {
            crawl.waiting = waiting;
            break Ok(());
        }
        // Workers hold the rest: wait for their pages (and the links on them), and take back
        // the jobs of workers that are gone.
        if looked_for_lost.elapsed() >= HEARTBEAT_EVERY {
            looked_for_lost = std::time::Instant::now();
            match frontier.requeue_lost() {
                Ok(0) => {}
                Ok(n) => tracing::warn!(n, "jobs of workers that are gone are queued again"),
                Err(e) => break Err(e.into()),
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    pumping.store(false, Ordering::Relaxed);
    let pumped = pump.await.context("page queue task")?;
    drop(tx);
    let (samples, flagged) = sink.await.context("store task")??;
    pumped.context("taking the workers' pages from Redis")?;
    result.context("crawling")?;
    crawl.seconds = started.elapsed().as_secs_f64();
    crawl.stopped = progress.stop.load(Ordering::Relaxed);
    if crawl.waiting == 0 {
        frontier.reset().context("resetting the shared crawl")?;
    }
    Ok(IngestSummary {
        crawl,
        samples,
        flagged,
    })
}

/// Workers' pages taken from Redis and not yet kept, by job key (as taken: to let them go).
type HeldPages = HashMap<Vec<u8>, Vec<Vec<u8>>>;

/// Adds one pass of the crawl loop to the totals.
fn add(total: &mut CrawlSummary, pass: CrawlSummary) {
    total.pages += pass.pages;
    total.errors += pass.errors;
    total.bytes += pass.bytes;
    total.ads += pass.ads;
    total.listings += pass.listings;
    total.robots_denied += pass.robots_denied;
    for (kind, n) in pass.error_kinds {
        *total.error_kinds.entry(kind).or_default() += n;
    }
}

/// Runs a worker: takes jobs from the Redis frontier at `redis_url`, fetches, renders and
/// extracts them, and sends the pages to the process that keeps the store, until `progress`
/// says stop. `id` names the worker (stable across restarts: a restarted worker takes back
/// the jobs it had in flight). While `max_waiting` pages wait in Redis for the store, the
/// worker waits too; stopped then, it sends nothing more. It says it is alive every few
/// seconds; once it stops (or dies), the jobs it held are fetched by the others.
pub async fn work(
    crawler: &Crawler,
    redis_url: &str,
    id: &str,
    max_waiting: usize,
    progress: Arc<Progress>,
) -> anyhow::Result<CrawlSummary> {
    use admon_crawler::distributed::{PageQueue, RedisFrontier, RedisPoliteness};
    use std::sync::atomic::Ordering;
    let frontier = Arc::new(RedisFrontier::connect(redis_url, id)?);
    crawler.share_politeness(Arc::new(RedisPoliteness::connect(redis_url, id)?));
    // Alive before taking a job; said every few seconds until the worker stops.
    frontier.heartbeat(ALIVE_FOR)?;
    let heartbeat = {
        let frontier = frontier.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(HEARTBEAT_EVERY).await;
                let frontier = frontier.clone();
                match tokio::task::spawn_blocking(move || frontier.heartbeat(ALIVE_FOR)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::warn!(error = %e, "heartbeat not recorded"),
                    Err(e) => tracing::warn!(error = %e, "heartbeat task failed"),
                }
            }
        })
    };
    let back = Frontier::resume(&*frontier)?;
    if back > 0 {
        tracing::info!(
            back,
            worker = id,
            "jobs this worker had in flight are queued again"
        );
    }
    let pages = PageQueue::connect(redis_url)?;
    let (tx, mut rx) = mpsc::channel::<Delivered>(16);
    let stop = progress.clone();
    let sender = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        // Whether a page may be sent: the store's machine is behind, so wait rather than
        // fill Redis's memory, but not past a stop.
        let room = || -> anyhow::Result<bool> {
            while pages.len()? as usize >= max_waiting.max(1) {
                if stop.stop.load(Ordering::Relaxed) {
                    return Ok(false);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Ok(true)
        };
        let mut unsent = 0u64;
        while let Some(d) = rx.blocking_recv() {
            if unsent > 0 || !room()? {
                unsent += 1;
                continue;
            }
            pages.push(&d)?;
            tracing::debug!(url = d.page.capture.url, "page sent to the store");
        }
        if unsent > 0 {
            tracing::warn!(
                unsent,
                "stopped while the store's machine was behind: pages not sent are fetched again by the other workers"
            );
        }
        Ok(())
    });
    let mut total = CrawlSummary::default();
    while !progress.stop.load(Ordering::Relaxed) {
        let pass = crawler
            .run_with(frontier.clone(), Vec::new(), tx.clone(), progress.clone())
            .await?;
        let idle = pass.pages + pass.errors + pass.robots_denied == 0;
        add(&mut total, pass);
        if idle {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    drop(tx);
    let sent = sender.await.context("page sender");
    heartbeat.abort();
    // Whatever this worker still holds goes to the others now.
    if let Err(e) = frontier.gone() {
        tracing::warn!(error = %e, "could not say this worker stopped; its jobs go to the others in {ALIVE_FOR:?}");
    }
    sent??;
    Ok(total)
}
