//! The bundled demo sites, served by admon itself on loopback: a Chinese news portal with ads
//! in every form, a marketplace, and a third-party ad server (a separate origin, for the
//! cross-origin iframe). Content lives in `seeds/demo/`; `{{NEWS}}`, `{{MARKET}}` and
//! `{{ADS}}` in it are replaced by each site's origin. Files under a `gbk/` folder are served
//! encoded as GBK.

use anyhow::Context;
use axum::extract::{Path as AxumPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use url::Url;

/// The running demo sites.
pub struct DemoSites {
    /// News portal origin.
    pub news: Url,
    /// Marketplace origin.
    pub market: Url,
    /// Ad server origin.
    pub ads: Url,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl DemoSites {
    /// The crawl seeds: the portal's and the marketplace's front pages.
    pub fn seeds(&self) -> Vec<Url> {
        vec![self.news.clone(), self.market.clone()]
    }
}

impl Drop for DemoSites {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

struct Site {
    root: PathBuf,
    origins: [(String, String); 3],
}

/// Starts the three sites on random loopback ports.
pub async fn start(seeds_dir: &Path) -> anyhow::Result<DemoSites> {
    let root = seeds_dir.join("demo");
    anyhow::ensure!(
        root.is_dir(),
        "demo content not found in {}",
        root.display()
    );
    let mut listeners = Vec::new();
    for _ in 0..3 {
        listeners.push(
            tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .context("binding a loopback port")?,
        );
    }
    let origin = |l: &tokio::net::TcpListener| -> anyhow::Result<String> {
        Ok(format!("http://{}", l.local_addr()?))
    };
    let origins = [
        ("{{NEWS}}".to_string(), origin(&listeners[0])?),
        ("{{MARKET}}".to_string(), origin(&listeners[1])?),
        ("{{ADS}}".to_string(), origin(&listeners[2])?),
    ];
    let mut tasks = Vec::new();
    for (listener, dir) in listeners.into_iter().zip(["news", "market", "ads"]) {
        let site = Arc::new(Site {
            root: root.join(dir),
            origins: origins.clone(),
        });
        let app = Router::new()
            .route(
                "/",
                axum::routing::get(|s: State<Arc<Site>>| async move {
                    serve(s, AxumPath(String::from("index.html"))).await
                }),
            )
            .route("/{*path}", axum::routing::get(serve))
            .with_state(site);
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await;
        }));
    }
    Ok(DemoSites {
        news: Url::parse(&format!("{}/", origins[0].1))?,
        market: Url::parse(&format!("{}/", origins[1].1))?,
        ads: Url::parse(&format!("{}/", origins[2].1))?,
        tasks,
    })
}

async fn serve(State(site): State<Arc<Site>>, AxumPath(path): AxumPath<String>) -> Response {
    let rel = PathBuf::from(&path);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let file = site.root.join(&rel);
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
    let content_type = match ext {
        "html" => "text/html",
        "js" => "text/javascript",
        "css" => "text/css",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    };
    if !matches!(ext, "html" | "js" | "txt") {
        return ([(header::CONTENT_TYPE, content_type.to_string())], bytes).into_response();
    }
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    for (placeholder, origin) in &site.origins {
        text = text.replace(placeholder.as_str(), origin);
    }
    if rel.starts_with("gbk") {
        let (encoded, _, _) = encoding_rs::GBK.encode(&text);
        // Half the GBK pages say so in the header; the others only in <meta charset>.
        let header_value = if text.contains("meta-only") {
            content_type.to_string()
        } else {
            format!("{content_type}; charset=GBK")
        };
        return ([(header::CONTENT_TYPE, header_value)], encoded.into_owned()).into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            format!("{content_type}; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}
