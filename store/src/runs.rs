//! Crawl runs: one record per `admon crawl` (or scheduled crawl), written when it starts and
//! again when it ends, so the dashboard can list runs and a crashed one shows as unfinished.

use crate::records::{decode, encode};
use crate::{Result, Store};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One crawl run and its counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CrawlRun {
    /// Run id, from 1 (0 until [`Store::start_run`] numbers it).
    pub id: u64,
    /// Why it ran: `cli`, `demo`, `schedule`.
    pub trigger: String,
    /// Seed URLs.
    pub seeds: Vec<String>,
    /// Who ran it (the crawler's `operator`, else the system user).
    #[serde(default)]
    pub operator: String,
    /// When it started (UTC).
    #[serde(with = "time::serde::rfc3339::option")]
    pub started: Option<OffsetDateTime>,
    /// When it ended (UTC); `None` while running, or when the process died.
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished: Option<OffsetDateTime>,
    /// `running`, `finished`, `stopped` (by the operator), `failed`, `interrupted` (its
    /// process died).
    pub outcome: String,
    /// Pages fetched.
    pub pages: u64,
    /// Fetch errors.
    pub errors: u64,
    /// Body bytes received.
    pub bytes: u64,
    /// Samples classified.
    pub samples: u64,
    /// Samples flagged.
    pub flagged: u64,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

impl Store {
    /// Records the start of a run (numbering it, marking it running); returns its id.
    pub fn start_run(&self, run: &mut CrawlRun) -> Result<u64> {
        let _writing = self.writing();
        run.id = self.runs.last()?.map_or(0, |(k, _)| {
            u64::from_be_bytes(k.as_ref().try_into().unwrap_or([0; 8]))
        }) + 1;
        run.started.get_or_insert_with(OffsetDateTime::now_utc);
        run.outcome = "running".into();
        self.runs.insert(run.id.to_be_bytes(), encode(run))?;
        self.db.flush()?;
        Ok(run.id)
    }

    /// Records how a run ended (its counts, outcome and end time).
    pub fn finish_run(&self, run: &mut CrawlRun) -> Result<()> {
        let _writing = self.writing();
        run.finished.get_or_insert_with(OffsetDateTime::now_utc);
        self.runs.insert(run.id.to_be_bytes(), encode(run))?;
        self.db.flush()?;
        Ok(())
    }

    /// Marks runs still `running` as `interrupted`: called on open, when this process holds the
    /// data directory, so whoever was running them is gone.
    pub(crate) fn close_orphan_runs(&self) -> Result<usize> {
        let mut n = 0;
        for item in self.runs.iter() {
            let (key, value) = item?;
            let mut run: CrawlRun = decode("runs", &value)?;
            if run.outcome == "running" {
                run.outcome = "interrupted".into();
                self.runs.insert(key, encode(&run))?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// The newest `limit` runs, newest first.
    pub fn runs(&self, limit: usize) -> Result<Vec<CrawlRun>> {
        self.runs
            .iter()
            .rev()
            .take(limit)
            .map(|item| decode("runs", &item?.1))
            .collect()
    }
}
