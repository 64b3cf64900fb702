//! The Chromium process behind the renderer, which must never outlive admon. It is started
//! in a process group of its own (with its renderer and GPU processes), the DevTools
//! connection is made to it, and the whole group is killed when it is dropped. Its profile
//! directory records which admon started it: a Chromium left by an admon that was killed
//! (`kill -9` runs no drop) is reaped when the next one starts. A parent-death signal alone
//! would not do: it fires when the spawning thread ends, and runtime threads come and go.

use rustix::process::{kill_process_group, test_kill_process, Pid, Signal};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Profiles are `<temp>/admon-chromium-<admon pid>-<n>`.
const PROFILE_PREFIX: &str = "admon-chromium-";
/// In a profile: `<admon pid> <chromium process group>`.
const OWNER_FILE: &str = "admon-owner";

/// A running Chromium, its process group killed on drop.
pub(crate) struct Chromium {
    child: Child,
    /// `ws://127.0.0.1:<port>/devtools/browser/<id>`.
    pub ws_url: String,
}

/// A new profile directory path for this process.
pub(crate) fn profile_dir() -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    std::env::temp_dir().join(format!(
        "{PROFILE_PREFIX}{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

impl Chromium {
    /// Starts `binary` headless with `args`, on `profile`, in a process group of its own, and
    /// waits (up to `wait`) for its DevTools address.
    pub(crate) fn start(
        binary: &Path,
        args: &[&str],
        profile: &Path,
        wait: Duration,
    ) -> std::io::Result<Chromium> {
        use std::os::unix::process::CommandExt;
        std::fs::create_dir_all(profile)?;
        let port_file = profile.join("DevToolsActivePort");
        let _ = std::fs::remove_file(&port_file);
        let child = Command::new(binary)
            .args(args)
            .arg("--remote-debugging-port=0")
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()?;
        // Recorded before anything can fail, so a reaper finds the group.
        std::fs::write(
            profile.join(OWNER_FILE),
            format!("{} {}", std::process::id(), child.id()),
        )?;
        let mut chromium = Chromium {
            child,
            ws_url: String::new(),
        };
        let deadline = Instant::now() + wait;
        loop {
            // Chromium writes the port, then the browser's path, once it listens.
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    chromium.ws_url = format!("ws://127.0.0.1:{}{}", port.trim(), path.trim());
                    return Ok(chromium);
                }
            }
            if let Some(status) = chromium.child.try_wait()? {
                return Err(std::io::Error::other(format!(
                    "chromium exited at start ({status})"
                )));
            }
            if Instant::now() >= deadline {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "chromium did not open its DevTools port",
                ));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        if let Some(group) = Pid::from_raw(self.child.id() as i32) {
            let _ = kill_process_group(group, Signal::KILL);
        }
        let _ = self.child.wait();
    }
}

/// Kills the Chromium groups, and removes the profiles, left by admon processes that are gone
/// (killed before they could); returns how many groups were killed.
pub(crate) fn reap_orphans() -> usize {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return 0;
    };
    let mut reaped = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(PROFILE_PREFIX)) else {
            continue;
        };
        let owner = std::fs::read_to_string(entry.path().join(OWNER_FILE)).ok();
        let mut fields = owner.as_deref().unwrap_or("").split_whitespace();
        let admon = fields
            .next()
            .or_else(|| rest.split('-').next())
            .and_then(|p| p.parse::<i32>().ok());
        let Some(admon) = admon.filter(|&p| p as u32 != std::process::id()) else {
            continue;
        };
        let alive = Pid::from_raw(admon).is_some_and(|pid| test_kill_process(pid).is_ok());
        if alive {
            continue;
        }
        let group = fields
            .next()
            .and_then(|g| g.parse::<i32>().ok())
            .and_then(Pid::from_raw);
        // Only a group still led by the Chromium of this profile (a number can be reused).
        let ours = |group: Pid| {
            std::fs::read(format!("/proc/{}/cmdline", group.as_raw_nonzero())).is_ok_and(
                |cmdline| {
                    let profile = format!("--user-data-dir={}", entry.path().display());
                    cmdline
                        .split(|&b| b == 0)
                        .any(|arg| arg == profile.as_bytes())
                },
            )
        };
        if let Some(group) = group.filter(|&g| ours(g)) {
            if kill_process_group(group, Signal::KILL).is_ok() {
                reaped += 1;
                tracing::warn!(
                    group = group.as_raw_nonzero().get(),
                    admon,
                    "killed a chromium left running by an admon that was killed"
                );
            }
        }
        let _ = std::fs::remove_dir_all(entry.path());
    }
    reaped
}
