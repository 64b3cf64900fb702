//! A tiny scriptable HTTP/1.1 server on 127.0.0.1: each test says what every path answers,
//! and reads back which paths were asked for and when.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    /// Send the body one byte per this interval (a slow-loris server).
    pub drip: Option<Duration>,
}

impl Reply {
    pub fn html(body: &str) -> Reply {
        Reply::bytes("text/html; charset=utf-8", body.as_bytes().to_vec())
    }
    pub fn bytes(content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("Content-Type", content_type.to_owned())],
            body,
            drip: None,
        }
    }
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: vec![],
            body: vec![],
            drip: None,
        }
    }
    pub fn header(mut self, k: &'static str, v: &str) -> Reply {
        self.headers.push((k, v.to_owned()));
        self
    }
}

type Handler = dyn Fn(&str, usize) -> Reply + Send + Sync;

pub struct Server {
    pub base: String,
    pub log: Arc<Mutex<Vec<(String, Instant)>>>,
    /// Every request's head (request line and headers), in arrival order.
    pub heads: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    /// Starts a server; `handler(path, nth)` answers the `nth` request (from 0) for `path`.
    pub async fn start(handler: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> Server {
        Server::start_on([127, 0, 0, 1].into(), handler).await
    }

    /// Starts a server on another loopback address.
    pub async fn start_on(
        ip: std::net::IpAddr,
        handler: impl Fn(&str, usize) -> Reply + Send + Sync + 'static,
    ) -> Server {
        assert!(ip.is_loopback(), "test servers listen on loopback only");
        let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
        let heads: Arc<Mutex<Vec<String>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let task = {
            let (log, heads) = (log.clone(), heads.clone());
            tokio::spawn(async move {
                loop {
                    let Ok((mut socket, _)) = listener.accept().await else {
                        return;
                    };
                    let (log, heads, handler) = (log.clone(), heads.clone(), handler.clone());
                    tokio::spawn(async move {
                        let mut request = Vec::new();
                        let mut buf = [0u8; 4096];
                        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                            match socket.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => request.extend_from_slice(&buf[..n]),
                            }
                        }
                        let text = String::from_utf8_lossy(&request);
                        heads.lock().unwrap().push(text.to_string());
                        let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
                        let nth = {
                            let mut log = log.lock().unwrap();
                            let nth = log.iter().filter(|(p, _)| *p == path).count();
                            log.push((path.clone(), Instant::now()));
                            nth
                        };
                        let reply = handler(&path, nth);
                        let mut head =
                            format!("HTTP/1.1 {} X\r\nConnection: close\r\n", reply.status);
                        for (k, v) in &reply.headers {
                            head.push_str(&format!("{k}: {v}\r\n"));
                        }
                        head.push_str(&format!("Content-Length: {}\r\n\r\n", reply.body.len()));
                        if socket.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        match reply.drip {
                            None => {
                                let _ = socket.write_all(&reply.body).await;
                            }
                            Some(every) => {
                                for b in reply.body {
                                    if socket.write_all(&[b]).await.is_err() {
                                        return;
                                    }
                                    tokio::time::sleep(every).await;
                                }
                            }
                        }
                        let _ = socket.shutdown().await;
                    });
                }
            })
        };
        Server {
            base,
            log,
            heads,
            task,
        }
    }

    pub fn requests(&self, path: &str) -> Vec<Instant> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, t)| *t)
            .collect()
    }

    pub fn paths(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .map(|(p, _)| p.clone())
            .collect()
    }
}
