//! One process per data directory: an OS file lock on `admon.lock`, which also records who
//! holds it so a second process can say so.

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
