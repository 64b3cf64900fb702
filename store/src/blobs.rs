//! Evidence blobs (raw bodies, HTML, screenshots, WARC records, ad crops), appended to segment
//! files `blobs/segment-NNNNNN` and found by SHA-256 through the `blob_index` tree (hash ->
//! segment, offset, length). Appends only: a blob is written once and never changed. A blob
//! can lie inside another (a raw body inside its WARC record): two hashes, one copy.
//!
//! They live outside sled's trees because sled copies a tree node's values on every write to
//! it: with 20-60 KB pages that was half of a crawl's time and most of its memory. One
//! appended file (rather than a file per blob) keeps file-system metadata work, which stalls
//! behind sled's fsyncs, out of the write path.
//!
//! A process killed at any point leaves every indexed blob complete: the bytes are written
//! before their index entry. [`BlobLog::sync`] (called by `Store::flush`) makes the segments
//! durable before sled flushes, so after a power cut an index entry whose bytes were lost can
//! only be one written since the last flush; `admon store verify` names any. Stores from
//! before schema 4 kept blobs in the `blobs` tree, which is still read.

use crate::{Error, Result};
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A segment is closed, and the next begun, past this size.
const SEGMENT_BYTES: u64 = 1 << 30;

pub(crate) struct BlobLog {
    root: PathBuf,
    index: sled::Tree,
    /// The segment being appended to: its number, file and length; opened at the first
    /// append, so that opening the store to read it (`store verify`) creates nothing.
    current: Mutex<Option<(u32, File, u64)>>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |cause| Error::Io {
        path: path.to_owned(),
        cause,
    }
}

fn segment_path(root: &Path, n: u32) -> PathBuf {
    root.join(format!("segment-{n:06}"))
}

/// Where a blob is: segment, offset, length (big-endian u32, u64, u64).
fn encode_location((segment, offset, len): (u32, u64, u64)) -> [u8; 20] {
    let mut at = [0; 20];
    at[..4].copy_from_slice(&segment.to_be_bytes());
    at[4..12].copy_from_slice(&offset.to_be_bytes());
    at[12..].copy_from_slice(&len.to_be_bytes());
    at
}

fn location(bytes: &[u8]) -> Option<(u32, u64, u64)> {
    Some((
        u32::from_be_bytes(bytes.get(0..4)?.try_into().ok()?),
        u64::from_be_bytes(bytes.get(4..12)?.try_into().ok()?),
        u64::from_be_bytes(bytes.get(12..20)?.try_into().ok()?),
    ))
}

fn open_append(path: &Path) -> Result<(File, u64)> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io(path))?;
    let len = file.metadata().map_err(io(path))?.len();
    Ok((file, len))
}

impl BlobLog {
    /// The blob log under a data directory; appends go to its newest segment.
    pub(crate) fn open(data: &Path, index: sled::Tree) -> Result<BlobLog> {
        Ok(BlobLog {
            root: data.join("blobs"),
            index,
            current: Mutex::new(None),
        })
    }

    fn segments_in(root: &Path) -> Result<Vec<(u32, PathBuf)>> {
        let mut out = Vec::new();
        let entries = match std::fs::read_dir(root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(io(root)(e)),
        };
        for entry in entries {
            let path = entry.map_err(io(root))?.path();
            let n = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix("segment-"))
                .and_then(|n| n.parse::<u32>().ok());
            if let Some(n) = n {
                out.push((n, path));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Keeps `bytes` under their hash `sha256` unless already kept. Callers hold the store's
    /// write lock.
    pub(crate) fn put(&self, sha256: &str, bytes: &[u8]) -> Result<()> {
        self.keep(sha256, bytes).map(drop)
    }

    /// [`BlobLog::put`], and indexes the blob with hash `inner_sha256` as bytes `within` of
    /// these, writing nothing more (a raw body is the tail of its WARC record's block),
    /// unless a blob with that hash is kept already.
    pub(crate) fn put_holding(
        &self,
        sha256: &str,
        bytes: &[u8],
        inner_sha256: &str,
        within: std::ops::Range<usize>,
    ) -> Result<()> {
        let (segment, offset, len) = self.keep(sha256, bytes)?;
        if within.end as u64 > len {
            return Err(Error::Corrupt {
                tree: "blob_index",
                message: format!("{inner_sha256} lies outside {sha256}"),
            });
        }
        if !self.index.contains_key(inner_sha256)? {
            let at = (segment, offset + within.start as u64, within.len() as u64);
            self.index.insert(inner_sha256, &encode_location(at))?;
        }
        Ok(())
    }

    /// Appends `bytes` unless kept already; returns where they are.
    fn keep(&self, sha256: &str, bytes: &[u8]) -> Result<(u32, u64, u64)> {
        if let Some(at) = self.index.get(sha256)? {
            return location(&at).ok_or_else(|| Error::Corrupt {
                tree: "blob_index",
                message: format!("bad location for {sha256}"),
            });
        }
        let mut guard = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let current = match &mut *guard {
            Some(current) => current,
            None => {
                std::fs::create_dir_all(&self.root).map_err(io(&self.root))?;
                let newest = Self::segments_in(&self.root)?.last().map_or(1, |(n, _)| *n);
                let (file, len) = open_append(&segment_path(&self.root, newest))?;
                guard.insert((newest, file, len))
            }
        };
        if current.2 >= SEGMENT_BYTES {
            let next = current.0 + 1;
            let (file, len) = open_append(&segment_path(&self.root, next))?;
            *current = (next, file, len);
        }
        let (segment, offset) = (current.0, current.2);
        let path = segment_path(&self.root, segment);
        current.1.write_all(bytes).map_err(io(&path))?;
        current.2 += bytes.len() as u64;
        let at = (segment, offset, bytes.len() as u64);
        self.index.insert(sha256, &encode_location(at))?;
        Ok(at)
    }

    /// The blob with hash `sha256`, if kept here.
    pub(crate) fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        let Some(at) = self.index.get(sha256)? else {
            return Ok(None);
        };
        let (segment, offset, len) = location(&at).ok_or_else(|| Error::Corrupt {
            tree: "blob_index",
            message: format!("bad location for {sha256}"),
        })?;
        let path = segment_path(&self.root, segment);
        let name = format!("blobs/segment-{segment:06}");
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::Corrupt {
                    tree: "blobs",
                    message: format!("{name} is missing"),
                })
            }
            Err(e) => return Err(io(&path)(e)),
        };
        // A truncated segment is named as such (a short read says only "failed to fill
        // whole buffer").
        let size = file.metadata().map_err(io(&path))?.len();
        if offset.saturating_add(len) > size {
            return Err(Error::Corrupt {
                tree: "blobs",
                message: format!(
                    "{name} is truncated: {size} bytes, the blob needs bytes {offset}..{}",
                    offset + len
                ),
            });
        }
        let mut bytes = vec![0; len as usize];
        file.read_exact_at(&mut bytes, offset).map_err(io(&path))?;
        Ok(Some(bytes))
    }

    /// Whether a blob with hash `sha256` is indexed here (its bytes are not read).
    pub(crate) fn contains(&self, sha256: &str) -> Result<bool> {
        Ok(self.index.contains_key(sha256)?)
    }

    /// Every indexed blob's hash.
    pub(crate) fn hashes(&self) -> impl Iterator<Item = Result<String>> + '_ {
        self.index
            .iter()
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?).into_owned()))
    }

    /// How many blobs are indexed.
    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }

    /// Makes every blob appended so far durable.
    pub(crate) fn sync(&self) -> Result<()> {
        let current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        match &*current {
            Some((n, file, _)) => file.sync_data().map_err(io(&segment_path(&self.root, *n))),
            None => Ok(()),
        }
    }

    /// Copies the segment files into `dest`'s blob directory (the index is a tree, copied
    /// with the others); returns the bytes copied. Callers hold the store's write lock.
    pub(crate) fn copy_to(&self, dest: &Path) -> Result<u64> {
        Self::copy_segments(&self.root, dest)
    }

    /// Copies the segment files in `root` (a data or backup directory's `blobs/`) into
    /// `dest/blobs/`, synced; the bytes copied. Only reads `root`.
    pub(crate) fn copy_segments(root: &Path, dest: &Path) -> Result<u64> {
        let target = dest.join("blobs");
        std::fs::create_dir_all(&target).map_err(io(&target))?;
        let mut bytes = 0;
        for (n, path) in Self::segments_in(root)? {
            let to = segment_path(&target, n);
            bytes += std::fs::copy(&path, &to).map_err(io(&to))?;
            File::open(&to)
                .and_then(|f| f.sync_all())
                .map_err(io(&to))?;
        }
        Ok(bytes)
    }
}
