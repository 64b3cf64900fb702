//! Backups: a consistent copy of every sled tree, taken while the store is in use, and restore
//! into an empty data directory. The search index is not copied: a restored store rebuilds it
//! from sled on first open.
//!
//! A backup directory holds `db/` (a sled database), `blobs/` (the evidence segments) and
//! `backup.json` (what was copied).

use crate::records::SCHEMA_VERSION;
use crate::{Error, Result, Store};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

const MANIFEST: &str = "backup.json";
const BATCH: usize = 10_000;
/// The bytes of evidence blob segments in a backup's manifest, beside the trees' records.
const BLOB_BYTES: &str = "blob segment bytes";

/// What a backup holds, written beside it as `backup.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BackupReport {
    /// When it was taken (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub taken: OffsetDateTime,
    /// Schema version of the data.
    pub schema_version: u32,
    /// Records per sled tree.
    pub trees: BTreeMap<String, u64>,
    /// Where it is.
    pub dir: PathBuf,
}

impl BackupReport {
    /// Records copied, over every tree.
    pub fn records(&self) -> u64 {
        self.trees
            .iter()
            .filter(|(name, _)| *name != BLOB_BYTES)
            .map(|(_, n)| n)
            .sum()
    }

    /// Evidence blobs copied (segment blobs, and those of stores from before schema 4).
    pub fn evidence_blobs(&self) -> u64 {
        ["blobs", "blob_index"]
            .iter()
            .filter_map(|tree| self.trees.get(*tree))
            .sum()
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |cause| Error::Io {
        path: path.to_owned(),
        cause,
    }
}

/// Refuses to write over anything: the target must be missing or an empty directory.
fn ensure_empty(dir: &Path) -> Result<()> {
    check_empty(dir)?;
    std::fs::create_dir_all(dir).map_err(io(dir))
}

/// Fails unless `dir` is missing or empty; creates nothing.
fn check_empty(dir: &Path) -> Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::NotEmpty(dir.to_owned()));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(dir)(e)),
    }
    Ok(())
}

/// Copies every tree of `from` into `to`, in batches; returns records per tree.
fn copy_trees(from: &sled::Db, to: &sled::Db) -> Result<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    for name in from.tree_names() {
        let source = from.open_tree(&name)?;
        let target = to.open_tree(&name)?;
        let mut batch = sled::Batch::default();
        let (mut n, mut pending) = (0u64, 0usize);
        for item in source.iter() {
            let (k, v) = item?;
            batch.insert(k, v);
            n += 1;
            pending += 1;
            if pending == BATCH {
                target.apply_batch(std::mem::take(&mut batch))?;
                pending = 0;
            }
        }
        target.apply_batch(batch)?;
        counts.insert(String::from_utf8_lossy(&name).into_owned(), n);
    }
    to.flush()?;
    Ok(counts)
}

impl Store {
    /// Writes a consistent copy of the store to `dest` (missing or empty) while it stays in
    /// use: readers go on, writers wait until the copy is done.
    pub fn backup(&self, dest: &Path) -> Result<BackupReport> {
        ensure_empty(dest)?;
        let _writing = self.writing();
        self.db.flush()?;
        let target = sled::open(dest.join("db"))?;
        let mut trees = copy_trees(&self.db, &target)?;
        drop(target);
        trees.insert(BLOB_BYTES.into(), self.blob_files.copy_to(dest)?);
        let report = BackupReport {
            taken: OffsetDateTime::now_utc(),
            schema_version: SCHEMA_VERSION,
            trees,
            dir: std::path::absolute(dest).unwrap_or_else(|_| dest.to_owned()),
        };
        let path = dest.join(MANIFEST);
        std::fs::write(
            &path,
            serde_json::to_vec_pretty(&report).expect("report serialises"),
        )
        .map_err(io(&path))?;
        Ok(report)
    }

    /// Restores the backup in `backup` into the data directory `data` (missing or empty),
    /// then opens it, which rebuilds the search index. The backup is only read (sled opens
    /// what it reads read-write, so it opens a copy), which also restores from write-protected
    /// media; the result is built beside `data` and moved in when complete, so a restore that
    /// fails (a fake or damaged backup) leaves `data` as it was.
    pub fn restore(backup: &Path, data: &Path) -> Result<(Store, BackupReport)> {
        let path = backup.join(MANIFEST);
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        let report: BackupReport =
            serde_json::from_slice(&bytes).map_err(|e| Error::NotABackup {
                dir: backup.to_owned(),
                message: e.to_string(),
            })?;
        if !backup.join("db").is_dir() {
            return Err(Error::NotABackup {
                dir: backup.to_owned(),
                message: "no db/ directory".into(),
            });
        }
        check_empty(data)?;
        let staging = staging_beside(data)?;
        let built = staging.join("data");
        let result = (|| -> Result<()> {
            let source_db = staging.join("backup-db");
            crate::lock::copy_dir(&backup.join("db"), &source_db)?;
            {
                let source = sled::open(&source_db)?;
                let target = sled::open(built.join("db"))?;
                let mut copied = copy_trees(&source, &target)?;
                if report.trees.contains_key(BLOB_BYTES) {
                    let bytes =
                        crate::blobs::BlobLog::copy_segments(&backup.join("blobs"), &built)?;
                    copied.insert(BLOB_BYTES.into(), bytes);
                }
                if copied != report.trees {
                    return Err(Error::NotABackup {
                        dir: backup.to_owned(),
                        message: format!(
                            "holds other records than its manifest lists ({copied:?} vs {:?})",
                            report.trees
                        ),
                    });
                }
                target.flush()?;
            }
            if data.exists() {
                std::fs::remove_dir(data).map_err(io(data))?;
            }
            std::fs::rename(&built, data).map_err(io(data))
        })();
        let _ = std::fs::remove_dir_all(&staging);
        result?;
        Ok((Store::open(data)?, report))
    }
}

/// A new directory beside `data` (same file system, so the result can be renamed into place).
fn staging_beside(data: &Path) -> Result<PathBuf> {
    let parent = match data.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = data
        .file_name()
        .map_or_else(|| "data".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.restoring-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(io(&staging))?;
    Ok(staging)
}
