//! The dashboard's HTTP server: axum's router on hyper, with the bounds axum's own `serve`
//! leaves out. A client has [`HEADER_TIMEOUT`] to send a request's headers (a connection that
//! sends a line now and then held its socket for ever), one address holds at most
//! [`PER_ADDRESS`] connections (reverse proxies in `trusted_proxies` excepted), and the
//! server at most [`MAX_CONNECTIONS`] (20,000 idle connections used up the process's file
//! descriptors).

use axum::extract::connect_info::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower::ServiceExt;

/// How long a client has to send a request's headers.
pub(crate) const HEADER_TIMEOUT: Duration = Duration::from_secs(20);
/// Connections open at once, in all.
pub(crate) const MAX_CONNECTIONS: usize = 4_096;
/// Connections open at once from one address.
pub(crate) const PER_ADDRESS: usize = 64;

/// The server's bounds.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    pub header_timeout: Duration,
    pub max_connections: usize,
    pub per_address: usize,
    /// Reverse proxies: their connections are many clients', so not counted per address.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Limits {
    pub(crate) fn new(trusted_proxies: Vec<IpAddr>) -> Limits {
        Limits {
            header_timeout: HEADER_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
            per_address: PER_ADDRESS,
            trusted_proxies,
        }
    }
}

/// Connections open per address.
type OpenPerAddress = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// One connection's place, given back when it closes.
struct Slot {
    _permit: tokio::sync::OwnedSemaphorePermit,
    address: Option<(IpAddr, OpenPerAddress)>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some((ip, open)) = &self.address {
            let mut open = open.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(n) = open.get_mut(ip) {
                *n -= 1;
                if *n == 0 {
                    open.remove(ip);
                }
            }
        }
    }
}

/// Serves `router` on `listener` until `shutdown`, then lets requests in flight finish.
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let open: OpenPerAddress = Arc::default();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let builder = Arc::new(builder);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => permit.expect("the semaphore stays open"),
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors and the like: say so, wait, go on.
                    tracing::error!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let ip = remote.ip();
        let address = if limits.trusted_proxies.contains(&ip) {
            None
        } else {
            let mut counts = open.lock().unwrap_or_else(|e| e.into_inner());
            let n = counts.entry(ip).or_default();
            if *n >= limits.per_address {
                tracing::debug!(%ip, "connection refused: {} open from this address", limits.per_address);
                continue;
            }
            *n += 1;
            Some((ip, open.clone()))
        };
        let slot = Slot {
            _permit: permit,
            address,
        };
        let service =
            router
                .clone()
                .map_request(move |req: hyper::Request<hyper::body::Incoming>| {
                    let mut req = req.map(axum::body::Body::new);
                    req.extensions_mut().insert(ConnectInfo(remote));
                    req
                });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
