//! The sled trees and the operations on them: captures and evidence, samples, cases and their
//! queue index, users, and the hash-chained audit log.

use crate::group::GroupKeys;
use crate::index::{Facets, SearchIndex};
use crate::lock::{self, DirLock};
use crate::{Error, Result};
use admon_domain::{host_of, Capture, CapturedPage, Case, CaseState, Category, Sample, Verdict};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use time::OffsetDateTime;

/// 1: the first layout. 2: captures keep a WARC record; case changes are logged by sequence
/// number for the search index. 3: the queue is also keyed by domain and by day. 4: new
/// evidence blobs are appended to segment files (`blobs/`), not kept as sled values; the crawl
/// frontier is kept.
pub(crate) const SCHEMA_VERSION: u32 = 5;
const MAX_CAPTURES_PER_CASE: usize = 50;
/// sled's page cache defaults to 1 GiB; an eighth of that keeps the hot trees (queue, cases,
/// meta) resident and leaves memory for the crawler and the index.
pub const DEFAULT_CACHE_BYTES: u64 = 128 << 20;

/// A capture as the store holds it (the `captures` tree's records): the fetch record and the
/// SHA-256 of each evidence blob, each readable with [`Store::blob`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaptureRecord {
    /// The fetch record (URL, final URL, status, headers, time, charset, body SHA-256).
    pub capture: Capture,
    /// The decoded (or rendered) HTML.
    pub html_sha256: String,
    /// The PNG screenshot, when rendered.
    pub screenshot_sha256: Option<String>,
    /// The WARC file: the HTTP response as received, and a metadata record (schema 2 on).
    #[serde(default)]
    pub warc_sha256: Option<String>,
}

/// The hashes and WARC record of a page's evidence, computed before [`Store::ingest`] takes
/// the store's write lock (so other threads can do it while the store writes).
#[derive(Debug, Clone)]
pub struct PreparedCapture {
    body_sha256: String,
    html_sha256: String,
    screenshot_sha256: Option<String>,
    warc: Vec<u8>,
    warc_sha256: String,
    /// Where the body is in `warc`: the store keeps it there, once.
    body_in_warc: std::ops::Range<usize>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl PreparedCapture {
    /// Hashes `page`'s body, HTML and screenshot and builds its WARC record.
    pub fn of(page: &CapturedPage) -> PreparedCapture {
        let body_sha256 = sha256_hex(&page.body);
        // A static UTF-8 page's HTML is its body.
        let html_sha256 = if page.html.as_bytes() == page.body.as_slice() {
            body_sha256.clone()
        } else {
            sha256_hex(page.html.as_bytes())
        };
        let screenshot_sha256 = page.screenshot.as_deref().map(sha256_hex);
        let (warc, body_in_warc) = crate::warc::capture_records(
            &page.capture,
            &page.body,
            &body_sha256,
            &html_sha256,
            screenshot_sha256.as_deref(),
            &page.loads,
            &page.shots,
        );
        PreparedCapture {
            warc_sha256: sha256_hex(&warc),
            warc,
            body_in_warc,
            body_sha256,
            html_sha256,
            screenshot_sha256,
        }
    }
}

/// One page for [`Store::ingest_all`]: the arguments of [`Store::ingest`].
pub struct Ingest<'a> {
    /// The page.
    pub page: &'a CapturedPage,
    /// [`PreparedCapture::of`] the page.
    pub prepared: PreparedCapture,
    /// From [`Store::new_capture_id`]; the `capture_id` of each sighting.
    pub capture_id: &'a str,
    /// The ads and listings on the page, classified.
    pub sightings: &'a [NewSighting],
    /// The page's frontier job key, when it came from a crawl.
    pub done: Option<&'a [u8]>,
}

/// One sighting of an ad or listing, with every verdict on it (text and structural), for
/// [`Store::record_sighting`].
#[derive(Debug, Clone)]
pub struct NewSighting {
    /// The capture it was seen in (from [`Store::put_capture`]).
    pub capture_id: String,
    /// The sample as classified.
    pub sample: Sample,
    /// Where an ad leads.
    pub landing_url: Option<String>,
    /// The ad's images (sightings with the same image join one case).
    pub images: Vec<String>,
    /// A PNG of just the ad, cut from the rendered page; kept as an evidence blob.
    pub crop: Option<Vec<u8>>,
    /// The verdicts that flagged it; empty when clean.
    pub flags: Vec<Verdict>,
}

/// A user account as stored; the dashboard owns what roles mean.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct User {
    /// Login name.
    pub name: String,
    /// Role name.
    pub role: String,
    /// argon2 PHC string.
    pub password_hash: String,
    /// A disabled user can neither log in nor act; their sessions end at the next request.
    #[serde(default)]
    pub disabled: bool,
}

/// An API bearer token as stored: only its SHA-256 is kept, never the token itself.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApiToken {
    /// What the token is for (the system that uses it).
    pub name: String,
    /// Role name.
    pub role: String,
    /// When it was made (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// When it stops working (UTC); none: never (tokens made before expiry existed).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires: Option<OffsetDateTime>,
}

/// How many hex digits of a token's SHA-256 name it in lists and revocations.
pub const TOKEN_ID_DIGITS: usize = 12;

/// One change to a case, chained to the one before by hash.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuditEntry {
    /// Position in the log, from 1.
    pub seq: u64,
    /// The case changed.
    pub case_id: u64,
    /// Who changed it.
    pub who: String,
    /// When (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// What: `created`, `sighting`, a state name, `comment`, `assign`.
    pub action: String,
    /// State before.
    pub from: Option<CaseState>,
    /// State after.
    pub to: Option<CaseState>,
    /// Why (dismissal reason, comment text).
    pub reason: String,
    /// SHA-256 (hex) of what the entry vouches for: a new case's content
    /// (text, URL, category, evidence, first seen) or a kept capture's record (`capture` entries, whose `reason` is
    /// the capture id); empty on entries that change no content, and before schema 5.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// Hash of the previous entry (hex), empty for the first.
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and this entry's other fields (hex).
    pub hash: String,
}

impl AuditEntry {
    pub(crate) fn compute_hash(&self) -> String {
        let mut unhashed = self.clone();
        unhashed.hash = String::new();
        let bytes = serde_json::to_vec(&unhashed).expect("audit entry serialises");
        hex::encode(Sha256::digest(&bytes))
    }
}

/// Whether the search index agrees with sled ([`Store::index_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndexStatus {
    /// Documents in the index.
    pub documents: u64,
    /// The newest case change the index's last commit covers.
    pub indexed_seq: u64,
    /// Cases in sled.
    pub cases: u64,
    /// The newest case change in sled.
    pub latest_seq: u64,
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only this state (all states when `None`).
    pub state: Option<CaseState>,
    /// Only this category.
    pub category: Option<Category>,
    /// Only this domain.
    pub domain: Option<String>,
    /// Only cases scoring at least this.
    pub min_score: Option<f64>,
    /// Only cases seen at or after this time (last seen).
    pub since: Option<OffsetDateTime>,
    /// Only cases first seen before this time.
    pub until: Option<OffsetDateTime>,
    /// Only escalated cases.
    pub escalated: bool,
    /// Skip this many.
    pub offset: usize,
    /// At most this many (no limit when 0).
    pub limit: usize,
}

impl CaseFilter {
    /// Whether `case` passes every filter (offset and limit aside).
    pub fn matches(&self, case: &Case) -> bool {
        self.state.is_none_or(|s| case.state == s)
            && self.category.is_none_or(|c| case.flags.contains(&c))
            && self.domain.as_ref().is_none_or(|d| &case.domain == d)
            && self.min_score.is_none_or(|min| case.score >= min)
            && self.since.is_none_or(|t| case.last_seen >= t)
            && self.until.is_none_or(|t| case.first_seen < t)
            && (!self.escalated || case.escalated)
    }
}

/// The sled database, the search index and the directory lock.
pub struct Store {
    dir: PathBuf,
    pub(crate) db: sled::Db,
    pub(crate) meta: sled::Tree,
    pub(crate) captures: sled::Tree,
    /// Evidence blobs of stores from before schema 4 (newer ones are files: `blobs`).
    pub(crate) blobs: sled::Tree,
    pub(crate) blob_files: crate::blobs::BlobLog,
    samples: sled::Tree,
    pub(crate) cases: sled::Tree,
    fingerprints: sled::Tree,
    queue: sled::Tree,
    pub(crate) audit: sled::Tree,
    users: sled::Tree,
    tokens: sled::Tree,
    offences: sled::Tree,
    changes: sled::Tree,
    pub(crate) runs: sled::Tree,
    /// The crawl frontier (`frontier`): queued jobs, jobs in flight, URLs seen, URLs per host.
    pub(crate) frontier: sled::Tree,
    pub(crate) frontier_flight: sled::Tree,
    pub(crate) frontier_kept: sled::Tree,
    /// Serialises frontier changes (the crawl loop's), apart from the store's write lock.
    pub(crate) frontier_lock: Mutex<crate::frontier::Seeds>,
    pub(crate) index: SearchIndex,
    /// Held by every write: writes reach the search index in change order, and a backup sees
    /// no write half done.
    write: Mutex<()>,
    /// Free bytes to keep on the data directory's disk; ingest stops below it.
    min_free: std::sync::atomic::AtomicU64,
    /// Signs checkpoints of the audit chain's head on every commit, when set.
    signer: std::sync::OnceLock<crate::Signer>,
    /// The key checkpoints must be signed with ([`Store::trust_key`]); else the signer's.
    pub(crate) trusted: std::sync::OnceLock<crate::PublicKey>,
    /// The directory lock; none for a read-only store, which works on a copy.
    _lock: Option<DirLock>,
    /// The copy of `db/` and `index/` a read-only store works on, removed on drop (after
    /// the database is closed: fields drop in order).
    _scratch: Option<crate::lock::Scratch>,
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("records serialise")
}

pub(crate) fn decode<T: DeserializeOwned>(tree: &'static str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| Error::Corrupt {
        tree,
        message: e.to_string(),
    })
}

/// First byte of the queue tree's per-domain keys (state keys start with the state's index).
const BY_DOMAIN: u8 = 0xff;
/// First byte of the queue tree's per-day keys: day first seen (days since 1970, u32), id.
const BY_DAY: u8 = 0xfe;

fn day_key(case: &Case) -> Vec<u8> {
    let day = (case.first_seen.unix_timestamp().div_euclid(86_400)) as u32;
    let mut key = vec![BY_DAY];
    key.extend_from_slice(&day.to_be_bytes());
    key.extend_from_slice(&case.id.to_be_bytes());
    key
}

/// First byte of the queue tree's per-category keys: category index, then the state key.
const BY_CATEGORY: u8 = 0xfd;

fn category_index(category: Category) -> u8 {
    Category::ALL
        .iter()
        .position(|&c| c == category)
        .expect("category listed") as u8
}

/// The queue tree's keys for a case: state, score descending, id (a prefix scan per state is
/// the queue); [`BY_DOMAIN`], domain, 0, then the same (one domain's queue); and
/// [`BY_CATEGORY`], category, then the same, once per category it is flagged for.
fn queue_keys(case: &Case) -> Vec<Vec<u8>> {
    let key = queue_key(case);
    let mut by_domain = vec![BY_DOMAIN];
    by_domain.extend_from_slice(case.domain.as_bytes());
    by_domain.push(0);
    by_domain.extend_from_slice(&key);
    let mut keys = vec![by_domain];
    for &flag in &case.flags {
        let mut by_category = vec![BY_CATEGORY, category_index(flag)];
        by_category.extend_from_slice(&key);
        keys.push(by_category);
    }
    keys.push(key);
    keys
}

fn queue_key(case: &Case) -> Vec<u8> {
    let state = CaseState::ALL
        .iter()
        .position(|&s| s == case.state)
        .expect("state listed") as u8;
    // Risk runs to 1.1 (a repeat offender's top case); cases from before risk use the score.
    let risk = if case.risk > 0.0 {
        case.risk
    } else {
        case.score
    };
    let score = (risk.clamp(0.0, 2.0) * 1e9) as u64;
    let mut key = vec![state];
    key.extend_from_slice(&(u64::MAX - score).to_be_bytes());
    key.extend_from_slice(&case.id.to_be_bytes());
    key
}

/// Who is behind a case: the landing page's host for ads (the advertiser), else the page's.
pub(crate) fn advertiser(case: &Case) -> String {
    advertiser_of(case.landing_url.as_deref(), &case.domain)
}

fn advertiser_of(landing_url: Option<&str>, domain: &str) -> String {
    landing_url
        .map(host_of)
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| domain.to_owned())
}

fn advertiser_prefix(case: &Case) -> Vec<u8> {
    prefix_of(advertiser(case))
}

fn prefix_of(advertiser: String) -> Vec<u8> {
    let mut key = advertiser.into_bytes();
    key.push(0);
    key
}

fn offence_key(case: &Case) -> Vec<u8> {
    let mut key = advertiser_prefix(case);
    key.extend_from_slice(&case.id.to_be_bytes());
    key
}

fn count_key(state: CaseState) -> String {
    format!("cases:{state}")
}

fn read_u64(bytes: Option<sled::IVec>) -> u64 {
    bytes.map_or(0, |v| {
        u64::from_be_bytes(v.as_ref().try_into().unwrap_or([0; 8]))
    })
}

/// Adds `delta` to the number of cases in `state`, inside a transaction.
fn bump_count(
    meta: &sled::transaction::TransactionalTree,
    state: CaseState,
    delta: i64,
) -> std::result::Result<(), ConflictableTransactionError<Error>> {
    let key = count_key(state);
    let n = read_u64(meta.get(&key)?).saturating_add_signed(delta);
    meta.insert(key.as_bytes(), &n.to_be_bytes())?;
    Ok(())
}

fn abort(e: Error) -> ConflictableTransactionError<Error> {
    ConflictableTransactionError::Abort(e)
}

pub(crate) fn unwrap_tx<T>(r: std::result::Result<T, TransactionError<Error>>) -> Result<T> {
    r.map_err(|e| match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => Error::Db(e),
    })
}

/// The trees a sighting writes, inside one transaction.
struct SightingTrees<'a> {
    samples: &'a sled::transaction::TransactionalTree,
    cases: &'a sled::transaction::TransactionalTree,
    fps: &'a sled::transaction::TransactionalTree,
    queue: &'a sled::transaction::TransactionalTree,
    audit: &'a sled::transaction::TransactionalTree,
    meta: &'a sled::transaction::TransactionalTree,
    changes: &'a sled::transaction::TransactionalTree,
    /// The cases changed so far, written once at the end ([`SightingTrees::write_cases`]): a
    /// batch of pages sights the same case many times.
    touched: std::cell::RefCell<std::collections::HashMap<u64, Case>>,
}

impl SightingTrees<'_> {
    /// A case as this transaction left it so far.
    fn case(&self, id: u64) -> TxResult<Option<Case>> {
        if let Some(case) = self.touched.borrow_mut().remove(&id) {
            return Ok(Some(case));
        }
        match self.cases.get(id.to_be_bytes())? {
            Some(bytes) => Ok(Some(decode("cases", &bytes).map_err(abort)?)),
            None => Ok(None),
        }
    }

    /// Writes every case changed in this transaction.
    fn write_cases(&self) -> TxResult<()> {
        for (id, case) in self.touched.borrow_mut().drain() {
            self.cases.insert(&id.to_be_bytes(), encode(&case))?;
        }
        Ok(())
    }
}

/// A `samples` record.
#[derive(Serialize)]
struct SampleRecord<'a> {
    capture_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    case_id: Option<u64>,
    flags: &'a [Verdict],
    sample: &'a Sample,
}

/// A sighting with everything read or written outside its transaction ([`Store::prepare_sighting`]).
struct PreparedSighting<'a> {
    sample_id: u64,
    keys: GroupKeys,
    crop_sha256: Option<String>,
    repeat: bool,
    sighting: &'a NewSighting,
}

/// What a flagged sighting did to its case: the case id, and when the sighting opened it, the
/// change number and the new case.
type CaseChange = (u64, Option<(u64, Case)>);

type TxResult<T> = std::result::Result<T, ConflictableTransactionError<Error>>;

impl PreparedSighting<'_> {
    /// Keeps the sample; when flagged, opens a case or adds the sighting to the case with the
    /// same fingerprint, and returns what it did to the case. Runs inside a sled transaction
    /// (maybe more than once: it changes nothing outside it).
    fn apply(
        &self,
        tx: &SightingTrees,
        now: OffsetDateTime,
        who: &str,
    ) -> TxResult<Option<CaseChange>> {
        let sighting = self.sighting;
        let mut record = SampleRecord {
            capture_id: &sighting.capture_id,
            case_id: None,
            flags: &sighting.flags,
            sample: &sighting.sample,
        };
        let Some(primary) = sighting.flags.first() else {
            tx.samples
                .insert(&self.sample_id.to_be_bytes(), encode(&record))?;
            return Ok(None);
        };
        let (keys, repeat, crop_sha256) = (&self.keys, self.repeat, &self.crop_sha256);
        let kind = sighting.sample.kind as u8;
        let sample = &sighting.sample;
        let flags: Vec<Category> = sighting.flags.iter().map(|v| v.category).collect();
        let existing = match keys.find(tx.fps, kind)? {
            Some(id) => tx.case(id)?,
            None => None,
        };
        let mut old_keys = Vec::new();
        let (case, action) = match existing {
            Some(mut case) => {
                old_keys = queue_keys(&case);
                case.sightings += 1;
                case.last_seen = now;
                if case.capture_ids.len() < MAX_CAPTURES_PER_CASE
                    && !case.capture_ids.contains(&sighting.capture_id)
                {
                    case.capture_ids.push(sighting.capture_id.clone());
                }
                for f in &flags {
                    if !case.flags.contains(f) {
                        case.flags.push(*f);
                    }
                }
                if case.crop_sha256.is_none() {
                    case.crop_sha256 = crop_sha256.clone();
                }
                case.risk = case
                    .risk
                    .max(admon_domain::risk(case.score, &case.flags, repeat));
                (case, "sighting")
            }
            None => {
                let next = tx.meta.get("next_case_id")?.map_or(1, |v| {
                    u64::from_be_bytes(v.as_ref().try_into().unwrap_or([0; 8]))
                });
                tx.meta.insert("next_case_id", &(next + 1).to_be_bytes())?;
                let url = sample.url.clone().unwrap_or_default();
                let mut articles: Vec<String> = Vec::new();
                for a in sighting.flags.iter().flat_map(|v| v.articles.iter()) {
                    if !articles.contains(a) {
                        articles.push(a.clone());
                    }
                }
                let case = Case {
                    id: next,
                    state: CaseState::New,
                    kind: sample.kind,
                    category: primary.category,
                    score: primary.score,
                    domain: host_of(&url),
                    url,
                    text: sample.text.clone(),
                    articles,
                    evidence: sighting
                        .flags
                        .iter()
                        .flat_map(|v| v.evidence.iter().cloned())
                        .collect(),
                    risk: admon_domain::risk(primary.score, &flags, repeat),
                    flags,
                    landing_url: sighting.landing_url.clone(),
                    price: sample.price,
                    brand: sample.brand.clone(),
                    seller: sample.seller.clone(),
                    model: primary.model.clone(),
                    capture_ids: vec![sighting.capture_id.clone()],
                    sightings: 1,
                    first_seen: now,
                    last_seen: now,
                    assignee: None,
                    escalated: false,
                    crop_sha256: crop_sha256.clone(),
                };
                (case, "created")
            }
        };
        keys.register(tx.fps, kind, case.id)?;
        // Another sighting mostly leaves the queue keys as they were.
        let new_keys = queue_keys(&case);
        for key in old_keys.iter().filter(|k| !new_keys.contains(k)) {
            tx.queue.remove(key.as_slice())?;
        }
        for key in new_keys.iter().filter(|k| !old_keys.contains(k)) {
            tx.queue.insert(key.as_slice(), &[])?;
        }
        if action == "created" {
            tx.queue.insert(day_key(&case), &[])?;
            bump_count(tx.meta, case.state, 1)?;
            append_created(tx.audit, &case, who, now)?;
        }
        record.case_id = Some(case.id);
        tx.samples
            .insert(&self.sample_id.to_be_bytes(), encode(&record))?;
        let id = case.id;
        // Only a new case changes the search index: another sighting changes none of the
        // case's indexed fields, so it is not a change for the index to replay.
        let created = match action {
            "created" => Some((log_change(tx.meta, tx.changes, id)?, case.clone())),
            _ => None,
        };
        tx.touched.borrow_mut().insert(id, case);
        Ok(Some((id, created)))
    }
}

impl Store {
    /// Opens (creating if needed) the store in `dir`. Fails with [`Error::Locked`] when another
    /// process holds it.
    pub fn open(dir: &Path) -> Result<Store> {
        Store::open_with_cache(dir, DEFAULT_CACHE_BYTES)
    }

    /// [`Store::open`] with sled's page cache at `cache_bytes` (more keeps more of a large
    /// store's queue and cases in memory; less keeps a crawl's memory down).
    pub fn open_with_cache(dir: &Path, cache_bytes: u64) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|cause| Error::Io {
            path: dir.to_owned(),
            cause,
        })?;
        let lock = lock::acquire(dir)?;
        lock::remove_unfinished_snapshots(&dir.join("db"))?;
        Store::open_parts(
            dir,
            &dir.join("db"),
            &dir.join("index"),
            cache_bytes,
            Some(lock),
            None,
        )
    }

    /// The store in `dir` as it is, for checking evidence on write-protected media: nothing
    /// in `dir` is written, not even a lock file. sled has no read-only mode, so its
    /// database and the search index are copied to a temporary directory and opened there;
    /// evidence blobs are read where they are. No other process should be writing to `dir`.
    pub fn open_read_only(dir: &Path) -> Result<Store> {
        let db = dir.join("db");
        if !db.is_dir() {
            return Err(Error::Io {
                path: db,
                cause: std::io::Error::new(std::io::ErrorKind::NotFound, "no store here"),
            });
        }
        let scratch = lock::Scratch::new()?;
        lock::copy_dir(&db, &scratch.0.join("db"))?;
        lock::copy_dir(&dir.join("index"), &scratch.0.join("index"))?;
        let (db, index) = (scratch.0.join("db"), scratch.0.join("index"));
        Store::open_parts(dir, &db, &index, DEFAULT_CACHE_BYTES, None, Some(scratch))
    }

    fn open_parts(
        dir: &Path,
        db: &Path,
        index: &Path,
        cache_bytes: u64,
        lock: Option<DirLock>,
        scratch: Option<lock::Scratch>,
    ) -> Result<Store> {
        let db = open_sled(db, cache_bytes)?;
        let meta = db.open_tree("meta")?;
        let found = match meta.get("schema_version")? {
            None => None,
            Some(v) => Some(u32::from_be_bytes(v.as_ref().try_into().map_err(|_| {
                Error::Corrupt {
                    tree: "meta",
                    message: "schema_version".into(),
                }
            })?)),
        };
        if let Some(found) = found.filter(|&v| v > SCHEMA_VERSION) {
            return Err(Error::SchemaTooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let store = Store {
            dir: dir.to_owned(),
            captures: db.open_tree("captures")?,
            blobs: db.open_tree("blobs")?,
            blob_files: crate::blobs::BlobLog::open(dir, db.open_tree("blob_index")?)?,
            samples: db.open_tree("samples")?,
            cases: db.open_tree("cases")?,
            fingerprints: db.open_tree("fingerprints")?,
            queue: db.open_tree("queue")?,
            audit: db.open_tree("audit")?,
            users: db.open_tree("users")?,
            tokens: db.open_tree("tokens")?,
            offences: db.open_tree("offences")?,
            changes: db.open_tree("changes")?,
            runs: db.open_tree("runs")?,
            frontier: db.open_tree("frontier")?,
            frontier_flight: db.open_tree("frontier_flight")?,
            frontier_kept: db.open_tree("frontier_kept")?,
            frontier_lock: Mutex::default(),
            index: SearchIndex::open(index)?,
            write: Mutex::new(()),
            min_free: std::sync::atomic::AtomicU64::new(0),
            signer: std::sync::OnceLock::new(),
            trusted: std::sync::OnceLock::new(),
            meta,
            db,
            _lock: lock,
            _scratch: scratch,
        };
        match found {
            None => {
                store
                    .meta
                    .insert("schema_version", &SCHEMA_VERSION.to_be_bytes())?;
                store
                    .meta
                    .insert(CHAINED_FROM, store.new_capture_id()?.as_bytes())?;
            }
            Some(version) if version < SCHEMA_VERSION => store.migrate(version)?,
            Some(_) => {}
        }
        store.catch_up_index()?;
        let orphans = store.close_orphan_runs()?;
        if orphans > 0 {
            tracing::warn!(
                orphans,
                "crawl runs left running by a process that died: interrupted"
            );
        }
        Ok(store)
    }

    /// Brings a store written by an older admon up to [`SCHEMA_VERSION`], one step at a time.
    fn migrate(&self, from: u32) -> Result<()> {
        for version in from..SCHEMA_VERSION {
            tracing::info!(from = version, to = version + 1, "migrating the store");
            if version == 1 {
                // 1 -> 2: give every capture its WARC record, from the raw body blob.
                for item in self.captures.iter() {
                    let (id, bytes) = item?;
                    let mut stored: CaptureRecord = decode("captures", &bytes)?;
                    if stored.warc_sha256.is_some() {
                        continue;
                    }
                    let Some(body) = self.blob(&stored.capture.sha256)? else {
                        continue;
                    };
                    let (warc, _) = crate::warc::capture_records(
                        &stored.capture,
                        &body,
                        &stored.capture.sha256,
                        &stored.html_sha256,
                        stored.screenshot_sha256.as_deref(),
                        &[],
                        &[],
                    );
                    stored.warc_sha256 = Some(self.put_blob(&warc)?);
                    self.captures.insert(id, encode(&stored))?;
                }
                // The index has no change sequence number yet: catch-up rebuilds it.
            }
            if version == 2 {
                // 2 -> 3: key the queue by domain too.
                for item in self.cases.iter() {
                    let case: Case = decode("cases", &item?.1)?;
                    for key in queue_keys(&case) {
                        self.queue.insert(key, &[])?;
                    }
                    self.queue.insert(day_key(&case), &[])?;
                }
            }
            // 3 -> 4: nothing to move: old blobs stay readable in the `blobs` tree, and the
            // frontier trees start empty. The version keeps older admons off a store whose
            // new evidence they could not read.
            if version == 4 {
                // 4 -> 5: captures kept from now on enter the audit chain.
                self.meta
                    .insert(CHAINED_FROM, self.new_capture_id()?.as_bytes())?;
            }
            self.meta
                .insert("schema_version", &(version + 1).to_be_bytes())?;
            self.db.flush()?;
        }
        Ok(())
    }

    /// The write lock (a panicked writer left nothing half-done in sled: transactions).
    pub(crate) fn writing(&self) -> MutexGuard<'_, ()> {
        self.write.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Makes everything written so far durable in sled and the evidence segments (the search
    /// index catches up from sled's change log, so it is not committed here): cheaper than
    /// [`Store::flush`], for a crawl acknowledging what it kept.
    pub fn sync(&self) -> Result<()> {
        self.blob_files.sync()?;
        self.db.flush()?;
        Ok(())
    }

    /// Makes everything written so far durable, in sled and then in the search index.
    pub fn flush(&self) -> Result<()> {
        self.commit_index()
    }

    /// Flushes sled, then commits the index (never ahead of sled) and drops the change-log
    /// entries it now covers.
    pub(crate) fn commit_index(&self) -> Result<()> {
        self.blob_files.sync()?;
        self.checkpoint()?;
        self.db.flush()?;
        let seq = self.index.commit()?;
        for item in self.changes.range(..=seq.to_be_bytes()) {
            self.changes.remove(item?.0)?;
        }
        Ok(())
    }

    /// Signs a checkpoint of the audit chain's head on every later commit (flush, triage,
    /// export) with `signer`; its public key is the one [`Store::verify`] then expects. Set
    /// once; a second call is ignored.
    pub fn set_signer(&self, signer: crate::Signer) {
        let _ = self.signer.set(signer);
    }

    /// `bytes` signed with the store's signing key, and its public key (PEM), when it has one
    /// (an evidence pack's manifest).
    pub fn sign(&self, bytes: &[u8]) -> Option<(Vec<u8>, String)> {
        let signer = self.signer.get()?;
        Some((signer.sign_bytes(bytes), signer.public_key().to_pem()))
    }

    /// Has [`Store::verify`] require checkpoints signed with `key` (an officer checking a
    /// store with the centre's public key).
    pub fn trust_key(&self, key: crate::PublicKey) {
        let _ = self.trusted.set(key);
    }

    /// The key checkpoints are checked against, if any.
    pub(crate) fn expected_key(&self) -> Option<crate::PublicKey> {
        self.trusted
            .get()
            .cloned()
            .or_else(|| self.signer.get().map(crate::Signer::public_key))
    }

    /// Signs and keeps a checkpoint of the audit chain's head, when a signer is set and the
    /// head moved since the last one; made durable by the next flush.
    pub fn checkpoint(&self) -> Result<Option<crate::Checkpoint>> {
        let Some(signer) = self.signer.get() else {
            return Ok(None);
        };
        let Some(head) = self.audit.get("head")? else {
            return Ok(None);
        };
        let (seq, hash): (u64, String) = decode("audit", &head)?;
        if let Some(last) = self.last_checkpoint()? {
            if last.seq >= seq {
                return Ok(None);
            }
        }
        let checkpoint = signer.sign(seq, &hash, OffsetDateTime::now_utc());
        // A checkpoint is new with every commit that moved the head: a crawl's thousands are
        // kept, but only the newest is offered to a TSA.
        self.audit
            .insert(checkpoint_key(seq), encode(&checkpoint))?;
        Ok(Some(checkpoint))
    }

    /// The newest checkpoint kept.
    pub(crate) fn last_checkpoint(&self) -> Result<Option<crate::Checkpoint>> {
        match self.audit.scan_prefix(CHECKPOINT).next_back() {
            Some(item) => Ok(Some(decode("audit", &item?.1)?)),
            None => Ok(None),
        }
    }

    fn put_blob(&self, bytes: &[u8]) -> Result<String> {
        let sha = hex::encode(Sha256::digest(bytes));
        self.blob_files.put(&sha, bytes)?;
        Ok(sha)
    }

    /// An evidence blob by its SHA-256.
    pub fn blob(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        if let Some(bytes) = self.blob_files.get(sha256)? {
            return Ok(Some(bytes));
        }
        // Kept by a store from before schema 4.
        Ok(self.blobs.get(sha256)?.map(|v| v.to_vec()))
    }

    /// An evidence blob by its SHA-256, re-hashed on the way out: [`Error::Tampered`] when
    /// its bytes changed since they were kept (what an export or the dashboard hands on).
    pub fn blob_checked(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        let Some(bytes) = self.blob(sha256)? else {
            return Ok(None);
        };
        let actual = hex::encode(Sha256::digest(&bytes));
        if actual != sha256 {
            return Err(Error::Tampered {
                sha256: sha256.to_owned(),
                actual,
            });
        }
        Ok(Some(bytes))
    }

    /// Sets the free space to keep on the data directory's disk: below it, new captures are
    /// refused with [`Error::DiskFull`] (triage decisions, being small, still go through).
    pub fn set_min_free_bytes(&self, bytes: u64) {
        self.min_free
            .store(bytes, std::sync::atomic::Ordering::Relaxed);
    }

    fn ensure_space(&self) -> Result<()> {
        let reserve = self.min_free.load(std::sync::atomic::Ordering::Relaxed);
        if reserve == 0 {
            return Ok(());
        }
        let stat = rustix::fs::statvfs(&self.dir).map_err(|e| Error::Io {
            path: self.dir.clone(),
            cause: e.into(),
        })?;
        let free = stat.f_bavail.saturating_mul(stat.f_frsize);
        if free < reserve {
            return Err(Error::DiskFull {
                dir: self.dir.clone(),
                free_mb: free >> 20,
                reserve_mb: reserve >> 20,
            });
        }
        Ok(())
    }

    /// A new capture id, for the samples of a page about to be [`Store::ingest`]ed.
    pub fn new_capture_id(&self) -> Result<String> {
        Ok(format!("{:016x}", self.db.generate_id()?))
    }

    /// Keeps the evidence blobs of a page (raw body, HTML, screenshot, WARC); returns its record.
    fn capture_record(
        &self,
        page: &CapturedPage,
        prepared: PreparedCapture,
    ) -> Result<CaptureRecord> {
        // The raw body is kept once, inside its WARC record.
        self.blob_files.put_holding(
            &prepared.warc_sha256,
            &prepared.warc,
            &prepared.body_sha256,
            prepared.body_in_warc.clone(),
        )?;
        self.blob_files
            .put(&prepared.html_sha256, page.html.as_bytes())?;
        if let (Some(sha), Some(png)) = (&prepared.screenshot_sha256, &page.screenshot) {
            self.blob_files.put(sha, png)?;
        }
        Ok(CaptureRecord {
            capture: Capture {
                sha256: prepared.body_sha256,
                ..page.capture.clone()
            },
            html_sha256: prepared.html_sha256,
            screenshot_sha256: prepared.screenshot_sha256,
            warc_sha256: Some(prepared.warc_sha256),
        })
    }

    /// Keeps a capture and its evidence (raw body, HTML, screenshot, WARC); returns its id.
    /// Refused with [`Error::DiskFull`] when the disk is down to its reserve.
    pub fn put_capture(&self, page: &CapturedPage) -> Result<String> {
        self.ensure_space()?;
        let prepared = PreparedCapture::of(page);
        let _writing = self.writing();
        let id = self.new_capture_id()?;
        let stored = encode(&self.capture_record(page, prepared)?);
        let now = OffsetDateTime::now_utc();
        unwrap_tx(
            (&self.captures, &self.audit).transaction(|(captures, audit)| {
                captures.insert(id.as_bytes(), stored.as_slice())?;
                append_capture(audit, &id, &stored, "crawler", now)?;
                Ok(())
            }),
        )?;
        Ok(id)
    }

    /// Keeps a crawled page, every sighting on it and, when `done` is a frontier job key, the
    /// job's "done" mark, in one sled transaction: after a crash either all of it is there or
    /// none (and the page is fetched again). `capture_id` comes from [`Store::new_capture_id`]
    /// and is the `capture_id` of each sighting; `prepared` is [`PreparedCapture::of`] the
    /// page. Returns each sighting's case, if it flagged; `None` when the page of job `done`
    /// was kept before (a page delivered twice).
    pub fn ingest(
        &self,
        page: &CapturedPage,
        prepared: PreparedCapture,
        capture_id: &str,
        sightings: &[NewSighting],
        done: Option<&[u8]>,
    ) -> Result<Option<Vec<Option<u64>>>> {
        let mut kept = self.ingest_all(vec![Ingest {
            page,
            prepared,
            capture_id,
            sightings,
            done,
        }])?;
        Ok(kept.pop().flatten())
    }

    /// [`Store::ingest`] for several pages in one sled transaction (each sled transaction
    /// writes out sled's log buffer: a crawl keeps the pages that are ready together). All
    /// the pages are kept, or none; the result has one entry a page, in order.
    pub fn ingest_all(&self, pages: Vec<Ingest<'_>>) -> Result<Vec<Option<Vec<Option<u64>>>>> {
        self.ensure_space()?;
        let _writing = self.writing();
        let mut ready = Vec::with_capacity(pages.len());
        for p in pages {
            let capture = encode(&self.capture_record(p.page, p.prepared)?);
            let prepared = p
                .sightings
                .iter()
                .map(|s| self.prepare_sighting(s))
                .collect::<Result<Vec<_>>>()?;
            ready.push((p.capture_id, p.done, capture, prepared));
        }
        let now = OffsetDateTime::now_utc();
        let trees = (
            &self.captures,
            &self.samples,
            &self.cases,
            &self.fingerprints,
            &self.queue,
            &self.audit,
            &self.meta,
            &self.changes,
            &self.frontier_flight,
            &self.frontier_kept,
        );
        let changed = unwrap_tx(trees.transaction(
            |(captures, samples, cases, fps, queue, audit, meta, changes, flight, kept)| {
                let tx = SightingTrees {
                    samples,
                    cases,
                    fps,
                    queue,
                    audit,
                    meta,
                    changes,
                    touched: Default::default(),
                };
                let mut pages = Vec::with_capacity(ready.len());
                for (capture_id, done, capture, prepared) in &ready {
                    if let Some(key) = done {
                        if kept.insert(*key, &[])?.is_some() {
                            pages.push(None);
                            continue;
                        }
                        crate::frontier::mark_done(flight, key)?;
                    }
                    captures.insert(capture_id.as_bytes(), capture.as_slice())?;
                    append_capture(audit, capture_id, capture, "crawler", now)?;
                    let mut changed = Vec::with_capacity(prepared.len());
                    for p in prepared {
                        changed.push(p.apply(&tx, now, "crawler")?);
                    }
                    pages.push(Some(changed));
                }
                tx.write_cases()?;
                Ok(pages)
            },
        ))?;
        let mut out = Vec::with_capacity(changed.len());
        for page in changed {
            out.push(match page {
                None => None,
                Some(changed) => {
                    let mut ids = Vec::with_capacity(changed.len());
                    for change in changed {
                        if let Some((_, Some((seq, case)))) = &change {
                            self.index.upsert(case, *seq)?;
                        }
                        ids.push(change.map(|(id, _)| id));
                    }
                    Some(ids)
                }
            });
        }
        Ok(out)
    }

    /// A capture and the hashes of its evidence blobs.
    pub fn capture(&self, id: &str) -> Result<Option<CaptureRecord>> {
        self.captures
            .get(id)?
            .map(|b| decode("captures", &b))
            .transpose()
    }

    /// Every capture, in the order they were kept.
    pub fn captures(&self) -> impl Iterator<Item = Result<(String, CaptureRecord)>> + '_ {
        self.captures.iter().map(|item| {
            let (id, bytes) = item?;
            Ok((
                String::from_utf8_lossy(&id).into_owned(),
                decode("captures", &bytes)?,
            ))
        })
    }

    /// Records one sighting: the sample is always kept; when flagged it opens a case, or adds
    /// a sighting to the case with the same fingerprint. Returns the case id, if any.
    pub fn record_sighting(&self, sighting: NewSighting, who: &str) -> Result<Option<u64>> {
        let _writing = self.writing();
        let prepared = self.prepare_sighting(&sighting)?;
        let now = OffsetDateTime::now_utc();
        let trees = (
            &self.samples,
            &self.cases,
            &self.fingerprints,
            &self.queue,
            &self.audit,
            &self.meta,
            &self.changes,
        );
        let changed = unwrap_tx(trees.transaction(
            |(samples, cases, fps, queue, audit, meta, changes)| {
                let tx = SightingTrees {
                    samples,
                    cases,
                    fps,
                    queue,
                    audit,
                    meta,
                    changes,
                    touched: Default::default(),
                };
                let change = prepared.apply(&tx, now, who)?;
                tx.write_cases()?;
                Ok(change)
            },
        ))?;
        Ok(match changed {
            Some((id, created)) => {
                if let Some((seq, case)) = created {
                    self.index.upsert(&case, seq)?;
                }
                Some(id)
            }
            None => None,
        })
    }

    /// Everything a sighting needs that is not read in its transaction: the sample's id, the
    /// crop blob, the grouping keys and whether the advertiser is a repeat offender. Called
    /// under the write lock.
    fn prepare_sighting<'a>(&self, sighting: &'a NewSighting) -> Result<PreparedSighting<'a>> {
        let sample_id = self.db.generate_id()?;
        let crop_sha256 = match (&sighting.crop, sighting.flags.is_empty()) {
            (Some(png), false) => Some(self.put_blob(png)?),
            _ => None,
        };
        // A repeat offender's new ads rank higher. Read outside the transaction (it cannot
        // scan) but under the write lock, so no confirmation lands in between.
        let repeat = !sighting.flags.is_empty() && {
            let domain = host_of(sighting.sample.url.as_deref().unwrap_or_default());
            let who = advertiser_of(sighting.landing_url.as_deref(), &domain);
            self.offences_of(prefix_of(who))? > 0
        };
        Ok(PreparedSighting {
            sample_id,
            keys: GroupKeys::of(
                &sighting.sample,
                sighting.landing_url.as_deref(),
                &sighting.images,
            ),
            crop_sha256,
            repeat,
            sighting,
        })
    }

    /// A case by id.
    pub fn case(&self, id: u64) -> Result<Option<Case>> {
        self.cases
            .get(id.to_be_bytes())?
            .map(|b| decode("cases", &b))
            .transpose()
    }

    /// Cases by state, highest score first (then by id), filtered. A state and a domain
    /// are key prefixes; the other filters are checked on each case read.
    pub fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<Case>> {
        let mut prefix = Vec::new();
        if let Some(domain) = &filter.domain {
            prefix.push(BY_DOMAIN);
            prefix.extend_from_slice(domain.as_bytes());
            prefix.push(0);
        } else if let Some(category) = filter.category {
            prefix.extend_from_slice(&[BY_CATEGORY, category_index(category)]);
        }
        // When the key prefix is the whole filter, the offset skips keys without reading cases.
        let exact = (filter.domain.is_none() || filter.category.is_none())
            && filter.min_score.is_none()
            && filter.since.is_none()
            && filter.until.is_none()
            && !filter.escalated;
        if let Some(state) = filter.state {
            prefix.push(CaseState::ALL.iter().position(|&s| s == state).unwrap() as u8);
        }
        let keys = if prefix.is_empty() {
            self.queue.range(..vec![BY_CATEGORY])
        } else {
            self.queue.scan_prefix(prefix)
        };
        let mut out = Vec::new();
        let mut skipped = 0;
        for item in keys {
            let (key, _) = item?;
            let id = key
                .len()
                .checked_sub(8)
                .and_then(|at| key[at..].try_into().ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| Error::Corrupt {
                    tree: "queue",
                    message: "short key".into(),
                })?;
            if exact && skipped < filter.offset {
                skipped += 1;
                continue;
            }
            let Some(case) = self.case(id)? else {
                continue;
            };
            if filter.min_score.is_some_and(|min| case.score < min) {
                if filter.state.is_some() {
                    break; // one state's keys are in score order: the rest score lower
                }
                continue;
            }
            if !filter.matches(&case) {
                continue;
            }
            if skipped < filter.offset {
                skipped += 1;
                continue;
            }
            out.push(case);
            if filter.limit > 0 && out.len() >= filter.limit {
                break;
            }
        }
        Ok(out)
    }

    /// New cases per day (UTC) over the last `days` days, oldest first (a key scan).
    pub fn cases_per_day(&self, days: u32) -> Result<Vec<(time::Date, usize)>> {
        let today = (OffsetDateTime::now_utc()
            .unix_timestamp()
            .div_euclid(86_400)) as u32;
        let first = today.saturating_sub(days.saturating_sub(1));
        (first..=today)
            .map(|day| {
                let mut prefix = vec![BY_DAY];
                prefix.extend_from_slice(&day.to_be_bytes());
                let n = self.queue.scan_prefix(prefix).count();
                let date = OffsetDateTime::from_unix_timestamp(i64::from(day) * 86_400)
                    .map(|t| t.date())
                    .unwrap_or(time::Date::MIN);
                Ok((date, n))
            })
            .collect()
    }

    /// Counts of cases per state (kept as counters, not counted).
    pub fn count_by_state(&self) -> Result<Vec<(CaseState, usize)>> {
        CaseState::ALL
            .iter()
            .map(|&state| Ok((state, read_u64(self.meta.get(count_key(state))?) as usize)))
            .collect()
    }

    /// Audit entries written, from the chain's head.
    fn audit_len(&self) -> usize {
        self.audit
            .get("head")
            .ok()
            .flatten()
            .and_then(|h| decode::<(u64, String)>("audit", &h).ok())
            .map_or(0, |(seq, _)| seq as usize)
    }

    /// Record counts for monitoring: captures, evidence blobs, samples, cases, audit entries.
    pub fn sizes(&self) -> Vec<(&'static str, usize)> {
        vec![
            ("captures", self.captures.len()),
            ("evidence_blobs", self.blobs.len() + self.blob_files.len()),
            ("samples", self.samples.len()),
            ("cases", self.cases.len()),
            ("audit_entries", self.audit_len()),
        ]
    }

    /// Moves a case to another state, logging who and why. Durable when it returns.
    pub fn transition(&self, id: u64, to: CaseState, who: &str, reason: &str) -> Result<Case> {
        let _writing = self.writing();
        let now = OffsetDateTime::now_utc();
        let trees = (
            &self.cases,
            &self.queue,
            &self.audit,
            &self.offences,
            &self.meta,
            &self.changes,
        );
        let (case, seq) = unwrap_tx(trees.transaction(
            |(cases, queue, audit, offences, meta, changes)| {
                let bytes = cases
                    .get(id.to_be_bytes())?
                    .ok_or_else(|| abort(Error::CaseNotFound(id)))?;
                let mut case: Case = decode("cases", &bytes).map_err(abort)?;
                if !case.state.can_move_to(to) {
                    return Err(abort(Error::IllegalTransition {
                        id,
                        from: case.state.to_string(),
                        to: to.to_string(),
                    }));
                }
                let from = case.state;
                for key in queue_keys(&case) {
                    queue.remove(key)?;
                }
                // Confirmed (and later) cases count against the advertiser; a reopened one no longer.
                let key = offence_key(&case);
                if to == CaseState::Confirmed {
                    offences.insert(key, &now.unix_timestamp().to_be_bytes())?;
                } else if to == CaseState::InReview {
                    offences.remove(key)?;
                }
                case.state = to;
                for key in queue_keys(&case) {
                    queue.insert(key, &[])?;
                }
                bump_count(meta, from, -1)?;
                bump_count(meta, to, 1)?;
                cases.insert(&id.to_be_bytes(), encode(&case))?;
                append_audit(
                    audit,
                    id,
                    who,
                    to.as_str(),
                    Some(from),
                    Some(to),
                    reason,
                    now,
                )?;
                let seq = log_change(meta, changes, id)?;
                Ok((case, seq))
            },
        ))?;
        self.index.upsert(&case, seq)?;
        self.commit_index()?;
        Ok(case)
    }

    /// Confirmed cases of the same advertiser in the last two years (the Advertising Law's
    /// window for repeat violations), this one included when confirmed.
    pub fn repeat_offences(&self, case: &Case) -> Result<usize> {
        self.offences_of(advertiser_prefix(case))
    }

    fn offences_of(&self, prefix: Vec<u8>) -> Result<usize> {
        let since = (OffsetDateTime::now_utc() - time::Duration::days(730)).unix_timestamp();
        let mut n = 0;
        for item in self.offences.scan_prefix(prefix) {
            let (_, at) = item?;
            let at = i64::from_be_bytes(at.as_ref().try_into().unwrap_or([0; 8]));
            if at >= since {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Adds a comment to a case's history.
    pub fn comment(&self, id: u64, who: &str, text: &str) -> Result<()> {
        if self.case(id)?.is_none() {
            return Err(Error::CaseNotFound(id));
        }
        let _writing = self.writing();
        let now = OffsetDateTime::now_utc();
        unwrap_tx(self.audit.transaction(|audit| {
            append_audit(audit, id, who, "comment", None, None, text, now)?;
            Ok(())
        }))?;
        self.db.flush()?;
        Ok(())
    }

    /// Logs `action` on a case with no change to it (`export` of a case in any state,
    /// `tampered` when its evidence failed its hash), chained like every other entry.
    pub fn note(&self, id: u64, who: &str, action: &str, reason: &str) -> Result<()> {
        if self.case(id)?.is_none() {
            return Err(Error::CaseNotFound(id));
        }
        let _writing = self.writing();
        let now = OffsetDateTime::now_utc();
        unwrap_tx(self.audit.transaction(|audit| {
            append_audit(audit, id, who, action, None, None, reason, now)?;
            Ok(())
        }))?;
        self.db.flush()?;
        Ok(())
    }

    /// [`Store::note`] on each of `ids` (cases that do not exist are skipped), in one write.
    pub fn note_all(&self, ids: &[u64], who: &str, action: &str, reason: &str) -> Result<()> {
        let mut known = Vec::with_capacity(ids.len());
        for &id in ids {
            if self.cases.contains_key(id.to_be_bytes())? {
                known.push(id);
            }
        }
        let _writing = self.writing();
        let now = OffsetDateTime::now_utc();
        unwrap_tx(self.audit.transaction(|audit| {
            for &id in &known {
                append_audit(audit, id, who, action, None, None, reason, now)?;
            }
            Ok(())
        }))?;
        self.db.flush()?;
        Ok(())
    }

    /// Assigns a case to an analyst (empty name: unassigns), logging who did it.
    pub fn assign(&self, id: u64, who: &str, assignee: &str) -> Result<Case> {
        let _writing = self.writing();
        let now = OffsetDateTime::now_utc();
        let trees = (&self.cases, &self.audit, &self.meta, &self.changes);
        let (case, seq) = unwrap_tx(trees.transaction(|(cases, audit, meta, changes)| {
            let bytes = cases
                .get(id.to_be_bytes())?
                .ok_or_else(|| abort(Error::CaseNotFound(id)))?;
            let mut case: Case = decode("cases", &bytes).map_err(abort)?;
            case.assignee = (!assignee.is_empty()).then(|| assignee.to_owned());
            cases.insert(&id.to_be_bytes(), encode(&case))?;
            append_audit(audit, id, who, "assign", None, None, assignee, now)?;
            let seq = log_change(meta, changes, id)?;
            Ok((case, seq))
        }))?;
        self.index.upsert(&case, seq)?;
        self.commit_index()?;
        Ok(case)
    }

    /// Escalates a case for a senior decision (a new case goes into review), logging who and
    /// why. Durable when it returns.
    pub fn escalate(&self, id: u64, who: &str, reason: &str) -> Result<Case> {
        let _writing = self.writing();
        let now = OffsetDateTime::now_utc();
        let trees = (
            &self.cases,
            &self.queue,
            &self.audit,
            &self.meta,
            &self.changes,
        );
        let (case, seq) = unwrap_tx(trees.transaction(|(cases, queue, audit, meta, changes)| {
            let bytes = cases
                .get(id.to_be_bytes())?
                .ok_or_else(|| abort(Error::CaseNotFound(id)))?;
            let mut case: Case = decode("cases", &bytes).map_err(abort)?;
            let from = case.state;
            if !matches!(from, CaseState::New | CaseState::InReview) {
                return Err(abort(Error::IllegalTransition {
                    id,
                    from: from.to_string(),
                    to: "escalated".into(),
                }));
            }
            if from == CaseState::New {
                for key in queue_keys(&case) {
                    queue.remove(key)?;
                }
                case.state = CaseState::InReview;
                for key in queue_keys(&case) {
                    queue.insert(key, &[])?;
                }
                bump_count(meta, from, -1)?;
                bump_count(meta, case.state, 1)?;
            }
            case.escalated = true;
            cases.insert(&id.to_be_bytes(), encode(&case))?;
            append_audit(
                audit,
                id,
                who,
                "escalate",
                Some(from),
                Some(case.state),
                reason,
                now,
            )?;
            let seq = log_change(meta, changes, id)?;
            Ok((case, seq))
        }))?;
        self.index.upsert(&case, seq)?;
        self.commit_index()?;
        Ok(case)
    }

    /// The audit entries of one case, oldest first (an index scan, not a log scan).
    pub fn history(&self, id: u64) -> Result<Vec<AuditEntry>> {
        let mut prefix = b"case".to_vec();
        prefix.extend_from_slice(&id.to_be_bytes());
        let mut out = Vec::new();
        for item in self.audit.scan_prefix(&prefix) {
            let (key, _) = item?;
            let seq = &key[prefix.len()..];
            let value = self.audit.get(seq)?.ok_or_else(|| Error::Corrupt {
                tree: "audit",
                message: format!("history of case {id} names a missing entry"),
            })?;
            out.push(decode("audit", &value)?);
        }
        Ok(out)
    }

    /// Adds or replaces a user.
    pub fn put_user(&self, user: &User) -> Result<()> {
        let _writing = self.writing();
        self.users.insert(user.name.as_bytes(), encode(user))?;
        self.db.flush()?;
        Ok(())
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<User>> {
        self.users
            .iter()
            .map(|item| decode("users", &item?.1))
            .collect()
    }

    /// A user by name.
    pub fn user(&self, name: &str) -> Result<Option<User>> {
        self.users
            .get(name)?
            .map(|b| decode("users", &b))
            .transpose()
    }

    /// Keeps an API token under the SHA-256 (hex) of its secret.
    pub fn put_token(&self, secret_sha256: &str, token: &ApiToken) -> Result<()> {
        let _writing = self.writing();
        self.tokens
            .insert(secret_sha256.as_bytes(), encode(token))?;
        self.db.flush()?;
        Ok(())
    }

    /// Removes a user; whether there was one.
    pub fn delete_user(&self, name: &str) -> Result<bool> {
        let _writing = self.writing();
        let gone = self.users.remove(name.as_bytes())?.is_some();
        self.db.flush()?;
        Ok(gone)
    }

    /// Every API token with its id (the first [`TOKEN_ID_DIGITS`] hex digits of its secret's
    /// SHA-256), oldest first.
    pub fn tokens(&self) -> Result<Vec<(String, ApiToken)>> {
        let mut out = self
            .tokens
            .iter()
            .map(|item| {
                let (key, value) = item?;
                let id: String = String::from_utf8_lossy(&key)
                    .chars()
                    .take(TOKEN_ID_DIGITS)
                    .collect();
                Ok((id, decode("tokens", &value)?))
            })
            .collect::<Result<Vec<(String, ApiToken)>>>()?;
        out.sort_by_key(|(_, t)| t.created);
        Ok(out)
    }

    /// Revokes the token whose id is `id` (as [`Store::tokens`] lists it); the token, if
    /// there was one.
    pub fn revoke_token(&self, id: &str) -> Result<Option<ApiToken>> {
        if id.len() != TOKEN_ID_DIGITS {
            return Ok(None);
        }
        let _writing = self.writing();
        let Some((key, value)) = self.tokens.scan_prefix(id.as_bytes()).next().transpose()? else {
            return Ok(None);
        };
        self.tokens.remove(key)?;
        self.db.flush()?;
        Ok(Some(decode("tokens", &value)?))
    }

    /// The API token whose secret hashes to `secret_sha256`.
    pub fn token(&self, secret_sha256: &str) -> Result<Option<ApiToken>> {
        self.tokens
            .get(secret_sha256)?
            .map(|b| decode("tokens", &b))
            .transpose()
    }

    /// Full-text search over cases (jieba-tokenised); returns case ids, best first.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<u64>> {
        if self.index.is_dirty() {
            self.commit_index()?;
        }
        self.index.search(query, limit)
    }

    /// Up to `limit` other cases whose text is most like this case's (shared words, BM25).
    pub fn similar(&self, case: &Case, limit: usize) -> Result<Vec<Case>> {
        if self.index.is_dirty() {
            self.commit_index()?;
        }
        let mut out = Vec::new();
        for id in self.index.similar(&case.text, case.id, limit)? {
            if let Some(c) = self.case(id)? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// The words of a search query or text as the index segments them (jieba, lower-cased),
    /// for highlighting matches; query syntax (`field:`, operators) is left out.
    pub fn search_words(&self, query: &str) -> Vec<String> {
        let plain: String = query
            .split_whitespace()
            .filter(|w| !matches!(*w, "AND" | "OR" | "NOT"))
            .filter(|w| !w.contains(':'))
            .collect::<Vec<_>>()
            .join(" ");
        self.index.words(&plain)
    }

    /// Matching cases (all when `query` is empty) counted per category and per domain.
    pub fn facets(&self, query: &str) -> Result<Facets> {
        if self.index.is_dirty() {
            self.commit_index()?;
        }
        self.index.facets(query)
    }

    /// Documents in the search index and the change sequence number it covers, beside the
    /// number of cases and the newest change in sled: equal when the index agrees with sled.
    pub fn index_status(&self) -> Result<IndexStatus> {
        Ok(IndexStatus {
            documents: self.index.num_docs(),
            indexed_seq: self.index.committed_seq()?.unwrap_or(0),
            cases: self.cases.len() as u64,
            latest_seq: read_u64(self.meta.get("change_seq")?),
        })
    }

    /// Rebuilds the search index from sled.
    pub fn rebuild_index(&self) -> Result<usize> {
        let _writing = self.writing();
        self.index.clear(read_u64(self.meta.get("change_seq")?))?;
        let mut n = 0;
        for item in self.cases.iter() {
            let (_, value) = item?;
            self.index.upsert(&decode("cases", &value)?, 0)?;
            n += 1;
        }
        self.commit_index()?;
        Ok(n)
    }

    /// After a crash the index may lag sled: replay every case change logged after the
    /// sequence number its last commit covers. An index with no number, or one ahead of sled
    /// (not this store's), is rebuilt; so is one whose count still disagrees after replay.
    fn catch_up_index(&self) -> Result<()> {
        let latest = read_u64(self.meta.get("change_seq")?);
        let committed = self.index.committed_seq()?;
        match committed {
            Some(done) if done == latest => {}
            Some(done) if done < latest => {
                let mut ids = std::collections::BTreeSet::new();
                for item in self.changes.range((done + 1).to_be_bytes()..) {
                    let (_, id) = item?;
                    ids.insert(read_u64(Some(id)));
                }
                tracing::info!(
                    from = done,
                    to = latest,
                    cases = ids.len(),
                    "search index behind the store, replaying changes"
                );
                for id in ids {
                    if let Some(case) = self.case(id)? {
                        self.index.upsert(&case, 0)?;
                    }
                }
                self.index.set_seq(latest);
                self.commit_index()?;
            }
            _ => {
                tracing::info!(
                    ?committed,
                    latest,
                    "search index not this store's, rebuilding"
                );
                self.rebuild_index()?;
                return Ok(());
            }
        }
        if self.index.num_docs() != self.cases.len() as u64 {
            tracing::warn!(
                indexed = self.index.num_docs(),
                cases = self.cases.len(),
                "search index disagrees with the store, rebuilding"
            );
            self.rebuild_index()?;
        }
        Ok(())
    }

    /// Labelled examples from analysts' decisions: confirmed cases keep their category,
    /// dismissed ones become `clean`.
    pub fn feedback(&self) -> Result<Vec<(Sample, Category)>> {
        let mut out = Vec::new();
        for item in self.cases.iter() {
            let (_, value) = item?;
            let case: Case = decode("cases", &value)?;
            let label = match case.state {
                CaseState::Confirmed | CaseState::Exported | CaseState::Transferred => {
                    case.category
                }
                CaseState::Dismissed => Category::Clean,
                _ => continue,
            };
            if matches!(label, Category::UnlabelledAd | Category::PopupNoClose) {
                continue;
            }
            out.push((
                Sample {
                    id: format!("case-{}", case.id),
                    kind: case.kind,
                    text: case.text,
                    price: case.price,
                    brand: case.brand,
                    seller: case.seller,
                    url: Some(case.url),
                    title: None,
                },
                label,
            ));
        }
        Ok(out)
    }
}

/// Numbers one case change (in the same transaction as the change) and logs which case it was,
/// so the search index can catch up by sequence number after a crash.
fn log_change(
    meta: &sled::transaction::TransactionalTree,
    changes: &sled::transaction::TransactionalTree,
    case_id: u64,
) -> std::result::Result<u64, ConflictableTransactionError<Error>> {
    let seq = read_u64(meta.get("change_seq")?) + 1;
    meta.insert("change_seq", &seq.to_be_bytes())?;
    changes.insert(&seq.to_be_bytes(), &case_id.to_be_bytes())?;
    Ok(seq)
}

/// The `meta` key holding the first capture id whose record entered the audit chain (schema
/// 5 on); captures from before have no `capture` entry.
pub(crate) const CHAINED_FROM: &str = "captures_chained_from";

/// First bytes of the audit tree's checkpoint keys (then the seq covered, big-endian).
pub(crate) const CHECKPOINT: &[u8] = b"ckpt";

pub(crate) fn checkpoint_key(seq: u64) -> Vec<u8> {
    let mut key = CHECKPOINT.to_vec();
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

fn case_history_key(case_id: u64, seq: u64) -> Vec<u8> {
    let mut key = b"case".to_vec();
    key.extend_from_slice(&case_id.to_be_bytes());
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

/// Whether an audit-tree key is an entry (not the head or a per-case index key).
pub(crate) fn is_audit_entry(key: &[u8]) -> bool {
    key.len() == 8
}

#[allow(clippy::too_many_arguments)]
fn append_audit(
    audit: &sled::transaction::TransactionalTree,
    case_id: u64,
    who: &str,
    action: &str,
    from: Option<CaseState>,
    to: Option<CaseState>,
    reason: &str,
    at: OffsetDateTime,
) -> std::result::Result<(), ConflictableTransactionError<Error>> {
    let entry = AuditEntry {
        seq: 0,
        case_id,
        who: who.to_owned(),
        at,
        action: action.to_owned(),
        from,
        to,
        reason: reason.to_owned(),
        subject: String::new(),
        prev_hash: String::new(),
        hash: String::new(),
    };
    chain(audit, entry, |seq| case_history_key(case_id, seq))
}

/// Chains a `created` entry vouching for the new case's content.
fn append_created(
    audit: &sled::transaction::TransactionalTree,
    case: &Case,
    who: &str,
    at: OffsetDateTime,
) -> std::result::Result<(), ConflictableTransactionError<Error>> {
    let entry = AuditEntry {
        seq: 0,
        case_id: case.id,
        who: who.to_owned(),
        at,
        action: "created".into(),
        from: None,
        to: Some(case.state),
        reason: String::new(),
        subject: content_sha256(case),
        prev_hash: String::new(),
        hash: String::new(),
    };
    chain(audit, entry, |seq| case_history_key(case.id, seq))
}

/// Chains a `capture` entry vouching for a kept capture's record (its stored bytes: URL,
/// fetch time, address, evidence hashes).
fn append_capture(
    audit: &sled::transaction::TransactionalTree,
    capture_id: &str,
    record: &[u8],
    who: &str,
    at: OffsetDateTime,
) -> std::result::Result<(), ConflictableTransactionError<Error>> {
    let entry = AuditEntry {
        seq: 0,
        case_id: 0,
        who: who.to_owned(),
        at,
        action: "capture".into(),
        from: None,
        to: None,
        reason: capture_id.to_owned(),
        subject: hex::encode(Sha256::digest(record)),
        prev_hash: String::new(),
        hash: String::new(),
    };
    chain(audit, entry, |_| capture_audit_key(capture_id))
}

/// Appends `entry` to the chain (its seq, previous hash and hash filled in) and indexes it
/// under `index_key(seq)`.
fn chain(
    audit: &sled::transaction::TransactionalTree,
    mut entry: AuditEntry,
    index_key: impl FnOnce(u64) -> Vec<u8>,
) -> std::result::Result<(), ConflictableTransactionError<Error>> {
    let (last_seq, prev_hash): (u64, String) = match audit.get("head")? {
        Some(b) => decode("audit", &b).map_err(abort)?,
        None => (0, String::new()),
    };
    entry.seq = last_seq + 1;
    entry.prev_hash = prev_hash;
    entry.hash = entry.compute_hash();
    // Entries are keyed by their 8-byte big-endian seq; beside them, in the same tree and
    // transaction: `case` + case id + seq indexes each case's history, `capt` + capture id
    // each capture's entry, and `head` is the chain's end.
    audit.insert(&entry.seq.to_be_bytes(), encode(&entry))?;
    audit.insert(index_key(entry.seq), &entry.seq.to_be_bytes())?;
    audit.insert("head", encode(&(entry.seq, entry.hash.clone())))?;
    Ok(())
}

/// SHA-256 (hex) of what a case says and that never changes after it is opened: what was
/// seen, where, when first, and why it was flagged (sightings, state and risk change; the
/// state is checked against the log's own transitions).
pub(crate) fn content_sha256(case: &Case) -> String {
    // Numbers at a fixed precision: serde_json may read a float back one bit off.
    let content = serde_json::json!({
        "id": case.id, "kind": case.kind, "category": case.category,
        "score": format!("{:.6}", case.score),
        "url": case.url, "domain": case.domain, "text": case.text, "articles": case.articles,
        "evidence": case.evidence, "landing_url": case.landing_url,
        "price": case.price.map(|p| format!("{p:.2}")),
        "brand": case.brand, "seller": case.seller, "model": case.model,
        "first_seen": case.first_seen.unix_timestamp_nanos().to_string(),
    });
    hex::encode(Sha256::digest(content.to_string().as_bytes()))
}

/// The audit tree's key for a capture's `capture` entry.
pub(crate) fn capture_audit_key(capture_id: &str) -> Vec<u8> {
    let mut key = b"capt".to_vec();
    key.extend_from_slice(capture_id.as_bytes());
    key
}

/// sled's database, opened once the lock on its files is free. With the directory's lock held
/// (or on a private copy) only this process can hold it: a `Store` just dropped, whose sled
/// threads let go of the files a moment later (a test that reopened a store at once failed
/// with "could not acquire lock"). Anything else that holds it for five seconds is an error.
fn open_sled(path: &Path, cache_bytes: u64) -> Result<sled::Db> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match sled::Config::new()
            .path(path)
            .cache_capacity(cache_bytes)
            .open()
        {
            Err(sled::Error::Io(e))
                if e.to_string().contains("could not acquire lock")
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            opened => return Ok(opened?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_waits_for_sled_to_let_go_of_its_files() {
        // A sled handle on the store's database, let go of a moment later, as a dropped
        // store's sled threads do.
        let dir = tempfile::tempdir().unwrap();
        let held = sled::open(dir.path().join("db")).unwrap();
        let letting_go = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            drop(held);
        });
        let store = Store::open(dir.path());
        letting_go.join().unwrap();
        assert!(store.is_ok(), "{:?}", store.err());
    }

    #[test]
    fn a_schema_1_store_migrates_and_gains_warc_records() {
        let dir = tempfile::tempdir().unwrap();
        let page = CapturedPage {
            capture: Capture {
                url: "http://127.0.0.1/".into(),
                final_url: "http://127.0.0.1/".into(),
                status: 200,
                headers: vec![],
                fetched_at: OffsetDateTime::now_utc(),
                exchange: Default::default(),
                charset: "GBK".into(),
                sha256: hex::encode(Sha256::digest(b"<p>x</p>")),
                truncated: false,
                rendered: false,
                filter_lists: Vec::new(),
            },
            body: b"<p>x</p>".to_vec(),
            loads: vec![],
            shots: vec![],
            html: "<p>x</p>".into(),
            screenshot: None,
            ads: vec![],
            listings: vec![],
        };
        let id = {
            let store = Store::open(dir.path()).unwrap();
            let id = store.put_capture(&page).unwrap();
            // Make it what admon wrote before schema 2: no WARC record, version 1.
            let mut stored: CaptureRecord =
                decode("captures", &store.captures.get(&id).unwrap().unwrap()).unwrap();
            stored.warc_sha256 = None;
            store
                .captures
                .insert(id.as_bytes(), encode(&stored))
                .unwrap();
            store
                .meta
                .insert("schema_version", &1u32.to_be_bytes())
                .unwrap();
            store.db.flush().unwrap();
            id
        };
        let store = Store::open(dir.path()).unwrap();
        let version = store.meta.get("schema_version").unwrap().unwrap();
        assert_eq!(version.as_ref(), SCHEMA_VERSION.to_be_bytes());
        let warc = store.capture(&id).unwrap().unwrap().warc_sha256.unwrap();
        let bytes = store.blob(&warc).unwrap().unwrap();
        assert!(bytes.starts_with(b"WARC/1.1\r\n"));
        assert!(bytes.windows(8).any(|w| w == b"<p>x</p>"));
    }
}
