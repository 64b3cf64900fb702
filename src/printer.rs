//! Evidence packs' PDF reports (电子数据提取笔录): the crawler's Chromium prints each case's
//! report, set in the system's Noto CJK fonts. Chromium starts on the first report asked for
//! and is closed with the printer.

use admon_crawler::Renderer;
use admon_dashboard::Printer;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The most one report may take to print.
const PRINT_TIMEOUT: Duration = Duration::from_secs(60);

/// Prints with Chromium at a path.
pub struct ChromiumPrinter {
    chromium: PathBuf,
    renderer: Mutex<Option<Renderer>>,
}

impl ChromiumPrinter {
    /// A printer using Chromium at `chromium`; `None` when it is not there (packs then carry
    /// the HTML report only, and say so).
    pub fn at(chromium: &Path) -> Option<Arc<dyn Printer>> {
        if !Renderer::available(chromium) {
            tracing::warn!(chromium = %chromium.display(), "no Chromium: evidence packs get no PDF reports");
            return None;
        }
        Some(Arc::new(ChromiumPrinter {
            chromium: chromium.to_owned(),
            renderer: Mutex::new(None),
        }))
    }
}

impl Printer for ChromiumPrinter {
    fn print(&self, html: &str) -> Result<Vec<u8>, String> {
        let mut slot = self.renderer.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(
                Renderer::start(&self.chromium, Duration::ZERO, PRINT_TIMEOUT)
                    .map_err(|e| e.to_string())?,
            );
        }
        let printed = slot.as_ref().expect("started").print_pdf(html);
        if printed.is_err() {
            // Started afresh for the next report: this Chromium may be the trouble.
            *slot = None;
        }
        printed.map_err(|e| e.to_string())
    }
}
