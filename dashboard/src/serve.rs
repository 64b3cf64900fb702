//! The dashboard's HTTP server: axum's router on hyper (HTTP/1), with the bounds axum's own
//! `serve` leaves out. A client has [`HEADER_TIMEOUT`] to send its first byte and then its
//! headers (a connection that sent nothing, or a line now and then, held its socket for ever),
//! one network (an address on loopback, a /24 or a /64 elsewhere) holds at most
//! [`PER_ADDRESS`] connections (reverse proxies in `trusted_proxies` excepted), and the server
//! at most [`MAX_CONNECTIONS`] (20,000 idle connections used up the file descriptors).

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

/// The key connections are counted under: the address on loopback, else its network (a /24
/// for IPv4, a /64 for IPv6: one client usually has a whole one).
fn network_of(ip: IpAddr) -> IpAddr {
    match ip {
        _ if ip.is_loopback() => ip,
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            IpAddr::from([a, b, c, 0])
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::from([s[0], s[1], s[2], s[3], 0, 0, 0, 0])
        }
    }
}

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
    // HTTP/1 only: a TLS proxy speaks it to the dashboard, and an idle HTTP/2 connection
    // has no header timeout to end it.
    let mut builder = Builder::new(TokioExecutor::new()).http1_only();
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
            let network = network_of(ip);
            let mut counts = open.lock().unwrap_or_else(|e| e.into_inner());
            let n = counts.entry(network).or_default();
            if *n >= limits.per_address {
                tracing::debug!(%ip, "connection refused: {} open from this address", limits.per_address);
                continue;
            }
            *n += 1;
            Some((network, open.clone()))
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
        let (builder, watcher) = (builder.clone(), graceful.watcher());
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            // hyper's header timeout starts at the first byte: a client that sends nothing
            // gets as long, and no longer.
            // (`readable()` may wake with nothing to read: `peek` waits for a byte.)
            let mut first = [0u8; 1];
            let waited = tokio::time::timeout(header_timeout, stream.peek(&mut first)).await;
            if !matches!(waited, Ok(Ok(n)) if n > 0) {
                return; // (the slot goes with it)
            }
            let connection = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(service),
            );
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(error = %e, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
