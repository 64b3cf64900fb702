//! The control socket: a process holding a data directory (the dashboard, a crawl) listens on
//! `admon.sock` in it, so that another admon process can have it take a backup without
//! stopping. Only whoever may write the data directory may connect (the socket is 0600).
//!
//! One request per connection, one JSON line each way: `{"backup": "/abs/dir"}`, answered by
//! `{"ok": <BackupReport>}` or `{"error": "..."}`.

use crate::backup::BackupReport;
use crate::{Error, Result, Store};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::Duration;

const SOCKET: &str = "admon.sock";
/// How often the listener checks that its store is still open.
const POLL: Duration = Duration::from_millis(200);

#[derive(Serialize, Deserialize)]
struct Request {
    backup: PathBuf,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Reply {
    Ok(BackupReport),
    Error(String),
}

fn serve_one(store: &Store, stream: UnixStream) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut line = String::new();
    BufReader::new(stream.try_clone()?.take(64 * 1024)).read_line(&mut line)?;
    let reply = match serde_json::from_str::<Request>(&line) {
        Ok(req) if req.backup.is_absolute() => match store.backup(&req.backup) {
            Ok(report) => Reply::Ok(report),
            Err(e) => Reply::Error(e.to_string()),
        },
        Ok(_) => Reply::Error("the backup directory must be an absolute path".into()),
        Err(e) => Reply::Error(format!("bad request: {e}")),
    };
    let mut out = serde_json::to_vec(&reply).expect("reply serialises");
    out.push(b'\n');
    (&stream).write_all(&out)
}

impl Store {
    /// Starts answering control requests on `admon.sock` in the data directory, until the
    /// store is dropped. A socket that cannot be made (path too long, say) is logged and
    /// skipped: the store works without it.
    pub fn listen_control(self: &Arc<Store>) {
        let path = self.dir().join(SOCKET);
        // We hold the directory lock, so a socket file left here is from a dead process.
        let _ = std::fs::remove_file(&path);
        let listener = match UnixListener::bind(&path) {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "no control socket; `admon store backup` cannot reach this process");
                return;
            }
        };
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        if let Err(e) = listener.set_nonblocking(true) {
            tracing::warn!(error = %e, "control socket unusable");
            return;
        }
        let store: Weak<Store> = Arc::downgrade(self);
        std::thread::Builder::new()
            .name("admon-control".into())
            .spawn(move || loop {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let Some(store) = store.upgrade() else { break };
                        if let Err(e) = serve_one(&store, stream) {
                            tracing::warn!(error = %e, "control request failed");
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        if store.strong_count() == 0 {
                            break;
                        }
                        std::thread::sleep(POLL);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "control socket closed");
                        break;
                    }
                }
            })
            .map(drop)
            .unwrap_or_else(|e| tracing::warn!(error = %e, "no control thread"));
    }
}

/// Asks the process holding `data` to back it up into `dest`.
pub fn request_backup(data: &Path, dest: &Path) -> Result<BackupReport> {
    let control = |message: String| Error::Control {
        dir: data.to_owned(),
        message,
    };
    let dest = std::path::absolute(dest).map_err(|e| control(e.to_string()))?;
    let path = data.join(SOCKET);
    let mut stream = UnixStream::connect(&path)
        .map_err(|e| control(format!("no control socket at {} ({e})", path.display())))?;
    let mut req = serde_json::to_vec(&Request { backup: dest }).expect("request serialises");
    req.push(b'\n');
    stream.write_all(&req).map_err(|e| control(e.to_string()))?;
    let mut line = String::new();
    BufReader::new(stream)
        .read_line(&mut line)
        .map_err(|e| control(e.to_string()))?;
    match serde_json::from_str::<Reply>(&line) {
        Ok(Reply::Ok(report)) => Ok(report),
        Ok(Reply::Error(message)) => Err(control(message)),
        Err(e) => Err(control(format!("unreadable answer: {e}"))),
    }
}
