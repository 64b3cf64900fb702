//! One process per data directory: an OS file lock on `admon.lock`, which also records who
//! holds it so a second process can say so. Also what opening needs around the lock: the
//! repair of sled's unfinished snapshots, and the scratch copy a read-only open works on.

use crate::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Held for the life of the [`crate::Store`]; the OS releases it when the process dies.
#[derive(Debug)]
pub(crate) struct DirLock {
    _file: File,
}

pub(crate) fn acquire(dir: &Path) -> Result<DirLock> {
    let path = dir.join("admon.lock");
    let io = |cause| Error::Io {
        path: path.clone(),
        cause,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(Error::Locked {
                dir: dir.to_owned(),
                holder: if holder.is_empty() {
                    "unknown process".into()
                } else {
                    holder.to_owned()
                },
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    let args: Vec<String> = std::env::args().collect();
    let me = format!("pid {}: {}", std::process::id(), args.join(" "));
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    file.write_all(me.as_bytes()).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(DirLock { _file: file })
}

/// Removes snapshots sled left unfinished (`snap.*.generating`, often empty after a full
/// disk): sled fails every later open on one with "Read corrupted data". Only called with the
/// directory lock held, so no sled is writing one.
pub(crate) fn remove_unfinished_snapshots(db: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(db) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(|cause| Error::Io {
                path: path.clone(),
                cause,
            })?;
            tracing::warn!(
                path = %path.display(),
                "removed a snapshot the database never finished (left by a full disk or a crash)"
            );
            eprintln!(
                "admon: removed {}, a database snapshot never finished (a full disk or a crash \
                 left it); the store opens from its log",
                path.display()
            );
        }
    }
    Ok(())
}

/// A temporary directory, removed on drop.
#[derive(Debug)]
pub(crate) struct Scratch(pub std::path::PathBuf);

impl Scratch {
    pub(crate) fn new() -> Result<Scratch> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "admon-read-only-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).map_err(|cause| Error::Io {
            path: path.clone(),
            cause,
        })?;
        Ok(Scratch(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies the files of `from` (recursively) into `to`, leaving out unfinished sled snapshots;
/// a missing `from` copies nothing.
pub(crate) fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |cause| Error::Io { path, cause }
    };
    std::fs::create_dir_all(to).map_err(io(to))?;
    let entries = match std::fs::read_dir(from) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(from)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io(from))?;
        let (path, name) = (entry.path(), entry.file_name());
        if name.to_string_lossy().ends_with(".generating") {
            continue;
        }
        if entry.file_type().map_err(io(&path))?.is_dir() {
            copy_dir(&path, &to.join(&name))?;
        } else {
            std::fs::copy(&path, to.join(&name)).map_err(io(&path))?;
        }
    }
    Ok(())
}
